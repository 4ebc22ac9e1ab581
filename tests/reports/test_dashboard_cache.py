"""The dashboard's figures are cached per branch until a record of the branch changes
(unionportal/cache.py): a second load costs a few queries, a write in the branch (or below it)
shows at once, a write elsewhere keeps the cache, and no reader gets figures computed for a
wider scope than theirs."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Campaign
from cadres.models import Cadre, Post
from relief.models import DisbursementStatus
from relief.services import disbursement_approve
from tests.base import PortalTestCase, make_user
from tests.reports.data import activity, group_disbursement, programme

HOME = reverse("home")
DASHBOARD = reverse("reports:dashboard")
# Session, user, the user's organization, and the session saved (savepoint, update, release):
# the figures themselves cost none.
CACHED = 6


def figure(response, section, key):
    for found, value in response.context["dashboard"].key_figures:
        if (found.key, value.key) == (section, key):
            return value.value
    raise KeyError((section, key))


class DashboardCacheTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()
        activity(cls.union_a, 7777, start=cls.today)
        activity(cls.union_b, 3333, start=cls.today)
        cls.relief = programme(cls.city, cls.today.year)

    def load(self, user, url=HOME):
        self.login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response, len(queries.captured_queries)

    def test_the_second_load_comes_from_the_cache(self):
        first, cold = self.load(self.leo)
        second, warm = self.load(self.leo)
        self.assertLessEqual(warm, CACHED, "cached dashboard")
        self.assertGreater(cold, warm + 10)
        self.assertEqual(figure(second, "activities", "participants"), 3333)
        self.assertEqual(second.context["dashboard"].children_table, first.context["dashboard"].children_table)

    def test_an_activity_of_a_union_below_shows_at_once(self):
        self.load(self.leo)
        activity(self.union_b, 1000, start=self.today)
        response, count = self.load(self.leo)
        self.assertEqual(figure(response, "activities", "participants"), 4333)
        self.assertGreater(count, CACHED)

    def test_a_write_below_a_child_reaches_every_ancestor(self):
        self.load(self.lena)
        activity(self.union_b, 1000, start=self.today)
        response, _count = self.load(self.lena)
        self.assertEqual(figure(response, "activities", "participants"), 7777 + 3333 + 1000)

    def test_a_write_in_another_branch_keeps_the_cache(self):
        self.load(self.leo)
        activity(self.union_a, 1000, start=self.today)
        response, count = self.load(self.leo)
        self.assertLessEqual(count, CACHED)
        self.assertEqual(figure(response, "activities", "participants"), 3333)

    def test_a_state_change_through_a_service_shows_at_once(self):
        payment = group_disbursement(self.relief, self.union_b, "500.00", date=self.today)
        self.assertEqual(self.load(self.leo)[0].context["dashboard"].awaiting_approval["count"], 1)
        disbursement_approve(disbursement=payment, user=self.make_approver_b())
        self.assertEqual(self.load(self.leo)[0].context["dashboard"].awaiting_approval["count"], 0)

    def make_approver_b(self):
        return make_user("bella", self.district_b, "approver")

    def test_a_record_moved_to_another_branch_leaves_the_old_one(self):
        cadre = Cadre.objects.create(full_name="王五", gender="male", organization=self.union_b)
        post = Post.objects.create(
            cadre=cadre, organization=self.union_b, position="chair", start=datetime.date(2020, 1, 1)
        )
        before = figure(self.load(self.leo)[0], "cadres", "total")
        post.organization = self.union_a
        post.save()
        self.assertEqual(figure(self.load(self.leo)[0], "cadres", "total"), before - 1)

    def test_a_deletion_shows_at_once(self):
        extra = activity(self.union_b, 1000, start=self.today)
        self.assertEqual(figure(self.load(self.leo)[0], "activities", "participants"), 4333)
        extra.delete()
        self.assertEqual(figure(self.load(self.leo)[0], "activities", "participants"), 3333)

    def test_reference_data_of_the_tree_invalidates_every_branch(self):
        group_disbursement(self.relief, self.union_b, "500.00", status=DisbursementStatus.PAID, date=self.today)
        before = self.load(self.leo)[0].context["dashboard"].section("relief")
        self.assertEqual(list(before.data["by_programme"]), ["两节送温暖"])
        self.relief.name = "金秋助学"
        self.relief.save()
        response, _count = self.load(self.leo)
        relief = response.context["dashboard"].section("relief")
        self.assertEqual(list(relief.data["by_programme"]), ["金秋助学"])

    def test_a_reader_never_gets_figures_computed_for_a_wider_scope(self):
        # A campaign of district B held through an activity of district A: the city sees it
        # held, district B's own leader cannot see that activity and must not count it.
        campaign = Campaign.objects.create(name="乙区劳动竞赛月", year=self.today.year, organizer=self.district_b)
        held = activity(self.union_a, 10, start=self.today)
        held.campaign = campaign
        held.save()
        url = f"{DASHBOARD}?organization={self.district_b.pk}"
        for first, second in ((self.lena, self.leo), (self.root, self.leo), (self.leo, self.root)):
            with self.subTest(first=first.username, second=second.username):
                cache.clear()
                wide, narrow = (first, second) if second == self.leo else (second, first)
                responses = {user: self.load(user, url)[0] for user in (first, second)}
                self.assertEqual(responses[wide].context["dashboard"].section("activities").data["campaigns"], 1)
                self.assertEqual(responses[narrow].context["dashboard"].section("activities").data["campaigns"], 0)
                self.assertNotIn("甲区", responses[self.leo].text)

    def test_readers_of_one_scope_share_the_figures(self):
        alice_b = self.make_approver_b()
        self.load(self.leo)
        _response, count = self.load(alice_b)
        self.assertLessEqual(count, CACHED)

    def test_an_activity_elsewhere_that_holds_a_campaign_of_the_branch_shows_at_once(self):
        campaign = Campaign.objects.create(name="乙区劳动竞赛月", year=self.today.year, organizer=self.district_b)
        url = f"{DASHBOARD}?organization={self.district_b.pk}"
        self.assertEqual(self.load(self.lena, url)[0].context["dashboard"].section("activities").data["campaigns"], 0)
        held = activity(self.union_a, 10, start=self.today)
        held.campaign = campaign
        held.save()
        self.assertEqual(self.load(self.lena, url)[0].context["dashboard"].section("activities").data["campaigns"], 1)
