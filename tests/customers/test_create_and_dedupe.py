"""Creating customers: field-level validation and the duplicate check (查重) on create and edit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.core.locking import StaleEdit
from kehu.customers import services
from kehu.customers.models import Contact, Customer, CustomerEvent


def create(actor, name="北京致远科技有限公司", contacts=(), **data):
    return services.create_customer(actor, {"name": name, **data}, list(contacts))


def test_a_rep_creates_a_customer_with_contacts(org, levels, industry):
    customer = create(
        org.rep,
        credit_code="91110108551385082q",
        level=levels["a"],
        industry=industry,
        tags="政企, 重点",
        contacts=[{"name": "王经理", "mobile": "+86 138 1234 5678", "title": "采购经理"}, {"name": "李工"}],
    )
    assert customer.number.startswith("CU-") and customer.number.endswith("-000001")
    assert (customer.owner, customer.owner_department, customer.status) == (org.rep, org.north, "active")
    assert customer.credit_code == "91110108551385082Q"
    assert (customer.name_normalized, customer.name_initials) == ("北京致远科技", "bjzykjyxgs")
    assert customer.tag_list == ["政企", "重点"]
    contacts = list(customer.contacts.order_by("id").values_list("name", "mobile", "is_primary"))
    assert contacts == [("王经理", "13812345678", True), ("李工", "", False)]
    assert CustomerEvent.objects.get(customer=customer).kind == "created"
    assert customer.history.count() == 1


def test_bad_input_gets_field_messages_and_writes_nothing(org):
    with pytest.raises(ValidationError) as error:
        create(org.rep, name="  ", credit_code="91110108551385082A", contacts=[{"name": "", "mobile": "12345"}])
    assert set(error.value.message_dict) == {"name", "credit_code"}
    with pytest.raises(ValidationError) as error:
        create(org.rep, contacts=[{"name": "", "mobile": "12345"}])
    assert error.value.message_dict["contacts"] == ["联系人 1：请填写姓名。", "联系人 1：12345 不是有效的电话号码。"]
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0


def test_a_retired_or_foreign_dictionary_value_is_refused(org, levels, industry):
    with pytest.raises(ValidationError) as error:
        create(org.rep, level=industry)
    assert list(error.value.message_dict) == ["level"]


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ({"name": "北京致远科技有限公司"}, {"name": "北京致远（科技）有限责任公司"}, "name"),
        (
            {"name": "甲公司", "credit_code": "91110108551385082Q"},
            {"name": "乙公司", "credit_code": "91110108551385082Q"},
            "credit_code",
        ),
        (
            {"name": "甲公司", "contacts": [{"name": "张三", "mobile": "13812345678"}]},
            {"name": "乙公司", "contacts": [{"name": "李四", "mobile": "138-1234-5678"}]},
            "contacts",
        ),
    ],
)
def test_duplicates_are_refused_naming_the_owner(org, first, second, field):
    create(org.rep_east, **first)
    with pytest.raises(ValidationError) as error:
        create(org.rep, **second)
    [message] = error.value.message_dict[field]
    assert "华东销售" in message  # the owner's name
    assert "CU-" not in message  # out of the rep's scope: no number, no link
    assert Customer.objects.count() == 1


def test_a_manager_sees_which_customer_duplicates(org):
    existing = create(org.rep)
    with pytest.raises(ValidationError) as error:
        create(org.manager, name="北京致远科技")
    assert existing.number in error.value.message_dict["name"][0]


def test_pool_customers_are_duplicates_too(org):
    pooled = create(org.rep)
    Customer.objects.filter(pk=pooled.pk).update(owner=None, owner_department=None)
    duplicates = services.find_duplicates(org.rep_east, name="北京致远科技")
    assert [d.owner_label for d in duplicates] == ["在公海中"]


def test_editing_into_a_duplicate_is_refused_and_stale_edits_too(org):
    create(org.rep, name="甲公司")
    second = create(org.rep, name="乙公司")
    with pytest.raises(ValidationError):
        services.update_customer(org.rep, second, {"name": "甲 公司"}, second.version)
    services.update_customer(org.rep, second, {"address": "北京市海淀区"}, 1)
    with pytest.raises(StaleEdit):
        services.update_customer(org.rep, second, {"address": "上海"}, 1)
    assert Customer.objects.get(pk=second.pk).address == "北京市海淀区"


def test_out_of_scope_edits_are_404_and_permissions_apply(org):
    from django.http import Http404

    customer = create(org.rep)
    with pytest.raises(Http404):
        services.update_customer(org.rep_east, customer, {"address": "x"}, 1)
    with pytest.raises(PermissionDenied):
        services.create_customer(org.nobody, {"name": "丙公司"})


def test_the_owned_limit_applies(org):
    from kehu.customers.models import CustomerLimit
    from kehu.org.models import Role

    CustomerLimit.objects.create(role=Role.objects.get(code="t_rep"), max_owned=1)
    create(org.rep, name="甲公司")
    with pytest.raises(ValidationError) as error:
        create(org.rep, name="乙公司")
    assert list(error.value.message_dict) == ["owner"]


def test_a_role_without_a_limit_lifts_the_cap_of_the_others(org):
    from kehu.customers.models import CustomerLimit
    from kehu.org.models import Role

    CustomerLimit.objects.create(role=Role.objects.get(code="t_rep"), max_owned=1)
    create(org.rep, name="甲公司")
    org.rep.roles.add(Role.objects.get(code="sales_ops"))  # may create customers, no limit row
    create(org.rep, name="乙公司")
    assert Customer.objects.filter(owner=org.rep).count() == 2


def test_a_duplicate_the_user_cannot_open_is_one_readable_sentence_in_chinese(org):
    from django.utils import translation

    from kehu.customers.services import Duplicate

    owned = Customer.objects.create(name="熊宇的客户", number="KH-T-1", owner=org.rep_east, owner_department=org.east)
    pooled = Customer.objects.create(name="公海客户", number="KH-T-2", owner=None)
    with translation.override("zh-hans"):
        assert Duplicate(owned, "name", False).message() == (
            f"已存在同名客户，负责人为 {org.rep_east.display_name}：如需跟进请联系对方或你的主管。"
        )
        assert Duplicate(pooled, "name", False).message() == "已存在同名客户，在公海中：可直接领取，无需重复新建。"
