import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, User
from unionportal.tables import DateTimeColumn, Table


class UserTable(Table):
    username = tables.Column(linkify=True)
    organization = tables.Column(accessor="organization__name", order_by="organization__path")
    is_active = tables.BooleanColumn(verbose_name=_("active"))

    class Meta:
        model = User
        fields = ["username", "full_name", "organization", "role", "is_active", "last_login"]


class AuditEventTable(Table):
    time = DateTimeColumn(format="Y-m-d H:i:s")

    class Meta:
        model = AuditEvent
        fields = ["time", "username", "organization_name", "ip", "kind", "outcome", "detail", "path"]
        order_by = "-time"
