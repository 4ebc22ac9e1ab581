"""What the portal can measure of a union for a standard's criteria, from its own records:
staffing from cadres (as of the year's end) and funds from allocations (within the year)."""

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from cadres.models import RANK_ORDER, Position, Post, Rank, Staffing
from organizations.models import FundAllocation, Purpose
from standards.models import Measure


def year_end(year):
    return datetime.date(year, 12, 31)


def measure(organization, year):
    """The measured facts of one union for one year (a handful of queries, once per assessment)."""
    posts = list(
        Post.objects.in_post_on(year_end(year))
        .filter(organization=organization)
        .exclude(staffing=Staffing.SOCIAL_WORKER)
        .values("cadre_id", "position", "rank", "full_time")
    )
    chairs = [post for post in posts if post["position"] == Position.CHAIR]
    funds = FundAllocation.objects.from_unions().filter(recipient=organization, date__year=year)
    routine = funds.filter(purpose=Purpose.ROUTINE).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    received = funds.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    best_chair_rank = min((chair["rank"] for chair in chairs), key=RANK_ORDER.index, default=None)
    return {
        "staff": len({post["cadre_id"] for post in posts}),
        "chair_rank": best_chair_rank,
        "full_time_chair": any(chair["full_time"] for chair in chairs),
        "routine_funds": routine,
        "funds_received": received,
    }


def evaluate(criterion, facts, expected_chair_rank):
    """(met, text saying what was measured) for a measured criterion; None for one by hand."""
    rank_labels = dict(Rank.choices)
    if criterion.measure == Measure.STAFF_COUNT:
        met = facts["staff"] >= criterion.threshold
        return met, _("%(count)d staff in post on 31 December (cadre records)") % {"count": facts["staff"]}
    if criterion.measure == Measure.CHAIR_RANK:
        rank = facts["chair_rank"]
        if rank is None:
            return False, _("No chair in post on 31 December (cadre records)")
        met = bool(expected_chair_rank) and RANK_ORDER.index(rank) <= RANK_ORDER.index(expected_chair_rank)
        return met, _("Chair at %(rank)s (cadre records)") % {"rank": rank_labels[rank]}
    if criterion.measure == Measure.FULL_TIME_CHAIR:
        met = facts["full_time_chair"]
        return met, _("Full-time chair (cadre records)") if met else _("No full-time chair (cadre records)")
    if criterion.measure == Measure.ROUTINE_FUNDS:
        met = facts["routine_funds"] >= criterion.threshold
        return met, _("%(amount)s yuan routine funding received (fund allocations)") % {
            "amount": facts["routine_funds"]
        }
    if criterion.measure == Measure.FUNDS_RECEIVED:
        met = facts["funds_received"] >= criterion.threshold
        return met, _("%(amount)s yuan received from unions (fund allocations)") % {"amount": facts["funds_received"]}
    return None
