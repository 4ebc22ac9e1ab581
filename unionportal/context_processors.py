"""`nav`: the addresses the page frame (base.html) links to, reversed once per process rather
than on every page (sixteen `{% url %}` tags were a third of an empty page)."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

NAVIGATION = [
    "home",
    "set_language",
    "admin:index",
    "organizations:organization_tree",
    "organizations:organization_list",
    "organizations:fundallocation_list",
    "cadres:post_list",
    "cadres:training_list",
    "standards:assessment_list",
    "activities:activity_list",
    "activities:honour_list",
    "relief:beneficiary_list",
    "accounts:user_list",
    "accounts:auditevent_list",
    "accounts:job_list",
    "accounts:logout",
]


@functools.lru_cache(maxsize=16)
def addresses(prefix, urlconf):
    return {name.replace(":", "_"): reverse(name, urlconf=urlconf) for name in NAVIGATION}


def navigation(request):
    return {"nav": addresses(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)}
