"""`{{ field|filter_field }}`: a filter form's field with its label and errors, Bootstrap-styled,
its widget written in Python.

Django renders a widget through templates, a select one template per option: on a list page the
filter form (a dozen fields, a branch dropdown of every federation) cost more than the rows.
Inputs are written here from the widget's own context (`get_context`: the same names, values
and attributes Django's templates would show), selects from the same attributes and choices,
ranges as their inputs in one input group; any other widget is rendered by Django."""

import html

from django import template
from django.forms import widgets
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from unionportal.tables import html_text

register = template.Library()

WIDGET_CLASS = {"select": "form-select form-select-sm", "checkbox": "form-check-input"}


def _attrs(attrs, css_class, invalid):
    attrs = dict(attrs)
    classes = [attrs.get("class", ""), css_class, "is-invalid" if invalid else ""]
    attrs["class"] = " ".join(name for name in classes if name)
    return flatatt({key: value for key, value in attrs.items() if value is not False and value is not None})


def _options(choices, chosen, multiple):
    """The <option>s (and <optgroup>s) Select.optgroups would make of `choices`, written as
    they are read: Django builds a dict of a dozen keys per option first, and a branch
    dropdown has hundreds."""
    parts = []
    has_selected = False
    for option_value, option_label in choices:
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            group, items = option_value, option_label
        else:
            group, items = None, ((option_value, option_label),)
        if group:
            parts.append(f'<optgroup label="{html_text(group)}">')
        for value, label in items:
            selected = (not has_selected or multiple) and str(value) in chosen
            has_selected |= selected
            parts.append(
                f'<option value="{html.escape("" if value is None else str(value))}"'
                f"{' selected' if selected else ''}>{html_text(label)}</option>"
            )
        if group:
            parts.append("</optgroup>")
    return "".join(parts)


def _select(widget, name, value, attrs, invalid):
    """What Select.get_context gives Django's template: the widget's attributes, and each
    choice selected when its text is among the formatted values."""
    attrs = widget.build_attrs(widget.attrs, attrs)
    attrs.pop("multiple", None)
    multiple = widget.allow_multiple_selected
    options = _options(widget.choices, widget.format_value(value), multiple)
    return format_html(
        '<select name="{}"{}{}>{}</select>',
        name,
        _attrs(attrs, WIDGET_CLASS["select"], invalid),
        mark_safe(" multiple") if multiple else "",
        mark_safe(options),  # noqa: S308 (every value and label went through escape)
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
        if isinstance(widget, widgets.Select):
            return _select(widget, bound_field.html_name, bound_field.value(), attrs, invalid)
        return _input(widget.get_context(bound_field.html_name, bound_field.value(), attrs), invalid)
    if isinstance(widget, widgets.MultiWidget) and all(_plain_input(part) for part in widget.widgets):
        # A range (from, to): its inputs side by side in one Bootstrap input group.
        attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id} if bound_field.auto_id else {})
        context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)
        inputs = [_input({"widget": part}, invalid) for part in context["widget"]["subwidgets"]]
        joined = '<span class="input-group-text">–</span>'.join(inputs)
        return mark_safe(f'<div class="input-group input-group-sm">{joined}</div>')  # noqa: S308 (inputs escaped)
    return bound_field.as_widget()


def _plain_input(widget):
    return isinstance(widget, widgets.Input) and not isinstance(widget, widgets.FileInput)


@register.filter
def filter_field(bound_field):
    errors = bound_field.errors
    label_for = bound_field.id_for_label
    if not label_for and isinstance(bound_field.field.widget, widgets.MultiWidget) and bound_field.auto_id:
        label_for = f"{bound_field.auto_id}_0"  # a range's label names its first input
    label = format_html('<label for="{}" class="form-label small mb-1">{}</label>', label_for, bound_field.label)
    feedback = format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((error,) for error in errors))
    help_text = format_html('<div class="form-text">{}</div>', bound_field.help_text) if bound_field.help_text else ""
    return format_html(
        '<div class="mb-2">{}{}{}{}</div>', label, widget_html(bound_field, bool(errors)), feedback, help_text
    )
