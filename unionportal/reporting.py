"""The shapes every report section shares, and the one way a section counts its records by
direct child of the organization it reports on.

Each domain app has a `reports.py` with one function per section it contributes,
`section(context) -> Section`; the reports app composes them into the annual summary, the
dashboard, the workbook and the JSON of DESIGN.md. A section:

- starts from the user's restricted querysets (`Model.objects.restrict(context.user, "view")`),
  so a leader of a district sees that district's numbers and nothing else;
- counts with aggregates grouped by branch (`by_branch`), so one query gives the total, every
  direct child's row and the organization's own records, whatever the number of children;
- gives every figure the link of the list of the records it counts, with the same filters
  (`context.link`), for the total and for each child's row.
"""

import datetime
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote_plus

from django.db.models import F
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.http import urlencode

from unionportal.scoping import branch_ranges

ZERO = Decimal("0.00")
# The key of the organization's own records in a by-branch grouping (not in any child).
OWN = "__own__"


def amount_text(amount):
    """Amounts in JSON are strings with two decimals ("1105000.00"), never floats."""
    return str((amount or ZERO).quantize(Decimal("0.01"), ROUND_HALF_UP))


def one_decimal(value):
    """An average as a float with one decimal, or None when there was nothing to average."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year):
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def is_calendar_year(self):
        return (
            self.start.month,
            self.start.day,
            self.end.month,
            self.end.day,
        ) == (1, 1, 12, 31) and self.start.year == self.end.year

    @property
    def years(self):
        """The calendar years the period touches: records dated by year only (honours) count
        when their year is one of these."""
        return range(self.start.year, self.end.year + 1)

    def year_before(self):
        """The same period a year earlier (29 February becomes the 28th)."""

        def back(day):
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        return Period(back(self.start), back(self.end))

    def __str__(self):
        if self.is_calendar_year:
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass
class Figure:
    """One number of a section: its JSON key, its label, its value in the period and the same
    period a year earlier, and the link to the records it counts."""

    key: str  # dotted path in the section's JSON: "total", "by_rank.section"
    label: str
    value: Any
    link: str | None = None
    previous: Any = None
    format: str = "count"  # count | amount (yuan) | average | hours
    group: str = ""  # a subheading inside the section ("By rank"); figures of one group sit together

    @property
    def change(self):
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self):
        """Change against the year before in per cent, one decimal; None when there is no base."""
        if self.change is None or not self.previous:
            return None
        return one_decimal(Decimal(str(self.change)) * 100 / Decimal(str(self.previous)))


@dataclass
class Cell:
    value: Any
    link: str | None = None


@dataclass
class ChildRow:
    """One row of a section's breakdown: a direct child (its whole branch), or the reported
    organization's own records (`organization` is then the reported organization and `own`
    is true)."""

    organization: Any
    cells: list  # of Cell, in the order of Section.columns
    own: bool = False


@dataclass
class Chart:
    """Data for one ECharts chart; the template turns it into options. Each point may carry
    the link of the records behind it (`links`, parallel to `categories`)."""

    key: str
    title: str
    kind: str  # pie | bar | line
    categories: list
    series: list  # [{"name": str, "data": [number, ...]}]
    links: list = field(default_factory=list)

    def as_json(self):
        def plain(value):
            if isinstance(value, Decimal):
                return float(value)
            return value

        return {
            "key": self.key,
            "title": str(self.title),
            "kind": self.kind,
            "categories": [str(category) for category in self.categories],
            "series": [
                {"name": str(series["name"]), "data": [plain(value) for value in series["data"]]}
                for series in self.series
            ],
            "links": self.links,
        }


@dataclass
class Section:
    key: str  # the key of the annual_report JSON: "organizations", "cadres", ...
    title: str
    figures: list  # of Figure
    data: dict  # the section's JSON, as DESIGN.md's annual_report gives it
    columns: list = field(default_factory=list)  # (key, label, format) of the breakdown by child
    children: list = field(default_factory=list)  # of ChildRow
    charts: list = field(default_factory=list)  # of Chart
    note: str = ""  # how the section counts, in a sentence (shown under its title)

    def figure(self, key):
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)


class Grouped(dict):
    """A by_branch result, {(branch, *dims): row}, that also hands out the rows of one branch
    without walking the others."""

    def of(self, branch):
        index = self.__dict__.get("_index")
        if index is None:
            index = self._index = {}
            for key, row in self.items():
                index.setdefault(key[0], []).append((key, row))
        return index.get(branch, ())


def child_branch(path_field, organization):
    """An expression giving, for a record, the path of the direct child of `organization` whose
    branch holds it, or the organization's own path for its own records."""
    return Substr(F(path_field), 1, len(organization.path) + organization.steplen)


