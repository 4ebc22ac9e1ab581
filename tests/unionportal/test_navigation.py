"""The menu bar offers each reader the lists their role may open (unionportal/roles.py): the
work lists to every role that views records, users and administration to administrators, the
audit log to auditors, everything to a superuser; in the reader's language."""

import re

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.base import PortalTestCase, make_user

WORK = [
    "organizations:organization_tree",
    "organizations:organization_list",
    "cadres:post_list",
    "cadres:training_list",
    "organizations:fundallocation_list",
    "standards:assessment_list",
    "activities:activity_list",
    "activities:honour_list",
    "relief:beneficiary_list",
]
ADMIN = ["accounts:user_list", "admin:index"]
AUDIT = ["accounts:auditevent_list"]


def menu(user, language="zh-hans"):
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return Template("{% load navigation %}{% main_menu %}").render(Context({"request": request}))


class MainMenuTest(PortalTestCase):
    def test_each_role_is_offered_what_it_may_open(self):
        people = {
            "staff": (self.alice, WORK),
            "approver": (make_user("amy", self.district_a, "approver"), WORK),
            "leader": (self.leo, WORK),
            "admin": (self.ada, WORK + ADMIN),
            "auditor": (self.otto, AUDIT),
            "superuser": (self.root, WORK + ADMIN + AUDIT),
        }
        for role, (user, names) in people.items():
            with self.subTest(role):
                links = re.findall(r'href="([^"]+)"', menu(user))
                self.assertEqual(links, [reverse(name) for name in names])

    def test_labels_are_in_the_readers_language(self):
        chinese, english = menu(self.ada), menu(self.ada, "en")
        self.assertIn("> 用户</a>", chinese)
        self.assertIn("> Users</a>", english)

    def test_an_inactive_user_is_offered_nothing(self):
        self.alice.is_active = False
        self.assertNotIn("href", menu(self.alice))
