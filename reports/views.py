from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from organizations.models import MembershipFigure, Organization
from unionportal.roles import Action, role_allows


class HomeView(LoginRequiredMixin, TemplateView):
    """The landing page: the user's branch at a glance, and where to go from it.
    Auditors, who read nothing but the audit log, land on it."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not user.is_superuser and role_allows(user, Action.READ_AUDIT):
            return redirect("accounts:auditevent_list")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organizations = Organization.objects.restrict(user, Action.VIEW)
        today = timezone.localdate()
        active = organizations.active_on(today)
        if not user.is_superuser:
            active = active.exclude(pk=user.organization_id)
        labels = dict(Organization._meta.get_field("kind").flatchoices)
        context["by_kind"] = [
            {**row, "label": labels.get(row["kind"], row["kind"])}
            for row in active.values("kind").annotate(count=Count("pk")).order_by("kind")
        ]
        context["total"] = sum(row["count"] for row in context["by_kind"])
        year = today.year
        filed = MembershipFigure.objects.restrict(user, Action.VIEW).filter(year=year)
        context["year"] = year
        context["filed"] = filed.count()
        return context
