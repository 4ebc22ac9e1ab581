import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, User
from organizations.filters import BranchFilter
from unionportal.filters import ScopedFilterSet, YesNoWidget
from unionportal.roles import Role


class UserFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("username or full name contains"), method="filter_q")
    role = django_filters.ChoiceFilter(label=_("role"), choices=Role.choices)
    branch = BranchFilter(path_lookup="organization__path")
    is_active = django_filters.BooleanFilter(label=_("active"), widget=YesNoWidget())

    class Meta:
        model = User
        fields = ["q", "role", "branch", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(username__icontains=value) | queryset.filter(full_name__icontains=value)


class AuditEventFilter(ScopedFilterSet):
    username = django_filters.CharFilter(label=_("username"), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("event"), choices=AuditEvent.Kind.choices)
    outcome = django_filters.ChoiceFilter(label=_("outcome"), choices=AuditEvent.Outcome.choices)
    time = django_filters.DateFromToRangeFilter(
        label=_("between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    ip = django_filters.CharFilter(label=_("IP address"))

    class Meta:
        model = AuditEvent
        fields = ["username", "kind", "outcome", "time", "ip"]
