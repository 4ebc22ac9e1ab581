import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from organizations.filters import BranchFilter
from organizations.models import MembershipFigure, Organization
from unionportal.filters import ScopedFilterSet
from unionportal.validators import FIRST_YEAR, LAST_YEAR


class MissingFiguresFilter(ScopedFilterSet):
    """Units of a branch that have filed no membership figures for a year (required)."""

    branch = BranchFilter()
    year = django_filters.NumberFilter(
        label=_("no membership figures for"),
        method="filter_year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=True,
    )

    class Meta:
        model = Organization
        fields = ["branch", "year"]

    def filter_year(self, queryset, name, value):
        filed = MembershipFigure.objects.restrict(self.request.user).filter(organization=OuterRef("pk"), year=value)
        return queryset.exclude(Exists(filed))
