import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from organizations.models import FundAllocation, Organization
from unionportal.tables import DateColumn, Table


class OrganizationTable(Table):
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


def yuan(value):
    """An amount as the portal shows it: two decimals, thousands separated (30,000.00)."""
    return f"{value:,.2f}"


class FundAllocationTable(Table):
    """Amounts are shown with two decimals and exported as numbers, so a sheet can add them up."""

    date = DateColumn(format="Y-m-d", linkify=True)
    # `source_label` is annotated by the list view: the organization's name or the outside
    # source, so that the column sorts as one.
    source = tables.Column(verbose_name=_("Source"), accessor="source_label", order_by="source_label")
    recipient = tables.Column(
        verbose_name=_("Recipient"),
        accessor="recipient__name",
        order_by="recipient__path",
        linkify=lambda record: record.recipient.get_absolute_url(),
    )
    amount = tables.Column(attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})

    class Meta:
        model = FundAllocation
        fields = ["date", "source", "recipient", "purpose", "amount", "note"]
        order_by = ("-date", "recipient", "source")

    def render_amount(self, value):
        return yuan(value)

    def value_amount(self, value):
        return value
