"""Workflows of the activities app: saving an activity with its co-organizers, its photos, and
an honour's status (recommended → conferred or not conferred).

The status change is a conditional update (`filter(pk=..., status=recommended).update(...)`)
whose row count says whether this call made it: two clicks, or two people at once, confer
an honour once, on SQLite as on PostgreSQL."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import ActivityPhoto, Honour, HonourStatus
from organizations.models import Organization
from unionportal import uploads

PHOTO_FOLDER = "activity_photos"


def _by(instance, user):
    instance._history_user = user
    return instance


@transaction.atomic
def activity_save(*, activity, co_organizers, user):
    """Save an activity and set its co-organizers to `co_organizers` (organizations of the
    user's branch). Co-organizers outside the user's branch, which someone above them may
    have recorded, are kept: the user could neither see nor choose them."""
    activity.full_clean()
    _by(activity, user).save()
    if activity.pk:
        mine = Organization.objects.restrict(user)
        hidden = list(activity.co_organizers.exclude(pk__in=mine.values("pk")).values_list("pk", flat=True))
    else:
        hidden = []
    wanted = {organization.pk for organization in co_organizers} | set(hidden)
    wanted.discard(activity.organizer_id)
    current = set(activity.co_organizers.values_list("pk", flat=True))
    if wanted != current:
        activity.co_organizers.set(wanted)
    return activity


def activity_photo_add(*, activity, upload, caption="", user):
    """Store a photo of an activity by the rules of every uploaded picture (unionportal.uploads)."""
    return uploads.attach_image(
        ActivityPhoto, upload=upload, folder=PHOTO_FOLDER, user=user, activity=activity, caption=caption.strip()[:100]
    )


@transaction.atomic
def activity_photo_delete(*, photo, user):
    """Remove a photo; the file goes once the deletion is committed."""
    uploads.detach_image(photo, user=user)


SETTABLE = {HonourStatus.CONFERRED, HonourStatus.NOT_CONFERRED}


@transaction.atomic
def honour_set_status(*, honour, status, user, conferring_body="", document_number=""):
    """Record the outcome of a recommendation: conferred or not conferred. Only a recommended
    honour changes; a second click (or a second person) finds it decided and is refused.
    The conferring body and document number, when given, go in with the change."""
    if status not in SETTABLE:
        raise ValidationError(_("An honour can only be marked conferred or not conferred."))
    changes = {"status": status}
    if conferring_body.strip():
        changes["conferring_body"] = conferring_body.strip()[:100]
    if document_number.strip():
        changes["document_number"] = document_number.strip()[:60]
    updated = Honour.objects.filter(pk=honour.pk, status=HonourStatus.RECOMMENDED).update(**changes)
    if not updated:
        honour.refresh_from_db(fields=["status"])
        raise ValidationError(
            _("Only a recommended honour can be decided; this one is already %(status)s.")
            % {"status": honour.get_status_display()}
        )
    honour.refresh_from_db()
    # The conditional update wrote no history; this save records who and what.
    _by(honour, user).save()
    return honour


def honour_save(*, honour, user):
    honour.full_clean()
    _by(honour, user).save()
    return honour
