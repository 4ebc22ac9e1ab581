from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from activities import services
from activities.filters import ActivityFilter, CampaignFilter, HonourFilter, HonourTitleFilter
from activities.forms import ActivityForm, CampaignForm, HonourForm, HonourMatrixForm, HonourTitleForm
from activities.models import (
    Activity,
    ActivityPhoto,
    Campaign,
    Honour,
    HonourLevel,
    HonourStatus,
    HonourTitle,
    RecipientType,
)
from activities.tables import ActivityTable, CampaignTable, HonourTable, HonourTitleTable
from cadres.models import Cadre
from organizations.models import Organization
from organizations.tables import yuan
from unionportal.forms import parse_pk
from unionportal.roles import Action
from unionportal.views import (
    ImageDeleteView,
    ImageUploadView,
    ImageView,
    ImportTemplateView,
    ImportView,
    ObjectDetailView,
    ObjectListView,
    ScopedViewMixin,
    ServiceFormView,
)

# Campaigns


class CampaignListView(ObjectListView):
    model = Campaign
    filterset_class = CampaignFilter
    table_class = CampaignTable
    title = gettext_lazy("Campaigns")
    template_name = "activities/campaign_list.html"
    create_url_name = "activities:campaign_create"

    def get_base_queryset(self, queryset):
        # A campaign of the branch may hold activities of other branches: counted are those the
        # reader may see, as on the campaign's page (a join counted them all).
        activities = Activity.objects.restrict(self.request.user).filter(campaign=OuterRef("pk")).order_by()
        activities = activities.values("campaign")
        return queryset.select_related("organizer").annotate(
            activity_count=Coalesce(Subquery(activities.annotate(n=Count("pk")).values("n")), 0),
            participant_total=Coalesce(Subquery(activities.annotate(n=Sum("participants")).values("n")), 0),
        )


class CampaignDetailView(ObjectDetailView):
    model = Campaign
    template_name = "activities/campaign_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organizer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activities = Activity.objects.restrict(self.request.user).filter(campaign=self.object)
        context["activities"] = activities.select_related("organizer")
        context["totals"] = _totals(activities)
        context["may_add_activity"] = self.may(Action.ADD, Activity)
        return context


class CampaignFormView(ServiceFormView):
    model = Campaign
    form_class = CampaignForm
    success_message = gettext_lazy("The campaign was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New campaign")

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        campaign = form.save(commit=False)
        campaign._history_user = self.request.user
        campaign.save()
        return campaign


# Activities


# Participants, entries and funds of some activities.
ACTIVITY_TOTALS = {
    "participants": Coalesce(Sum("participants"), 0),
    "entries": Coalesce(Sum("entries"), 0),
    "funds": Sum("funds_spent"),
    "count": Count("pk"),
}


def _totals(activities):
    """ACTIVITY_TOTALS of the activities, in one aggregate."""
    return _formatted(activities.order_by().aggregate(**ACTIVITY_TOTALS))


def _formatted(totals):
    totals = dict(totals)
    totals["funds"] = yuan(totals["funds"] if totals["funds"] is not None else Decimal("0.00"))
    return totals


class ActivityListView(ObjectListView):
    model = Activity
    cache_figures = True
    filterset_class = ActivityFilter
    table_class = ActivityTable
    title = gettext_lazy("Activities")
    template_name = "activities/activity_list.html"
    create_url_name = "activities:activity_create"
    import_url_name = "activities:activity_import"
    # The campaign name filter reads campaigns, which may be of a branch above the activities':
    # renaming one does not change the version of the activities' branch, under which the
    # figures are kept, so they would go on counting by the old name.
    figures_read_elsewhere = frozenset(("campaign_name",))

    def get_base_queryset(self, queryset):
        # An activity of the branch may belong to a campaign of another branch (chosen by
        # someone above): its name is read from the reader's campaigns only, as on the
        # activity's page, so that the page, its sort and the export never name it. A subquery
        # of the page's query, not a query a row; not a join, which the count would carry too.
        campaigns = Campaign.objects.restrict(self.request.user).filter(pk=OuterRef("campaign_id")).order_by()
        return queryset.select_related("organizer").annotate(campaign_name=Subquery(campaigns.values("name")))

    totals_aggregates = ACTIVITY_TOTALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = _formatted(self.totals)
        return context


class ActivityDetailView(ObjectDetailView):
    model = Activity
    template_name = "activities/activity_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organizer", "campaign__organizer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        user = self.request.user
        campaign = activity.campaign
        # A campaign of another branch (chosen by someone above) is not named.
        context["show_campaign"] = campaign is not None and (
            user.is_superuser or campaign.organizer.path.startswith(user.organization.path)
        )
        # Co-organizers outside the reader's branch exist only as a count.
        co_organizers = list(Organization.objects.restrict(self.request.user).filter(co_organized_activities=activity))
        context.update(
            co_organizers=co_organizers,
            co_organizers_elsewhere=activity.co_organizers.count() - len(co_organizers),
            photos=activity.photos.all(),
            funds=yuan(activity.funds_spent),
        )
        return context


