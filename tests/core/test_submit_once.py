"""Every create and submit happens once (kehu.core.once): every POST form on every page carries a one-time token;
the same token sent twice writes once and both answers are the first one's; an API write with an Idempotency-Key
is done once per key. A record with a pending transfer request refuses a second request."""

import re

import pytest
from django.test import Client

from kehu.customers import services
from kehu.customers.models import Customer, FollowUp, TransferRequest
from tests.approvals.helpers import approval, flow, people, publish
from tests.support import threads

ONCE = re.compile(r'name="_once" value="([^"]+)"')


def new_customer_form(client):
    page = client.get("/customers/new/").content.decode()
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", page, flags=re.S | re.I)
    [token] = [ONCE.search(form).group(1) for form in forms if 'name="contact_mobile"' in form]
    return {"name": "双击测试有限公司", "contact_name": "张三", "contact_mobile": "13912345678", "_once": token}


@pytest.mark.django_db
def test_a_new_customer_form_sent_twice_creates_one_customer_and_both_answers_go_to_it(client, org):
    client.force_login(org.rep)
    form = new_customer_form(client)
    first = client.post("/customers/new/", form)
    second = client.post("/customers/new/", form)
    customer = Customer.objects.get(name="双击测试有限公司")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/customers/{customer.pk}/"


@pytest.mark.django_db
def test_a_refused_form_releases_its_token_so_the_corrected_one_goes_through(client, org):
    client.force_login(org.rep)
    form = new_customer_form(client)
    refused = client.post("/customers/new/", {**form, "contact_mobile": "123"})
    assert refused.status_code == 200
    assert client.post("/customers/new/", form).status_code == 302
    assert Customer.objects.filter(name="双击测试有限公司").count() == 1


def _route_pages(org):
    from tests.core.test_security_headers import _concrete, _routes

    customer = Customer.objects.create(number="CU-O-1", name="某公司", name_normalized="某公司", owner=org.admin)
    for route in sorted(set(_routes())):
        url = _concrete(route, customer.pk)
        if url and not url.startswith(("/api/", "/logout/")):
            yield url


@pytest.mark.django_db
def test_every_post_form_on_every_page_carries_a_one_time_token(client, org):
    """Walks every page route as sales ops: a form that posts has a token, each form its own — a new module's
    forms get one without doing anything."""
    client.force_login(org.admin)
    forms_seen = 0
    for url in _route_pages(org):
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I):
            forms_seen += 1
            assert len(ONCE.findall(form)) == 1, (url, form[:200])
        tokens = ONCE.findall(html)
        assert len(tokens) == len(set(tokens)), url
    assert forms_seen > 20


@pytest.mark.django_db
def test_an_api_write_with_an_idempotency_key_is_done_once(org):
    customer = services.create_customer(org.rep, {"name": "幂等客户有限公司"})
    api = Client()
    api.force_login(org.rep)
    body = {"customer": customer.pk, "kind": "call", "content": "电话沟通需求"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "followup-0001-abcdef"}
    first = api.post("/api/followups/", body, content_type="application/json", **headers)
    second = api.post("/api/followups/", body, content_type="application/json", **headers)
    assert first.status_code == second.status_code == 201, first.content
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert FollowUp.objects.filter(customer=customer).count() == 1
    other = api.post("/api/followups/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="followup-0002")
    assert other.status_code == 201 and FollowUp.objects.filter(customer=customer).count() == 2


def _transfer_flow(org):
    publish(org.admin, flow({"n1": approval("运营", people(org.admin))}), "customers.transfer")


@pytest.mark.django_db
def test_a_customer_with_a_pending_transfer_refuses_a_second_request(org):
    from django.core.exceptions import ValidationError

    _transfer_flow(org)
    customer = services.create_customer(org.rep, {"name": "待转移有限公司"})
    services.transfer_customers(org.manager, [customer.pk], org.rep_bj, "区域调整")
    with pytest.raises(ValidationError) as refused:
        services.transfer_customers(org.manager, [customer.pk], org.dept_viewer, "改派")
    assert refused.value.message_dict == {"customers": ["待转移有限公司 已有待审批的转移申请。"]}
    assert TransferRequest.objects.filter(status=TransferRequest.Status.PENDING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_transfers_of_one_customer_create_one_request(org):
    from kehu.org.models import User

    _transfer_flow(org)
    customer = services.create_customer(org.rep, {"name": "并发转移有限公司"})

    def transfer(actor_pk, to_pk):
        summary = services.transfer_customers(User.objects.get(pk=actor_pk), [customer.pk], User.objects.get(pk=to_pk))
        return summary.request.pk

    outcomes = threads.race(transfer, [(org.manager.pk, org.rep_bj.pk), (org.manager.pk, org.rep_bj.pk)])
    assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    assert TransferRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_token_sent_twice_at_once_writes_once_and_both_answers_agree(org):
    """A real double click: two requests with one token race; the second waits for the first and gets its answer."""
    from django.db import connection

    first_client = Client()
    first_client.force_login(org.rep)
    form = new_customer_form(first_client)
    clients = [first_client, Client()]
    clients[1].force_login(org.rep)

    def send(index):
        try:
            response = clients[index].post("/customers/new/", form)
            return response.status_code, response.get("Location")
        finally:
            connection.close()

    outcomes = threads.race(send, [(0,), (1,)])
    customer = Customer.objects.get(name="双击测试有限公司")
    assert outcomes == [("ok", (302, f"/customers/{customer.pk}/"))] * 2
