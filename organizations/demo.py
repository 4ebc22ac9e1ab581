"""The demo union trees of seeds/README.md: invented names, real structure and counts.

Pingtang (平塘县总工会) has exactly 506 organizations below it: 285 in the organ sector
(its 10 township federations, county organs and institutions, township organs, schools,
clinics, communities and relocation sites) and 221 enterprise unions. Shuangyashan
(双鸭山市总工会) has its four district federations, each with a few unions of its own.
Everything is generated from a fixed seed, so every run builds the same records."""

import datetime
import random

from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from organizations.models import MembershipFigure, Organization, OrganizationKind, UnitType
from unionportal.validators import credit_code_check_char

K = OrganizationKind
U = UnitType

PINGTANG = "平塘县总工会"
SHUANGYASHAN = "双鸭山市总工会"
SHUANGYASHAN_DISTRICTS = ["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"]
PINGTANG_TOWNSHIPS = [
    "平湖镇",
    "金盆街道",
    "通州镇",
    "大塘镇",
    "克度镇",
    "塘边镇",
    "者密镇",
    "牙舟镇",
    "掌布镇",
    "卡蒲毛南族乡",
]
COUNTY_ORGANS = [
    "县委办公室",
    "县人大常委会办公室",
    "县人民政府办公室",
    "县政协办公室",
    "县纪委县监委",
    "县委组织部",
    "县委宣传部",
    "县委统战部",
    "县委政法委",
    "县发展和改革局",
    "县教育局",
    "县科技局",
    "县工业和信息化局",
    "县公安局",
    "县民政局",
    "县司法局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源局",
    "县生态环境局",
    "县住房和城乡建设局",
    "县交通运输局",
    "县水务局",
    "县农业农村局",
    "县商务局",
    "县文体广电旅游局",
    "县卫生健康局",
    "县退役军人事务局",
    "县应急管理局",
    "县审计局",
    "县市场监督管理局",
    "县统计局",
    "县医疗保障局",
    "县林业局",
    "县生态移民局",
    "县人民法院",
    "县人民检察院",
    "县总工会机关",
    "团县委",
    "县妇联",
    "县残联",
    "县供销社",
    "县档案馆",
    "县融媒体中心",
    "县税务局",
    "县气象局",
    "县消防救援大队",
    "县公路管理段",
    "县城市管理局",
    "县投资促进局",
]
COUNTY_INSTITUTIONS = [
    "县人民医院",
    "县中医院",
    "县妇幼保健院",
    "县疾病预防控制中心",
    "县第一中学",
    "县民族中学",
    "县第二中学",
    "县职业技术学校",
    "县实验小学",
    "县第二小学",
    "县第三小学",
    "县第四小学",
    "县第一幼儿园",
    "县第二幼儿园",
    "县特殊教育学校",
    "县图书馆",
    "县文化馆",
    "县博物馆",
    "县天文科普教育中心",
    "县农业技术推广站",
    "县畜牧兽医站",
    "县林业站",
    "县水文站",
    "县社会福利院",
    "县就业局",
    "县社会保险事业局",
    "县不动产登记中心",
    "县政务服务中心",
    "县公共资源交易中心",
    "县教师发展中心",
    "县国有林场",
    "县城市建设投资服务中心",
    "县环境卫生服务站",
    "县殡仪馆",
    "县烟草专卖局",
    "县广播电视台",
    "县老年大学",
    "县青少年活动中心",
    "县体育中心",
    "县产业园区管理委员会",
    "县旅游服务中心",
    "县水利工程管理站",
    "县种子管理站",
    "县动物疫病预防控制中心",
    "县血站",
]
COUNTY_STATE_ENTERPRISES = [
    "平塘供电局",
    "中国移动平塘分公司",
    "中国联通平塘分公司",
    "中国电信平塘分公司",
    "中国邮政平塘分公司",
    "平塘县农村信用合作联社",
    "中国农业银行平塘支行",
    "中国工商银行平塘支行",
    "中国建设银行平塘支行",
    "中国银行平塘支行",
    "贵州银行平塘支行",
    "平塘县城市投资开发有限公司",
    "平塘县交通建设投资有限公司",
    "平塘县水务投资有限责任公司",
    "平塘县旅游文化投资有限公司",
    "中国人寿平塘支公司",
    "中国人保财险平塘支公司",
    "平塘县粮油购销公司",
    "平塘县石油分公司",
    "平塘县自来水公司",
]
ENTERPRISE_PREFIXES = [
    "鑫源",
    "恒达",
    "天诚",
    "黔南",
    "金盆",
    "甲茶",
    "天眼",
    "掌布",
    "玉水",
    "通达",
    "兴旺",
    "宏图",
    "华盛",
    "盛世",
    "永安",
    "瑞丰",
    "润泽",
    "嘉禾",
    "佳和",
    "黔丰",
    "平舟",
    "牙舟",
    "毛南",
    "云雾",
    "苗岭",
    "山水",
    "绿源",
    "星辰",
    "远航",
    "福瑞",
]
ENTERPRISE_TRADES = [
    "建材有限公司",
    "农业发展有限公司",
    "茶业有限公司",
    "旅游开发有限公司",
    "酒店管理有限公司",
    "物流有限公司",
    "建筑工程有限公司",
    "矿业有限公司",
    "食品有限公司",
    "电子商务有限公司",
    "新能源有限公司",
    "汽车运输有限公司",
    "陶瓷有限公司",
    "商贸有限公司",
    "养殖专业合作社",
    "中药材种植有限公司",
    "家具制造有限公司",
    "大酒店",
]
TOWNSHIP_UNITS = [
    ("人民政府机关", U.ORGAN),
    ("中心学校", U.INSTITUTION),
    ("中学", U.INSTITUTION),
    ("卫生院", U.INSTITUTION),
    ("中心完小", U.INSTITUTION),
    ("幼儿园", U.INSTITUTION),
    ("派出所", U.ORGAN),
    ("财政所", U.ORGAN),
    ("农业服务中心", U.INSTITUTION),
    ("社会事务服务中心", U.INSTITUTION),
    ("综治中心", U.ORGAN),
    ("村镇建设服务中心", U.INSTITUTION),
    ("文化服务中心", U.INSTITUTION),
    ("林业站", U.INSTITUTION),
    ("兽医站", U.INSTITUTION),
    ("供电所", U.ORGAN),
    ("司法所", U.ORGAN),
]
# Relocation settlements (易地扶贫搬迁安置点) and communities: one each in these townships.
RELOCATION_SITES = {
    "金盆街道": "金盆社区易地扶贫搬迁安置点",
    "平湖镇": "摆茹社区易地扶贫搬迁安置点",
    "通州镇": "通州镇安置点",
    "克度镇": "克度镇天文小镇安置点",
}

