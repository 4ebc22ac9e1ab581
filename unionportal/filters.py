import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from unionportal.scoping import restrict_form_fields
from unionportal.validators import FIRST_YEAR, LAST_YEAR, bound_days


class ScopedFilterSet(django_filters.FilterSet):
    """A filter form's dropdowns offer only records of the user's branch."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            restrict_form_fields(form, self.request.user)
            bound_days(form)
        return self._form


class YearRangeField(django_filters.fields.RangeField):
    def __init__(self, *args, **kwargs):
        first, last = (forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR) for _year in "ab")
        super().__init__((first, last), *args, **kwargs)


class YearRangeFilter(django_filters.RangeFilter):
    """From one year to another, each between FIRST_YEAR and LAST_YEAR."""

    field_class = YearRangeField


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """A BooleanFilter's select: empty (no filter) and the two answers in plain words, instead
    of django-filter's Unknown/Yes/No."""

    def __init__(self, attrs=None, yes=None, no=None):
        super().__init__(attrs)
        self.choices = [("", "---------"), ("true", yes or _("Yes")), ("false", no or _("No"))]


class ChosenOnlyIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.chosen_object is not None:
            yield self.choice(self.field.chosen_object)

    def __len__(self):
        return (self.field.empty_label is not None) + (self.field.chosen_object is not None)


class ChosenOnlyChoiceField(forms.ModelChoiceField):
    """A choice among records too many to list (a province's campaigns over the years): the
    dropdown offers only the record already chosen, as a link from that record's page names it,
    so that it shows and can be cleared; a text filter beside it finds records by name. The
    value is checked against the field's (scoped) queryset as for any choice."""

    iterator = ChosenOnlyIterator
    chosen_object = None

    def to_python(self, value):
        self.chosen_object = super().to_python(value)
        return self.chosen_object


class ChosenOnlyFilter(django_filters.ModelChoiceFilter):
    field_class = ChosenOnlyChoiceField
