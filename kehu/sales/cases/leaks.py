"""The leak register's entries of the case library (kehu.core.leakcheck); the list and its API come from the
declared resource."""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.core.leakcheck import Call, action_route, scoped
from kehu.sales.cases.models import Case, CaseAttachment

CHANGE = ("cases", "change")


def _status(record, status, api=False):
    Case.objects.filter(pk=record.pk).update(status=status)
    return Call(kwargs={"pk": record.pk}, data={})


def _publish(record, person):
    call = _status(record, Case.Status.DRAFT)
    return Call(kwargs=call.kwargs, changed=lambda: Case.objects.get(pk=record.pk).is_published)


def _withdraw(record, person):
    call = _status(record, Case.Status.PUBLISHED)
    return Call(kwargs=call.kwargs, changed=lambda: not Case.objects.get(pk=record.pk).is_published)


def _upload(record, person):
    return Call(
        kwargs={"pk": record.pk},
        data={"file": SimpleUploadedFile("notes.txt", b"lessons", content_type="text/plain")},
        multipart=True,
        changed=lambda: CaseAttachment.objects.filter(case_id=record.pk, name="notes.txt").exists(),
    )


def _with_attachment(record, person):
    attachment = CaseAttachment(case_id=record.pk, name="plan.txt", size=4, uploaded_by_id=record.author_id)
    attachment.file.save("plan.txt", ContentFile(b"plan"), save=False)
    attachment.save()
    return attachment


def _download(record, person):
    attachment = _with_attachment(record, person)
    return Call(kwargs={"pk": record.pk, "attachment_id": attachment.pk})


def _delete(record, person):
    attachment = _with_attachment(record, person)
    return Call(
        kwargs={"pk": record.pk, "attachment_id": attachment.pk},
        changed=lambda: not CaseAttachment.objects.filter(pk=attachment.pk).exists(),
    )


scoped("cases:detail", Case, "detail")
scoped("cases:edit", Case, "detail", action="change", perm=CHANGE)
action_route("cases:create", perm=("cases", "add"), method="get")
action_route("cases:publish", Case, perm=CHANGE, call=_publish)
action_route("cases:withdraw", Case, perm=CHANGE, call=_withdraw)
action_route("cases:attach", Case, perm=CHANGE, call=_upload)
action_route("cases:attachment", Case, perm=("cases", "view"), call=_download, method="get", action="view")
action_route("cases:attachment_delete", Case, perm=CHANGE, call=_delete)
action_route("api:case-publish", Case, perm=CHANGE, call=_publish, api=True)
action_route("api:case-withdraw", Case, perm=CHANGE, call=_withdraw, api=True)
action_route("api:case-attachments", Case, perm=CHANGE, call=_upload, api=True)
