import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organizations import panels, services
from organizations.filters import FundAllocationFilter, OrganizationFilter
from organizations.forms import (
    FundAllocationCreateForm,
    FundAllocationForm,
    MembershipFigureForm,
    OrganizationCreateForm,
    OrganizationDeactivateForm,
    OrganizationForm,
    OrganizationMoveForm,
)
from organizations.models import FundAllocation, MembershipFigure, Organization, Purpose
from organizations.tables import FundAllocationTable, OrganizationTable, yuan
from unionportal.forms import parse_pk
from unionportal.history import history_rows
from unionportal.roles import Action
from unionportal.views import (
    ImportTemplateView,
    ImportView,
    ObjectDetailView,
    ObjectListView,
    ScopedViewMixin,
    ServiceFormView,
)

CHILDREN_SHOWN = 100


class OrganizationListView(ObjectListView):
    model = Organization
    cache_figures = True
    filterset_class = OrganizationFilter
    table_class = OrganizationTable
    title = gettext_lazy("Organizations")
    create_url_name = "organizations:organization_create"
    import_url_name = "organizations:organization_import"

    def get_base_queryset(self, queryset):
        return queryset.select_related("parent")


class OrganizationTreeView(ScopedViewMixin, TemplateView):
    """The branch as a tree: the user's own node open, deeper levels loaded on expand; or,
    with a search, the matching nodes with the path that leads to each."""

    model = Organization
    template_name = "organizations/organization_tree.html"
    search_limit = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        context["q"] = query
        if query:
            matches = list(
                self.queryset.filter(Q(name__icontains=query) | Q(short_name__icontains=query))[: self.search_limit + 1]
            )
            context["truncated"] = len(matches) > self.search_limit
            matches = matches[: self.search_limit]
            prefixes = {m.path[:i] for m in matches for i in range(m.steplen, len(m.path), m.steplen)}
            names = dict(self.queryset.filter(path__in=prefixes).values_list("path", "name"))
            context["matches"] = [
                (m, [names[m.path[:i]] for i in range(m.steplen, len(m.path), m.steplen) if m.path[:i] in names])
                for m in matches
            ]
        else:
            user = self.request.user
            roots = (
                self.queryset.filter(depth=1) if user.is_superuser else self.queryset.filter(pk=user.organization_id)
            )
            context["roots"] = [(root, list(self.queryset.filter(parent=root))) for root in roots]
        return context


