from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms import BaseInlineFormSet, BaseModelFormSet, inlineformset_factory, modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cadres.models import Rank
from organizations.models import Organization, OrganizationKind
from standards.models import AssessmentItem, Criterion, Measure, RatingThreshold, Standard
from unionportal.forms import ScopedForm, ScopedModelForm

SMALL = {"class": "form-control form-control-sm"}


class StandardForm(ScopedModelForm):
    """A standard's own fields. Its owner is the administrator's organization; a superuser,
    who has none, names it."""

    kinds = forms.MultipleChoiceField(
        label=_("applies to"), choices=OrganizationKind.choices, widget=forms.CheckboxSelectMultiple
    )
    expected_chair_rank = forms.ChoiceField(
        label=_("expected rank of the chair"),
        choices=[("", "---------"), *Rank.choices],
        required=False,
        help_text=_("Checked against the cadre records when an assessment is prepared."),
    )

    class Meta:
        model = Standard
        fields = ["owner", "name", "kinds", "pass_points", "expected_chair_rank", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or not self.user.is_superuser:
            del self.fields["owner"]

    def _get_validation_exclusions(self):
        # The owner is set by the view when it is not a field; the name is unique per owner,
        # which Django checks only when the owner is not excluded.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("owner")
        return exclusions


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["order", "code", "title", "category", "points", "must_pass", "measure", "threshold"]
        widgets = {
            "order": forms.NumberInput(attrs={**SMALL, "style": "width:4.5rem"}),
            "code": forms.TextInput(attrs={**SMALL, "style": "width:5.5rem"}),
            "title": forms.TextInput(attrs=SMALL),
            "category": forms.TextInput(attrs={**SMALL, "style": "width:8rem"}),
            "points": forms.NumberInput(attrs={**SMALL, "style": "width:5.5rem", "step": "0.5"}),
            "measure": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "threshold": forms.NumberInput(attrs={**SMALL, "style": "width:7rem"}),
        }


class CriterionFormSet(BaseInlineFormSet):
    """The criteria of a standard. One already used by an assessment cannot be deleted (its
    items point at it); a criterion measured against the chair's rank needs the standard's
    expected rank."""

    def clean(self):
        super().clean()
        deleted, kept = [], []
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    deleted.append(form.instance)
            else:
                kept.append(form)
        errors = []
        uses = dict(
            AssessmentItem.objects.filter(criterion__in=deleted)
            .values("criterion")
            .annotate(count=Count("pk"))
            .values_list("criterion", "count")
        )
        for criterion in deleted:
            if criterion.pk in uses:
                count = uses[criterion.pk]
                errors.append(
                    ngettext(
                        "Criterion %(code)s is used by %(count)d assessment and cannot be deleted.",
                        "Criterion %(code)s is used by %(count)d assessments and cannot be deleted.",
                        count,
                    )
                    % {"code": criterion.code, "count": count}
                )
        if not self.instance.expected_chair_rank and any(
            form.cleaned_data.get("measure") == Measure.CHAIR_RANK for form in kept
        ):
            errors.append(_("A criterion measured against the chair's rank needs the expected rank of the chair."))
        if errors:
            raise ValidationError(errors)


CriterionInlineFormSet = inlineformset_factory(
    Standard, Criterion, form=CriterionForm, formset=CriterionFormSet, extra=3, can_delete=True
)


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = RatingThreshold
        fields = ["rating", "min_points", "requires_all_must_pass"]
        widgets = {
            "rating": forms.NumberInput(attrs={**SMALL, "style": "width:5rem", "min": 1, "max": 5}),
            "min_points": forms.NumberInput(attrs={**SMALL, "style": "width:7rem", "step": "0.5"}),
        }


ThresholdInlineFormSet = inlineformset_factory(
    Standard, RatingThreshold, form=ThresholdForm, extra=2, max_num=5, can_delete=True
)


def current_year():
    return timezone.localdate().year


class AssessmentCreateForm(ScopedForm):
    """A union of the branch, a standard the user may read that applies to its kind, a year."""

    standard = forms.ModelChoiceField(label=_("standard"), queryset=Standard.objects.filter(active=True))
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.all())
    year = forms.IntegerField(label=_("year"), min_value=1949, max_value=2100, initial=current_year)

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        standards = self.fields["standard"].queryset.select_related("owner")
        self.fields["standard"].queryset = standards
        self.fields["standard"].label_from_instance = lambda item: f"{item.name}（{item.owner.name}）"
        # Only unions of a kind some standard applies to (the chosen one's, once chosen).
        kinds = set(standard.kinds) if standard else {kind for item in standards for kind in item.kinds}
        self.fields["organization"].queryset = self.fields["organization"].queryset.filter(kind__in=kinds)
        if standard is not None:
            self.initial["standard"] = standard.pk

    def clean(self):
        cleaned = super().clean()
        standard, organization = cleaned.get("standard"), cleaned.get("organization")
        if standard and organization and organization.kind not in standard.kinds:
            self.add_error(
                "organization",
                _("%(standard)s does not apply to this kind of organization (%(kind)s).")
                % {"standard": standard.name, "kind": organization.get_kind_display()},
            )
        return cleaned


class AssessmentItemForm(forms.ModelForm):
    """Met or not, the points given (full points when met and left empty; none when not met)
    and a note, for one criterion."""

    points = forms.DecimalField(
        label=_("points given"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={**SMALL, "style": "width:6rem", "step": "0.5"}),
    )

    class Meta:
        model = AssessmentItem
        fields = ["met", "points", "note"]
        widgets = {
            "note": forms.TextInput(attrs=SMALL),
            "met": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # None only for a posted id that is not an item of this assessment (refused by the formset).
        self.criterion = self.instance.criterion if self.instance.criterion_id else None
        if self.criterion is not None:
            self.fields["points"].widget.attrs.update(max=self.criterion.points, placeholder=self.criterion.points)
        if not self.instance.met:
            self.initial["points"] = None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("met"):
            cleaned["points"] = 0
        elif cleaned.get("points") is None and self.criterion is not None:
            cleaned["points"] = self.criterion.points
        return cleaned


class BaseAssessmentItemFormSet(BaseModelFormSet):
    """The items of one assessment (the queryset). A posted id is looked up among them only:
    Django's formset would look it up among every item and offer to create one."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[self.model._meta.pk.name].queryset = self.get_queryset()

    def clean(self):
        super().clean()
        if any(form.instance.pk is None for form in self.forms):
            raise ValidationError(_("The form is out of date: open the assessment again."))

    def values(self):
        """What assessment_save_items takes: item pk → (met, points, note)."""
        return {
            form.instance.pk: {key: form.cleaned_data[key] for key in ("met", "points", "note")}
            for form in self.forms
            if form.instance.pk
        }


AssessmentItemFormSet = modelformset_factory(
    AssessmentItem, form=AssessmentItemForm, formset=BaseAssessmentItemFormSet, extra=0, edit_only=True
)


class AssessmentNoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
