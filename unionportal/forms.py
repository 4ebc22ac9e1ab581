"""Form bases: every model-choice field is restricted to the user's branch on creation, and every
date takes days from 1900 to 2100 (a year 1 or 20255 is a typing slip), as in the filters."""

import re

from django import forms

from unionportal.choices import offer_search
from unionportal.roles import Action
from unionportal.scoping import restrict_form_fields
from unionportal.validators import bound_days

PK = re.compile(r"[0-9]{1,18}")


def parse_pk(value):
    """The key a query string names (?parent=12), or None: ASCII digits only, as many as a
    64-bit key holds. `str.isdigit` also takes "²" (which int() refuses) and any length
    (which SQLite's driver refuses with OverflowError)."""
    value = "" if value is None else str(value)
    return int(value) if PK.fullmatch(value) else None


class ScopedForm(forms.Form):
    scope_action = Action.VIEW

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, user, self.scope_action)
        offer_search(self)
        bound_days(self)


class ScopedModelForm(forms.ModelForm):
    scope_action = Action.VIEW

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, user, self.scope_action)
        offer_search(self)
        bound_days(self)