def group_by_branch(queryset, path_field, organization, *dims, **aggregates):
    """Aggregates of a queryset already limited to the organization's branch, grouped by
    direct child (and by `dims`), in one query.

    Returns {(branch, *dim values): {aggregate: value}} where branch is a child's path or
    OWN for the organization's own records."""
    rows = (
        queryset.order_by()
        .annotate(_branch=child_branch(path_field, organization))
        .values("_branch", *dims)
        .annotate(**aggregates)
    )
    result = Grouped()
    own_path = organization.path
    for row in rows:
        branch = row.pop("_branch")
        key = (OWN if branch == own_path else branch, *(row.pop(dim) for dim in dims))
        result[key] = row
    return result


def report_section(function):
    """Marks `section(context) -> Section`: its queries are aggregates over the branch, which
    SQLite then reads as a range of paths (`branch_ranges`: a district's summary on the city tier
    went from 3.2 s to 0.5 s, its cadres from 1,324 to 265 ms and its relief from 1,684 to
    127 ms)."""

    @functools.wraps(function)
    def section(context):
        with branch_ranges():
            return function(context)

    return section


class ReportContext:
    """What a section needs: who asks (scope), about which organization, for which period;
    the organization's direct children in the user's scope; and links to the lists."""

    def __init__(self, user, organization, period, *, children):
        self.user = user
        self.organization = organization
        self.period = period
        self.previous = period.year_before()
        self.children = list(children)  # direct children in scope, in tree order
        self._links = {}

    # Grouping by direct child.

    def branch_key(self, path_field):
        """An expression giving, for a record, the path of the direct child whose branch holds
        it, or the organization's own path for its own records."""
        return child_branch(path_field, self.organization)

    def by_branch(self, queryset, path_field, *dims, **aggregates):
        """`group_by_branch` over the reported organization's direct children."""
        return group_by_branch(queryset, path_field, self.organization, *dims, **aggregates)

    def breakdown(self, row, *groupings):
        """A section's breakdown rows: `row(path, child)` for every direct child in scope (zeros
        included), then `row(OWN, organization, own=True)` when any of the by_branch
        `groupings` holds records of the organization itself."""
        rows = [row(child.path, child) for child in self.children]
        if any(key[0] == OWN for grouping in groupings for key in grouping):
            rows.append(row(OWN, self.organization, own=True))
        return rows

    # Links.

    def link(self, url_name, organization=None, **params):
        """The list behind a figure: `url_name` filtered to the branch of `organization` (the
        reported organization by default) and `params` (None values left out).

        A section links each cell of its breakdown, and the cells of one column differ only
        by their branch: the address and the rest of the query are worked out once per
        context (reversing and encoding them per cell was half of a section's time)."""
        organization = organization or self.organization
        try:
            key = (url_name, *params.items())
            rest = self._links.get(key)
        except TypeError:  # a list value (doseq): not a key, encoded every time
            key, rest = None, None
        if rest is None:
            encoded = urlencode(
                {name: value for name, value in params.items() if value is not None and value != ""}, doseq=True
            )
            rest = (f"{reverse(url_name)}?branch=", f"&{encoded}" if encoded else "")
            if key is not None:
                self._links[key] = rest
        return f"{rest[0]}{quote_plus(str(organization.pk))}{rest[1]}"

    def period_params(self, after, before, period=None):
        """The query parameters of a date-range filter for the period (e.g. start_after,
        start_before)."""
        period = period or self.period
        return {after: period.start.isoformat(), before: period.end.isoformat()}


def group_total(grouped, aggregate, where=None, *, branch=None):
    """Sum of `aggregate` over the rows of a by_branch result, of one branch (a child's path,
    or OWN; None: every branch) and whose key satisfies `where`. A breakdown asks this for
    every cell, so a by_branch result keeps its rows by branch (`Grouped.of`)."""
    if branch is None:
        rows = grouped.items()
    elif isinstance(grouped, Grouped):
        rows = grouped.of(branch)
    else:
        rows = [(key, row) for key, row in grouped.items() if key[0] == branch]
    return sum((row[aggregate] or 0) for key, row in rows if where is None or where(key))


def group_totals(grouped, aggregate, dimension):
    """Sums of `aggregate` over the rows of a by_branch result, by `dimension(key)`, in one pass:
    {dimension value: sum}. A section that shows a figure for every kind (and the year before)
    reads them from here instead of walking every row once per kind."""
    totals = {}
    for key, row in grouped.items():
        value = dimension(key)
        totals[value] = totals.get(value, 0) + (row[aggregate] or 0)
    return totals


def branch_value(grouped, aggregate, branch, where=None):
    """Sum of `aggregate` for one branch (a child's path, or OWN)."""
    return group_total(grouped, aggregate, where, branch=branch)


__all__ = [
    "OWN",
    "ZERO",
    "Cell",
    "Chart",
    "ChildRow",
    "Figure",
    "Grouped",
    "Period",
    "ReportContext",
    "Section",
    "amount_text",
    "branch_value",
    "child_branch",
    "group_by_branch",
    "group_total",
    "group_totals",
    "one_decimal",
    "report_section",
]
