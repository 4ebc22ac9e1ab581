"""One way to scope records: `Model.objects.restrict(user, action)`.

Every domain model's default manager is built from `ScopedQuerySet`. A model names the path
of the organization that owns it (`scope_path`, e.g. "organization__path"); a user's scope is
their organization and everything under it, which on the materialized-path tree is one
indexed prefix filter. A model may narrow who may act on it with `scope_actions`, a mapping
from the action asked for to the action a role must hold (reference data maps writes to
`manage_reference`, the audit log maps view to `read_audit`).
"""

from django.db import models

from unionportal.roles import role_allows


def may(user, model, action):
    """Whether the user's role may do `action` on records of `model` anywhere in their branch."""
    return role_allows(user, getattr(model, "scope_actions", {}).get(action, action))


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        model = self.model
        if not may(user, model, action):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{model.scope_path}__startswith": user.organization.path})


def restrict_form_fields(form, user, action="view"):
    """Restrict every model-choice field of a form (edit, filter or import) to the user's scope.

    A dropdown offering a record outside the branch would leak its existence, and a forged
    POST naming one would be accepted; restricting the queryset closes both.
    """
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "restrict"):
            field.queryset = queryset.restrict(user, action)
    return form


class ReferenceQuerySet(ScopedQuerySet):
    """Reference data (standards, honour titles, relief programmes) defined by a federation:
    readable in the owner's branch and by everyone below the owner, since a city's standard
    applies to its districts; changed only by administrators of the owner's branch. A row with
    no owner is shipped with the portal: everyone reads it, only superusers change it."""

    owner_path = "owner__path"

    def restrict(self, user, action="view"):
        if action != "view" or user.is_superuser or not may(user, self.model, action):
            return super().restrict(user, action)
        path = user.organization.path
        step = user.organization.steplen
        ancestors = [path[:i] for i in range(step, len(path) + 1, step)]
        owner = self.owner_path.removesuffix("__path")
        return self.filter(
            models.Q(**{f"{self.owner_path}__startswith": path})
            | models.Q(**{f"{self.owner_path}__in": ancestors})
            | models.Q(**{f"{owner}__isnull": True})
        )


REFERENCE_ACTIONS = {"add": "manage_reference", "change": "manage_reference", "delete": "manage_reference"}
