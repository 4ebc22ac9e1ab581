from django import forms
from django.utils.translation import gettext_lazy

from organizations.filters import BranchChoiceField
from organizations.models import Organization
from unionportal.forms import parse_pk
from unionportal.reporting import Period
from unionportal.roles import Action
from unionportal.validators import bound_days

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AnnualSummaryForm(forms.Form):
    """Which summary: any organization of the user's scope (the dropdown offers the federations,
    the user's own organization and the one already chosen) and any period, `from` one day `to`
    another (the query string's names, which Python cannot take as attribute names)."""

    organization = BranchChoiceField(label=gettext_lazy("Organization"), queryset=Organization.objects.none())

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), widget=DATE)
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), widget=DATE)
        bound_days(self)
        field = self.fields["organization"]
        field.queryset = Organization.objects.restrict(user, Action.VIEW)
        chosen = parse_pk(data.get("organization"))
        field.selected = [] if chosen is None else [chosen]
        if user.organization_id:
            field.selected.append(user.organization_id)
        field.empty_label = None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", gettext_lazy("The period ends before it begins."))
        return cleaned

    @property
    def period(self):
        return Period(self.cleaned_data["from"], self.cleaned_data["to"])


def recent_years(today):
    """The years a report offers at a click, newest first: this one and the five before it."""
    return range(today.year, today.year - 6, -1)


class DashboardForm(forms.Form):
    """Which year the dashboard shows: this year so far (the default) or one of the years
    before it, whole."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, today):
        super().__init__(data)
        self.fields["year"].choices = [(year, str(year)) for year in recent_years(today)]

    @property
    def chosen_year(self):
        """The year asked for, or None (this year) when none or a wrong one was."""
        return self.cleaned_data.get("year") if self.is_valid() else None
