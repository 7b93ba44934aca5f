"""Ten demo cases written up from won opportunities of the opportunities demo, most of them published."""

import random

from django.utils import timezone

from kehu.core.models import DictionaryItem
from kehu.sales.cases.models import Case
from kehu.sales.models import Opportunity

STORIES = [
    (
        "多工厂 MES 统一上线",
        "三家工厂各用一套排产表，订单交期常常估不准，换线靠电话协调。",
        "先在一家工厂试点 MES 排产和报工，三个月后复制到另外两家；与 ERP 打通订单和物料。",
        "MES 排产模块\n车间看板\n实施服务",
        "先找出最痛的一条产线做试点，用交期准确率说话，比讲功能更能打动管理层。",
    ),
    (
        "经销商订货平台替换传统传真下单",
        "三百多家经销商靠传真和微信下单，订单录入错误率高，月底对账要一周。",
        "上线经销商订货门户和移动端，价格政策按级别配置，订单自动进入 ERP。",
        "订货门户\n移动订货 App\n价格策略引擎",
        "让两位最大的经销商参与方案评审，他们的认可带动了其他经销商。",
    ),
    (
        "设备远程运维平台",
        "售后工程师常常跑到现场才知道缺什么备件，首次修复率只有六成。",
        "设备加装采集网关，故障码实时上报；工单带上设备履历和备件建议。",
        "物联网网关\n远程运维平台\n备件管理",
        "技术评估阶段请客户的售后主管一起算账：每年省下的差旅费就够付项目款。",
    ),
    (
        "集团费用报销与预算管控",
        "各子公司报销标准不一，预算超支要月底才发现。",
        "统一报销流程和标准，预算实时占用，超预算自动走加签审批。",
        "费用报销\n预算管理\n移动审批",
        "财务总监是决策人，但真正推动的是各子公司的财务经理，要分别拜访。",
    ),
    (
        "仓储 WMS 与条码改造",
        "仓库靠纸单拣货，盘点一次要停工两天，错发率居高不下。",
        "条码贴标、PDA 拣货和波次策略，盘点改为循环盘点。",
        "WMS\nPDA 终端\n条码打印",
        "报价时把停工盘点的损失算进 ROI，价格谈判顺利很多。",
    ),
    (
        "销售 CRM 与商机管理",
        "销售线索散落在个人手里，离职就带走客户，管理层看不到商机进展。",
        "客户公海、商机阶段和审批流程上线，管理层用看板看漏斗。",
        "CRM\n移动拜访\n报表看板",
        "先解决一线销售的录入负担（移动端、语音录入），推广阻力小了一半。",
    ),
    (
        "能耗监测与节能改造",
        "园区能耗只看月度电费单，无法定位高耗能设备。",
        "分项计量、能耗看板和异常告警，配合空压机节能改造。",
        "能耗监测平台\n智能电表\n节能改造服务",
        "用前三个月的节能数据做第二期的立项依据。",
    ),
    (
        "质量追溯系统",
        "客户投诉后要两三天才能查到批次和原料来源。",
        "从原料入库到成品出库全程批次追溯，质检数据电子化。",
        "质量追溯\n质检终端\n标签打印",
        "竞品报价更低，我们赢在追溯演示：现场五分钟查到一个批次的全部来源。",
    ),
    (
        "门店巡检与陈列管理",
        "督导巡店靠拍照发群，问题整改无人跟踪。",
        "巡店任务、标准检查表和整改闭环，区域经理看整改率排名。",
        "巡店 App\n任务中心\n数据看板",
        "试用期就让区域经理看到排名，内部竞争推动了采购决策。",
    ),
    (
        "合同与回款管理",
        "合同纸质归档，回款靠销售自己记，应收账龄说不清。",
        "合同电子化、回款计划和到期提醒，应收账龄自动统计。",
        "合同管理\n回款管理\n提醒服务",
        "财务和销售对回款口径不同，方案阶段先统一口径再谈系统。",
    ),
]


def load(context: dict) -> None:
    rng = random.Random(context["seed"] + 13)
    won = list(
        Opportunity.objects.won()
        .filter(case__isnull=True)
        .select_related("customer", "owner")
        .order_by("-won_amount", "pk")[:40]
    )
    rng.shuffle(won)
    industries = list(DictionaryItem.objects.filter(dictionary__code="industry", is_active=True))
    made = 0
    for (title, problem, solution, products, lessons), opportunity in zip(STORIES, won, strict=False):
        published = made < 8  # two drafts still being written
        Case.objects.create(
            opportunity=opportunity,
            title=title,
            problem=problem,
            solution=solution,
            products=products,
            lessons=lessons,
            amount=opportunity.won_amount,
            author=opportunity.owner,
            industry=opportunity.customer.industry or (rng.choice(industries) if industries else None),
            status=Case.Status.PUBLISHED if published else Case.Status.DRAFT,
            published_at=timezone.now() - timezone.timedelta(days=rng.randint(3, 200)) if published else None,
            updated_by=opportunity.owner,
        )
        made += 1
    note = "" if made == len(STORIES) else f" (only {made} won opportunities to write up)"
    context["stdout"].write(f"  Case library: {made} cases{note}.")