PINGTANG_FIRST_YEAR = 2014
SHUANGYASHAN_FIRST_YEAR = 2011


def demo_reason():
    """The reason the history gives for what the demo made, in the language it is loaded in."""
    return gettext("demo data")


def _credit_code(rng, region="522727"):
    body = "91" + region + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + credit_code_check_char(body)


def _established(rng, start=1985, end=2013):
    return datetime.date(rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28))


def pingtang_plan(rng):
    """The Pingtang tree as (parent name or None, fields) in creation order."""
    plan = [
        (
            None,
            {
                "name": PINGTANG,
                "short_name": "平塘县总",
                "kind": K.COUNTY_FEDERATION,
                "unit_type": U.ORGAN,
                "established": datetime.date(1952, 5, 1),
                "address": "贵州省黔南州平塘县平湖镇",
                "phone": "0854-7221234",
                "contact_person": "王明",
            },
        )
    ]
    townships = [f"{t}工会联合会" for t in PINGTANG_TOWNSHIPS]
    for name in townships:
        plan.append(
            (
                PINGTANG,
                {
                    "name": name,
                    "kind": K.TOWNSHIP_FEDERATION,
                    "unit_type": U.ORGAN,
                    "established": _established(rng, 1990, 2005),
                },
            )
        )
    # Organ sector: 10 township federations + 95 county organs and institutions + 180 township units = 285.
    for name in COUNTY_ORGANS:
        plan.append(
            (
                PINGTANG,
                {
                    "name": f"平塘{name}工会",
                    "kind": K.GRASSROOTS,
                    "unit_type": U.ORGAN,
                    "established": _established(rng),
                },
            )
        )
    for name in COUNTY_INSTITUTIONS:
        plan.append(
            (
                PINGTANG,
                {
                    "name": f"平塘{name}工会",
                    "kind": K.GRASSROOTS,
                    "unit_type": U.INSTITUTION,
                    "established": _established(rng),
                },
            )
        )
    for township, federation in zip(PINGTANG_TOWNSHIPS, townships, strict=True):
        units = list(TOWNSHIP_UNITS)
        if township in RELOCATION_SITES:
            units = [*units[:16], (RELOCATION_SITES[township].removeprefix(township), U.RELOCATION_SITE)]
        units = [*units, (f"{township.removesuffix('镇').removesuffix('乡').removesuffix('街道')}社区", U.COMMUNITY)]
        for unit, unit_type in units[:18]:
            plan.append(
                (
                    federation,
                    {
                        "name": f"{township}{unit}工会",
                        "kind": K.GRASSROOTS,
                        "unit_type": unit_type,
                        "established": _established(rng, 1995, 2017),
                    },
                )
            )
    # Enterprise sector: 20 state enterprises under the county, 201 private ones across the townships = 221.
    for name in COUNTY_STATE_ENTERPRISES:
        plan.append(
            (
                PINGTANG,
                {
                    "name": f"{name}工会",
                    "kind": K.GRASSROOTS,
                    "unit_type": U.STATE_ENTERPRISE,
                    "credit_code": _credit_code(rng),
                    "established": _established(rng),
                },
            )
        )
    names = [f"平塘县{p}{t}" for p in ENTERPRISE_PREFIXES for t in ENTERPRISE_TRADES]
    rng.shuffle(names)
    for index, name in enumerate(names[:201]):
        federation = townships[index % len(townships)]
        joint = index % 25 == 24
        plan.append(
            (
                federation,
                {
                    "name": f"{name}{'联合' if joint else ''}工会",
                    "kind": K.JOINT_GRASSROOTS if joint else K.GRASSROOTS,
                    "unit_type": U.PRIVATE_ENTERPRISE,
                    "credit_code": _credit_code(rng),
                    "established": _established(rng, 2000, 2017),
                },
            )
        )
    return plan


