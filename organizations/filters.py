import hashlib
from operator import attrgetter, itemgetter
from typing import NamedTuple

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import (
    ENTERPRISE_UNIT_TYPES,
    FEDERATION_KINDS,
    FundAllocation,
    MembershipFigure,
    Organization,
    OrganizationKind,
    Purpose,
    Sector,
    UnitType,
)
from unionportal.cache import cached_for_tree
from unionportal.filters import ScopedFilterSet, YesNoWidget
from unionportal.forms import parse_pk
from unionportal.scoping import branch_ranges
from unionportal.validators import FIRST_YEAR, LAST_YEAR

DATE = forms.DateInput(attrs={"type": "date"})


BRANCH_KINDS = [*FEDERATION_KINDS, OrganizationKind.INDUSTRY_UNION]


class BranchChoiceIterator(ModelChoiceIterator):
    """The dropdown lists the federations (a province has a quarter of a million unions), plus
    the organization already chosen, whatever its kind."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for offered in self.field.offered():
            yield ModelChoiceIteratorValue(offered.pk, offered), self.field.label_from_instance(offered)

    def __len__(self):
        return len(self.field.offered()) + (1 if self.field.empty_label is not None else 0)


class Federation(NamedTuple):
    """A federation as its branch dropdown shows it (kept in the cache, so not a model
    instance: a city's 300 federations read as instances took 8 ms, as tuples 0.2 ms)."""

    pk: int
    path: str
    name: str
    kind: str

    def __str__(self):
        return self.name


class BranchChoiceField(forms.ModelChoiceField):
    """Offers the federations of its queryset, kept in the cache until the tree changes, and
    the organizations already chosen. The organization fields of one filter form share one
    query (`shared`, set by OrganizationChoiceFilter) for every organization chosen in any of
    them, which validates the values chosen; a form with nothing chosen costs no query."""

    iterator = BranchChoiceIterator
    selected = ()
    shared = None  # {"wanted": pks chosen in any field of the form, queryset SQL: objects}

    def federations(self):
        """The federations of the queryset in tree order. Read as a range of paths and sorted
        here: SQLite then finds the federations of the branch in the kind-and-path index (a
        city district's, with the records: 5.5 to 1.3 ms), where asked for LIKE, or to sort by
        path, it walks every union of the branch."""
        query = self.queryset.filter(kind__in=BRANCH_KINDS).order_by()
        if query.query.is_empty():
            return []
        sql, params = query.query.sql_with_params()
        digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]

        def read():
            with branch_ranges():
                return sorted(query.values_list("pk", "path", "name", "kind"), key=itemgetter(1))

        return [Federation(*row) for row in cached_for_tree(f"branch-choices:{digest}", read)]

    def chosen(self):
        """The organizations chosen in the form (in this field: `selected`), as records."""
        wanted = self.selected if self.shared is None else self.shared["wanted"]
        if not wanted:
            return []
        if self.shared is None:
            return list(self.queryset.filter(pk__in=wanted))
        key = str(self.queryset.query)
        if key not in self.shared:
            self.shared[key] = list(self.queryset.filter(pk__in=wanted))
        return self.shared[key]

    def offered(self):
        federations = self.federations()
        listed = {federation.pk for federation in federations}
        chosen = [obj for obj in self.chosen() if obj.pk in self.selected and obj.pk not in listed]
        return sorted([*federations, *chosen], key=attrgetter("path"))

    def to_python(self, value):
        if self.shared is not None and (pk := parse_pk(value)) is not None:
            for obj in self.chosen():
                if obj.pk == pk:
                    return obj
        return super().to_python(value)


def _chosen(value):
    pk = parse_pk(value)
    return [] if pk is None else [pk]


class OrganizationChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of one organization of the user's scope whose dropdown offers the federations
    and the organization already chosen (a link from a report names any union)."""

    field_class = BranchChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        data = getattr(self.parent, "data", None) or {}
        field.selected = _chosen(data.get(self.field_name))
        if self.parent is not None:
            shared = self.parent.__dict__.setdefault("_organization_choices", {"wanted": set()})
            for other in self.parent.filters.values():
                if isinstance(other, OrganizationChoiceFilter):
                    shared["wanted"].update(_chosen(data.get(other.field_name)))
            field.shared = shared
        return field


class BranchFilter(OrganizationChoiceFilter):
    """Records in the branch under the chosen organization, the organization included. Any
    organization of the user's scope is accepted (a link from a union's page names the union);
    the dropdown offers the federations."""

    def __init__(self, *args, path_lookup="path", **kwargs):
        self.path_lookup = path_lookup
        kwargs.setdefault("label", _("branch"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.path_lookup}__startswith": value.path})


class OwnRecordsMixin:
    """`only`: records of the chosen organization itself, not of the unions below it: the link
    of a report's "own records" row (a federation's own activities beside its children's).
    Named apart from `branch` and from any model field, so that a report's link can pass it."""

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.path_lookup: value.path})


