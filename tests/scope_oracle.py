"""An independent, deliberately naive statement of the data-scope rules, used as the leak test's oracle.

It walks the department tree parent by parent in Python and reads each role grant one by one, so it shares
no code with `kehu.org.scope` (which resolves subtrees through path prefixes in SQL). Each scoped model
needs an entry in `ORACLES`; the leak test fails for a registered model without one.
"""

from kehu.notify.models import Message
from kehu.org.models import Department
from tests.scoped_app.models import Memo, MemoShare


def _ancestors_or_self(department_id: int) -> set[int]:
    chain = set()
    node = Department.objects.get(pk=department_id)
    while node is not None:
        chain.add(node.pk)
        node = Department.objects.get_parent(node)
    return chain


def owned_record_visible(person, obj, module: str, action: str = "view", shared: bool = False) -> bool:
    if not person.is_active:
        return False
    if person.is_superuser:
        return True
    grants = [grant for role in person.roles.all() for grant in role.grants.all() if grant.module == module]
    if not any("view" in grant.actions for grant in grants):
        return False
    if shared:
        return True
    owner_chain = _ancestors_or_self(obj.owner_department_id)
    for grant in grants:
        if action not in grant.actions:
            continue
        if obj.owner_id == person.pk or grant.scope == "all":
            return True
        if grant.scope == "department" and obj.owner_department_id == person.department_id:
            return True
        if grant.scope == "department_tree" and person.department_id in owner_chain:
            return True
        if grant.scope == "chosen" and owner_chain & {d.pk for d in grant.departments.all()}:
            return True
    return False


def memo_visible(person, memo) -> bool:
    shared = (
        MemoShare.objects.filter(memo=memo, user=person).exists()
        or (
            person.department_id is not None and MemoShare.objects.filter(memo=memo, department_id=person.department_id)
        ).exists()
    )
    return owned_record_visible(person, memo, "memos", shared=bool(shared))


ORACLES = {
    Memo: memo_visible,
    Message: lambda person, message: message.recipient_id == person.pk,
}
