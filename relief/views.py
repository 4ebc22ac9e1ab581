from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from accounts.audit import record
from accounts.models import REVEAL_PERMISSION, AuditEvent
from accounts.reveal import RevealView
from organizations.tables import yuan
from relief import services
from relief.filters import BeneficiaryFilter, DisbursementFilter, DisbursementSheetFilter, ProgrammeFilter
from relief.forms import BeneficiaryForm, DisbursementForm, ProgrammeForm, ReturnForm, ReverseForm, ReviewForm
from relief.models import COMMITTED, Beneficiary, Disbursement, DisbursementStatus, Programme, Review
from relief.tables import CAUSES, BeneficiaryTable, DisbursementTable, ProgrammeTable
from unionportal.forms import parse_pk
from unionportal.roles import Action, has_permission
from unionportal.views import (
    ImportTemplateView,
    ImportView,
    ObjectDetailView,
    ObjectListView,
    RecordActionView,
    ScopedViewMixin,
    ServiceFormView,
)
from unionportal.xlsx import dated_filename, table_response

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
EDITABLE = (DisbursementStatus.DRAFT, DisbursementStatus.RETURNED)


def _money(condition, prefix="disbursements__"):
    return Coalesce(Sum(F(f"{prefix}cash") + F(f"{prefix}in_kind_value"), filter=condition, output_field=MONEY), ZERO)


def with_money(programmes, user):
    """Programmes with what the user's branch has committed (submitted, approved or paid) and
    paid from each, and what remains of the budget: a subquery a figure inside the query that
    reads the programmes, no query a row.

    A programme of the city is shared by every district below it: a district counts its own
    disbursements of it, never another district's (a join counted every branch's, so a
    district read the others' spending). The budget is the owner's figure, and every reader
    sees it. What remains is read only where the programme is run within the reader's branch
    (`Programme.run_within`); below it is None, shown as a dash: budget less the district's own
    use would promise money the other districts have taken."""
    disbursements = Disbursement.objects.restrict(user).filter(programme=OuterRef("pk")).order_by()
    disbursements = disbursements.values("programme").annotate(total=Sum(F("cash") + F("in_kind_value")))

    def money(**condition):
        return Coalesce(Subquery(disbursements.filter(**condition).values("total"), output_field=MONEY), ZERO)

    programmes = programmes.annotate(committed=money(status__in=COMMITTED), paid=money(status=DisbursementStatus.PAID))
    remaining = F("budget") - F("committed")
    within = Programme.run_within(user)
    if within is None:
        return programmes.annotate(remaining=remaining)
    return programmes.annotate(remaining=Case(When(within, then=remaining), default=None, output_field=MONEY))


def _yuan(value):
    return None if value is None else yuan(value)


# Amount and person-times of some disbursements: one per person, the head count of a group,
# taken back by a reversing entry.
DISBURSEMENT_TOTALS = {
    "amount": _money(None, prefix=""),
    "persons": Count("pk", filter=Q(beneficiary__isnull=False, reverses__isnull=True)),
    "persons_back": Count("pk", filter=Q(beneficiary__isnull=False, reverses__isnull=False)),
    "groups": Coalesce(Sum("head_count", filter=Q(beneficiary__isnull=True, reverses__isnull=True)), 0),
    "groups_back": Coalesce(Sum("head_count", filter=Q(beneficiary__isnull=True, reverses__isnull=False)), 0),
    "count": Count("pk"),
}


def totals(disbursements):
    """DISBURSEMENT_TOTALS of some disbursements, in one aggregate."""
    return disbursement_totals(disbursements.order_by().aggregate(**DISBURSEMENT_TOTALS))


def disbursement_totals(figures):
    return {
        "amount": yuan(figures["amount"]),
        "amount_value": figures["amount"],
        "person_times": figures["persons"] - figures["persons_back"] + figures["groups"] - figures["groups_back"],
        "count": figures["count"],
    }


class ReliefTabsMixin:
    active_tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_tab"] = self.active_tab
        return context


# Hardship files


