import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from standards.models import Assessment, Standard
from unionportal.tables import Table


def stars_html(rating):
    """The rating as stars (★★★☆☆), with its number for screen readers; a dash without one."""
    if not rating:
        return "—"
    return format_html(
        '<span class="text-warning text-nowrap" title="{label}" aria-label="{label}">'
        '{on}<span class="text-body-tertiary">{off}</span></span>',
        label=ngettext("%(count)d star", "%(count)d stars", rating) % {"count": rating},
        on="★" * rating,
        off="☆" * (5 - rating),
    )


class StandardTable(Table):
    name = tables.Column(linkify=True)
    owner = tables.Column(verbose_name=_("defined by"), accessor="owner__name", order_by="owner__path")
    kinds = tables.Column(verbose_name=_("applies to"), accessor="kinds_display", orderable=False)
    criteria_count = tables.Column(verbose_name=_("criteria"))

    class Meta:
        model = Standard
        fields = ["name", "owner", "kinds", "criteria_count", "pass_points", "active"]
        order_by = "owner"

    def render_active(self, value):
        return _("Yes") if value else _("No")

    def value_active(self, value):
        return str(self.render_active(value))


class AssessmentTable(Table):
    organization = tables.Column(
        verbose_name=_("organization"),
        accessor="organization__name",
        order_by="organization__path",
        linkify=lambda record: record.get_absolute_url(),
    )
    standard = tables.Column(verbose_name=_("standard"), accessor="standard__name", order_by="standard__name")
    rating = tables.Column(verbose_name=_("stars"))

    class Meta:
        model = Assessment
        fields = ["organization", "standard", "year", "status", "score", "rating", "compliant"]
        order_by = ("-year", "organization")

    def render_rating(self, value):
        return stars_html(value)

    def value_rating(self, value):
        return value or ""

    def render_compliant(self, value):
        return _("Compliant") if value else _("Not compliant")

    def value_compliant(self, value):
        return str(self.render_compliant(value))
