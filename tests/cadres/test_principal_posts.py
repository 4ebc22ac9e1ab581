"""A cadre's principal post, the one a count per cadre keeps: the highest rank first, then the
higher position, then the older record; whichever order the posts were entered in."""

from django.test import TestCase

from cadres.filters import principal_posts
from cadres.models import Position, Post, Rank
from organizations.models import OrganizationKind
from tests.base import make_org
from tests.cadres.test_reports import cadre, post


class PrincipalPostTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        city = make_org(None, "市总工会", OrganizationKind.CITY_FEDERATION)
        cls.union = make_org(city, "一工会")
        cls.other = make_org(city, "二工会")

    def principal(self, person):
        return principal_posts(Post.objects.filter(cadre=person)).get()

    def test_the_higher_rank_wins_over_the_higher_position(self):
        person = cadre(self.union, "甲")
        post(person, self.union, Position.CHAIR, Rank.SECTION)
        higher = post(person, self.other, Position.STAFF, Rank.DEPUTY_DIVISION)
        self.assertEqual(self.principal(person), higher)

    def test_at_the_same_rank_the_higher_position_wins(self):
        person = cadre(self.union, "乙")
        post(person, self.union, Position.VICE_CHAIR, Rank.SECTION)
        chair = post(person, self.other, Position.CHAIR, Rank.SECTION)
        self.assertEqual(self.principal(person), chair)

    def test_at_the_same_rank_and_position_the_older_record_wins(self):
        person = cadre(self.union, "丙")
        older = post(person, self.union, Position.STAFF, Rank.CLERK)
        post(person, self.other, Position.STAFF, Rank.CLERK)
        self.assertEqual(self.principal(person), older)

    def test_one_post_per_cadre_whatever_the_number_of_posts(self):
        people = [cadre(self.union, name) for name in "丁戊己"]
        for person in people:
            for rank in (Rank.NONE, Rank.UNIT, Rank.SECTION):
                post(person, self.union, Position.STAFF, rank)
        posts = principal_posts(Post.objects.filter(cadre__in=people))
        self.assertEqual(sorted(posts.values_list("cadre", "rank")), sorted((p.pk, Rank.SECTION) for p in people))
