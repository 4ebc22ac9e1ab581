"""Roles and what each may do. The one table the scope mechanism consults.

Roles are checked on every request by the generic views (403 when the role may not do the
action at all) and again by `restrict()` (no rows, so 404, when the record is outside the
user's branch). Keeping both in one table means a new view cannot forget either.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    APPROVER = "approver", _("Approver")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


class Action:
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    IMPORT = "import"
    EXPORT = "export"
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"
    MANAGE_REFERENCE = "manage_reference"
    READ_AUDIT = "read_audit"


_WRITE = {Action.ADD, Action.CHANGE, Action.DELETE, Action.IMPORT}

ROLE_ACTIONS = {
    Role.STAFF: {Action.VIEW, Action.EXPORT, *_WRITE},
    Role.APPROVER: {Action.VIEW, Action.EXPORT, Action.APPROVE},
    Role.LEADER: {Action.VIEW, Action.EXPORT},
    Role.ADMIN: {Action.VIEW, Action.EXPORT, *_WRITE, Action.MANAGE_USERS, Action.MANAGE_REFERENCE},
    Role.AUDITOR: {Action.READ_AUDIT},
}


def role_allows(user, action):
    """Whether the user's role may do `action` anywhere in their branch."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if getattr(user, "organization_id", None) is None:
        return False
    return action in ROLE_ACTIONS.get(user.role, set())


def has_permission(user, perm):
    """`user.has_perm(perm)` for the model backend (the portal's only one) in one query, where
    `has_perm` reads the user's and the groups' permissions in two: for a list page whose query
    count is bounded. `perm` is "app_label.codename"."""
    from django.contrib.auth.models import Permission

    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    app_label, codename = perm.split(".", 1)
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return granted.filter(models.Q(user=user) | models.Q(group__user=user)).exists()
