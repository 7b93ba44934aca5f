"""The case library: a won opportunity written up, the publish flow, who reads what, and the customer's name
hidden from every reader who may not see that customer — on the page, the list and the API, role by role."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kehu.core.locking import StaleEdit
from kehu.sales.cases import services
from kehu.sales.cases.models import Case
from tests.sales.helpers import customer_of, grant_opportunities, opportunity, won


@pytest.fixture
def deal(org):
    """A won opportunity of rep (north) on rep's own customer 北方重工."""
    grant_opportunities(org)
    return won(org.rep, "880000", date(2026, 3, 1), customer=customer_of(org.rep, "北方重工"))


def write_up(actor, deal, **extra):
    data = {
        "title": "重型装备 MES 上线",
        "problem": "排产靠人工",
        "solution": "分三期上线 MES",
        "products": "MES\n看板",
        "lessons": "先做试点",
        **extra,
    }
    return services.create_case(actor, opportunity_id=deal.pk, **data)


def test_a_won_opportunity_is_written_up_as_a_draft_with_its_won_amount(org, deal):
    case = write_up(org.rep, deal)
    assert (case.status, case.author, str(case.amount), case.version) == ("draft", org.rep, "880000.00", 1)


def test_only_won_opportunities_the_writer_may_see_and_only_once(org, deal):
    with pytest.raises(ValidationError) as unseen:
        write_up(org.rep_east, deal)  # rep_east may not see rep's opportunity
    assert list(unseen.value.message_dict) == ["opportunity"]
    still_open = opportunity(org.rep, "100")
    with pytest.raises(ValidationError) as not_won:
        services.create_case(org.rep, opportunity_id=still_open.pk, title="t", problem="p", solution="s")
    assert not_won.value.message_dict == {"opportunity": ["只有赢单的商机才能写成案例。"]}
    write_up(org.rep, deal)
    with pytest.raises(ValidationError) as twice:
        write_up(org.manager, deal)
    assert twice.value.message_dict == {"opportunity": ["这个商机已有案例。"]}
    with pytest.raises(PermissionDenied):
        write_up(org.nobody, deal)


def test_the_write_up_must_not_name_the_customer_and_needs_problem_and_solution(org, deal):
    with pytest.raises(ValidationError) as refused:
        write_up(org.rep, deal, problem="北方重工的排产靠人工", solution="")
    assert refused.value.message_dict == {
        "solution": ["请描述解决方案。"],
        "problem": ["不要写出客户名称（北方重工）：无权查看该客户的读者不应得知。"],
    }
    assert not Case.objects.exists()


def test_publish_and_withdraw_with_a_stale_edit_refused(org, deal):
    case = write_up(org.rep, deal)
    services.update_case(org.rep, case.pk, expected_version=1, lessons="先试点，再推广")
    with pytest.raises(StaleEdit):
        services.publish_case(org.rep, case.pk, expected_version=1)
    published = services.publish_case(org.rep, case.pk, expected_version=2)
    assert published.is_published and published.published_at is not None
    with pytest.raises(ValidationError):
        services.publish_case(org.rep, case.pk)
    assert not services.withdraw_case(org.rep, case.pk).is_published


def test_who_may_read_and_change_a_case_per_role(org, deal):
    draft = write_up(org.rep, deal)
    other = won(org.rep_east, "1000", date(2026, 4, 1))
    published = services.publish_case(org.rep_east, write_up(org.rep_east, other, title="华东案例").pk)
    readers = {p.username: set(Case.objects.visible_to(p).values_list("pk", flat=True)) for p in org.people()}
    assert readers == {
        "admin": {draft.pk, published.pk},  # sales ops: manage
        "director": {published.pk},
        "manager": {published.pk},
        "rep": {draft.pk, published.pk},  # their own draft too
        "rep_bj": {published.pk},
        "rep_east": {published.pk},
        "dept_viewer": {published.pk},
        "chosen": set(),  # no case-library permission
        "all": {draft.pk, published.pk},  # manage
        "nobody": set(),
    }
    editors = {p.username for p in org.people() if Case.objects.visible_to(p, "change").filter(pk=draft.pk).exists()}
    assert editors == {"admin", "rep", "all"}


