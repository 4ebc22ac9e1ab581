"""The standardization report (标准化建设情况): the units of a branch against one standard in
one year, as seed 000 tells it for Shuangyashan's four district federations: each criterion
met or not, points and stars, staffing at the year's end, money received in the year, and
the year before beside it.

Everything starts from the user's restricted querysets, and the figures of all units come
from a fixed number of grouped queries, whatever the number of units."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from cadres.models import COLLEGE_OR_HIGHER, RANK_INDEX, RANK_ORDER, Cadre, Position, Post, Rank, Staffing
from organizations.models import FundAllocation, Organization, Purpose
from standards.models import Assessment, AssessmentItem, AssessmentStatus, Criterion, Standard
from unionportal.reporting import Cell, Chart, ChildRow, Figure, Section, group_total, report_section

RATINGS = (5, 4, 3, 2, 1)
VICE_CHAIR_POSITIONS = (Position.EXECUTIVE_VICE_CHAIR, Position.VICE_CHAIR)
ZERO = Decimal("0.00")


def year_start(year):
    return datetime.date(year, 1, 1)


def year_end(year):
    return datetime.date(year, 12, 31)


def amount_text(amount):
    """Amounts in JSON are strings with two decimals ("30000.00"), never floats."""
    return str((amount or ZERO).quantize(Decimal("0.01")))


def rank_below(rank, expected):
    """Whether a chair's rank is lower than the rank a standard expects (RANK_ORDER is highest first)."""
    return RANK_ORDER.index(rank) > RANK_ORDER.index(expected)


@dataclass
class UnitRow:
    """One unit of the report: its approved assessment (if any) and the year before, its
    staffing on 31 December and the money it received in the year."""

    organization: Organization
    assessment: Assessment | None = None  # approved, for the year
    pending: Assessment | None = None  # any other status, for the year: a link, not a figure
    previous: Assessment | None = None  # approved, for the year before
    criteria: dict = field(default_factory=dict)  # criterion code → met
    staff: int = 0
    full_time_staff: int = 0
    chairs: int = 0
    vice_chairs: int = 0
    chair_rank: str | None = None
    average_age: float | None = None
    college_or_higher: int = 0
    funds_by_purpose: dict = field(default_factory=lambda: dict.fromkeys(Purpose.values, ZERO))
    government_funds: Decimal = ZERO

    @property
    def name(self):
        return self.organization.name

    @property
    def assessed(self):
        return self.assessment is not None

    @property
    def score(self):
        return self.assessment.score if self.assessment else None

    @property
    def rating(self):
        return self.assessment.rating if self.assessment else None

    @property
    def compliant(self):
        return bool(self.assessment and self.assessment.compliant)

    @property
    def stars(self):
        return "★" * (self.rating or 0)

    @property
    def linked_assessment(self):
        """The assessment the row links to: the approved one, else the one in progress."""
        return self.assessment or self.pending

    @property
    def funds_received(self):
        return sum(self.funds_by_purpose.values(), ZERO)

    @property
    def previous_score(self):
        return self.previous.score if self.previous else None

    @property
    def previous_rating(self):
        return self.previous.rating if self.previous else None

    @property
    def score_change(self):
        if self.assessment is None or self.previous is None:
            return None
        return self.assessment.score - self.previous.score

    @property
    def rating_change(self):
        if self.assessment is None or self.previous is None:
            return None
        return (self.assessment.rating or 0) - (self.previous.rating or 0)

    @property
    def chair_rank_label(self):
        return dict(Rank.choices).get(self.chair_rank, "")

    def as_json(self):
        return {
            "name": self.name,
            "score": float(self.score) if self.assessed else None,
            "rating": self.rating,
            "criteria": dict(self.criteria),
            "staff": self.staff,
            "full_time_staff": self.full_time_staff,
            "chairs": self.chairs,
            "vice_chairs": self.vice_chairs,
            "chair_rank": self.chair_rank,
            "average_age": self.average_age,
            "college_or_higher": self.college_or_higher,
            "funds_received": amount_text(self.funds_received),
            "funds_by_purpose": {purpose: amount_text(amount) for purpose, amount in self.funds_by_purpose.items()},
            # Money from outside the union tree (行政补助), kept apart from funds_received.
            "government_funds": amount_text(self.government_funds),
        }


