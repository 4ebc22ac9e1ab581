"""Workflows on the union tree. Each is atomic and writes history for what it changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import FundAllocation, Organization, OrganizationKind

LEAF_KINDS = (OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS)

_TREE_FIELDS = ["path", "depth", "numchild"]


def _check(organization):
    organization.full_clean(exclude=_TREE_FIELDS)


def _by(organization, user):
    # History takes its user from the request; a command (import_xlsx --user) has none.
    organization._history_user = user
    return organization


@transaction.atomic
def organization_create(*, parent, user, **fields):
    """Create an organization under `parent` (None: a new top-level federation, superusers only)."""
    if parent is None and not user.is_superuser:
        raise ValidationError({"parent": _("Only a superuser can create a new top-level federation.")})
    if parent is not None and parent.kind in LEAF_KINDS:
        raise ValidationError({"parent": _("A grassroots union cannot have child organizations.")})
    organization = _by(Organization(parent=parent, **fields), user)
    _check(organization)
    if parent is None:
        return Organization.objects.add_root(instance=organization)
    return Organization.objects.add_child(parent, instance=organization)


@transaction.atomic
def organization_update(*, organization, user, **fields):
    for name, value in fields.items():
        setattr(organization, name, value)
    _check(organization)
    _by(organization, user).save()
    return organization


@transaction.atomic
def organization_move(*, organization, new_parent, user):
    """Move a branch under another organization of the user's scope.

    The caller passes `new_parent` from the user's restricted queryset; this checks what the
    tree itself forbids: moving the user's own root, or a node into its own branch."""
    if user.organization_id == organization.pk:
        raise ValidationError({"new_parent": _("You cannot move your own organization.")})
    if organization.parent_id is None:
        raise ValidationError({"new_parent": _("A top-level federation cannot be moved.")})
    if new_parent.pk == organization.pk or new_parent.path.startswith(organization.path):
        raise ValidationError({"new_parent": _("An organization cannot be moved into its own branch.")})
    if new_parent.kind in LEAF_KINDS:
        raise ValidationError({"new_parent": _("A grassroots union cannot have child organizations.")})
    if new_parent.pk == organization.parent_id:
        raise ValidationError({"new_parent": _("The organization is already under this parent.")})
    if Organization.objects.filter(parent=new_parent, name=organization.name).exists():
        raise ValidationError(
            {"new_parent": _("Another organization with this name already exists under the same parent.")}
        )
    Organization.objects.move(organization, new_parent, "last-child")
    organization.refresh_from_db()
    organization.parent = new_parent
    organization._change_reason = _("moved under %(parent)s") % {"parent": new_parent.name}
    _by(organization, user).save(update_fields=["parent"])
    return organization


@transaction.atomic
def organization_deactivate(*, organization, user, on_date=None):
    """Mark an organization as no longer existing from `on_date` (default today)."""
    on_date = on_date or timezone.localdate()
    if user.organization_id == organization.pk:
        raise ValidationError({"deactivated": _("You cannot deactivate your own organization.")})
    if organization.deactivated is not None:
        raise ValidationError({"deactivated": _("This organization is already deactivated.")})
    active_children = Organization.objects.filter(parent=organization).active_on(on_date).count()
    if active_children:
        raise ValidationError(
            {
                "deactivated": _("It still has %(count)d active child organizations: deactivate or move them first.")
                % {"count": active_children}
            }
        )
    organization.deactivated = on_date
    _check(organization)
    _by(organization, user).save()
    return organization


@transaction.atomic
def organization_reactivate(*, organization, user):
    if organization.deactivated is None:
        raise ValidationError({"deactivated": _("This organization is active.")})
    if organization.parent and organization.parent.deactivated is not None:
        raise ValidationError({"deactivated": _("Its parent organization is deactivated: reactivate that first.")})
    organization.deactivated = None
    _by(organization, user).save()
    return organization


@transaction.atomic
def organization_delete(*, organization, user):
    """Delete an organization entered by mistake; one with children or records is refused."""
    if user.organization_id == organization.pk:
        raise ValidationError(_("You cannot delete your own organization."))
    reasons = organization.deletion_blockers()
    if reasons:
        raise ValidationError(reasons)
    # Keep the history's trail of who deleted it before the row goes: treebeard deletes
    # through a queryset, so the history row cannot take the user from the instance.
    pk = organization.pk
    organization.delete()
    Organization.history.filter(id=pk, history_type="-").update(history_user=user)


@transaction.atomic
def fund_allocation_create(*, user, months=None, **fields):
    """Record an allocation; with `months` (a year), one allocation on the first of each month
    of that year, for regular funding entered once (e.g. 2,500 yuan a month)."""
    if months is None:
        allocation = FundAllocation(**fields)
        allocation._history_user = user
        allocation.full_clean()
        allocation.save()
        return [allocation]
    created = []
    for month in range(1, 13):
        allocation = FundAllocation(**{**fields, "date": fields["date"].replace(year=months, month=month, day=1)})
        allocation._history_user = user
        allocation.full_clean()
        allocation.save()
        created.append(allocation)
    return created


@transaction.atomic
def fund_allocation_update(*, allocation, user, **fields):
    """Correct an allocation; the earlier version stays in its history."""
    for name, value in fields.items():
        setattr(allocation, name, value)
    allocation._history_user = user
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def fund_allocation_delete(*, allocation, user):
    """Remove an allocation entered by mistake; its history, deletion included, is kept."""
    allocation._history_user = user
    allocation.delete()
