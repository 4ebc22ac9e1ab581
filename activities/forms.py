from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Campaign, Honour, HonourStatus, HonourTitle, RecipientType
from organizations.models import FEDERATION_KINDS, Organization, OrganizationKind
from unionportal.choices import label_of
from unionportal.forms import ScopedForm, ScopedModelForm
from unionportal.roles import Action

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EMPLOYMENT_FIELDS = ["materials", "enterprises", "jobs_offered", "people_placed"]
# The branches a matrix or a list is drawn for: federations and industry unions.
BRANCH_KINDS = [*FEDERATION_KINDS, OrganizationKind.INDUSTRY_UNION]


def current_year():
    return timezone.localdate().year


def title_label(title):
    return f"{title.name}（{title.get_level_display()} · {title.get_recipient_type_display()}）"


def title_fits(title, organization):
    """A title defined by a federation is for its branch: the organization must be the owner
    or below it. Shipped titles (no owner) are for everyone."""
    return title.owner_id is None or organization.path.startswith(title.owner.path)


def keep_hidden(form, name):
    """The cleaned value of an optional foreign key, or, when left empty, the record's value
    if the editor's dropdown could not offer it: someone above them chose a record outside
    their branch, which an edit of theirs must not drop without their knowing."""
    value = form.cleaned_data.get(name)
    kept = getattr(form.instance, f"{name}_id")
    if value is None and kept and not form.fields[name].queryset.filter(pk=kept).exists():
        return getattr(form.instance, name)
    return value