@dataclass(frozen=True)
class Gap:
    """Something a unit lacks against the standard, as the report highlights it."""

    NOT_ASSESSED = "not_assessed"
    CRITERION_NOT_MET = "criterion_not_met"
    NO_CHAIR = "no_chair"
    CHAIR_RANK_BELOW = "chair_rank_below"

    unit: UnitRow
    kind: str
    criterion: Criterion | None = None
    expected_rank: str = ""

    @property
    def message(self):
        if self.kind == self.NOT_ASSESSED:
            pending = self.unit.pending
            if pending is None:
                return _("No assessment")
            return _("No approved assessment (%(status)s)") % {"status": pending.get_status_display()}
        if self.kind == self.CRITERION_NOT_MET:
            if self.criterion.must_pass:
                return _("Must-pass criterion not met: %(title)s") % {"title": self.criterion.title}
            return _("Criterion not met: %(title)s") % {"title": self.criterion.title}
        if self.kind == self.NO_CHAIR:
            return _("No chair in post on 31 December")
        return _("Chair at %(rank)s, below the expected %(expected)s") % {
            "rank": self.unit.chair_rank_label,
            "expected": dict(Rank.choices).get(self.expected_rank, ""),
        }


class StandardizationReport:
    """The standardization report of `organization`'s branch against `standard` in `year`.

    `user` scopes every query; a system report (the command line without --user) passes a
    superuser. The caller has already found `organization` and `standard` through the user's
    restricted querysets, so both are in scope. Units are the organizations of the branch,
    the organization itself included, of the kinds the standard applies to, active on
    31 December: a city's report lists its districts, a district's own report its own row.

    The summary (units, assessed, compliant, by rating, and the same for the year before) is
    counted in the database over every unit; the rows are worked out for the units asked for
    (`rows_for`): the page shows a province's 240,000 grassroots unions a page at a time, and
    building every row took 42 s there (a city's 17,000: 4.4 s, and 13 s for its 18 MB page).

    Queries: 8 for the rows of any number of units (units, criteria, assessments of both years,
    their items, staffing, ages, and funds from unions and from outside), 4 for the summaries (a
    count of units and of approved assessments, each year)."""

    code = "standardization"

    def __init__(self, user, organization, standard, year):
        self.user = user
        self.organization = organization
        self.standard = standard
        self.year = year
        self.day = year_end(year)

    # Querysets, each from the restricted manager.

    def _branch(self, year):
        return (
            Organization.objects.restrict(self.user)
            .below(self.organization, include_self=True)
            .filter(kind__in=self.standard.kinds)
            .active_on(year_end(year))
        )

    def unit_queryset(self):
        """The units of the year, in tree order."""
        return self._branch(self.year).order_by("path")

    @cached_property
    def units(self):
        return list(self.unit_queryset())

    @cached_property
    def criteria(self):
        return list(Criterion.objects.restrict(self.user).filter(standard=self.standard))

    def _assessments(self, unit_ids):
        """(organization id, year) → the assessment of that unit in that year, any status."""
        assessments = Assessment.objects.restrict(self.user).filter(
            standard=self.standard, year__in=[self.year, self.year - 1], organization_id__in=unit_ids
        )
        return {(assessment.organization_id, assessment.year): assessment for assessment in assessments}

    def _items(self, assessment_ids):
        met = defaultdict(dict)
        items = (
            AssessmentItem.objects.restrict(self.user)
            .filter(assessment_id__in=assessment_ids)
            .values_list("assessment_id", "criterion_id", "met")
            .order_by()
        )
        for assessment_id, criterion_id, is_met in items:
            met[assessment_id][criterion_id] = is_met
        return met

    def _posts(self, unit_ids):
        return (
            Post.objects.restrict(self.user)
            .in_post_on(self.day)
            .filter(organization_id__in=unit_ids)
            .exclude(staffing=Staffing.SOCIAL_WORKER)
            .order_by()  # the default ordering would join organizations and split the groups
        )

    def _staffing(self, unit_ids):
        """Staff, full-time, chairs, vice-chairs, college and the chair's best rank per unit,
        counted as distinct cadres (one person with two posts in a unit is one person)."""
        rows = (
            self._posts(unit_ids)
            .values("organization_id")
            .annotate(
                staff=Count("cadre", distinct=True),
                full_time_staff=Count("cadre", distinct=True, filter=Q(full_time=True)),
                chairs=Count("cadre", distinct=True, filter=Q(position=Position.CHAIR)),
                vice_chairs=Count("cadre", distinct=True, filter=Q(position__in=VICE_CHAIR_POSITIONS)),
                college_or_higher=Count("cadre", distinct=True, filter=Q(cadre__education__in=COLLEGE_OR_HIGHER)),
                chair_rank=Min(RANK_INDEX, filter=Q(position=Position.CHAIR)),
            )
        )
        return {row.pop("organization_id"): row for row in rows}

    def _ages(self, unit_ids):
        """Average age on 31 December per unit, over the cadres with a birth date on record.
        Ages in whole years need the calendar, so the birth dates come back (one per cadre)."""
        ages = defaultdict(list)
        birth_dates = self._posts(unit_ids).values_list("organization_id", "cadre_id", "cadre__birth_date").distinct()
        for organization_id, _cadre_id, birth_date in birth_dates:
            if birth_date is not None:
                ages[organization_id].append(Cadre(birth_date=birth_date).age_on(self.day))
        return {
            organization_id: float((Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP))
            for organization_id, values in ages.items()
        }

    def _funds(self, unit_ids):
        allocations = FundAllocation.objects.restrict(self.user).filter(
            recipient_id__in=unit_ids, date__range=(year_start(self.year), self.day)
        )
        from_unions = (
            allocations.from_unions().values("recipient_id", "purpose").annotate(total=Sum("amount")).order_by()
        )
        from_outside = allocations.from_outside().values("recipient_id").annotate(total=Sum("amount")).order_by()
        by_purpose = defaultdict(dict)
        for row in from_unions:
            by_purpose[row["recipient_id"]][row["purpose"]] = row["total"]
        return by_purpose, {row["recipient_id"]: row["total"] for row in from_outside}

    # The report.

    @cached_property
    def rows(self):
        return self.rows_for(self.units)

    def rows_for(self, units):
        """The rows of `units` (some or all of `units`, in their order)."""
        units = list(units)
        unit_ids = [unit.pk for unit in units]
        criteria = {criterion.pk: criterion for criterion in self.criteria}
        assessments = self._assessments(unit_ids)

        def approved_in(organization_id, year):
            assessment = assessments.get((organization_id, year))
            return assessment if assessment and assessment.status == AssessmentStatus.APPROVED else None

        approved = {pk: approved_in(pk, self.year) for pk in unit_ids}
        items = self._items([assessment.pk for assessment in approved.values() if assessment])
        staffing = self._staffing(unit_ids)
        ages = self._ages(unit_ids)
        funds, outside = self._funds(unit_ids)
        rows = []
        for unit in units:
            assessment = approved[unit.pk]
            current = assessments.get((unit.pk, self.year))
            row = UnitRow(
                organization=unit,
                assessment=assessment,
                pending=current if assessment is None else None,
                previous=approved_in(unit.pk, self.year - 1),
                average_age=ages.get(unit.pk),
                government_funds=outside.get(unit.pk, ZERO),
            )
            if assessment is not None:
                met = items[assessment.pk]
                row.criteria = {criteria[pk].code: met[pk] for pk in criteria if pk in met}
            figures = staffing.get(unit.pk)
            if figures:
                chair_rank = figures.pop("chair_rank")
                # RANK_INDEX puts a rank outside RANK_ORDER (none of the choices) after it: no rank.
                known = chair_rank is not None and chair_rank < len(RANK_ORDER)
                row.chair_rank = RANK_ORDER[chair_rank] if known else None
                for name, value in figures.items():
                    setattr(row, name, value)
            for purpose, total in funds.get(unit.pk, {}).items():
                row.funds_by_purpose[purpose] = total
            rows.append(row)
        return rows

    def _summary_of(self, year):
        """Units active at `year`'s end, those with an approved assessment of that year, the
        compliant ones and the count of each rating, counted in the database."""
        units = self._branch(year).order_by()
        counts = (
            Assessment.objects.restrict(self.user)
            .filter(
                standard=self.standard,
                year=year,
                status=AssessmentStatus.APPROVED,
                organization_id__in=units.values("pk"),
            )
            .aggregate(
                assessed=Count("pk"),
                compliant=Count("pk", filter=Q(compliant=True)),
                **{f"rating_{rating}": Count("pk", filter=Q(rating=rating)) for rating in RATINGS},
            )
        )
        return {
            "units": units.count(),
            "assessed": counts["assessed"],
            "compliant": counts["compliant"],
            "by_rating": {str(rating): counts[f"rating_{rating}"] for rating in RATINGS},
        }

    @cached_property
    def summary(self):
        return self._summary_of(self.year)

    @cached_property
    def previous_summary(self):
        """The same figures for the year before, over the units active at that year's end."""
        return self._summary_of(self.year - 1)

    @cached_property
    def summary_changes(self):
        now, before = self.summary, self.previous_summary
        return {
            "units": now["units"] - before["units"],
            "assessed": now["assessed"] - before["assessed"],
            "compliant": now["compliant"] - before["compliant"],
            "by_rating": {key: now["by_rating"][key] - before["by_rating"][key] for key in now["by_rating"]},
        }

    def previous_year(self):
        """The comparison with the year before: per unit and for the summary."""
        return {
            "year": self.year - 1,
            "units": [
                {
                    "name": row.name,
                    "score": float(row.previous_score) if row.previous else None,
                    "rating": row.previous_rating,
                    "score_change": float(row.score_change) if row.score_change is not None else None,
                    "rating_change": row.rating_change,
                }
                for row in self.rows
            ],
            "summary": self.previous_summary,
            "changes": self.summary_changes,
        }

    @cached_property
    def gaps(self):
        return self.gaps_for(self.rows)

    def gaps_for(self, rows):
        """What each unit of `rows` lacks, in the order of the table: no approved assessment;
        each criterion not met; no chair, or a chair below the rank the standard expects."""
        expected = self.standard.expected_chair_rank
        gaps = []
        for row in rows:
            if not row.assessed:
                gaps.append(Gap(row, Gap.NOT_ASSESSED))
            for criterion in self.criteria:
                if row.criteria.get(criterion.code) is False:
                    gaps.append(Gap(row, Gap.CRITERION_NOT_MET, criterion))
            if expected:
                if row.chair_rank is None:
                    gaps.append(Gap(row, Gap.NO_CHAIR, expected_rank=expected))
                elif rank_below(row.chair_rank, expected):
                    gaps.append(Gap(row, Gap.CHAIR_RANK_BELOW, expected_rank=expected))
        return gaps

    def as_json(self):
        """DESIGN.md's standardization_report JSON, plus government_funds per unit."""
        return {
            "organization": self.organization.name,
            "year": self.year,
            "standard": self.standard.name,
            "units": [row.as_json() for row in self.rows],
            "summary": self.summary,
        }

    @property
    def title(self):
        return _("%(organization)s: standardization report %(year)d (%(standard)s)") % {
            "organization": self.organization.name,
            "year": self.year,
            "standard": self.standard.name,
        }

    def workbook(self):
        return StandardizationWorkbook(self).build()


