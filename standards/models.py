"""Standards (标准化建设, 星级工会, "八好"), their criteria and rating thresholds, and the
yearly assessments of unions against them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization, OrganizationKind
from unionportal.links import record_url
from unionportal.scoping import REFERENCE_ACTIONS, ReferenceQuerySet, ScopedQuerySet


class Standard(models.Model):
    """A yardstick for unions of some kinds: criteria with points, and how points become a
    verdict (compliant from `pass_points` with every must-pass criterion met) and a rating."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        Organization, verbose_name=_("defined by"), on_delete=models.PROTECT, related_name="standards"
    )
    kinds = models.JSONField(
        _("applies to"), default=list, help_text=_("The kinds of organization assessed against it.")
    )
    description = models.TextField(_("description"), blank=True)
    pass_points = models.DecimalField(
        _("points to be compliant"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("60"),
        validators=[MinValueValidator(0)],
    )
    expected_chair_rank = models.CharField(
        _("expected rank of the chair"),
        max_length=20,
        blank=True,
        help_text=_("Checked against the cadre records when an assessment is prepared."),
    )
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()
    scope_path = "owner__path"
    scope_actions = REFERENCE_ACTIONS

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["owner__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="standard_unique_name",
                violation_error_message=_("This federation already has a standard of this name."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("standards:standard_detail", self.pk)

    def clean(self):
        valid = set(OrganizationKind.values)
        if not self.kinds or not set(self.kinds) <= valid:
            raise ValidationError({"kinds": _("Choose the kinds of organization the standard applies to.")})

    @property
    def kinds_display(self):
        labels = dict(OrganizationKind.choices)
        return "、".join(str(labels[kind]) for kind in self.kinds if kind in labels)

    def verdict(self, items):
        """(score, all must-pass met, compliant, rating) of assessment items — (criterion, met,
        points) triples. The rating is the best threshold reached; a threshold that requires
        every must-pass criterion is out of reach when one fails, which caps the rating."""
        score = sum((points for _criterion, met, points in items if met), Decimal(0))
        must_pass_met = all(met for criterion, met, _points in items if criterion.must_pass)
        compliant = must_pass_met and score >= self.pass_points
        rating = None
        for threshold in self.thresholds.all():
            if score >= threshold.min_points and (must_pass_met or not threshold.requires_all_must_pass):
                rating = max(rating or 0, threshold.rating)
        return score, must_pass_met, compliant, rating


class Measure(models.TextChoices):
    """What the portal can measure from its own records to pre-fill a criterion."""

    NONE = "", _("Assessed by hand")
    STAFF_COUNT = "staff_count", _("Staff in post (from cadres), at least")
    CHAIR_RANK = "chair_rank", _("Chair's rank (from cadres), at least the standard's")
    FULL_TIME_CHAIR = "full_time_chair", _("A full-time chair (from cadres)")
    ROUTINE_FUNDS = "routine_funds", _("Routine funding received in the year (yuan), at least")
    FUNDS_RECEIVED = "funds_received", _("Funds received in the year (yuan), at least")


class CriterionQuerySet(ReferenceQuerySet):
    # A criterion reaches its owner through its standard.
    owner_path = "standard__owner__path"


class Criterion(models.Model):
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=50, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    must_pass = models.BooleanField(_("must pass"), default=False)
    measure = models.CharField(_("measured from records"), max_length=20, choices=Measure.choices, blank=True)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The least staff count or amount that meets a measured criterion."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = CriterionQuerySet.as_manager()
    scope_path = "standard__owner__path"
    scope_actions = REFERENCE_ACTIONS

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["standard", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "code"],
                name="criterion_unique_code",
                violation_error_message=_("This standard already has a criterion with this code."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def clean(self):
        if (
            self.measure in (Measure.STAFF_COUNT, Measure.ROUTINE_FUNDS, Measure.FUNDS_RECEIVED)
            and self.threshold is None
        ):
            raise ValidationError({"threshold": _("A measured criterion needs its threshold.")})


class RatingThreshold(models.Model):
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="thresholds"
    )
    rating = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    min_points = models.DecimalField(_("from points"), max_digits=6, decimal_places=1)
    requires_all_must_pass = models.BooleanField(_("only with every must-pass criterion met"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating threshold")
        verbose_name_plural = _("rating thresholds")
        ordering = ["standard", "-rating"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "rating"],
                name="threshold_one_per_rating",
                violation_error_message=_("This standard already has a threshold for these stars."),
            )
        ]

    def __str__(self):
        return f"{self.standard}: {self.rating}★ ≥ {self.min_points}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class AssessmentQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(status=AssessmentStatus.APPROVED)


class Assessment(models.Model):
    """A union assessed against a standard for a year. Score, compliance and rating are
    computed from the items, never typed; an approved assessment is locked."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="assessments"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949)])
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, default=0)
    compliant = models.BooleanField(_("compliant"), default=False)
    rating = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()
    scope_path = "organization__path"

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "organization__path"]
        indexes = [models.Index(fields=["year", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "standard", "year"],
                name="assessment_once_per_year",
                violation_error_message=_("This union already has an assessment against this standard for this year."),
            )
        ]

    def __str__(self):
        return f"{self.organization} · {self.standard} · {self.year}"

    def get_absolute_url(self):
        return record_url("standards:assessment_detail", self.pk)

    @property
    def is_locked(self):
        return self.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED)

    @property
    def lock_reason(self):
        """Why the items, note and evidence cannot be changed now; empty when they can."""
        if self.status == AssessmentStatus.APPROVED:
            return _("This assessment is approved and locked.")
        if self.status == AssessmentStatus.SUBMITTED:
            return _("This assessment is waiting for approval; it can be changed once returned.")
        return ""

    @property
    def stars(self):
        return "★" * (self.rating or 0)


class AssessmentItem(models.Model):
    """One criterion of an assessment: met or not, the points given, and where a measured
    criterion's pre-filled value came from."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="items"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="items"
    )
    met = models.BooleanField(_("met"), default=False)
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    measured = models.CharField(_("measured from records"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "assessment__organization__path"

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["criterion__order", "criterion__code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="item_once_per_criterion")]

    def __str__(self):
        return f"{self.assessment} · {self.criterion.code}"

    def clean(self):
        if self.criterion_id and self.points > self.criterion.points:
            raise ValidationError({"points": _("At most %(max)s points.") % {"max": self.criterion.points}})


class Evidence(models.Model):
    """A photo backing an assessment item, stored by unionportal.uploads."""

    item = models.ForeignKey(
        AssessmentItem, verbose_name=_("assessment item"), on_delete=models.CASCADE, related_name="evidence"
    )
    image = models.CharField(_("picture"), max_length=100, editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "item__assessment__organization__path"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.caption or self.image
