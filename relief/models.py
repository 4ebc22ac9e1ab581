"""Workers in hardship on file, relief programmes, and disbursements that are never paid
twice: the most sensitive records of the portal (ID numbers, bank accounts, income, illness)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization
from unionportal.links import record_url
from unionportal.scoping import REFERENCE_ACTIONS, ReferenceQuerySet, ScopedQuerySet
from unionportal.validators import (
    mask_resident_id,
    resident_id_birth_date,
    validate_mobile,
    validate_resident_id,
)


def mask_account(value):
    """A bank account shows its last four digits only."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 4) + value[-4:]


class HardshipLevel(models.TextChoices):
    DEEP = "deep", _("Deep hardship")
    RELATIVE = "relative", _("Relative hardship")
    ACCIDENTAL = "accidental", _("Accidental hardship")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Serious illness of self or family")
    DISABILITY = "disability", _("Disability")
    SCHOOLING = "schooling", _("Children in school")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    SINGLE_PARENT = "single_parent", _("Single parent")
    DISASTER = "disaster", _("Disaster")
    WORK_INJURY = "work_injury", _("Work injury")


class BeneficiaryStatus(models.TextChoices):
    ON_FILE = "on_file", _("On file")
    LIFTED = "lifted", _("Lifted out of hardship")
    CLOSED = "closed", _("Closed")


