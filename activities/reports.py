"""The activities and honours sections of the annual summary: what the unions of a branch
did in the period (activities by type, their participants and what they produced) and the
honours they won.

An activity counts when it starts inside the period (its start date, both ends of the period
included), in the branch of its organizer: an activity that began before the period and
ran into it belongs to the period it started in, so that consecutive periods never count it
twice, and the activity list's "held between" filter shows the same records. Honours carry a
year only: a conferred honour counts when its year is one of the years the period touches.
Every figure comes from a fixed number of grouped queries, whatever the number of children,
activities or honours."""

from operator import itemgetter

from django.db.models import Case, Count, IntegerField, Min, Sum, Value, When
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityKind, Campaign, Honour, HonourLevel, HonourStatus, RecipientType
from organizations.models import UnitType
from unionportal.reporting import Cell, Chart, ChildRow, Figure, Section, group_total, group_totals, report_section
from unionportal.roles import Action

ACTIVITY_LIST = "activities:activity_list"
CAMPAIGN_LIST = "activities:campaign_list"
HONOUR_LIST = "activities:honour_list"

# What an activity adds up to. Employment services count materials, enterprises, jobs and
# placements; training courses at relocation sites count their placements too.
ACTIVITY_SUMS = {
    "count": Count("pk"),
    "participants": Sum("participants"),
    "entries": Sum("entries"),
    "materials": Sum("materials"),
    "enterprises": Sum("enterprises"),
    "jobs_offered": Sum("jobs_offered"),
    "people_placed": Sum("people_placed"),
}
AT_RELOCATION_SITE = Case(
    When(organizer__unit_type=UnitType.RELOCATION_SITE, then=Value(1)), default=Value(0), output_field=IntegerField()
)
EMPLOYMENT_FIGURES = ("materials", "enterprises", "jobs_offered", "people_placed")


def activities_in(user, organization, period):
    """Activities organized in the branch that start inside the period."""
    return (
        Activity.objects.restrict(user, Action.VIEW)
        .filter(organizer__path__startswith=organization.path, start__gte=period.start, start__lte=period.end)
        .annotate(relocation=AT_RELOCATION_SITE)
    )


def campaigns_in(user, organization, period):
    """Campaigns organized in the branch with at least one activity starting inside the
    period (what the campaign list's `held` filter keeps)."""
    held = Activity.objects.restrict(user, Action.VIEW).filter(
        campaign__isnull=False, start__gte=period.start, start__lte=period.end
    )
    return Campaign.objects.restrict(user, Action.VIEW).filter(
        organizer__path__startswith=organization.path, pk__in=held.values("campaign_id")
    )


def honours_in(user, organization, period):
    """Conferred honours of unions (and people of unions) in the branch, of the period's years."""
    years = period.years
    return (
        Honour.objects.restrict(user, Action.VIEW)
        .conferred()
        .filter(organization__path__startswith=organization.path, year__gte=years.start, year__lte=years[-1])
    )


def _ungrouped(queryset, *dims, **aggregates):
    """The same shape as `ReportContext.by_branch` ({(branch, *dims): row}) for a figure that
    needs no breakdown by child (the year before): the branch is None."""
    rows = queryset.order_by().values(*dims).annotate(**aggregates)
    return {(None, *(row.pop(dim) for dim in dims)): row for row in rows}


# Activities: keys are (branch, kind, relocation).


