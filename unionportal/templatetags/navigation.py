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
from unionportal.roles import Action, role_allows

register = template.Library()

# (the action the reader's role must allow, URL name, Bootstrap icon, label): the work lists for
# every role that views records, users and administration for those who manage users, the audit
# log for those who read it (unionportal/roles.py; a superuser sees all of them).
MENU = [
    (Action.VIEW, "organizations:organization_tree", "diagram-3", _("Union tree")),
    (Action.VIEW, "organizations:organization_list", "list-ul", _("Organizations")),
    (Action.VIEW, "cadres:post_list", "person-badge", _("Cadres")),
    (Action.VIEW, "cadres:training_list", "mortarboard", _("Training")),
    (Action.VIEW, "organizations:fundallocation_list", "cash-coin", _("Funds")),
    (Action.VIEW, "standards:assessment_list", "award", _("Standardization")),
    (Action.VIEW, "activities:activity_list", "calendar-event", _("Activities")),
    (Action.VIEW, "activities:honour_list", "trophy", _("Honours")),
    (Action.VIEW, "relief:beneficiary_list", "heart-pulse", _("Relief")),
    (Action.MANAGE_USERS, "accounts:user_list", "people", _("Users")),
    (Action.MANAGE_USERS, "admin:index", "gear", _("Administration")),
    (Action.READ_AUDIT, "accounts:auditevent_list", "journal-text", _("Audit log")),
]
ACTIONS = frozenset(action for action, *_item in MENU)


@functools.lru_cache(maxsize=64)
def _menu(allowed, language, prefix, urlconf):
    links = addresses(prefix, urlconf)
    return format_html_join(
        "\n",
        '<li class="nav-item"><a class="nav-link" href="{}"><i class="bi bi-{}"></i> {}</a></li>',
        ((links[name.replace(":", "_")], icon, str(label)) for action, name, icon, label in MENU if action in allowed),
    )


@register.simple_tag(takes_context=True)
def main_menu(context):
    user = context["request"].user
    allowed = frozenset(action for action in ACTIONS if role_allows(user, action))
    items = _menu(allowed, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return format_html('<ul class="navbar-nav me-auto">{}</ul>', items)
