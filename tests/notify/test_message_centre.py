"""The message centre: messages reach their recipient only, the unread count is live, read marks stick."""

from kehu.notify import services
from kehu.notify.models import Message
from kehu.notify.tasks import deliver_message, purge_old_read_messages


def test_send_and_read(client, org):
    services.send_message([org.rep, org.manager], "拜访计划提醒", "明天 10:00 拜访客户", link="/")
    assert services.unread_count(org.rep) == 1
    client.force_login(org.rep)
    page = client.get("/").content.decode()
    assert 'data-unread="1"' in page
    message = Message.objects.get(recipient=org.rep)
    page = client.get(f"/messages/{message.pk}/").content.decode()
    assert "<title>拜访计划提醒 ·" in page and "明天 10:00 拜访客户" in page
    message.refresh_from_db()
    assert message.read_at is not None
    badge = client.get("/messages/unread-badge/").content.decode()
    assert "data-unread" not in badge


def test_left_users_get_no_messages(org):
    org.rep.is_active = False
    org.rep.save()
    created = services.send_message([org.rep, org.manager], "通知")
    assert [m.recipient for m in created] == [org.manager]


def test_mark_all_read(client, org):
    services.send_message([org.rep], "一")
    services.send_message([org.rep], "二")
    client.force_login(org.rep)
    response = client.post("/messages/read-all/", follow=True)
    assert response.status_code == 200
    assert Message.objects.filter(recipient=org.rep, read_at__isnull=True).count() == 0
    assert "没有未读消息" in client.get("/messages/").content.decode()


def test_api_lists_own_messages_and_marks_read(client, org):
    services.send_message([org.rep], "甲")
    services.send_message([org.manager], "乙")
    client.force_login(org.rep)
    body = client.get("/api/messages/").json()
    assert [m["title"] for m in body["results"]] == ["甲"]
    assert client.get("/api/messages/unread-count/").json() == {"unread": 1}
    message_id = body["results"][0]["id"]
    assert client.post(f"/api/messages/{message_id}/read/").json() == {"marked": 1}
    assert client.get("/api/messages/unread-count/").json() == {"unread": 0}


def test_message_link_only_redirects_inside_the_site(client, org):
    [inside] = services.send_message([org.rep], "内链", link="/customers/")
    [outside] = services.send_message([org.rep], "外链", body="请查看", link="https://evil.example.com/")
    client.force_login(org.rep)
    response = client.get(f"/messages/{inside.pk}/?go=1")
    assert response.status_code == 302 and response["Location"] == "/customers/"
    response = client.get(f"/messages/{outside.pk}/?go=1")
    assert response.status_code == 200 and "Location" not in response
    page = response.content.decode()
    assert "<title>外链 ·" in page and "请查看" in page
    assert "evil.example.com" not in page


def test_tasks_deliver_and_purge(org):
    from datetime import timedelta

    from django.utils import timezone

    assert deliver_message([org.rep.pk, org.manager.pk], "后台提醒")() == 2  # immediate mode in tests
    old = Message.objects.create(recipient=org.rep, title="旧消息", read_at=timezone.now())
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
    unread_old = Message.objects.create(recipient=org.rep, title="未读旧消息")
    Message.objects.filter(pk=unread_old.pk).update(created_at=timezone.now() - timedelta(days=200))
    assert purge_old_read_messages.call_local() == 1
    assert set(Message.objects.filter(recipient=org.rep).values_list("title", flat=True)) == {"后台提醒", "未读旧消息"}
