import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from organizations.models import FEDERATION_KINDS, FundAllocation, Organization, OrganizationKind, Purpose, UnitType
from unionportal.filters import ScopedFilterSet

DATE = forms.DateInput(attrs={"type": "date"})


BRANCH_KINDS = [*FEDERATION_KINDS, OrganizationKind.INDUSTRY_UNION]


class BranchChoiceIterator(ModelChoiceIterator):
    """The dropdown lists the federations (a province has a quarter of a million unions), plus
    the organization already chosen, whatever its kind."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        shown = self.queryset.filter(Q(kind__in=BRANCH_KINDS) | Q(pk__in=self.field.selected))
        for obj in shown.iterator():
            yield self.choice(obj)


class BranchChoiceField(forms.ModelChoiceField):
    iterator = BranchChoiceIterator
    selected = ()


class BranchFilter(django_filters.ModelChoiceFilter):
    """Records in the branch under the chosen organization, the organization included. Any
    organization of the user's scope is accepted (a link from a union's page names the union);
    the dropdown offers the federations."""

    field_class = BranchChoiceField

    def __init__(self, *args, path_lookup="path", **kwargs):
        self.path_lookup = path_lookup
        kwargs.setdefault("label", _("branch"))
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        value = (getattr(self.parent, "data", None) or {}).get(self.field_name)
        field.selected = [int(value)] if value and str(value).isdigit() else []
        return field

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


class FundAllocationFilter(ScopedFilterSet):
    branch = BranchFilter(label=_("recipient's branch"), path_lookup="recipient__path")
    recipient = django_filters.ModelChoiceFilter(label=_("receiving organization"), queryset=Organization.objects.all())
    recipient_name = django_filters.CharFilter(
        label=_("recipient name contains"), field_name="recipient__name", lookup_expr="icontains"
    )
    source_type = django_filters.ChoiceFilter(
        label=_("source"),
        method="filter_source_type",
        choices=[("union", _("Union organizations")), ("outside", _("Outside sources"))],
    )
    purpose = django_filters.ChoiceFilter(label=_("purpose"), choices=Purpose.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="date", lookup_expr="year", min_value=1949)
    date = django_filters.DateFromToRangeFilter(
        label=_("date between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    amount = django_filters.RangeFilter(label=_("amount between (yuan)"))

    class Meta:
        model = FundAllocation
        fields = ["branch", "recipient", "recipient_name", "source_type", "purpose", "year", "date", "amount"]

    def filter_source_type(self, queryset, name, value):
        return queryset.from_unions() if value == "union" else queryset.from_outside()
