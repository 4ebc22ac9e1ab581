"""Login lockout, computed from the audit log's own failure lines.

django-axes was considered: it keeps one running counter per username or IP with a single
limit, which cannot say "5 failures within 15 minutes locks the username for 30 minutes"
and "an IP is capped at a larger number" at once. Each failure is already an audit line
with its time, username and IP, so the rule is two indexed counts."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import AuditEvent

_FAILED = AuditEvent.Kind.LOGIN_FAILED


def _failures(**lookup):
    return AuditEvent.objects.filter(kind=_FAILED, outcome=AuditEvent.Outcome.FAILURE, **lookup)


def username_locked_until(username, now=None):
    """When the username's lockout ends, or None if it is not locked.

    Locked when LOCKOUT_FAILURES failures fell within LOCKOUT_WINDOW_MINUTES of each other,
    the last of them less than LOCKOUT_MINUTES ago, and no successful login came after."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    lock = timedelta(minutes=settings.LOCKOUT_MINUTES)
    since = now - lock - window
    last_success = (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN, username__iexact=username, time__gte=since)
        .order_by("-time")
        .values_list("time", flat=True)
        .first()
    )
    if last_success:
        since = max(since, last_success)
    times = list(_failures(username__iexact=username, time__gt=since).order_by("time").values_list("time", flat=True))
    limit = settings.LOCKOUT_FAILURES
    locked_until = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= window and now - times[i] < lock:
            locked_until = times[i] + lock
    return locked_until


def ip_blocked(ip, now=None):
    if not ip:
        return False
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    return _failures(ip=ip, time__gte=since).count() >= settings.IP_FAILURE_LIMIT
