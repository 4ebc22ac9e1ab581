from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import FEDERATION_KINDS, OrganizationKind
from relief.models import Beneficiary, BeneficiaryStatus, Cause, Disbursement, Programme, Review
from unionportal.choices import label_of
from unionportal.forms import ScopedForm, ScopedModelForm
from unionportal.roles import Action
from unionportal.validators import normalize_resident_id

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The federations that run programmes for their branch.
PROGRAMME_OWNER_KINDS = [*FEDERATION_KINDS, OrganizationKind.INDUSTRY_UNION]


class UnechoedInput(forms.TextInput):
    """A text field whose value never goes back to the browser, not even the one just typed
    when the form returns with an error: a page holds no full number."""

    def format_value(self, value):
        return None


class BeneficiaryForm(ScopedModelForm):
    """A hardship file. The resident ID and the bank account are never sent back to the
    browser: on edit the fields start empty and show the masked value, and an empty field keeps
    what is on file."""

    scope_action = Action.CHANGE
    causes = forms.MultipleChoiceField(
        label=_("causes of hardship"), choices=Cause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    kept_fields = {"id_number": "masked_id_number", "bank_account": "masked_bank_account"}

    class Meta:
        model = Beneficiary
        fields = [
            "full_name",
            "id_number",
            "organization",
            "hardship_level",
            "causes",
            "household_size",
            "monthly_income_per_head",
            "phone",
            "bank_name",
            "bank_account",
            "filed_on",
            "status",
        ]
        widgets = {
            "filed_on": DATE,
            "id_number": UnechoedInput(attrs={"autocomplete": "off"}),
            "bank_account": UnechoedInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.kept_fields:
            self.fields[name].help_text = _("Not shown again: type it again if the form comes back with an error.")
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")
        self.kept = {}
        for name, masked in self.kept_fields.items():
            value = getattr(self.instance, name) if self.instance.pk else ""
            self.kept[name] = value
            if value:
                self.initial[name] = ""
                self.fields[name].required = False
                self.fields[name].help_text = _("On file: %(masked)s. Leave empty to keep it.") % {
                    "masked": getattr(self.instance, masked)
                }
        if not self.instance.pk:
            self.initial.setdefault("filed_on", timezone.localdate())
            if self.user.organization_id:
                self.initial.setdefault("organization", self.user.organization_id)
            del self.fields["status"]

    def clean_id_number(self):
        return normalize_resident_id(self.cleaned_data.get("id_number")) or self.kept["id_number"]

    def clean_bank_account(self):
        value = (self.cleaned_data.get("bank_account") or "").replace(" ", "")
        return value or self.kept["bank_account"]


class ReviewForm(ScopedModelForm):
    """The yearly review of a hardship file; its outcome becomes the file's status."""

    scope_action = Action.CHANGE

    class Meta:
        model = Review
        fields = ["year", "hardship_level", "monthly_income_per_head", "outcome", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        beneficiary = self.instance.beneficiary
        self.initial.setdefault("year", timezone.localdate().year)
        self.initial.setdefault("hardship_level", beneficiary.hardship_level)
        self.initial.setdefault("monthly_income_per_head", beneficiary.monthly_income_per_head)

    def _get_validation_exclusions(self):
        # The beneficiary is set by the view: check "once a year" here, not as an IntegrityError.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("beneficiary")
        return exclusions


class ProgrammeForm(ScopedModelForm):
    """A programme of one year. Its owner is the administrator's organization; a superuser
    names the federation that runs it."""

    scope_action = Action.CHANGE

    class Meta:
        model = Programme
        fields = ["owner", "name", "year", "budget", "standard_amount", "cap_per_person"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or not self.user.is_superuser:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = (
                self.fields["owner"].queryset.filter(kind__in=PROGRAMME_OWNER_KINDS).order_by("path")
            )
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("owner")
        return exclusions

    def clean(self):
        cleaned = super().clean()
        standard, cap = cleaned.get("standard_amount"), cleaned.get("cap_per_person")
        if standard is not None and cap is not None and standard > cap:
            self.add_error("cap_per_person", _("The cap is below the standard amount."))
        return cleaned


class DisbursementForm(ScopedModelForm):
    """A disbursement to one person on file, or to a named group with its head count. The
    programme is any the user reads (reference data of their branch or above); the person and
    the paying organization are of the user's branch."""

    scope_action = Action.CHANGE
    recipient_type = forms.ChoiceField(
        label=_("paid to"),
        choices=[("person", _("One person on file")), ("group", _("A group"))],
        initial="person",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Disbursement
        fields = [
            "programme",
            "recipient_type",
            "beneficiary",
            "group_name",
            "head_count",
            "cash",
            "in_kind_value",
            "date",
            "paying_organization",
            "note",
        ]
        widgets = {"date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Reference data: every programme the user reads, whatever the form's action.
        self.fields["programme"].queryset = Programme.objects.restrict(self.user).select_related("owner")
        # People on file (and, on edit, the one already chosen, whatever has become of the file).
        on_file = Q(status=BeneficiaryStatus.ON_FILE) | Q(pk=self.instance.beneficiary_id)
        people = self.fields["beneficiary"].queryset.filter(on_file).select_related("organization")
        self.fields["beneficiary"].queryset = people.order_by("organization__path", "full_name")
        self.fields["beneficiary"].label_from_instance = label_of
        self.fields["paying_organization"].queryset = self.fields["paying_organization"].queryset.order_by("path")
        # Negative amounts belong to reversing entries alone: the message goes on the amount
        # typed, not above the form from the table's constraint.
        if not self.instance.reverses_id:
            for name in ("cash", "in_kind_value"):
                self.fields[name].validators.append(MinValueValidator(0))
                self.fields[name].widget.attrs["min"] = 0
        self.fields["head_count"].help_text = _("For a group: the number of people helped.")
        if self.instance.pk:
            self.initial["recipient_type"] = "person" if self.instance.beneficiary_id else "group"
        elif self.user.organization_id:
            self.initial.setdefault("paying_organization", self.user.organization_id)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("recipient_type") == "group":
            cleaned["beneficiary"] = None
            if not cleaned.get("group_name"):
                self.add_error("group_name", _("Name the group."))
        else:
            cleaned["group_name"] = ""
            cleaned["head_count"] = 1
            if not cleaned.get("beneficiary") and "beneficiary" not in self.errors:
                self.add_error("beneficiary", _("Choose the person on file."))
        # The programme's and the person's branch are checked by the model (Disbursement.clean).
        return cleaned


class ReturnForm(ScopedForm):
    reason = forms.CharField(label=_("reason for return"), max_length=300)


class ReverseForm(ScopedForm):
    date = forms.DateField(label=_("date of the correction"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("reason for the correction"), max_length=300)
