import datetime

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.test import TestCase, TransactionTestCase

from activities.models import Activity, Campaign, Honour, HonourTitle
from organizations.models import Organization
from tests.base import PortalTestCase


class HonourRulesTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.home = HonourTitle.objects.get(name="模范职工之家", level="county", owner=None)
        cls.medal = HonourTitle.objects.get(name="五一劳动奖章", level="county", owner=None)

    def test_the_catalogue_ships_six_titles_at_every_level(self):
        shipped = HonourTitle.objects.filter(owner=None)
        self.assertEqual(shipped.count(), 24)
        self.assertEqual(
            set(shipped.values_list("level", flat=True)), {"national", "provincial", "prefecture", "county"}
        )

    def test_the_same_honour_to_the_same_union_in_a_year_is_refused(self):
        Honour.objects.create(title=self.home, year=2017, organization=self.union_a)
        duplicate = Honour(title=self.home, year=2017, organization=self.union_a)
        with self.assertRaises(ValidationError) as caught:
            duplicate.full_clean()
        self.assertEqual(caught.exception.error_dict["__all__"][0].code, "honour_taken")
        with self.assertRaises(IntegrityError), transaction.atomic():
            duplicate.save()
        Honour.objects.create(title=self.home, year=2018, organization=self.union_a)  # another year is fine

    def test_the_same_honour_to_the_same_person_in_a_year_is_refused(self):
        Honour.objects.create(
            title=self.medal, year=2017, organization=self.union_a, recipient_name="张明", recipient_unit="甲区第一中学"
        )
        with self.assertRaises(ValidationError):
            Honour(
                title=self.medal,
                year=2017,
                organization=self.union_a,
                recipient_name="张明",
                recipient_unit="甲区第一中学",
            ).full_clean()
        Honour(
            title=self.medal, year=2017, organization=self.union_a, recipient_name="张明", recipient_unit="甲区实验小学"
        ).full_clean()  # a namesake elsewhere

    def test_an_individual_title_cannot_go_to_a_union_nor_a_collective_one_to_a_person(self):
        with self.assertRaises(ValidationError) as caught:
            Honour(title=self.medal, year=2017, organization=self.union_a).full_clean()
        self.assertIn("recipient_name", caught.exception.error_dict)
        with self.assertRaises(ValidationError) as caught:
            Honour(title=self.home, year=2017, organization=self.union_a, recipient_name="张明").full_clean()
        self.assertIn("recipient_name", caught.exception.error_dict)

    def test_honour_titles_of_a_federation_are_seen_below_it_and_not_beside_it(self):
        own = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=self.district_a
        )
        city = HonourTitle.objects.create(
            name="测试市工匠", level="prefecture", recipient_type="individual", owner=self.city
        )
        seen_by_alice = HonourTitle.objects.restrict(self.alice)
        self.assertIn(own, seen_by_alice)
        self.assertIn(city, seen_by_alice)
        self.assertIn(self.home, seen_by_alice)
        self.assertNotIn(own, HonourTitle.objects.restrict(self.bob))
        self.assertEqual(list(HonourTitle.objects.restrict(self.alice, "change")), [])  # staff change none
        self.assertEqual(list(HonourTitle.objects.restrict(self.adam, "change")), [own])


class ActivityRulesTest(PortalTestCase):
    def test_an_activity_cannot_end_before_it_starts_nor_join_a_campaign_of_another_year(self):
        campaign = Campaign.objects.create(name="五一系列活动", year=2017, organizer=self.district_a)
        with self.assertRaises(ValidationError) as caught:
            Activity(
                title="演讲",
                kind="speech",
                organizer=self.district_a,
                start=datetime.date(2018, 4, 1),
                end=datetime.date(2018, 3, 1),
                campaign=campaign,
            ).full_clean()
        self.assertEqual(set(caught.exception.error_dict), {"end", "campaign"})


class DemoActivitiesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        cls.pingtang = Organization.objects.get(name="平塘县总工会")
        cls.activities = Activity.objects.filter(
            organizer__path__startswith=cls.pingtang.path, start__range=("2014-01-01", "2018-03-31")
        )

    def test_pingtang_honours_since_2014_are_those_of_the_summary(self):
        honours = Honour.objects.conferred().filter(
            organization__path__startswith=self.pingtang.path, year__range=(2014, 2018)
        )
        self.assertEqual(
            dict(honours.values_list("title__level").annotate(n=Count("pk"))),
            {"national": 2, "provincial": 6, "prefecture": 40, "county": 188},
        )
        by_title = {
            (level, name): n
            for level, name, n in honours.values_list("title__level", "title__name").annotate(n=Count("pk"))
        }
        self.assertEqual(by_title[("prefecture", "模范职工之家")], 12)
        self.assertEqual(by_title[("county", "五一劳动标兵")], 60)
        self.assertEqual(by_title[("prefecture", "好花红五星级工会组织")], 7)
        individual = honours.filter(title__recipient_type="individual")
        self.assertFalse(individual.filter(recipient_name="").exists())
        self.assertFalse(honours.filter(title__recipient_type="collective").exclude(recipient_name="").exists())

    def test_competitions_walks_and_essays_add_up(self):
        def total(field, **lookup):
            return self.activities.filter(**lookup).aggregate(total=Sum(field))["total"]

        self.assertEqual(total("participants", kind="competition"), 15000)
        self.assertEqual(total("participants", kind="walk"), 1500)
        self.assertEqual(total("entries", kind="reading"), 80)

    def test_employment_aid_and_relocation_site_courses_add_up(self):
        employment = self.activities.filter(kind="employment").aggregate(
            materials=Sum("materials"), enterprises=Sum("enterprises"), jobs=Sum("jobs_offered")
        )
        self.assertEqual(employment, {"materials": 30000, "enterprises": 90, "jobs": 5000})
        courses = self.activities.filter(kind="training", organizer__unit_type="relocation_site")
        self.assertEqual(courses.count(), 20)
        self.assertEqual(courses.aggregate(t=Sum("participants"), p=Sum("people_placed")), {"t": 2700, "p": 500})

    def test_the_may_day_series_is_a_campaign_with_its_activities(self):
        campaign = Campaign.objects.get(organizer=self.pingtang, year=2017)
        self.assertEqual(campaign.activities.count(), 5)


class ShippedTitlesSurviveAFlushTest(TransactionTestCase):
    """Transactional tests (and `manage.py flush`) empty every table; the shipped titles come
    back with the post_migrate signal, so a later test or a fresh start always has them."""

    def test_flush_then_the_24_shipped_titles_are_there(self):
        call_command("flush", interactive=False, verbosity=0)
        self.assertEqual(HonourTitle.objects.filter(owner=None).count(), 24)
