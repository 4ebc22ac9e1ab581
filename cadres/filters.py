import django_filters
from django import forms
from django.db.models import BigIntegerField, Case, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import (
    COLLEGE_OR_HIGHER,
    RANK_INDEX,
    Education,
    Position,
    Post,
    Rank,
    Staffing,
    Training,
    TrainingCategory,
)
from organizations.filters import BranchFilter, OrganizationChoiceFilter
from unionportal.filters import ScopedFilterSet, YesNoWidget

DATE = forms.DateInput(attrs={"type": "date"})


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


POSITION_INDEX = Case(
    *[When(position=position, then=Value(index)) for index, position in enumerate(Position.values)],
    default=Value(len(Position.values)),
    output_field=IntegerField(),
)


# A post's place in the order that picks a cadre's principal post, as one number: its rank,
# then its position, then its key (the older record first), each in digits of its own (keys stay
# below 2**40). Comparing it with the cadre's other posts is one comparison, and the rank and
# position indexes are compiled twice instead of ten times: the cadres section's queries went
# from 6,000 to 4,500 characters of SQL, and its compiling from 21 to 13 ms on a city district.
KEY_SPAN = 2**40
PRINCIPAL_ORDER = ExpressionWrapper(
    (RANK_INDEX * Value(len(Position.values) + 1) + POSITION_INDEX) * Value(KEY_SPAN) + F("pk"),
    output_field=BigIntegerField(),
)


def outranked(posts, *, same=()):
    """Whether another post of `posts` held by the same cadre comes first: a higher rank, then
    a higher position (chair before vice-chair), then the older record. A cadre's principal
    post is the one no other post outranks; `same` names further fields (annotations of
    `posts` included) the other post must share with the outer one, such as its branch. The
    outer queryset carries the `_order` annotation (`PRINCIPAL_ORDER`)."""
    others = posts.order_by().annotate(_order=PRINCIPAL_ORDER)
    match = {"cadre": OuterRef("cadre"), **{name: OuterRef(name) for name in same}}
    return Exists(others.filter(**match, _order__lt=OuterRef("_order")))


def principal_posts(posts):
    """One post per cadre: the principal one among `posts` (see `outranked`), so that a
    person with two posts counts once, at their highest rank."""
    return posts.annotate(_order=PRINCIPAL_ORDER).filter(~outranked(posts))


class PostFilter(ScopedFilterSet):
    """The cadre list: posts held on a day (today unless another is chosen; empty for all)."""

    name = django_filters.CharFilter(label=_("name contains"), field_name="cadre__full_name", lookup_expr="icontains")
    on = django_filters.DateFilter(label=_("in post on"), method="filter_on", widget=DATE)
    branch = BranchFilter(path_lookup="organization__path")
    position = django_filters.ChoiceFilter(label=_("position"), choices=Position.choices)
    rank = django_filters.ChoiceFilter(label=_("rank"), choices=Rank.choices)
    full_time = django_filters.BooleanFilter(
        label=_("full-time or part-time"), widget=YesNoWidget(yes=_("Full-time"), no=_("Part-time"))
    )
    staffing = django_filters.ChoiceFilter(label=_("staffing type"), choices=Staffing.choices)
    staffing_not = django_filters.ChoiceFilter(
        label=_("staffing type other than"), field_name="staffing", choices=Staffing.choices, exclude=True
    )
    unit = OrganizationChoiceFilter(label=_("organization itself (not its branch)"), method="filter_unit")
    per_cadre = django_filters.BooleanFilter(
        label=_("one row per cadre"),
        method="filter_per_cadre",
        widget=YesNoWidget(yes=_("Principal post only"), no=_("Every post")),
    )
    education = django_filters.ChoiceFilter(
        label=_("education"), field_name="cadre__education", choices=Education.choices
    )
    college_or_higher = django_filters.BooleanFilter(
        label=_("junior college or higher"), method="filter_college", widget=YesNoWidget()
    )
    age_min = django_filters.NumberFilter(label=_("age from"), method="filter_age_min", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(label=_("age to"), method="filter_age_max", min_value=0, max_value=150)

    class Meta:
        model = Post
        fields = [
            "name",
            "on",
            "branch",
            "unit",
            "position",
            "rank",
            "full_time",
            "staffing",
            "staffing_not",
            "education",
            "per_cadre",
        ]

    # With `per_cadre`, a cadre's principal post is chosen among the posts the other filters
    # select, and these filters then apply to that post: "cadres at 正科级" are those whose
    # principal post is at 正科级, as the annual summary counts them.
    PRINCIPAL_POST_FILTERS = ("rank", "position", "full_time")

    def __init__(self, data=None, *args, **kwargs):
        # No query string at all (the page as first opened) leaves the filterset unbound, which
        # would list every post ever held: it opens on today too.
        data = QueryDict(mutable=True) if data is None else data.copy()
        if "on" not in data:
            data["on"] = timezone.localdate().isoformat()
        super().__init__(data, *args, **kwargs)

    def day(self):
        value = self.form.cleaned_data.get("on") if hasattr(self.form, "cleaned_data") else None
        return value or timezone.localdate()

    def filter_queryset(self, queryset):
        values = self.form.cleaned_data
        if not values.get("per_cadre"):
            return super().filter_queryset(queryset)
        later = {*self.PRINCIPAL_POST_FILTERS, "per_cadre"}
        for name, value in values.items():
            if name not in later:
                queryset = self.filters[name].filter(queryset, value)
        queryset = principal_posts(queryset)
        for name in self.PRINCIPAL_POST_FILTERS:
            queryset = self.filters[name].filter(queryset, values.get(name))
        return queryset

    def filter_unit(self, queryset, name, value):
        return queryset.filter(organization=value)

    def filter_per_cadre(self, queryset, name, value):
        return principal_posts(queryset) if value else queryset

    def filter_on(self, queryset, name, value):
        return queryset.in_post_on(value)

    def filter_college(self, queryset, name, value):
        lookup = queryset.filter if value else queryset.exclude
        return lookup(cadre__education__in=COLLEGE_OR_HIGHER)

    def filter_age_min(self, queryset, name, value):
        return queryset.filter(cadre__birth_date__lte=_years_before(self.day(), int(value)))

    def filter_age_max(self, queryset, name, value):
        return queryset.filter(cadre__birth_date__gt=_years_before(self.day(), int(value) + 1))


class TrainingFilter(ScopedFilterSet):
    title = django_filters.CharFilter(label=_("title contains"), lookup_expr="icontains")
    branch = BranchFilter(path_lookup="organizer__path")
    organizer = OrganizationChoiceFilter(label=_("organizer itself (not its branch)"))
    category = django_filters.ChoiceFilter(label=_("category"), choices=TrainingCategory.choices)
    start = django_filters.DateFromToRangeFilter(
        label=_("held between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )

    class Meta:
        model = Training
        fields = ["title", "branch", "organizer", "category", "start"]
