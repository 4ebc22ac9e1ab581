"""Union cadres, the posts they hold over time, and their training."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization
from unionportal.links import record_url
from unionportal.scoping import ScopedQuerySet
from unionportal.validators import mask_resident_id, validate_mobile, validate_resident_id


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor")
    COLLEGE = "college", _("Junior college")
    SECONDARY = "secondary", _("Secondary or high school")
    JUNIOR_OR_BELOW = "junior_or_below", _("Junior middle school or below")


COLLEGE_OR_HIGHER = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE)


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("Communist Party member")
    LEAGUE_MEMBER = "league_member", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic_party", _("Democratic party member")
    MASSES = "masses", _("Masses")


class Position(models.TextChoices):
    CHAIR = "chair", _("Chair")
    EXECUTIVE_VICE_CHAIR = "executive_vice_chair", _("Executive vice-chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    AUDIT_HEAD = "audit_head", _("Audit committee head")
    WOMEN_COMMITTEE_HEAD = "women_committee_head", _("Women workers' committee head")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    STAFF = "staff", _("Staff member")


class Rank(models.TextChoices):
    DEPUTY_DIVISION = "deputy_division", _("Deputy division level")
    SECTION = "section", _("Section chief level")
    DEPUTY_SECTION = "deputy_section", _("Deputy section chief level")
    UNIT = "unit", _("Unit level")
    CLERK = "clerk", _("Clerk")
    NONE = "none", _("None")


# From highest to lowest, for "does the chair's rank meet the standard".
RANK_ORDER = [Rank.DEPUTY_DIVISION, Rank.SECTION, Rank.DEPUTY_SECTION, Rank.UNIT, Rank.CLERK, Rank.NONE]
# A post's rank as its place in RANK_ORDER (0 the highest), for ordering and comparing in SQL.
RANK_INDEX = Case(
    *[When(rank=rank, then=Value(index)) for index, rank in enumerate(RANK_ORDER)],
    default=Value(len(RANK_ORDER)),
    output_field=IntegerField(),
)


class Staffing(models.TextChoices):
    CIVIL_SERVICE = "civil_service", _("Civil-service post")
    INSTITUTION = "institution", _("Public-institution post")
    SOCIAL_WORKER = "social_worker", _("Contracted social worker")
    OTHER = "other", _("Other")


class SelectionMethod(models.TextChoices):
    ELECTION = "election", _("Election")
    OPEN_SELECTION = "open_selection", _("Open selection")
    APPOINTMENT = "appointment", _("Appointment")
    HIRE = "hire", _("Hire")


class Cadre(models.Model):
    """A person who does union work. The record belongs to the organization of their current
    post (`organization`), so it moves with them and keeps its history when they change unions."""

    full_name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, validators=[validate_resident_id])
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    photo = models.CharField(_("photo"), max_length=100, blank=True, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="cadres"
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "organization__path"
    # Shown masked wherever a value of the field appears, history panels included.
    masked_fields = {"id_number": mask_resident_id}

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["organization__path", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="cadre_unique_id_number",
                violation_error_code="id_number_taken",
                violation_error_message=_("A cadre with this resident ID number is already on record."),
            )
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return record_url("cadres:cadre_detail", self.pk)

    def choice_label(self):
        """The cadre among choices, with their union: two people of one name are common.
        Needs the organization (select_related)."""
        return f"{self.full_name}（{self.organization.name}）"

    @property
    def masked_id_number(self):
        return mask_resident_id(self.id_number)

    def age_on(self, day):
        if self.birth_date is None:
            return None
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()


class PostQuerySet(ScopedQuerySet):
    def in_post_on(self, day):
        """Posts held on `day`: started by then and not ended before it."""
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


class Post(models.Model):
    """A cadre's position in an organization over a period. Ending a post keeps it."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="posts")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, default=Rank.NONE)
    full_time = models.BooleanField(_("full-time"), default=True)
    staffing = models.CharField(_("staffing type"), max_length=20, choices=Staffing.choices, default=Staffing.OTHER)
    seconded = models.BooleanField(
        _("post travels with the person"),
        default=False,
        help_text=_("Sent from the federation's own institutions, keeping their original post (编随人走)."),
    )
    selection_method = models.CharField(
        _("selection method"), max_length=20, choices=SelectionMethod.choices, blank=True
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)

    history = HistoricalRecords()
    objects = PostQuerySet.as_manager()
    scope_path = "organization__path"

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organization__path", "position", "start"]
        indexes = [
            models.Index(fields=["start", "end"]),
            models.Index(fields=["rank", "staffing"]),
            # A branch's page, keys first (KeysFirstData): each union's posts of a position with
            # their dates, read from the index alone.
            models.Index(fields=["organization", "position", "start", "end", "id"], name="post_branch_page"),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.organization} · {self.get_position_display()}"

    def get_absolute_url(self):
        return self.cadre.get_absolute_url()

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("A post cannot end before it starts.")})

    @property
    def is_social_worker(self):
        return self.staffing == Staffing.SOCIAL_WORKER


class TrainingCategory(models.TextChoices):
    POLITICAL = "political", _("Political theory")
    BUSINESS = "business", _("Union business")
    LEADERSHIP = "leadership", _("Leadership")
    VOCATIONAL = "vocational", _("Vocational skills")
    OTHER = "other", _("Other")


class Training(models.Model):
    """A training course: its cadre attendances plus a count of other attendees (e.g. 1,800
    workers, 860 hotel staff in 3 sessions), so person-times = attendances + other attendees."""

    title = models.CharField(_("title"), max_length=120)
    organizer = models.ForeignKey(
        Organization, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="trainings"
    )
    category = models.CharField(
        _("category"), max_length=20, choices=TrainingCategory.choices, default=TrainingCategory.BUSINESS
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("class hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)], default=0
    )
    sessions = models.PositiveSmallIntegerField(_("sessions"), default=1, validators=[MinValueValidator(1)])
    other_attendees = models.PositiveIntegerField(_("other attendees"), default=0)
    cadres = models.ManyToManyField(Cadre, verbose_name=_("cadres"), through="Attendance", related_name="trainings")

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "organizer__path"

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-start", "title"]
        indexes = [models.Index(fields=["start"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("cadres:training_detail", self.pk)

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("A course cannot end before it starts.")})


class Attendance(models.Model):
    """A cadre's attendance of a course; `hours` when they attended less than the whole course."""

    training = models.ForeignKey(
        Training, verbose_name=_("training course"), on_delete=models.CASCADE, related_name="attendances"
    )
    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="attendances")
    hours = models.DecimalField(_("class hours"), max_digits=6, decimal_places=1, null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "training__organizer__path"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "cadre"],
                name="attendance_once_per_course",
                violation_error_message=_("This cadre is already listed for this course."),
            )
        ]

    def __str__(self):
        return f"{self.cadre} · {self.training}"
