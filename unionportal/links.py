"""Addresses of records, worked out once per URL name.

`reverse` matches the URL patterns anew on every call; a list page links each of its 50 rows
to its record, and that matching was a tenth of the page. A record's page is `<int:pk>` in a
fixed address, so the address is reversed once with a marker and the record's id put in its
place; any other shape falls back to `reverse`."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

MARKER = 918273645


@functools.lru_cache(maxsize=512)
def _halves(viewname, prefix, urlconf):
    url = reverse(viewname, args=[MARKER], urlconf=urlconf)
    before, marker, after = url.partition(str(MARKER))
    return (before, after) if marker and str(MARKER) not in after else None


def record_url(viewname, pk):
    """reverse(viewname, args=[pk]) for a URL taking one integer id."""
    halves = _halves(viewname, get_script_prefix(), get_urlconf())
    if halves is None or not isinstance(pk, int):
        return reverse(viewname, args=[pk])
    return f"{halves[0]}{pk}{halves[1]}"
