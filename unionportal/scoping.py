"""One way to scope records: `Model.objects.restrict(user, action)`.

Every domain model's default manager is built from `ScopedQuerySet`. A model names the path
of the organization that owns it (`scope_path`, e.g. "organization__path"); a user's scope is
their organization and everything under it, which on the materialized-path tree is one
indexed prefix filter. A model may narrow who may act on it with `scope_actions`, a mapping
from the action asked for to the action a role must hold (reference data maps writes to
`manage_reference`, the audit log maps view to `read_audit`).
"""

import contextlib
import contextvars

from django.db import models
from django.db.models.lookups import StartsWith

from unionportal.roles import role_allows

_AGGREGATING = contextvars.ContextVar("branch_ranges", default=False)


@contextlib.contextmanager
def branch_ranges():
    """Inside this block, on SQLite, a branch (`path__startswith`, directly or through a
    relation) is the range of paths from its prefix to the prefix followed by "~", which the
    path's unique index serves: every character of a path (treebeard's alphabet, digits and
    capitals) sorts below "~", so the range holds exactly the paths LIKE 'prefix%' finds.

    SQLite never serves LIKE from an index (its LIKE ignores case). A count or sum over a
    district then walked a whole city's records by another index, joining each to its union (a
    district's cadres: 152 ms); read as a range it starts from the district's unions (1 ms).
    Only for aggregates: a page sorted by date is better served by walking the date index until
    50 rows of the branch are found, and given the range SQLite sorts the whole branch instead
    (the benchmark's bare list of a city's disbursements went from 11 to 51 ms when every
    query used it).
    PostgreSQL answers LIKE from the path's pattern index and is left as it is."""
    token = _AGGREGATING.set(True)
    try:
        yield
    finally:
        _AGGREGATING.reset(token)


class BranchPrefix(StartsWith):
    """`path__startswith`, read as a range on SQLite inside `branch_ranges()`."""

    def as_sqlite(self, compiler, connection):
        if not _AGGREGATING.get() or not self.rhs_is_direct_value() or not isinstance(self.rhs, str):
            return self.as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs_sql} >= %s AND {lhs_sql} < %s)", [*lhs_params, self.rhs, *lhs_params, f"{self.rhs}~"]


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
