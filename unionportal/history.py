"""The history panel: who changed what, when, with the values before and after.

Every history a user reads goes through here, the portal's panels and the admin's history
pages alike, so that a record outside the reader's branch that a version points at is never
named: it reads as "(outside your branch)"."""

from operator import attrgetter

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.manager import HistoryDescriptor
from simple_history.models import ModelChange
from simple_history.utils import get_m2m_reverse_field_name


class HistoryManagerDescriptor(HistoryDescriptor):
    """simple_history's `Model.history`, its manager class made once: simple_history 3.13
    builds a new class (`from_queryset`) at every access, and it reaches for the manager at
    every save it records (a tenth of a cadres import's time)."""

    @cached_property
    def manager_type(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager_type(self.model, instance)


def cache_history_managers():
    """Put HistoryManagerDescriptor in place of every model's history descriptor."""
    for model in apps.get_models():
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            cached = HistoryManagerDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
            )
            setattr(model, name, cached)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _relation(model, name):
    """The foreign key or many-to-many field `name` of `model`, or None."""
    field = _field(model, name)
    return field if field is not None and field.is_relation and not field.auto_created else None


def _keys(field, value):
    """The keys of the records a value of `field` points at: a foreign key's one, or the set a
    many-to-many field held."""
    if field.many_to_many:
        return value or ()
    return () if value in (None, "") else (value,)


class OutsideBranch:
    """Stands in for a record outside the reader's branch that an earlier version points at,
    wherever the version is shown: in its name (a figure is named by its organization) and in
    the read-only fields of the admin's version page."""

    # The admin links a read-only foreign key to the record's change page; no address has an
    # empty key, so the stand-in is shown as text, with no link to follow.
    pk = ""

    def __str__(self):
        return _("(outside your branch)")


def _visible(wanted, user):
    """The records among `wanted` ({model: keys}) the reader may see, as {(model, key): record}
    in each model's own order: one query per model, through `restrict(user)`, so that a record
    outside the reader's branch is never named. Users (who submitted, who approved) are named
    as the history's own `who` column names them."""
    found = {}
    for related, keys in wanted.items():
        if not keys:
            continue
        if related is get_user_model():
            queryset = related._base_manager.filter(pk__in=keys)
        elif user is not None and hasattr(related.objects, "restrict"):
            queryset = related.objects.restrict(user).filter(pk__in=keys)
        else:
            continue
        found.update({(related, obj.pk): obj for obj in queryset})
    return found


def _display(model, field_name, value, names):
    mask = getattr(model, "masked_fields", {}).get(field_name)
    if mask is not None:
        return mask(value) if value else "—"
    field = _field(model, field_name)
    if field is not None and field.many_to_many:
        # `names` lists each model's records in the model's order (an organization's path):
        # the set reads in that order, those outside the branch last.
        position = {key: index for index, key in enumerate(names)}
        keys = sorted(
            ((field.related_model, pk) for pk in value), key=lambda key: (position.get(key, len(names)), key[1])
        )
        outside = _("(outside your branch)")
        return pgettext("list separator", ", ").join(names.get(key, outside) for key in keys) or "—"
    if value in (None, ""):
        return "—"
    if field is None:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.get_internal_type() == "BooleanField":
        return _("Yes") if value else _("No")
    if field.is_relation and field.many_to_one:
        return names.get((field.related_model, value), _("(outside your branch)"))
    return value


def link_versions(records):
    """Give each of `records` (versions, newest first) its `previous_version` among them: the
    next older version of the same object, or None."""
    previous = {}
    for record in reversed(records):
        record.previous_version = previous.get(record.id)
        previous[record.id] = record
    return records


