"""`{% main_menu %}`: the links of the page frame's menu bar for the reader's role, written
once per process for each role and language.

The menu is the same for every reader of a role; as template tags, its dozen links with their
translated labels were a third of rendering the empty page."""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unionportal.context_processors import addresses

register = template.Library()

# (audience, URL name, Bootstrap icon, label). Audiences: "work" (every role but the auditor),
# "admin" and "audit"; a superuser sees all of them.
MENU = [
    ("work", "organizations:organization_tree", "diagram-3", _("Union tree")),
    ("work", "organizations:organization_list", "list-ul", _("Organizations")),
    ("work", "cadres:post_list", "person-badge", _("Cadres")),
    ("work", "cadres:training_list", "mortarboard", _("Training")),
    ("work", "organizations:fundallocation_list", "cash-coin", _("Funds")),
    ("work", "standards:assessment_list", "award", _("Standardization")),
    ("work", "activities:activity_list", "calendar-event", _("Activities")),
    ("work", "activities:honour_list", "trophy", _("Honours")),
    ("work", "relief:beneficiary_list", "heart-pulse", _("Relief")),
    ("admin", "accounts:user_list", "people", _("Users")),
    ("admin", "admin:index", "gear", _("Administration")),
    ("audit", "accounts:auditevent_list", "journal-text", _("Audit log")),
]


def audiences(user):
    if user.is_superuser:
        return frozenset(("work", "admin", "audit"))
    role = user.role
    wanted = {"work": bool(role) and role != "auditor", "admin": role == "admin", "audit": role == "auditor"}
    return frozenset(audience for audience, shown in wanted.items() if shown)


@functools.lru_cache(maxsize=64)
def _menu(audiences, language, prefix, urlconf):
    links = addresses(prefix, urlconf)
    return format_html_join(
        "\n",
        '<li class="nav-item"><a class="nav-link" href="{}"><i class="bi bi-{}"></i> {}</a></li>',
        (
            (links[name.replace(":", "_")], icon, str(label))
            for audience, name, icon, label in MENU
            if audience in audiences
        ),
    )


@register.simple_tag(takes_context=True)
def main_menu(context):
    user = context["request"].user
    items = _menu(audiences(user), get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return format_html('<ul class="navbar-nav me-auto">{}</ul>', items)
