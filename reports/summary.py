"""The annual summary: every domain app's section of one organization's branch for a period,
composed in the order of DESIGN.md's annual_report JSON; and the leader's dashboard, a subset
of the same sections for the current year with what is waiting on the leader's branch.

The sections start from the user's restricted querysets, so the composer only has to name an
organization in the user's scope and the direct children the user may see."""

import datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language

from activities.reports import activities_section, honours_section
from cadres.reports import cadres_section, training_section
from organizations.models import MembershipFigure, Organization, OrganizationKind
from organizations.reports import funds_section, organizations_section
from relief.models import Disbursement, DisbursementStatus
from relief.reports import relief_section
from standards.reports import standardization_section
from unionportal.cache import cached_for_branch
from unionportal.reporting import ZERO, Period, ReportContext
from unionportal.roles import Action
from unionportal.scoping import branch_ranges, may

# The sections of the annual_report JSON, in its order. Each is `f(context) -> Section` in its
# app's reports.py.
SECTIONS = [
    organizations_section,
    cadres_section,
    training_section,
    activities_section,
    honours_section,
    relief_section,
    funds_section,
    standardization_section,
]

# The dashboard's key figures: (section key, figure key).
KEY_FIGURES = [
    ("organizations", "total"),
    ("organizations", "members"),
    ("cadres", "total"),
    ("activities", "participants"),
    ("honours", "total"),
    ("relief", "amount"),
    ("relief", "person_times"),
    ("funds", "received"),
]
AMOUNT = DecimalField(max_digits=16, decimal_places=2)
# Units that file membership figures every year.
FILING_KINDS = (OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS)


def last_calendar_year():
    return Period.year(timezone.localdate().year - 1)


def year_to_date(today=None):
    """From 1 January to today: compared with the same days of last year, so the change is fair
    before the year is over."""
    today = today or timezone.localdate()
    return Period(datetime.date(today.year, 1, 1), today)


def scoped_organization(user, pk):
    """The organization with this pk if it is in the user's scope; 404 otherwise, as for any
    record outside the branch."""
    organization = Organization.objects.restrict(user, Action.VIEW).filter(pk=pk).first()
    if organization is None:
        raise Http404
    return organization


def reader_scope(user):
    """The part of a cached summary's key that names whose figures they are: the reader's scope.
    A section may count through records outside the branch (a campaign of the branch held by an
    activity elsewhere), so a reader whose scope is the branch never gets figures computed for a
    wider one. The role is not in it: every role that may open a report reads every kind of
    record of its scope (`ROLE_ACTIONS`: only writes differ), so the staff, leader and approver
    of a branch share one computation."""
    return "*" if user.is_superuser else user.organization.path


class AnnualSummary:
    """The summary of `organization`'s branch for `period`, as `user` may see it.

    Its sections are cached per branch, period, day, language and reader's scope (`reader_scope`)
    until a record of the branch changes (unionportal/cache.py), as the dashboard's are: a leader reads
    the page, then prints it and takes the workbook, and each of those computed the whole summary
    again (the province's 12.6 s on the benchmark; a district's 0.8 s). `cached=False` computes
    it every time: the dashboard, which caches its own figures, and the benchmark, which times
    the computing. A partial summary (tests) is never cached."""

    def __init__(self, user, organization, period, *, sections=None, cached=True):
        scope = Organization.objects.restrict(user, Action.VIEW)
        if not scope.filter(pk=organization.pk).exists():
            raise Http404
        self.user = user
        self.organization = organization
        self.period = period
        self.functions = SECTIONS if sections is None else sections
        self.cached = cached and sections is None
        children = scope.filter(parent=organization).order_by("path")
        self.context = ReportContext(user, organization, period, children=children)

    @property
    def children(self):
        return self.context.children

    def cache_key(self):
        period = f"{self.period.start.isoformat()}:{self.period.end.isoformat()}"
        return f"summary:{timezone.localdate().isoformat()}:{period}:{get_language()}:{reader_scope(self.user)}"

    def compute(self):
        return [function(self.context) for function in self.functions]

    @cached_property
    def sections(self):
        if not self.cached:
            return self.compute()
        return cached_for_branch(self.cache_key(), self.organization, self.compute)

    def section(self, key):
        for section in self.sections:
            if section.key == key:
                return section
        return None

    @cached_property
    def sections_and_charts(self):
        return sections_and_charts(self.sections)

    def charts_json(self):
        return charts_json(self.sections)

    def as_json(self):
        """DESIGN.md's annual_report JSON."""
        data = {
            "organization": self.organization.name,
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
        }
        for section in self.sections:
            data[section.key] = section.data
        return data


def sections_and_charts(sections):
    """Each section with the JSON of its charts that have something to draw (an empty pie is
    a grey ring that only costs paper), each keyed by the id of its <div>."""
    pairs = []
    for section in sections:
        charts = [{**chart.as_json(), "id": f"chart-{section.key}-{chart.key}"} for chart in section.charts]
        pairs.append((section, [chart for chart in charts if has_data(chart)]))
    return pairs


def charts_json(sections):
    return [chart for _section, charts in sections_and_charts(sections) for chart in charts]


def has_data(chart):
    return any(value for series in chart["series"] for value in series["data"])


