import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.audit import describe
from accounts.models import AuditEvent, User
from unionportal.tables import DateTimeColumn, Table, YesNoColumn


class UserTable(Table):
    username = tables.Column(linkify=True)
    organization = tables.Column(
        verbose_name=_("organization"), accessor="organization__name", order_by="organization__path"
    )
    is_active = YesNoColumn(verbose_name=_("active"))

    class Meta:
        model = User
        fields = ["username", "full_name", "organization", "role", "is_active", "last_login"]


class AuditEventTable(Table):
    time = DateTimeColumn(format="Y-m-d H:i:s")
    # In words, in the reader's language (accounts/audit.py): not a column to sort by.
    detail = tables.Column(verbose_name=_("detail"), accessor="description", orderable=False)

    # An export reads the log as values: the words made from the same three fields.
    export_computed = {
        "description": (
            ("message", "params", "detail"),
            lambda message, params, detail: describe(AuditEvent(message=message, params=params, detail=detail)),
        )
    }

    class Meta:
        model = AuditEvent
        fields = ["time", "username", "organization_name", "ip", "kind", "outcome", "detail", "path"]
        order_by = "-time"
