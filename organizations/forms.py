from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import FundAllocation, MembershipFigure, Organization
from organizations.services import LEAF_KINDS
from unionportal.forms import ScopedForm, ScopedModelForm
from unionportal.roles import Action

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORGANIZATION_FIELDS = [
    "name",
    "short_name",
    "kind",
    "unit_type",
    "credit_code",
    "established",
    "address",
    "phone",
    "contact_person",
]


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ORGANIZATION_FIELDS
        widgets = {"established": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class OrganizationCreateForm(OrganizationForm):
    """Creating needs a parent inside the branch; only a superuser may leave it empty."""

    parent = forms.ModelChoiceField(label=_("parent organization"), queryset=Organization.objects.all(), required=False)
    scope_action = Action.ADD

    class Meta(OrganizationForm.Meta):
        fields = ["parent", *ORGANIZATION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].required = not self.user.is_superuser
        self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(kind__in=LEAF_KINDS)


class OrganizationMoveForm(ScopedForm):
    new_parent = forms.ModelChoiceField(label=_("new parent organization"), queryset=Organization.objects.all())
    scope_action = Action.CHANGE


class OrganizationDeactivateForm(ScopedForm):
    deactivated = forms.DateField(
        label=_("deactivated on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MembershipFigureForm(ScopedModelForm):
    class Meta:
        model = MembershipFigure
        fields = ["year", "members", "employees", "women_members", "migrant_members"]

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.instance.organization = organization

    def validate_unique(self):
        super().validate_unique()
        # The organization is set on the instance, not a field of the form, so ModelForm
        # leaves the one-figure-per-year constraint out of its checks; without this a second
        # figure for the same year is a database error (500) instead of a message.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


class FundAllocationForm(ScopedModelForm):
    """An allocation received by an organization of the branch. Its source may also be a
    federation above the user's organization: a district's staff record what the city gave."""

    scope_action = Action.CHANGE

    class Meta:
        model = FundAllocation
        fields = ["source", "source_name", "recipient", "date", "amount", "purpose", "note"]
        widgets = {"date": DATE}
        labels = {"recipient": _("receiving organization")}
        help_texts = {"source": _("A union organization; leave empty for money from outside the union.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A source is always above its recipient (FundAllocation.clean), and a recipient in the
        # user's branch has every ancestor either in the branch or above the user's organization.
        self.fields["source"].queryset = Organization.objects.restrict_or_above(self.user, self.scope_action)
        self.fields["amount"].widget.attrs["min"] = "0"


class FundAllocationCreateForm(FundAllocationForm):
    scope_action = Action.ADD
    field_order = ["source", "source_name", "recipient", "date", "monthly", "amount", "purpose", "note"]
    monthly = forms.BooleanField(
        label=_("monthly for the whole year"),
        required=False,
        help_text=_("Record this amount 12 times, on the 1st of each month of the date's year."),
    )
