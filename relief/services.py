"""The disbursement workflow: draft → submitted → approved → paid, or returned with a reason.

Every state change is a conditional update whose row count says whether this call made it,
so a double click, two tabs or two approvers change the state once. The money rules (cap per
person, budget, one payment of a programme per person per year) are checked when a
disbursement is submitted and again when it is approved, with the programme's row locked
(PostgreSQL) or the database's write lock held (SQLite, IMMEDIATE transactions), so two
approvals cannot both fit into the last of a budget."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relief.models import (
    COMMITTED,
    BeneficiaryStatus,
    Disbursement,
    DisbursementStatus,
    Programme,
    Review,
)
from unionportal.roles import Action, Role
from unionportal.scoping import may


def _by(instance, user):
    instance._history_user = user
    return instance


def _sum(queryset):
    totals = queryset.aggregate(cash=Sum("cash"), kind=Sum("in_kind_value"))
    return (totals["cash"] or Decimal(0)) + (totals["kind"] or Decimal(0))


def check_rules(disbursement, user):
    """Refuse, with the reason, what would break the programme's rules. The acting user reads
    what remains of the budget only where the whole programme is in their branch."""
    programme = Programme.objects.select_for_update().get(pk=disbursement.programme_id)
    others = Disbursement.objects.filter(programme=programme, status__in=COMMITTED).exclude(pk=disbursement.pk)
    if disbursement.reverses_id:
        return
    beneficiary = disbursement.beneficiary
    if beneficiary is not None and not disbursement.historical and beneficiary.status != BeneficiaryStatus.ON_FILE:
        raise ValidationError(
            _("%(name)s is no longer on file (%(status)s): no relief is paid on a lifted or closed file.")
            % {"name": beneficiary.full_name, "status": beneficiary.get_status_display()},
            code="not_on_file",
        )
    committed = _sum(others)
    if committed + disbursement.amount > programme.budget:
        if programme.is_run_within(user):
            message = _("Over budget: %(programme)s has %(remaining)s yuan left.") % {
                "programme": programme,
                "remaining": programme.budget - committed,
            }
        else:
            # Below the owner the figure would give away the other branches' spending.
            message = _("Over budget: this disbursement would exceed the budget of %(programme)s.") % {
                "programme": programme
            }
        raise ValidationError(message, code="over_budget")
    if disbursement.beneficiary_id:
        # A payment that was reversed, and the reversing entry itself, do not count.
        same_person = others.filter(
            beneficiary_id=disbursement.beneficiary_id, reverses__isnull=True, reversal__isnull=True
        )
        if same_person.exists():
            raise ValidationError(
                _("%(name)s has already received %(programme)s this year.")
                % {"name": disbursement.beneficiary.full_name, "programme": programme},
                code="already_received",
            )
        if disbursement.amount > programme.cap_per_person:
            raise ValidationError(
                _("Over the cap: at most %(cap)s yuan per person per year from %(programme)s.")
                % {"cap": programme.cap_per_person, "programme": programme},
                code="over_cap",
            )


@transaction.atomic
def disbursement_create(*, user, **fields):
    disbursement = _by(Disbursement(created_by=user, **fields), user)
    disbursement.full_clean()
    disbursement.save()
    return disbursement


def _transition(disbursement, *, user, from_states, **changes):
    updated = Disbursement.objects.filter(pk=disbursement.pk, status__in=from_states).update(**changes)
    if updated:
        disbursement.refresh_from_db()
        _by(disbursement, user).save()  # the conditional update wrote no history
    return bool(updated)


@transaction.atomic
def disbursement_submit(*, disbursement, user):
    check_rules(disbursement, user)
    if not _transition(
        disbursement,
        user=user,
        from_states=[DisbursementStatus.DRAFT, DisbursementStatus.RETURNED],
        status=DisbursementStatus.SUBMITTED,
        submitted_by=user,
        return_reason="",
    ):
        raise ValidationError(_("Only a draft or a returned disbursement can be submitted."))
    return disbursement


def _check_approver(disbursement, user):
    if not may(user, Disbursement, Action.APPROVE):
        raise PermissionDenied
    if disbursement.submitted_by_id == user.pk:
        raise ValidationError(_("You submitted this disbursement, so someone else must approve it."))


@transaction.atomic
def disbursement_approve(*, disbursement, user):
    _check_approver(disbursement, user)
    check_rules(disbursement, user)
    if not _transition(
        disbursement,
        user=user,
        from_states=[DisbursementStatus.SUBMITTED],
        status=DisbursementStatus.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
    ):
        raise ValidationError(_("This disbursement is not waiting for approval (it may just have been approved)."))
    return disbursement


@transaction.atomic
def disbursement_return(*, disbursement, user, reason):
    _check_approver(disbursement, user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the disbursement is returned.")})
    if not _transition(
        disbursement,
        user=user,
        from_states=[DisbursementStatus.SUBMITTED],
        status=DisbursementStatus.RETURNED,
        return_reason=reason.strip()[:300],
    ):
        raise ValidationError(_("This disbursement is not waiting for approval."))
    return disbursement


@transaction.atomic
def disbursement_pay(*, disbursement, user):
    """Record that the bank paid an approved disbursement: once, whoever clicks."""
    if not may(user, Disbursement, Action.CHANGE):
        raise PermissionDenied
    if not _transition(
        disbursement,
        user=user,
        from_states=[DisbursementStatus.APPROVED],
        status=DisbursementStatus.PAID,
        paid_by=user,
        paid_at=timezone.now(),
    ):
        raise ValidationError(_("Only an approved disbursement can be paid, and only once."))
    return disbursement


def may_record_historical(user):
    """Only an administrator brings in payments made before the portal: they skip approval."""
    return user.is_superuser or (user.role == Role.ADMIN and may(user, Disbursement, Action.ADD))


@transaction.atomic
def disbursement_record_historical(*, user, **fields):
    """Record a payment made before the portal existed (an administrator's import) as paid,
    marked historical in the record and in its history. The money rules still hold, so the
    programme's budget and caps stay true for what is paid through the portal afterwards."""
    if not may_record_historical(user):
        raise PermissionDenied
    disbursement = _by(
        Disbursement(
            created_by=user,
            status=DisbursementStatus.PAID,
            historical=True,
            paid_by=user,
            paid_at=timezone.now(),
            **fields,
        ),
        user,
    )
    disbursement._change_reason = _("Paid before the portal; imported as historical")
    disbursement.full_clean()
    check_rules(disbursement, user)
    disbursement.save()
    return disbursement


@transaction.atomic
def disbursement_reverse(*, disbursement, user, date, note):
    """Correct a paid disbursement with a reversing entry (negative amounts) that goes through
    approval like any other; the paid one is never edited."""
    if disbursement.status != DisbursementStatus.PAID:
        raise ValidationError(_("Only a paid disbursement is corrected by a reversing entry."))
    if hasattr(disbursement, "reversal"):
        raise ValidationError(_("This disbursement has already been reversed."))
    return disbursement_create(
        user=user,
        programme=disbursement.programme,
        beneficiary=disbursement.beneficiary,
        group_name=disbursement.group_name,
        head_count=disbursement.head_count,
        cash=-disbursement.cash,
        in_kind_value=-disbursement.in_kind_value,
        date=date,
        paying_organization=disbursement.paying_organization,
        reverses=disbursement,
        note=note,
    )


REVIEW_STATUS = {
    Review.Outcome.CONTINUE: BeneficiaryStatus.ON_FILE,
    Review.Outcome.LIFT: BeneficiaryStatus.LIFTED,
    Review.Outcome.CLOSE: BeneficiaryStatus.CLOSED,
}


@transaction.atomic
def review_add(*, beneficiary, user, **fields):
    """Record the yearly review of a hardship file. The latest review sets the file's hardship
    level, income and status; a review of an earlier year, entered late, changes only itself."""
    review = _by(Review(beneficiary=beneficiary, **fields), user)
    review.full_clean()
    review.save()
    if not beneficiary.reviews.filter(year__gt=review.year).exists():
        beneficiary.hardship_level = review.hardship_level
        beneficiary.monthly_income_per_head = review.monthly_income_per_head
        beneficiary.status = REVIEW_STATUS[review.outcome]
        _by(beneficiary, user).save()
    return review
