"""Every change to opportunities: each atomic, permission-checked (module "opportunities"), versioned where a
person edits, with the trail (`_history_user`, `_change_reason`) and the timeline events.

Rules (the stage rules themselves are in `stages.py`)
- An opportunity belongs to a customer the actor may see (active, not merged); its decision maker and contacts
  are that customer's contacts; competitors, source and loss reason come from ops-managed dictionaries.
- Amounts are Decimal with two places, 0 to 999,999,999,999.99; bad input is a field error in the user's language.
- An open opportunity's expected close date may not be set in the past (an existing one that passed is flagged
  "overdue" on lists and the kanban until someone moves the date or closes it).
- Entering a stage — on create, on edit, by a kanban drop, by a follow-up or the API — goes through
  `stages.check_entry`; a drop carries the card's version and a stale one is refused naming who changed it.
- Won needs the won amount and date (not in the future); lost needs a loss reason, the competitor who won and a
  note. Closed opportunities change no more; managers (opportunities.manage) reopen them with a reason.
- A new opportunity needs approval when ops published a flow for "sales.opportunity"; until approved it counts
  nowhere (`Opportunity.objects.counting()`) and, while pending, is locked.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import documents
from kehu.core.events import emit
from kehu.core.locking import save_versioned
from kehu.core.models import DictionaryItem
from kehu.core.numbering import next_number
from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.org.scope import effective_scope, has_module_perm
from kehu.org.services import require as require_module
from kehu.sales import events, stages
from kehu.sales.models import (
    Opportunity,
    OpportunityEvent,
    OpportunityFollowUp,
    OpportunityLine,
    OpportunityMember,
    Stage,
    StageHistory,
)

MODULE = "opportunities"
DOC = "sales.opportunity"  # the approvable document type (sales/approvals.py)
MAX_AMOUNT = Decimal("999999999999.99")
FIELDS = ["name", "customer", "amount", "expected_close_date", "source", "decision_maker", "description", "next_step"]
MANY = ["contacts", "competitors"]
Kind = OpportunityEvent.Kind


def require(actor, action: str) -> None:
    require_module(actor, MODULE, action)


def get_opportunity_for_user(user, pk, action: str = "view") -> Opportunity:
    from kehu.core.resources import parse_id

    found = Opportunity.objects.visible_to(user, action).filter(pk=parse_id(pk)).first()
    if found is None:
        raise Http404
    return found


def log_event(opportunity: Opportunity, kind: str, actor, text: str = "", at=None) -> OpportunityEvent:
    return OpportunityEvent.objects.create(
        opportunity=opportunity,
        customer_id=opportunity.customer_id,
        kind=kind,
        actor=actor,
        text=str(text)[:300],
        at=at or timezone.now(),
    )


def stages_in_use():
    return Stage.objects.filter(is_active=True).order_by("position", "pk")


# --- input --------------------------------------------------------------------------------------
def clean_amount(value, name: str = "amount", *, required: bool = False) -> Decimal | None:
    """An amount as Decimal: digits with up to two decimal places (fen), from 0 to 999,999,999,999.99. Accepts
    thousands separators and full-width digits; anything else is a field error, never a float or a 500."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({name: [_("Enter the amount.")]})
        return None
    if isinstance(value, float | bool):
        raise ValidationError({name: [_("Enter the amount as a number such as 120000 or 120000.50.")]})
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    text = text.translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．"})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({name: [_("Enter the amount as a number such as 120000 or 120000.50.")]}) from None
    if not amount.is_finite():
        raise ValidationError({name: [_("Enter the amount as a number such as 120000 or 120000.50.")]})
    if amount < 0:
        raise ValidationError({name: [_("The amount cannot be negative.")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({name: [_("The amount is too large: at most 999,999,999,999.99.")]})
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({name: [_("Use at most two decimal places (fen).")]})
    return amount.quantize(Decimal("0.01"))


def _dictionary_item(code: str, value, name: str, errors: dict):
    if value in (None, ""):
        return None
    item_id = getattr(value, "pk", value)
    item = (
        DictionaryItem.objects.filter(pk=item_id, dictionary__code=code, is_active=True).first()
        if str(item_id).isdigit()
        else None
    )
    if item is None:
        errors[name] = [_("Choose a value from the list.")]
    return item


def _customer(actor, value, errors: dict) -> Customer | None:
    customer_id = getattr(value, "pk", value)
    customer = None
    if customer_id not in (None, "") and str(customer_id).isdigit():
        customer = (
            Customer.objects.visible_to(actor)
            .filter(pk=customer_id, status=Customer.Status.ACTIVE, owner__isnull=False)
            .first()
        )
    if customer is None:
        errors["customer"] = [_("Choose one of your customers.")]
    return customer


def _contacts_of(customer, values, name: str, errors: dict) -> list[Contact]:
    ids = [getattr(v, "pk", v) for v in values or []]
    if not ids:
        return []
    if customer is None:
        return []
    found = list(Contact.objects.filter(customer=customer, pk__in=[i for i in ids if str(i).isdigit()]))
    if len(found) != len(set(ids)):
        errors[name] = [_("Choose contacts of this customer.")]
    return found


def clean_lines(lines) -> list[dict]:
    """Products of interest: free-text lines (quantity and unit price optional, Decimal)."""
    cleaned, errors = [], []
    for n, line in enumerate(lines or [], start=1):
        description = " ".join(str(line.get("description") or "").split())
        if not description:
            continue
        if len(description) > 200:
            errors.append(_("Line %(n)d: keep the product under 200 characters.") % {"n": n})
            continue
        try:
            quantity = clean_amount(line.get("quantity"), "quantity")
            price = clean_amount(line.get("unit_price"), "unit_price")
        except ValidationError as exc:
            errors.extend(f"{_('Line %(n)d') % {'n': n}}: {m}" for m in exc.messages)
            continue
        cleaned.append({"description": description, "quantity": quantity, "unit_price": price})
    if errors:
        raise ValidationError({"lines": errors})
    return cleaned


def clean_data(actor, data: dict, opportunity: Opportunity | None = None) -> dict:
    """The opportunity's fields from `data` (a form's cleaned data or an API body), merged over the record."""
    errors: dict[str, list] = {}
    current = {name: getattr(opportunity, name) for name in FIELDS} if opportunity else {}
    merged = {**current, **{k: v for k, v in data.items() if k in FIELDS}}
    out: dict = {}
    name = " ".join(str(merged.get("name") or "").split())
    if not name:
        errors["name"] = [_("Give the opportunity a name.")]
    elif len(name) > 100:
        errors["name"] = [_("Keep the name under 100 characters.")]
    out["name"] = name
    if (
        opportunity is not None
        and "customer" in data
        and getattr(data["customer"], "pk", data["customer"]) != (opportunity.customer_id)
    ):
        errors["customer"] = [_("An opportunity stays with its customer.")]
    customer = opportunity.customer if opportunity else _customer(actor, merged.get("customer"), errors)
    out["customer"] = customer
    try:
        out["amount"] = clean_amount(merged.get("amount"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    close = merged.get("expected_close_date")
    if isinstance(close, str):
        try:
            close = date.fromisoformat(close.strip()) if close.strip() else None
        except ValueError:
            errors["expected_close_date"] = [_("Enter a date as YYYY-MM-DD.")]
            close = None
    if close is None and "expected_close_date" not in errors:
        errors["expected_close_date"] = [_("Enter the expected close date.")]
    elif close is not None and close < timezone.localdate():
        changed = opportunity is None or close != opportunity.expected_close_date
        if changed and (opportunity is None or opportunity.is_open):
            errors["expected_close_date"] = [
                _("The expected close date is in the past: enter when you now expect to close it.")
            ]
    out["expected_close_date"] = close
    out["source"] = _dictionary_item("opportunity_source", merged.get("source"), "source", errors)
    maker = merged.get("decision_maker")
    makers = _contacts_of(customer, [maker] if maker not in (None, "") else [], "decision_maker", errors)
    if "decision_maker" in errors:
        errors["decision_maker"] = [_("Choose a contact of this customer.")]
    out["decision_maker"] = makers[0] if makers else None
    for text in ("description", "next_step"):
        out[text] = str(merged.get(text) or "").strip()
    if len(out["next_step"]) > 200:
        errors["next_step"] = [_("Keep the next step under 200 characters.")]
    if "contacts" in data:
        out["contacts"] = _contacts_of(customer, data["contacts"], "contacts", errors)
    if "competitors" in data:
        items = [_dictionary_item("competitor", v, "competitors", errors) for v in data["competitors"] or []]
        out["competitors"] = [i for i in items if i is not None]
    if "lines" in data:
        try:
            out["lines"] = clean_lines(data["lines"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


def _gate_values(clean: dict) -> dict:
    """What a gate reads from a change being made (relations as lists), so a form fills and moves at once."""
    return {k: v for k, v in clean.items() if k in stages.GATE_FIELDS}


def _write_relations(opportunity: Opportunity, clean: dict) -> None:
    if "contacts" in clean:
        opportunity.contacts.set(clean["contacts"])
    if "competitors" in clean:
        opportunity.competitors.set(clean["competitors"])
    if "lines" in clean:
        opportunity.lines.all().delete()
        OpportunityLine.objects.bulk_create(
            OpportunityLine(opportunity=opportunity, position=n, **line) for n, line in enumerate(clean["lines"])
        )


def _members(actor, members) -> list[tuple[User, bool]]:
    """Collaborators as (user, may edit): active people with access to opportunities."""
    out, errors = [], []
    for user, can_edit in members or []:
        if not isinstance(user, User):
            user = User.objects.filter(pk=user).first() if str(user).isdigit() else None
        if user is None or not user.is_active or not has_module_perm(user, MODULE, "view"):
            errors.append(_("Choose active colleagues who work with opportunities."))
            continue
        out.append((user, bool(can_edit)))
    if errors:
        raise ValidationError({"members": errors[:1]})
    return out


def set_members(actor, opportunity: Opportunity, members) -> None:
    """Replace the collaborators (团队成员). Needs change rights on the opportunity."""
    opportunity = get_opportunity_for_user(actor, opportunity.pk, "change")
    cleaned = [(u, e) for u, e in _members(actor, members) if u.pk != opportunity.owner_id]
    with transaction.atomic():
        OpportunityMember.objects.filter(opportunity=opportunity).delete()
        OpportunityMember.objects.bulk_create(
            OpportunityMember(opportunity=opportunity, user=u, can_edit=e) for u, e in cleaned
        )
        opportunity._history_user = actor
        names = ", ".join(u.display_name for u, _e in cleaned) or "—"
        opportunity._change_reason = _("Team members: %(names)s") % {"names": names}
        opportunity.version += 1
        opportunity.save(update_fields=["version"])


# --- stage moves ----------------------------------------------------------------------------------
def _enter_stage(opportunity: Opportunity, stage: Stage, actor, now, *, first: bool = False) -> None:
    """Record the move (history row closed and opened, the timeline) and the pipeline bookkeeping; the caller
    saves the opportunity."""
    previous = None if first else opportunity.stage
    if not first:
        StageHistory.objects.filter(opportunity=opportunity, left_at__isnull=True).update(left_at=now)
    opportunity.stage = stage
    opportunity.stage_entered_at = opportunity.last_activity_at = now
    opportunity.rots_at = stages.rots_at(stage, now)
    opportunity.rotting_warned_at = None
    if opportunity.pk is not None:
        StageHistory.objects.create(opportunity=opportunity, stage=stage, entered_at=now, entered_by=actor)
        if previous is not None:
            log_event(opportunity, Kind.STAGE, actor, f"{previous.name} → {stage.name}", at=now)


def move_stage(actor, opportunity: Opportunity | int, stage: Stage | int, expected_version: int | None) -> Opportunity:
    """Move an opportunity to another stage (the kanban drop, the API). Needs change rights (404 outside them);
    `expected_version` is the version the card showed: a stale drop raises StaleEdit naming who changed it."""
    opportunity = get_opportunity_for_user(actor, getattr(opportunity, "pk", opportunity), "change")
    stage = _stage(stage)
    documents.check_not_locked(opportunity)
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
        if expected_version is not None and locked.version != expected_version:
            save_versioned(locked, actor, expected_version)  # raises StaleEdit with who moved it and when
        if not stages.check_entry(locked, stage):
            return locked
        _enter_stage(locked, stage, actor, timezone.now())
        locked._change_reason = _("Stage: %(stage)s") % {"stage": stage.name}
        save_versioned(locked, actor, locked.version)
    return locked


def _stage(stage) -> Stage:
    if isinstance(stage, Stage):
        return stage
    found = Stage.objects.filter(pk=stage).first() if str(stage).isdigit() else None
    if found is None:
        raise ValidationError({"stage": [_("Choose a stage from the list.")]})
    return found


# --- create, edit, submit -------------------------------------------------------------------------------
def create_opportunity(actor, data: dict, *, owner: User | None = None, submit: bool = True) -> Opportunity:
    """A rep records a new opportunity on one of their customers. Needs opportunities.add (and .transfer to
    give it to someone else). It starts in the first stage unless `data["stage"]` names another (whose gate it
    must pass). With a published "sales.opportunity" flow it starts as a draft and, with `submit`, goes into
    approval at once; until approved it counts nowhere."""
    from kehu.approvals.services import requires_approval
    from kehu.approvals.services import submit as submit_for_approval

    require(actor, "add")
    owner = owner or actor
    if owner.pk != actor.pk:
        require(actor, "transfer")
        if not owner.is_active or not has_module_perm(owner, MODULE, "view"):
            raise ValidationError({"owner": [_("Choose an active colleague who works with opportunities.")]})
    clean = clean_data(actor, data)
    stage = _stage(data["stage"]) if data.get("stage") not in (None, "") else stages_in_use().first()
    if stage is None:
        raise ValidationError({"stage": [_("Sales operations have not set up any stage yet.")]})
    draft = Opportunity(**{k: clean[k] for k in FIELDS})
    stages.check_entry(draft, stage, _gate_values(clean))
    members = _members(actor, data.get("members"))
    needs_approval = requires_approval(DOC)
    now = timezone.now()
    with transaction.atomic():
        opportunity = draft
        opportunity.number = next_number("OP")
        opportunity.owner, opportunity.owner_department = owner, owner.department
        opportunity.created_by, opportunity.created_at = actor, now
        opportunity.updated_by, opportunity.updated_at = actor, now
        opportunity.approval_status = (
            Opportunity.ApprovalStatus.DRAFT if needs_approval else Opportunity.ApprovalStatus.ACTIVE
        )
        _enter_stage(opportunity, stage, actor, now, first=True)
        opportunity._history_user = actor
        opportunity.save()
        StageHistory.objects.create(opportunity=opportunity, stage=stage, entered_at=now, entered_by=actor)
        _write_relations(opportunity, clean)
        OpportunityMember.objects.bulk_create(
            OpportunityMember(opportunity=opportunity, user=u, can_edit=e) for u, e in members if u.pk != owner.pk
        )
        log_event(opportunity, Kind.CREATED, actor, stage.name, at=now)
        if needs_approval and submit:
            submit_for_approval(actor, DOC, opportunity)
            opportunity.refresh_from_db()
    return opportunity


def update_opportunity(actor, opportunity: Opportunity, data: dict, expected_version: int | None) -> Opportunity:
    """Edit an opportunity (change rights; not while in approval, not once won or lost). A `stage` in `data`
    moves it under the same gate as a drop, reading the values being saved."""
    opportunity = get_opportunity_for_user(actor, opportunity.pk, "change")
    documents.check_not_locked(opportunity)
    if not opportunity.is_open:
        raise ValidationError(_("A won or lost opportunity cannot be edited; a manager may reopen it."))
    clean = clean_data(actor, data, opportunity)
    target = _stage(data["stage"]) if data.get("stage") not in (None, "") else opportunity.stage
    for name in FIELDS:
        setattr(opportunity, name, clean[name])
    moving = stages.check_entry(opportunity, target, _gate_values(clean))
    with transaction.atomic():
        if moving:
            _enter_stage(opportunity, target, actor, timezone.now())
        save_versioned(opportunity, actor, expected_version)
        _write_relations(opportunity, clean)
    return opportunity


def check_can_submit(actor, opportunity: Opportunity) -> Opportunity:
    opportunity = get_opportunity_for_user(actor, opportunity.pk, "change")
    documents.check_transition(opportunity, "submit")
    return opportunity


def submit_opportunity(actor, opportunity: Opportunity) -> Opportunity:
    """Send a draft (new, or back from approval) into approval; with no flow published any more it becomes
    effective at once."""
    from kehu.approvals.services import open_instance, requires_approval
    from kehu.approvals.services import submit as submit_for_approval

    opportunity = check_can_submit(actor, opportunity)
    with transaction.atomic():
        if open_instance(DOC, opportunity.pk) is not None or requires_approval(DOC):
            submit_for_approval(actor, DOC, opportunity)
        else:
            documents.transition(opportunity, "activate")
            log_event(opportunity, Kind.APPROVED, actor, _("No approval required"))
    opportunity.refresh_from_db()
    return opportunity


# --- follow-ups -------------------------------------------------------------------------------------------
def record_followup(
    actor,
    opportunity: Opportunity,
    *,
    kind: str,
    content: str,
    contact=None,
    next_step: str = "",
    next_step_due=None,
    happened_at=None,
    stage=None,
    expected_version: int | None = None,
) -> OpportunityFollowUp:
    """A follow-up on an opportunity (商机跟进), which may move its stage (under the stage rules). Its text is the
    customer's follow-up (`customers.activities.record_followup`: it needs change rights on the customer too and
    resets the pool clock); the opportunity needs change rights and must be open."""
    from kehu.customers import activities

    opportunity = get_opportunity_for_user(actor, opportunity.pk, "change")
    documents.check_not_locked(opportunity)
    if not opportunity.is_open:
        raise ValidationError(_("A won or lost opportunity takes no more follow-ups; a manager may reopen it."))
    target = _stage(stage) if stage not in (None, "") else None
    moving = target is not None and stages.check_entry(opportunity, target)
    with transaction.atomic():
        followup = activities.record_followup(
            actor,
            opportunity.customer,
            kind,
            content,
            contact=contact,
            next_step=next_step,
            next_step_due=next_step_due,
            happened_at=happened_at,
        )
        locked = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
        if expected_version is not None and locked.version != expected_version:
            save_versioned(locked, actor, expected_version)
        moved_from = locked.stage if moving else None
        now = timezone.now()
        if moving:
            _enter_stage(locked, target, actor, now)
            locked._change_reason = _("Stage: %(stage)s") % {"stage": target.name}
            save_versioned(locked, actor, locked.version)
        else:
            locked.last_activity_at = max(locked.last_activity_at, followup.happened_at)
            locked.rots_at = stages.rots_at(locked.stage, locked.last_activity_at)
            locked.rotting_warned_at = None
            locked.save(update_fields=["last_activity_at", "rots_at", "rotting_warned_at"])
        entry = OpportunityFollowUp.objects.create(
            opportunity=locked, followup=followup, moved_from=moved_from, moved_to=target if moving else None
        )
    return entry


def reviewable_departments(user):
    """The departments whose people's opportunity follow-ups `user` reviews: None = everyone, a set otherwise."""
    scope = effective_scope(user, MODULE, "view")
    if scope.everything:
        return None
    return set(scope.department_ids)


def can_review(user, entry: OpportunityFollowUp) -> bool:
    """Managers review (审阅): opportunities.manage, the author someone else in a department of their scope."""
    author = entry.followup.author
    if author.pk == user.pk or not has_module_perm(user, MODULE, "manage"):
        return False
    departments = reviewable_departments(user)
    return departments is None or author.department_id in departments


def review_followup(actor, entry: OpportunityFollowUp, comment: str = "") -> OpportunityFollowUp:
    """A manager acknowledges an opportunity follow-up, optionally with a comment; the author is told."""
    entry = OpportunityFollowUp.objects.visible_to(actor).select_related("followup__author").filter(pk=entry.pk).first()
    if entry is None:
        raise Http404
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": [_("Keep the comment under 500 characters.")]})
    if not can_review(actor, entry):
        raise ValidationError(_("Only a manager of the author can review this follow-up."))
    with transaction.atomic():
        updated = OpportunityFollowUp.objects.filter(pk=entry.pk, reviewed_at__isnull=True).update(
            reviewed_by=actor, reviewed_at=timezone.now(), review_comment=comment
        )
        if not updated:
            raise ValidationError(_("This follow-up has already been reviewed."))
        emit(events.FOLLOWUP_REVIEWED, actor=actor, entry=entry, comment=comment)
    entry.refresh_from_db()
    return entry


# --- win, loss, reopen ------------------------------------------------------------------------------------
def _closing(actor, opportunity, expected_version) -> Opportunity:
    opportunity = get_opportunity_for_user(actor, opportunity.pk, "change")
    documents.check_not_locked(opportunity)
    if not opportunity.is_open:
        raise ValidationError(_("This opportunity is already closed."))
    if not opportunity.counts:
        raise ValidationError(_("An opportunity is closed once its approval has passed."))
    return opportunity


def _closed_on(value) -> date:
    when = value or timezone.localdate()
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            raise ValidationError({"closed_on": [_("Enter a date as YYYY-MM-DD.")]}) from None
    if when > timezone.localdate():
        raise ValidationError({"closed_on": [_("The close date cannot be in the future.")]})
    return when


def _close(actor, opportunity: Opportunity, expected_version, reason: str) -> Opportunity:
    now = timezone.now()
    StageHistory.objects.filter(opportunity=opportunity, left_at__isnull=True).update(left_at=now)
    opportunity.rots_at = None
    opportunity.last_activity_at = now
    opportunity._change_reason = reason
    return save_versioned(opportunity, actor, expected_version)


def win(actor, opportunity: Opportunity, *, won_amount, closed_on=None, note: str = "", expected_version=None):
    """Won (赢单): the won amount and date (today by default, never in the future). Offers the sales order: the
    `opportunity.won` event is the hook the orders module subscribes to."""
    opportunity = _closing(actor, opportunity, expected_version)
    errors = {}
    try:
        amount = clean_amount(won_amount, "won_amount", required=True)
        if amount is not None and amount <= 0:
            errors["won_amount"] = [_("Enter the amount won (more than 0).")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
        amount = None
    try:
        when = _closed_on(closed_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opportunity.status, opportunity.won_amount, opportunity.closed_on = Opportunity.Status.WON, amount, when
        opportunity.result_note = (note or "").strip()
        opportunity.loss_reason = opportunity.won_by_competitor = None
        _close(actor, opportunity, expected_version, _("Won: %(amount)s") % {"amount": f"{amount:,.2f}"})
        log_event(opportunity, Kind.WON, actor, f"¥{amount:,.2f}")
        emit(events.WON, actor=actor, opportunity=opportunity)
    return opportunity


def lose(actor, opportunity: Opportunity, *, loss_reason, competitor, note: str, closed_on=None, expected_version=None):
    """Lost (输单): needs a loss reason, the competitor who won (both from ops' dictionaries) and a note."""
    opportunity = _closing(actor, opportunity, expected_version)
    errors: dict = {}
    reason = _dictionary_item("loss_reason", loss_reason, "loss_reason", errors)
    if reason is None and "loss_reason" not in errors:
        errors["loss_reason"] = [_("Choose why it was lost.")]
    rival = _dictionary_item("competitor", competitor, "won_by_competitor", errors)
    if rival is None and "won_by_competitor" not in errors:
        errors["won_by_competitor"] = [_("Choose the competitor who won (or “Other”).")]
    note = (note or "").strip()
    if not note:
        errors["result_note"] = [_("Write what happened, for the team to learn from.")]
    try:
        when = _closed_on(closed_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opportunity.status, opportunity.closed_on, opportunity.won_amount = Opportunity.Status.LOST, when, None
        opportunity.loss_reason, opportunity.won_by_competitor, opportunity.result_note = reason, rival, note
        _close(actor, opportunity, expected_version, _("Lost: %(reason)s") % {"reason": reason.label})
        log_event(opportunity, Kind.LOST, actor, f"{reason.label} · {rival.label}")
        emit(events.LOST, actor=actor, opportunity=opportunity)
    return opportunity


def reopen(actor, opportunity: Opportunity, reason: str, expected_version=None) -> Opportunity:
    """A manager (opportunities.manage, change scope) reopens a won or lost opportunity, with a reason that stays
    in the trail; it re-enters the stage it was closed in, the result fields cleared."""
    require(actor, "manage")
    opportunity = get_opportunity_for_user(actor, opportunity.pk, "change")
    if opportunity.is_open:
        raise ValidationError(_("This opportunity is open already."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why the opportunity is reopened.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("Keep the reason under 200 characters.")]})
    was = opportunity.get_status_display()
    with transaction.atomic():
        now = timezone.now()
        opportunity.status = Opportunity.Status.OPEN
        opportunity.won_amount = opportunity.closed_on = None
        opportunity.loss_reason = opportunity.won_by_competitor = None
        opportunity.result_note = ""
        if opportunity.expected_close_date < timezone.localdate():
            pass  # flagged overdue until the rep moves the date
        opportunity.stage_entered_at = opportunity.last_activity_at = now
        opportunity.rots_at = stages.rots_at(opportunity.stage, now)
        opportunity.rotting_warned_at = None
        StageHistory.objects.create(opportunity=opportunity, stage=opportunity.stage, entered_at=now, entered_by=actor)
        opportunity._change_reason = _("Reopened (was %(status)s): %(reason)s") % {"status": was, "reason": reason}
        save_versioned(opportunity, actor, expected_version)
        log_event(opportunity, Kind.REOPENED, actor, reason)
    return opportunity


# --- transfer, and the customer side -----------------------------------------------------------------------
@dataclass
class TransferSummary:
    moved: int = 0
    skipped: list = field(default_factory=list)


def _move(opportunity: Opportunity, to_user: User, actor, text: str) -> None:
    opportunity.owner, opportunity.owner_department = to_user, to_user.department
    opportunity.updated_by, opportunity.updated_at = actor, timezone.now()
    opportunity.version += 1
    opportunity._history_user = actor
    opportunity._change_reason = text
    opportunity.save()
    OpportunityMember.objects.filter(opportunity=opportunity, user=to_user).delete()
    log_event(opportunity, Kind.TRANSFERRED, actor, text)


def transfer_opportunities(actor, ids, to_user: User, reason: str = "") -> TransferSummary:
    """Batch transfer (opportunities.transfer): every opportunity in the actor's change scope, or 404 and nothing
    moves. The new owner must be active with access to opportunities; those they own already are skipped."""
    require(actor, "transfer")
    ids = list(dict.fromkeys(int(i) for i in ids if str(i).isdigit()))
    if not ids:
        raise ValidationError({"ids": [_("Select the opportunities to transfer.")]})
    if not to_user.is_active:
        raise ValidationError({"to_user": [_("The new owner has left the company.")]})
    if not has_module_perm(to_user, MODULE, "view"):
        raise ValidationError({"to_user": [_("The new owner has no access to opportunities.")]})
    reason = " ".join((reason or "").split())[:100]
    summary = TransferSummary()
    with transaction.atomic():
        rows = list(
            Opportunity.objects.visible_to(actor, "change")
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .select_related("owner")
            .order_by("pk")
        )
        if len(rows) != len(ids):
            raise Http404
        for opportunity in rows:
            if opportunity.owner_id == to_user.pk:
                summary.skipped.append(opportunity.pk)
                continue
            text = _("Transferred from %(from)s to %(to)s") % {
                "from": opportunity.owner.display_name,
                "to": to_user.display_name,
            }
            _move(opportunity, to_user, actor, f"{text} · {reason}" if reason else text)
            summary.moved += 1
    return summary


def follow_customers(actor, customers, to_user: User, kind: str, text: str) -> int:
    """The customers moved to `to_user` (a transfer or leaver handover, in its transaction): their open
    opportunities move with them (registered with `customers.extensions.on_moved`)."""
    rows = list(
        Opportunity.objects.open()
        .filter(customer__in=[c.pk for c in customers])
        .exclude(owner=to_user)
        .select_related("owner")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    for opportunity in rows:
        _move(opportunity, to_user, actor, text or _("Moved with the customer"))
    return len(rows)


def follow_merge(actor, keep: Customer, duplicate: Customer) -> int:
    """A merge (in its transaction): the duplicate's opportunities, open or closed, now belong to the customer
    kept; their history and timeline entries move along."""
    moved = Opportunity.objects.filter(customer=duplicate).update(customer=keep)
    OpportunityEvent.objects.filter(customer=duplicate).update(customer=keep)
    return moved


def last_opportunity_at(customer: Customer):
    """The pool's "days without a new opportunity" clock: when the customer's latest opportunity was created."""
    return Opportunity.objects.filter(customer=customer).aggregate(last=Max("created_at"))["last"]


# --- rotting ---------------------------------------------------------------------------------------------
def warn_stalled(now=None) -> int:
    """Open opportunities past their stage's rotting threshold and not warned since: a "stalled" entry on the
    timeline and the `opportunity.stalled` event (the owner is told). Safe to run twice."""
    now = now or timezone.now()
    warned = 0
    candidates = Opportunity.objects.stalled(now).filter(rotting_warned_at__isnull=True).order_by("pk")
    for pk in list(candidates.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            claimed = Opportunity.objects.filter(pk=pk, rotting_warned_at__isnull=True).update(rotting_warned_at=now)
            if not claimed:
                continue
            opportunity = Opportunity.objects.select_related("stage", "owner").get(pk=pk)
            days = opportunity.stage.rotting_days
            log_event(opportunity, Kind.STALLED, None, _("No progress for %(days)d days") % {"days": days}, at=now)
            emit(events.STALLED, opportunity=opportunity, days=days)
            warned += 1
    return warned


def recompute_rotting(stage: Stage) -> int:
    """After ops change a stage's threshold: the stalled-from time of its open opportunities, in bulk."""
    rows = Opportunity.objects.open().filter(stage=stage).only("pk", "last_activity_at", "stage_id")
    changed = []
    for opportunity in rows.iterator(chunk_size=2000):
        opportunity.rots_at = stages.rots_at(stage, opportunity.last_activity_at)
        opportunity.rotting_warned_at = None
        changed.append(opportunity)
    Opportunity.objects.bulk_update(changed, ["rots_at", "rotting_warned_at"], batch_size=2000)
    return len(changed)


# --- stages (ops) ---------------------------------------------------------------------------------------
STAGE_FIELDS = ["name", "position", "probability", "required_fields", "may_reenter", "rotting_days", "is_active"]


def save_stage(actor, stage: Stage | None, data: dict, expected_version: int | None = None) -> Stage:
    """Create or change a pipeline stage (opportunities.manage)."""
    require(actor, "manage")
    errors: dict = {}
    stage = stage or Stage()
    name = " ".join(str(data.get("name", stage.name) or "").split())
    if not name:
        errors["name"] = [_("Give the stage a name.")]
    probability = data.get("probability", stage.probability)
    if not isinstance(probability, int) or isinstance(probability, bool) or not 0 <= probability <= 100:
        errors["probability"] = [_("Enter a whole number from 0 to 100.")]
    rotting = data.get("rotting_days", stage.rotting_days)
    if rotting is not None and (not isinstance(rotting, int) or rotting < 1):
        errors["rotting_days"] = [_("Enter at least 1 day, or leave it empty for never.")]
    try:
        required = stages.clean_required_fields(data.get("required_fields", stage.required_fields))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        required = []
    if data.get("is_active") is False and stage.pk and Opportunity.objects.open().filter(stage=stage).exists():
        errors["is_active"] = [_("Open opportunities are in this stage: move them first.")]
    if errors:
        raise ValidationError(errors)
    threshold_changed = stage.pk is not None and rotting != stage.rotting_days
    stage.name, stage.probability, stage.rotting_days, stage.required_fields = name, probability, rotting, required
    stage.position = data.get("position", stage.position) or 0
    stage.may_reenter = bool(data.get("may_reenter", stage.may_reenter))
    stage.is_active = bool(data.get("is_active", stage.is_active))
    with transaction.atomic():
        if stage.pk is None:
            stage.updated_by, stage._history_user = actor, actor
            stage.save()
        else:
            save_versioned(stage, actor, expected_version)
        if threshold_changed:
            recompute_rotting(stage)
    return stage
