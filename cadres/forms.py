from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, Gender, Post, Training
from organizations.models import Organization
from unionportal.choices import label_of
from unionportal.forms import ScopedForm, ScopedModelForm
from unionportal.roles import Action
from unionportal.validators import RESIDENT_ID_SHAPE, normalize_resident_id, resident_id_birth_date

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CADRE_FIELDS = [
    "full_name",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "political_status",
    "id_number",
    "mobile",
]
POST_FIELDS = ["organization", "position", "rank", "full_time", "staffing", "seconded", "selection_method", "start"]


class CadreForm(ScopedModelForm):
    """A cadre's personal record. The resident ID is never sent back to the browser: on edit
    the field starts empty, shows the masked number, and an empty field keeps the number."""

    photo_upload = forms.ImageField(
        label=_("photo"), required=False, help_text=_("JPEG or PNG, at most 5 MB and 25 megapixels.")
    )
    scope_action = Action.CHANGE

    class Meta:
        model = Cadre
        fields = CADRE_FIELDS
        widgets = {"birth_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The image is checked by unionportal.uploads, whatever Django's ImageField thinks.
        self.fields["photo_upload"] = forms.FileField(
            label=_("photo"), required=False, help_text=self.fields["photo_upload"].help_text
        )
        self.existing_id_number = self.instance.id_number if self.instance.pk else ""
        if self.existing_id_number:
            self.initial["id_number"] = ""
            self.fields["id_number"].help_text = _("On record: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.masked_id_number
            }

    def clean_id_number(self):
        value = normalize_resident_id(self.cleaned_data.get("id_number"))
        return value or self.existing_id_number

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number and RESIDENT_ID_SHAPE.fullmatch(number):
            birth = resident_id_birth_date(number)
            if cleaned.get("birth_date") is None and birth:
                cleaned["birth_date"] = birth
                self.instance.birth_date = birth
            elif birth and cleaned.get("birth_date") != birth:
                self.add_error("birth_date", _("The birth date differs from the one in the resident ID number."))
            male = int(number[16]) % 2 == 1
            if cleaned.get("gender") and (cleaned["gender"] == Gender.MALE) != male:
                self.add_error("gender", _("The gender differs from the one in the resident ID number."))
        return cleaned


class CadreCreateForm(CadreForm):
    """A new cadre with their first post."""

    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.all())
    position = Post._meta.get_field("position").formfield()
    rank = Post._meta.get_field("rank").formfield()
    full_time = Post._meta.get_field("full_time").formfield(required=False)
    staffing = Post._meta.get_field("staffing").formfield()
    seconded = Post._meta.get_field("seconded").formfield(required=False)
    selection_method = Post._meta.get_field("selection_method").formfield(required=False)
    start = forms.DateField(label=_("start date"), widget=DATE, initial=timezone.localdate)
    scope_action = Action.ADD

    def post_fields(self):
        return {name: self.cleaned_data[name] for name in POST_FIELDS}


class PostForm(ScopedModelForm):
    scope_action = Action.CHANGE

    class Meta:
        model = Post
        fields = [*POST_FIELDS, "end"]
        widgets = {"start": DATE, "end": DATE}


class PostEndForm(ScopedForm):
    end = forms.DateField(label=_("end date"), widget=DATE, initial=timezone.localdate)


class TrainingForm(ScopedModelForm):
    scope_action = Action.CHANGE
    attendees = forms.ModelMultipleChoiceField(
        label=_("cadres who attended"),
        queryset=Cadre.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    class Meta:
        model = Training
        fields = ["title", "organizer", "category", "start", "end", "place", "hours", "sessions", "other_attendees"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = self.fields["attendees"].queryset.select_related("organization")
        self.fields["attendees"].label_from_instance = label_of
        if self.instance.pk:
            self.initial["attendees"] = list(self.instance.attendances.values_list("cadre_id", flat=True))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise ValidationError({"end": _("A course cannot end before it starts.")})
        return cleaned
