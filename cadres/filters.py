import django_filters
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import COLLEGE_OR_HIGHER, Education, Position, Post, Rank, Staffing, Training, TrainingCategory
from organizations.filters import BranchFilter
from unionportal.filters import ScopedFilterSet, YesNoWidget

DATE = forms.DateInput(attrs={"type": "date"})


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


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
    education = django_filters.ChoiceFilter(
        label=_("education"), field_name="cadre__education", choices=Education.choices
    )
    college_or_higher = django_filters.BooleanFilter(
        label=_("junior college or higher"), method="filter_college", widget=YesNoWidget()
    )
    age_min = django_filters.NumberFilter(label=_("age from"), method="filter_age_min", min_value=0)
    age_max = django_filters.NumberFilter(label=_("age to"), method="filter_age_max", min_value=0)

    class Meta:
        model = Post
        fields = ["name", "on", "branch", "position", "rank", "full_time", "staffing", "education"]

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
    category = django_filters.ChoiceFilter(label=_("category"), choices=TrainingCategory.choices)
    start = django_filters.DateFromToRangeFilter(
        label=_("held between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )

    class Meta:
        model = Training
        fields = ["title", "branch", "category", "start"]