class BeneficiaryListView(ReliefTabsMixin, ObjectListView):
    model = Beneficiary
    cache_figures = True
    filterset_class = BeneficiaryFilter
    table_class = BeneficiaryTable
    title = gettext_lazy("Hardship files")
    template_name = "relief/beneficiary_list.html"
    create_url_name = "relief:beneficiary_create"
    import_url_name = "relief:beneficiary_import"
    active_tab = "beneficiaries"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")


class BeneficiaryDetailView(ObjectDetailView):
    model = Beneficiary
    template_name = "relief/beneficiary_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        disbursements = Disbursement.objects.restrict(self.request.user).filter(beneficiary=person)
        context.update(
            reviews=person.reviews.all(),
            disbursements=disbursements.select_related("programme", "paying_organization"),
            totals=totals(disbursements.paid()),
            may_reveal=self.request.user.may_reveal,
            may_add_disbursement=self.may(Action.ADD, Disbursement),
            causes=[CAUSES.get(cause, cause) for cause in person.causes],
            income=yuan(person.monthly_income_per_head),
        )
        return context


class BeneficiaryFormView(ServiceFormView):
    model = Beneficiary
    form_class = BeneficiaryForm
    success_message = gettext_lazy("The hardship file was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New hardship file")

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        person = form.save(commit=False)
        person._history_user = self.request.user
        person.save()
        return person


class BeneficiaryRevealView(RevealView):
    model = Beneficiary
    fields = ("id_number", "bank_account")


