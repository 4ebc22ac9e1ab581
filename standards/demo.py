"""Demo standards, fund allocations and assessments (seeds/000 and seeds/003).

Shuangyashan: the district-union standard of seed 000; in 2012 each district federation gets
2,500 yuan a month from the city (30,000.00 in the year) and is assessed compliant. The
city's one-off support of the standardization drive (activity subsidies, office equipment,
books, festival relief over two festival seasons) is dated 2011, the drive's first year; the
2012 money of the 宝山区 and 尖山区 governments is recorded as outside funds.
Pingtang: the 好花红 star standard with 7 five-star and 13 four-star unions (2017), matching
its prefecture honours, and the "eight goods" standard for its township federations."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from cadres.models import Rank
from organizations.models import FundAllocation, OrganizationKind, Purpose
from organizations.services import fund_allocation_create
from standards import services
from standards.models import Assessment, Criterion, Measure, RatingThreshold, Standard

K = OrganizationKind
DISTRICTS = ["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"]

DISTRICT_STANDARD = {
    "name": "县(区)工会规范化建设标准",
    "kinds": [K.COUNTY_FEDERATION],
    "pass_points": Decimal(80),
    "expected_chair_rank": Rank.DEPUTY_DIVISION,
    "description": (
        "双鸭山市总工会推进县区工会规范化建设：办公场所、人员配备、主席职级、经费、办公设备、用车、职工书屋。"
    ),
    "criteria": [
        ("office", "有固定办公场所", "阵地建设", 15, True, "", None),
        ("staffing", "配备不少于6名工作人员", "人员配备", 20, True, Measure.STAFF_COUNT, 6),
        ("chair", "主席按副处级配备、公开选拔", "人员配备", 15, True, Measure.CHAIR_RANK, None),
        ("funding", "上级工会按月下拨日常工作经费", "经费保障", 15, True, Measure.ROUTINE_FUNDS, 30000),
        ("equipment", "实现办公自动化", "办公条件", 10, True, "", None),
        ("vehicle", "配备工作用车", "办公条件", 10, False, "", None),
        ("library", "建有职工书屋", "阵地建设", 10, False, "", None),
        ("training", "每年开展工会干部培训", "能力建设", 5, False, "", None),
    ],
    "thresholds": [],
}
STAR_STANDARD = {
    "name": "好花红星级工会评定标准",
    "kinds": [K.GRASSROOTS, K.JOINT_GRASSROOTS],
    "pass_points": Decimal(60),
    "expected_chair_rank": "",
    "description": (
        "黔南州“好花红”星级工会组织评定：组织、制度、阵地、经费、民主管理、维权服务、竞赛、文体、帮扶、满意度。"
    ),
    "criteria": [
        ("organization", "组织健全，按期换届", "组织建设", 10, True, "", None),
        ("rules", "制度完善，规范运行", "组织建设", 10, False, "", None),
        ("home", "建有职工之家", "阵地建设", 10, True, "", None),
        ("funds", "工会经费足额拨缴", "经费保障", 10, True, "", None),
        ("democracy", "坚持职代会制度", "民主管理", 10, False, "", None),
        ("rights", "维权服务到位", "维权服务", 10, False, "", None),
        ("competition", "组织劳动竞赛", "建功立业", 10, False, "", None),
        ("culture", "开展文体活动", "职工文化", 10, False, "", None),
        ("relief", "困难职工帮扶", "帮扶救助", 10, False, "", None),
        ("satisfaction", "会员满意度高", "群众评价", 10, False, "", None),
    ],
    "thresholds": [(5, 90, True), (4, 80, True), (3, 70, True), (2, 60, False), (1, 50, False)],
}
EIGHT_GOODS = {
    "name": "“八好”乡镇(街道)工会标准",
    "kinds": [K.TOWNSHIP_FEDERATION],
    "pass_points": Decimal(75),
    "expected_chair_rank": Rank.DEPUTY_SECTION,
    "description": "领导班子好、组织建设好、制度落实好、阵地建设好、经费保障好、作用发挥好、维权服务好、群众评价好。",
    "criteria": [
        (f"g{index}", title, "八好", Decimal("12.5"), index <= 2, measure, threshold)
        for index, (title, measure, threshold) in enumerate(
            [
                ("领导班子好", Measure.CHAIR_RANK, None),
                ("组织建设好", "", None),
                ("制度落实好", "", None),
                ("阵地建设好", "", None),
                ("经费保障好", "", None),
                ("作用发挥好", "", None),
                ("维权服务好", "", None),
                ("群众评价好", "", None),
            ],
            start=1,
        )
    ],
    "thresholds": [],
}


def _standard(owner, spec):
    standard, created = Standard.objects.get_or_create(
        owner=owner,
        name=spec["name"],
        defaults={key: spec[key] for key in ("kinds", "pass_points", "expected_chair_rank", "description")},
    )
    if created:
        for order, (code, title, category, points, must_pass, measure, threshold) in enumerate(spec["criteria"]):
            Criterion.objects.create(
                standard=standard,
                code=code,
                title=title,
                category=category,
                points=Decimal(points),
                must_pass=must_pass,
                measure=measure,
                threshold=threshold,
                order=order,
            )
        for rating, min_points, requires in spec["thresholds"]:
            RatingThreshold.objects.create(
                standard=standard, rating=rating, min_points=min_points, requires_all_must_pass=requires
            )
    return standard


def _allocate(user, **fields):
    exists = FundAllocation.objects.filter(
        recipient=fields["recipient"],
        date=fields["date"],
        purpose=fields["purpose"],
        source=fields.get("source"),
        source_name=fields.get("source_name", ""),
    ).exists()
    if not exists:
        fund_allocation_create(user=user, **fields)


def _assess(organization, standard, year, met_codes, staff, approver, approved_on):
    """Prepare, submit and approve one assessment through the services, as the demo staff
    and approver would; the criteria in `met_codes` (and the measured ones that are met) count."""
    if Assessment.objects.filter(organization=organization, standard=standard, year=year).exists():
        return
    assessment = services.assessment_create(organization=organization, standard=standard, year=year, user=staff)
    items = {}
    for item in assessment.items.select_related("criterion"):
        criterion = item.criterion
        met = item.met if criterion.measure else criterion.code in met_codes
        items[item.pk] = {"met": met, "points": criterion.points, "note": ""}
    services.assessment_save_items(assessment=assessment, items=items, user=staff)
    services.assessment_submit(assessment=assessment, user=staff)
    services.assessment_approve(assessment=assessment, user=approver)
    moment = timezone.make_aware(datetime.datetime.combine(approved_on, datetime.time(10)))
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=moment, approved_at=moment)


def load(organizations):
    city = organizations["双鸭山市总工会"]
    pingtang = organizations["平塘县总工会"]
    sys_staff, sys_approver = User.objects.get(username="sys_staff"), User.objects.get(username="sys_approver")
    pt_staff, pt_approver = User.objects.get(username="pingtang_staff"), User.objects.get(username="pingtang_approver")

    district_standard = _standard(city, DISTRICT_STANDARD)
    star_standard = _standard(pingtang, STAR_STANDARD)
    eight_goods = _standard(pingtang, EIGHT_GOODS)

    # Shuangyashan's money. The drive began in 2011: its one-off support is dated then.
    one_off = [
        (datetime.date(2011, 4, 20), Purpose.ACTIVITY_SUBSIDY, Decimal("102500.00"), "开展职工文体活动补贴"),
        (datetime.date(2011, 6, 15), Purpose.EQUIPMENT, Decimal("25000.00"), "配备电脑、打印机等办公自动化设备"),
        (datetime.date(2011, 9, 10), Purpose.BOOKS, Decimal("230000.00"), "配送职工书屋图书5800册"),
        (datetime.date(2011, 1, 20), Purpose.RELIEF, Decimal("130000.00"), "2011年“两节”送温暖资金"),
        (datetime.date(2011, 12, 26), Purpose.RELIEF, Decimal("125000.00"), "2012年“两节”送温暖资金"),
    ]
    for name in DISTRICTS:
        district = organizations[name]
        _allocate(
            sys_staff,
            source=city,
            recipient=district,
            date=datetime.date(2012, 1, 1),
            months=2012,
            amount=Decimal("2500.00"),
            purpose=Purpose.ROUTINE,
            note="日常工作经费，每月2500元",
        )
        for day, purpose, amount, note in one_off:
            _allocate(sys_staff, source=city, recipient=district, date=day, amount=amount, purpose=purpose, note=note)
    government = [
        (
            "宝山区总工会",
            "宝山区人民政府",
            datetime.date(2012, 4, 16),
            Purpose.ACTIVITY_SUBSIDY,
            "100000.00",
            "“五一”系列活动经费",
        ),
        ("尖山区总工会", "尖山区人民政府", datetime.date(2012, 8, 20), Purpose.RELIEF, "10000.00", "金秋助学资金"),
        (
            "尖山区总工会",
            "尖山区人民政府",
            datetime.date(2012, 4, 25),
            Purpose.ACTIVITY_SUBSIDY,
            "33000.00",
            "乒乓球赛、读书征文、演讲比赛活动经费",
        ),
    ]
    for name, source_name, day, purpose, amount, note in government:
        _allocate(
            sys_staff,
            source_name=source_name,
            recipient=organizations[name],
            date=day,
            amount=Decimal(amount),
            purpose=purpose,
            note=note,
        )

    all_district_criteria = {code for code, *_rest in DISTRICT_STANDARD["criteria"]}
    for name in DISTRICTS:
        _assess(
            organizations[name],
            district_standard,
            2012,
            all_district_criteria,
            sys_staff,
            sys_approver,
            datetime.date(2013, 1, 10),
        )

    # Pingtang 2017: 7 five-star and 13 four-star unions among its grassroots unions.
    rng = random.Random(2017)
    unions = sorted(
        (o for o in organizations.values() if o.kind == K.GRASSROOTS and o.path.startswith(pingtang.path)),
        key=lambda o: o.path,
    )
    chosen = rng.sample(unions, 20)
    codes = [code for code, *_rest in STAR_STANDARD["criteria"]]
    optional = [code for code, _t, _c, _p, must, _m, _th in STAR_STANDARD["criteria"] if not must]
    for index, union in enumerate(chosen):
        missed = set(rng.sample(optional, 1 if index < 7 else 2))  # 90 points: 5 stars; 80: 4 stars
        _assess(union, star_standard, 2017, set(codes) - missed, pt_staff, pt_approver, datetime.date(2017, 12, 15))

    townships = [
        o for o in organizations.values() if o.kind == K.TOWNSHIP_FEDERATION and o.path.startswith(pingtang.path)
    ]
    eight_codes = [code for code, *_rest in EIGHT_GOODS["criteria"]]
    for index, township in enumerate(sorted(townships, key=lambda o: o.path)):
        met = set(eight_codes) - ({"g6", "g7", "g8"} if index == 9 else set())
        _assess(township, eight_goods, 2017, met, pt_staff, pt_approver, datetime.date(2017, 12, 20))
    return [district_standard, star_standard, eight_goods]
