"""The cadres and training sections of the annual summary.

Cadres are counted as of the period's end, from the posts held that day, one person once:
a cadre with two posts counts by their principal post (the highest rank, then the higher
position, see `cadres.filters.outranked`), in total, by rank, by position and full-time
alike; the list behind each figure (`per_cadre=true`) shows exactly those principal posts.
Training counts the courses that start inside the period. Each section comes from a fixed
number of grouped queries, whatever the number of children, cadres or courses."""

from decimal import Decimal

from django.db.models import Avg, Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from cadres.filters import PRINCIPAL_ORDER, outranked
from cadres.models import COLLEGE_OR_HIGHER, RANK_ORDER, Attendance, Education, Position, Post, Rank, Staffing, Training
from unionportal.reporting import Cell, Chart, ChildRow, Figure, Section, group_total, one_decimal, report_section

POST_LIST = "cadres:post_list"
TRAINING_LIST = "cadres:training_list"
SOCIAL_WORKER = Q(staffing=Staffing.SOCIAL_WORKER)
IS_SOCIAL_WORKER = Case(When(SOCIAL_WORKER, then=Value(1)), default=Value(0), output_field=IntegerField())
# The JSON key of cadres with no education on record.
UNSPECIFIED = "unspecified"


def age_on(day):
    """A cadre's age in whole years on `day`, in the database: the difference of the years,
    less one when the birthday (month, day) falls after `day`. Needs the `_birth_month` and
    `_birth_day` annotations (`with_birthday`)."""
    birthday_later = Q(_birth_month__gt=day.month) | Q(_birth_month=day.month, _birth_day__gt=day.day)
    return (
        Value(day.year)
        - ExtractYear("cadre__birth_date")
        - Case(When(birthday_later, then=Value(1)), default=Value(0), output_field=IntegerField())
    )


def with_birthday(posts):
    return posts.annotate(_birth_month=ExtractMonth("cadre__birth_date"), _birth_day=ExtractDay("cadre__birth_date"))


def counted_posts(posts, *, same=()):
    """Each cadre's principal post among `posts`, separately for social workers and the
    others (a person who is both counts on both sides) and, with `same`, inside each group
    of the annotations it names."""
    posts = posts.annotate(_social=IS_SOCIAL_WORKER)
    return posts.annotate(_order=PRINCIPAL_ORDER).filter(~outranked(posts, same=("_social", *same)))


def cadre_aggregates(day):
    """Counts of the principal posts (one per cadre), by social worker or not (`_social`)."""
    aggregates = {
        "cadres": Count("pk"),
        "full_time": Count("pk", filter=Q(full_time=True)),
        "college_or_higher": Count("pk", filter=Q(cadre__education__in=COLLEGE_OR_HIGHER)),
        "average_age": Avg(age_on(day)),
        "education_unspecified": Count("pk", filter=Q(cadre__education="")),
    }
    aggregates.update({f"rank_{rank}": Count("pk", filter=Q(rank=rank)) for rank in Rank.values})
    aggregates.update(
        {f"position_{position}": Count("pk", filter=Q(position=position)) for position in Position.values}
    )
    aggregates.update(
        {f"education_{education}": Count("pk", filter=Q(cadre__education=education)) for education in Education.values}
    )
    return aggregates


