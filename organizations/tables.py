import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization


class OrganizationTable(tables.Table):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("parent organization"), accessor="parent__name", order_by="parent__name")
    status = tables.Column(verbose_name=_("status"), accessor="deactivated", orderable=False, empty_values=())

    class Meta:
        model = Organization
        fields = ["name", "short_name", "parent", "kind", "unit_type", "credit_code", "established", "status"]
        order_by = "path"

    def render_status(self, value):
        return _("Deactivated") if value else _("Active")

    def value_status(self, value):
        return str(self.render_status(value))
