"""Form bases: every model-choice field is restricted to the user's branch on creation."""

from django import forms

from unionportal.roles import Action
from unionportal.scoping import restrict_form_fields


class ScopedForm(forms.Form):
    scope_action = Action.VIEW

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, user, self.scope_action)


class ScopedModelForm(forms.ModelForm):
    scope_action = Action.VIEW

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, user, self.scope_action)