CUSTOMER_SEEN_BY = {"admin", "director", "manager", "rep", "dept_viewer", "all"}


def test_the_customer_name_is_shown_only_to_readers_who_may_see_the_customer(client, org, deal):
    case = services.publish_case(org.rep, write_up(org.rep, deal, industry=None).pk)
    for person in org.people():
        client.force_login(person)
        detail = client.get(reverse("cases:detail", args=[case.pk]))
        if person.username in ("chosen", "nobody"):
            assert detail.status_code == 404, person.username
            continue
        page = detail.content.decode()
        listed = client.get(reverse("cases:list")).content.decode()
        api = client.get(reverse("api:case-detail", args=[case.pk])).json()
        api_list = client.get(reverse("api:case-list")).json()["results"]
        if person.username in CUSTOMER_SEEN_BY:
            assert "北方重工" in page and "北方重工" in listed, person.username
            assert api["customer_name"] == "北方重工" and api_list[0]["customer_name"] == "北方重工", person.username
        else:
            assert "北方重工" not in page and "北方重工" not in listed, person.username
            assert "客户（已隐藏）" in page, person.username
            assert api["customer_name"] is None and api_list[0]["customer_name"] is None, person.username


def test_search_finds_published_cases_by_their_text(client, org, deal):
    case = services.publish_case(org.rep, write_up(org.rep, deal).pk)
    client.force_login(org.rep_bj)
    found = client.get(reverse("cases:list"), {"q": "MES"})
    assert [c.pk for c in found.context["page"].object_list] == [case.pk]
    assert list(client.get(reverse("cases:list"), {"q": "不存在"}).context["page"].object_list) == []


def test_attachments_are_validated_and_only_editors_attach(client, org, deal):
    case = write_up(org.rep, deal)
    with pytest.raises(ValidationError) as wrong_type:
        services.add_attachment(org.rep, case.pk, SimpleUploadedFile("x.exe", b"MZ"))
    assert list(wrong_type.value.message_dict) == ["file"]
    with pytest.raises(ValidationError):
        services.add_attachment(org.rep, case.pk, SimpleUploadedFile("empty.pdf", b""))
    attachment = services.add_attachment(org.rep, case.pk, SimpleUploadedFile("方案.pdf", b"%PDF-1.4"))
    assert (attachment.name, attachment.size) == ("方案.pdf", 8)
    client.force_login(org.rep_bj)  # may not see the draft at all
    assert client.get(reverse("cases:attachment", args=[case.pk, attachment.pk])).status_code == 404
    client.force_login(org.rep)
    download = client.get(reverse("cases:attachment", args=[case.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"


def test_the_api_creates_publishes_and_refuses_bad_input_with_fields(client, org, deal):
    client.force_login(org.rep)
    url = reverse("api:case-list")
    bad = client.post(
        url, {"opportunity": deal.pk, "title": "", "problem": "", "solution": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"title", "problem"}
    made = client.post(
        url, {"opportunity": deal.pk, "title": "T", "problem": "P", "solution": "S"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["status"] == "draft"
    pk = made.json()["id"]
    stale = client.post(reverse("api:case-publish", args=[pk]), {"version": 9}, content_type="application/json")
    assert stale.status_code == 409
    done = client.post(reverse("api:case-publish", args=[pk]), {"version": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "published"


def test_the_write_up_form_offers_only_won_opportunities_without_a_case(client, org, deal):
    opportunity(org.rep, "5")  # open: not offered
    client.force_login(org.rep)
    form = client.get(reverse("cases:create"), {"opportunity": deal.pk}).context["form"]
    assert list(form.fields["opportunity"].queryset) == [deal]
    response = client.post(
        reverse("cases:create"), {"opportunity": deal.pk, "title": "T", "problem": "P", "solution": "S"}
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert list(client.get(reverse("cases:create")).context["form"].fields["opportunity"].queryset) == []
