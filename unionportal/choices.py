"""Choosing one of many records in a form: a search box instead of a dropdown of thousands.

A form's dropdown of the branch's organizations, cadres or people on file listed every one of
them: on the benchmark's province, a new honour's page was 108 MB and took 212 s (the union
and the cadre), a new course's 92 MB (the attendees among a million cadres), a new cadre's
15 MB. Above `CHOICES_SEARCH_ABOVE` records (counted no further than that), such a field's
widget (`SearchSelect`) lists only the records chosen, and a search box above it asks
`choices` for the first matches by name as the user types (static/js/portal.js).

The search reads the field's own queryset, scoped and narrowed as the form made it, which
the widget keeps in the cache under a digest of the query; the view restricts it to the
asking user's branch once more, so a digest seen elsewhere never reaches past that branch.
Validation is the field's own: a posted key must be in its queryset."""

import hashlib
import pickle

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from unionportal.roles import Action

# The fields a search matches, by model; a model not named here keeps its dropdown.
SEARCH_FIELDS = {
    "organizations.organization": ("name", "short_name"),
    "cadres.cadre": ("full_name",),
    "relief.beneficiary": ("full_name",),
}
MATCHES = 50
KEPT = 24 * 3600  # seconds a field's query stays searchable after its form was shown


def label_of(instance):
    """A record's label in a list of choices: its `choice_label()` where it has one (a cadre
    with their union: two people of one name are common), else its name."""
    label = getattr(instance, "choice_label", None)
    return label() if callable(label) else str(instance)


def is_key(text):
    return text.isascii() and text.isdigit() and len(text) <= 18


class SearchSelect(forms.Select):
    """A select that offers only the records chosen, with the address of its search (the
    search box is added by static/js/portal.js)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The field's queryset as the form left it (a form narrows its fields after the base
        # class has scoped them: people on file, with their union).
        context["widget"]["attrs"]["data-choices-url"] = search_url(self.choices.field.queryset)
        context["widget"]["attrs"]["data-choices-placeholder"] = str(_("Type a name to search"))
        return context

    def optgroups(self, name, value, attrs=None):
        chosen = {str(item) for item in value if item not in (None, "")}
        field = self.choices.field
        options = []
        if not self.allow_multiple_selected and field.empty_label is not None:
            options.append(self.create_option(name, "", field.empty_label, not chosen, 0))
        keys = [key for key in chosen if is_key(key)]
        if keys:
            records = field.queryset.filter(pk__in=keys)
            for index, record in enumerate(records, start=1):
                options.append(self.create_option(name, str(record.pk), field.label_from_instance(record), True, index))
        return [(None, options, 0)]


class SearchSelectMultiple(SearchSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)


def offer_search(form):
    """Give every model-choice field of `form` over more than CHOICES_SEARCH_ABOVE records of a
    searchable model the search widget. Called once the fields are scoped."""
    limit = settings.CHOICES_SEARCH_ABOVE
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField) or type(field.widget) not in (
            forms.Select,
            forms.SelectMultiple,
        ):
            continue
        queryset = field.queryset
        if queryset.model._meta.label_lower not in SEARCH_FIELDS:
            continue
        if queryset.order_by()[: limit + 1].count() <= limit:
            continue
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        widget_class = SearchSelectMultiple if multiple else SearchSelect
        widget = widget_class(attrs=dict(field.widget.attrs))
        widget.is_required = field.widget.is_required
        widget.choices = field.choices
        field.widget = widget


def search_url(queryset):
    data = pickle.dumps(queryset.query)  # Django's documented way to keep a queryset
    digest = hashlib.sha256(data).hexdigest()[:40]
    cache.set(f"choices:{digest}", data, KEPT)
    return f"{reverse('choices')}?field={digest}"


@login_required
@require_GET
def choices(request):
    """The first matches of a field's search: {"results": [{"id", "text"}]}; 404 for a field
    this portal did not offer (or offered too long ago)."""
    digest = request.GET.get("field", "")
    data = cache.get(f"choices:{digest}") if digest.isalnum() and len(digest) == 40 else None
    if data is None:
        raise Http404
    query = pickle.loads(data)  # noqa: S301 - written by search_url above, under its digest
    model = query.model
    queryset = model._default_manager.all()
    queryset.query = query
    queryset = queryset.restrict(request.user, Action.VIEW)
    if any(field.name == "organization" and field.many_to_one for field in model._meta.fields):
        queryset = queryset.select_related("organization")  # the label names the union
    text = request.GET.get("q", "").strip()[:50]
    if text:
        condition = Q()
        for name in SEARCH_FIELDS[model._meta.label_lower]:
            condition |= Q(**{f"{name}__icontains": text})
        queryset = queryset.filter(condition)
    results = [{"id": record.pk, "text": label_of(record)} for record in queryset[:MATCHES]]
    return JsonResponse({"results": results})
