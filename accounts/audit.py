"""Writing the audit log. The kernel calls `record` through settings.AUDIT_RECORDER, so the
generic views can log exports and imports without depending on this app."""

from accounts.models import AuditEvent


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted proxy
    # rewrites it, and a lockout keyed on it could be dodged by sending another value.
    return request.META.get("REMOTE_ADDR") or None


def record(request, kind, *, outcome=AuditEvent.Outcome.SUCCESS, detail="", user=None, username=None):
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    organization = getattr(user, "organization", None) if user else None
    return AuditEvent.objects.create(
        user=user,
        username=username if username is not None else (user.username if user else ""),
        organization_path=organization.path if organization else "",
        organization_name=organization.name if organization else "",
        ip=client_ip(request) if request is not None else None,
        kind=kind,
        outcome=outcome,
        detail=detail[:2000],
        path=request.path[:300] if request is not None else "",
    )