def shuangyashan_plan(rng):
    plan = [
        (
            None,
            {
                "name": SHUANGYASHAN,
                "short_name": "双鸭山市总",
                "kind": K.CITY_FEDERATION,
                "unit_type": U.ORGAN,
                "established": datetime.date(1948, 10, 1),
                "address": "黑龙江省双鸭山市尖山区",
                "phone": "0469-4221234",
                "contact_person": "李强",
            },
        )
    ]
    units = [
        ("机关", U.ORGAN),
        ("第一中学", U.INSTITUTION),
        ("人民医院", U.INSTITUTION),
        ("煤矿机械有限公司", U.PRIVATE_ENTERPRISE),
        ("供热有限公司", U.STATE_ENTERPRISE),
    ]
    for district in SHUANGYASHAN_DISTRICTS:
        plan.append(
            (
                SHUANGYASHAN,
                {
                    "name": district,
                    "short_name": district.removesuffix("总工会"),
                    "kind": K.COUNTY_FEDERATION,
                    "unit_type": U.ORGAN,
                    "established": _established(rng, 1950, 1960),
                },
            )
        )
        prefix = district.removesuffix("总工会")
        for unit, unit_type in units:
            fields = {
                "name": f"{prefix}{unit}工会",
                "kind": K.GRASSROOTS,
                "unit_type": unit_type,
                "established": _established(rng, 1980, 2010),
            }
            if unit_type in (U.PRIVATE_ENTERPRISE, U.STATE_ENTERPRISE):
                fields["credit_code"] = _credit_code(rng, "230502")
            plan.append((district, fields))
    return plan


def _build(plan):
    created = {}
    for parent_name, fields in plan:
        parent = created.get(parent_name) if parent_name else None
        existing = Organization.objects.filter(parent=parent, name=fields["name"]).first()
        if existing is None:
            instance = Organization(parent=parent, **fields)
            instance._change_reason = demo_reason()
            if parent is None:
                existing = Organization.objects.add_root(instance=instance)
            else:
                existing = Organization.objects.add_child(parent, instance=instance)
                parent.refresh_from_db(fields=["numchild"])
        created[fields["name"]] = existing
    return created


def _figures(rng, organizations, first_year, last_year):
    """Yearly membership figures for every grassroots union that has none yet."""
    have = set(
        MembershipFigure.objects.filter(organization__in=organizations).values_list("organization_id", flat=True)
    )
    figures = []
    for organization in organizations:
        if organization.kind not in (K.GRASSROOTS, K.JOINT_GRASSROOTS) or organization.pk in have:
            continue
        enterprise = organization.unit_type in (U.STATE_ENTERPRISE, U.PRIVATE_ENTERPRISE)
        members = rng.randint(20, 260 if enterprise else 120)
        start = max(first_year, organization.established.year if organization.established else first_year)
        for year in range(start, last_year + 1):
            members = max(5, members + rng.randint(-6, 10))
            employees = members + rng.randint(0, members // 8 + 1)
            figures.append(
                MembershipFigure(
                    organization=organization,
                    year=year,
                    members=members,
                    employees=employees,
                    women_members=round(members * rng.uniform(0.3, 0.6)),
                    migrant_members=round(members * rng.uniform(0.2, 0.5))
                    if enterprise
                    else round(members * rng.uniform(0, 0.05)),
                )
            )
    bulk_create_with_history(figures, MembershipFigure, batch_size=1000, default_change_reason=demo_reason())
    return len(figures)


def load(last_year=None):
    """Build both demo trees (idempotent) and return the organizations by name."""
    last_year = last_year or datetime.date.today().year
    rng = random.Random(2018)
    pingtang = _build(pingtang_plan(rng))
    rng_s = random.Random(2013)
    shuangyashan = _build(shuangyashan_plan(rng_s))
    _figures(random.Random(506), list(pingtang.values()), PINGTANG_FIRST_YEAR, last_year)
    _figures(random.Random(24), list(shuangyashan.values()), SHUANGYASHAN_FIRST_YEAR, last_year)
    return {**pingtang, **shuangyashan}
