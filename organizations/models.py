"""The union tree: the scope of everything else in the portal."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from unionportal.links import record_url
from unionportal.scoping import BranchPrefix, ScopedQuerySet, may
from unionportal.validators import validate_credit_code, validate_phone


class OrganizationKind(models.TextChoices):
    CITY_FEDERATION = "city_federation", _("City federation of trade unions")
    COUNTY_FEDERATION = "county_federation", _("County (district) federation of trade unions")
    TOWNSHIP_FEDERATION = "township_federation", _("Township (subdistrict) union federation")
    INDUSTRY_UNION = "industry_union", _("Industry union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    JOINT_GRASSROOTS = "joint_grassroots", _("Joint grassroots union")


FEDERATION_KINDS = {
    OrganizationKind.CITY_FEDERATION,
    OrganizationKind.COUNTY_FEDERATION,
    OrganizationKind.TOWNSHIP_FEDERATION,
}


class UnitType(models.TextChoices):
    ORGAN = "organ", _("Government organ")
    INSTITUTION = "institution", _("Public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    COMMUNITY = "community", _("Community")
    RELOCATION_SITE = "relocation_site", _("Relocation settlement")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    """The two sectors of the county statistics (机关工会 / 企业工会): enterprises on one
    side, every other unit on the other, so that the two always add up to the total."""

    ORGAN = "organ", _("Organs and institutions")
    ENTERPRISE = "enterprise", _("Enterprises")


ENTERPRISE_UNIT_TYPES = (UnitType.STATE_ENTERPRISE, UnitType.PRIVATE_ENTERPRISE)


class OrganizationQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    def active_on(self, day):
        """Organizations that existed on `day`: established by then and not yet deactivated."""
        return self.filter(Q(established__isnull=True) | Q(established__lte=day)).filter(
            Q(deactivated__isnull=True) | Q(deactivated__gt=day)
        )

    def below(self, organization, include_self=False):
        """The branch under `organization`: one prefix filter on the materialized path."""
        queryset = self.filter(path__startswith=organization.path)
        return queryset if include_self else queryset.exclude(pk=organization.pk)

    def restrict_or_above(self, user, action="view"):
        """The user's branch and the federations above it. Only for a choice that must be able
        to name a higher level, such as the city as the source of the money a district's staff
        record: those names are already shown to the user beside their own organization."""
        if user.is_superuser or not may(user, self.model, action):
            return self.restrict(user, action)
        mine = user.organization
        above = [mine.path[:end] for end in range(mine.steplen, len(mine.path), mine.steplen)]
        return self.filter(Q(path__startswith=mine.path) | Q(path__in=above))


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    """A union or federation. Its place in the tree is its materialized `path`; `parent` is
    kept beside it so that sibling names can be unique in the database and a report can
    group by direct child without parsing paths."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    unit_type = models.CharField(_("unit type"), max_length=32, choices=UnitType.choices, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    established = models.DateField(_("established"), null=True, blank=True)
    deactivated = models.DateField(_("deactivated"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)

    history = HistoricalRecords(excluded_fields=["depth", "numchild"])
    objects = OrganizationManager()

    scope_path = "path"
    node_order_by = []

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="organization_unique_name_among_siblings",
                violation_error_code="name_taken",
                violation_error_message=_("Another organization with this name already exists under the same parent."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="organization_unique_top_level_name",
                violation_error_code="name_taken",
                violation_error_message=_("A top-level federation with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organization_unique_credit_code",
                violation_error_code="credit_code_taken",
                violation_error_message=_("Another organization already has this unified social credit code."),
            ),
        ]
        # A branch is `path LIKE 'prefix%'`: on PostgreSQL Django gives the unique `path` a second
        # index with varchar_pattern_ops (organizations_organization_path_..._like), which
        # answers it whatever the database collation.
        indexes = [
            models.Index(fields=["kind", "unit_type"]),
            # Imports name organizations by their full name.
            models.Index(fields=["name"], name="organization_name"),
            # A branch's federations (every list's branch dropdown): SQLite cannot use the path
            # for LIKE 'prefix%' and walked all of a city's 25,000 unions in path order for them.
            models.Index(fields=["kind", "path"], name="organization_kind_path"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("organizations:organization_detail", self.pk)

    def clean(self):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.established and self.deactivated and self.deactivated < self.established:
            raise ValidationError({"deactivated": _("The deactivation date cannot be before the establishment date.")})

    @property
    def is_active(self):
        return self.deactivated is None or self.deactivated > timezone.localdate()

    @property
    def sector(self):
        return Sector.ENTERPRISE if self.unit_type in ENTERPRISE_UNIT_TYPES else Sector.ORGAN

    def deletion_blockers(self):
        """Why this organization cannot be deleted, as sentences for the page; empty if it can.

        Any record that points at an organization does so with PROTECT, so Django's own
        collector finds every kind of record, including those of apps added later."""
        from django.db.models.deletion import Collector, ProtectedError

        reasons = []
        if self.numchild:
            reasons.append(_("It still has %(count)d child organizations.") % {"count": self.numchild})
        try:
            Collector(using="default").collect([self])
        except ProtectedError as error:
            counts = {}
            for obj in error.protected_objects:
                if isinstance(obj, Organization):
                    continue
                label = obj._meta.verbose_name_plural
                counts[label] = counts.get(label, 0) + 1
            for label, count in sorted(counts.items(), key=lambda item: str(item[0])):
                reasons.append(_("%(count)d %(records)s still belong to it.") % {"count": count, "records": label})
        return reasons


# On this field only: other text fields keep Django's startswith.
Organization._meta.get_field("path").register_lookup(BranchPrefix, "startswith")


class MembershipFigure(models.Model):
    """An organization's membership in one year, so that a report of any year reads that year."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="membership_figures"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949)])
    members = models.PositiveIntegerField(_("members"), default=0)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    women_members = models.PositiveIntegerField(_("women members"), default=0)
    migrant_members = models.PositiveIntegerField(_("migrant-worker members"), default=0)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "organization__path"

    class Meta:
        verbose_name = _("membership figure")
        verbose_name_plural = _("membership figures")
        ordering = ["organization__path", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="membership_one_per_year",
                violation_error_message=_("This organization already has membership figures for this year."),
            )
        ]

    def __str__(self):
        return f"{self.organization} {self.year}"

    def get_absolute_url(self):
        return self.organization.get_absolute_url()

    def clean(self):
        errors = {}
        if self.women_members > self.members:
            errors["women_members"] = _("Women members cannot outnumber members.")
        if self.migrant_members > self.members:
            errors["migrant_members"] = _("Migrant-worker members cannot outnumber members.")
        if errors:
            raise ValidationError(errors)


class Purpose(models.TextChoices):
    ROUTINE = "routine", _("Routine funding")
    ACTIVITY_SUBSIDY = "activity_subsidy", _("Activity subsidy")
    EQUIPMENT = "equipment", _("Equipment")
    BOOKS = "books", _("Books in kind")
    RELIEF = "relief", _("Relief funds")
    OTHER = "other", _("Other")


class FundAllocationQuerySet(ScopedQuerySet):
    def from_unions(self):
        """Money from an organization of the union tree (上级工会补助), as opposed to an outside
        source such as a district government (行政补助), which union accounts keep apart."""
        return self.filter(source__isnull=False)

    def from_outside(self):
        return self.filter(source__isnull=True)


class FundAllocation(models.Model):
    """Money or goods (at their value) given to an organization: by a federation of the tree,
    or by an outside source named in `source_name`."""

    source = models.ForeignKey(
        Organization,
        verbose_name=_("from organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations_made",
    )
    source_name = models.CharField(
        _("outside source"),
        max_length=100,
        blank=True,
        help_text=_("For money from outside the union, e.g. a district government."),
    )
    recipient = models.ForeignKey(
        Organization,
        verbose_name=_("receiving organization"),
        on_delete=models.PROTECT,
        related_name="allocations_received",
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = FundAllocationQuerySet.as_manager()
    scope_path = "recipient__path"

    class Meta:
        verbose_name = _("fund allocation")
        verbose_name_plural = _("fund allocations")
        ordering = ["-date", "recipient__path"]
        indexes = [models.Index(fields=["date", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__isnull=False) | ~Q(source_name=""),
                name="fund_allocation_has_a_source",
                violation_error_message=_("Name where the money comes from: an organization or an outside source."),
            )
        ]

    def __str__(self):
        return f"{self.source_display} → {self.recipient} {self.amount}"

    def get_absolute_url(self):
        return record_url("organizations:fundallocation_detail", self.pk)

    @property
    def source_display(self):
        return self.source.name if self.source_id else self.source_name

    def clean(self):
        if self.source_id and self.source_name:
            raise ValidationError({"source_name": _("Give either an organization or an outside source, not both.")})
        if not self.source_id and not self.source_name:
            raise ValidationError(
                {"source_name": _("Name where the money comes from: an organization or an outside source.")}
            )
        if self.source_id and self.source_id == self.recipient_id:
            raise ValidationError({"recipient": _("An organization cannot allocate funds to itself.")})
        # Union money comes down the tree: from a federation to an organization below it.
        if self.source_id and self.recipient_id and not self.recipient.path.startswith(self.source.path):
            raise ValidationError({"source": _("Funds come from a federation above the receiving organization.")})
