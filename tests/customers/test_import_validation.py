"""Import: every row is checked before anything is written, and each problem is reported with its row number,
column and a message in the user's language."""

import pytest
from django.utils import translation

from kehu.core import importing
from kehu.core.models import DictionaryItem
from kehu.customers import imports, services
from kehu.customers.models import Customer, CustomerLimit
from tests.customers.test_import_helpers import HEADERS, credit_code, upload


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def check(actor, rows, headers=None, **kwargs):
    return imports.run_import(actor, upload(rows, headers), mode="validate", **kwargs)


def errors_of(result):
    return [(e.row, e.field, e.column, e.message) for e in result.errors]


def test_a_clean_file_is_all_valid_and_nothing_is_written(org):
    rows = [
        {
            "name": "北京致远科技有限公司",
            "credit_code": credit_code(1),
            "level": "A 重点客户",
            "contact_name": "王经理",
        },
        {"name": "上海华东贸易有限公司", "industry": "Information technology", "source": "referral", "region": "华东"},
    ]
    result = check(org.rep, rows)
    assert (result.total, result.valid, result.invalid, result.created, result.errors) == (2, 2, 0, 0, [])
    assert Customer.objects.count() == 0


def test_each_kind_of_error_is_reported_with_its_row_and_column(org):
    services.create_customer(org.rep_east, {"name": "已有客户股份有限公司"}, [{"name": "赵", "mobile": "13900000000"}])
    rows = [
        {"name": "甲公司", "credit_code": credit_code(7), "contact_name": "王", "contact_mobile": "13800000001"},  # 2
        {"name": "", "address": "北京"},  # 3: missing name
        {"name": "乙公司", "level": "Z 级"},  # 4: unknown level
        {"name": "丙公司", "credit_code": "91110108551385082A"},  # 5: bad check digit
        {"name": "丁公司", "contact_name": "李", "contact_mobile": "12345"},  # 6: bad phone
        {
            "name": "甲 公司",
            "credit_code": credit_code(7),
            "contact_name": "张",
            "contact_mobile": "138 0000 0001",
        },  # 7
        {"name": "已有客户有限公司"},  # 8: duplicate of a customer in the database (name)
        {"name": "戊公司", "contact_name": "钱", "contact_mobile": "+86 139 0000 0000"},  # 9: phone in the database
        {"name": "己公司", "contact_email": "not-an-email", "contact_name": "孙"},  # 10: bad e-mail
        {"name": "庚公司", "contact_mobile": "13700000000"},  # 11: contact without a name
    ]
    result = check(org.rep, rows)
    assert (result.total, result.valid, result.invalid) == (10, 1, 9)
    assert errors_of(result) == [
        (3, "name", "Company name", "Enter the company name."),
        (
            4,
            "level",
            "Customer level",
            "“Z 级” is not a value of this column; the sheet “Allowed values” of the template lists them.",
        ),
        (
            5,
            "credit_code",
            "Unified social credit code",
            "This is not a valid unified social credit code (18 characters, check digit per GB 32100).",
        ),
        (
            6,
            "contact_mobile",
            "Contact mobile",
            "12345 is not a valid phone number (a mobile number or a landline with its area code).",
        ),
        (7, "name", "Company name", "The same company as row 2 (the names match once normalised)."),
        (7, "credit_code", "Unified social credit code", "The same credit code as row 2."),
        (7, "contact_mobile", "Contact mobile", "The same phone number as row 2."),
        # rep may not see rep_east's customer: only its owner is named
        (
            8,
            "name",
            "Company name",
            (
                "A customer with this name already exists, owned by 华东销售: ask them or your manager before "
                "creating it again."
            ),
        ),
        (
            9,
            "contact_mobile",
            "Contact mobile",
            "A contact with this phone number already belongs to a customer, owned by 华东销售: ask them or your "
            "manager before creating it again.",
        ),
        (10, "contact_email", "Contact e-mail", "Enter a valid e-mail address."),
        (11, "contact_name", "Contact name", "Enter the contact's name (or leave all contact columns empty)."),
    ]
    assert Customer.objects.count() == 1


