"""What the unions did (campaigns, activities and their participants) and what they won
(honours from county to national level)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre
from organizations.models import Organization
from unionportal.links import record_url
from unionportal.scoping import REFERENCE_ACTIONS, ReferenceQuerySet, ScopedQuerySet


class ActivityKind(models.TextChoices):
    COMPETITION = "competition", _("Labour competition")
    SKILLS_CONTEST = "skills_contest", _("Skills contest")
    CULTURAL = "cultural", _("Cultural and sports event")
    READING = "reading", _("Reading and essay")
    SPEECH = "speech", _("Speech contest")
    ART = "art", _("Art and photography")
    WALK = "walk", _("Walk")
    LECTURE = "lecture", _("Lecture and publicity")
    EMPLOYMENT = "employment", _("Employment service")
    TRAINING = "training", _("Training")
    VISIT = "visit", _("Visit")


class Campaign(models.Model):
    """A branded series of activities, e.g. 阳光职工·幸福平塘"五一"系列活动 2017."""

    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949)])
    organizer = models.ForeignKey(
        Organization, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="campaigns"
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "organizer__path"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "name", "year"],
                name="campaign_unique_per_year",
                violation_error_message=_("This organizer already has a campaign of this name in this year."),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.year}）"

    def get_absolute_url(self):
        return record_url("activities:campaign_detail", self.pk)


class Activity(models.Model):
    """An activity with its participant person-times. Employment services also count the
    materials handed out, the enterprises taking part, the jobs offered and the people placed."""

    title = models.CharField(_("title"), max_length=150)
    kind = models.CharField(_("activity type"), max_length=20, choices=ActivityKind.choices)
    organizer = models.ForeignKey(
        Organization, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="activities"
    )
    co_organizers = models.ManyToManyField(
        Organization, verbose_name=_("co-organizers"), blank=True, related_name="co_organized_activities"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("participant person-times"), default=0)
    entries = models.PositiveIntegerField(_("entries"), default=0, help_text=_("Essays, photos or works submitted."))
    funds_spent = models.DecimalField(
        _("funds spent (yuan)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    description = models.TextField(_("description"), blank=True)
    materials = models.PositiveIntegerField(_("materials handed out"), default=0)
    enterprises = models.PositiveIntegerField(_("enterprises taking part"), default=0)
    jobs_offered = models.PositiveIntegerField(_("jobs offered"), default=0)
    people_placed = models.PositiveIntegerField(_("people placed in jobs"), default=0)

    history = HistoricalRecords(m2m_fields=[co_organizers])
    objects = ScopedQuerySet.as_manager()
    scope_path = "organizer__path"
    # A campaign counts as held in its organizer's branch when any activity of it starts in the
    # period, wherever that activity's organizer is: its writes change the campaign's branch too.
    also_invalidates = ("campaign__organizer__path",)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start", "title"]
        indexes = [models.Index(fields=["start", "kind"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("activities:activity_detail", self.pk)

    def clean(self):
        errors = {}
        if self.end and self.start and self.end < self.start:
            errors["end"] = _("An activity cannot end before it starts.")
        if self.campaign_id and self.start and self.campaign.year != self.start.year:
            errors["campaign"] = _("The campaign is of another year.")
        if errors:
            raise ValidationError(errors)


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos")
    image = models.CharField(_("picture"), max_length=100, editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "activity__organizer__path"

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self):
        return self.caption or self.image


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


class RecipientType(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class HonourTitle(models.Model):
    """An honour of the catalogue: a name at a level, for collectives or individuals. The
    portal ships the common titles at every level (no owner); a federation's administrators
    add their own (e.g. 平塘工匠), which its branch uses."""

    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=HonourLevel.choices)
    recipient_type = models.CharField(_("recipient type"), max_length=12, choices=RecipientType.choices)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("defined by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honour_titles",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()
    scope_path = "owner__path"
    scope_actions = REFERENCE_ACTIONS

    class Meta:
        verbose_name = _("honour title")
        verbose_name_plural = _("honour titles")
        ordering = ["order", "name", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "level", "owner"],
                name="honour_title_unique",
                violation_error_message=_("This title already exists at this level."),
            ),
            models.UniqueConstraint(
                fields=["name", "level"],
                condition=Q(owner__isnull=True),
                name="honour_title_unique_shipped",
                violation_error_message=_("This title already exists at this level."),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}）"

    def get_absolute_url(self):
        return record_url("activities:honourtitle_detail", self.pk)


class HonourStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended")
    CONFERRED = "conferred", _("Conferred")
    NOT_CONFERRED = "not_conferred", _("Not conferred")


class HonourQuerySet(ScopedQuerySet):
    def conferred(self):
        """Only conferred honours count in reports."""
        return self.filter(status=HonourStatus.CONFERRED)


class Honour(models.Model):
    """An honour to a union (collective titles) or a person (individual titles), in a year.
    `organization` is the union it belongs to: the recipient itself, or the person's union."""

    title = models.ForeignKey(HonourTitle, verbose_name=_("title"), on_delete=models.PROTECT, related_name="honours")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949)])
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="honours"
    )
    recipient_name = models.CharField(
        _("recipient"), max_length=100, blank=True, help_text=_("The person's full name, for individual titles.")
    )
    recipient_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), null=True, blank=True, on_delete=models.SET_NULL, related_name="honours"
    )
    status = models.CharField(_("status"), max_length=16, choices=HonourStatus.choices, default=HonourStatus.CONFERRED)
    conferring_body = models.CharField(_("conferring body"), max_length=100, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    recommended_by = models.ForeignKey(
        Organization,
        verbose_name=_("recommended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours_recommended",
    )

    history = HistoricalRecords()
    objects = HonourQuerySet.as_manager()
    scope_path = "organization__path"

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "title__order", "title__name"]
        indexes = [models.Index(fields=["year", "status"])]
        constraints = [
            # The same honour to the same recipient in the same year is entered once.
            models.UniqueConstraint(
                fields=["title", "year", "organization"],
                condition=Q(recipient_name=""),
                name="honour_once_per_collective",
                violation_error_code="honour_taken",
                violation_error_message=_("This union already has this honour for this year."),
            ),
            models.UniqueConstraint(
                fields=["title", "year", "recipient_name", "recipient_unit"],
                condition=~Q(recipient_name=""),
                name="honour_once_per_person",
                violation_error_code="honour_taken",
                violation_error_message=_("This person already has this honour for this year."),
            ),
        ]

    def __str__(self):
        return f"{self.title} · {self.recipient_display} · {self.year}"

    def get_absolute_url(self):
        return record_url("activities:honour_detail", self.pk)

    @property
    def recipient_display(self):
        return self.recipient_name or self.organization.name

    def clean(self):
        if not self.title_id:
            return
        individual = self.title.recipient_type == RecipientType.INDIVIDUAL
        if individual and not self.recipient_name:
            raise ValidationError({"recipient_name": _("An individual title goes to a person: give their name.")})
        if not individual and self.recipient_name:
            raise ValidationError({"recipient_name": _("A collective title goes to a union, not to a person.")})
        if self.cadre_id and not individual:
            raise ValidationError({"cadre": _("A collective title goes to a union, not to a person.")})
