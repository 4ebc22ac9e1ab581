import django_filters
from django.utils.translation import gettext_lazy as _

from unionportal.scoping import restrict_form_fields


class ScopedFilterSet(django_filters.FilterSet):
    """A filter form's dropdowns offer only records of the user's branch."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            restrict_form_fields(form, self.request.user)
        return self._form


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """A BooleanFilter's select: empty (no filter) and the two answers in plain words, instead
    of django-filter's Unknown/Yes/No."""

    def __init__(self, attrs=None, yes=None, no=None):
        super().__init__(attrs)
        self.choices = [("", "---------"), ("true", yes or _("Yes")), ("false", no or _("No"))]
