"""The customer pages: create with the live duplicate check, the page with its tabs, contacts."""

from kehu.customers import services
from kehu.customers.models import Customer


def test_create_page_creates_with_the_primary_contact(client, org, levels):
    client.force_login(org.rep)
    response = client.post(
        "/customers/new/",
        {
            "name": "苏州工业园区某某精密制造有限公司",
            "level": levels["a"].pk,
            "contact_name": "陈工",
            "contact_mobile": "13512345678",
        },
    )
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    assert list(customer.contacts.values_list("name", "is_primary")) == [("陈工", True)]


def test_create_page_keeps_the_input_and_shows_field_errors(client, org):
    services.create_customer(org.rep_east, {"name": "北京致远科技有限公司"})
    client.force_login(org.rep)
    response = client.post("/customers/new/", {"name": "北京致远科技", "contact_name": "张", "contact_mobile": "12"})
    assert response.status_code == 200
    assert 'value="北京致远科技"' in response.content.decode()
    assert list(response.context["contact_form"].errors) == ["contact_mobile"]
    response = client.post(
        "/customers/new/", {"name": "北京致远科技", "contact_name": "张", "contact_mobile": "13812345678"}
    )
    assert list(response.context["form"].errors) == ["name"]
    assert "华东销售" in response.context["form"].errors["name"][0]
    assert Customer.objects.count() == 1


def test_live_duplicate_check(client, org):
    services.create_customer(org.rep_east, {"name": "北京致远科技有限公司"})
    client.force_login(org.rep)
    fragment = client.get("/customers/check-duplicates/?name=北京致远科技").content.decode()
    assert "华东销售" in fragment


def test_customer_page_tabs(client, org):
    customer = services.create_customer(org.rep, {"name": "甲公司"}, [{"name": "王经理", "mobile": "13812345678"}])
    client.force_login(org.rep)
    for tab, text in [
        ("overview", "甲公司"),
        ("contacts", "13812345678"),
        ("timeline", "甲公司"),
        ("shares", "甲公司"),
        ("history", 'id="history"'),
    ]:
        response = client.get(f"/customers/{customer.pk}/?tab={tab}")
        assert response.status_code == 200 and text in response.content.decode(), tab
    client.force_login(org.rep_east)
    assert client.get(f"/customers/{customer.pk}/").status_code == 404


def test_contacts_add_edit_delete(client, org):
    customer = services.create_customer(org.rep, {"name": "甲公司"})
    client.force_login(org.rep)
    response = client.post(
        f"/customers/{customer.pk}/contacts/new/",
        {"name": "赵总", "mobile": "13812345678", "decision_role": "decision_maker"},
    )
    assert response.status_code == 302
    contact = customer.contacts.get()
    response = client.post(
        f"/customers/{customer.pk}/contacts/{contact.pk}/",
        {"name": "赵总", "mobile": "bad", "decision_role": "decision_maker", "version": 1},
    )
    assert response.status_code == 200 and "mobile" in response.context["form"].errors
    client.post(f"/customers/{customer.pk}/contacts/{contact.pk}/delete/")
    assert customer.contacts.count() == 0


def test_my_customers_list_puts_selected_customers_into_the_pool(client, org):
    a = services.create_customer(org.rep, {"name": "甲公司"})
    b = services.create_customer(org.rep, {"name": "乙公司"})
    client.force_login(org.rep)
    page = client.get("/customers/").content.decode()
    assert 'action="/customers/pool/release/"' in page and 'name="ids"' in page
    client.post(
        "/customers/pool/release/", {"ids": [a.pk, b.pk], "reason": "客户已转型，不再采购", "next": "/customers/"}
    )
    assert set(Customer.objects.filter(owner__isnull=True).values_list("name", flat=True)) == {"甲公司", "乙公司"}


def test_list_titles_follow_the_users_language(client, org):
    client.force_login(org.rep)
    assert "<h1>我的客户</h1>" in client.get("/customers/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    assert "<h1>My customers</h1>" in client.get("/customers/").content.decode()


def test_every_input_of_a_batch_bar_has_a_visible_label(org, client):
    import re

    from kehu.customers.models import Customer

    services.create_customer(org.admin, {"name": "标签测试有限公司"})
    pooled = services.create_customer(org.admin, {"name": "公海标签测试有限公司"})
    Customer.objects.filter(pk=pooled.pk).update(owner=None, owner_department=None)
    client.force_login(org.admin)
    for url in ("/customers/manage/", "/customers/", "/customers/pool/"):
        page = client.get(url).content.decode()
        bars = re.findall(r'<div class="filter-bar batch-bar".*?</div>', page, re.S)
        assert bars, url
        for bar in bars:
            fields = re.findall(r'<(?:input|select)[^>]*\bname="(?!ids|next|csrf)[^"]+"[^>]*>', bar)
            ids = [re.search(r'\bid="([^"]+)"', f).group(1) for f in fields]
            assert ids, url
            for field_id in ids:
                assert f'<label class="batch-field" for="{field_id}">' in bar, (url, field_id)
