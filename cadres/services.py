"""Workflows on cadres and posts. Each is atomic and records who made the change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cadres.models import Attendance, Cadre, Post
from unionportal.cache import invalidate_many
from unionportal.roles import Action


def _by(instance, user):
    instance._history_user = user
    return instance


@transaction.atomic
def post_start(*, cadre, user, **fields):
    """Give a cadre a post. The cadre's record follows them to the organization of their
    newest post, so staff of the new union see and keep it."""
    return add_post(cadre=cadre, user=user, **fields)


def add_post(*, cadre, user, **fields):
    """post_start's work without a transaction of its own, for a caller whose own savepoint
    already wraps it (an import, which has one per row)."""
    post = _by(Post(cadre=cadre, **fields), user)
    # The cadre and the organization given as records were read (or just saved): no query to
    # check that they exist; the database's foreign keys still do.
    given = [field for field in ("cadre", "organization") if Post._meta.get_field(field).is_cached(post)]
    post.full_clean(exclude=given)
    post.save()
    if cadre.organization_id != post.organization_id and not cadre.posts.filter(start__gt=post.start).exists():
        cadre.organization = post.organization
        _by(cadre, user).save(update_fields=["organization"])
    return post


def new_post(*, cadre, user, **fields):
    """A first post for a new cadre, both validated and neither written: an import builds
    every row so, then writes them many at once (`cadres_create`)."""
    post = _by(Post(cadre=cadre, **fields), user)
    post.full_clean(exclude=["cadre", "organization"])
    return post


def cadres_create(posts, *, user):
    """Write new cadres with their first posts (`new_post`): four statements however many
    there are (cadres, posts and their histories), in the caller's transaction. Bulk writes
    send no signals, so the branches' cached figures are invalidated here."""
    cadres = [_by(post.cadre, user) for post in posts]
    bulk_create_with_history(cadres, Cadre, default_user=user)
    bulk_create_with_history(posts, Post, default_user=user)  # each post takes its cadre's new key
    invalidate_many([*cadres, *posts])
    return posts


@transaction.atomic
def post_end(*, post, user, on_date=None):
    """End a post; it stays in the cadre's history."""
    on_date = on_date or timezone.localdate()
    if post.end is not None:
        raise ValidationError({"end": _("This post has already ended.")})
    if on_date < post.start:
        raise ValidationError({"end": _("A post cannot end before it starts.")})
    post.end = on_date
    _by(post, user).save(update_fields=["end"])
    return post


@transaction.atomic
def training_set_attendees(*, training, cadres, user):
    """Make the course's attendances of the cadres `user` may list exactly `cadres`, keeping
    those already listed (and their hours); every addition and removal is written to history.
    Attendances of cadres outside the user's branch (a city course that another district's
    cadres attended) are not on their form, and stay: saving the form removed them."""
    wanted = {cadre.pk for cadre in cadres}
    listed = Cadre.objects.restrict(user, Action.CHANGE).values("pk")
    for attendance in training.attendances.exclude(cadre_id__in=wanted).filter(cadre_id__in=listed):
        _by(attendance, user).delete()
    have = set(training.attendances.values_list("cadre_id", flat=True))
    for cadre_id in wanted - have:
        _by(Attendance(training=training, cadre_id=cadre_id), user).save()
