"""The read side of the case library: the list (search, industry) and the customer's name for a reader."""

from django.db.models import Q

from kehu.customers.models import Customer
from kehu.sales.cases.models import Case


def cases_for(user, tab: str = "published"):
    cases = Case.objects.visible_to(user).select_related("industry", "author", "opportunity")
    if tab == "mine":
        return cases.filter(author=user)
    return cases.published() if tab == "published" else cases


def search(queryset, text: str):
    text = (text or "").strip()
    if not text:
        return queryset
    condition = Q()
    for field in ("title", "problem", "solution", "products", "lessons"):
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


def customer_names(reader, cases) -> dict[int, str | None]:
    """{case id: the customer's name, or None when the reader may not see that customer} — one query for a page."""
    cases = list(cases)
    customer_ids = {case.opportunity.customer_id for case in cases}
    visible = dict(Customer.objects.visible_to(reader).filter(pk__in=customer_ids).values_list("pk", "name"))
    return {case.pk: visible.get(case.opportunity.customer_id) for case in cases}


def writable_opportunities(user):
    """The won opportunities `user` may see that have no case yet: what may be written up."""
    from kehu.sales.models import Opportunity

    return (
        Opportunity.objects.visible_to(user)
        .won()
        .filter(case__isnull=True)
        .select_related("customer")
        .order_by("-closed_on", "-pk")
    )
