"""The approval engine's public verbs, in one place for callers (pages, API, other apps, tests). Each lives in
the module of its job:

- `designer.py` — drafts, publishing, turning approval off;
- `submission.py` — submit, resubmit, withdraw;
- `decisions.py` — approve, reject, return, transfer, add a signer, acknowledge, comment, read copies, `act`;
- `routing.py` — moving an instance through its graph (who gets a step, tasks, the end of a flow);
- `delegation.py` — delegations; `timeouts.py` — reminders and escalations;
- `access.py` — who may see and do what; `trail.py` — the chained trail;
- `documents.py` — the approvable-document base and its status table; `events.py` — events and messages.
"""

from kehu.approvals.access import can_view, get_instance_for_user, is_participant, may_comment, require_manage
from kehu.approvals.decisions import (
    ACTIONS,
    acknowledge,
    act,
    add_signer,
    approve,
    comment,
    mark_copies_read,
    reject,
    return_,
    return_targets,
    transfer,
)
from kehu.approvals.delegation import cancel_delegation, delegate_of, set_delegation
from kehu.approvals.designer import open_instance, publish, published_flow, requires_approval, save_draft, turn_off
from kehu.approvals.registry import get_or_404 as doc_type_or_404
from kehu.approvals.routing import TaskClosed, ops_users, resolve_approvers
from kehu.approvals.submission import can_withdraw, has_been_acted_on, resubmit, submit, withdraw
from kehu.approvals.timeouts import handle_timeouts
from kehu.approvals.trail import verify_trail

__all__ = [
    "ACTIONS",
    "TaskClosed",
    "acknowledge",
    "act",
    "add_signer",
    "approve",
    "can_view",
    "can_withdraw",
    "cancel_delegation",
    "comment",
    "delegate_of",
    "doc_type_or_404",
    "get_instance_for_user",
    "handle_timeouts",
    "has_been_acted_on",
    "is_participant",
    "mark_copies_read",
    "may_comment",
    "open_instance",
    "ops_users",
    "publish",
    "published_flow",
    "reject",
    "require_manage",
    "requires_approval",
    "resolve_approvers",
    "resubmit",
    "return_",
    "return_targets",
    "save_draft",
    "set_delegation",
    "submit",
    "transfer",
    "turn_off",
    "verify_trail",
    "withdraw",
]
