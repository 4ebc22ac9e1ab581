import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
from organizations.filters import BranchFilter, OwnRecordsFilter
from organizations.models import UnitType
from unionportal.filters import ChosenOnlyFilter, ScopedFilterSet, YearRangeFilter
from unionportal.validators import FIRST_YEAR, LAST_YEAR

DATE = forms.DateInput(attrs={"type": "date"})


class CampaignFilter(ScopedFilterSet):
    """The campaign list. `held` (held_after, held_before) keeps the campaigns with at least
    one activity starting between the two days: the annual summary's campaign count."""

    name = django_filters.CharFilter(label=_("name contains"), lookup_expr="icontains")
    branch = BranchFilter(path_lookup="organizer__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organizer__path")
    year = django_filters.NumberFilter(label=_("year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
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


class ActivityFilter(ScopedFilterSet):
    title = django_filters.CharFilter(label=_("title contains"), lookup_expr="icontains")
    branch = BranchFilter(path_lookup="organizer__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organizer__path")
    kind = django_filters.ChoiceFilter(label=_("activity type"), choices=ActivityKind.choices)
    unit_type = django_filters.ChoiceFilter(
        label=_("organizer's unit type"), field_name="organizer__unit_type", choices=UnitType.choices
    )
    campaign = ChosenOnlyFilter(label=_("campaign"), queryset=Campaign.objects.all())
    campaign_name = django_filters.CharFilter(label=_("campaign name contains"), method="filter_campaign_name")
    start = django_filters.DateFromToRangeFilter(
        label=_("held between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )

    class Meta:
        model = Activity
        fields = ["title", "branch", "only", "kind", "unit_type", "campaign", "campaign_name", "start"]

    def filter_campaign_name(self, queryset, name, value):
        # Only the reader's campaigns: else a name guessed one letter at a time would find a
        # campaign of another branch through an activity of the reader's that belongs to it.
        campaigns = Campaign.objects.restrict(self.request.user).filter(name__icontains=value)
        return queryset.filter(campaign__in=campaigns)


class HonourFilter(ScopedFilterSet):
    """The honour list. `branch`, `level`, `title` (a name, whatever its level), `year` and
    `status` are also the honours matrix's: a count there links here with the same values."""

    name = django_filters.CharFilter(label=_("recipient contains"), method="filter_name")
    branch = BranchFilter(path_lookup="organization__path")
    only = OwnRecordsFilter(label=_("only this organization"), path_lookup="organization__path")
    level = django_filters.ChoiceFilter(label=_("level"), field_name="title__level", choices=HonourLevel.choices)
    title = django_filters.CharFilter(label=_("honour title"), field_name="title__name")
    # One title of the catalogue (a name at a level, of one owner): its page links here. Two
    # branches may each add the same name at the same level, which `title` does not tell apart.
    honour_title = ChosenOnlyFilter(
        label=_("honour title and level"), field_name="title", queryset=HonourTitle.objects.all()
    )
    recipient_type = django_filters.ChoiceFilter(
        label=_("recipient type"), field_name="title__recipient_type", choices=RecipientType.choices
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=HonourStatus.choices)
    year = YearRangeFilter(label=_("years"))

    class Meta:
        model = Honour
        fields = ["name", "branch", "only", "level", "title", "honour_title", "recipient_type", "status", "year"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            user = self.request.user

            fetched = []

            def names():
                # Read once, though validation and rendering both ask.
                if not fetched:
                    titles = HonourTitle.objects.restrict(user).order_by("name").values_list("name", flat=True)
                    fetched.append([("", "---------"), *((name, name) for name in titles.distinct())])
                return fetched[0]

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
