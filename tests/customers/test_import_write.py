"""Import: all-or-nothing writes nothing when a row has an error; "only the valid rows" writes exactly those,
numbered from one reserved block, with their contacts, trail (history rows) and "created" events."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kehu.core.models import DocumentSequence
from kehu.customers import imports
from kehu.customers.models import Contact, Customer, CustomerEvent
from kehu.customers.services import create_customer
from tests.customers.test_import_helpers import credit_code, upload

ROWS = [
    {"name": "北京致远科技有限公司", "credit_code": credit_code(1), "level": "A", "tags": "政企"},  # row 2
    {"name": "", "address": "无名"},  # row 3: invalid
    {"name": "上海华东贸易", "contact_name": "王经理", "contact_mobile": "138-1234-5678", "contact_title": "采购"},  # 4
    {"name": "广州南方", "contact_name": "李", "contact_mobile": "999"},  # row 5: invalid
    {"name": "深圳创新", "website": "www.example.cn", "contact_name": "张", "contact_email": "zhang@example.cn"},  # 6
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_all_or_nothing_writes_nothing_when_a_row_has_an_error(org):
    result = imports.run_import(org.rep, upload(ROWS), mode="all")
    assert (result.total, result.valid, result.invalid, result.created, result.written) == (5, 3, 2, 0, False)
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
    assert Customer.history.count() == 0 and CustomerEvent.objects.count() == 0
    assert not DocumentSequence.objects.filter(doc_type="CU").exclude(last_value=0).exists()


def test_all_or_nothing_writes_every_row_of_a_clean_file(org):
    clean = [ROWS[0], ROWS[2], ROWS[4]]
    result = imports.run_import(org.rep, upload(clean), mode="all")
    assert (result.created, result.written) == (3, True)
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "上海华东贸易",
        "北京致远科技有限公司",
        "深圳创新",
    ]


def test_valid_only_writes_exactly_the_valid_rows_with_contacts_trail_and_events(org):
    create_customer(org.rep, {"name": "先建的客户"})  # takes CU-…-000001
    result = imports.run_import(org.rep, upload(ROWS), mode="valid_only")
    assert (result.total, result.valid, result.invalid, result.created) == (5, 3, 2, 3)
    assert [(e.row, e.field) for e in result.errors] == [(3, "name"), (5, "contact_mobile")]
    imported = list(Customer.objects.exclude(name="先建的客户").order_by("number"))
    year = imported[0].created_at.astimezone().year
    assert [(c.number, c.name) for c in imported] == [
        (f"CU-{year}-000002", "北京致远科技有限公司"),
        (f"CU-{year}-000003", "上海华东贸易"),
        (f"CU-{year}-000004", "深圳创新"),
    ]
    first = imported[0]
    assert (first.owner, first.owner_department, first.created_by, first.status) == (
        org.rep,
        org.north,
        org.rep,
        "active",
    )
    assert (first.credit_code, first.level.code, first.tags) == (credit_code(1), "a", "政企")
    assert (first.name_normalized, first.name_initials) == ("北京致远科技", "bjzykjyxgs")
    assert imported[2].website == "https://www.example.cn"
    contacts = list(
        Contact.objects.order_by("customer__number").values_list("customer__name", "name", "mobile", "is_primary")
    )
    assert contacts == [("上海华东贸易", "王经理", "13812345678", True), ("深圳创新", "张", "", True)]
    # the trail: one history row per customer and contact, by the importer; a "created" event each
    for customer in imported:
        [record] = customer.history.all()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            org.rep,
            "Imported from Excel",
        )
        assert list(customer.events.values_list("kind", "actor")) == [("created", org.rep.pk)]
    assert Contact.history.filter(history_user=org.rep, history_type="+").count() == 2
    assert DocumentSequence.objects.get(doc_type="CU").last_value == 4


def test_valid_only_after_the_limit_writes_the_rows_within_it(org):
    from kehu.customers.models import CustomerLimit

    CustomerLimit.objects.create(role=org.rep.roles.get(), max_owned=2)
    result = imports.run_import(org.rep, upload([{"name": f"公司{i}"} for i in range(4)]), mode="valid_only")
    assert (result.created, result.invalid) == (2, 2)
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["公司0", "公司1"]


def test_ops_may_import_for_another_owner_a_rep_may_not(org):
    result = imports.run_import(org.admin, upload([{"name": "代导入公司"}]), mode="all", owner=org.rep_east)
    assert result.created == 1
    customer = Customer.objects.get()
    assert (customer.owner, customer.owner_department, customer.created_by) == (org.rep_east, org.east, org.admin)
    with pytest.raises(PermissionDenied):
        imports.run_import(org.rep, upload([{"name": "别人的"}]), mode="all", owner=org.rep_east)
    with pytest.raises(PermissionDenied):
        imports.run_import(org.nobody, upload([{"name": "无权"}]), mode="all")
    with pytest.raises(ValidationError) as error:
        imports.run_import(org.admin, upload([{"name": "无权负责人"}]), mode="all", owner=org.nobody)
    assert error.value.message_dict == {"owner": ["The new owner has no access to customers."]}
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["重庆长安汽车股份有限公司", "ABC 科技（北京）有限公司", "长春一汽 3 号", "銀行 Bank 行长", "嗯哼", ""]
)
def test_the_imports_pinyin_is_the_search_fields_pinyin(name):
    from kehu.customers.text import name_initials, name_pinyin, pinyin_fields

    assert pinyin_fields(name) == (name_pinyin(name), name_initials(name))