class OwnRecordsFilter(OwnRecordsMixin, BranchFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("only this organization"))
        super().__init__(*args, **kwargs)


class OrganizationFilter(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=OrganizationKind.choices)
    unit_type = django_filters.ChoiceFilter(label=_("unit type"), choices=UnitType.choices)
    sector = django_filters.ChoiceFilter(label=_("sector"), choices=Sector.choices, method="filter_sector")
    federation = django_filters.BooleanFilter(
        label=_("federation or union"),
        method="filter_federation",
        widget=YesNoWidget(yes=_("Federations"), no=_("Unions")),
    )
    branch = BranchFilter()
    below = OrganizationChoiceFilter(label=_("below (without itself)"), method="filter_below")
    active_on = django_filters.DateFilter(label=_("active on"), method="filter_active_on", widget=DATE)
    established = django_filters.DateFromToRangeFilter(
        label=_("established between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    deactivated = django_filters.DateFromToRangeFilter(
        label=_("deactivated between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    status = django_filters.ChoiceFilter(
        label=_("status"),
        method="filter_status",
        choices=[("active", _("Active")), ("deactivated", _("Deactivated"))],
    )
    figures_year = django_filters.NumberFilter(
        label=_("with membership figures for the year"),
        method="filter_figures_year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "unit_type",
            "sector",
            "federation",
            "branch",
            "below",
            "active_on",
            "established",
            "deactivated",
            "status",
            "figures_year",
        ]

    def filter_status(self, queryset, name, value):
        return queryset.filter(deactivated__isnull=(value == "active"))

    def filter_sector(self, queryset, name, value):
        # The two sectors of the county statistics: enterprises, and every other unit (a unit
        # with no type on record included), so that the two add up to the total.
        enterprise = Q(unit_type__in=ENTERPRISE_UNIT_TYPES)
        return queryset.filter(enterprise if value == Sector.ENTERPRISE else ~enterprise)

    def filter_federation(self, queryset, name, value):
        federations = Q(kind__in=FEDERATION_KINDS)
        return queryset.filter(federations if value else ~federations)

    def filter_below(self, queryset, name, value):
        return queryset.below(value)

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_figures_year(self, queryset, name, value):
        figures = MembershipFigure.objects.filter(organization=OuterRef("pk"), year=int(value))
        return queryset.filter(Exists(figures))


class FundAllocationFilter(ScopedFilterSet):
    branch = BranchFilter(label=_("recipient's branch"), path_lookup="recipient__path")
    recipient = OrganizationChoiceFilter(label=_("receiving organization"))
    recipient_name = django_filters.CharFilter(
        label=_("recipient name contains"), field_name="recipient__name", lookup_expr="icontains"
    )
    source_type = django_filters.ChoiceFilter(
        label=_("source"),
        method="filter_source_type",
        choices=[("union", pgettext_lazy("funds source", "Union organizations")), ("outside", _("Outside sources"))],
    )
    source = OrganizationChoiceFilter(label=_("from organization"))
    source_branch = BranchFilter(label=_("from the branch of"), path_lookup="source__path")
    source_above = OrganizationChoiceFilter(label=_("from a federation above"), method="filter_source_above")
    purpose = django_filters.ChoiceFilter(label=_("purpose"), choices=Purpose.choices)
    year = django_filters.NumberFilter(
        label=_("year"), field_name="date", lookup_expr="year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("date between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    amount = django_filters.RangeFilter(label=_("amount between (yuan)"))

    class Meta:
        model = FundAllocation
        fields = [
            "branch",
            "recipient",
            "recipient_name",
            "source_type",
            "source",
            "source_branch",
            "source_above",
            "purpose",
            "year",
            "date",
            "amount",
        ]

    def filter_source_type(self, queryset, name, value):
        return queryset.from_unions() if value == "union" else queryset.from_outside()

    def filter_source_above(self, queryset, name, value):
        """Union money from outside the chosen organization's branch: since union money comes
        down the tree, from a federation above it."""
        return queryset.from_unions().exclude(source__path__startswith=value.path)
