"""The organizations and funds sections of the annual summary.

Organizations are counted below the reported organization (not itself) as of the period's
end, with those established and deactivated inside the period beside them; membership is
that of the period end's year. Funds are the allocations dated inside the period. Each
section's figures, the year before and every direct child's row come from a fixed number of
grouped queries, whatever the number of children or records: the two periods are
conditional aggregates of one query."""

from decimal import Decimal
from operator import itemgetter

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organizations.models import (
    ENTERPRISE_UNIT_TYPES,
    FEDERATION_KINDS,
    FundAllocation,
    MembershipFigure,
    Organization,
    OrganizationKind,
    Purpose,
    Sector,
    UnitType,
)
from unionportal.reporting import (
    OWN,
    ZERO,
    Cell,
    Chart,
    ChildRow,
    Figure,
    Section,
    amount_text,
    group_total,
    group_totals,
    report_section,
)

ORGANIZATION_LIST = "organizations:organization_list"
FUND_LIST = "organizations:fundallocation_list"
MEMBERSHIP = ("members", "employees", "women_members", "migrant_members")
# The JSON key of organizations with no unit type on record (they count in the organ sector).
UNSPECIFIED = "unspecified"


def active_on(day, prefix=""):
    """OrganizationQuerySet.active_on as a condition, for conditional aggregates."""
    return (Q(**{f"{prefix}established__isnull": True}) | Q(**{f"{prefix}established__lte": day})) & (
        Q(**{f"{prefix}deactivated__isnull": True}) | Q(**{f"{prefix}deactivated__gt": day})
    )


def dated_in(period, field):
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _total(grouped, aggregate, branch=None, where=None):
    """Sum of an aggregate over a by_branch result, for one branch (None: all of them)."""
    return group_total(grouped, aggregate, where, branch=branch)


def _sector(unit_type):
    return Sector.ENTERPRISE if unit_type in ENTERPRISE_UNIT_TYPES else Sector.ORGAN


# Organizations.


