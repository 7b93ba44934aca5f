"""Importing targets from Excel through the generic import: every row checked first, the errors per row and
column, the modes (check, all or nothing, only valid rows), the API."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kehu.org.models import User
from kehu.sales.targets.imports import TargetImport, run_import
from kehu.sales.targets.models import Target

HEADER = ["指标", "年份", "月份", "账号", "部门", "指标值"]


def workbook(*rows, header=HEADER) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "targets.xlsx"
    return out


@pytest.fixture
def left(org):
    org.rep_bj.status = User.Status.LEFT
    org.rep_bj.is_active = False
    org.rep_bj.save()
    return org.rep_bj


def test_every_row_is_checked_and_each_error_names_row_and_column(org, left):
    org.north.code = "N01"
    org.north.save()
    source = workbook(
        ("赢单金额", 2026, 1, "rep", "", 1000),  # fine
        ("Won amount", "2026", "2", "", "N01", "5000"),  # fine: English metric, department by code
        ("赢单金额", 2026, 3, "rep_bj", "", 1000),  # left the company
        ("赢单金额", 2026, 13, "rep", "", 1000),  # no such month
        ("销量", 2026, 4, "rep", "", 1000),  # no such metric
        ("赢单金额", 2026, 5, "ghost", "", 1000),  # no such user
        ("赢单金额", 2026, 6, "rep", "N01", 1000),  # both
        ("赢单金额", 2026, 7, "rep", "", -3),  # negative
        ("赢单金额", 2026, 1, "rep", "", 2000),  # the same month as row 2
        ("赢单金额", 2026, 8, "rep_east", "", 1000),  # outside the manager's scope
    )
    result = run_import(org.manager, source, mode="all")
    assert (result.total, result.valid, result.invalid, result.created) == (10, 2, 8, 0)
    errors = [(e.row, e.field, e.message) for e in result.errors]
    assert errors == [
        (4, "username", "北京销售已离职：只能为在职人员设置指标。"),
        (5, "month", "请输入 1 到 12 的月份。"),
        (6, "metric", "“销量”不是指标；可用：赢单金额、新增商机、新增客户、跟进次数、拜访次数。"),
        (7, "username", "没有账号为“ghost”的用户。"),
        (8, "username", "账号（个人指标）和部门只填其一。"),
        (9, "amount", "指标不能为负数。"),
        (10, "month", "与第 2 行是同一指标。"),
        (11, "username", "只能为您数据权限范围内的人员设置指标。"),
    ]
    assert not Target.objects.exists()  # "all": nothing written while a row has an error


def test_only_the_valid_rows_are_written_when_asked(org, left):
    source = workbook(("赢单金额", 2026, 1, "rep", "", 1000), ("赢单金额", 2026, 3, "rep_bj", "", 1000))
    result = run_import(org.manager, source, mode="valid_only")
    assert (result.valid, result.invalid, result.created) == (1, 1, 1)
    assert list(Target.objects.values_list("user_id", "month", "amount")) == [(org.rep.pk, 1, D("1000.00"))]


def test_checking_writes_nothing_and_a_second_import_overwrites_the_month(org):
    assert run_import(org.manager, workbook(("赢单金额", 2026, 1, "rep", "", 1000)), mode="validate").created == 0
    assert not Target.objects.exists()
    run_import(org.manager, workbook(("赢单金额", 2026, 1, "rep", "", 1000)), mode="all")
    run_import(org.manager, workbook(("sales.won_amount", 2026, 1, "REP", "", 1500)), mode="all")
    target = Target.objects.get()
    assert (target.amount, target.version, target.updated_by) == (D("1500.00"), 2, org.manager)


def test_a_file_without_the_required_columns_is_refused_as_a_whole(org):
    from kehu.core.importing import ImportFileError

    with pytest.raises(ImportFileError):
        run_import(org.manager, workbook(("x",), header=["姓名"]), mode="validate")


def test_the_template_has_the_columns(org):
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(TargetImport(org.manager).template())).active
    assert [c.value for c in sheet[1]] == ["指标*", "年份*", "月份*", "账号", "部门", "指标值*"]


def test_the_api_checks_and_writes_and_refuses_without_the_permission(client, org, left):
    client.force_login(org.manager)
    url = reverse("api:target-import")
    data = workbook(("赢单金额", 2026, 1, "rep", "", 1000), ("赢单金额", 2026, 2, "rep_bj", "", 1))
    upload = SimpleUploadedFile("t.xlsx", data.getvalue())
    body = client.post(url, {"file": upload, "mode": "valid_only"}).json()
    assert (body["valid"], body["invalid"], body["created"]) == (1, 1, 1)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["field"] == "username"
    not_xlsx = client.post(url, {"file": SimpleUploadedFile("t.xlsx", b"not a workbook")})
    assert not_xlsx.status_code == 400 and list(not_xlsx.json()["error"]["fields"]) == ["file"]
    client.force_login(org.rep)
    assert client.post(url, {"file": SimpleUploadedFile("t.xlsx", data.getvalue())}).status_code == 403


def test_the_import_page_shows_the_errors(client, org, left):
    client.force_login(org.manager)
    upload = SimpleUploadedFile("t.xlsx", workbook(("赢单金额", 2026, 2, "rep_bj", "", 1)).getvalue())
    response = client.post(reverse("targets:import"), {"file": upload, "mode": "all"})
    assert response.status_code == 200
    assert "北京销售已离职" in response.content.decode()
    assert not Target.objects.exists()
