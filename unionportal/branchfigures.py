"""A list's row count and totals over a branch, added up from the figures of its parts.

A list shows how many rows match its filter and what they add up to. Counted afresh for a
province leader that is a sum over millions of rows, and every payment anywhere in the
province changes the branch's version (unionportal/cache.py), so with one cached figure per
branch nearly every view was a first view after a change (the province's disbursements on
the benchmark: 1.5 s, three times the bare list).

So a branch's figures are kept as parts: each child federation's figures (a child with
children of its own) cached under that child's own version, plus the records of the
organization itself and of its children that are grassroots unions, counted when needed. A
write in one union bumps the versions of that union and its ancestors only: the next view
finds every other federation's figures in the cache, goes down the one line of changed
federations, and counts the records of the organizations along that line in one query
(a federation's own records and those of its unions, found by their keys). A view with
nothing cached counts the whole branch once, grouped by child, and keeps every federation's
part.

Only figures that add up can be kept in parts: counts, sums and a sum with a default
(`adds_up`); a list with any other aggregate counts its branch at once.
"""

from django.core.cache import cache
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce

from unionportal.cache import DEFAULT_TIMEOUT, EVERYTHING, TREE, branch_cache_key, cached_for_tree, versions
from unionportal.reporting import group_by_branch
from unionportal.scoping import ReferenceQuerySet, branch_ranges

# The row count's name among a list's figures.
ROWS = "_rows"
# A federation with more child federations missing than this is counted at once, grouped by
# child; with more such federations than MAX_WHOLES, the whole branch asked for is.
MAX_MISSING = 4
MAX_WHOLES = 3


def _adds_up(aggregate):
    if isinstance(aggregate, Coalesce):
        inner, *defaults = aggregate.get_source_expressions()
        return len(defaults) == 1 and isinstance(defaults[0], Value) and _adds_up(inner)
    return isinstance(aggregate, (Count, Sum)) and not aggregate.distinct


def adds_up(aggregates):
    """Whether each aggregate over a set of rows is the sum of its values over any partition
    of the rows: Count, Sum (not distinct), either with a default (Coalesce)."""
    return all(_adds_up(aggregate) for aggregate in aggregates.values())


def _empty(aggregate):
    """The aggregate's value over no rows: 0 for a count, the default given, else None."""
    if isinstance(aggregate, Coalesce):
        return aggregate.get_source_expressions()[1].value
    if isinstance(aggregate, Count):
        return 0
    return None


def combine(parts, aggregates):
    """The figures of the union of disjoint sets of rows, from each set's figures."""
    result = {}
    for name, aggregate in aggregates.items():
        values = [part[name] for part in parts if part.get(name) is not None]
        result[name] = sum(values[1:], values[0]) if values else _empty(aggregate)
    return result