@report_section
def organizations_section(context):
    """ "organizations": the organizations below the reported one active at the period's end,
    by kind, unit type and sector, with those established ("new") and deactivated
    ("deactivated_in_period") inside the period, and the membership of that year.

    Membership is the sum of the figures that the unions (every organization but the
    federations) file for the period end's year, over the unions counted in "total". A
    federation's members are those of its unions; a figure a federation files is a total of
    its branch and would count them twice.

    Queries: 2, whatever the number of children and organizations."""
    user, organization, period, previous = context.user, context.organization, context.period, context.previous
    end, previous_end = period.end, previous.end

    organizations = Organization.objects.restrict(user).below(organization)
    counts = context.by_branch(
        organizations,
        "path",
        "kind",
        "unit_type",
        total=Count("pk", filter=active_on(end)),
        new=Count("pk", filter=dated_in(period, "established")),
        gone=Count("pk", filter=dated_in(period, "deactivated")),
        previous_total=Count("pk", filter=active_on(previous_end)),
        previous_new=Count("pk", filter=dated_in(previous, "established")),
        previous_gone=Count("pk", filter=dated_in(previous, "deactivated")),
    )
    filed_now = Q(year=end.year) & active_on(end, "organization__")
    filed_before = Q(year=previous_end.year) & active_on(previous_end, "organization__")
    figures_of_unions = (
        MembershipFigure.objects.restrict(user)
        .filter(organization__path__startswith=organization.path, year__in=[end.year, previous_end.year])
        .exclude(organization=organization)
        .exclude(organization__kind__in=FEDERATION_KINDS)
    )
    membership = context.by_branch(
        figures_of_unions,
        "organization__path",
        units=Count("pk", filter=filed_now),
        **{f"now_{name}": Sum(name, filter=filed_now) for name in MEMBERSHIP},
        **{f"previous_{name}": Sum(name, filter=filed_before) for name in MEMBERSHIP},
    )

    def count(aggregate, branch=None, where=None):
        return _total(counts, aggregate, branch, where)

    def sector_is(sector):
        return lambda key: _sector(key[2]) == sector

    # Keys: (branch, kind, unit type). Each figure by kind, unit type or sector, now and the year
    # before, from one pass over the rows.
    dimensions = {
        "kind": itemgetter(1),
        "unit_type": lambda key: key[2] or UNSPECIFIED,
        "sector": lambda key: _sector(key[2]),
    }
    now_by = {name: group_totals(counts, "total", dimension) for name, dimension in dimensions.items()}
    before_by = {name: group_totals(counts, "previous_total", dimension) for name, dimension in dimensions.items()}

    def now_total(dimension, value):
        return now_by[dimension].get(value, 0)

    def before_total(dimension, value):
        return before_by[dimension].get(value, 0)

    # Links: the organization list with the same filters, for the reported branch (below the
    # organization itself) or for one child's branch (the child included).
    active = {"active_on": end.isoformat()}
    established = context.period_params("established_after", "established_before")
    deactivated = context.period_params("deactivated_after", "deactivated_before")
    filing = {**active, "federation": "false", "figures_year": end.year}

    def link(child=None, **params):
        if child is None:
            return context.link(ORGANIZATION_LIST, below=organization.pk, **params)
        return context.link(ORGANIZATION_LIST, child, **params)

    by_kind = {kind: now_total("kind", kind) for kind in OrganizationKind.values}
    unit_types = list(UnitType.values)
    if now_total("unit_type", UNSPECIFIED) or before_total("unit_type", UNSPECIFIED):
        unit_types.append(UNSPECIFIED)
    by_unit_type = {unit_type: now_total("unit_type", unit_type) for unit_type in unit_types}
    by_sector = {sector: now_total("sector", sector) for sector in Sector.values}
    members = {name: _total(membership, f"now_{name}") for name in MEMBERSHIP}

    figures = [
        Figure("total", _("Union organizations"), count("total"), link(**active), count("previous_total")),
        Figure(
            "organ",
            _("Unions of organs and institutions"),
            by_sector[Sector.ORGAN],
            link(sector=Sector.ORGAN, **active),
            before_total("sector", Sector.ORGAN),
        ),
        Figure(
            "enterprise",
            _("Unions of enterprises"),
            by_sector[Sector.ENTERPRISE],
            link(sector=Sector.ENTERPRISE, **active),
            before_total("sector", Sector.ENTERPRISE),
        ),
        Figure("new", _("Established in the period"), count("new"), link(**established), count("previous_new")),
        Figure(
            "deactivated_in_period",
            _("Deactivated in the period"),
            count("gone"),
            link(**deactivated),
            count("previous_gone"),
        ),
    ]
    labels = {
        "members": _("Members"),
        "employees": _("Employees"),
        "women_members": _("Women members"),
        "migrant_members": _("Migrant-worker members"),
    }
    for name in MEMBERSHIP:
        figures.append(
            Figure(
                name,
                labels[name],
                members[name],
                link(**filing),
                _total(membership, f"previous_{name}"),
                group=_("Membership"),
            )
        )
    kind_labels = dict(OrganizationKind.choices)
    for kind in OrganizationKind.values:
        figures.append(
            Figure(
                f"by_kind.{kind}",
                kind_labels[kind],
                by_kind[kind],
                link(kind=kind, **active),
                before_total("kind", kind),
                group=_("By kind"),
            )
        )
    unit_type_labels = {**dict(UnitType.choices), UNSPECIFIED: _("Not specified")}
    for unit_type in unit_types:
        figures.append(
            Figure(
                f"by_unit_type.{unit_type}",
                unit_type_labels[unit_type],
                by_unit_type[unit_type],
                # The list cannot ask for "no unit type"; that figure links to nothing.
                None if unit_type == UNSPECIFIED else link(unit_type=unit_type, **active),
                before_total("unit_type", unit_type),
                group=_("By unit type"),
            )
        )

    columns = [
        ("total", _("Union organizations"), "count"),
        ("organ", _("Organs and institutions"), "count"),
        ("enterprise", _("Enterprises"), "count"),
        # Counts of the period, not a union's founding date or status (the same words in English).
        ("new", pgettext("organizations counted in a period", "Established"), "count"),
        ("deactivated_in_period", pgettext("organizations counted in a period", "Deactivated"), "count"),
        ("members", _("Members"), "count"),
    ]
    # Every organization counted is below the reported one, so each is in a child's branch:
    # there is no row of the organization's own.
    children = [
        ChildRow(
            child,
            [
                Cell(count("total", child.path), link(child, **active)),
                Cell(count("total", child.path, sector_is(Sector.ORGAN)), link(child, sector=Sector.ORGAN, **active)),
                Cell(
                    count("total", child.path, sector_is(Sector.ENTERPRISE)),
                    link(child, sector=Sector.ENTERPRISE, **active),
                ),
                Cell(count("new", child.path), link(child, **established)),
                Cell(count("gone", child.path), link(child, **deactivated)),
                Cell(_total(membership, "now_members", child.path), link(child, **filing)),
            ],
        )
        for child in context.children
    ]

    sector_labels = dict(Sector.choices)
    shown_kinds = [kind for kind in OrganizationKind.values if by_kind[kind]]
    charts = [
        Chart(
            "organizations_by_sector",
            _("Union organizations by sector"),
            "pie",
            [sector_labels[sector] for sector in Sector.values],
            [{"name": _("Union organizations"), "data": [by_sector[sector] for sector in Sector.values]}],
            links=[link(sector=sector, **active) for sector in Sector.values],
        ),
        Chart(
            "organizations_by_kind",
            _("Union organizations by kind"),
            "bar",
            [kind_labels[kind] for kind in shown_kinds],
            [{"name": _("Union organizations"), "data": [by_kind[kind] for kind in shown_kinds]}],
            links=[link(kind=kind, **active) for kind in shown_kinds],
        ),
    ]

    data = {
        "total": count("total"),
        "by_kind": by_kind,
        "by_unit_type": by_unit_type,
        "organ": by_sector[Sector.ORGAN],
        "enterprise": by_sector[Sector.ENTERPRISE],
        **members,
        "new": count("new"),
        "deactivated_in_period": count("gone"),
    }
    return Section(
        key="organizations",
        title=_("Union organizations"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        charts=charts,
        note=_(
            "Organizations below this one active at the period's end (established by then and not "
            "deactivated); enterprises are state-owned and non-public enterprises, every other unit counts "
            "with organs and institutions. Membership is the sum of the figures the unions (not the "
            "federations, whose members are their unions') file for %(year)d."
        )
        % {"year": end.year},
    )


# Funds.


@report_section
def funds_section(context):
    """ "funds": union money dated inside the period.

    - "received": what the branch received from the union tree outside it, that is from the
      federations above the organization (上级工会补助); money that moves inside the branch is
      not income of the branch. A child's row is what the child's branch received from
      outside itself, the reported organization's allocations to it included, so a city's
      report shows what each district received.
    - "allocated": what organizations of the branch gave to organizations below them
      (补助下级).
    - "government": money from outside the union (a district government's funds, 行政补助)
      that the branch received, which union accounts keep apart from "received".

    Queries: 2, whatever the number of children and allocations."""
    user, organization, period, previous = context.user, context.organization, context.period, context.previous
    in_either = dated_in(period, "date") | dated_in(previous, "date")
    now, before = dated_in(period, "date"), dated_in(previous, "date")
    from_unions = Q(source__isnull=False)
    from_above = from_unions & ~Q(source__path__startswith=organization.path)
    # The branch key of each row is the path of the child (or of the organization itself)
    # whose branch the recipient is in: money from outside that branch.
    from_outside_the_row = from_unions & ~Q(source__path__startswith=F("_branch"))
    government = Q(source__isnull=True)

    received = context.by_branch(
        FundAllocation.objects.restrict(user).filter(in_either, recipient__path__startswith=organization.path),
        "recipient__path",
        "purpose",
        received=Sum("amount", filter=now & from_above),
        row_received=Sum("amount", filter=now & from_outside_the_row),
        government=Sum("amount", filter=now & government),
        previous_received=Sum("amount", filter=before & from_above),
        previous_government=Sum("amount", filter=before & government),
    )
    allocated = context.by_branch(
        FundAllocation.objects.restrict(user).filter(
            in_either, source__path__startswith=organization.path, recipient__path__startswith=organization.path
        ),
        "source__path",
        allocated=Sum("amount", filter=now),
        previous_allocated=Sum("amount", filter=before),
    )

    def money(value):
        return (value or ZERO).quantize(Decimal("0.01"))

    def amount(grouped, aggregate, branch=None, where=None):
        return money(_total(grouped, aggregate, branch, where))

    dates = context.period_params("date_after", "date_before")
    received_link = context.link(FUND_LIST, source_above=organization.pk, **dates)
    government_link = context.link(FUND_LIST, source_type="outside", **dates)
    allocated_link = context.link(FUND_LIST, source_branch=organization.pk, **dates)
    by_purpose = {
        purpose: amount(received, "received", where=lambda key, purpose=purpose: key[1] == purpose)
        for purpose in Purpose.values
    }
    group = _("Received, by purpose")
    purpose_labels = dict(Purpose.choices)
    figures = [
        Figure(
            "received",
            _("Received from federations above (yuan)"),
            amount(received, "received"),
            received_link,
            amount(received, "previous_received"),
            format="amount",
        ),
        Figure(
            "allocated",
            _("Allocated to organizations below (yuan)"),
            amount(allocated, "allocated"),
            allocated_link,
            amount(allocated, "previous_allocated"),
            format="amount",
        ),
        Figure(
            "government",
            _("Government and other outside funds (yuan)"),
            amount(received, "government"),
            government_link,
            amount(received, "previous_government"),
            format="amount",
        ),
        *[
            Figure(
                f"received_by_purpose.{purpose}",
                purpose_labels[purpose],
                by_purpose[purpose],
                context.link(FUND_LIST, source_above=organization.pk, purpose=purpose, **dates),
                amount(received, "previous_received", where=lambda key, purpose=purpose: key[1] == purpose),
                format="amount",
                group=group,
            )
            for purpose in Purpose.values
        ],
    ]

    columns = [
        ("received", _("Received from outside the branch (yuan)"), "amount"),
        ("allocated", _("Allocated below (yuan)"), "amount"),
        ("government", _("Government funds (yuan)"), "amount"),
    ]

    def row(child):
        return ChildRow(
            child,
            [
                Cell(
                    amount(received, "row_received", child.path),
                    context.link(FUND_LIST, child, source_above=child.pk, **dates),
                ),
                Cell(
                    amount(allocated, "allocated", child.path),
                    context.link(FUND_LIST, child, source_branch=child.pk, **dates),
                ),
                Cell(
                    amount(received, "government", child.path),
                    context.link(FUND_LIST, child, source_type="outside", **dates),
                ),
            ],
        )

    children = [row(child) for child in context.children]
    own = [
        row[aggregate]
        for grouped, aggregates in ((received, ("row_received", "government")), (allocated, ("allocated",)))
        for key, row in grouped.items()
        for aggregate in aggregates
        if key[0] == OWN and row[aggregate] is not None
    ]
    if own:
        children.append(
            ChildRow(
                organization,
                [
                    Cell(
                        amount(received, "row_received", OWN),
                        context.link(FUND_LIST, recipient=organization.pk, source_above=organization.pk, **dates),
                    ),
                    Cell(
                        amount(allocated, "allocated", OWN),
                        context.link(FUND_LIST, source=organization.pk, **dates),
                    ),
                    Cell(
                        amount(received, "government", OWN),
                        context.link(FUND_LIST, recipient=organization.pk, source_type="outside", **dates),
                    ),
                ],
                own=True,
            )
        )

    data = {
        "received": amount_text(amount(received, "received")),
        "allocated": amount_text(amount(allocated, "allocated")),
        "government": amount_text(amount(received, "government")),
        "received_by_purpose": {purpose: amount_text(value) for purpose, value in by_purpose.items()},
    }
    return Section(
        key="funds",
        title=_("Funds"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        note=_(
            "Allocations dated in the period. Received: union money from the federations above this "
            "organization; a child's row, what its branch received from outside it. Allocated: what "
            "organizations of the branch gave to those below them. Government funds are kept apart."
        ),
    )
