import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization
from unionportal.tables import Table


class MissingFiguresTable(Table):
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name=_("parent organization"), accessor="parent__name", order_by="parent__name")
    last_filed = tables.Column(verbose_name=_("last year filed"), default="—")

    class Meta:
        model = Organization
        fields = ["name", "parent", "kind", "unit_type", "established", "last_filed"]
        order_by = "path"
