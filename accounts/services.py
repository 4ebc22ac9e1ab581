"""Managing users: every change is checked against the acting admin's branch and recorded."""

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import REVEAL_PERMISSION_CODENAME, AuditEvent, User


def _check_target(*, actor, organization):
    if actor.is_superuser:
        return
    if organization is None or not organization.path.startswith(actor.organization.path):
        raise ValidationError({"organization": _("You can only place users inside your own branch.")})


def _set_reveal(*, actor, user, may_reveal, request):
    """Grant or withdraw the reveal permission; only a change is recorded."""
    if may_reveal is None:
        return
    permission = Permission.objects.get(codename=REVEAL_PERMISSION_CODENAME, content_type__app_label="accounts")
    has = user.user_permissions.filter(pk=permission.pk).exists()
    if may_reveal and not has:
        user.user_permissions.add(permission)
    elif not may_reveal and has:
        user.user_permissions.remove(permission)
    else:
        return
    message = "reveal_granted" if may_reveal else "reveal_withdrawn"
    record(request, AuditEvent.Kind.USER_CHANGE, user=actor, message=message, params={"username": user.username})


@transaction.atomic
def user_create(*, actor, request=None, password, may_reveal=None, **fields):
    _check_target(actor=actor, organization=fields.get("organization"))
    user = User(**fields)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    params = {"username": user.username, "role": user.role}
    record(request, AuditEvent.Kind.USER_CHANGE, user=actor, message="user_created", params=params)
    _set_reveal(actor=actor, user=user, may_reveal=may_reveal, request=request)
    return user


@transaction.atomic
def user_update(*, actor, user, request=None, may_reveal=None, **fields):
    # Compared with the stored row: a bound ModelForm has already copied its data onto `user`.
    stored_role, stored_organization_id = User.objects.values_list("role", "organization_id").get(pk=user.pk)
    changes_own_place = ("role" in fields and fields["role"] != stored_role) or (
        "organization" in fields and getattr(fields["organization"], "pk", None) != stored_organization_id
    )
    if user.pk == actor.pk and not actor.is_superuser and changes_own_place:
        raise ValidationError(_("You cannot change your own role or organization."))
    _check_target(actor=actor, organization=fields.get("organization"))
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    params = {"username": user.username, "role": user.role}
    record(request, AuditEvent.Kind.USER_CHANGE, user=actor, message="user_changed", params=params)
    _set_reveal(actor=actor, user=user, may_reveal=may_reveal, request=request)
    return user


@transaction.atomic
def user_set_active(*, actor, user, active, request=None):
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        request,
        AuditEvent.Kind.USER_CHANGE,
        user=actor,
        message="user_activated" if active else "user_deactivated",
        params={"username": user.username},
    )
    return user


@transaction.atomic
def user_reset_password(*, actor, user, password, request=None):
    user.set_password(password)
    user.save(update_fields=["password"])
    params = {"username": user.username}
    record(request, AuditEvent.Kind.PASSWORD_RESET, user=actor, message="password_reset", params=params)
    return user
