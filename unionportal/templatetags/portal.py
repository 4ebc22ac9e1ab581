"""`{{ field|filter_field }}`: a filter form's field with its label and errors, Bootstrap-styled,
its widget written in Python.

Django renders a widget through templates, a select one template per option: on a list page the
filter form (a dozen fields, a branch dropdown of every federation) cost more than the rows.
Inputs and selects are written here from the widget's own context (`get_context`: the same
names, values, attributes and options Django's templates would show); any other widget is
rendered by Django."""

from django import template
from django.forms import widgets
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

WIDGET_CLASS = {"select": "form-select form-select-sm", "checkbox": "form-check-input"}


def _attrs(attrs, css_class, invalid):
    attrs = dict(attrs)
    classes = [attrs.get("class", ""), css_class, "is-invalid" if invalid else ""]
    attrs["class"] = " ".join(name for name in classes if name)
    return flatatt({key: value for key, value in attrs.items() if value is not False and value is not None})


def _select(context, invalid):
    widget = context["widget"]
    options = []
    for group_name, group, _index in widget["optgroups"]:
        rows = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"] if option["value"] is not None else "",
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for option in group
            ),
        )
        options.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rows) if group_name else rows)
    multiple = mark_safe(" multiple") if widget["attrs"].get("multiple") else ""
    return format_html(
        '<select name="{}"{}{}>{}</select>',
        widget["name"],
        _attrs({k: v for k, v in widget["attrs"].items() if k != "multiple"}, WIDGET_CLASS["select"], invalid),
        multiple,
        format_html_join("", "{}", ((part,) for part in options)),
    )


def _input(context, invalid):
    widget = context["widget"]
    css_class = WIDGET_CLASS.get(widget["type"], "form-control form-control-sm")
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', value) if value is not None else "",
        _attrs(widget["attrs"], css_class, invalid),
    )


def widget_html(bound_field, invalid=False):
    widget = bound_field.field.widget
    if isinstance(widget, (widgets.Select, widgets.Input)) and not isinstance(
        widget, (widgets.RadioSelect, widgets.CheckboxSelectMultiple, widgets.FileInput)
    ):
        attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id} if bound_field.auto_id else {})
        context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)
        return _select(context, invalid) if isinstance(widget, widgets.Select) else _input(context, invalid)
    return bound_field.as_widget()


@register.filter
def filter_field(bound_field):
    errors = bound_field.errors
    label = format_html(
        '<label for="{}" class="form-label small mb-1">{}</label>', bound_field.id_for_label, bound_field.label
    )
    feedback = format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((error,) for error in errors))
    help_text = format_html('<div class="form-text">{}</div>', bound_field.help_text) if bound_field.help_text else ""
    return format_html(
        '<div class="mb-2">{}{}{}{}</div>', label, widget_html(bound_field, bool(errors)), feedback, help_text
    )
