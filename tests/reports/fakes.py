"""Small sections for testing the composer on its own: they follow the contract of
unionportal/reporting.py, counting organizations and their membership figures."""

from decimal import Decimal

from django.db.models import Count, Sum

from organizations.models import MembershipFigure, Organization
from unionportal.reporting import Cell, Chart, ChildRow, Figure, Section, amount_text, branch_value, group_total

LIST = "organizations:organization_list"


def units_section(context):
    """Organizations below the reported one (one query, grouped by direct child)."""
    below = Organization.objects.restrict(context.user).below(context.organization)
    grouped = context.by_branch(below, "path", count=Count("pk"))
    total = group_total(grouped, "count")
    children = [
        ChildRow(child, [Cell(branch_value(grouped, "count", child.path), context.link(LIST, child))])
        for child in context.children
    ]
    chart = Chart(
        "by_child",
        "Units by child",
        "bar",
        [child.organization.name for child in children],
        [{"name": "units", "data": [row.cells[0].value for row in children]}],
        links=[row.cells[0].link for row in children],
    )
    return Section(
        "organizations",
        "Units",
        [Figure("total", "Units", total, context.link(LIST), previous=total - 1)],
        {"total": total},
        columns=[("total", "Units", "count")],
        children=children,
        charts=[chart],
        note="Organizations below, as of today.",
    )


def members_section(context):
    """Members filed for the period's first year, as an amount to exercise the yuan format."""
    figures = MembershipFigure.objects.restrict(context.user).filter(
        organization__path__startswith=context.organization.path, year=context.period.start.year
    )
    grouped = context.by_branch(figures, "organization__path", members=Sum("members"))
    total = Decimal(group_total(grouped, "members"))
    children = [
        ChildRow(child, [Cell(Decimal(branch_value(grouped, "members", child.path)))]) for child in context.children
    ]
    return Section(
        "members",
        "Members",
        [Figure("members", "Members (yuan)", total, context.link(LIST), previous=Decimal("0"), format="amount")],
        {"members": amount_text(total)},
        columns=[("members", "Members", "amount")],
        children=children,
    )


FAKE_SECTIONS = [units_section, members_section]
