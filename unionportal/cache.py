"""Cached figures of a branch, thrown away when any record of the branch changes.

A branch's figures (the leader's dashboard) are cached under the *version* of the branch: a
token kept in the cache for every organization path, replaced by `bump_branch` whenever a
record of that organization or of any organization below it is written. A reader builds its
key from the current token, so after a write it misses and recomputes; entries under old
tokens are never read again and expire on their own. One more token, `bump_branch("")`,
versions every branch at once: reference data used by the whole tree (programmes, honour
titles, standards), an organization moved to another parent, a bulk load.

Invalidation is infrastructure, not business logic, so it runs from signals (DESIGN.md keeps
signals out of workflows only): every domain model keeps history and every change of a record
(the services' conditional updates save afterwards) writes a historical row, so simple
history's `post_create_historical_record` sees every write; `post_delete` covers deletions.
A record's organization path comes from its model's `scope_path` (unionportal/scoping.py),
plus any path the model names in `also_invalidates` (a record counted in another branch too).

A bump happens at once, so that the writing request itself (and a test inside one
transaction) reads fresh figures, and again when the transaction commits, so that a reader
who recomputed from the data as it was before the commit cannot keep its result.

The versions live in the default cache: with several worker processes it must be shared
(Redis, REDIS_URL); a per-process LocMemCache would let one worker serve figures another
worker's write has made stale.
"""

import threading
import uuid

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import Count, Q

from unionportal.scoping import ReferenceQuerySet, branch_ranges

# The whole tree: a prefix of every path.
EVERYTHING = ""
# The version of the tree's shape (which organizations there are, under which parent), bumped
# by every write of an organization: lists of children are cached under it.
TREE = "tree"
# Figures are keyed by day and branch version; a day is enough to outlive the key.
DEFAULT_TIMEOUT = 24 * 3600
# Models whose writes never change a branch's figures: a user's login saves their row.
IGNORED = {"accounts.user", "accounts.auditevent"}

_MISSING = object()
# Paths written in this thread's current transaction, bumped again when it commits.
_local = threading.local()


def _pending():
    if not hasattr(_local, "paths"):
        _local.paths = set()
    return _local.paths


def _tree_pending():
    return getattr(_local, "tree", False)


def _version_key(path):
    return f"branch-version:{path}"


def _new_token():
    return uuid.uuid4().hex[:12]


def ancestor_paths(path, steplen):
    """The path and every prefix of it that is an organization's path (its ancestors)."""
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def branch_version(path):
    """The current version of the branch under `path` ("" for the whole tree). A version that
    is missing (never set, or evicted) is set to a new token, never to a value a key may
    already have been built from."""
    key = _version_key(path)
    version = cache.get(key)
    if version is None:
        cache.add(key, _new_token(), None)
        version = cache.get(key)
    return version


def _versions(paths):
    keys = {path: _version_key(path) for path in paths}
    found = cache.get_many(list(keys.values()))
    versions = []
    for path, key in keys.items():
        version = found.get(key)
        versions.append(version if version is not None else branch_version(path))
    return versions


def bump_branch(*paths, steplen=None):
    """Give new versions to `paths` (each an organization's path, or "" for every branch) in
    one cache round trip. With `steplen`, each path's ancestors are bumped too, as a write of
    a record of that organization changes the figures of every branch that holds it."""
    wanted = set()
    for path in paths:
        wanted.update(ancestor_paths(path, steplen) if steplen and path else [path])
    if wanted:
        cache.set_many({_version_key(path): _new_token() for path in wanted}, None)
    return wanted


def versions(*paths):
    """The current versions of `paths` ("" for the whole tree, TREE for its shape), in one
    cache round trip when all are set."""
    return _versions(paths)


def bump_tree():
    cache.set(_version_key(TREE), _new_token(), None)


def branch_cache_key(path, versions, key):
    """The cache key of `key` about the branch under `path`, given the versions of the whole
    tree and of that branch (`_versions([EVERYTHING, path])`)."""
    return f"branch:{path}:{':'.join(versions)}:{key}"


def cached_for_branch(key, organization, compute, timeout=DEFAULT_TIMEOUT):
    """`compute()`'s value for `key` about `organization`'s branch, from the cache as long as no
    record of the branch (nor reference data of the tree) has changed. `key` must name
    everything else the value depends on: the day, the language, the reader's scope."""
    full_key = branch_cache_key(organization.path, _versions([EVERYTHING, organization.path]), key)
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