@report_section
def activities_section(context):
    user, organization, period = context.user, context.organization, context.period
    now = context.by_branch(
        activities_in(user, organization, period), "organizer__path", "kind", "relocation", **ACTIVITY_SUMS
    )
    before = _ungrouped(activities_in(user, organization, context.previous), "kind", "relocation", **ACTIVITY_SUMS)
    campaigns = context.by_branch(campaigns_in(user, organization, period), "organizer__path", count=Count("pk"))
    campaigns_before = campaigns_in(user, organization, context.previous).count()

    def total(grouped, field, where=None):
        return group_total(grouped, field, where)

    def kind_is(kind):
        return lambda key: key[1] == kind

    def relocation_training(key):
        return key[1] == ActivityKind.TRAINING and key[2] == 1

    employment = kind_is(ActivityKind.EMPLOYMENT)

    dates = context.period_params("start_after", "start_before")
    campaign_dates = context.period_params("held_after", "held_before")

    def link(organization=None, **params):
        return context.link(ACTIVITY_LIST, organization, **dates, **params)

    kinds = ActivityKind.choices
    by_kind = {
        kind: {"count": total(now, "count", kind_is(kind)), "participants": total(now, "participants", kind_is(kind))}
        for kind, _label in kinds
    }
    data = {
        "total": total(now, "count"),
        "participants": total(now, "participants"),
        "by_kind": by_kind,
        "entries": total(now, "entries"),
        "entries_by_kind": {kind: total(now, "entries", kind_is(kind)) for kind, _label in kinds},
        "campaigns": group_total(campaigns, "count"),
        "employment": {
            "count": total(now, "count", employment),
            "participants": total(now, "participants", employment),
            **{field: total(now, field, employment) for field in EMPLOYMENT_FIGURES},
        },
        "relocation_training": {
            "courses": total(now, "count", relocation_training),
            "participants": total(now, "participants", relocation_training),
            "people_placed": total(now, "people_placed", relocation_training),
        },
    }

    figures = [
        Figure("total", _("Activities"), data["total"], link(), previous=total(before, "count")),
        Figure(
            "participants",
            _("Participant person-times"),
            data["participants"],
            link(),
            previous=total(before, "participants"),
        ),
        Figure(
            "entries", _("Entries (essays, photos, works)"), data["entries"], link(), previous=total(before, "entries")
        ),
        Figure(
            "campaigns",
            _("Campaigns with activities in the period"),
            data["campaigns"],
            context.link(CAMPAIGN_LIST, **campaign_dates),
            previous=campaigns_before,
        ),
    ]
    group = _("By activity type")
    for kind, label in kinds:
        counted = kind_is(kind)
        if not (by_kind[kind]["count"] or total(before, "count", counted)):
            continue  # the JSON has every type; the page only those with activities
        figures.append(
            Figure(
                f"by_kind.{kind}.count",
                _("%(kind)s: activities") % {"kind": label},
                by_kind[kind]["count"],
                link(kind=kind),
                previous=total(before, "count", counted),
                group=group,
            )
        )
        figures.append(
            Figure(
                f"by_kind.{kind}.participants",
                _("%(kind)s: participant person-times") % {"kind": label},
                by_kind[kind]["participants"],
                link(kind=kind),
                previous=total(before, "participants", counted),
                group=group,
            )
        )
        if data["entries_by_kind"][kind] or total(before, "entries", counted):
            figures.append(
                Figure(
                    f"entries_by_kind.{kind}",
                    _("%(kind)s: entries") % {"kind": label},
                    data["entries_by_kind"][kind],
                    link(kind=kind),
                    previous=total(before, "entries", counted),
                    group=group,
                )
            )

    group = _("Employment service")
    employment_labels = {
        "count": _("Employment services"),
        "participants": _("Employment services: participant person-times"),
        "materials": _("Materials handed out"),
        "enterprises": _("Enterprises taking part"),
        "jobs_offered": _("Jobs offered"),
        "people_placed": _("People placed in jobs"),
    }
    for field, label in employment_labels.items():
        figures.append(
            Figure(
                f"employment.{field}",
                label,
                data["employment"][field],
                link(kind=ActivityKind.EMPLOYMENT),
                previous=total(before, field, employment),
                group=group,
            )
        )
    group = _("Training at relocation sites")
    relocation_link = link(kind=ActivityKind.TRAINING, unit_type=UnitType.RELOCATION_SITE)
    for key, field, label in (
        ("courses", "count", _("Courses at relocation sites")),
        ("participants", "participants", _("Trainees at relocation sites")),
        ("people_placed", "people_placed", _("Trainees placed in jobs")),
    ):
        figures.append(
            Figure(
                f"relocation_training.{key}",
                label,
                data["relocation_training"][key],
                relocation_link,
                previous=total(before, field, relocation_training),
                group=group,
            )
        )

    columns = [
        ("total", _("Activities"), "count"),
        ("participants", _("Participant person-times"), "count"),
        ("entries", _("Entries"), "count"),
        ("campaigns", _("Campaigns"), "count"),
    ]

    def row(branch, child, own=False):
        own_only = {"only": child.pk} if own else {}

        activities_link = link(child, **own_only)
        return ChildRow(
            child,
            [
                Cell(group_total(now, "count", branch=branch), activities_link),
                Cell(group_total(now, "participants", branch=branch), activities_link),
                Cell(group_total(now, "entries", branch=branch), activities_link),
                Cell(
                    group_total(campaigns, "count", branch=branch),
                    context.link(CAMPAIGN_LIST, child, **campaign_dates, **own_only),
                ),
            ],
            own=own,
        )

    children = context.breakdown(row, now, campaigns)

    shown = [(kind, label) for kind, label in kinds if by_kind[kind]["count"]]
    charts = [
        Chart(
            "activities_by_kind",
            _("Activities by type"),
            "bar",
            [label for _kind, label in shown],
            [{"name": _("Activities"), "data": [by_kind[kind]["count"] for kind, _label in shown]}],
            links=[link(kind=kind) for kind, _label in shown],
        ),
        Chart(
            "participants_by_kind",
            _("Participant person-times by activity type"),
            "bar",
            [label for _kind, label in shown],
            [
                {
                    "name": _("Participant person-times"),
                    "data": [by_kind[kind]["participants"] for kind, _label in shown],
                }
            ],
            links=[link(kind=kind) for kind, _label in shown],
        ),
    ]
    return Section(
        key="activities",
        title=_("Activities"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        charts=charts,
        note=_(
            "Activities that start inside the period (first and last day included), in the branch of "
            "their organizer; an activity that started earlier counts in the period it started in. "
            "Campaigns are those organized in the branch with an activity starting in the period."
        ),
    )


# Honours: keys are (branch, level, title name, recipient type).


@report_section
def honours_section(context):
    user, organization, period = context.user, context.organization, context.period
    dims = ("title__level", "title__name", "title__recipient_type")
    counts = {"count": Count("pk"), "order": Min("title__order")}
    now = context.by_branch(honours_in(user, organization, period), "organization__path", *dims, **counts)
    before = _ungrouped(honours_in(user, organization, context.previous), *dims, **counts)

    def count(grouped, where=None):
        return group_total(grouped, "count", where)

    def level_is(level):
        return lambda key: key[1] == level

    def type_is(recipient_type):
        return lambda key: key[3] == recipient_type

    # The figures by level, title, recipient type and level and title, now and the year before,
    # each from one pass over the rows.
    dimensions = {"level": itemgetter(1), "title": itemgetter(2), "type": itemgetter(3), "pair": itemgetter(1, 2)}
    now_by = {name: group_totals(now, "count", dimension) for name, dimension in dimensions.items()}
    before_by = {name: group_totals(before, "count", dimension) for name, dimension in dimensions.items()}

    # Title names merged across levels (模范职工之家 is national, provincial and prefecture),
    # in the catalogue's order.
    orders = {}
    for key, row in (*now.items(), *before.items()):
        orders[key[2]] = min(orders.get(key[2], row["order"]), row["order"])
    names = sorted(orders, key=lambda name: (orders[name], name))
    pairs = {(key[1], key[2]) for key in (*now, *before)}

    years = period.years
    query = {"status": HonourStatus.CONFERRED, "year_min": years.start, "year_max": years[-1]}

    def link(organization=None, **params):
        return context.link(HONOUR_LIST, organization, **query, **params)

    data = {
        "total": count(now),
        "by_level": {level: now_by["level"].get(level, 0) for level in HonourLevel.values},
        "by_title": {name: now_by["title"].get(name, 0) for name in names},
        "collective": now_by["type"].get(RecipientType.COLLECTIVE, 0),
        "individual": now_by["type"].get(RecipientType.INDIVIDUAL, 0),
        "by_level_title": {
            level: {name: now_by["pair"].get((level, name), 0) for name in names if (level, name) in pairs}
            for level in HonourLevel.values
        },
    }

    figures = [
        Figure("total", _("Honours conferred"), data["total"], link(), previous=count(before)),
        Figure(
            "collective",
            _("Honours to collectives"),
            data["collective"],
            link(recipient_type=RecipientType.COLLECTIVE),
            previous=before_by["type"].get(RecipientType.COLLECTIVE, 0),
        ),
        Figure(
            "individual",
            _("Honours to individuals"),
            data["individual"],
            link(recipient_type=RecipientType.INDIVIDUAL),
            previous=before_by["type"].get(RecipientType.INDIVIDUAL, 0),
        ),
    ]
    group = _("By level")
    for level, label in HonourLevel.choices:
        figures.append(
            Figure(
                f"by_level.{level}",
                label,
                data["by_level"][level],
                link(level=level),
                previous=before_by["level"].get(level, 0),
                group=group,
            )
        )
    group = _("By title")
    for name in names:
        figures.append(
            Figure(
                f"by_title.{name}",
                name,
                data["by_title"][name],
                link(title=name),
                previous=before_by["title"].get(name, 0),
                group=group,
            )
        )
    # The levels × titles matrix: one group per level, a figure per title given at that level.
    for level, label in HonourLevel.choices:
        group = _("%(level)s honours by title") % {"level": label}
        for name in names:
            if (level, name) not in pairs:
                continue
            figures.append(
                Figure(
                    f"by_level_title.{level}.{name}",
                    name,
                    data["by_level_title"][level][name],
                    link(level=level, title=name),
                    previous=before_by["pair"].get((level, name), 0),
                    group=group,
                )
            )

    columns = [
        ("total", _("Honours conferred"), "count"),
        ("collective", _("Collective"), "count"),
        ("individual", _("Individual"), "count"),
        *((f"by_level.{level}", label, "count") for level, label in HonourLevel.choices),
    ]

    def row(branch, child, own=False):
        own_only = {"only": child.pk} if own else {}

        def cell(where=None, **params):
            return Cell(group_total(now, "count", where, branch=branch), link(child, **own_only, **params))

        return ChildRow(
            child,
            [
                cell(),
                cell(type_is(RecipientType.COLLECTIVE), recipient_type=RecipientType.COLLECTIVE),
                cell(type_is(RecipientType.INDIVIDUAL), recipient_type=RecipientType.INDIVIDUAL),
                *(cell(level_is(level), level=level) for level in HonourLevel.values),
            ],
            own=own,
        )

    children = context.breakdown(row, now)

    charts = [
        Chart(
            "honours_by_level",
            _("Honours by level"),
            "bar",
            [label for _level, label in HonourLevel.choices],
            [{"name": _("Honours conferred"), "data": [data["by_level"][level] for level in HonourLevel.values]}],
            links=[link(level=level) for level in HonourLevel.values],
        ),
        Chart(
            "honours_by_recipient_type",
            _("Honours to collectives and individuals"),
            "pie",
            [label for _type, label in RecipientType.choices],
            [{"name": _("Honours conferred"), "data": [data[kind] for kind in RecipientType.values]}],
            links=[link(recipient_type=kind) for kind in RecipientType.values],
        ),
    ]
    return Section(
        key="honours",
        title=_("Honours"),
        figures=figures,
        data=data,
        columns=columns,
        children=children,
        charts=charts,
        note=_(
            "Conferred honours (not those only recommended) of unions in the branch, and of people in "
            "them, whose year is one of the years the period touches: honours are recorded by year only."
        ),
    )
