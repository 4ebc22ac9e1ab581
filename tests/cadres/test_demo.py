"""The demo cadres give back the figures of seeds/README.md."""

import datetime

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase

from cadres.models import COLLEGE_OR_HIGHER, Attendance, Cadre, Post, Rank, Staffing, Training
from organizations.models import Organization
from unionportal.validators import validate_resident_id

PINGTANG_DAY = datetime.date(2018, 3, 31)


class DemoCadresTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        cls.pingtang = Organization.objects.get(name="平塘县总工会")
        cls.shuangyashan = Organization.objects.get(name="双鸭山市总工会")

    def posts(self, organization, day):
        return Post.objects.in_post_on(day).filter(organization__path__startswith=organization.path)

    def test_pingtang_has_233_cadres_in_post_by_rank_and_9_social_workers(self):
        posts = self.posts(self.pingtang, PINGTANG_DAY)
        cadres = posts.exclude(staffing=Staffing.SOCIAL_WORKER)
        self.assertEqual(cadres.count(), 233)
        self.assertEqual(
            dict(cadres.values_list("rank").annotate(n=Count("pk"))),
            {Rank.DEPUTY_DIVISION: 1, Rank.SECTION: 17, Rank.DEPUTY_SECTION: 91, Rank.UNIT: 124},
        )
        self.assertEqual(posts.filter(staffing=Staffing.SOCIAL_WORKER).count(), 9)

    def test_posts_ended_before_or_begun_after_the_day_do_not_count(self):
        everyone = Post.objects.filter(organization__path__startswith=self.pingtang.path)
        self.assertEqual(everyone.count(), 233 + 9 + 4)
        self.assertEqual(self.posts(self.pingtang, datetime.date(2018, 4, 1)).count(), 233 + 9 + 1)

    def test_shuangyashan_has_24_staff_averaging_39_with_college_education(self):
        for day in (datetime.date(2012, 12, 31), datetime.date(2013, 1, 23)):
            posts = list(self.posts(self.shuangyashan, day).select_related("cadre"))
            self.assertEqual(len(posts), 24)
            ages = [post.cadre.age_on(day) for post in posts]
            self.assertEqual(round(sum(ages) / len(ages), 1), 39.0)
            self.assertTrue(all(post.cadre.education in COLLEGE_OR_HIGHER for post in posts))

    def test_shuangyashan_chairs_vice_chairs_and_seconded_staff(self):
        posts = self.posts(self.shuangyashan, datetime.date(2013, 1, 23))
        chairs = posts.filter(position="chair")
        self.assertEqual(chairs.count(), 4)
        self.assertEqual(set(chairs.values_list("rank", "selection_method")), {("deputy_division", "open_selection")})
        vice_chairs = dict(
            posts.filter(position="vice_chair").values_list("organization__name").annotate(n=Count("pk"))
        )
        self.assertEqual(vice_chairs, {"尖山区总工会": 1, "岭东区总工会": 2, "四方台区总工会": 2, "宝山区总工会": 1})
        sent = posts.filter(position="vice_chair", rank=Rank.DEPUTY_SECTION, seconded=True)
        self.assertEqual(
            sorted(sent.values_list("organization__name", flat=True)),
            sorted(["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"]),
        )
        self.assertEqual(posts.filter(seconded=True).count(), 18)
        for district in ["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"]:
            self.assertEqual(posts.filter(organization__name=district).count(), 6)

    def test_shuangyashan_2011_training_of_16_hours_for_1800_people(self):
        training = Training.objects.get(organizer=self.shuangyashan, start__year=2011)
        self.assertEqual(training.hours, 16)
        self.assertEqual(training.attendances.count() + training.other_attendees, 1800)

    def test_pingtang_courses_match_the_summary(self):
        courses = {t.title: t for t in Training.objects.filter(organizer=self.pingtang)}
        by_place = {t.place: t for t in courses.values()}
        self.assertEqual(by_place["厦门"].attendances.count(), 12)
        self.assertEqual(by_place["广州"].attendances.count(), 5)
        heads = next(t for t in courses.values() if "十九大" in t.title)
        self.assertEqual(heads.attendances.count(), 52)
        leadership = Attendance.objects.filter(training__organizer=self.pingtang, training__category="leadership")
        self.assertEqual(leadership.count(), 8)
        others = sorted((t.other_attendees, t.sessions) for t in courses.values() if t.other_attendees)
        self.assertEqual(others, [(140, 4), (500, 1), (860, 3)])

    def test_every_demo_id_number_is_valid_unique_and_in_an_unassigned_county(self):
        numbers = list(Cadre.objects.values_list("id_number", flat=True))
        self.assertEqual(len(numbers), len(set(numbers)))
        for number in numbers:
            validate_resident_id(number)
            self.assertIn(number[:6], {"522799", "230599"})

    def test_load_demo_twice_adds_no_cadre_post_or_attendance(self):
        before = (Cadre.objects.count(), Post.objects.count(), Attendance.objects.count(), Training.objects.count())
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        after = (Cadre.objects.count(), Post.objects.count(), Attendance.objects.count(), Training.objects.count())
        self.assertEqual(before, after)
