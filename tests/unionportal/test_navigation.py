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


class FormWayBackTest(PortalTestCase):
    """A form's breadcrumbs pass through the list of its records, and Cancel goes back to the
    record, or else to that list (it went to the home page)."""

    def page(self, url):
        self.login(self.root)
        with translation.override("zh-hans"):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response

    def test_a_new_records_form_leads_back_to_its_list(self):
        cases = [
            ("relief:disbursement_create", "relief:disbursement_list"),
            ("cadres:cadre_create", "cadres:post_list"),
            ("activities:honourtitle_create", "activities:honourtitle_list"),
            ("organizations:organization_create", "organizations:organization_list"),
        ]
        for form, listed in cases:
            with self.subTest(form=form):
                response = self.page(reverse(form))
                url, title = response.context["list_crumb"]
                self.assertEqual(url, reverse(listed))
                self.assertEqual(response.context["cancel_url"], url)
                self.assertContains(response, f'<a href="{url}">{title}</a>', html=True)

    def test_an_edit_form_cancels_to_its_record(self):
        response = self.page(reverse("organizations:organization_update", args=[self.union_a.pk]))
        self.assertEqual(response.context["cancel_url"], self.union_a.get_absolute_url())
        self.assertEqual(response.context["list_crumb"][0], reverse("organizations:organization_list"))

    def test_an_import_page_names_its_list_and_cancels_to_it(self):
        response = self.page(reverse("relief:beneficiary_import"))
        url, _title = response.context["list_crumb"]
        self.assertEqual(url, reverse("relief:beneficiary_list"))
        self.assertContains(response, f'<a class="btn btn-link" href="{url}">取消</a>', html=True)
