from kehu.core.leakcheck import unscoped

unscoped(
    "approvals are visible to their participants (submitter, task holders and the people they act for), to "
    "approvals.manage and to whoever may see the document; anyone else gets 404 "
    "(tests/approvals/test_views.py::test_outsiders_get_404, test_api.py)",
    "approvals:instance",
    "approvals:withdraw",
    "approvals:resubmit",
    "api:approval-resubmit",
    "approvals:comment",
    "approvals:act",
    "api:approval-withdraw",
    "api:approval-comment",
    "api:approval-task-act",
)
unscoped(
    "inboxes list only the user's own tasks and submissions; 'all approvals', flows and other people's "
    "delegations need approvals.manage (tests/approvals/test_views.py)",
    "approvals:flows",
    "approvals:flow_design",
    "approvals:flow_preview",
    "approvals:flow_off",
    "approvals:delegations",
    "approvals:delegation_cancel",
    "api:approval-flow-list",
    "api:approval-flow-detail",
    "api:approval-flow-publish",
)
