"""The history panel: who changed what, when, with the values before and after."""

from django.core.exceptions import FieldDoesNotExist


def _display(record, field_name, value):
    try:
        field = record.instance_type._meta.get_field(field_name)
    except FieldDoesNotExist:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    return value


def history_rows(obj, limit=50):
    """The latest `limit` versions of `obj`, newest first, each with its changed fields.

    Diffs are computed between consecutive versions in memory (one query for the whole
    panel); `diff_against` on each record's `prev_record` would cost a query per row."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(rows) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                try:
                    verbose = obj._meta.get_field(change.field).verbose_name
                except FieldDoesNotExist:
                    verbose = change.field
                changes.append(
                    {
                        "field": verbose,
                        "old": _display(newer, change.field, change.old),
                        "new": _display(newer, change.field, change.new),
                    }
                )
        rows.append({"record": newer, "changes": changes})
    return rows
