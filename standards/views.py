from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView

from cadres.models import Rank
from standards import services
from standards.filters import AssessmentFilter, StandardFilter
from standards.forms import (
    AssessmentCreateForm,
    AssessmentItemFormSet,
    AssessmentNoteForm,
    CriterionInlineFormSet,
    StandardForm,
    ThresholdInlineFormSet,
)
from standards.models import Assessment, AssessmentItem, AssessmentStatus, Evidence, Standard
from standards.tables import AssessmentTable, StandardTable
from unionportal.forms import parse_pk
from unionportal.roles import Action
from unionportal.views import (
    ImageDeleteView,
    ImageUploadView,
    ImageView,
    ObjectDetailView,
    ObjectListView,
    RecordActionView,
    ScopedViewMixin,
    ServiceFormView,
)


class StandardListView(ObjectListView):
    model = Standard
    filterset_class = StandardFilter
    table_class = StandardTable
    title = pgettext_lazy("list of standards", "Standards")
    template_name = "standards/standard_list.html"
    create_url_name = "standards:standard_create"

    def get_base_queryset(self, queryset):
        return queryset.select_related("owner").annotate(criteria_count=Count("criteria"))


class StandardDetailView(ObjectDetailView):
    """A standard as everyone who reads it sees it, with the assessments of the user's branch
    made against it."""

    model = Standard
    template_name = "standards/standard_detail.html"
    assessments_shown = 50

    def get_base_queryset(self, queryset):
        return queryset.select_related("owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard = self.object
        user = self.request.user
        assessments = Assessment.objects.restrict(user).filter(standard=standard)
        context.update(
            criteria=standard.criteria.all(),
            thresholds=standard.thresholds.all(),
            expected_chair_rank=Rank(standard.expected_chair_rank).label if standard.expected_chair_rank else "",
            assessments=assessments.select_related("organization")[: self.assessments_shown],
            assessment_count=assessments.count(),
            # Readable here, but changed only in the owner's branch (a city standard, for a district).
            may_change=Standard.objects.restrict(user, Action.CHANGE).filter(pk=standard.pk).exists(),
            may_assess=standard.active and self.may(Action.ADD, Assessment),
        )
        return context


class StandardFormView(ScopedViewMixin, TemplateView):
    """A standard with its criteria and rating thresholds, on one page and in one transaction."""

    model = Standard
    template_name = "standards/standard_form.html"

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_forms(self, data=None):
        user = self.request.user
        if "pk" in self.kwargs:
            standard = self.get_object()
        else:
            standard = Standard(owner=None if user.is_superuser else user.organization)
        form = StandardForm(data=data, instance=standard, user=user)
        criteria = CriterionInlineFormSet(
            data=data,
            instance=standard,
            prefix="criteria",
            queryset=standard.criteria.annotate(used=Count("items")) if standard.pk else None,
        )
        thresholds = ThresholdInlineFormSet(data=data, instance=standard, prefix="thresholds")
        return form, criteria, thresholds

    def get(self, request, *args, **kwargs):
        return self.render_forms(*self.get_forms())

    def post(self, request, *args, **kwargs):
        form, criteria, thresholds = self.get_forms(request.POST)
        # The standard's form first: the criteria check its expected rank of the chair.
        if all([form.is_valid(), criteria.is_valid(), thresholds.is_valid()]):
            try:
                standard = self.save(form, criteria, thresholds)
            except ProtectedError:
                # A criterion put to use by an assessment opened since the form was checked.
                form.add_error(None, _("A criterion to be deleted is used by an assessment; nothing was saved."))
            else:
                messages.success(request, _("The standard was saved."))
                return HttpResponseRedirect(standard.get_absolute_url())
        return self.render_forms(form, criteria, thresholds)

    @transaction.atomic
    def save(self, form, criteria, thresholds):
        user = self.request.user
        standard = form.save(commit=False)
        standard._history_user = user
        standard.save()
        for formset in (criteria, thresholds):
            formset.instance = standard
            changed = formset.save(commit=False)
            # Deletions first, so that a deleted row's code or stars may be reused by a new one.
            for obj in formset.deleted_objects:
                obj._history_user = user
                obj.delete()
            for obj in changed:
                obj._history_user = user
                obj.save()
        return standard

    def render_forms(self, form, criteria, thresholds):
        standard = form.instance
        title = _("Edit %(name)s") % {"name": standard} if standard.pk else _("New standard")
        return self.render_to_response(
            self.get_context_data(
                form=form,
                criteria=criteria,
                thresholds=thresholds,
                object=standard if standard.pk else None,
                title=title,
            )
        )


class AssessmentListView(ObjectListView):
    model = Assessment
    filterset_class = AssessmentFilter
    table_class = AssessmentTable
    title = gettext_lazy("Assessments")
    template_name = "standards/assessment_list.html"
    create_url_name = "standards:assessment_create"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization", "standard")


class AssessmentCreateView(ServiceFormView):
    """Open a draft: one item per criterion, those the portal can measure pre-filled."""

    model = Assessment
    action = Action.ADD
    form_class = AssessmentCreateForm
    title = gettext_lazy("New assessment")
    success_message = gettext_lazy("The assessment was opened; criteria measured from the records are pre-filled.")

    def get_form(self, data=None, files=None):
        standard = None
        chosen = parse_pk(self.request.GET.get("standard"))
        if data is None and chosen is not None:
            standard = Standard.objects.restrict(self.request.user).filter(active=True, pk=chosen).first()
        return self.form_class(data=data, standard=standard, **self.get_form_kwargs())

    def perform(self, form):
        return services.assessment_create(user=self.request.user, **form.cleaned_data)


class AssessmentDetailView(ObjectDetailView):
    model = Assessment
    template_name = "standards/assessment_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization", "standard", "created_by", "submitted_by", "approved_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = self.object
        user = self.request.user
        editable = self.may(Action.CHANGE) and not assessment.is_locked
        waiting = assessment.status == AssessmentStatus.SUBMITTED
        context.update(
            items=assessment.items.select_related("criterion").prefetch_related("evidence"),
            thresholds=assessment.standard.thresholds.all(),
            prepared_at=assessment.history.filter(history_type="+").values_list("history_date", flat=True).first(),
            may_edit=editable,
            may_submit=editable,
            may_review=waiting and self.may(Action.APPROVE),
            submitted_by_me=assessment.submitted_by_id == user.pk,
            returned_by=self.returned_by(context["history"]),
        )
        return context

    @staticmethod
    def returned_by(history):
        """Who returned it, which only the history keeps (the panel has just read it): the
        user of the newest version that moved the status to returned."""
        for row in history:
            record = row["record"]
            previous = record.previous_version
            if record.status == AssessmentStatus.RETURNED and (previous is None or previous.status != record.status):
                return record.history_user
        return None


class AssessmentEditView(ScopedViewMixin, TemplateView):
    """Every item of an assessment on one form: met, points given, note."""

    model = Assessment
    action = Action.CHANGE
    template_name = "standards/assessment_edit.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization", "standard")

    def get_forms(self, data=None):
        assessment = self.object
        items = AssessmentItemFormSet(data=data, queryset=assessment.items.select_related("criterion"), prefix="items")
        note = AssessmentNoteForm(data=data, initial={"note": assessment.note})
        return items, note

    def refuse(self, message):
        messages.error(self.request, message)
        return redirect(self.object)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.lock_reason:
            return self.refuse(self.object.lock_reason)
        return self.render_forms(*self.get_forms())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.lock_reason:
            return self.refuse(self.object.lock_reason)
        items, note = self.get_forms(request.POST)
        if items.is_valid() and note.is_valid():
            try:
                services.assessment_save_items(
                    assessment=self.object, items=items.values(), note=note.cleaned_data["note"], user=request.user
                )
            except ValidationError as error:
                if self.object.lock_reason:
                    return self.refuse(" ".join(error.messages))
                note.add_error(None, error)
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect(self.object)
        return self.render_forms(items, note)

    def render_forms(self, items, note):
        title = _("Assess %(assessment)s") % {"assessment": self.object}
        return self.render_to_response(
            self.get_context_data(object=self.object, formset=items, note_form=note, title=title)
        )


