"""Records on both sides of the line between district A and district B, with numbers that
cannot appear by accident: a page of district B must show 3333 and never 7777."""

import datetime
from decimal import Decimal

from activities.models import Activity, ActivityKind
from organizations.models import FundAllocation, Purpose
from relief.models import Disbursement, DisbursementStatus, Programme

YEAR = 2024
A_PARTICIPANTS = 7777
B_PARTICIPANTS = 3333


def activity(organizer, participants, start=datetime.date(YEAR, 5, 1), kind=ActivityKind.COMPETITION, title=None):
    return Activity.objects.create(
        title=title or f"{organizer.name}劳动竞赛",
        kind=kind,
        organizer=organizer,
        start=start,
        participants=participants,
    )


def programme(owner, year):
    return Programme.objects.create(
        name="两节送温暖",
        year=year,
        owner=owner,
        budget=Decimal("1000000"),
        standard_amount=Decimal("500"),
        cap_per_person=Decimal("5000"),
    )


def group_disbursement(programme, organization, cash, status=DisbursementStatus.SUBMITTED, date=None, heads=3):
    return Disbursement.objects.create(
        programme=programme,
        group_name="环卫工人",
        head_count=heads,
        cash=Decimal(cash),
        date=date or datetime.date(programme.year, 1, 20),
        paying_organization=organization,
        status=status,
    )


def allocate(source, recipient, amount, date=datetime.date(YEAR, 3, 1)):
    return FundAllocation.objects.create(
        source=source, recipient=recipient, amount=Decimal(amount), date=date, purpose=Purpose.ROUTINE
    )


def both_districts(case, year=YEAR):
    """Activities and funds in both districts in `year`."""
    activity(case.union_a, A_PARTICIPANTS, start=datetime.date(year, 5, 1))
    activity(case.union_b, B_PARTICIPANTS, start=datetime.date(year, 5, 1))
    allocate(case.city, case.district_a, "71717.00", datetime.date(year, 3, 1))
    allocate(case.city, case.district_b, "31313.00", datetime.date(year, 3, 1))
