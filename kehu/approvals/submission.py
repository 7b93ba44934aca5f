"""The submitter's side of an approval: submitting a document (it locks, along its status table), resubmitting
one returned to them, and withdrawing it while no approver has acted."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import documents, events, registry, routing
from kehu.approvals.designer import published_flow
from kehu.approvals.models import FlowAction, FlowInstance
from kehu.approvals.routing import TaskClosed
from kehu.approvals.trail import record
from kehu.core.events import emit

Kind = FlowAction.Kind


def submit(actor, doc_type_key: str, document) -> FlowInstance:
    """Start the published flow for `document` (or resume the instance returned to the submitter, from its first
    step, with the corrected document). The document locks until the flow ends."""
    doc_type = registry.get_or_404(doc_type_key)
    document.check_submit(actor)
    with transaction.atomic():
        # The instance before the document, in the same order as every action (no deadlock between them).
        open_instance = (
            FlowInstance.objects.select_for_update(of=("self",))
            .select_related("definition")
            .filter(doc_type=doc_type_key, object_id=document.pk, state__in=FlowInstance.OPEN_STATES)
            .first()
        )
        document = doc_type.model._default_manager.select_for_update().get(pk=document.pk)
        if open_instance and open_instance.state == FlowInstance.State.RUNNING:
            raise ValidationError(_("This document is already in approval."))
        if open_instance:
            instance = open_instance
            if instance.submitter_id != actor.pk:
                raise PermissionDenied(_("Only the person who submitted it can resubmit it."))
            instance.round += 1
            instance.state, instance.form, instance.title = (
                FlowInstance.State.RUNNING,
                document.approval_form(),
                document.approval_title()[:200],
            )
            instance.save()
            documents.submitted(document, actor, instance)
            record(instance, Kind.RESUBMIT, actor)
        else:
            definition = published_flow(doc_type_key)
            if definition is None:
                raise ValidationError(_("No approval flow is published for %(type)s.") % {"type": doc_type.label})
            try:
                with transaction.atomic():
                    instance = FlowInstance.objects.create(
                        definition=definition,
                        doc_type=doc_type_key,
                        object_id=document.pk,
                        title=document.approval_title()[:200],
                        submitter=actor,
                        form=document.approval_form(),
                    )
            except IntegrityError:  # someone submitted it at the same moment (one open instance per document)
                raise ValidationError(_("This document is already in approval.")) from None
            documents.submitted(document, actor, instance)
            record(instance, Kind.SUBMIT, actor)
        routing.enter(instance, instance.definition.graph["start"])
        instance.save()
    return instance


def resubmit(actor, instance_id) -> FlowInstance:
    """Send an approval returned to its submitter through its flow again, with the document as it is now."""
    instance = FlowInstance.objects.filter(pk=instance_id).first()
    if instance is None or instance.submitter_id != actor.pk:
        raise Http404
    if instance.state != FlowInstance.State.RETURNED:
        raise TaskClosed(_("Only an approval returned to you can be resubmitted."))
    doc_type = registry.get_or_404(instance.doc_type)
    return submit(actor, instance.doc_type, doc_type.get_document(instance.object_id))


def withdraw(actor, instance_id, comment: str = "") -> FlowInstance:
    """The submitter takes the document back while no approver has acted yet (or after it was returned)."""
    with transaction.atomic():
        instance = routing.locked_instance(instance_id)
        if instance is None or instance.submitter_id != actor.pk:
            raise Http404
        if not instance.is_open:
            raise TaskClosed(_("This approval has already ended."))
        if not can_withdraw(actor, instance):
            raise ValidationError(_("An approver has already acted on it; it can no longer be withdrawn."))
        record(instance, Kind.WITHDRAW, actor, comment=comment)
        routing.send_back(instance, FlowInstance.State.WITHDRAWN, comment or str(_("Withdrawn")))
        instance.finished_at = timezone.now()
        instance.save()
        emit(events.WITHDRAWN, instance=instance, actor=actor, comment=comment)
    return instance


def can_withdraw(user, instance) -> bool:
    """The submitter may take it back after it was returned to them, or while no approver has acted yet."""
    if instance.submitter_id != user.pk or not instance.is_open:
        return False
    return instance.state == FlowInstance.State.RETURNED or not has_been_acted_on(instance)


def has_been_acted_on(instance) -> bool:
    last_start = (
        FlowAction.objects.filter(instance=instance, kind__in=[Kind.SUBMIT, Kind.RESUBMIT]).aggregate(m=Max("id"))["m"]
        or 0
    )
    return FlowAction.objects.filter(
        instance=instance,
        id__gt=last_start,
        actor__isnull=False,
        kind__in=[Kind.APPROVE, Kind.REJECT, Kind.RETURN, Kind.TRANSFER, Kind.ADD_SIGNER],
    ).exists()