class AssessmentActionView(RecordActionView):
    """A button on the assessment page (POST only). A refusal by the service is a message on
    the page; a role that may never do it gets 403, a record outside the branch 404."""

    model = Assessment


class AssessmentSubmitView(AssessmentActionView):
    action = Action.CHANGE
    success_message = gettext_lazy("The assessment was submitted for approval.")

    def perform(self, assessment):
        services.assessment_submit(assessment=assessment, user=self.request.user)


class AssessmentApproveView(AssessmentActionView):
    action = Action.APPROVE
    success_message = gettext_lazy("The assessment was approved.")

    def perform(self, assessment):
        services.assessment_approve(assessment=assessment, user=self.request.user)


class AssessmentReturnView(AssessmentActionView):
    action = Action.APPROVE
    success_message = gettext_lazy("The assessment was returned with your reason.")

    def perform(self, assessment):
        services.assessment_return(
            assessment=assessment, user=self.request.user, reason=self.request.POST.get("reason", "")
        )


class EvidenceUploadView(ImageUploadView):
    """A photo (with a caption) backing one item of an assessment."""

    model = AssessmentItem

    def get_base_queryset(self, queryset):
        return queryset.select_related("assessment")

    def attach(self, item, upload, caption):
        services.evidence_add(item=item, upload=upload, caption=caption, user=self.request.user)

    def redirect_url(self, item):
        return f"{item.assessment.get_absolute_url()}#item-{item.pk}"


class EvidenceImageView(ImageView):
    model = Evidence


class EvidenceDeleteView(ImageDeleteView):
    model = Evidence

    def get_base_queryset(self, queryset):
        return queryset.select_related("item__assessment")

    def detach(self, evidence):
        services.evidence_delete(evidence=evidence, user=self.request.user)

    def redirect_url(self, evidence):
        return f"{evidence.item.assessment.get_absolute_url()}#item-{evidence.item_id}"
