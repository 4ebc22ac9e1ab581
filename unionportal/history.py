"""The history panel: who changed what, when, with the values before and after."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from simple_history.manager import HistoryDescriptor


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


def _display(model, field_name, value, names):
    mask = getattr(model, "masked_fields", {}).get(field_name)
    if mask is not None:
        return mask(value) if value else "—"
    field = _field(model, field_name)
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


def _related_names(model, changes, user):
    """Names of the records that changed foreign keys point at: one query per related model,
    through `restrict(user)`, so a record outside the reader's branch is never named. Users
    (who submitted, who approved) are named as the history's own `who` column names them."""
    wanted = {}
    for change in changes:
        field = _field(model, change.field)
        if field is not None and field.is_relation and field.many_to_one:
            wanted.setdefault(field.related_model, set()).update(v for v in (change.old, change.new) if v)
    names = {}
    for related, ids in wanted.items():
        if related is get_user_model():
            queryset = related._base_manager.filter(pk__in=ids)
        elif user is not None and hasattr(related.objects, "restrict"):
            queryset = related.objects.restrict(user).filter(pk__in=ids)
        else:
            continue
        names.update({(related, obj.pk): str(obj) for obj in queryset})
    return names


def history_rows(records, limit=50, label=None, user=None):
    """The latest `limit` versions among `records` (a historical queryset, e.g. `obj.history.all()`
    or the history of all of an organization's membership figures), newest first, each with the
    fields changed since the previous version of the same object.

    Diffs are computed in memory between consecutive versions, so the panel costs one query,
    plus one per kind of record a changed foreign key points at; `diff_against(prev_record)`
    would cost a query per row. `label`, when given, names the object of each row (a panel
    showing several objects), from the record's own fields."""
    model = records.model.instance_type
    fetched = list(records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 2])
    previous = {}
    for record in reversed(fetched):
        record.previous_version = previous.get(record.id)
        previous[record.id] = record
    deltas = {}
    for record in fetched[:limit]:
        if record.previous_version is not None and record.history_type == "~":
            deltas[record.pk] = record.diff_against(record.previous_version).changes
    names = _related_names(model, [change for changes in deltas.values() for change in changes], user)
    rows = []
    for record in fetched[:limit]:
        changes = [
            {
                "field": field.verbose_name if (field := _field(model, change.field)) else change.field,
                "old": _display(model, change.field, change.old, names),
                "new": _display(model, change.field, change.new, names),
            }
            for change in deltas.get(record.pk, [])
        ]
        rows.append({"record": record, "changes": changes, "object": label(record) if label else ""})
    return rows