class ActivityFormView(ServiceFormView):
    model = Activity
    form_class = ActivityForm
    success_message = gettext_lazy("The activity was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New activity")

    def get_form(self, data=None, files=None):
        form = self.form_class(data=data, instance=self.object, user=self.request.user)
        campaign = parse_pk(self.request.GET.get("campaign"))
        if data is None and self.object is None and campaign is not None:
            chosen = form.fields["campaign"].queryset.filter(pk=campaign).first()
            if chosen is not None:
                form.initial.update(campaign=chosen.pk, organizer=chosen.organizer_id)
        return form

    def perform(self, form):
        activity = form.save(commit=False)
        return services.activity_save(
            activity=activity, co_organizers=form.cleaned_data["co_organizers"], user=self.request.user
        )


class ActivityPhotoUploadView(ImageUploadView):
    """A photo (with a caption) of an activity."""

    model = Activity

    def attach(self, activity, upload, caption):
        services.activity_photo_add(activity=activity, upload=upload, caption=caption, user=self.request.user)

    def redirect_url(self, activity):
        return f"{activity.get_absolute_url()}#photos"


class ActivityPhotoImageView(ImageView):
    model = ActivityPhoto


class ActivityPhotoDeleteView(ImageDeleteView):
    model = ActivityPhoto

    def get_base_queryset(self, queryset):
        return queryset.select_related("activity")

    def detach(self, photo):
        services.activity_photo_delete(photo=photo, user=self.request.user)

    def redirect_url(self, photo):
        return f"{photo.activity.get_absolute_url()}#photos"


class ActivityImportView(ImportView):
    model = Activity
    kind = "activities"
    list_url_name = "activities:activity_list"
    template_url_name = "activities:activity_import_template"


class ActivityImportTemplateView(ImportTemplateView):
    model = Activity
    kind = "activities"


# Honours


class HonourListView(ObjectListView):
    model = Honour
    cache_figures = True
    filterset_class = HonourFilter
    table_class = HonourTable
    title = gettext_lazy("Honours")
    template_name = "activities/honour_list.html"
    create_url_name = "activities:honour_create"
    import_url_name = "activities:honour_import"

    def get_base_queryset(self, queryset):
        return queryset.select_related("title", "organization")


class HonourDetailView(ObjectDetailView):
    model = Honour
    template_name = "activities/honour_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("title", "organization", "cadre", "recommended_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        honour = self.object
        context["may_decide"] = honour.status == HonourStatus.RECOMMENDED and self.may(Action.CHANGE)
        # A cadre or a recommending organization outside the reader's branch is not named.
        user = self.request.user
        context["show_cadre"] = (
            bool(honour.cadre_id) and Cadre.objects.restrict(user).filter(pk=honour.cadre_id).exists()
        )
        recommended_by = honour.recommended_by
        context["show_recommended_by"] = recommended_by is not None and (
            user.is_superuser
            or recommended_by.path.startswith(user.organization.path)
            or user.organization.path.startswith(recommended_by.path)
        )
        return context