class Dashboard:
    """The leader's landing page: this year's key figures of the branch against the same days of
    last year (or, for a `year` gone by, that whole year against the one before), the children's
    table, the charts, relief waiting for approval now and the units that have not filed the
    year's membership figures. Query count is that of the sections plus a constant few, whatever
    the size of the branch.

    The figures (not the page: its buttons depend on the role) are cached per branch, day,
    language and reader's scope (`reader_scope`) until a record of the branch changes
    (unionportal/cache.py)."""

    def __init__(self, user, organization, today=None, *, year=None, sections=None):
        if not may(user, Organization, Action.VIEW) or not (
            user.is_superuser or organization.path.startswith(user.organization.path)
        ):
            raise Http404
        self.today = today or timezone.localdate()
        self.user = user
        self.organization = organization
        self.year = year or self.today.year
        # This year so far against the same days of last year; a year gone by, whole, against
        # the year before it.
        self.period = year_to_date(self.today) if self.is_this_year else Period.year(self.year)
        self.previous = self.period.year_before()
        self._sections = sections

    @property
    def is_this_year(self):
        return self.year == self.today.year

    @cached_property
    def summary(self):
        """The annual summary behind the figures, computed only when they are not cached."""
        return AnnualSummary(self.user, self.organization, self.period, sections=self._sections, cached=False)

    def cache_key(self):
        return f"dashboard:{self.today.isoformat()}:{self.year}:{get_language()}:{reader_scope(self.user)}"

    def compute(self):
        with branch_ranges():
            return self._compute()

    def _compute(self):
        return {
            "sections": self.summary.sections,
            "awaiting_approval": self._awaiting_approval(),
            "missing_figures": self._missing_figures(),
        }

    @cached_property
    def data(self):
        if self._sections is not None:  # a partial dashboard (tests) is never cached
            return self.compute()
        return cached_for_branch(self.cache_key(), self.organization, self.compute)

    @property
    def sections(self):
        return self.data["sections"]

    def section(self, key):
        for section in self.sections:
            if section.key == key:
                return section
        return None

    def charts_json(self):
        return charts_json(self.sections)

    @cached_property
    def key_figures(self):
        """(section, figure) of each key figure the sections give."""
        figures = []
        for section_key, figure_key in KEY_FIGURES:
            section = self.section(section_key)
            if section is None:
                continue
            try:
                figures.append((section, section.figure(figure_key)))
            except KeyError:
                continue
        return figures

    @cached_property
    def children_table(self):
        """One row per direct child (and the organization's own records): the key figures'
        cells, taken from each section's breakdown column of the same key."""
        columns = []  # (section, figure, index of the breakdown column or None)
        for section, figure in self.key_figures:
            keys = [column[0] for column in section.columns]
            columns.append((section, figure, keys.index(figure.key) if figure.key in keys else None))
        rows = {}
        order = []
        for position, (section, _figure, index) in enumerate(columns):
            for child in section.children:
                key = "own" if child.own else child.organization.pk
                if key not in rows:
                    rows[key] = {"organization": child.organization, "own": child.own, "cells": [None] * len(columns)}
                    order.append(key)
                if index is not None and index < len(child.cells):
                    rows[key]["cells"][position] = child.cells[index]
        ordered = [rows[key] for key in order if key != "own"]
        ordered.sort(key=lambda row: row["organization"].path)
        if "own" in rows:
            ordered.append(rows["own"])
        return {
            "figures": [(section, figure) for section, figure, _index in columns],
            "columns": [(figure.key, figure.label, figure.format) for _section, figure, _index in columns],
            "rows": ordered,
        }

    @property
    def awaiting_approval(self):
        return self.data["awaiting_approval"]

    @property
    def missing_figures(self):
        return self.data["missing_figures"]

    def _awaiting_approval(self):
        """Relief disbursements of the branch submitted and not yet approved."""
        totals = (
            Disbursement.objects.restrict(self.user, Action.VIEW)
            .filter(status=DisbursementStatus.SUBMITTED, paying_organization__path__startswith=self.organization.path)
            .aggregate(count=Count("pk"), amount=Sum(F("cash") + F("in_kind_value"), output_field=AMOUNT))
        )
        query = urlencode({"branch": self.organization.pk, "status": DisbursementStatus.SUBMITTED})
        link = f"{reverse('relief:disbursement_list')}?{query}"
        amount = Decimal(totals["amount"] or ZERO).quantize(ZERO)
        return {"count": totals["count"], "amount": amount, "link": link}

    def _missing_figures(self):
        count = missing_figures(self.user, self.organization, self.year, self.today).count()
        query = urlencode({"branch": self.organization.pk, "year": self.year})
        return {"count": count, "year": self.year, "link": f"{reverse('reports:missing_figures')}?{query}"}


def missing_figures(user, organization, year, today=None):
    """Grassroots unions of the branch active today with no membership figures for `year`."""
    today = today or timezone.localdate()
    filed = MembershipFigure.objects.restrict(user, Action.VIEW).filter(organization=OuterRef("pk"), year=year)
    return (
        Organization.objects.restrict(user, Action.VIEW)
        .below(organization, include_self=True)
        .active_on(today)
        .filter(kind__in=FILING_KINDS)
        .exclude(Exists(filed))
    )
