"""The opportunity routes in the leak test (kehu.core.leakcheck). The lists and the API list/detail are declared in
resources.py; the rest is here."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.core.leakcheck import Call, action_route, scoped, unscoped
from kehu.core.models import DictionaryItem
from kehu.org.models import User
from kehu.sales.models import Opportunity, OpportunityFollowUp, Stage

MARK = "LEAK-CHECK"


def _number(o):
    return o.number


def _xlsx(response):
    from kehu.customers.leaks import xlsx_text

    return xlsx_text(response)


def _someone_else(record, person):
    if record.owner_id != person.pk:
        return person
    return User.objects.filter(status=User.Status.ACTIVE).exclude(pk=person.pk).order_by("pk").first()


def _next_stage(opportunity):
    return (
        Stage.objects.filter(is_active=True, required_fields=[]).exclude(pk=opportunity.stage_id).order_by("pk").first()
    )


def _move(opportunity, person):
    stage = _next_stage(opportunity)
    return Call(
        kwargs={"pk": opportunity.pk},
        data={"stage": stage.pk, "version": opportunity.version},
        changed=Opportunity.objects.filter(pk=opportunity.pk, stage=stage).exists,
    )


def _win(api):
    def call(opportunity, person):
        won = Opportunity.objects.filter(pk=opportunity.pk, status="won").exists
        return Call(kwargs={"pk": opportunity.pk}, data={"won_amount": "1000.00"}, changed=won)

    return call


def _lose(api):
    def call(opportunity, person):
        reason = DictionaryItem.objects.filter(dictionary__code="loss_reason").order_by("pk").first()
        rival = DictionaryItem.objects.filter(dictionary__code="competitor").order_by("pk").first()
        data = {"loss_reason": reason.pk, "won_by_competitor": rival.pk, "result_note": MARK}
        return Call(
            kwargs={"pk": opportunity.pk},
            data=data,
            changed=Opportunity.objects.filter(pk=opportunity.pk, status="lost").exists,
        )

    return call


def _reopen(opportunity, person):
    Opportunity.objects.filter(pk=opportunity.pk).update(status="lost")
    return Call(
        kwargs={"pk": opportunity.pk},
        data={"reason": MARK, "version": opportunity.version},
        changed=Opportunity.objects.filter(pk=opportunity.pk, status="open").exists,
    )


def _submit(opportunity, person):
    Opportunity.objects.filter(pk=opportunity.pk).update(approval_status="draft")
    return Call(
        kwargs={"pk": opportunity.pk},
        changed=Opportunity.objects.filter(pk=opportunity.pk, approval_status="active").exists,
    )


def _followup(opportunity, person):
    done = OpportunityFollowUp.objects.filter(opportunity=opportunity, followup__content=MARK).exists
    return Call(kwargs={"pk": opportunity.pk}, data={"kind": "call", "content": MARK}, changed=done)


def _transfer(api):
    def call(opportunity, person):
        to_user = _someone_else(opportunity, person)
        data = {"opportunities": [opportunity.pk]} if api else {"ids": [opportunity.pk]}
        moved = lambda: Opportunity.objects.filter(pk=opportunity.pk, owner=to_user).exists()  # noqa: E731
        return Call(data={**data, "to_user": to_user.pk}, changed=moved)

    return call


def _import_file(record, person):
    from kehu.sales.imports import OpportunityImport

    upload = SimpleUploadedFile("opportunities.xlsx", OpportunityImport(person).template())
    return Call(data={"file": upload, "mode": "validate"}, multipart=True)


scoped("sales:kanban", Opportunity, "list", marker=_number, complete=False)
scoped("sales:detail", Opportunity, "detail")
scoped("sales:edit", Opportunity, "detail", action="change")
scoped("sales:followup_add", Opportunity, "detail", action="change")
scoped(
    "sales:export",
    Opportunity,
    "list",
    marker=_number,
    list_query="scope=all",
    complete=False,
    perm=(("opportunities", "export"), ("opportunities", "transfer")),
    read=_xlsx,
)
scoped(
    "api:opportunity-export",
    Opportunity,
    "list",
    marker=_number,
    list_query="scope=all",
    complete=False,
    perm=(("opportunities", "export"), ("opportunities", "transfer")),
    read=_xlsx,
)
action_route("sales:submit", Opportunity, call=_submit)
action_route("api:opportunity-submit", Opportunity, api=True, call=_submit)
action_route("api:opportunity-move", Opportunity, api=True, call=_move)
action_route("sales:win", Opportunity, call=_win(api=False))
action_route("api:opportunity-win", Opportunity, api=True, call=_win(api=True))
action_route("sales:lose", Opportunity, call=_lose(api=False))
action_route("api:opportunity-lose", Opportunity, api=True, call=_lose(api=True))
action_route("sales:reopen", Opportunity, perm=("opportunities", "reopen"), call=_reopen)
action_route("api:opportunity-reopen", Opportunity, api=True, perm=("opportunities", "reopen"), call=_reopen)
action_route("sales:transfer", Opportunity, perm=("opportunities", "transfer"), call=_transfer(api=False))
action_route(
    "api:opportunity-transfer", Opportunity, api=True, perm=("opportunities", "transfer"), call=_transfer(api=True)
)
scoped("api:opportunity-followups", Opportunity, "detail", api=True)
scoped("api:opportunity-stage-history", Opportunity, "detail", api=True)
scoped("sales:followup_review", OpportunityFollowUp, "detail", method="post")
scoped("api:opportunity-followup-review", OpportunityFollowUp, "detail", api=True, method="post")
unscoped(
    "creates a new opportunity owned by the actor on a customer they may see; shows no other record",
    "sales:create",
)
unscoped(
    "the kanban's API reads kehu.sales.kanban.read_board, built on Opportunity.objects.visible_to like the kanban page "
    "(checked above as sales:kanban; tests/sales/test_kanban.py compares both for every role)",
    "api:opportunity-kanban",
)
unscoped(
    "pipeline stages are settings, not owned records: everyone with opportunities.view reads them, "
    "opportunities.manage changes them (tests/sales/test_stage_rules.py::test_only_ops_change_stages)",
    "sales:stages",
    "sales:stage_add",
    "sales:stage_edit",
    "api:stage-list",
    "api:stage-detail",
)
action_route("sales:import", perm=("opportunities", "add"), method="get")
action_route("sales:import_template", perm=("opportunities", "add"), method="get")
action_route("api:opportunity-import", api=True, perm=("opportunities", "add"), call=_import_file)
