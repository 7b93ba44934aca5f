"""Creates racing each other on real, committed transactions (run on SQLite and PostgreSQL): the same new customer
posted twice at once is created once and the other is told it exists; a credit code raced gets the duplicate
message, never a database error; parallel creates by one rep stay within their ownership cap."""

import pytest

from kehu.customers import services
from kehu.customers.models import Customer, CustomerLimit
from kehu.customers.text import credit_check_char
from kehu.org.models import Role, User
from tests.support import threads

pytestmark = pytest.mark.django_db(transaction=True)


def create(user_pk, name, credit_code="", mobile=""):
    user = User.objects.get(pk=user_pk)
    contacts = [{"name": "张经理", "mobile": mobile}] if mobile else []
    return services.create_customer(user, {"name": name, "credit_code": credit_code}, contacts).pk


def test_the_same_new_customer_posted_twice_at_once_is_created_once(org):
    for round_number in range(4):
        name = f"并发创建{round_number}有限公司"
        mobile = f"1390000{round_number:04d}"
        outcomes = threads.race(create, [(org.rep.pk, name, "", mobile), (org.rep.pk, name, "", mobile)])
        assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
        assert Customer.objects.filter(name=name).count() == 1
        [refusal] = [messages for kind, messages in outcomes if kind == "refused"]
        assert any("已存在" in m or "already" in m for m in refusal), refusal


def test_a_raced_credit_code_gets_the_duplicate_message_not_a_database_error(org):
    for round_number in range(4):
        first17 = f"91110108MA0{round_number:03d}XYW"
        code = first17 + credit_check_char(first17)
        jobs = [(org.rep.pk, f"甲{round_number}公司", code), (org.rep_bj.pk, f"乙{round_number}公司", code)]
        outcomes = threads.race(create, jobs)
        assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
        assert Customer.objects.filter(credit_code=code).count() == 1


def test_ten_parallel_creates_by_one_rep_stay_within_the_ownership_cap(org):
    CustomerLimit.objects.create(role=Role.objects.get(code="t_rep"), max_owned=3)
    outcomes = threads.race(create, [(org.rep.pk, f"上限测试{n}有限公司") for n in range(10)])
    assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
    assert sorted(kind for kind, _ in outcomes).count("ok") == 3
    refusals = {messages[0] for kind, messages in outcomes if kind == "refused"}
    assert refusals == {"华北销售 already owns 3 customers; the limit is 3."}
    assert Customer.objects.filter(owner=org.rep).count() == 3