class BranchFigures:
    """The figures (`aggregates`, which must add up) of `queryset`, a list's filtered rows, over
    the branch of an organization. `key` names everything else they depend on (the list, its
    filter, the reader, the day); `scope_path` is the lookup from a row to its organization's
    path."""

    def __init__(self, queryset, aggregates, key, *, scope_path):
        self.queryset = queryset.order_by()
        self.aggregates = {ROWS: Count("pk"), **aggregates}
        self.key = key
        self.scope_path = scope_path
        # The lookup of a row's organization: "paying_organization" for "paying_organization__path".
        self.owner = scope_path.removesuffix("path").removesuffix("__") or "pk"

    @classmethod
    def applies(cls, queryset, aggregates):
        """Whether a list's figures can be kept in parts: they add up, every row belongs to one
        organization of the reader's branch (not reference data, which the branches below its
        owner read too), and the query neither groups nor drops duplicates."""
        query = queryset.query
        return (
            adds_up(aggregates)
            and not issubclass(queryset.model._default_manager._queryset_class, ReferenceQuerySet)
            and not query.distinct
            and not any(getattr(annotation, "contains_aggregate", False) for annotation in query.annotations.values())
        )

    # The cache.

    def _keys(self, organizations):
        """The cache keys of the organizations' figures, under their current versions."""
        current = versions(*(organization.path for organization in organizations))
        return {
            organization.path: branch_cache_key(organization.path, [self.everything, version], f"parts:{self.key}")
            for organization, version in zip(organizations, current, strict=True)
        }

    def _split(self, organization):
        """An organization's direct children: the federations (children with children of their
        own, as nodes) and the unions' pks, kept in the cache until the tree changes."""
        children = cached_for_tree(
            f"children:{organization.path}",
            lambda: list(
                self.tree.objects.filter(depth=organization.depth + 1, path__startswith=organization.path)
                .order_by("path")
                .values_list("pk", "path", "numchild")
            ),
            tree_versions=(self.everything, self.tree_version),
        )
        federations = [_Node(pk, path, organization) for pk, path, numchild in children if numchild]
        unions = [pk for pk, _, numchild in children if not numchild]
        return federations, unions

    # Counting.

    def _named(self):
        # Aliases that no field or annotation of the rows can already have.
        return {f"_figure_{name}": aggregate for name, aggregate in self.aggregates.items()}

    def _unnamed(self, row):
        return {name: row[f"_figure_{name}"] for name in self.aggregates}

    def _count_whole(self, organization):
        """The branch counted at once, grouped by direct child: {child path or OWN (its own records): figures}."""
        rows = self.queryset.filter(**{f"{self.scope_path}__startswith": organization.path})
        grouped = group_by_branch(rows, self.scope_path, organization, **self._named())
        return {branch: self._unnamed(row) for (branch,), row in grouped.items()}

    def _count_owners(self, pks):
        """The records of the given organizations themselves (not of their branches), by
        organization: {pk: figures}."""
        if not pks:
            return {}
        rows = self.queryset.filter(**{f"{self.owner}__in": pks}).values(self.owner).annotate(**self._named())
        return {row[self.owner]: self._unnamed(row) for row in rows}

    def of(self, organization):
        """The figures of the branch of `organization`."""
        self.tree = type(organization)
        # Read once: every key of this count is built under the same versions of the tree.
        self.everything, self.tree_version = versions(EVERYTHING, TREE)
        with branch_ranges():
            return self._of(organization)

    def _of(self, organization):
        keys = self._keys([organization])
        found = cache.get(keys[organization.path])
        if found is not None:
            return found
        # Down every line of federations whose figures are missing, from this organization: a
        # federation with few parts missing is their sum and its own records; one with many, or
        # with none of several known (nothing counted yet), is counted at once.
        plan = []  # (federation, {child federation's path: figures or None}, its unions' pks, keys)
        wholes = []  # (federation, its child federations, their keys)
        pending = [organization]
        while pending:
            current = pending.pop()
            federations, unions = self._split(current)
            child_keys = self._keys(federations)
            cached = cache.get_many(list(child_keys.values()))
            parts = {child.path: cached.get(child_keys[child.path]) for child in federations}
            missing = [child for child in federations if parts[child.path] is None]
            if len(missing) > MAX_MISSING or (len(missing) > 1 and len(missing) == len(federations)):
                wholes.append((current, federations, child_keys))
                continue
            plan.append((current, parts, unions, child_keys))
            pending.extend(missing)
        if len(wholes) > MAX_WHOLES:
            federations, _ = self._split(organization)
            plan, wholes = [], [(organization, federations, self._keys(federations))]

        counted = {}  # path: figures of the branch
        fresh = {}  # cache key: figures
        empty = combine([], self.aggregates)
        for current, federations, child_keys in wholes:
            grouped = self._count_whole(current)
            counted[current.path] = combine(grouped.values(), self.aggregates)
            for child in federations:
                fresh[child_keys[child.path]] = grouped.get(child.path, empty)
        owned = self._count_owners([pk for current, _, unions, _ in plan for pk in (current.pk, *unions)])
        # Children were planned after their parents: backwards, every part is counted in time.
        for current, parts, unions, child_keys in reversed(plan):
            for path, figures in parts.items():
                if figures is None:
                    parts[path] = fresh[child_keys[path]] = counted[path]
            own = [owned[pk] for pk in (current.pk, *unions) if pk in owned]
            counted[current.path] = combine([*own, *parts.values()], self.aggregates)
        result = fresh[keys[organization.path]] = counted[organization.path]
        cache.set_many(fresh, DEFAULT_TIMEOUT)
        return result


class _Node:
    """An organization of the tree as far as counting needs it."""

    __slots__ = ("depth", "path", "pk", "steplen")

    def __init__(self, pk, path, parent):
        self.pk = pk
        self.path = path
        self.depth = parent.depth + 1
        self.steplen = parent.steplen
