"""The trigram index of customer names never drifts from the names: after a create, an edit, a merge, an import
(a raw insert through the driver), a delete, after a migration rebuilt the table, and for any set of Chinese
names (a property test against a plain Python substring search). On SQLite the index is an FTS5 table kept by
triggers and checked with FTS5's own integrity check; on PostgreSQL it is a GIN index the database keeps."""

from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.customers import imports, name_index, services
from kehu.customers.models import Customer
from kehu.customers.queries import customers_named_like
from tests.customers.test_import_helpers import upload


def named(fragment: str) -> set[str]:
    return set(Customer.objects.filter(pk__in=customers_named_like(fragment)).values_list("name", flat=True))


def assert_in_step():
    assert name_index.in_step(connection)
    names = list(Customer.objects.values_list("name", flat=True))
    for name in names:
        for fragment in {name[:3], name[-3:], name[1:5]}:
            assert named(fragment) == {n for n in names if fragment in n}, fragment


def test_create_edit_merge_import_and_delete_keep_the_index_in_step(org):
    zhiyuan = services.create_customer(org.rep, {"name": "北京致远科技有限公司"})
    changan = services.create_customer(org.rep, {"name": "重庆长安汽车股份有限公司"})
    assert named("致远科") == {"北京致远科技有限公司"}
    assert_in_step()

    services.update_customer(org.rep, zhiyuan, {"name": "北京远航信息有限公司"}, zhiyuan.version)
    assert named("致远科") == set() and named("远航信") == {"北京远航信息有限公司"}
    assert_in_step()

    duplicate = services.create_customer(org.rep, {"name": "重庆长安汽车销售公司"}, check_duplicates=False)
    services.merge_customers(org.admin, changan, duplicate)
    assert named("长安汽") == {"重庆长安汽车股份有限公司", "重庆长安汽车销售公司"}  # the merged row keeps its name
    assert_in_step()

    result = imports.run_import(org.rep, upload([{"name": "深圳华为技术有限公司"}]), mode="all")
    assert result.created == 1
    assert named("华为技") == {"深圳华为技术有限公司"}
    assert_in_step()

    Customer.objects.filter(name="深圳华为技术有限公司").delete()
    assert named("华为技") == set()
    assert_in_step()


def test_what_a_table_rebuild_drops_comes_back_after_migrate(org):
    """SQLite alters a column by rebuilding the table, which drops its triggers (PostgreSQL: someone dropped the
    index): post_migrate puts them back and refills the index with what was written meanwhile."""
    services.create_customer(org.rep, {"name": "北京致远科技有限公司"})
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER {name_index.FTS}_{trigger}")
        else:
            cursor.execute(f"DROP INDEX {name_index.PG_INDEX}")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no CREATE INDEX with deferred checks pending
    services.create_customer(org.rep, {"name": "杭州阿里巴巴网络有限公司"})
    if connection.vendor == "sqlite":
        assert named("阿里巴") == set()  # written while the triggers were missing

    name_index.install_after_migrate(sender=None, using="default")

    assert named("阿里巴") == {"杭州阿里巴巴网络有限公司"}
    services.create_customer(org.rep, {"name": "深圳腾讯计算机系统有限公司"})
    assert named("腾讯计") == {"深圳腾讯计算机系统有限公司"}
    assert_in_step()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name_index.PG_INDEX])
            assert cursor.fetchone() == (1,)


def test_one_and_two_character_fragments_still_find_names(org):
    """Below three characters there is no trigram: the LIKE fallback answers them, with the same result."""
    services.create_customer(org.rep, {"name": "北京致远科技有限公司"})
    services.create_customer(org.rep, {"name": "致和堂"})
    assert named("致") == {"北京致远科技有限公司", "致和堂"}
    assert named("致远") == {"北京致远科技有限公司"}
    assert named("致远科") == {"北京致远科技有限公司"}


def test_quotes_and_fts_syntax_in_a_fragment_are_literal(org):
    services.create_customer(org.rep, {"name": '北京"致远" AND 科技'})
    assert named('"致远"') == {'北京"致远" AND 科技'}
    assert named("AND 科") == {'北京"致远" AND 科技'}
    assert named("远 OR") == set()


CHARACTERS = "北京上海致远科技有限公司长安汽车华为恒通信达"
names = st.lists(st.text(alphabet=CHARACTERS, min_size=1, max_size=8), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=names, fragment=st.text(alphabet=CHARACTERS, min_size=1, max_size=4))
def test_the_index_finds_exactly_what_a_substring_search_finds(db, names, fragment):
    """Random Chinese names from a small alphabet (so fragments do occur), inserted, renamed and partly deleted:
    the index answers every fragment exactly as Python's `in` does."""
    Customer.objects.all().delete()
    created = Customer.objects.bulk_create(Customer(number=f"CU-H{n:05d}", name=name) for n, name in enumerate(names))
    for customer in created[::3]:
        customer.name = customer.name[::-1]
        customer.save(update_fields=["name"])
    Customer.objects.filter(pk__in=[c.pk for c in created[1::4]]).delete()
    current = list(Customer.objects.values_list("name", flat=True))
    assert named(fragment) == {n for n in current if fragment in n}
    assert name_index.in_step(connection)
