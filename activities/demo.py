"""Demo activities, campaigns and honours of seeds/README.md.

Pingtang's honours since 2014 are exactly those the summary lists (2 national, 6 provincial,
40 prefecture, 188 county), spread over 2014-2018 and over invented recipients: unions for
collective titles, people for individual ones. Its labour competitions add up to 15,000
participant person-times; the employment services to 30,000 handbooks, 90 enterprises and
5,000 jobs; the relocation-site courses to 20 courses, 2,700 trainees and 500 placed."""

import datetime
import random
from decimal import Decimal

from activities.models import Activity, ActivityKind, Campaign, Honour, HonourLevel, HonourTitle, RecipientType
from organizations.demo import demo_reason
from organizations.models import OrganizationKind, UnitType

K = ActivityKind
N, P, F, C = HonourLevel.NATIONAL, HonourLevel.PROVINCIAL, HonourLevel.PREFECTURE, HonourLevel.COUNTY
COLLECTIVE, INDIVIDUAL = RecipientType.COLLECTIVE, RecipientType.INDIVIDUAL

# (title, level, recipient type, count, conferring body)
PINGTANG_HONOURS = [
    ("模范职工之家", N, COLLECTIVE, 1, "中华全国总工会"),
    ("模范职工小家", N, COLLECTIVE, 1, "中华全国总工会"),
    ("模范职工之家", P, COLLECTIVE, 3, "贵州省总工会"),
    ("模范职工小家", P, COLLECTIVE, 1, "贵州省总工会"),
    ("五一劳动奖", P, COLLECTIVE, 1, "贵州省总工会"),
    ("行业道德标兵", P, INDIVIDUAL, 1, "贵州省总工会"),
    ("五一劳动奖状", F, COLLECTIVE, 2, "黔南州总工会"),
    ("工人先锋号", F, COLLECTIVE, 2, "黔南州总工会"),
    ("五一劳动奖章", F, INDIVIDUAL, 4, "黔南州总工会"),
    ("模范职工之家", F, COLLECTIVE, 12, "黔南州总工会"),
    ("好花红五星级工会组织", F, COLLECTIVE, 7, "黔南州总工会"),
    ("好花红四星级工会组织", F, COLLECTIVE, 13, "黔南州总工会"),
    ("五一劳动标兵岗", C, COLLECTIVE, 32, "平塘县总工会"),
    ("五一巾帼标兵岗", C, COLLECTIVE, 21, "平塘县总工会"),
    ("工人先锋号", C, COLLECTIVE, 9, "平塘县总工会"),
    ("平塘工匠", C, INDIVIDUAL, 7, "平塘县总工会"),
    ("创业之星", C, INDIVIDUAL, 9, "平塘县总工会"),
    ("五一劳动标兵", C, INDIVIDUAL, 60, "平塘县总工会"),
    ("巾帼标兵", C, INDIVIDUAL, 50, "平塘县总工会"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "明华建国军平志伟芳红英丽敏静霞秀兰玉梅强磊涛斌浩勇杰峰鹏宇辉刚健波超亮俊林海燕丹琳雪婷娟萍洁慧颖晶莉倩云飞"


def _title(name, level, recipient_type, owner):
    shipped = HonourTitle.objects.filter(name=name, level=level, owner=None).first()
    if shipped:
        return shipped
    title, _created = HonourTitle.objects.get_or_create(
        name=name, level=level, owner=owner, defaults={"recipient_type": recipient_type}
    )
    return title


def load_honours(pingtang, unions, rng):
    if Honour.objects.filter(organization__path__startswith=pingtang.path).exists():
        return
    years = [2014, 2015, 2016, 2017, 2018]
    honours = []
    for name, level, recipient_type, count, body in PINGTANG_HONOURS:
        title = _title(name, level, recipient_type, pingtang)
        recipients = rng.sample(unions, count)
        for index, union in enumerate(recipients):
            # 2018's honours are those of the first quarter: fewer of them.
            year = years[index % 5] if index % 9 else 2018
            honour = Honour(
                title=title,
                year=year,
                organization=union,
                conferring_body=body,
                document_number=f"{body[:2]}工发〔{year}〕{rng.randint(1, 60)}号",
                recommended_by=pingtang,
            )
            if recipient_type == INDIVIDUAL:
                given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
                honour.recipient_name = rng.choice(SURNAMES) + given
                honour.recipient_unit = union.name.removesuffix("工会")
            honour._change_reason = demo_reason()
            honours.append(honour)
    for honour in honours:
        honour.save()


def _activity(organizer, title, kind, start, campaign=None, **fields):
    activity, _created = Activity.objects.get_or_create(
        organizer=organizer, title=title, start=start, defaults={"kind": kind, "campaign": campaign, **fields}
    )
    return activity


def load_pingtang_activities(pingtang, organizations, rng):
    day = datetime.date
    competitions = [
        ("全县医疗救助大比武", day(2017, 6, 12), 4200, "平塘县卫生健康局"),
        ("全县中小学优质课评比", day(2016, 11, 7), 5600, "平塘县教育局"),
        ("公路建设安全生产大比武", day(2017, 9, 18), 3400, "平塘县交通运输局"),
        ("全县金融系统职工运动会", day(2015, 10, 23), 1800, "平塘县农村信用合作联社"),
    ]
    for title, start, participants, place in competitions:
        _activity(pingtang, title, K.COMPETITION, start, participants=participants, place=place)
    may_day = {}
    for year in (2017, 2018):
        may_day[year], _ = Campaign.objects.get_or_create(
            organizer=pingtang,
            name="阳光职工·幸福平塘“五一”系列活动",
            year=year,
            defaults={"description": "庆祝“五一”国际劳动节系列职工文体活动"},
        )
    series = [
        ("“五一”职工演讲比赛", K.SPEECH, day(2017, 4, 26), 320, 24, Decimal("8000.00")),
        ("“五一”职工象棋比赛", K.CULTURAL, day(2017, 4, 22), 180, 0, Decimal("5000.00")),
        ("“五一”职工摄影作品展", K.ART, day(2017, 4, 28), 600, 156, Decimal("6000.00")),
        ("“五一”职工书法作品展", K.ART, day(2017, 4, 28), 450, 98, Decimal("4000.00")),
        ("职工周末足球联赛", K.CULTURAL, day(2017, 5, 6), 540, 0, Decimal("12000.00")),
        ("“五一”职工演讲比赛", K.SPEECH, day(2018, 4, 25), 280, 20, Decimal("8000.00")),
    ]
    for title, kind, start, participants, entries, funds in series:
        _activity(
            pingtang,
            title,
            kind,
            start,
            campaign=may_day[start.year],
            participants=participants,
            entries=entries,
            funds_spent=funds,
        )
    _activity(pingtang, "“三八”妇女节女职工健步走", K.WALK, day(2017, 3, 8), participants=800)
    _activity(pingtang, "“三八”妇女节女职工健步走", K.WALK, day(2018, 3, 8), participants=700)
    _activity(pingtang, "“中国梦·劳动美”职工读书征文", K.READING, day(2017, 7, 1), participants=80, entries=80)
    _activity(
        pingtang,
        "农民工“春风行动”专场招聘会",
        K.EMPLOYMENT,
        day(2017, 2, 10),
        participants=6200,
        materials=18000,
        enterprises=55,
        jobs_offered=3000,
        people_placed=420,
    )
    _activity(
        pingtang,
        "农民工“春风行动”专场招聘会",
        K.EMPLOYMENT,
        day(2018, 2, 26),
        participants=4100,
        materials=12000,
        enterprises=35,
        jobs_offered=2000,
        people_placed=310,
    )
    _activity(pingtang, "选送青年参加职业技能培训", K.TRAINING, day(2017, 8, 14), participants=25)
    _activity(pingtang, "职工爱心服务卡发放", K.VISIT, day(2016, 12, 20), participants=7200, materials=7200)
    sites = [
        o
        for o in organizations.values()
        if o.unit_type == UnitType.RELOCATION_SITE and o.path.startswith(pingtang.path)
    ]
    trainees = [135] * 20
    placed = [25] * 20
    for number in range(20):
        site = sites[number % len(sites)]
        start = day(2017 + number // 12, number % 12 + 1 if number < 12 else (number - 12) % 3 + 1, 15)
        _activity(
            site,
            f"易地扶贫搬迁安置点就业技能培训（第{number + 1}期）",
            K.TRAINING,
            start,
            participants=trainees[number],
            people_placed=placed[number],
            place=site.name.removesuffix("工会"),
        )


def load_shuangyashan_activities(organizations):
    day = datetime.date
    jianshan, baoshan = organizations["尖山区总工会"], organizations["宝山区总工会"]
    jianshan_may = Campaign.objects.get_or_create(
        organizer=jianshan,
        name="尖山区“五一”职工系列活动",
        year=2012,
        defaults={"description": "区政府支持经费3.3万元"},
    )[0]
    baoshan_may = Campaign.objects.get_or_create(
        organizer=baoshan, name="宝山区“五一”系列活动", year=2012, defaults={"description": "区政府支持经费10万元"}
    )[0]
    _activity(
        jianshan,
        "尖山区职工乒乓球比赛",
        K.CULTURAL,
        day(2012, 4, 20),
        campaign=jianshan_may,
        participants=260,
        funds_spent=Decimal("13000.00"),
    )
    _activity(
        jianshan,
        "尖山区职工读书征文活动",
        K.READING,
        day(2012, 4, 10),
        campaign=jianshan_may,
        participants=420,
        entries=186,
        funds_spent=Decimal("10000.00"),
    )
    _activity(
        jianshan,
        "尖山区职工演讲比赛",
        K.SPEECH,
        day(2012, 4, 27),
        campaign=jianshan_may,
        participants=300,
        entries=32,
        funds_spent=Decimal("10000.00"),
    )
    _activity(
        baoshan,
        "宝山区“五一”职工文艺汇演",
        K.CULTURAL,
        day(2012, 4, 28),
        campaign=baoshan_may,
        participants=1500,
        funds_spent=Decimal("60000.00"),
    )
    _activity(
        baoshan,
        "宝山区职工技能比武",
        K.SKILLS_CONTEST,
        day(2012, 4, 18),
        campaign=baoshan_may,
        participants=380,
        funds_spent=Decimal("40000.00"),
    )


def load(organizations):
    rng = random.Random(2014)
    pingtang = organizations["平塘县总工会"]
    unions = sorted(
        (
            o
            for o in organizations.values()
            if o.kind in (OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS)
            and o.path.startswith(pingtang.path)
        ),
        key=lambda o: o.path,
    )
    load_honours(pingtang, unions, rng)
    load_pingtang_activities(pingtang, organizations, rng)
    load_shuangyashan_activities(organizations)
    return Activity.objects.count(), Honour.objects.count()
