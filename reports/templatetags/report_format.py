"""Formatting of report figures; no queries."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

PLACES = {"count": 0, "amount": 2, "average": 1}


def _number(value):
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


@register.filter
def figure_value(value, kind="count"):
    """A figure as a leader reads it: thousands separated (as the fund list shows yuan:
    30,000.00), two decimals for yuan, one for an average; a dash when there is nothing."""
    value = _number(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    places = PLACES.get(kind)
    if places is None:  # hours and anything else: as precise as it is, no trailing zeros
        places = 0 if value == int(value) else 1
    return f"{value:,.{places}f}"


@register.filter
def figure_change(value, kind="count"):
    """A change with its sign: +12, -3.5, 0."""
    value = _number(value)
    if value is None or isinstance(value, str):
        return "—"
    text = figure_value(value, kind)
    return f"+{text}" if value > 0 else text


@register.filter
def percent_change(value):
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return f"+{text}%" if value > 0 else f"{text}%"


@register.filter
def change_class(value):
    value = _number(value)
    if value is None or isinstance(value, str) or value == 0:
        return "text-muted"
    return "text-success" if value > 0 else "text-danger"


@register.filter
def with_formats(cells, columns):
    """A breakdown row's cells beside the format of their column."""
    return [(cell, column[2] if len(column) > 2 else "count") for cell, column in zip(cells, columns, strict=False)]
