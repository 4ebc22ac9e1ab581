"""Writing and reading the audit log. The kernel calls `record` through
settings.AUDIT_RECORDER, so the generic views can log exports and imports without depending on
this app.

An event's detail is kept as a message code and its parameters (`message`, `params`), and put
into words when it is read, in the reader's language: "新建用户 li（工作人员）。" for an auditor
reading Chinese, "Created the user li (Staff)." in English. Names of models, fields, roles and
reports are kept as codes and shown by their labels. Events written before the codes were kept
show their `detail` as it was written."""

import datetime
from urllib.parse import unquote_plus

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, User

MESSAGES = {
    "idle": _("No request for longer than the idle limit."),
    "max_age": _("Logged in for longer than a session may last."),
    "ip_blocked": _("Too many failed logins from this IP address."),
    "locked": _("The account is locked."),
    "locked_until": _("The account is locked until %(until)s."),
    "reveal_granted": _("Allowed %(username)s to see personal data in full."),
    "reveal_withdrawn": _("No longer allows %(username)s to see personal data in full."),
    "user_created": _("Created the user %(username)s (%(role)s)."),
    "user_changed": _("Changed the user %(username)s (%(role)s)."),
    "user_activated": _("Activated the user %(username)s."),
    "user_deactivated": _("Deactivated the user %(username)s."),
    "password_reset": _("Reset the password of %(username)s."),
    "revealed": _("%(record)s: %(fields)s. Reason: %(reason)s"),
    "exported": _("%(what)s: %(count)s rows."),
    "report": _("%(what)s."),
    "imported": _("%(what)s: %(count)s rows."),
}

FILTER = _(" Filter: %(query)s")

# Downloads that are not the rows of one model's list.
REPORTS = {
    "annual_summary": _("Annual summary"),
    "standardization": _("Standardization report"),
    "payout": _("Bank payout list"),
    "publicity": _("Publicity list"),
}


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted proxy
    # rewrites it, and a lockout keyed on it could be dodged by sending another value.
    return request.META.get("REMOTE_ADDR") or None


def record(request, kind, *, outcome=AuditEvent.Outcome.SUCCESS, message="", params=None, user=None, username=None):
    """Log one event. `message` is a key of MESSAGES and `params` its values, as codes (a
    model's label, field names, a role, a report's key, a query string)."""
    if message and message not in MESSAGES:
        raise ValueError(f"no audit message {message!r}")
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
        message=message,
        params=params or {},
        path=request.path[:300] if request is not None else "",
    )


def _model(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_names(model, names):
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name) if model else name)
        except FieldDoesNotExist:
            labels.append(name)
    return "、".join(labels)


def _what(params):
    if "report" in params:
        return REPORTS.get(params["report"], params["report"])
    if "kind" in params:
        from unionportal.importing import get_importer

        try:
            return get_importer(params["kind"]).title
        except (KeyError, LookupError):
            return params["kind"]
    model = _model(params.get("model", ""))
    return model._meta.verbose_name_plural if model else params.get("model", "")


def describe(event):
    """The event's detail in words, in the active language."""
    if not event.message:
        return event.detail
    params = event.params or {}
    model = _model(params.get("model", ""))
    values = {
        "username": params.get("username", ""),
        "role": dict(User._meta.get_field("role").flatchoices).get(params.get("role"), params.get("role", "")),
        "what": _what(params),
        "count": params.get("count", ""),
        "reason": params.get("reason", ""),
        "fields": _field_names(model, params.get("fields", ())),
        "record": f"{model._meta.verbose_name if model else params.get('model', '')} {params.get('pk', '')}".strip(),
        "until": "",
    }
    if params.get("until"):
        until = timezone.localtime(datetime.datetime.fromisoformat(params["until"]))
        values["until"] = until.strftime("%Y-%m-%d %H:%M")
    text = str(MESSAGES.get(event.message, event.message)) % values
    if params.get("query"):
        text += str(FILTER) % {"query": unquote_plus(params["query"])}
    return text
