"""Who may see and do what in approvals: the access helpers. An approval is not an owned record: its submitter,
everyone who had a task in it (or acted for someone who had), whoever may see its document, and ops
(approvals.manage) may read it; outsiders get 404, as if it did not exist."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from kehu.approvals import registry
from kehu.approvals.models import FlowInstance, FlowTask
from kehu.org.scope import has_module_perm


def require_manage(actor) -> None:
    if not has_module_perm(actor, "approvals", "manage"):
        raise PermissionDenied(_("You do not have permission to do this."))


def is_participant(user, instance) -> bool:
    return (
        instance.submitter_id == user.pk
        or FlowTask.objects.filter(Q(assignee=user) | Q(on_behalf_of=user), instance=instance).exists()
    )


def may_comment(user, instance) -> bool:
    return is_participant(user, instance) or has_module_perm(user, "approvals", "manage")


def can_view(user, instance) -> bool:
    if not user.is_authenticated:
        return False
    if FlowInstance.objects.visible_to(user).filter(pk=instance.pk).exists():
        return True
    doc_type = registry.get(instance.doc_type)
    if doc_type is None:
        return False
    try:
        document = doc_type.get_document(instance.object_id)
    except doc_type.model.DoesNotExist:
        return False
    return bool(document.can_view_approval(user))


def get_instance_for_user(user, pk) -> FlowInstance:
    instance = FlowInstance.objects.select_related("definition", "submitter").filter(pk=pk).first()
    if instance is None or not can_view(user, instance):
        raise Http404
    return instance
