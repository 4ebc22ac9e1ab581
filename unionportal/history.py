"""The history panel: who changed what, when, with the values before and after."""

from django.core.exceptions import FieldDoesNotExist


def _display(model, field_name, value):
    mask = getattr(model, "masked_fields", {}).get(field_name)
    if mask is not None:
        return mask(value) if value else "—"
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    return value


def history_rows(records, limit=50, label=None):
    """The latest `limit` versions among `records` (a historical queryset, e.g. `obj.history.all()`
    or the history of all of an organization's membership figures), newest first, each with the
    fields changed since the previous version of the same object.

    Diffs are computed in memory between consecutive versions, so the whole panel is one
    query; `diff_against(record.prev_record)` would cost a query per row. `label`, when given,
    names the object of each row (a panel showing several objects), from the record's own fields."""
    model = records.model.instance_type
    fetched = list(records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 2])
    previous = {}
    for record in reversed(fetched):
        record.previous_version = previous.get(record.id)
        previous[record.id] = record
    rows = []
    for record in fetched[:limit]:
        changes = []
        if record.previous_version is not None and record.history_type == "~":
            for change in record.diff_against(record.previous_version).changes:
                try:
                    verbose = model._meta.get_field(change.field).verbose_name
                except FieldDoesNotExist:
                    verbose = change.field
                changes.append(
                    {
                        "field": verbose,
                        "old": _display(model, change.field, change.old),
                        "new": _display(model, change.field, change.new),
                    }
                )
        rows.append({"record": record, "changes": changes, "object": label(record) if label else ""})
    return rows