def test_a_duplicate_the_importer_may_see_names_the_customer(org):
    existing = services.create_customer(org.rep, {"name": "北京致远科技有限公司", "credit_code": credit_code(3)})
    result = check(org.rep, [{"name": "新公司", "credit_code": credit_code(3)}])
    assert errors_of(result) == [
        (
            2,
            "credit_code",
            "Unified social credit code",
            f"A customer with this credit code already exists: {existing.name} ({existing.number}), owner: 华北销售",
        )
    ]


def test_dictionary_values_by_chinese_or_english_label_or_code(org):
    rows = [
        {"name": "一公司", "level": "A 重点客户", "industry": "信息技术", "region": "north", "source": "Trade show"},
        {"name": "二公司", "level": "a – KEY ACCOUNT", "industry": "IT", "region": "华北", "source": "展会"},
    ]
    result = check(org.rep, rows)
    assert result.invalid == 0
    level_a = DictionaryItem.objects.get(dictionary__code="customer_level", code="a").pk
    assert {row.customer["level_id"] for row in check_rows(org.rep, rows)} == {level_a}


def check_rows(actor, rows):
    importer = imports.CustomerImport(actor)
    return importer.validate(importer.read(upload(rows))).rows


def test_the_owners_limit_marks_the_rows_beyond_it(org):
    services.create_customer(org.rep, {"name": "已有一号"})
    CustomerLimit.objects.create(role=org.rep.roles.get(), max_owned=3)
    rows = [{"name": f"新公司{i}"} for i in range(1, 5)]  # rows 2..5; room for 2
    result = check(org.rep, rows)
    assert (result.valid, result.invalid) == (2, 2)
    message = "华北销售 may own at most 3 customers and already owns 1."
    assert errors_of(result) == [(4, "owner", "Owner", message), (5, "owner", "Owner", message)]


def test_english_headers_in_any_order_are_accepted(org):
    headers = ["Contact mobile", "company name*", "Customer Level", "Unknown column", "Contact Name"]
    result = check(org.rep, [["13800000009", "英文表头公司", "B", "ignored", "Li"]], headers=headers)
    assert (result.valid, result.invalid) == (1, 0)
    [row] = check_rows(org.rep, [{"name": "x"}])
    assert row.customer["name"] == "x"


def test_unreadable_files_and_a_missing_name_column_are_refused(org):
    with pytest.raises(importing.ImportFileError) as error:
        imports.run_import(org.rep, upload([], name="x.xlsx").__class__("x.xlsx", b"not a workbook"))
    assert str(error.value) == "This is not an Excel workbook (.xlsx). Download the template and fill it in."
    with pytest.raises(importing.ImportFileError) as error:
        check(org.rep, [["x"]], headers=["地址"])
    assert str(error.value) == "Row 1 must name the columns as in the template; the column “公司名称*” is missing."


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(org):
    result = check(org.rep, [{"name": "一"}, {}, {"name": ""}, {"name": "二", "level": "?"}])
    assert result.total == 2
    assert [(e.row, e.field) for e in result.errors] == [(5, "level")]


def test_messages_follow_the_users_language(org):
    with translation.override("zh-hans"):
        result = check(org.rep, [{"name": "", "address": "北京"}])
        expected = translation.gettext("Enter the company name.")  # 请填写公司名称。 once the catalogue is compiled
    assert [(e.row, e.message) for e in result.errors] == [(2, expected)]


def test_template_headers_are_the_documented_ones():
    assert HEADERS == [
        "公司名称*",
        "统一社会信用代码",
        "行业",
        "客户等级",
        "客户来源",
        "区域",
        "地址",
        "网址",
        "标签",
        "备注",
        "联系人姓名",
        "联系人职务",
        "联系人手机",
        "联系人邮箱",
    ]


def test_numbers_typed_into_number_cells_are_read_as_text(org):
    [row] = check_rows(
        org.rep, [{"name": "数字公司", "contact_name": "王", "contact_mobile": 13800000001, "tags": 2024}]
    )
    assert (row.contact["mobile"], row.customer["tags"]) == ("13800000001", "2024")
