"""The organization page's team panel: who holds which post there today, and the figures
both seed documents ask about (staff, ranks, age, education, full-time, social workers)."""

from collections import Counter

from django.utils import timezone

from cadres.models import COLLEGE_OR_HIGHER, RANK_ORDER, Position, Post, Rank, Staffing
from organizations.models import OrganizationKind
from unionportal.roles import Action
from unionportal.scoping import may

# The chair's rank a federation is expected to have (seed 000: district federations' chairs
# at 副处级). The standardization issue will let a Standard say this instead.
EXPECTED_CHAIR_RANK = {
    OrganizationKind.COUNTY_FEDERATION: Rank.DEPUTY_DIVISION,
    OrganizationKind.TOWNSHIP_FEDERATION: Rank.DEPUTY_SECTION,
}
POSITION_ORDER = list(Position.values)


def team(posts, day, kind):
    """The team figures of a list of posts (with their cadres) held on `day`."""
    posts = sorted(posts, key=lambda post: (POSITION_ORDER.index(post.position), post.cadre.full_name))
    social_workers = [post for post in posts if post.staffing == Staffing.SOCIAL_WORKER]
    cadres = {post.cadre_id: post.cadre for post in posts if post.staffing != Staffing.SOCIAL_WORKER}
    ages = [age for cadre in cadres.values() if (age := cadre.age_on(day)) is not None]
    chairs = [post for post in posts if post.position == Position.CHAIR]
    expected = EXPECTED_CHAIR_RANK.get(kind)
    rank_labels = dict(Rank.choices)
    ranks = Counter(post.rank for post in posts if post.staffing != Staffing.SOCIAL_WORKER)
    return {
        "posts": posts,
        "chairs": chairs,
        "vice_chairs": [p for p in posts if p.position in (Position.EXECUTIVE_VICE_CHAIR, Position.VICE_CHAIR)],
        "staff": len(cadres),
        "social_workers": len(social_workers),
        "full_time": sum(1 for post in posts if post.full_time and post.staffing != Staffing.SOCIAL_WORKER),
        "seconded": sum(1 for post in posts if post.seconded),
        "average_age": round(sum(ages) / len(ages), 1) if ages else None,
        "college_or_higher": sum(1 for cadre in cadres.values() if cadre.education in COLLEGE_OR_HIGHER),
        "ranks": [(rank_labels[rank], ranks[rank]) for rank in RANK_ORDER if ranks[rank]],
        "expected_chair_rank": rank_labels.get(expected),
        "chair_rank_meets": (
            None
            if not (expected and chairs)
            else all(RANK_ORDER.index(post.rank) <= RANK_ORDER.index(expected) for post in chairs)
        ),
    }


def team_panel(request, organization):
    if not may(request.user, Post, Action.VIEW):
        return None
    day = timezone.localdate()
    posts = (
        Post.objects.restrict(request.user).in_post_on(day).filter(organization=organization).select_related("cadre")
    )
    return {
        "template": "cadres/_team_panel.html",
        "team": team(list(posts), day, organization.kind),
        "day": day,
        "organization": organization,
        "may_add": may(request.user, Post, Action.ADD),
    }
