import datetime

from django.core.exceptions import ValidationError

from cadres.models import Cadre, Post, Rank
from cadres.services import post_end, post_start
from tests.base import PortalTestCase


class PostServicesTest(PortalTestCase):
    def setUp(self):
        self.cadre = Cadre.objects.create(full_name="张明", gender="male", organization=self.union_a)

    def test_a_new_post_elsewhere_moves_the_record_and_keeps_the_old_post(self):
        old = post_start(
            cadre=self.cadre,
            user=self.alice,
            organization=self.union_a,
            position="chair",
            rank=Rank.UNIT,
            start=datetime.date(2015, 1, 1),
        )
        post_end(post=old, user=self.alice, on_date=datetime.date(2019, 12, 31))
        post_start(
            cadre=self.cadre,
            user=self.alice,
            organization=self.district_a,
            position="vice_chair",
            rank=Rank.DEPUTY_SECTION,
            start=datetime.date(2020, 1, 1),
        )
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.organization, self.district_a)
        self.assertEqual(Post.objects.filter(cadre=self.cadre).count(), 2)
        old.refresh_from_db()
        self.assertEqual(old.end, datetime.date(2019, 12, 31))
        self.assertEqual(old.history.first().history_user, self.alice)
        self.assertEqual(list(Post.objects.in_post_on(datetime.date(2019, 6, 1)).filter(cadre=self.cadre)), [old])

    def test_an_older_post_does_not_move_the_record_back(self):
        post_start(
            cadre=self.cadre,
            user=self.alice,
            organization=self.district_a,
            position="staff",
            start=datetime.date(2020, 1, 1),
        )
        post_start(
            cadre=self.cadre,
            user=self.alice,
            organization=self.union_a,
            position="committee_member",
            start=datetime.date(2010, 1, 1),
        )
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.organization, self.district_a)

    def test_ending_a_post_twice_or_before_its_start_is_refused(self):
        post = post_start(
            cadre=self.cadre,
            user=self.alice,
            organization=self.union_a,
            position="staff",
            start=datetime.date(2020, 1, 1),
        )
        with self.assertRaises(ValidationError):
            post_end(post=post, user=self.alice, on_date=datetime.date(2019, 1, 1))
        post_end(post=post, user=self.alice, on_date=datetime.date(2021, 1, 1))
        with self.assertRaises(ValidationError):
            post_end(post=post, user=self.alice, on_date=datetime.date(2022, 1, 1))
        post.refresh_from_db()
        self.assertEqual(post.end, datetime.date(2021, 1, 1))

    def test_a_post_ending_before_it_starts_is_refused_and_not_saved(self):
        with self.assertRaises(ValidationError):
            post_start(
                cadre=self.cadre,
                user=self.alice,
                organization=self.union_a,
                position="staff",
                start=datetime.date(2020, 1, 1),
                end=datetime.date(2019, 1, 1),
            )
        self.assertFalse(Post.objects.exists())

    def test_cadres_are_scoped_to_the_branch(self):
        other = Cadre.objects.create(full_name="李强", gender="male", organization=self.union_b)
        self.assertEqual(list(Cadre.objects.restrict(self.alice)), [self.cadre])
        self.assertEqual(set(Cadre.objects.restrict(self.lena)), {self.cadre, other})
        self.assertEqual(list(Cadre.objects.restrict(self.otto)), [])

    def test_masked_id_number_keeps_region_and_last_four(self):
        self.cadre.id_number = "52279919800215001X"
        self.assertEqual(self.cadre.masked_id_number, "5227**********001X")

    def test_age_on_counts_whole_years(self):
        self.cadre.birth_date = datetime.date(1980, 6, 15)
        self.assertEqual(self.cadre.age_on(datetime.date(2018, 6, 14)), 37)
        self.assertEqual(self.cadre.age_on(datetime.date(2018, 6, 15)), 38)
