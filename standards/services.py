"""The assessment workflow: draft → submitted → approved, or returned with a reason.

State changes are conditional updates (`filter(pk=..., status=...).update(...)`) whose row
count says whether this call made the change: two approvers clicking at once, or one
clicking twice, approve once, on SQLite (no row locks) as on PostgreSQL."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from standards import measures
from standards.models import Assessment, AssessmentItem, AssessmentStatus, Evidence
from unionportal import uploads
from unionportal.roles import Action
from unionportal.scoping import may


def _by(instance, user):
    instance._history_user = user
    return instance


def assessment_recompute(assessment):
    items = [(item.criterion, item.met, item.points) for item in assessment.items.select_related("criterion")]
    assessment.score, _must_pass, assessment.compliant, assessment.rating = assessment.standard.verdict(items)
    return assessment


@transaction.atomic
def assessment_create(*, organization, standard, year, user):
    """Open a draft with one item per criterion, measured criteria pre-filled from records."""
    if organization.kind not in standard.kinds:
        raise ValidationError({"standard": _("This standard does not apply to this kind of organization.")})
    assessment = _by(Assessment(organization=organization, standard=standard, year=year, created_by=user), user)
    assessment.full_clean()
    facts = measures.measure(organization, year)
    items = []
    for criterion in standard.criteria.all():
        item = AssessmentItem(criterion=criterion)
        result = measures.evaluate(criterion, facts, standard.expected_chair_rank)
        if result is not None:
            item.met, item.measured = result
            item.points = criterion.points if item.met else 0
        items.append(item)
    # Scored before the first save, so that the history's first version is the assessment as
    # created (saved at 0 and again with its score, it read as a change, or as none).
    verdict = standard.verdict([(item.criterion, item.met, item.points) for item in items])
    assessment.score, _must_pass, assessment.compliant, assessment.rating = verdict
    assessment.save()
    for item in items:
        item.assessment = assessment
        _by(item, user).save()
    return assessment


EVIDENCE_FOLDER = "assessment_evidence"


def _check_editable(assessment):
    """Refuse a change to a submitted or approved assessment. The status is read again, with
    the row locked till the transaction ends (SQLite's IMMEDIATE transactions serialize
    writers anyway): the page was loaded while it was a draft, but it may have been submitted
    since, and a save of the stale copy would put it back to draft."""
    assessment.status = Assessment.objects.select_for_update().values_list("status", flat=True).get(pk=assessment.pk)
    if assessment.lock_reason:
        raise ValidationError(assessment.lock_reason)


@transaction.atomic
def assessment_save_items(*, assessment, items, user, note=None):
    """Save (met, points, note) of each item: `items` maps item pk → dict."""
    _check_editable(assessment)
    for item in assessment.items.select_related("criterion"):
        values = items.get(item.pk)
        if values is None:
            continue
        item.met = values["met"]
        item.points = values["points"] if item.met else 0
        item.note = values.get("note", item.note)
        item.full_clean()
        _by(item, user).save()
    if note is not None:
        assessment.note = note
    assessment_recompute(assessment)
    _by(assessment, user).save(update_fields=["note", "score", "compliant", "rating"])
    return assessment


@transaction.atomic
def evidence_add(*, item, upload, caption="", user):
    """Store a photo backing an item, by the rules of every uploaded picture
    (unionportal.uploads); refused, like any change, once the assessment is submitted."""
    _check_editable(item.assessment)
    return uploads.attach_image(
        Evidence, upload=upload, folder=EVIDENCE_FOLDER, user=user, item=item, caption=caption.strip()
    )


@transaction.atomic
def evidence_delete(*, evidence, user):
    """Remove a photo; the file goes once the deletion is committed."""
    _check_editable(evidence.item.assessment)
    uploads.detach_image(evidence, user=user)


def _transition(assessment, *, user, from_states, **changes):
    updated = Assessment.objects.filter(pk=assessment.pk, status__in=from_states).update(**changes)
    if updated:
        assessment.refresh_from_db()
        # The conditional update wrote no history; this save records who and what.
        _by(assessment, user).save()
    return bool(updated)


@transaction.atomic
def assessment_submit(*, assessment, user):
    assessment_recompute(assessment)
    # The verdict goes in with the state change: a save of its own would add a version to
    # the history, without its author when called outside a request.
    done = _transition(
        assessment,
        user=user,
        from_states=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED],
        score=assessment.score,
        compliant=assessment.compliant,
        rating=assessment.rating,
        status=AssessmentStatus.SUBMITTED,
        submitted_by=user,
        submitted_at=timezone.now(),
        return_reason="",
    )
    if not done:
        raise ValidationError(_("Only a draft or a returned assessment can be submitted."))
    return assessment


def _check_approver(assessment, user):
    if not may(user, Assessment, Action.APPROVE):
        raise PermissionDenied
    if assessment.submitted_by_id == user.pk:
        raise ValidationError(_("You submitted this assessment, so someone else must approve it."))


@transaction.atomic
def assessment_approve(*, assessment, user):
    _check_approver(assessment, user)
    done = _transition(
        assessment,
        user=user,
        from_states=[AssessmentStatus.SUBMITTED],
        status=AssessmentStatus.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
    )
    if not done:
        raise ValidationError(_("This assessment is not waiting for approval (it may just have been approved)."))
    return assessment


@transaction.atomic
def assessment_return(*, assessment, user, reason):
    _check_approver(assessment, user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment is returned.")})
    done = _transition(
        assessment,
        user=user,
        from_states=[AssessmentStatus.SUBMITTED],
        status=AssessmentStatus.RETURNED,
        return_reason=reason.strip()[:300],
    )
    if not done:
        raise ValidationError(_("This assessment is not waiting for approval."))
    return assessment
