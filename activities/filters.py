import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from activities.forms import BRANCH_KINDS
from activities.models import (
    Activity,
    ActivityKind,
    Campaign,
    Honour,
    HonourLevel,
    HonourStatus,
    HonourTitle,
    RecipientType,
)
from organizations.filters import BranchFilter, OwnRecordsMixin
from organizations.models import Organization, UnitType
from unionportal.filters import ScopedFilterSet

DATE = forms.DateInput(attrs={"type": "date"})


class _OfferedChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        self.queryset = self.field.offered_queryset()
        yield from super().__iter__()

    def __len__(self):
        return self.field.offered_queryset().count() + (1 if self.field.empty_label is not None else 0)


class AnyBranchChoiceField(forms.ModelChoiceField):
    """Accepts any organization of its queryset (the user's scope: a link from a union's page
    filters to that union), but offers only federations and industry unions, and the one
    chosen, so that the dropdown stays short."""

    iterator = _OfferedChoiceIterator
    chosen = None

    def offered_queryset(self):
        offered = Q(kind__in=BRANCH_KINDS)
        if self.chosen and str(self.chosen).isdigit():
            offered |= Q(pk=self.chosen)
        return self.queryset.filter(offered).order_by("path")


class AnyBranchFilter(BranchFilter):
    field_class = AnyBranchChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(*args, **kwargs)


class OwnRecordsFilter(OwnRecordsMixin, AnyBranchFilter):
    pass


class BranchFilterSet(ScopedFilterSet):
    @property
    def form(self):
        form = super().form
        if self.data is not None:
            for name, field in form.fields.items():
                if isinstance(field, AnyBranchChoiceField):
                    field.chosen = self.data.get(name)
        return form


class CampaignFilter(BranchFilterSet):
    """The campaign list. `held` (held_after, held_before) keeps the campaigns with at least
    one activity starting between the two days: the annual summary's campaign count."""

    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    branch = AnyBranchFilter(path_lookup="organizer__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organizer__path")
    year = django_filters.NumberFilter(label=_("year"))
    held = django_filters.DateFromToRangeFilter(
        label=_("with activities between"),
        method="filter_held",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Campaign
        fields = ["name", "branch", "only", "year", "held"]

    def filter_held(self, queryset, name, value):
        # A subquery, not a join: the list annotates each campaign's activity count, which a
        # join on the same relation would multiply.
        activities = Activity.objects.restrict(self.request.user)
        if value.start:
            activities = activities.filter(start__gte=value.start)
        if value.stop:
            activities = activities.filter(start__lte=value.stop)
        return queryset.filter(pk__in=activities.filter(campaign__isnull=False).values("campaign_id"))


class ActivityFilter(BranchFilterSet):
    title = django_filters.CharFilter(label=_("title contains"), lookup_expr="icontains")
    branch = AnyBranchFilter(path_lookup="organizer__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organizer__path")
    kind = django_filters.ChoiceFilter(label=_("activity type"), choices=ActivityKind.choices)
    unit_type = django_filters.ChoiceFilter(
        label=_("organizer's unit type"), field_name="organizer__unit_type", choices=UnitType.choices
    )
    campaign = django_filters.ModelChoiceFilter(label=_("campaign"), queryset=Campaign.objects.all())
    start = django_filters.DateFromToRangeFilter(
        label=_("held between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )

    class Meta:
        model = Activity
        fields = ["title", "branch", "only", "kind", "unit_type", "campaign", "start"]


class HonourFilter(BranchFilterSet):
    """The honour list. `branch`, `level`, `title` (a name, whatever its level), `year` and
    `status` are also the honours matrix's: a count there links here with the same values."""

    name = django_filters.CharFilter(label=_("recipient contains"), method="filter_name")
    branch = AnyBranchFilter(path_lookup="organization__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organization__path")
    level = django_filters.ChoiceFilter(label=_("level"), field_name="title__level", choices=HonourLevel.choices)
    title = django_filters.CharFilter(label=_("honour title"), field_name="title__name")
    recipient_type = django_filters.ChoiceFilter(
        label=_("recipient type"), field_name="title__recipient_type", choices=RecipientType.choices
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=HonourStatus.choices)
    year = django_filters.RangeFilter(label=_("years"))

    class Meta:
        model = Honour
        fields = ["name", "branch", "only", "level", "title", "recipient_type", "status", "year"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = self.request.user

            def names():
                titles = HonourTitle.objects.restrict(user).order_by("name").values_list("name", flat=True).distinct()
                return [("", "---------"), *((name, name) for name in titles)]

            # The title names of the catalogue the user reads, fetched when the form is shown.
            form.fields["title"] = forms.ChoiceField(label=_("honour title"), choices=names, required=False)
        return self._form

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(recipient_name__icontains=value) | Q(organization__name__icontains=value))


class HonourTitleFilter(ScopedFilterSet):
    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    level = django_filters.ChoiceFilter(label=_("level"), choices=HonourLevel.choices)
    recipient_type = django_filters.ChoiceFilter(label=_("recipient type"), choices=RecipientType.choices)

    class Meta:
        model = HonourTitle
        fields = ["name", "level", "recipient_type"]
