"""What an installation starts with for opportunities: the built-in roles' grants (once, when the module is first
installed), the pipeline stages, and the dictionaries (opportunity source, loss reason, competitor)."""

from django.db import transaction

# role code: (actions, data scope)
DEFAULT_GRANTS = {
    "sales_rep": (["view", "add", "change", "export"], "self"),
    "sales_manager": (["view", "add", "change", "export", "transfer", "reopen"], "department_tree"),
    "sales_director": (["view", "add", "change", "export", "transfer", "reopen"], "department_tree"),
    "sales_ops": (["view", "add", "change", "delete", "export", "transfer", "reopen", "manage"], "all"),
}

# (name zh, name en, probability, required fields, may re-enter, rotting days)
DEFAULT_STAGES = [
    ("初步接洽", "Initial contact", 10, [], True, 14),
    ("需求确认", "Needs analysis", 25, ["amount"], True, 21),
    ("方案报价", "Proposal", 50, ["amount", "decision_maker"], True, 21),
    ("商务谈判", "Negotiation", 75, ["amount", "decision_maker", "competitors"], True, 14),
    ("合同签订", "Contract", 90, ["amount", "decision_maker"], False, 10),
]

DEFAULT_DICTIONARIES = {
    "opportunity_source": (
        "商机来源",
        "Opportunity source",
        [
            ("existing", "老客户新需求", "Existing customer"),
            ("referral", "客户推荐", "Referral"),
            ("exhibition", "展会", "Trade show"),
            ("website", "官网咨询", "Website enquiry"),
            ("bidding", "招投标", "Tender"),
            ("partner", "合作伙伴", "Partner"),
            ("other", "其他", "Other"),
        ],
    ),
    "loss_reason": (
        "丢单原因",
        "Loss reason",
        [
            ("price", "价格偏高", "Price too high"),
            ("product", "产品功能不满足", "Product does not fit"),
            ("competitor", "竞争对手关系更好", "Competitor's relationship"),
            ("budget", "客户预算取消", "Budget cancelled"),
            ("timing", "项目延期或搁置", "Project postponed"),
            ("no_decision", "客户未做决定", "No decision"),
            ("other", "其他", "Other"),
        ],
    ),
    "competitor": (
        "竞争对手",
        "Competitor",
        [
            ("huaxin", "华信科技", "Huaxin Technology"),
            ("zhongke", "中科软件", "Zhongke Software"),
            ("yuanda", "远大系统", "Yuanda Systems"),
            ("jiahe", "嘉禾数据", "Jiahe Data"),
            ("other", "其他", "Other"),
        ],
    ),
}


def ensure_sales_defaults() -> None:
    from kehu.core.defaults import install_dictionaries
    from kehu.org.defaults import grant_on_first_install
    from kehu.sales.models import Stage

    with transaction.atomic():
        grant_on_first_install("opportunities", DEFAULT_GRANTS)
        install_dictionaries(DEFAULT_DICTIONARIES)
        if not Stage.objects.exists():
            for i, (zh, _en, probability, required, reenter, rotting) in enumerate(DEFAULT_STAGES, start=1):
                Stage.objects.create(
                    name=zh,
                    position=i * 10,
                    probability=probability,
                    required_fields=required,
                    may_reenter=reenter,
                    rotting_days=rotting,
                )


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_sales_defaults()