class Beneficiary(models.Model):
    """A worker in hardship on file (困难职工档案). A resident ID is on file once in the whole
    system; birth date and gender are derived from it."""

    full_name = models.CharField(_("full name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18, validators=[validate_resident_id])
    birth_date = models.DateField(_("birth date"), editable=False)
    gender = models.CharField(_("gender"), max_length=8, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("responsible union"), on_delete=models.PROTECT, related_name="beneficiaries"
    )
    hardship_level = models.CharField(_("hardship level"), max_length=12, choices=HardshipLevel.choices)
    causes = models.JSONField(_("causes of hardship"), default=list, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1, validators=[MinValueValidator(1)])
    monthly_income_per_head = models.DecimalField(
        _("monthly income per head (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    filed_on = models.DateField(_("filed on"))
    status = models.CharField(
        _("status"), max_length=10, choices=BeneficiaryStatus.choices, default=BeneficiaryStatus.ON_FILE
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "organization__path"
    masked_fields = {"id_number": mask_resident_id, "bank_account": mask_account}

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        ordering = ["organization__path", "full_name"]
        # The hardship files on record at a day: on file and filed by then.
        indexes = [
            models.Index(fields=["status", "filed_on"], name="beneficiary_on_file"),
            # The list sorted by name walks this instead of sorting a province's files.
            models.Index(fields=["full_name"], name="beneficiary_name"),
            # A district's page by status and name, read from the index alone for each of its
            # unions, then sorted (a city district on SQLite: 8.1 to 3.0 ms).
            models.Index(fields=["organization", "status", "full_name"], name="beneficiary_branch_page"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                name="beneficiary_on_file_once",
                violation_error_code="id_number_taken",
                # Says nothing of where: the other file may be in a branch the user cannot see.
                violation_error_message=_("A hardship file with this resident ID number already exists."),
            )
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # Derived, never typed: the ID number is the source of truth.
        if self.id_number and len(self.id_number) == 18:
            self.birth_date = resident_id_birth_date(self.id_number)
            self.gender = "male" if int(self.id_number[16]) % 2 else "female"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return record_url("relief:beneficiary_detail", self.pk)

    def choice_label(self):
        """The person among choices: the masked ID number and the union tell namesakes apart.
        Needs the organization (select_related)."""
        return f"{self.full_name}（{self.masked_id_number} · {self.organization.name}）"

    @property
    def masked_id_number(self):
        return mask_resident_id(self.id_number)

    @property
    def masked_bank_account(self):
        return mask_account(self.bank_account)

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()
        unknown = set(self.causes) - set(Cause.values)
        if unknown:
            raise ValidationError({"causes": _("Unknown causes of hardship.")})


class Review(models.Model):
    """The yearly review of a hardship file."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Stays on file")
        LIFT = "lift", _("Lifted out of hardship")
        CLOSE = "close", _("Closed")

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("hardship file"), on_delete=models.CASCADE, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    hardship_level = models.CharField(_("hardship level"), max_length=12, choices=HardshipLevel.choices)
    monthly_income_per_head = models.DecimalField(_("monthly income per head (yuan)"), max_digits=10, decimal_places=2)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "beneficiary__organization__path"

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["beneficiary", "year"], name="review_once_a_year")]

    def __str__(self):
        return f"{self.beneficiary} {self.year}"


class Programme(models.Model):
    """A relief programme of one year (两节送温暖 2017) with its budget, the standard amount and
    the most one person may receive from it in the year. Reference data of the federation that
    runs it, used by its whole branch."""

    name = models.CharField(_("name"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    owner = models.ForeignKey(
        Organization, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="programmes"
    )
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    standard_amount = models.DecimalField(
        _("standard amount (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cap_per_person = models.DecimalField(
        _("cap per person per year (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()
    scope_path = "owner__path"
    scope_actions = REFERENCE_ACTIONS

    class Meta:
        verbose_name = _("relief programme")
        verbose_name_plural = _("relief programmes")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name", "year"],
                name="programme_once_a_year",
                violation_error_message=_("This programme already exists for this year."),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.year}）"

    def get_absolute_url(self):
        return record_url("relief:programme_detail", self.pk)

    # Whose programme it is to account for. A programme of the city is shared by every district
    # below it, and a disbursement of it is paid inside the owner's branch (`Disbursement.clean`):
    # a reader at the owner or above it has every disbursement of it in scope and may read what
    # remains of the budget; below the owner that figure would tell what the other branches
    # committed. The same rule for a query (the programme list) and for one programme (a refusal).

    @staticmethod
    def run_within(user):
        """The programmes whose owner is in the user's branch, as a condition; None for a
        superuser (every programme)."""
        return None if user.is_superuser else Q(owner__path__startswith=user.organization.path)

    def is_run_within(self, user):
        if user.is_superuser:
            return True
        return user.organization is not None and self.owner.path.startswith(user.organization.path)


class DisbursementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    RETURNED = "returned", _("Returned")


# Disbursements that hold money: counted against budgets and caps.
COMMITTED = (DisbursementStatus.SUBMITTED, DisbursementStatus.APPROVED, DisbursementStatus.PAID)


class DisbursementQuerySet(ScopedQuerySet):
    def paid(self):
        return self.filter(status=DisbursementStatus.PAID)


class Disbursement(models.Model):
    """Relief paid to one person on file, or to a group (环卫工人 with a head count). A paid
    disbursement is never edited: a correction is a new, reversing disbursement."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("relief programme"), on_delete=models.PROTECT, related_name="disbursements"
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("hardship file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    group_name = models.CharField(_("group"), max_length=60, blank=True, help_text=_("For a group, e.g. 环卫工人."))
    head_count = models.PositiveIntegerField(_("people helped"), default=1, validators=[MinValueValidator(1)])
    cash = models.DecimalField(_("cash (yuan)"), max_digits=12, decimal_places=2, default=0)
    in_kind_value = models.DecimalField(_("value in kind (yuan)"), max_digits=12, decimal_places=2, default=0)
    date = models.DateField(_("date paid"))
    paying_organization = models.ForeignKey(
        Organization,
        verbose_name=_("paying organization"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.DRAFT
    )
    return_reason = models.CharField(_("reason for return"), max_length=300, blank=True)
    historical = models.BooleanField(
        _("paid before the portal"), default=False, help_text=_("Imported by an administrator as already paid.")
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
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
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DisbursementQuerySet.as_manager()
    scope_path = "paying_organization__path"

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-date", "-id"]
        indexes = [
            # The relief figures (paid in a period, awaiting approval) read only these columns:
            # on PostgreSQL an index-only scan; elsewhere `include` is left out.
            models.Index(
                fields=["status", "date"],
                include=[
                    "paying_organization",
                    "programme",
                    "beneficiary",
                    "reverses",
                    "cash",
                    "in_kind_value",
                    "head_count",
                ],
                name="disbursement_figures",
            ),
            # The list's order (newest first): a large branch's first page without sorting it all.
            models.Index(fields=["date", "id"], name="disbursement_list_order"),
            # A branch's page, keys first (KeysFirstData), and its count and totals: each union's
            # rows of a status in date order, then the columns the totals add up, all read from
            # the index alone (as key columns: SQLite has no `include`). A district's totals on
            # the province tier: 131 to 37 ms on PostgreSQL; on the city tier on SQLite, 57 to 16.
            models.Index(
                fields=[
                    "paying_organization",
                    "status",
                    "date",
                    "id",
                    "beneficiary",
                    "reverses",
                    "cash",
                    "in_kind_value",
                    "head_count",
                ],
                name="disbursement_branch_totals",
            ),
            models.Index(fields=["programme", "beneficiary", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(beneficiary__isnull=False, head_count=1)
                | (Q(beneficiary__isnull=True) & ~Q(group_name="")),
                name="disbursement_to_a_person_or_a_group",
                violation_error_message=_("Pay either one person on file or a named group with its head count."),
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | (Q(cash__gte=0) & Q(in_kind_value__gte=0)),
                name="disbursement_negative_only_to_reverse",
                violation_error_message=_("Amounts are negative only in a reversing entry."),
            ),
        ]

    def __str__(self):
        return f"{self.programme} · {self.recipient_display} · {self.amount}"

    def get_absolute_url(self):
        return record_url("relief:disbursement_detail", self.pk)

    @property
    def amount(self):
        return self.cash + self.in_kind_value

    @property
    def recipient_display(self):
        return self.beneficiary.full_name if self.beneficiary_id else self.group_name

    @property
    def person_times(self):
        """One per person paid, the head count for a group; a reversing entry takes them back."""
        count = 1 if self.beneficiary_id else self.head_count
        return -count if self.reverses_id else count

    def clean(self):
        errors = {}
        if self.beneficiary_id and self.group_name:
            errors["group_name"] = _("A disbursement to a person has no group name.")
        if self.amount == 0 and not self.reverses_id:
            errors["cash"] = _("Give the cash or the value in kind.")
        if self.programme_id and self.date and self.date.year != self.programme.year:
            errors["date"] = _("The date is not in the programme's year.")
        # The branch rules, here so that every way in (the form, the import, the services) keeps
        # them: the import did not, and a township's staff then read a file of another
        # township in their list. A reversing entry copies the one it reverses, whatever has
        # become of the file since.
        paying = self.paying_organization if self.paying_organization_id else None
        if paying is not None and not self.reverses_id:
            if self.programme_id and not paying.path.startswith(self.programme.owner.path):
                errors["programme"] = _("This programme is run by another branch than the paying organization's.")
            if self.beneficiary_id and not self.beneficiary.organization.path.startswith(paying.path):
                errors["beneficiary"] = _("The person must be on file in the paying organization's branch.")
        if errors:
            raise ValidationError(errors)
