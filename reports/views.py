from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organizations.models import FEDERATION_KINDS, Organization, Purpose
from reports.filters import MissingFiguresFilter
from reports.forms import AnnualSummaryForm, DashboardForm, recent_years
from reports.summary import FILING_KINDS, AnnualSummary, Dashboard, last_calendar_year, scoped_organization
from reports.tables import MissingFiguresTable
from reports.workbook import summary_workbook
from standards.models import Assessment, Standard
from standards.reports import Gap, StandardizationReport, default_standard
from unionportal.forms import parse_pk
from unionportal.roles import Action, role_allows
from unionportal.views import ObjectListView, ScopedViewMixin, audit
from unionportal.xlsx import workbook_response


class DashboardView(ScopedViewMixin, TemplateView):
    """The leader's dashboard of a branch (the user's organization unless `organization` names
    another in scope): this year's key figures against the same days of last year (or, with
    `year`, one of the five years before, whole, against the year before it), the children's
    table, the charts, relief waiting for approval and the units that have not filed the year's
    membership figures. Every number links to the records behind it."""

    model = Organization
    template_name = "reports/dashboard.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        value = request.GET.get("organization", "")
        _exists_or_404(Organization.objects.restrict(user), value)
        organization = scoped_organization(user, value) if value else default_organization(user)
        return self.render_dashboard(organization)

    def render_dashboard(self, organization):
        form = DashboardForm(self.request.GET, today=timezone.localdate())
        dashboard = None
        if organization is not None:
            dashboard = Dashboard(self.request.user, organization, year=form.chosen_year)
        return self.render_to_response(
            self.get_context_data(dashboard=dashboard, organization=organization, year_form=form)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = context["dashboard"]
        context["title"] = _("Dashboard")
        if dashboard is not None:
            # The year picker's links keep the organization asked for; this year needs no year.
            chosen = {"organization": dashboard.organization.pk} if self.request.GET.get("organization") else {}
            context["years"] = [
                {
                    "year": year,
                    "query": urlencode({**chosen, **({} if year == dashboard.today.year else {"year": year})}),
                    "active": year == dashboard.year,
                }
                for year, _label in context["year_form"].fields["year"].choices
            ]
            context["charts"] = dashboard.charts_json()
            context["summary_query"] = urlencode(
                {
                    "organization": dashboard.organization.pk,
                    "from": dashboard.period.start.isoformat(),
                    "to": dashboard.period.end.isoformat(),
                }
            )
        return context


class HomeView(DashboardView):
    """The landing page: the dashboard of the user's branch. Auditors, who read nothing but the
    audit log, land on it."""

    template_name = "home.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if not hasattr(self, request.method.lower()):
                return self.http_method_not_allowed(request, *args, **kwargs)
            if not user.is_superuser and role_allows(user, Action.READ_AUDIT):
                return redirect("accounts:auditevent_list")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_dashboard(default_organization(request.user))


def default_organization(user):
    """The user's own organization; for a superuser, the first top-level federation."""
    if user.organization_id:
        return user.organization
    return Organization.objects.restrict(user).filter(depth=1).first()


class AnnualSummaryView(ScopedViewMixin, TemplateView):
    """The annual summary of any organization in scope for any period (last calendar year by
    default): the page, which prints on A4, and with ?format=xlsx the workbook."""

    model = Organization
    template_name = "reports/annual_summary.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        _exists_or_404(Organization.objects.restrict(user), request.GET.get("organization", ""))
        default = last_calendar_year()
        organization = default_organization(user)
        data = {
            "organization": organization.pk if organization else None,
            "from": default.start.isoformat(),
            "to": default.end.isoformat(),
        }
        data.update(request.GET.dict())
        form = AnnualSummaryForm(data, user=user)
        summary = None
        if form.is_valid():
            summary = AnnualSummary(user, form.cleaned_data["organization"], form.period)
        if summary is not None and request.GET.get("format") == "xlsx":
            if not self.may(Action.EXPORT):
                raise PermissionDenied
            audit(
                request,
                "export",
                message="report",
                params={"report": "annual_summary", "query": request.GET.urlencode()},
            )
            workbook = summary_workbook(summary, generated_by=user.full_name or user.username)
            filename = _("annual-summary-%(start)s-%(end)s.xlsx") % {
                "start": summary.period.start.isoformat(),
                "end": summary.period.end.isoformat(),
            }
            return workbook_response(workbook, filename)
        return self.render_to_response(self.get_context_data(form=form, summary=summary))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = context["summary"]
        context["title"] = _("Annual summary")
        context["may_export"] = self.may(Action.EXPORT)
        context["years"] = [
            {"year": year, "from": f"{year}-01-01", "to": f"{year}-12-31"}
            for year in recent_years(timezone.localdate())
        ]
        if summary is not None:
            context["charts"] = summary.charts_json()
        return context


class MissingFiguresView(ObjectListView):
    """Grassroots units of a branch, active today, that have filed no membership figures for a
    year (this year by default): the dashboard's count, unit by unit."""

    model = Organization
    filterset_class = MissingFiguresFilter
    table_class = MissingFiguresTable
    title = gettext_lazy("Units without membership figures")

    def get_base_queryset(self, queryset):
        return (
            queryset.active_on(timezone.localdate())
            .filter(kind__in=FILING_KINDS)
            .select_related("parent")
            .annotate(last_filed=Max("membership_figures__year"))
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = kwargs["data"].copy() if kwargs["data"] is not None else QueryDict(mutable=True)
        if "year" not in data:
            data["year"] = str(timezone.localdate().year)
        kwargs["data"] = data
        return kwargs


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
    if value and not ((pk := parse_pk(value)) is not None and queryset.filter(pk=pk).exists()):
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
            if too_large_for_a_workbook(report):
                messages.warning(request, workbook_too_large_message())
                query = request.GET.copy()
                del query["format"]
                return redirect(f"{request.path}?{query.urlencode()}")
            params = {"report": "standardization", "query": request.GET.urlencode()}
            audit(request, "export", message="report", params=params)
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
            # A page of units at a time (every unit of a county's report on one page): the
            # summary above counts them all.
            paginator = CountedPaginator(
                report.unit_queryset(), max(1, settings.REPORT_UNITS_PER_PAGE), count=report.summary["units"]
            )
            page = paginator.get_page(self.request.GET.get("page"))
            context["page_obj"] = page
            context["lines"] = self.lines(report, report.rows_for(page.object_list))
            context["any_gaps"] = any(line["gaps"] for line in context["lines"])
            context["workbook_too_large"] = too_large_for_a_workbook(report)
            before, changes = report.previous_summary["by_rating"], report.summary_changes["by_rating"]
            context["ratings"] = [
                ("★" * int(key), count, before[key], changes[key]) for key, count in report.summary["by_rating"].items()
            ]
        return context

    @staticmethod
    def lines(report, rows):
        gaps = {}
        for gap in report.gaps_for(rows):
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
            for row in rows
        ]


class CountedPaginator(Paginator):
    """A paginator told its count: the report has counted its units already."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self):
        return self._count


def too_large_for_a_workbook(report):
    """A workbook of every unit, with its merged header, is built in memory: a province's
    240,000 units would take minutes and gigabytes (a city's 17,000: 18 s, 2.2 MB)."""
    return report.summary["units"] > settings.REPORT_WORKBOOK_MAX_UNITS


def workbook_too_large_message():
    return _(
        "This report has more than %(limit)s units, too many for one workbook: choose a federation "
        "further down the tree. The page shows every unit, a page at a time."
    ) % {"limit": f"{settings.REPORT_WORKBOOK_MAX_UNITS:,}"}
