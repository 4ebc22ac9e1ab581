"""The organization page's panel: the latest activities this organization organized or
co-organized, and the latest honours it (or one of its people) received. Two queries."""

from django.db.models import Q

from activities.models import Activity, Honour
from unionportal.roles import Action
from unionportal.scoping import may

SHOWN = 10


def activities_panel(request, organization):
    user = request.user
    show_activities = may(user, Activity, Action.VIEW)
    show_honours = may(user, Honour, Action.VIEW)
    if not (show_activities or show_honours):
        return None
    activities = (
        Activity.objects.restrict(user)
        .filter(Q(organizer=organization) | Q(co_organizers=organization))
        .distinct()
        .select_related("organizer")[:SHOWN]
    )
    honours = Honour.objects.restrict(user).filter(organization=organization).select_related("title")[:SHOWN]
    return {
        "template": "activities/_panel.html",
        "organization": organization,
        "activities": list(activities) if show_activities else [],
        "honours": list(honours) if show_honours else [],
        "may_add_activity": may(user, Activity, Action.ADD),
        "may_add_honour": may(user, Honour, Action.ADD),
    }
