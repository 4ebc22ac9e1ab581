import django_filters

from unionportal.scoping import restrict_form_fields


class ScopedFilterSet(django_filters.FilterSet):
    """A filter form's dropdowns offer only records of the user's branch."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            restrict_form_fields(form, self.request.user)
        return self._form
