import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import FEDERATION_KINDS, Organization, OrganizationKind, UnitType
from unionportal.filters import ScopedFilterSet

DATE = forms.DateInput(attrs={"type": "date"})


class BranchFilter(django_filters.ModelChoiceFilter):
    """Records in the branch under the chosen organization, the organization included."""

    def __init__(self, *args, path_lookup="path", **kwargs):
        self.path_lookup = path_lookup
        kwargs.setdefault("label", _("branch"))
        kwargs.setdefault(
            "queryset",
            Organization.objects.filter(kind__in=[*FEDERATION_KINDS, OrganizationKind.INDUSTRY_UNION]),
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.path_lookup}__startswith": value.path})


class OrganizationFilter(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=OrganizationKind.choices)
    unit_type = django_filters.ChoiceFilter(label=_("unit type"), choices=UnitType.choices)
    branch = BranchFilter()
    established = django_filters.DateFromToRangeFilter(
        label=_("established between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    status = django_filters.ChoiceFilter(
        label=_("status"),
        method="filter_status",
        choices=[("active", _("Active")), ("deactivated", _("Deactivated"))],
    )

    class Meta:
        model = Organization
        fields = ["name", "kind", "unit_type", "branch", "established", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(deactivated__isnull=(value == "active"))
