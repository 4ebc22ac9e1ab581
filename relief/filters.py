import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.filters import BranchFilter, OwnRecordsFilter
from relief.models import (
    Beneficiary,
    BeneficiaryStatus,
    Cause,
    Disbursement,
    DisbursementStatus,
    HardshipLevel,
    Programme,
)
from unionportal.filters import ChosenOnlyFilter, ScopedFilterSet, YesNoWidget
from unionportal.validators import FIRST_YEAR, LAST_YEAR

DATE_RANGE = django_filters.widgets.DateRangeWidget(attrs={"type": "date"})


class BeneficiaryFilter(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name contains"), field_name="full_name", lookup_expr="icontains")
    branch = BranchFilter(path_lookup="organization__path")
    only = OwnRecordsFilter(path_lookup="organization__path")
    hardship_level = django_filters.ChoiceFilter(label=_("hardship level"), choices=HardshipLevel.choices)
    cause = django_filters.ChoiceFilter(label=_("cause of hardship"), choices=Cause.choices, method="filter_cause")
    status = django_filters.ChoiceFilter(label=_("status"), choices=BeneficiaryStatus.choices)
    filed_on = django_filters.DateFromToRangeFilter(label=_("filed between"), widget=DATE_RANGE)

    class Meta:
        model = Beneficiary
        fields = ["name", "branch", "only", "hardship_level", "cause", "status", "filed_on"]

    def filter_cause(self, queryset, name, value):
        # The causes are a JSON list: its text holds each cause in quotes, on both databases
        # (SQLite has no JSON `contains`).
        return queryset.filter(causes__icontains=f'"{value}"')


class ProgrammeFilter(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = Programme
        fields = ["name", "year"]


class DisbursementSheetFilter(ScopedFilterSet):
    """The filters of the bank payout and publicity lists: which programme, where, when."""

    branch = BranchFilter(path_lookup="paying_organization__path")
    only = OwnRecordsFilter(path_lookup="paying_organization__path")
    programme = ChosenOnlyFilter(label=_("relief programme"), queryset=Programme.objects.all())
    programme_name = django_filters.CharFilter(
        label=_("programme name contains"), field_name="programme__name", lookup_expr="icontains"
    )
    # The exact name, for the links of the annual summary's figures (hidden in the form).
    programme_is = django_filters.CharFilter(
        label=_("relief programme"), field_name="programme__name", widget=forms.HiddenInput
    )
    date = django_filters.DateFromToRangeFilter(label=_("paid between"), widget=DATE_RANGE)

    class Meta:
        model = Disbursement
        fields = ["branch", "only", "programme", "programme_name", "programme_is", "date"]


class DisbursementFilter(DisbursementSheetFilter):
    recipient = django_filters.CharFilter(label=_("person or group contains"), method="filter_recipient")
    recipient_type = django_filters.ChoiceFilter(
        label=_("paid to"),
        choices=[("person", _("Persons")), ("group", _("Groups"))],
        method="filter_recipient_type",
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=DisbursementStatus.choices)
    historical = django_filters.BooleanFilter(label=_("paid before the portal"), widget=YesNoWidget())

    class Meta:
        model = Disbursement
        fields = [
            "recipient",
            "branch",
            "only",
            "programme",
            "programme_name",
            "programme_is",
            "status",
            "date",
            "recipient_type",
            "historical",
        ]

    def filter_recipient(self, queryset, name, value):
        return queryset.filter(Q(beneficiary__full_name__icontains=value) | Q(group_name__icontains=value))

    def filter_recipient_type(self, queryset, name, value):
        return queryset.filter(beneficiary__isnull=(value == "group"))
