"""Demo hardship files and relief of Pingtang, 2014 to 31 March 2018: exactly 1,105,000.00
yuan in 850 person-times (seeds/README.md), through the real workflow (prepared and submitted
by the county's staff, approved by its approver, paid).

    两节送温暖     5 years × 52 workers × 1,000 (800 cash + 200 in kind)   260,000   260
    金秋助学       4 years × 25 students' families × 3,000                300,000   100
    大病救助       50 sick workers × 6,800                               340,000    50
    环卫工人慰问   4 groups of 80, 75, 80, 75 × 16,000                    64,000   310
    一线职工高温慰问 3 groups of 30 × 30,000                               90,000    90
    留守儿童和空巢老人慰问 2 groups of 20 × 25,500                         51,000    40
                                                              1,105,000.00   850

ID numbers use the unassigned county code 522799; bank accounts are invented."""

import datetime
import random
from decimal import Decimal

from accounts.models import User
from organizations.demo import demo_reason
from organizations.models import OrganizationKind
from relief import services
from relief.models import Beneficiary, Cause, Disbursement, HardshipLevel, Programme
from unionportal.validators import resident_id_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "明华建国军平志伟芳红英丽敏静霞秀兰玉梅强磊涛斌浩勇杰峰鹏宇辉刚健波超亮俊林海燕丹琳雪婷娟萍洁慧颖晶莉倩云飞"
D = Decimal

PROGRAMMES = {
    # name: (budget per year, standard amount, cap per person)
    "两节送温暖": (D("60000"), D("1000"), D("2000")),
    "金秋助学": (D("80000"), D("3000"), D("5000")),
    "大病救助": (D("120000"), D("6800"), D("10000")),
    "节日慰问": (D("120000"), D("1000"), D("2000")),
}
GROUPS = [
    # (programme, group, year, month, head count, amount)
    ("节日慰问", "环卫工人", 2014, 9, 80, D("16000")),
    ("节日慰问", "环卫工人", 2015, 9, 75, D("16000")),
    ("节日慰问", "环卫工人", 2016, 9, 80, D("16000")),
    ("节日慰问", "环卫工人", 2017, 9, 75, D("16000")),
    ("节日慰问", "一线职工（高温慰问）", 2015, 7, 30, D("30000")),
    ("节日慰问", "一线职工（高温慰问）", 2016, 7, 30, D("30000")),
    ("节日慰问", "一线职工（高温慰问）", 2017, 7, 30, D("30000")),
    ("节日慰问", "留守儿童和空巢老人", 2016, 6, 20, D("25500")),
    ("节日慰问", "留守儿童和空巢老人", 2017, 6, 20, D("25500")),
]


def _id_number(rng, serial):
    birth = datetime.date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
    body = f"522799{birth:%Y%m%d}{serial % 1000:03d}"
    return body + resident_id_check_char(body)


def _beneficiaries(rng, unions, count):
    people = []
    for serial in range(1, count + 1):
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        causes = rng.sample([c.value for c in Cause], rng.randint(1, 2))
        if serial <= 40:
            causes = sorted({*causes, Cause.SCHOOLING})
        person = Beneficiary(
            full_name=rng.choice(SURNAMES) + given,
            id_number=_id_number(rng, 500 + serial),
            organization=rng.choice(unions),
            hardship_level=rng.choice([HardshipLevel.DEEP, HardshipLevel.RELATIVE, HardshipLevel.RELATIVE]),
            causes=causes,
            household_size=rng.randint(2, 6),
            monthly_income_per_head=D(rng.randint(300, 900)),
            bank_name="平塘县农村信用合作联社",
            bank_account=f"6228{rng.randint(10**14, 10**15 - 1)}",
            filed_on=datetime.date(2013, rng.randint(9, 12), rng.randint(1, 28)),
        )
        person._change_reason = demo_reason()
        person.full_clean()
        person.save()
        people.append(person)
    return people


def _pay(staff, approver, **fields):
    disbursement = services.disbursement_create(user=staff, **fields)
    services.disbursement_submit(disbursement=disbursement, user=staff)
    services.disbursement_approve(disbursement=disbursement, user=approver)
    services.disbursement_pay(disbursement=disbursement, user=staff)
    return disbursement


def load(organizations):
    pingtang = organizations["平塘县总工会"]
    if Disbursement.objects.filter(paying_organization=pingtang).exists():
        return Disbursement.objects.count()
    staff = User.objects.get(username="pingtang_staff")
    approver = User.objects.get(username="pingtang_approver")
    rng = random.Random(850)
    unions = sorted(
        (
            o
            for o in organizations.values()
            if o.kind == OrganizationKind.GRASSROOTS and o.path.startswith(pingtang.path)
        ),
        key=lambda o: o.path,
    )
    people = _beneficiaries(rng, unions, 120)
    programmes = {}
    for year in range(2014, 2019):
        for name, (budget, standard, cap) in PROGRAMMES.items():
            programmes[name, year] = Programme.objects.create(
                name=name, year=year, owner=pingtang, budget=budget, standard_amount=standard, cap_per_person=cap
            )

    def pay(name, year, month, day, **fields):
        return _pay(
            staff,
            approver,
            programme=programmes[name, year],
            date=datetime.date(year, month, day),
            paying_organization=pingtang,
            **fields,
        )

    for year in range(2014, 2019):
        for person in people[:52]:
            pay("两节送温暖", year, 1, 20, beneficiary=person, cash=D("800"), in_kind_value=D("200"))
    for year in range(2014, 2018):
        for person in rng.sample(people[:40], 25):
            pay("金秋助学", year, 8, 25, beneficiary=person, cash=D("3000"))
    for index, person in enumerate(rng.sample(people, 50)):
        year = 2014 + index % 4 if index < 48 else 2018
        pay("大病救助", year, 3 if year == 2018 else 5 + index % 6, 10, beneficiary=person, cash=D("6800"))
    for name, group, year, month, head_count, amount in GROUPS:
        pay(name, year, month, 15, group_name=group, head_count=head_count, in_kind_value=amount)
    # Waiting for the approver: after the report date, so the summary's figures stay exact.
    for person in people[52:55]:
        disbursement = services.disbursement_create(
            user=staff,
            programme=programmes["大病救助", 2018],
            beneficiary=person,
            cash=D("5000"),
            date=datetime.date(2018, 5, 8),
            paying_organization=pingtang,
        )
        services.disbursement_submit(disbursement=disbursement, user=staff)
    return Disbursement.objects.count()
