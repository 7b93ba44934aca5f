from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register, register_badge

register(
    MenuEntry("approval_todo", _("To-do"), "approvals:todo", "approvals", "inbox", 10, mobile_order=35, badge="todos")
)
register(MenuEntry("approval_done", _("Done"), "approvals:done", "approvals", "check2-all", 20))
register(MenuEntry("approval_mine", _("Submitted by me"), "approvals:mine", "approvals", "send", 30))
register(MenuEntry("approval_cc", _("Copied to me"), "approvals:cc", "approvals", "envelope-paper", 40, badge="cc"))
register(MenuEntry("delegations", _("Delegation"), "approvals:delegations", "approvals", "person-up", 50))
register(
    MenuEntry(
        "approval_flows", _("Approval flows"), "approvals:flows", "settings", "diagram-3", 75, ("approvals", "manage")
    )
)
register(
    MenuEntry(
        "approval_all", _("All approvals"), "approvals:all", "approvals", "journal-check", 60, ("approvals", "manage")
    )
)


def _todo_count(user) -> int:
    from kehu.approvals.queries import todo_count

    return todo_count(user)


def _cc_count(user) -> int:
    from kehu.approvals.queries import unread_cc_count

    return unread_cc_count(user)


register_badge("todos", _todo_count)
register_badge("cc", _cc_count)
