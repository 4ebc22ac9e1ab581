"""The relief section of the annual summary: what was paid in the period, to how many
person-times, through which programmes, and the hardship files on record.

Paid disbursements count by their date (发放日期), in the branch of the paying organization.
A person paid counts one person-time, a group its head count; a reversing entry takes its
amount and its person-times back, so a corrected payment counts once. Every figure comes
from a fixed number of grouped queries, whatever the number of children or payments."""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from relief.models import Beneficiary, BeneficiaryStatus, Disbursement, DisbursementStatus
from unionportal.reporting import ZERO, Cell, Chart, ChildRow, Figure, Section, amount_text, group_total, report_section
from unionportal.roles import Action

AMOUNT = Sum(F("cash") + F("in_kind_value"), output_field=DecimalField(max_digits=16, decimal_places=2))
# One per person paid, the head count of a group; negative for a reversing entry.
PERSON_TIMES = Sum(
    Case(When(beneficiary__isnull=False, then=Value(1)), default=F("head_count"), output_field=IntegerField())
    * Case(When(reverses__isnull=True, then=Value(1)), default=Value(-1), output_field=IntegerField()),
    output_field=IntegerField(),
)
IS_GROUP = Case(When(beneficiary__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())


def paid_in(user, organization, period):
    return (
        Disbursement.objects.restrict(user, Action.VIEW)
        .filter(
            status=DisbursementStatus.PAID,
            paying_organization__path__startswith=organization.path,
            date__gte=period.start,
            date__lte=period.end,
        )
        .annotate(is_group=IS_GROUP)
    )


def on_file(user, organization, day):
    """Hardship files of the branch on file at `day`: filed by then and not lifted or closed."""
    return Beneficiary.objects.restrict(user, Action.VIEW).filter(
        organization__path__startswith=organization.path, status=BeneficiaryStatus.ON_FILE, filed_on__lte=day
    )


def _sum(rows, field, where=lambda key: True):
    return sum((row[field] or 0 for key, row in rows.items() if where(key)), start=0)


@report_section
def relief_section(context):
    user, organization, period = context.user, context.organization, context.period

    # (branch, programme name, is_group) → amount, person_times, count
    paid = context.by_branch(
        paid_in(user, organization, period),
        "paying_organization__path",
        "programme__name",
        "is_group",
        amount=AMOUNT,
        person_times=PERSON_TIMES,
        count=Count("pk"),
    )
    # (programme name, is_group) → the same, a year earlier
    before = {
        (row.pop("programme__name"), row.pop("is_group")): row
        for row in paid_in(user, organization, context.previous)
        .order_by()
        .values("programme__name", "is_group")
        .annotate(amount=AMOUNT, person_times=PERSON_TIMES, count=Count("pk"))
    }
    files = context.by_branch(on_file(user, organization, period.end), "organization__path", count=Count("pk"))
    files_before = on_file(user, organization, context.previous.end).count()
    months = (
        paid_in(user, organization, period)
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(amount=AMOUNT, person_times=PERSON_TIMES)
        .order_by("month")
    )

    def money(value):
        return (value or ZERO).quantize(Decimal("0.01"))

    amount = money(_sum(paid, "amount"))
    person_times = _sum(paid, "person_times")
    groups = _sum(paid, "count", lambda key: key[2] == 1)
    group_people = _sum(paid, "person_times", lambda key: key[2] == 1)
    programmes = sorted({key[1] for key in paid} | {key[0] for key in before})
    by_programme = {
        name: {
            "amount": money(_sum(paid, "amount", lambda key, name=name: key[1] == name)),
            "person_times": _sum(paid, "person_times", lambda key, name=name: key[1] == name),
        }
        for name in programmes
    }
    by_programme_before = {
        name: {
            "amount": money(_sum(before, "amount", lambda key, name=name: key[0] == name)),
            "person_times": _sum(before, "person_times", lambda key, name=name: key[0] == name),
        }
        for name in programmes
    }

    dates = context.period_params("date_after", "date_before")
    paid_link = {"status": DisbursementStatus.PAID, **dates}
    list_url = "relief:disbursement_list"
    files_link = {"status": BeneficiaryStatus.ON_FILE, "filed_on_before": period.end.isoformat()}

    figures = [
        Figure(
            "amount",
            _("Relief paid (yuan)"),
            amount,
            context.link(list_url, **paid_link),
            previous=money(_sum(before, "amount")),
            format="amount",
        ),
        Figure(
            "person_times",
            _("Person-times helped"),
            person_times,
            context.link(list_url, **paid_link),
            previous=_sum(before, "person_times"),
        ),
        Figure(
            "beneficiaries_on_file",
            _("Hardship files on record at the period's end"),
            _sum(files, "count"),
            context.link("relief:beneficiary_list", **files_link),
            previous=files_before,
        ),
        Figure(
            "groups.count",
            _("Payments to groups"),
            groups,
            context.link(list_url, recipient_type="group", **paid_link),
            previous=_sum(before, "count", lambda key: key[1] == 1),
        ),
        Figure(
            "groups.person_times",
            _("Person-times in groups"),
            group_people,
            context.link(list_url, recipient_type="group", **paid_link),
            previous=_sum(before, "person_times", lambda key: key[1] == 1),
        ),
    ]
    group = _("By programme")
    for name in programmes:
        link = context.link(list_url, programme_is=name, **paid_link)
        figures.append(
            Figure(
                f"by_programme.{name}.amount",
                _("%(programme)s: amount (yuan)") % {"programme": name},
                by_programme[name]["amount"],
                link,
                previous=by_programme_before[name]["amount"],
                format="amount",
                group=group,
            )
        )
        figures.append(
            Figure(
                f"by_programme.{name}.person_times",
                _("%(programme)s: person-times") % {"programme": name},
                by_programme[name]["person_times"],
                link,
                previous=by_programme_before[name]["person_times"],
                group=group,
            )
        )

    columns = [
        ("amount", _("Relief paid (yuan)"), "amount"),
        ("person_times", _("Person-times helped"), "count"),
        ("beneficiaries_on_file", _("Hardship files on record"), "count"),
    ]

    def row(branch, child, own=False):
        # The own row lists the organization's own payments and files, not its children's.
        where = {"only": organization.pk} if own else {"organization": child}
        link = context.link(list_url, **where, **paid_link)
        files_url = context.link("relief:beneficiary_list", **where, **files_link)
        return ChildRow(
            child,
            [
                Cell(money(group_total(paid, "amount", branch=branch)), link),
                Cell(group_total(paid, "person_times", branch=branch), link),
                Cell(group_total(files, "count", branch=branch), files_url),
            ],
            own=own,
        )

    children = context.breakdown(row, paid, files)

    monthly = defaultdict(lambda: {"amount": ZERO, "person_times": 0})
    for month in months:
        day = month["month"]
        key = (day.year, day.month) if day else None
        monthly[key]["amount"] += month["amount"] or ZERO
        monthly[key]["person_times"] += month["person_times"] or 0
    month_keys = sorted(key for key in monthly if key)
    charts = [
        Chart(
            "relief_by_programme",
            _("Relief by programme (yuan)"),
            "pie",
            programmes,
            [{"name": _("Relief paid (yuan)"), "data": [by_programme[name]["amount"] for name in programmes]}],
            links=[context.link(list_url, programme_is=name, **paid_link) for name in programmes],
        ),
        Chart(
            "relief_by_month",
            _("Relief by month (yuan)"),
            "bar",
            [f"{year}-{month:02d}" for year, month in month_keys],
            [{"name": _("Relief paid (yuan)"), "data": [monthly[key]["amount"] for key in month_keys]}],
            links=[_month_link(context, list_url, year, month) for year, month in month_keys],
        ),
    ]

    data = {
        "amount": amount_text(amount),
        "person_times": person_times,
        "beneficiaries_on_file": _sum(files, "count"),
        "by_programme": {
            name: {"amount": amount_text(values["amount"]), "person_times": values["person_times"]}
            for name, values in by_programme.items()
        },
        "groups": {"count": groups, "person_times": group_people},
    }
    return Section(
        key="relief",
        title=_("Relief"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        charts=charts,
        note=_(
            "Paid disbursements dated in the period, in the branch of the paying organization. A person "
            "counts one person-time, a group its head count; a reversing entry takes both back."
        ),
    )


def _month_link(context, url_name, year, month):
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start, end = max(first, context.period.start), min(last, context.period.end)
    return context.link(
        url_name, status=DisbursementStatus.PAID, date_after=start.isoformat(), date_before=end.isoformat()
    )
