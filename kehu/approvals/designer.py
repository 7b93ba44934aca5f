"""Designing flows (approvals.manage): drafts, publishing a checked version, turning approval off. What runs is
never changed in place: editing a published or retired version makes a new draft, and running instances keep
the version they started with."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import graph as flowgraph
from kehu.approvals import registry
from kehu.approvals.access import require_manage
from kehu.approvals.models import FlowDefinition, FlowInstance


def published_flow(doc_type: str) -> FlowDefinition | None:
    return FlowDefinition.objects.filter(doc_type=doc_type, status=FlowDefinition.Status.PUBLISHED).first()


def requires_approval(doc_type: str) -> bool:
    return FlowDefinition.objects.filter(doc_type=doc_type, status=FlowDefinition.Status.PUBLISHED).exists()


def open_instance(doc_type: str, object_id) -> FlowInstance | None:
    """The document's approval in progress (running, or returned to its submitter), if any."""
    return FlowInstance.objects.filter(
        doc_type=doc_type, object_id=object_id, state__in=FlowInstance.OPEN_STATES
    ).first()


def save_draft(actor, doc_type: str, name: str, graph: dict, definition: FlowDefinition | None = None):
    """Keep a work-in-progress version (not checked until publishing). Editing a published or retired version
    makes a new draft: what runs is never changed in place."""
    require_manage(actor)
    registry.get_or_404(doc_type)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the flow a name.")})
    if not isinstance(graph, dict):
        raise ValidationError({"graph": _("The flow could not be read.")})
    with transaction.atomic():
        if definition is not None and definition.status == FlowDefinition.Status.DRAFT:
            definition = FlowDefinition.objects.select_for_update().get(pk=definition.pk)
            definition.name, definition.graph = name[:80], graph
            definition.save(update_fields=["name", "graph"])
            return definition
        return _new_version(actor, doc_type, name, graph)


def _new_version(actor, doc_type, name, graph) -> FlowDefinition:
    for _attempt in range(3):
        latest = FlowDefinition.objects.filter(doc_type=doc_type).aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                return FlowDefinition.objects.create(
                    doc_type=doc_type, version=latest + 1, name=name[:80], graph=graph, created_by=actor
                )
        except IntegrityError:
            continue
    raise ValidationError(_("Someone else is saving this flow right now. Try again."))


def publish(actor, definition: FlowDefinition) -> FlowDefinition:
    """Check the draft and make it the flow new submissions use; the previous version is retired (running
    instances keep it). Refused with messages keyed by node id when the flow cannot run."""
    require_manage(actor)
    doc_type = registry.get_or_404(definition.doc_type)
    if definition.status != FlowDefinition.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    flowgraph.check(definition.graph, doc_type)
    with transaction.atomic():
        list(FlowDefinition.objects.select_for_update().filter(doc_type=definition.doc_type))
        FlowDefinition.objects.filter(doc_type=definition.doc_type, status=FlowDefinition.Status.PUBLISHED).update(
            status=FlowDefinition.Status.RETIRED
        )
        definition.status, definition.published_by, definition.published_at = (
            FlowDefinition.Status.PUBLISHED,
            actor,
            timezone.now(),
        )
        definition.save(update_fields=["status", "published_by", "published_at"])
    return definition


def turn_off(actor, doc_type: str) -> int:
    """Stop requiring approval for a document type (its published version is retired). Running instances go on."""
    require_manage(actor)
    registry.get_or_404(doc_type)
    return FlowDefinition.objects.filter(doc_type=doc_type, status=FlowDefinition.Status.PUBLISHED).update(
        status=FlowDefinition.Status.RETIRED
    )