class ReviewCreateView(ServiceFormView):
    """The yearly review of a hardship file of the branch."""

    model = Beneficiary
    action = Action.CHANGE
    form_class = ReviewForm
    success_message = gettext_lazy("The review was recorded.")

    def get_title(self):
        return _("Yearly review of %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=Review(beneficiary=self.object), user=self.request.user)

    def perform(self, form):
        services.review_add(beneficiary=self.object, user=self.request.user, **form.cleaned_data)
        return self.object


class BeneficiaryImportView(ImportView):
    model = Beneficiary
    kind = "beneficiaries"
    list_url_name = "relief:beneficiary_list"
    template_url_name = "relief:beneficiary_import_template"


class BeneficiaryImportTemplateView(ImportTemplateView):
    model = Beneficiary
    kind = "beneficiaries"


# Programmes (reference data)


class ProgrammeListView(ReliefTabsMixin, ObjectListView):
    model = Programme
    filterset_class = ProgrammeFilter
    table_class = ProgrammeTable
    title = gettext_lazy("Relief programmes")
    template_name = "relief/programme_list.html"
    create_url_name = "relief:programme_create"
    active_tab = "programmes"

    def get_base_queryset(self, queryset):
        return with_money(queryset.select_related("owner"), self.request.user)

    def get_table_kwargs(self):
        return {"user": self.request.user, "may_change": self.may(Action.CHANGE)}

    # Aliases other than the annotations' names: an aggregate named as the annotation it
    # sums replaces it in Django's subquery, and sums a string (0 on SQLite). What remains is
    # added up over the programmes run in the reader's branch (see `with_money`); None, shown
    # as a dash, when none of them is.
    totals_aggregates = {
        **{f"total_{name}": Coalesce(Sum(name), ZERO) for name in ("budget", "committed", "paid")},
        "total_remaining": Sum("remaining"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = {name.removeprefix("total_"): _yuan(value) for name, value in self.totals.items()}
        return context


class ProgrammeDetailView(ObjectDetailView):
    model = Programme
    template_name = "relief/programme_detail.html"
    shown = 50

    def get_base_queryset(self, queryset):
        return with_money(queryset.select_related("owner"), self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme = self.object
        user = self.request.user
        # The disbursements the reader's branch made from it, as are the budget figures but the
        # budget itself (`with_money`).
        mine = Disbursement.objects.restrict(user).filter(programme=programme)
        context.update(
            disbursements=mine.select_related("beneficiary", "paying_organization")[: self.shown],
            branch_totals=totals(mine.paid()),
            shown=self.shown,
            money={
                name: _yuan(getattr(programme, name))
                for name in ("budget", "standard_amount", "cap_per_person", "committed", "paid", "remaining")
            },
            may_change=Programme.objects.restrict(user, Action.CHANGE).filter(pk=programme.pk).exists(),
            may_add_disbursement=self.may(Action.ADD, Disbursement),
        )
        return context


class ProgrammeFormView(ServiceFormView):
    """Administrators add the programmes of their branch and change those."""

    model = Programme
    form_class = ProgrammeForm
    success_message = gettext_lazy("The programme was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New relief programme")

    def get_form(self, data=None, files=None):
        user = self.request.user
        instance = self.object or Programme(owner=None if user.is_superuser else user.organization)
        return self.form_class(data=data, instance=instance, user=user)

    def perform(self, form):
        programme = form.save(commit=False)
        programme._history_user = self.request.user
        programme.save()
        return programme


# Disbursements


class DisbursementListView(ReliefTabsMixin, ObjectListView):
    model = Disbursement
    page_by_keys = True
    cache_figures = True
    filterset_class = DisbursementFilter
    table_class = DisbursementTable
    title = gettext_lazy("Disbursements")
    template_name = "relief/disbursement_list.html"
    create_url_name = "relief:disbursement_create"
    import_url_name = "relief:disbursement_import"
    active_tab = "disbursements"

    def get_base_queryset(self, queryset):
        return queryset.select_related("programme", "beneficiary", "paying_organization").annotate(
            total=F("cash") + F("in_kind_value")
        )

    totals_aggregates = DISBURSEMENT_TOTALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = disbursement_totals(self.totals)
        # The button only: the payout view itself asks `user.may_reveal`.
        context["may_payout"] = self.may(Action.EXPORT) and has_permission(self.request.user, REVEAL_PERMISSION)
        return context


class DisbursementDetailView(ObjectDetailView):
    model = Disbursement
    template_name = "relief/disbursement_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related(
            "programme__owner",
            "beneficiary__organization",
            "paying_organization",
            "reverses",
            "created_by",
            "submitted_by",
            "approved_by",
            "paid_by",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        disbursement = self.object
        user = self.request.user
        status = disbursement.status
        may_change = self.may(Action.CHANGE)
        reversal = Disbursement.objects.restrict(user).filter(reverses=disbursement).first()
        context.update(
            may_edit=may_change and status in EDITABLE,
            may_review=status == DisbursementStatus.SUBMITTED and self.may(Action.APPROVE),
            submitted_by_me=disbursement.submitted_by_id == user.pk,
            may_pay=may_change and status == DisbursementStatus.APPROVED,
            may_reverse=(
                may_change
                and status == DisbursementStatus.PAID
                and not disbursement.reverses_id
                and not hasattr(disbursement, "reversal")
            ),
            reversal=reversal,
            money={
                name: yuan(value)
                for name, value in (
                    ("cash", disbursement.cash),
                    ("in_kind_value", disbursement.in_kind_value),
                    ("amount", disbursement.amount),
                )
            },
            show_beneficiary=bool(disbursement.beneficiary_id)
            and Beneficiary.objects.restrict(user).filter(pk=disbursement.beneficiary_id).exists(),
        )
        return context


class DisbursementCreateView(ServiceFormView):
    model = Disbursement
    action = Action.ADD
    form_class = DisbursementForm
    title = gettext_lazy("New disbursement")
    success_message = gettext_lazy("The disbursement was saved as a draft; submit it for approval.")

    def get_form(self, data=None, files=None):
        form = self.form_class(data=data, user=self.request.user)
        if data is None:
            for name in ("beneficiary", "programme"):
                chosen = parse_pk(self.request.GET.get(name))
                if chosen is not None and form.fields[name].queryset.filter(pk=chosen).exists():
                    form.initial[name] = chosen
        return form

    def perform(self, form):
        fields = {name: value for name, value in form.cleaned_data.items() if name != "recipient_type"}
        return services.disbursement_create(user=self.request.user, **fields)


class DisbursementUpdateView(ServiceFormView):
    """A draft or a returned disbursement is edited; any other is locked, and its page says so."""

    model = Disbursement
    action = Action.CHANGE
    form_class = DisbursementForm
    success_message = gettext_lazy("The disbursement was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def locked(self):
        messages.error(self.request, _("Only a draft or a returned disbursement can be changed."))
        return redirect(self.object)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in EDITABLE:
            return self.locked()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in EDITABLE:
            return self.locked()
        return super().post(request, *args, **kwargs)

    @transaction.atomic
    def perform(self, form):
        # Submitted in another tab meanwhile: the row is locked and checked again before saving.
        if not self.queryset.select_for_update().filter(pk=self.object.pk, status__in=EDITABLE).exists():
            raise ValidationError(_("Only a draft or a returned disbursement can be changed."))
        disbursement = form.save(commit=False)
        disbursement._history_user = self.request.user
        disbursement.save()
        return disbursement


class DisbursementActionView(RecordActionView):
    """A button on the disbursement page (POST only). A refusal by the service (the state has
    moved on, a rule is broken, the approver submitted it) is a message on the page."""

    model = Disbursement


class DisbursementSubmitView(DisbursementActionView):
    action = Action.CHANGE
    success_message = gettext_lazy("The disbursement was submitted for approval.")

    def perform(self, disbursement):
        services.disbursement_submit(disbursement=disbursement, user=self.request.user)


class DisbursementApproveView(DisbursementActionView):
    action = Action.APPROVE
    success_message = gettext_lazy("The disbursement was approved.")

    def perform(self, disbursement):
        services.disbursement_approve(disbursement=disbursement, user=self.request.user)


class DisbursementReturnView(DisbursementActionView):
    action = Action.APPROVE
    success_message = gettext_lazy("The disbursement was returned with your reason.")

    def perform(self, disbursement):
        form = ReturnForm(self.request.POST, user=self.request.user)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.disbursement_return(disbursement=disbursement, user=self.request.user, reason=reason)


class DisbursementPayView(DisbursementActionView):
    action = Action.CHANGE
    success_message = gettext_lazy("The disbursement is recorded as paid.")

    def perform(self, disbursement):
        services.disbursement_pay(disbursement=disbursement, user=self.request.user)


class DisbursementReverseView(ServiceFormView):
    """Correct a paid disbursement with a reversing entry, which then goes through approval."""

    model = Disbursement
    action = Action.CHANGE
    form_class = ReverseForm
    success_message = gettext_lazy("The reversing entry was saved as a draft; submit it for approval.")

    def get_base_queryset(self, queryset):
        return queryset.select_related("programme", "beneficiary")

    def get_title(self):
        return _("Correct %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        form = self.form_class(data=data, user=self.request.user)
        today = timezone.localdate()
        # The correction is dated in the programme's year (the model's rule).
        form.initial["date"] = today if today.year == self.object.programme.year else self.object.date
        return form

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != DisbursementStatus.PAID or hasattr(self.object, "reversal"):
            messages.error(request, _("Only a paid disbursement not yet reversed can be corrected."))
            return redirect(self.object)
        return self.render_form(self.get_form())

    def perform(self, form):
        return services.disbursement_reverse(disbursement=self.object, user=self.request.user, **form.cleaned_data)


class DisbursementImportView(ImportView):
    model = Disbursement
    kind = "disbursements"
    list_url_name = "relief:disbursement_list"
    template_url_name = "relief:disbursement_import_template"


class DisbursementImportTemplateView(ImportTemplateView):
    model = Disbursement
    kind = "disbursements"


# The bank payout list and the publicity list


def _sheet_rows(filterset):
    # An invalid filter lists nothing, as the generic lists do.
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


class DisbursementPayoutView(ScopedViewMixin, View):
    """The bank payout list (代发清单) of approved disbursements to persons: the one export
    that carries full ID and account numbers, and so only for users who may reveal them;
    recorded as an export and as a reveal."""

    model = Disbursement
    action = Action.EXPORT

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.may_reveal:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self, queryset):
        return queryset.filter(
            status=DisbursementStatus.APPROVED, beneficiary__isnull=False, reverses__isnull=True
        ).select_related("beneficiary", "programme", "paying_organization")

    def get(self, request):
        filterset = DisbursementSheetFilter(request.GET, queryset=self.queryset, request=request)
        disbursements = _sheet_rows(filterset).order_by("paying_organization__path", "programme__name", "pk")
        headers = [
            _("No."),
            _("Full name"),
            _("Resident ID number"),
            _("Bank"),
            _("Bank account"),
            _("Amount (yuan)"),
            _("Relief programme"),
            _("Paying organization"),
        ]
        rows = [
            [
                number,
                item.beneficiary.full_name,
                item.beneficiary.id_number,
                item.beneficiary.bank_name,
                item.beneficiary.bank_account,
                item.amount,
                str(item.programme),
                item.paying_organization.name,
            ]
            for number, item in enumerate(disbursements, start=1)
        ]
        params = {"report": "payout", "count": len(rows), "query": request.GET.urlencode()}
        record(request, AuditEvent.Kind.EXPORT, message="exported", params=params)
        # The payout list shows ID and account numbers in full: a reveal of every row.
        fields = ["id_number", "bank_account"]
        record(request, AuditEvent.Kind.REVEAL, message="exported", params={**params, "fields": fields})
        return table_response(_("Bank payout list"), headers, rows, dated_filename(_("Bank payout list")))


class DisbursementPublicityView(ReliefTabsMixin, ScopedViewMixin, TemplateView):
    """The publicity list (公示名单) of paid disbursements to persons: masked ID numbers, for the
    notice board (a print-friendly page) or as a workbook. A payment that was reversed, and
    the reversing entry, are not listed."""

    model = Disbursement
    template_name = "relief/publicity.html"
    active_tab = "publicity"

    def get_base_queryset(self, queryset):
        return (
            queryset.paid()
            .filter(beneficiary__isnull=False, reverses__isnull=True)
            .exclude(reversal__status=DisbursementStatus.PAID)
            .select_related("beneficiary__organization", "programme")
            .order_by("programme__year", "programme__name", "beneficiary__organization__path", "date", "pk")
        )

    def rows(self, filterset):
        return [
            {
                "number": number,
                "name": item.beneficiary.full_name,
                "id_number": item.beneficiary.masked_id_number,
                "organization": item.beneficiary.organization.name,
                "programme": str(item.programme),
                "amount": item.amount,
                "date": item.date,
                "url": item.get_absolute_url(),
            }
            for number, item in enumerate(_sheet_rows(filterset), start=1)
        ]

    def get(self, request, *args, **kwargs):
        filterset = DisbursementSheetFilter(request.GET, queryset=self.queryset, request=request)
        rows = self.rows(filterset)
        if request.GET.get("export") == "xlsx":
            return self.export(rows)
        context = self.get_context_data(
            filter=filterset,
            rows=rows,
            total=yuan(sum((row["amount"] for row in rows), Decimal("0.00"))),
            title=_("Publicity list"),
            may_export=self.may(Action.EXPORT),
        )
        return self.render_to_response(context)

    def export(self, rows):
        if not self.may(Action.EXPORT):
            raise PermissionDenied
        headers = [
            _("No."),
            _("Full name"),
            _("Resident ID number"),
            _("Responsible union"),
            _("Relief programme"),
            _("Amount (yuan)"),
            _("Date paid"),
        ]
        values = [
            [
                row["number"],
                row["name"],
                row["id_number"],
                row["organization"],
                row["programme"],
                row["amount"],
                row["date"],
            ]
            for row in rows
        ]
        record(
            self.request,
            AuditEvent.Kind.EXPORT,
            message="exported",
            params={"report": "publicity", "count": len(values), "query": self.request.GET.urlencode()},
        )
        return table_response(_("Publicity list"), headers, values, dated_filename(_("Publicity list")))
