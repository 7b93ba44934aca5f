"""A few messages in everyone's message centre, so the bell and the workbench are not empty."""

from datetime import timedelta

from django.utils import timezone

from kehu.notify.models import Message


def load(context: dict) -> None:
    now = timezone.now()
    messages = []
    for user in context.get("users", []):
        messages += [
            Message(
                recipient=user,
                level=Message.Level.INFO,
                title="欢迎使用客户协同管理系统",
                body="工作台汇总了你的待办、提醒和关键指标。手机浏览器打开同一地址即可使用移动版。",
                created_at=now - timedelta(days=3),
                read_at=now - timedelta(days=2),
            ),
            Message(
                recipient=user,
                level=Message.Level.REMINDER,
                title="请修改初始密码",
                body="演示账号使用统一的初始密码，请在“我的 → 修改密码”中设置你自己的密码。",
                link="/password/",
                created_at=now - timedelta(hours=5),
            ),
            Message(
                recipient=user,
                level=Message.Level.WARNING,
                title="本周五 18:00 系统维护",
                body="维护期间约 30 分钟无法访问，请提前保存正在编辑的内容。",
                created_at=now - timedelta(hours=1),
            ),
        ]
    created = Message.objects.bulk_create(messages)
    # auto_now_add ignores the value given: set the demo times explicitly.
    for message, source in zip(created, messages, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=source.created_at)