@report_section
def cadres_section(context):
    """ "cadres": the cadres in post at the period's end in the branch, the organization's own
    included. "total" leaves out contracted social workers, who are "social_workers"; the
    breakdowns, "full_time", "average_age" (one decimal, over the cadres with a birth date)
    and "college_or_higher" are over "total".

    Queries: 3 (the period's end, a year before it, and the rows by child)."""
    user, organization = context.user, context.organization
    end = context.period.end

    def posts_on(day):
        return Post.objects.restrict(user).in_post_on(day).filter(organization__path__startswith=organization.path)

    def totals(day):
        rows = (
            with_birthday(counted_posts(posts_on(day))).order_by().values("_social").annotate(**cadre_aggregates(day))
        )
        return {row.pop("_social"): row for row in rows}

    now, before = totals(end), totals(context.previous.end)
    # Each child's row counts the cadres of its branch, a principal post chosen inside that
    # branch, as the list of that branch chooses it.
    by_child = context.by_branch(
        with_birthday(
            counted_posts(
                posts_on(end).annotate(_part=context.branch_key("organization__path")),
                same=("_part",),
            )
        ),
        "organization__path",
        "_social",
        **cadre_aggregates(end),
    )

    def value(rows, aggregate, social=0):
        row = rows.get(social)
        return row[aggregate] if row else 0

    def average(rows):
        row = rows.get(0)
        return one_decimal(row["average_age"]) if row else None

    base = {"on": end.isoformat(), "per_cadre": "true"}
    cadres = {"staffing_not": Staffing.SOCIAL_WORKER, **base}
    social = {"staffing": Staffing.SOCIAL_WORKER, **base}

    def link(**params):
        return context.link(POST_LIST, **cadres, **params)

    figures = [
        Figure("total", _("Cadres in post"), value(now, "cadres"), link(), value(before, "cadres")),
        Figure(
            "social_workers",
            _("Contracted social workers"),
            value(now, "cadres", 1),
            context.link(POST_LIST, **social),
            value(before, "cadres", 1),
        ),
        Figure(
            "full_time", _("Full-time"), value(now, "full_time"), link(full_time="true"), value(before, "full_time")
        ),
        Figure(
            "average_age",
            _("Average age"),
            average(now),
            link(),
            average(before),
            format="average",
        ),
        Figure(
            "college_or_higher",
            _("Junior college or higher"),
            value(now, "college_or_higher"),
            link(college_or_higher="true"),
            value(before, "college_or_higher"),
        ),
    ]
    by_rank = {rank: value(now, f"rank_{rank}") for rank in Rank.values}
    by_position = {position: value(now, f"position_{position}") for position in Position.values}
    by_education = {education: value(now, f"education_{education}") for education in Education.values}
    if value(now, "education_unspecified") or value(before, "education_unspecified"):
        by_education[UNSPECIFIED] = value(now, "education_unspecified")
    rank_labels = dict(Rank.choices)
    for rank in Rank.values:
        figures.append(
            Figure(
                f"by_rank.{rank}",
                rank_labels[rank],
                by_rank[rank],
                link(rank=rank),
                value(before, f"rank_{rank}"),
                group=_("By rank"),
            )
        )
    position_labels = dict(Position.choices)
    for position in Position.values:
        figures.append(
            Figure(
                f"by_position.{position}",
                position_labels[position],
                by_position[position],
                link(position=position),
                value(before, f"position_{position}"),
                group=_("By position"),
            )
        )
    education_labels = {**dict(Education.choices), UNSPECIFIED: _("Not specified")}
    for education in by_education:
        figures.append(
            Figure(
                f"by_education.{education}",
                education_labels[education],
                by_education[education],
                # The list cannot ask for "no education on record"; that figure links to nothing.
                None if education == UNSPECIFIED else link(education=education),
                value(before, f"education_{education}"),
                group=_("By education"),
            )
        )

    # The Pingtang summary's ranks, then the other columns.
    shown_ranks = [Rank.DEPUTY_DIVISION, Rank.SECTION, Rank.DEPUTY_SECTION, Rank.UNIT]
    columns = [
        ("total", _("Cadres in post"), "count"),
        *[(f"by_rank.{rank}", rank_labels[rank], "count") for rank in shown_ranks],
        ("social_workers", _("Social workers"), "count"),
        ("full_time", _("Full-time"), "count"),
        ("average_age", _("Average age"), "average"),
        ("college_or_higher", _("Junior college or higher"), "count"),
    ]

    def row(branch, child, own=False):
        def count(aggregate, social=0):
            group = by_child.get((branch, social))
            return group[aggregate] if group else 0

        group = by_child.get((branch, 0))
        # The organization's own cadres, not its branch: `unit` instead of `branch`.
        scope = {"unit": organization.pk} if own else {}

        def cell_link(params, **extra):
            return context.link(POST_LIST, child, **params, **scope, **extra)

        return ChildRow(
            child,
            [
                Cell(count("cadres"), cell_link(cadres)),
                *[Cell(count(f"rank_{rank}"), cell_link(cadres, rank=rank)) for rank in shown_ranks],
                Cell(count("cadres", 1), cell_link(social)),
                Cell(count("full_time"), cell_link(cadres, full_time="true")),
                Cell(one_decimal(group["average_age"]) if group else None, cell_link(cadres)),
                Cell(count("college_or_higher"), cell_link(cadres, college_or_higher="true")),
            ],
            own=own,
        )

    children = context.breakdown(row, by_child)

    charts = [
        Chart(
            "cadres_by_rank",
            _("Cadres by rank"),
            "bar",
            [rank_labels[rank] for rank in RANK_ORDER],
            [{"name": _("Cadres in post"), "data": [by_rank[rank] for rank in RANK_ORDER]}],
            links=[link(rank=rank) for rank in RANK_ORDER],
        )
    ]

    data = {
        "total": value(now, "cadres"),
        "by_rank": by_rank,
        "by_position": by_position,
        "social_workers": value(now, "cadres", 1),
        "average_age": average(now),
        "college_or_higher": value(now, "college_or_higher"),
        "full_time": value(now, "full_time"),
        "by_education": by_education,
    }
    return Section(
        key="cadres",
        title=_("Union cadres"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        charts=charts,
        note=_(
            "Cadres in post on %(day)s in the branch, each person once: a cadre with several posts counts "
            "by the highest-ranked one. Contracted social workers are counted apart; the average age (on "
            "that day) and education are over the other cadres."
        )
        % {"day": end.isoformat()},
    )


def hours_number(hours):
    """Class hours for the JSON: a whole number when whole (16), else one decimal (7.5)."""
    hours = hours or Decimal(0)
    return int(hours) if hours == hours.to_integral_value() else float(hours)


@report_section
def training_section(context):
    """ "training": the courses organized in the branch (the organization's own included) that
    start inside the period. "person_times" are the cadres' attendances plus the other
    attendees on record, which are already person-times over all sessions (860 hotel staff in
    3 sessions are 860); "hours" are the courses' class hours, summed.

    Queries: 2 (courses and attendances, both periods and every child in each)."""
    user, organization, period, previous = context.user, context.organization, context.period, context.previous

    def started_in(one_period, prefix=""):
        return Q(**{f"{prefix}start__gte": one_period.start, f"{prefix}start__lte": one_period.end})

    courses = context.by_branch(
        Training.objects.restrict(user).filter(
            started_in(period) | started_in(previous), organizer__path__startswith=organization.path
        ),
        "organizer__path",
        now_courses=Count("pk", filter=started_in(period)),
        now_hours=Sum("hours", filter=started_in(period)),
        now_others=Sum("other_attendees", filter=started_in(period)),
        previous_courses=Count("pk", filter=started_in(previous)),
        previous_hours=Sum("hours", filter=started_in(previous)),
        previous_others=Sum("other_attendees", filter=started_in(previous)),
    )
    attendances = context.by_branch(
        Attendance.objects.restrict(user).filter(
            started_in(period, "training__") | started_in(previous, "training__"),
            training__organizer__path__startswith=organization.path,
        ),
        "training__organizer__path",
        now_attendances=Count("pk", filter=started_in(period, "training__")),
        previous_attendances=Count("pk", filter=started_in(previous, "training__")),
    )

    def total(grouped, aggregate, branch=None):
        return group_total(grouped, aggregate, branch=branch)

    def figures_of(branch=None, prefix="now_"):
        return {
            "courses": total(courses, f"{prefix}courses", branch),
            "person_times": total(attendances, f"{prefix}attendances", branch)
            + total(courses, f"{prefix}others", branch),
            "hours": Decimal(total(courses, f"{prefix}hours", branch)),
        }

    now, before = figures_of(), figures_of(prefix="previous_")
    dates = context.period_params("start_after", "start_before")
    link = context.link(TRAINING_LIST, **dates)
    labels = {
        "courses": _("Training courses"),
        "person_times": _("Person-times trained"),
        "hours": _("Class hours"),
    }
    formats = {"courses": "count", "person_times": "count", "hours": "hours"}
    figures = [Figure(key, labels[key], now[key], link, before[key], format=formats[key]) for key in labels]
    columns = [(key, labels[key], formats[key]) for key in labels]

    def row(branch, child, own=False):
        values = figures_of(branch)
        scope = {"organizer": organization.pk} if own else {}
        cell_link = context.link(TRAINING_LIST, child, **dates, **scope)
        return ChildRow(child, [Cell(values[key], cell_link) for key in labels], own=own)

    # Courses of the year before alone do not make an own row.
    children = context.breakdown(row, [key for key, values in courses.items() if values["now_courses"]])

    return Section(
        key="training",
        title=_("Training"),
        figures=figures,
        data={"courses": now["courses"], "person_times": now["person_times"], "hours": hours_number(now["hours"])},
        columns=columns,
        children=children,
        note=_(
            "Courses organized in the branch that start in the period. Person-times are the cadres "
            "attending plus the other attendees on record (already counted over all sessions); class "
            "hours are those of the courses."
        ),
    )
