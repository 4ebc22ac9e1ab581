from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organizations.models import FEDERATION_KINDS, MembershipFigure, Organization, Purpose
from standards.models import Assessment, Standard
from standards.reports import Gap, StandardizationReport, default_standard
from unionportal.roles import Action, role_allows
from unionportal.views import ScopedViewMixin, audit
from unionportal.xlsx import workbook_response


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


class StandardizationReportForm(forms.Form):
    """Which report: a federation of the branch (or the user's own organization), a standard
    the user may read (empty: the most assessed one), a year."""

    organization = forms.ModelChoiceField(label=gettext_lazy("Organization"), queryset=Organization.objects.none())
    standard = forms.ModelChoiceField(
        label=gettext_lazy("Standard"),
        queryset=Standard.objects.none(),
        required=False,
        empty_label=gettext_lazy("The most assessed"),
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1949, max_value=2100)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["organization"].queryset = Organization.objects.restrict(user).filter(
            Q(kind__in=FEDERATION_KINDS) | Q(pk=user.organization_id)
        )
        self.fields["standard"].queryset = Standard.objects.restrict(user)


def _exists_or_404(queryset, value):
    """A record named in the query string but outside the user's scope does not exist: 404,
    where a record in scope that the form does not offer is only an error on the form."""
    if value and not (value.isdigit() and queryset.filter(pk=value).exists()):
        raise Http404


class StandardizationReportView(ScopedViewMixin, TemplateView):
    """The standardization report of a branch for a standard and a year: the page (which
    prints on A4 landscape) and, with ?format=xlsx, the workbook."""

    model = Assessment
    template_name = "reports/standardization_report.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        _exists_or_404(Organization.objects.restrict(user), request.GET.get("organization", ""))
        _exists_or_404(Standard.objects.restrict(user), request.GET.get("standard", ""))
        data = {"organization": self.default_organization_pk(), "year": timezone.localdate().year - 1}
        data.update(request.GET.dict())
        form = StandardizationReportForm(data, user=user)
        report = None
        if form.is_valid():
            organization, year = form.cleaned_data["organization"], form.cleaned_data["year"]
            standard = form.cleaned_data["standard"] or default_standard(user, organization, year)
            if standard is not None:
                report = StandardizationReport(user, organization, standard, year)
        if report is not None and request.GET.get("format") == "xlsx":
            if not self.may(Action.EXPORT):
                raise PermissionDenied
            audit(request, "export", detail=f"standardization report {request.GET.urlencode()}")
            filename = _("standardization-%(year)d.xlsx") % {"year": report.year}
            return workbook_response(report.workbook(), filename)
        return self.render_to_response(self.get_context_data(form=form, report=report))

    def default_organization_pk(self):
        user = self.request.user
        if user.organization_id:
            return user.organization_id
        first = Organization.objects.restrict(user).filter(kind__in=FEDERATION_KINDS).first()
        return first.pk if first else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = context["report"]
        context["title"] = report.title if report else _("Standardization report")
        context["may_export"] = self.may(Action.EXPORT)
        if report is not None:
            context["lines"] = self.lines(report)
            before, changes = report.previous_summary["by_rating"], report.summary_changes["by_rating"]
            context["ratings"] = [
                ("★" * int(key), count, before[key], changes[key]) for key, count in report.summary["by_rating"].items()
            ]
        return context

    @staticmethod
    def lines(report):
        gaps = {}
        for gap in report.gaps:
            gaps.setdefault(gap.unit.organization.pk, []).append(gap)
        purposes = dict(Purpose.choices)
        return [
            {
                "row": row,
                "criteria": [row.criteria.get(criterion.code) for criterion in report.criteria],
                "gaps": gaps.get(row.organization.pk, []),
                "rank_gap": any(
                    gap.kind in (Gap.NO_CHAIR, Gap.CHAIR_RANK_BELOW) for gap in gaps.get(row.organization.pk, [])
                ),
                "purposes": [(purposes[purpose], amount) for purpose, amount in row.funds_by_purpose.items() if amount],
            }
            for row in report.rows
        ]
