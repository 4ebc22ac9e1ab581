"""A form's choice among many records is a search box (unionportal/choices.py): the page lists
only the records chosen, the search answers with the field's own records of the asker's branch,
and the form checks a posted key as before."""

import datetime
import re
from urllib.parse import quote

from django.test import override_settings
from django.urls import reverse

from cadres.models import Cadre, Gender, Position, Post, Staffing
from tests.base import PortalTestCase, make_org
from unionportal.choices import SearchSelect, SearchSelectMultiple

CHOICES = reverse("choices")


def search_url(page, field):
    match = re.search(rf'<select name="{field}"[^>]*data-choices-url="([^"]+)"', page.text)
    assert match, f"no search on {field}"
    return match.group(1).replace("&amp;", "&")


def options(page, field):
    select = re.search(rf'<select name="{field}".*?</select>', page.text, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def cadre(organization, name):
    person = Cadre.objects.create(full_name=name, gender=Gender.FEMALE, organization=organization)
    Post.objects.create(
        cadre=person,
        organization=organization,
        position=Position.STAFF,
        staffing=Staffing.INSTITUTION,
        start=datetime.date(2020, 1, 1),
    )
    return person


@override_settings(CHOICES_SEARCH_ABOVE=2)
class SearchChoicesTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.union_a2 = make_org(cls.district_a, "甲区第二中学工会")
        cls.district_a.refresh_from_db()
        cls.wang_a = cadre(cls.union_a, "王芳")
        cls.wang_a2 = cadre(cls.union_a2, "王芳")
        cls.li_a = cadre(cls.union_a, "李娜")
        cls.wang_b = cadre(cls.union_b, "王芳")

    def page(self, user, name="cadres:cadre_create"):
        self.login(user)
        response = self.client.get(reverse(name))
        self.assertEqual(response.status_code, 200)
        return response

    def search(self, url, text=""):
        response = self.client.get(f"{url}&q={quote(text)}")
        self.assertEqual(response.status_code, 200)
        return [(item["id"], item["text"]) for item in response.json()["results"]]

    def test_a_form_of_many_organizations_lists_none_and_searches_them(self):
        page = self.page(self.alice)
        self.assertIsInstance(page.context["form"].fields["organization"].widget, SearchSelect)
        self.assertEqual(options(page, "organization"), [""])
        url = search_url(page, "organization")
        self.assertEqual([text for _key, text in self.search(url, "中学")], ["甲区第一中学工会", "甲区第二中学工会"])
        self.assertEqual(len(self.search(url)), 3)  # the district and its two unions, in tree order
        self.assertEqual(self.search(url, "乙区"), [])

    def test_the_search_reads_the_askers_branch_only(self):
        url = search_url(self.page(self.alice), "organization")
        self.login(self.bob)
        self.assertEqual(self.search(url, "区"), [])
        self.login(self.lena)
        self.assertEqual([text for _key, text in self.search(url, "中学")], ["甲区第一中学工会", "甲区第二中学工会"])

    def test_cadres_are_named_with_their_union_in_a_fixed_number_of_queries(self):
        page = self.page(self.alice, "cadres:training_create")
        self.assertIsInstance(page.context["form"].fields["attendees"].widget, SearchSelectMultiple)
        url = search_url(page, "attendees")
        with self.assertNumQueries(2):  # the user, the matches with their unions
            found = self.search(url, "王")
        self.assertEqual(sorted(text for _key, text in found), ["王芳（甲区第一中学工会）", "王芳（甲区第二中学工会）"])

    def test_a_form_sent_back_shows_the_records_chosen(self):
        self.login(self.alice)
        url = reverse("cadres:training_create")
        response = self.client.post(url, {"title": "", "attendees": [self.wang_a.pk, self.li_a.pk]})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(sorted(options(response, "attendees")), sorted([str(self.wang_a.pk), str(self.li_a.pk)]))
        self.assertContains(response, "李娜（甲区第一中学工会）</option>")

    def test_a_key_outside_the_branch_is_refused_as_before(self):
        self.login(self.alice)
        response = self.client.post(reverse("cadres:training_create"), {"attendees": [self.wang_b.pk]})
        self.assertIn("attendees", response.context["form"].errors)

    def test_an_unknown_or_forged_field_is_404(self):
        self.login(self.alice)
        for query in ("", "field=x", "field=" + "0" * 40, "field=" + "²" * 40):
            with self.subTest(query=query):
                self.assertEqual(self.client.get(f"{CHOICES}?{query}").status_code, 404)

    def test_anonymous_readers_log_in_first(self):
        url = search_url(self.page(self.alice), "organization")
        self.client.logout()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])


class FewChoicesTest(PortalTestCase):
    def test_a_form_of_few_records_keeps_its_dropdown(self):
        self.login(self.alice)
        page = self.client.get(reverse("cadres:cadre_create"))
        widget = page.context["form"].fields["organization"].widget
        self.assertNotIsInstance(widget, SearchSelect)
        self.assertNotContains(page, "data-choices-url")
        self.assertIn(str(self.union_a.pk), options(page, "organization"))
