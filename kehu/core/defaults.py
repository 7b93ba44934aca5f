"""The dictionaries every installation starts with; sales operations extend and rename them."""

from django.db import transaction

# code: (name_zh, name_en, [(item code, label_zh, label_en), ...])
DEFAULT_DICTIONARIES = {
    "industry": (
        "行业",
        "Industry",
        [
            ("manufacturing", "制造业", "Manufacturing"),
            ("it", "信息技术", "Information technology"),
            ("finance", "金融", "Finance"),
            ("education", "教育", "Education"),
            ("healthcare", "医疗卫生", "Healthcare"),
            ("energy", "能源", "Energy"),
            ("construction", "建筑工程", "Construction"),
            ("retail", "批发零售", "Wholesale and retail"),
            ("logistics", "交通物流", "Transport and logistics"),
            ("government", "政府及公共事业", "Government and public sector"),
            ("other", "其他", "Other"),
        ],
    ),
    "customer_source": (
        "客户来源",
        "Customer source",
        [
            ("referral", "客户推荐", "Referral"),
            ("exhibition", "展会", "Trade show"),
            ("website", "官网咨询", "Website enquiry"),
            ("cold_call", "电话开拓", "Cold call"),
            ("bidding", "招投标", "Tender"),
            ("partner", "合作伙伴", "Partner"),
            ("other", "其他", "Other"),
        ],
    ),
    "customer_level": (
        "客户等级",
        "Customer level",
        [
            ("a", "A 重点客户", "A – key account"),
            ("b", "B 普通客户", "B – regular"),
            ("c", "C 潜在客户", "C – prospect"),
        ],
    ),
    "region": (
        "区域",
        "Region",
        [
            ("north", "华北", "North China"),
            ("east", "华东", "East China"),
            ("south", "华南", "South China"),
            ("central", "华中", "Central China"),
            ("southwest", "西南", "Southwest"),
            ("northwest", "西北", "Northwest"),
            ("northeast", "东北", "Northeast"),
        ],
    ),
}


def ensure_default_dictionaries() -> None:
    install_dictionaries(DEFAULT_DICTIONARIES)


def install_dictionaries(definitions: dict) -> None:
    """Create the system dictionaries `definitions` names (`{code: (name_zh, name_en, [(code, zh, en), …])}`) that do
    not exist yet, with their items; an existing dictionary is left as ops keep it. Every module's defaults use it."""
    from kehu.core.models import Dictionary, DictionaryItem

    with transaction.atomic():
        for code, (name_zh, name_en, items) in definitions.items():
            dictionary, created = Dictionary.objects.get_or_create(
                code=code, defaults={"name_zh": name_zh, "name_en": name_en, "is_system": True}
            )
            if created:
                DictionaryItem.objects.bulk_create(
                    DictionaryItem(dictionary=dictionary, code=c, label_zh=zh, label_en=en, sort_order=i * 10)
                    for i, (c, zh, en) in enumerate(items, start=1)
                )
