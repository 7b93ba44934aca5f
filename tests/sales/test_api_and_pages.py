"""The API and the pages apply the same rules: the gate's missing fields on a kanban drop (API) and in the form,
stale drops (409 naming who moved the card), the kanban's counts and sums per stage, the saved views, and bad
input as field errors in the user's language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.sales import queries, services
from kehu.sales.kanban import read_board
from kehu.sales.models import Opportunity
from tests.sales.conftest import customer_of, decision_maker, new_opportunity, soon

pytestmark = pytest.mark.django_db


def move(client, opportunity, stage, version):
    url = reverse("api:opportunity-move", args=[opportunity.pk])
    return client.post(url, {"stage": stage.pk, "version": version}, content_type="application/json")


def test_a_drop_into_a_gated_stage_answers_400_with_the_missing_fields(client, org, pipeline):
    opportunity = new_opportunity(org.rep)
    client.force_login(org.rep)
    response = move(client, opportunity, pipeline["proposal"], opportunity.version)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "stage": ["To enter “方案报价”, fill in: Amount, Decision maker."],
        "amount": ["Required to enter “方案报价”."],
        "decision_maker": ["Required to enter “方案报价”."],
    }


def test_the_same_refusal_in_chinese(org, pipeline):
    from django.test import Client

    opportunity = new_opportunity(org.rep)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(org.rep)
    response = move(client, opportunity, pipeline["proposal"], opportunity.version)
    assert response.json()["error"]["fields"]["stage"] == ["进入“方案报价”前请填写：金额、决策者。"]


def test_a_stale_drop_answers_409_naming_who_moved_the_card(client, org, pipeline):
    opportunity = new_opportunity(org.rep, amount="10")
    client.force_login(org.manager)
    assert move(client, opportunity, pipeline["contract"], opportunity.version).status_code == 200
    client.force_login(org.rep)
    response = move(client, opportunity, pipeline["lead"], opportunity.version)
    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("This record was changed by 华北经理 at ")


def test_a_drop_moves_the_card_and_returns_its_new_version(client, org, pipeline):
    opportunity = new_opportunity(org.rep, amount="10")
    client.force_login(org.rep)
    response = move(client, opportunity, pipeline["contract"], opportunity.version)
    assert response.status_code == 200
    assert (response.json()["stage"], response.json()["version"]) == (pipeline["contract"].pk, opportunity.version + 1)


def test_the_form_refuses_a_gated_stage_with_the_missing_fields_next_to_them(client, org, pipeline):
    opportunity = new_opportunity(org.rep)
    client.force_login(org.rep)
    data = {
        "name": opportunity.name,
        "expected_close_date": soon().isoformat(),
        "stage": pipeline["proposal"].pk,
        "amount": "",
        "version": opportunity.version,
    }
    page = client.post(reverse("sales:edit", args=[opportunity.pk]), data)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.errors["stage"] == ["To enter “方案报价”, fill in: Amount, Decision maker."]
    assert form.errors["amount"] == ["Required to enter “方案报价”."]
    assert form.errors["decision_maker"] == ["Required to enter “方案报价”."]
    maker = decision_maker(opportunity.customer)
    data.update(amount="66000", decision_maker=maker.pk)
    assert client.post(reverse("sales:edit", args=[opportunity.pk]), data).status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).stage == pipeline["proposal"]


def test_the_api_creates_with_decimal_amounts_and_refuses_bad_ones_as_field_errors(client, org, pipeline):
    customer = customer_of(org.rep)
    client.force_login(org.rep)
    body = {"customer": customer.pk, "name": "云平台", "amount": "1,500,000.10", "expected_close_date": str(soon())}
    created = client.post(reverse("api:opportunity-list"), body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["amount"] == "1500000.10"
    bad = client.post(reverse("api:opportunity-list"), {**body, "amount": "1.234"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"amount": ["Use at most two decimal places (fen)."]}
    assert Opportunity.objects.count() == 1


def test_win_lose_and_reopen_through_the_api(client, org, pipeline):
    opportunity = new_opportunity(org.rep, amount="10")
    client.force_login(org.rep)
    lose = client.post(reverse("api:opportunity-lose", args=[opportunity.pk]), {}, content_type="application/json")
    assert lose.status_code == 400
    assert set(lose.json()["error"]["fields"]) == {"loss_reason", "won_by_competitor", "result_note"}
    won = client.post(
        reverse("api:opportunity-win", args=[opportunity.pk]), {"won_amount": "9.50"}, content_type="application/json"
    )
    assert (won.status_code, won.json()["status"], won.json()["won_amount"]) == (200, "won", "9.50")
    url = reverse("api:opportunity-reopen", args=[opportunity.pk])
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    client.force_login(org.manager)
    reopened = client.post(url, {"reason": "客户追加"}, content_type="application/json")
    assert (reopened.status_code, reopened.json()["status"]) == (200, "open")


def test_the_kanban_counts_and_sums_every_open_opportunity_of_the_scope_per_stage(client, org, pipeline):
    for amount in ("100.50", "200", None):
        new_opportunity(org.rep, amount=amount)
    new_opportunity(org.rep_bj, amount="1000", stage=pipeline["contract"])
    new_opportunity(org.rep_east, amount="99999")  # outside the north manager's scope
    closed = new_opportunity(org.rep, amount="5")
    services.win(org.rep, closed, won_amount="5")  # closed: not on the board
    board = read_board(org.manager, cards=2)
    assert [(c["stage"].name, c["count"], str(c["total"]), len(c["cards"])) for c in board["columns"]] == [
        ("线索", 3, "300.50", 2),
        ("方案报价", 0, "0.00", 0),
        ("合同", 1, "1000.00", 1),
    ]
    mine = read_board(org.rep_bj, mine=True)
    assert [c["count"] for c in mine["columns"]] == [0, 0, 1]
    client.force_login(org.manager)
    api = client.get(reverse("api:opportunity-kanban")).json()
    assert [(s["name"], s["count"], s["total"]) for s in api["stages"]] == [
        ("线索", 3, "300.50"),
        ("方案报价", 0, "0.00"),
        ("合同", 1, "1000.00"),
    ]


def test_the_kanban_page_shows_columns_cards_and_badges(client, org, pipeline):
    stalled = new_opportunity(org.rep, name="停滞的商机", amount="20000")
    Opportunity.objects.filter(pk=stalled.pk).update(rots_at=timezone.now() - timedelta(hours=1))
    client.force_login(org.rep)
    page = client.get(reverse("sales:kanban")).content.decode()
    assert page.count('<section class="kanban-column') == 3
    assert "停滞的商机" in page and "data-badge-stalled" in page
    assert "¥2.0万" in page  # the column total
    phone = client.get(reverse("sales:kanban"), {"stage": pipeline["contract"].pk}).content.decode()
    assert f'data-stage-tab="{pipeline["contract"].pk}"' in phone


def test_saved_views(org, pipeline):
    today = timezone.localdate()
    mine = new_opportunity(org.rep, name="本月", expected_close_date=today)
    later = new_opportunity(org.rep, name="明年", expected_close_date=today + timedelta(days=400))
    theirs = new_opportunity(org.manager, name="经理的", expected_close_date=today)
    won = new_opportunity(org.rep, name="已赢", amount="10")
    services.win(org.rep, won, won_amount="10")
    everything = Opportunity.objects.all()
    assert set(queries.apply_view(everything, "my_open", org.rep)) == {mine, later}
    assert set(queries.apply_view(everything, "closing_this_month")) == {mine, theirs}
    assert set(queries.apply_view(everything, "won_this_quarter")) == {won}
    assert set(queries.apply_view(everything, "stalled")) == set()


def test_list_pages_and_their_filters(client, org, pipeline):
    new_opportunity(org.rep, name="看得见的商机")
    new_opportunity(org.rep_east, name="看不见的商机")
    client.force_login(org.rep)
    page = client.get(reverse("sales:mine")).content.decode()
    assert "看得见的商机" in page and "看不见的商机" not in page
    assert client.get(reverse("sales:manage")).status_code == 403  # management needs opportunities.transfer
    bad = client.get(reverse("api:opportunity-list"), {"owner": "abc"})
    assert bad.status_code == 400
    client.force_login(org.manager)
    assert client.get(reverse("sales:manage")).status_code == 200


def test_export_is_the_list_as_xlsx(client, org, pipeline):
    from io import BytesIO

    from openpyxl import load_workbook

    new_opportunity(org.rep, name="导出的商机", amount="1234.5")
    client.force_login(org.rep)
    response = client.get(reverse("sales:export"), {"scope": "mine"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("客户", "商机名称", "金额", "预计成交日期")
    assert rows[1][1:3] == ("导出的商机", 1234.5)


def test_import_writes_valid_rows_through_the_service_with_row_errors_otherwise(org, pipeline):
    from io import BytesIO

    from openpyxl import Workbook

    from kehu.sales import imports

    customer = customer_of(org.rep, "导入客户")
    book = Workbook()
    sheet = book.active
    sheet.append(["客户", "商机名称", "金额", "预计成交日期", "阶段"])
    sheet.append([customer.number, "导入的商机", "5000", soon().isoformat(), "合同"])
    sheet.append(["不存在的客户", "坏行", "abc", "2020-01-01", "方案报价"])
    out = BytesIO()
    book.save(out)
    out.seek(0)
    result = imports.run_import(org.rep, out, mode="valid_only")
    assert result.created == 1
    assert sorted((e.row, e.field) for e in result.errors) == [
        (3, "amount"),
        (3, "customer"),
        (3, "expected_close_date"),
        (3, "stage"),
    ]
    created = Opportunity.objects.get(name="导入的商机")
    assert (created.stage, created.owner, created.stage_history.count()) == (pipeline["contract"], org.rep, 1)
