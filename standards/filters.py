import django_filters
from django.utils.translation import gettext_lazy as _

from organizations.filters import BranchFilter, OwnRecordsFilter
from standards.models import Assessment, AssessmentStatus, Standard
from unionportal.filters import ScopedFilterSet, YesNoWidget
from unionportal.validators import FIRST_YEAR, LAST_YEAR

NO_RATING = "none"


class StandardFilter(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    active = django_filters.BooleanFilter(label=_("in use"), widget=YesNoWidget())

    class Meta:
        model = Standard
        fields = ["name", "active"]


class AssessmentFilter(ScopedFilterSet):
    branch = BranchFilter(path_lookup="organization__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organization__path")
    standard = django_filters.ModelChoiceFilter(label=_("standard"), queryset=Standard.objects.all())
    year = django_filters.NumberFilter(label=_("year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    # A span of years, for the annual summary's figures over a period of several years.
    year_min = django_filters.NumberFilter(
        label=_("from year"), field_name="year", lookup_expr="gte", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_max = django_filters.NumberFilter(
        label=_("to year"), field_name="year", lookup_expr="lte", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=AssessmentStatus.choices)
    rating = django_filters.ChoiceFilter(
        label=_("stars"),
        method="filter_rating",
        choices=[*((str(stars), "★" * stars) for stars in range(5, 0, -1)), (NO_RATING, _("No rating"))],
    )
    compliant = django_filters.BooleanFilter(
        label=_("compliant"), widget=YesNoWidget(yes=_("Compliant"), no=_("Not compliant"))
    )

    class Meta:
        model = Assessment
        fields = ["branch", "only", "standard", "year", "year_min", "year_max", "status", "rating", "compliant"]

    def filter_rating(self, queryset, name, value):
        if value == NO_RATING:
            return queryset.filter(rating__isnull=True)
        return queryset.filter(rating=int(value))