def _kept_sets(records):
    """{field name: {version key: set of keys}}: what each of `records` held in each
    many-to-many field its history keeps (simple-history's `m2m_fields`), in one query per
    field; simple-history's diff_against costs two queries a version, and reads the sets as
    rows of the join table ([{'activity': 43, 'organization': 516}])."""
    if not records:
        return {}
    historical = type(records[0])
    kept = {}
    for field in getattr(historical, "_history_m2m_fields", ()):
        rows = getattr(historical, field.name).model
        column = rows._meta.get_field(get_m2m_reverse_field_name(field)).attname
        sets = {record.pk: set() for record in records}
        for version, key in rows._base_manager.filter(history_id__in=list(sets)).values_list("history_id", column):
            sets[version].add(key)
        kept[field.name] = sets
    return kept


def describe_changes(records, user):
    """What changed in each of `records` (versions of one model, linked by `link_versions`)
    since its previous version, in words, as {record key: [{"field", "old", "new"}]}: choices by
    their labels, booleans as yes or no, masked fields masked, foreign keys and many-to-many
    fields by the names of the records, "(outside your branch)" for those the reader may not
    see. Only changes ("~") are described; a version with no previous one has no entry.

    Diffs are computed in memory between consecutive versions: the cost is one query per
    many-to-many field the history keeps and one per kind of record named, whatever the number
    of versions (`diff_against(prev_record)` alone would cost a query per version)."""
    if not records:
        return {}
    model = records[0].instance_type
    versions = {record.pk: record for record in records}
    versions.update(
        {record.previous_version.pk: record.previous_version for record in records if record.previous_version}
    )
    kept = _kept_sets(list(versions.values()))
    deltas = {}
    for record in records:
        previous = record.previous_version
        if previous is None or record.history_type != "~":
            continue
        changes = record.diff_against(previous, excluded_fields=kept).changes
        for name, sets in kept.items():
            if sets[previous.pk] != sets[record.pk]:
                changes.append(ModelChange(name, sets[previous.pk], sets[record.pk]))
        deltas[record.pk] = sorted(changes, key=attrgetter("field"))
    wanted = {}
    for change in (change for changes in deltas.values() for change in changes):
        if (field := _relation(model, change.field)) is not None:
            wanted.setdefault(field.related_model, set()).update(*(_keys(field, v) for v in (change.old, change.new)))
    names = {key: str(record) for key, record in _visible(wanted, user).items()}
    return {
        key: [
            {
                "field": field.verbose_name if (field := _field(model, change.field)) else change.field,
                "old": _display(model, change.field, change.old, names),
                "new": _display(model, change.field, change.new, names),
            }
            for change in changes
        ]
        for key, changes in deltas.items()
    }


def mask_versions(instances, user):
    """Put in each of `instances` (objects as a version has them, `record.history_object`) the
    records its foreign keys point at: those the reader may see, fetched once per kind, and an
    OutsideBranch for the others. Naming the version or showing its fields then names nothing
    outside the reader's branch. For display only: an instance to be saved keeps its keys."""
    if not instances:
        return instances
    fields = [field for field in instances[0]._meta.concrete_fields if field.is_relation]
    wanted = {}
    for instance, field in ((instance, field) for instance in instances for field in fields):
        wanted.setdefault(field.related_model, set()).update(_keys(field, getattr(instance, field.attname)))
    visible = _visible(wanted, user)
    for instance, field in ((instance, field) for instance in instances for field in fields):
        key = getattr(instance, field.attname)
        if key is not None:
            field.set_cached_value(instance, visible.get((field.related_model, key)) or OutsideBranch())
    return instances


def history_rows(records, limit=50, label=None, user=None):
    """The latest `limit` versions among `records` (a historical queryset, e.g. `obj.history.all()`
    or the history of all of an organization's membership figures), newest first, each with the
    fields changed since the previous version of the same object (`describe_changes`).

    The panel costs one query, plus one per kind of record a changed foreign key or
    many-to-many field points at and one per many-to-many field kept. `label`, when given, names
    the object of each row (a panel showing several objects), from the record's own fields."""
    fetched = link_versions(
        list(records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 2])
    )
    shown = fetched[:limit]
    changes = describe_changes(shown, user)
    return [
        {"record": record, "changes": changes.get(record.pk, []), "object": label(record) if label else ""}
        for record in shown
    ]