class CampaignForm(ScopedModelForm):
    scope_action = Action.CHANGE

    class Meta:
        model = Campaign
        fields = ["name", "year", "organizer", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("year", current_year())
            if self.user.organization_id:
                self.initial.setdefault("organizer", self.user.organization_id)


class ActivityForm(ScopedModelForm):
    """An activity. The employment figures (materials, enterprises, jobs, people placed) are
    for employment services; other kinds leave them at 0."""

    scope_action = Action.CHANGE

    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "organizer",
            "co_organizers",
            "campaign",
            "start",
            "end",
            "place",
            "participants",
            "entries",
            "funds_spent",
            "description",
            *EMPLOYMENT_FIELDS,
        ]
        widgets = {
            "start": DATE,
            "end": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "co_organizers": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's "kind" reads as an organization's kind in Chinese: say what it is.
        self.fields["kind"].label = _("activity type")
        self.fields["co_organizers"].queryset = self.fields["co_organizers"].queryset.order_by("path")
        self.fields["co_organizers"].help_text = _(
            "Hold Ctrl (⌘ on a Mac) to choose several. Only organizations of your branch are offered."
        )
        self.fields["campaign"].queryset = self.fields["campaign"].queryset.order_by("-year", "name")
        for name in EMPLOYMENT_FIELDS:
            self.fields[name].help_text = _("Employment services only.")
        if not self.instance.pk and self.user.organization_id:
            self.initial.setdefault("organizer", self.user.organization_id)
        if self.instance.pk:
            # Only those the user can see: save keeps the others (activities.services).
            self.initial["co_organizers"] = [
                organization.pk
                for organization in self.fields["co_organizers"].queryset.filter(co_organized_activities=self.instance)
            ]

    def clean_campaign(self):
        return keep_hidden(self, "campaign")

    def _save_m2m(self):  # the service sets the co-organizers
        pass


class HonourForm(ScopedModelForm):
    """An honour to a union (collective titles) or a person (individual titles). For a
    person, `organization` is their union; the work unit defaults to its name."""

    scope_action = Action.CHANGE
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (HonourStatus.CONFERRED, HonourStatus.CONFERRED.label),
            (HonourStatus.RECOMMENDED, HonourStatus.RECOMMENDED.label),
        ],
        initial=HonourStatus.CONFERRED,
    )

    class Meta:
        model = Honour
        fields = [
            "title",
            "year",
            "organization",
            "recipient_name",
            "recipient_unit",
            "cadre",
            "status",
            "conferring_body",
            "document_number",
            "recommended_by",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Titles are reference data: every title the user reads, whatever the form's action.
        titles = HonourTitle.objects.restrict(self.user).select_related("owner")
        self.fields["title"].queryset = titles
        self.fields["title"].label = _("honour title")
        self.fields["title"].label_from_instance = title_label
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")
        self.fields["organization"].help_text = _("The union honoured, or the union of the person honoured.")
        self.fields["recommended_by"].queryset = self.fields["recommended_by"].queryset.order_by("path")
        self.fields["recipient_name"].help_text = _("Individual titles only: the person's full name.")
        self.fields["recipient_unit"].help_text = _("Individual titles only; empty for the organization's name.")
        cadres = self.fields["cadre"].queryset.select_related("organization")
        self.fields["cadre"].queryset = cadres
        self.fields["cadre"].label_from_instance = label_of
        self.fields["cadre"].help_text = _("If the person is a cadre on record; their name fills the recipient.")
        if self.instance.pk:
            del self.fields["status"]
        else:
            self.initial.setdefault("year", current_year())

    def clean_cadre(self):
        return keep_hidden(self, "cadre")

    def clean_recommended_by(self):
        return keep_hidden(self, "recommended_by")

    def clean(self):
        cleaned = super().clean()
        title, organization = cleaned.get("title"), cleaned.get("organization")
        if title and organization and not title_fits(title, organization):
            self.add_error("title", _("This title is defined by another branch."))
        if title and title.recipient_type == RecipientType.INDIVIDUAL:
            cadre = cleaned.get("cadre")
            if cadre and not cleaned.get("recipient_name"):
                cleaned["recipient_name"] = cadre.full_name
            if organization and cleaned.get("recipient_name") and not cleaned.get("recipient_unit"):
                cleaned["recipient_unit"] = organization.name
        return cleaned


class HonourTitleForm(ScopedModelForm):
    """A title of the catalogue. Its owner is the administrator's organization; a superuser
    names one, or none for a title every installation shares."""

    scope_action = Action.CHANGE

    class Meta:
        model = HonourTitle
        fields = ["owner", "name", "level", "recipient_type", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or not self.user.is_superuser:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = self.fields["owner"].queryset.filter(kind__in=BRANCH_KINDS)
            self.fields["owner"].help_text = _("Empty: a title shipped with the portal, for everyone.")
        self.used = bool(self.instance.pk) and self.instance.honours.exists()
        self.original = {"level": self.instance.level, "recipient_type": self.instance.recipient_type}

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("owner")
        return exclusions

    def clean(self):
        cleaned = super().clean()
        if self.used:
            for name in ("level", "recipient_type"):
                if name in cleaned and cleaned[name] != self.original[name]:
                    self.add_error(name, _("Honours carry this title: its level and recipient type stay as they are."))
        name, level = cleaned.get("name"), cleaned.get("level")
        if name and level and self.clashes(name, level, self.owner(cleaned)):
            self.add_error("name", _("This title already exists at this level."))
        return cleaned

    def owner(self, cleaned):
        if self.instance.pk:
            return self.instance.owner
        if "owner" in self.fields:
            return cleaned.get("owner")
        return self.user.organization

    def clashes(self, name, level, owner):
        """Whether the branch using the title already reads one of this name at this level
        (a shipped one, its own, one above or one below it): the import finds titles by name
        and level, which must name one title."""
        same = HonourTitle.objects.filter(name=name, level=level).exclude(pk=self.instance.pk)
        if owner is not None:
            step = owner.steplen
            ancestors = [owner.path[:i] for i in range(step, len(owner.path) + 1, step)]
            same = same.filter(Q(owner=None) | Q(owner__path__startswith=owner.path) | Q(owner__path__in=ancestors))
        return same.exists()


class HonourMatrixForm(ScopedForm):
    """The honours matrix's choices: a branch (federations of the user's scope), a span of
    years and a status. Its field names are the honour list's filters, so that a count links
    to the list with the same query."""

    branch = forms.ModelChoiceField(
        label=_("branch"), queryset=Organization.objects.filter(kind__in=BRANCH_KINDS), required=False
    )
    year_min = forms.IntegerField(label=_("year from"), min_value=1949, max_value=2100)
    year_max = forms.IntegerField(label=_("year to"), min_value=1949, max_value=2100)
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All statuses")), *HonourStatus.choices], required=False
    )

    def __init__(self, data, *args, **kwargs):
        user = kwargs["user"]
        data = data.copy()
        year = str(current_year())
        data.setdefault("year_min", year)
        data.setdefault("year_max", year)
        data.setdefault("status", HonourStatus.CONFERRED)
        if "branch" not in data and user.organization_id and user.organization.kind in BRANCH_KINDS:
            data["branch"] = str(user.organization_id)
        super().__init__(data, *args, **kwargs)
        self.fields["branch"].queryset = self.fields["branch"].queryset.order_by("path")
        self.fields["branch"].empty_label = _("All of my scope")

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("year_min"), cleaned.get("year_max")
        if low and high and low > high:
            self.add_error("year_max", _("The last year comes before the first."))
        return cleaned