class HonourFormView(ServiceFormView):
    model = Honour
    form_class = HonourForm
    success_message = gettext_lazy("The honour was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_base_queryset(self, queryset):
        return queryset.select_related("title", "organization")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New honour")

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        return services.honour_save(honour=form.save(commit=False), user=self.request.user)


class HonourConferView(ScopedViewMixin, View):
    """POST: a recommended honour is conferred, or not. Two clicks confer it once."""

    model = Honour
    action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        honour = self.get_object()
        status = request.POST.get("status", HonourStatus.CONFERRED)
        try:
            services.honour_set_status(
                honour=honour,
                status=status,
                user=request.user,
                conferring_body=request.POST.get("conferring_body", ""),
                document_number=request.POST.get("document_number", ""),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if status == HonourStatus.CONFERRED:
                messages.success(request, _("The honour is recorded as conferred."))
            else:
                messages.success(request, _("The honour is recorded as not conferred."))
        return redirect(honour)


class HonourImportView(ImportView):
    model = Honour
    kind = "honours"
    list_url_name = "activities:honour_list"
    template_url_name = "activities:honour_import_template"


class HonourImportTemplateView(ImportTemplateView):
    model = Honour
    kind = "honours"


class HonourMatrixView(ScopedViewMixin, TemplateView):
    """Honours of a branch over a span of years: levels × titles (names merged across
    levels), each count a link to the honour list showing exactly those honours. The counts
    come from one grouped query over the same filters the list applies."""

    model = Honour
    template_name = "activities/honour_matrix.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = HonourMatrixForm(self.request.GET, user=self.request.user)
        context.update(form=form, title=_("Honours matrix"), matrix=None)
        if form.is_valid():
            context["matrix"] = self.matrix(form.cleaned_data)
        return context

    def matrix(self, cleaned):
        branch = cleaned.get("branch")
        query = {
            "branch": branch.pk if branch else "",
            "year_min": cleaned["year_min"],
            "year_max": cleaned["year_max"],
            "status": cleaned.get("status") or "",
        }
        honours = HonourFilter(query, queryset=self.queryset, request=self.request).qs
        groups = (
            honours.order_by()
            .values("title__level", "title__name", "title__recipient_type")
            .annotate(count=Count("pk"), order=Min("title__order"))
        )
        counts, orders, by_type = {}, {}, {}
        for group in groups:
            level, name, kind = group["title__level"], group["title__name"], group["title__recipient_type"]
            counts[level, name] = counts.get((level, name), 0) + group["count"]
            by_type[level, kind] = by_type.get((level, kind), 0) + group["count"]
            orders[name] = min(orders.get(name, group["order"]), group["order"])
        names = sorted(orders, key=lambda name: (orders[name], name))
        base = reverse("activities:honour_list")

        def link(count, **extra):
            return {"count": count, "url": f"{base}?{urlencode({**query, **extra})}" if count else ""}

        rows = []
        for level, label in HonourLevel.choices:
            cells = [link(counts.get((level, name), 0), level=level, title=name) for name in names]
            rows.append(
                {
                    "label": label,
                    "cells": cells,
                    "total": link(sum(cell["count"] for cell in cells), level=level),
                    "types": [
                        link(by_type.get((level, kind), 0), level=level, recipient_type=kind)
                        for kind in RecipientType.values
                    ],
                }
            )
        column_totals = [
            link(sum(counts.get((level, name), 0) for level in HonourLevel.values), title=name) for name in names
        ]
        return {
            "names": names,
            "rows": rows,
            "column_totals": column_totals,
            "total": link(sum(row["total"]["count"] for row in rows)),
            "type_totals": [
                link(sum(by_type.get((level, kind), 0) for level in HonourLevel.values), recipient_type=kind)
                for kind in RecipientType.values
            ],
            "type_labels": [label for _code, label in RecipientType.choices],
            "list_url": f"{base}?{urlencode(query)}",
        }


# Honour titles (reference data)


class HonourTitleListView(ObjectListView):
    model = HonourTitle
    filterset_class = HonourTitleFilter
    table_class = HonourTitleTable
    title = gettext_lazy("Honour titles")
    template_name = "activities/honourtitle_list.html"
    create_url_name = "activities:honourtitle_create"

    def get_base_queryset(self, queryset):
        # Titles are shared across branches: counted are the reader's branch's honours alone.
        honours = Honour.objects.restrict(self.request.user).filter(title=OuterRef("pk")).order_by().values("title")
        return queryset.select_related("owner").annotate(
            honour_count=Coalesce(Subquery(honours.annotate(n=Count("pk")).values("n")), 0)
        )

    def get_table_kwargs(self):
        return {"user": self.request.user, "may_change": self.may(Action.CHANGE)}


class HonourTitleDetailView(ObjectDetailView):
    """A title of the catalogue, read where the title list shows it: its fields, how many of
    the reader's honours carry it (a link to exactly those) and its history."""

    model = HonourTitle
    template_name = "activities/honourtitle_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title = self.object
        user = self.request.user
        context.update(
            # The title is shared down the tree: counted are the reader's branch's honours, as
            # on the title list.
            honour_count=Honour.objects.restrict(user).filter(title=title).count(),
            honours_url=f"{reverse('activities:honour_list')}?{urlencode({'honour_title': title.pk})}",
            # Read below its owner, changed only in the owner's branch (shipped: by superusers).
            may_change=HonourTitle.objects.restrict(user, Action.CHANGE).filter(pk=title.pk).exists(),
        )
        return context


class HonourTitleFormView(ServiceFormView):
    """Administrators add titles for their branch and change those; shipped titles are
    changed by superusers only (they are outside every administrator's change scope)."""

    model = HonourTitle
    form_class = HonourTitleForm
    success_message = gettext_lazy("The honour title was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New honour title")

    def get_form(self, data=None, files=None):
        user = self.request.user
        instance = self.object or HonourTitle(owner=None if user.is_superuser else user.organization)
        return self.form_class(data=data, instance=instance, user=user)

    def get_success_url(self, result):
        return reverse("activities:honourtitle_list")

    def perform(self, form):
        title = form.save(commit=False)
        title._history_user = self.request.user
        title.save()
        return title