def default_standard(user, organization, year):
    """The standard a report shows when none is chosen: of the standards the user may read
    that apply to a kind of unit in the branch, the one with the most approved assessments
    in the branch that year; ties by name. None when no standard applies."""
    kinds = set(
        Organization.objects.restrict(user)
        .below(organization, include_self=True)
        .active_on(year_end(year))
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    standards = Standard.objects.restrict(user).annotate(
        approved=Count(
            "assessments",
            filter=Q(
                assessments__year=year,
                assessments__status=AssessmentStatus.APPROVED,
                assessments__organization__path__startswith=organization.path,
            ),
        )
    )
    fitting = [standard for standard in standards if kinds & set(standard.kinds)]
    return min(fitting, key=lambda standard: (-standard.approved, standard.name), default=None)


# The workbook: a normal (not write-only) workbook, because the header is merged; every
# string a user typed is written as text, so a unit named "=HYPERLINK(...)" stays a name.

YUAN = "#,##0.00"
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
HEADER_FONT = Font(bold=True)
# Named styles for the data cells: styling thousands of cells one attribute at a time costs
# openpyxl a second for a county's 500 unions; a named style is one lookup per cell.
CELL_STYLE, GAP_STYLE = "report_cell", "report_gap"


def named_styles():
    gap = {"fill": PatternFill("solid", fgColor="F8D7DA"), "font": Font(color="9C0006")}
    return [NamedStyle(CELL_STYLE, border=BORDER), NamedStyle(GAP_STYLE, border=BORDER, **gap)]


CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_ROWS = (3, 4)
FIRST_DATA_ROW = 5


def put(sheet, row, column, value, number_format=None, **style):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    for name, item in style.items():  # before the number format, which a named style resets
        setattr(cell, name, item)
    if number_format:
        cell.number_format = number_format
    return cell


@dataclass(frozen=True)
class Column:
    """A column of the workbook: its group in the merged header (None: a header of its own
    over both rows), what it shows of a row, and whether the cell is highlighted or totalled."""

    group: str | None
    header: str
    value: object
    number_format: str | None = None
    gap: object = None
    total: bool = False


class StandardizationWorkbook:
    """Title, a two-row merged header (criteria, staffing, funds and the year before each
    grouped), frozen panes below it, A4 landscape fitted to the width; then the summary and
    the gaps on their own sheets. Totals are values, never formulas."""

    def __init__(self, report):
        self.report = report

    def columns(self):
        report = self.report
        staffing = _("Staffing on 31 December")
        funds = _("Funds in the year (yuan)")
        previous = _("%(year)d (the year before)") % {"year": report.year - 1}
        columns = [Column(None, _("Unit"), lambda row: row.name)]
        for criterion in report.criteria:
            code = criterion.code
            columns.append(
                Column(
                    _("Criteria"),
                    criterion.title,
                    lambda row, code=code: {True: "✓", False: "✗"}.get(row.criteria.get(code), ""),
                    gap=lambda row, code=code: row.criteria.get(code) is False,
                )
            )
        columns += [
            Column(None, _("Score"), lambda row: row.score, "0.0"),
            Column(None, _("Stars"), lambda row: row.rating, "0"),
            Column(None, _("Compliant"), self._verdict, gap=lambda row: not row.compliant),
            Column(staffing, _("Staff"), lambda row: row.staff, "0", total=True),
            Column(staffing, _("Full-time"), lambda row: row.full_time_staff, "0", total=True),
            Column(staffing, _("Chairs"), lambda row: row.chairs, "0", total=True),
            Column(staffing, _("Vice-chairs"), lambda row: row.vice_chairs, "0", total=True),
            Column(staffing, _("Chair's rank"), lambda row: str(row.chair_rank_label), gap=self._rank_gap),
            Column(staffing, _("Average age"), lambda row: row.average_age, "0.0"),
            Column(staffing, _("Junior college or higher"), lambda row: row.college_or_higher, "0", total=True),
            Column(funds, _("From unions"), lambda row: row.funds_received, YUAN, total=True),
        ]
        for purpose, label in Purpose.choices:
            columns.append(
                Column(funds, str(label), lambda row, purpose=purpose: row.funds_by_purpose[purpose], YUAN, total=True)
            )
        columns += [
            Column(funds, _("Government funds"), lambda row: row.government_funds, YUAN, total=True),
            Column(previous, _("Score"), lambda row: row.previous_score, "0.0"),
            Column(previous, _("Stars"), lambda row: row.previous_rating, "0"),
            Column(previous, _("Change in score"), lambda row: row.score_change, "+0.0;-0.0;0.0"),
        ]
        return columns

    @staticmethod
    def _verdict(row):
        if not row.assessed:
            return _("Not assessed")
        return _("Yes") if row.compliant else _("No")

    def _rank_gap(self, row):
        expected = self.report.standard.expected_chair_rank
        return bool(expected) and (row.chair_rank is None or rank_below(row.chair_rank, expected))

    def build(self):
        workbook = Workbook()
        for style in named_styles():
            workbook.add_named_style(style)
        sheet = workbook.active
        sheet.title = _("Standardization")[:31]
        columns = self.columns()
        self._header(sheet, columns)
        number = FIRST_DATA_ROW
        for row in self.report.rows:
            for index, column in enumerate(columns, start=1):
                gap = column.gap and column.gap(row)
                put(
                    sheet,
                    number,
                    index,
                    column.value(row),
                    column.number_format,
                    style=GAP_STYLE if gap else CELL_STYLE,
                )
            number += 1
        put(sheet, number, 1, _("Total"), font=HEADER_FONT, border=BORDER)
        for index, column in enumerate(columns[1:], start=2):
            total = sum((column.value(row) for row in self.report.rows), 0) if column.total else None
            put(sheet, number, index, total, column.number_format, font=HEADER_FONT, border=BORDER)
        self._page_setup(sheet)
        self._summary_sheet(workbook)
        self._gaps_sheet(workbook)
        return workbook

    def _header(self, sheet, columns):
        last = len(columns)
        put(sheet, 1, 1, self.report.title, font=Font(bold=True, size=14), alignment=CENTER)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
        summary = self.report.summary
        line = _("Units %(units)d · assessed %(assessed)d · compliant %(compliant)d") % summary
        ratings = " · ".join(f"{'★' * int(key)} {count}" for key, count in summary["by_rating"].items())
        put(sheet, 2, 1, f"{line} · {ratings}", alignment=Alignment(horizontal="center"))
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
        top, bottom = HEADER_ROWS
        style = {"font": HEADER_FONT, "fill": HEADER_FILL, "alignment": CENTER, "border": BORDER}
        start = 0
        while start < last:
            column = columns[start]
            if column.group is None:
                put(sheet, top, start + 1, column.header, **style)
                put(sheet, bottom, start + 1, None, **style)
                sheet.merge_cells(start_row=top, start_column=start + 1, end_row=bottom, end_column=start + 1)
                start += 1
                continue
            end = start
            while end + 1 < last and columns[end + 1].group == column.group:
                end += 1
            for index in range(start, end + 1):
                put(sheet, top, index + 1, column.group if index == start else None, **style)
                put(sheet, bottom, index + 1, columns[index].header, **style)
            if end > start:
                sheet.merge_cells(start_row=top, start_column=start + 1, end_row=top, end_column=end + 1)
            start = end + 1
        for index in range(1, last + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 28 if index == 1 else 12
        sheet.row_dimensions[bottom].height = 45
        sheet.freeze_panes = f"B{FIRST_DATA_ROW}"

    @staticmethod
    def _page_setup(sheet):
        sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}"
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.4
        sheet.oddFooter.center.text = "&P / &N"

    def _summary_sheet(self, workbook):
        report = self.report
        sheet = workbook.create_sheet(_("Summary")[:31])
        headers = ("", str(report.year), str(report.year - 1), _("Change"))
        for index, header in enumerate(headers, start=1):
            put(sheet, 1, index, header, font=HEADER_FONT, fill=HEADER_FILL)
        now, before, change = report.summary, report.previous_summary, report.summary_changes
        lines = [(_("Units"), now["units"], before["units"], change["units"])]
        lines.append((_("Assessed (approved)"), now["assessed"], before["assessed"], change["assessed"]))
        lines.append((_("Compliant"), now["compliant"], before["compliant"], change["compliant"]))
        for key, count in now["by_rating"].items():
            lines.append(("★" * int(key), count, before["by_rating"][key], change["by_rating"][key]))
        for number, line in enumerate(lines, start=2):
            for index, value in enumerate(line, start=1):
                put(sheet, number, index, value, None if index == 1 else "0")
        sheet.column_dimensions["A"].width = 24
        sheet.freeze_panes = "A2"

    def _gaps_sheet(self, workbook):
        sheet = workbook.create_sheet(_("Gaps")[:31])
        for index, header in enumerate((_("Unit"), _("Gap")), start=1):
            put(sheet, 1, index, header, font=HEADER_FONT, fill=HEADER_FILL)
        for number, gap in enumerate(self.report.gaps, start=2):
            put(sheet, number, 1, gap.unit.name)
            put(sheet, number, 2, str(gap.message))
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 60
        sheet.freeze_panes = "A2"


# The standardization section of the annual summary.

ASSESSMENT_LIST = "standards:assessment_list"


def approved_in(user, organization, period):
    """Approved assessments of units in the branch (the organization included), against any
    standard, for the years the period touches: assessments are yearly."""
    years = period.years
    return Assessment.objects.restrict(user).filter(
        status=AssessmentStatus.APPROVED,
        organization__path__startswith=organization.path,
        year__gte=years.start,
        year__lte=years[-1],
    )


@report_section
def standardization_section(context):
    """Approved assessments of the branch in the period's years, compliant ones and stars,
    with the keys of the standardization report's summary ("assessed", "compliant",
    "by_rating" from "5" to "1"). Two grouped queries, whatever the number of children."""
    user, organization = context.user, context.organization
    counts = {"count": Count("pk")}
    # Keys: (branch, rating, compliant).
    now = context.by_branch(
        approved_in(user, organization, context.period), "organization__path", "rating", "compliant", **counts
    )
    before = {
        (None, row.pop("rating"), row.pop("compliant")): row
        for row in approved_in(user, organization, context.previous)
        .order_by()
        .values("rating", "compliant")
        .annotate(**counts)
    }

    def count(grouped, where=None):
        return group_total(grouped, "count", where)

    def rated(stars):
        return lambda key: key[1] == stars

    def compliant(key):
        return bool(key[2])

    years = context.period.years
    query = {"status": AssessmentStatus.APPROVED, "year_min": years.start, "year_max": years[-1]}

    def link(organization=None, **params):
        return context.link(ASSESSMENT_LIST, organization, **query, **params)

    data = {
        "assessed": count(now),
        "compliant": count(now, compliant),
        "by_rating": {str(stars): count(now, rated(stars)) for stars in RATINGS},
    }
    figures = [
        Figure("assessed", _("Units assessed (approved)"), data["assessed"], link(), previous=count(before)),
        Figure(
            "compliant",
            _("Compliant"),
            data["compliant"],
            link(compliant="true"),
            previous=count(before, compliant),
        ),
    ]
    group = _("By stars")
    for stars in RATINGS:
        figures.append(
            Figure(
                f"by_rating.{stars}",
                "★" * stars,
                data["by_rating"][str(stars)],
                link(rating=stars),
                previous=count(before, rated(stars)),
                group=group,
            )
        )

    columns = [
        ("assessed", _("Assessed (approved)"), "count"),
        ("compliant", _("Compliant"), "count"),
        *((f"by_rating.{stars}", "★" * stars, "count") for stars in RATINGS),
    ]

    def row(branch, child, own=False):
        own_only = {"only": child.pk} if own else {}

        def cell(where=None, **params):
            return Cell(group_total(now, "count", where, branch=branch), link(child, **own_only, **params))

        return ChildRow(
            child,
            [
                cell(),
                cell(compliant, compliant="true"),
                *(cell(rated(stars), rating=stars) for stars in RATINGS),
            ],
            own=own,
        )

    children = context.breakdown(row, now)

    charts = [
        Chart(
            "standardization_by_rating",
            _("Approved assessments by stars"),
            "bar",
            ["★" * stars for stars in RATINGS],
            [{"name": _("Assessed (approved)"), "data": [data["by_rating"][str(stars)] for stars in RATINGS]}],
            links=[link(rating=stars) for stars in RATINGS],
        )
    ]
    return Section(
        key="standardization",
        title=_("Standardization"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        charts=charts,
        note=_(
            "Approved assessments, against any standard, of unions in the branch for the years the "
            "period touches; a union assessed against two standards counts twice."
        ),
    )