class OrganizationTreeChildrenView(ScopedViewMixin, TemplateView):
    model = Organization
    template_name = "organizations/_tree_children.html"

    def get_context_data(self, **kwargs):
        node = get_object_or_404(self.queryset, pk=self.kwargs["pk"])
        return {"node": node, "children": self.queryset.filter(parent=node)}


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    template_name = "organizations/organization_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        children = list(organization.children.order_by("path")[: CHILDREN_SHOWN + 1])
        context.update(
            children=children[:CHILDREN_SHOWN],
            more_children=len(children) > CHILDREN_SHOWN,
            figures=organization.membership_figures.order_by("-year"),
            branch_figures=self.branch_figures(organization),
            figure_history=history_rows(
                MembershipFigure.history.filter(organization_id=organization.pk), limit=20, label=lambda r: r.year
            ),
            ancestors=self.queryset.filter(
                path__in=[
                    organization.path[:i]
                    for i in range(organization.steplen, len(organization.path), organization.steplen)
                ]
            ),
            may_add=self.may(Action.ADD),
            deletion_blockers=organization.deletion_blockers() if self.may(Action.DELETE) else [],
            is_own=organization.pk == self.request.user.organization_id,
            panels=panels.render_context(self.request, organization),
            funds_received=self.funds_received(organization),
            may_add_funds=self.may(Action.ADD, FundAllocation),
        )
        return context

    def funds_received(self, organization):
        """What the organization itself received this year and last, by purpose: one
        aggregate query, whatever the number of allocations."""
        if not self.may(Action.VIEW, FundAllocation):
            return None
        this_year = timezone.localdate().year
        years = [this_year - 1, this_year]
        totals = (
            FundAllocation.objects.restrict(self.request.user)
            .filter(recipient=organization, date__gte=datetime.date(years[0], 1, 1))
            .filter(date__lte=datetime.date(this_year, 12, 31))
            .annotate(year=ExtractYear("date"))
            .values("year", "purpose")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        amounts = {(row["year"], row["purpose"]): row["total"] for row in totals}
        list_url = reverse("organizations:fundallocation_list")
        return {
            "years": [
                {
                    "year": year,
                    "total": yuan(sum((a for (y, _p), a in amounts.items() if y == year), Decimal("0.00"))),
                    "url": f"{list_url}?{urlencode({'recipient': organization.pk, 'year': year})}",
                }
                for year in years
            ],
            "rows": [
                {
                    "purpose": label,
                    "amounts": [yuan(amounts[year, value]) if (year, value) in amounts else "—" for year in years],
                }
                for value, label in Purpose.choices
                if any((year, value) in amounts for year in years)
            ],
            "url": f"{list_url}?{urlencode({'recipient': organization.pk})}",
        }

    def branch_figures(self, organization):
        """Yearly totals of the branch (the organization and everything under it): one
        aggregate over the path prefix, for federations whose members are in their unions."""
        if not organization.numchild:
            return []
        figures = MembershipFigure.objects.restrict(self.request.user).filter(
            organization__path__startswith=organization.path
        )
        return (
            figures.values("year")
            .annotate(
                units=Count("pk"),
                members=Sum("members"),
                employees=Sum("employees"),
                women_members=Sum("women_members"),
                migrant_members=Sum("migrant_members"),
            )
            .order_by("-year")
        )


class OrganizationCreateView(ServiceFormView):
    model = Organization
    action = Action.ADD
    form_class = OrganizationCreateForm
    title = gettext_lazy("New organization")
    success_message = gettext_lazy("The organization was created.")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        parent_pk = parse_pk(self.request.GET.get("parent"))
        if data is None and parent_pk is not None:
            form.initial["parent"] = form.fields["parent"].queryset.filter(pk=parent_pk).first()
        return form

    def perform(self, form):
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        return services.organization_create(parent=parent, user=self.request.user, **data)


class OrganizationUpdateView(ServiceFormView):
    model = Organization
    action = Action.CHANGE
    form_class = OrganizationForm
    success_message = gettext_lazy("The organization was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        return services.organization_update(organization=self.object, user=self.request.user, **form.cleaned_data)


class OrganizationMoveView(ServiceFormView):
    model = Organization
    action = Action.CHANGE
    form_class = OrganizationMoveForm
    success_message = gettext_lazy("The organization was moved.")

    def get_title(self):
        return _("Move %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        form.fields["new_parent"].queryset = (
            form.fields["new_parent"].queryset.exclude(path__startswith=self.object.path).exclude(kind="grassroots")
        )
        return form

    def perform(self, form):
        return services.organization_move(
            organization=self.object, new_parent=form.cleaned_data["new_parent"], user=self.request.user
        )


class OrganizationDeactivateView(ServiceFormView):
    model = Organization
    action = Action.CHANGE
    form_class = OrganizationDeactivateForm
    success_message = gettext_lazy("The organization was deactivated.")

    def get_title(self):
        return _("Deactivate %(name)s") % {"name": self.object}

    def perform(self, form):
        return services.organization_deactivate(
            organization=self.object, user=self.request.user, on_date=form.cleaned_data["deactivated"]
        )


class OrganizationReactivateView(ScopedViewMixin, TemplateView):
    model = Organization
    action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        organization = self.get_object()
        try:
            services.organization_reactivate(organization=organization, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The organization is active again."))
        return redirect(organization)


class OrganizationDeleteView(ScopedViewMixin, TemplateView):
    model = Organization
    action = Action.DELETE
    template_name = "organizations/organization_delete.html"

    def get_context_data(self, **kwargs):
        organization = self.get_object()
        return {
            "object": organization,
            "blockers": organization.deletion_blockers(),
            "is_own": organization.pk == self.request.user.organization_id,
        }

    def post(self, request, pk):
        organization = self.get_object()
        parent = organization.parent
        try:
            services.organization_delete(organization=organization, user=request.user)
        except ValidationError:
            return render(request, self.template_name, self.get_context_data(), status=200)
        messages.success(request, _("The organization was deleted."))
        return redirect(parent if parent else "organizations:organization_list")


class MembershipFigureCreateView(ServiceFormView):
    """Add a year's membership figures to an organization of the branch."""

    model = Organization
    action = Action.CHANGE
    form_class = MembershipFigureForm
    success_message = gettext_lazy("The membership figures were saved.")

    def get_title(self):
        return _("Membership figures of %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, organization=self.object, user=self.request.user)

    def perform(self, form):
        form.save()
        return self.object


class MembershipFigureUpdateView(ServiceFormView):
    model = MembershipFigure
    action = Action.CHANGE
    form_class = MembershipFigureForm
    success_message = gettext_lazy("The membership figures were saved.")

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")

    def get_title(self):
        return _("Membership figures of %(name)s") % {"name": self.object.organization}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        return form.save()


class OrganizationImportView(ImportView):
    model = Organization
    kind = "organizations"
    list_url_name = "organizations:organization_list"
    template_url_name = "organizations:organization_import_template"


class OrganizationImportTemplateView(ImportTemplateView):
    model = Organization
    kind = "organizations"


class FundAllocationListView(ObjectListView):
    model = FundAllocation
    cache_figures = True
    filterset_class = FundAllocationFilter
    table_class = FundAllocationTable
    template_name = "organizations/fundallocation_list.html"
    title = gettext_lazy("Fund allocations")
    create_url_name = "organizations:fundallocation_create"

    def get_base_queryset(self, queryset):
        return queryset.select_related("recipient").annotate(source_label=Coalesce("source__name", "source_name"))

    totals_aggregates = {"total": Sum("amount")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = self.totals["total"]
        context["total"] = total if total is not None else Decimal("0.00")
        context["total_display"] = yuan(context["total"])
        return context


class FundAllocationDetailView(ObjectDetailView):
    model = FundAllocation
    template_name = "organizations/fundallocation_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("source", "recipient")

    def get_context_data(self, **kwargs):
        return super().get_context_data(amount=yuan(self.object.amount), **kwargs)


class FundAllocationCreateView(ServiceFormView):
    model = FundAllocation
    action = Action.ADD
    form_class = FundAllocationCreateForm
    title = gettext_lazy("New fund allocation")

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        recipient_pk = parse_pk(self.request.GET.get("recipient"))
        if data is None and recipient_pk is not None:
            form.initial["recipient"] = form.fields["recipient"].queryset.filter(pk=recipient_pk).first()
        return form

    def perform(self, form):
        fields = dict(form.cleaned_data)
        monthly = fields.pop("monthly")
        months = fields["date"].year if monthly else None
        allocations = services.fund_allocation_create(user=self.request.user, months=months, **fields)
        if monthly:
            messages.success(
                self.request,
                _("%(count)d monthly allocations were recorded, on the 1st of each month of %(year)d.")
                % {"count": len(allocations), "year": months},
            )
        else:
            messages.success(self.request, _("The allocation was recorded."))
        return allocations

    def get_success_url(self, result):
        if len(result) == 1:
            return result[0].get_absolute_url()
        query = urlencode({"recipient": result[0].recipient_id, "year": result[0].date.year})
        return f"{reverse('organizations:fundallocation_list')}?{query}"


class FundAllocationUpdateView(ServiceFormView):
    model = FundAllocation
    action = Action.CHANGE
    form_class = FundAllocationForm
    success_message = gettext_lazy("The allocation was saved.")

    def get_base_queryset(self, queryset):
        return queryset.select_related("source", "recipient")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        return services.fund_allocation_update(allocation=self.object, user=self.request.user, **form.cleaned_data)


class FundAllocationDeleteView(ScopedViewMixin, TemplateView):
    model = FundAllocation
    action = Action.DELETE
    template_name = "organizations/fundallocation_delete.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("source", "recipient")

    def get_context_data(self, **kwargs):
        allocation = self.get_object()
        return {"object": allocation, "amount": yuan(allocation.amount)}

    def post(self, request, pk):
        services.fund_allocation_delete(allocation=self.get_object(), user=request.user)
        messages.success(request, _("The allocation was deleted."))
        return redirect("organizations:fundallocation_list")
