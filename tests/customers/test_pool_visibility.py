"""The pool's pages and API are registered as unscoped in the leak test: pool customers have no owner and are
open to everyone with customers.view by design. This proves the other half: as every role, the pool list,
the pool customer page, the claim action and the pool API never show or act on an owned customer."""

from django.urls import reverse

from kehu.customers.models import Customer
from kehu.org.scope import has_module_perm
from tests.scope_oracle import build_customers


def test_the_pool_shows_every_role_the_pool_customers_and_nothing_else(client, org):
    customers = build_customers(org)
    in_pool = [c for c in customers if c.owner_id is None]
    owned = [c for c in customers if c.owner_id is not None]
    assert len(in_pool) == 1 and len(owned) == len(org.people())
    for person in org.people():
        client.force_login(person)
        may_view = has_module_perm(person, "customers", "view")
        page = client.get(reverse("customers:pool"), {"size": 100})
        assert page.status_code == (200 if may_view else 403), person.username
        html = page.content.decode()
        api = client.get(reverse("api:pool-list"), {"page_size": 100})
        assert api.status_code == (200 if may_view else 403), person.username  # the page's rule
        shown = {row["id"] for row in api.json()["results"]} if may_view else set()
        assert shown == ({in_pool[0].pk} if may_view else set()), person.username
        for customer in owned:
            assert customer.number not in html, (person.username, customer.number)
            detail = client.get(reverse("customers:pool_detail", args=[customer.pk]))
            assert detail.status_code == 404, (person.username, customer.number)
            assert client.get(reverse("api:pool-detail", args=[customer.pk])).status_code == 404
            claim = client.post(reverse("customers:pool_claim", args=[customer.pk]))
            assert claim.status_code in (403, 404), (person.username, customer.number)
            assert client.post(reverse("api:pool-claim", args=[customer.pk])).status_code in (403, 404)
        if may_view:
            assert in_pool[0].number in html
            assert client.get(reverse("customers:pool_detail", args=[in_pool[0].pk])).status_code == 200
    assert Customer.objects.filter(owner__isnull=True).count() == 1  # nothing was claimed by the walk