def cached_for_tree(key, compute, *, tree_versions=None):
    """`compute()`'s value for `key`, from the cache until the tree's shape (TREE) or anything
    the whole tree reads (EVERYTHING) changes: lists of organizations, their sizes. A caller
    that builds several keys from one reading passes `tree_versions` (EVERYTHING's, TREE's)."""
    everything, tree = tree_versions or versions(EVERYTHING, TREE)
    full_key = f"tree:{everything}:{tree}:{key}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(full_key, value, DEFAULT_TIMEOUT)
    return value


def branch_sizes(organization):
    """(organizations in `organization`'s branch, itself included; organizations in the whole
    tree), kept in the cache with the tree (`cached_for_tree`)."""

    def count():
        with branch_ranges():
            counts = type(organization).objects.aggregate(
                branch=Count("pk", filter=Q(path__startswith=organization.path)), tree=Count("pk")
            )
        return counts["branch"], counts["tree"]

    return cached_for_tree(f"branch-sizes:{organization.path}", count)


# Finding the branches a write touches.


def _follow(obj, lookup):
    for name in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def record_paths(instance, model=None):
    """The organization paths whose figures a record counts in (its `scope_path` and the model's
    `also_invalidates`); None when they cannot be told, which then means every branch."""
    model = model or type(instance)
    lookups = [model.scope_path, *getattr(model, "also_invalidates", ())]
    paths = set()
    for lookup in lookups:
        try:
            path = _follow(instance, lookup)
        except ObjectDoesNotExist:
            return None
        if path:
            paths.add(path)
    return paths


def _steplen():
    from django.apps import apps

    return apps.get_model("organizations", "Organization").steplen


def _affected(model, instance, history_instance=None):
    """The paths a write of `instance` changes: its own, and for an update its paths before
    (a post moved to another union leaves its old branch). None means every branch."""
    if model._meta.label_lower in IGNORED:
        return set()
    if not hasattr(model, "scope_path"):
        return None  # reference data under reference data (rating thresholds): tell everyone
    if issubclass(model._default_manager._queryset_class, ReferenceQuerySet):
        return None  # read by every branch below its owner
    paths = record_paths(instance, model)
    if paths is None:
        return None
    if history_instance is not None and history_instance.history_type == "~":
        previous = history_instance.prev_record
        if previous is not None:
            if model.scope_path == "path":
                if previous.path != instance.path:
                    return None  # an organization moved: its whole old and new branches
            elif _moved(model, previous, instance):
                old = record_paths(previous, model)
                if old is None:
                    return None
                paths |= old
    return paths


def _moved(model, previous, instance):
    """Whether an update changed the first foreign key of any of the model's paths."""
    for lookup in (model.scope_path, *getattr(model, "also_invalidates", ())):
        attname = f"{lookup.split('__')[0]}_id"
        if getattr(previous, attname, None) != getattr(instance, attname, None):
            return True
    return False


def _flush():
    paths = set(_pending())
    _pending().clear()
    if paths:
        bump_branch(*paths, steplen=_steplen())
    if _tree_pending():
        _local.tree = False
        bump_tree()


def invalidate(model, instance, history_instance=None):
    _bump_written(_affected(model, instance, history_instance), _reshapes(model))


def invalidate_many(instances):
    """What the signals do for a bulk write, which sends none (`bulk_create`): one bump for the
    paths of every record written, of whatever models."""
    paths = set()
    for instance in instances:
        affected = _affected(type(instance), instance)
        if affected is None:
            paths = None
            break
        paths |= affected
    _bump_written(paths, any(_reshapes(type(instance)) for instance in instances))


def _reshapes(model):
    """Whether a write of the model changes the tree's shape."""
    return model._meta.label_lower == "organizations.organization"


def _bump_written(paths, reshaped):
    if paths is None:
        paths = {EVERYTHING}
    if not paths:
        return
    bump_branch(*paths, steplen=_steplen())
    if reshaped:
        bump_tree()
    if connection.in_atomic_block:
        # Once more after the commit (a rolled-back transaction leaves its paths pending,
        # bumped with the next commit: one needless miss, never a stale figure).
        _pending().update(paths)
        if reshaped:
            _local.tree = True
        transaction.on_commit(_flush)


def on_history(sender, instance, history_instance, **kwargs):
    invalidate(type(instance), instance, history_instance)


def on_delete(sender, instance, **kwargs):
    if hasattr(sender, "scope_path") or hasattr(sender, "history"):
        invalidate(sender, instance)


def connect():
    """Connect the receivers (from UnionportalConfig.ready)."""
    from django.db.models.signals import post_delete
    from simple_history.signals import post_create_historical_record

    post_create_historical_record.connect(on_history, dispatch_uid="unionportal.cache.on_history")
    post_delete.connect(on_delete, dispatch_uid="unionportal.cache.on_delete")
