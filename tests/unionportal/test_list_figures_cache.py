"""A list's row count and totals come from the cache while the reader's branch is unchanged,
and are recomputed as soon as a record of the branch changes (unionportal/cache.py): a page
turned, or the same list opened again, does not count a province's rows again."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre, Post
from organizations.models import Organization
from tests.base import PortalTestCase, make_org
from tests.cadres.data import resident_id

URL = reverse("organizations:organization_list")


class ListFiguresCacheTest(PortalTestCase):
    def open(self, user, **params):
        self.login(user)
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        # The list's figures; not the sizes of the reader's branch and tree, which SQLite's page
        # reading counts once per shape of the tree (unionportal/tables.py `paged_as_range`).
        aggregates = [
            query for query in context.captured_queries if "COUNT(" in query["sql"] and 'AS "tree"' not in query["sql"]
        ]
        return response.context["table"].paginator.count, len(aggregates)

    def test_the_count_is_read_once_then_kept_until_the_branch_changes(self):
        in_branch = Organization.objects.filter(path__startswith=self.district_a.path).count()
        self.assertEqual(self.open(self.alice), (in_branch, 1))
        self.assertEqual(self.open(self.alice, page=1), (in_branch, 0))
        make_org(self.district_a, "甲区新建工会")
        self.assertEqual(self.open(self.alice), (in_branch + 1, 1))
        self.assertEqual(self.open(self.alice), (in_branch + 1, 0))

    def test_a_change_in_another_branch_keeps_the_figures(self):
        self.open(self.alice)
        make_org(self.district_b, "乙区新建工会")
        self.assertEqual(self.open(self.alice)[1], 0)
        # The city's leader holds both branches: the change reaches them.
        self.open(self.lena)
        make_org(self.district_b, "乙区又一工会")
        self.assertEqual(self.open(self.lena)[1], 1)

    def test_each_filter_and_each_reader_has_its_own_figures(self):
        everything, _ = self.open(self.lena)
        grassroots, queries = self.open(self.lena, kind="grassroots")
        self.assertEqual(queries, 1)
        self.assertLess(grassroots, everything)
        self.assertEqual(self.open(self.lena, kind="grassroots", sort="name"), (grassroots, 0))
        self.assertEqual(self.open(self.alice, kind="grassroots")[1], 1)
        self.assertLess(self.open(self.alice, kind="grassroots")[0], grassroots)

    def test_a_superuser_without_a_branch_is_always_counted_afresh(self):
        total = Organization.objects.count()
        self.assertEqual(self.open(self.root), (total, 1))
        self.assertEqual(self.open(self.root), (total, 1))


class PostListFiguresTest(PortalTestCase):
    """The cadre list counts posts: kept while the post's branch is unchanged, but counted
    afresh when a filter reads the cadre's own record (in whichever union it sits) or the
    cadre's other posts."""

    URL = reverse("cadres:post_list")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # 王芳's record sits in district B; she holds a post in district A's union.
        cls.cadre = Cadre.objects.create(
            full_name="王芳", gender="female", id_number=resident_id(sequence="101"), organization=cls.union_b
        )
        Post.objects.create(cadre=cls.cadre, organization=cls.union_a, position="staff", start="2024-01-01")

    def open(self, **params):
        self.login(self.alice)
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(self.URL, params)
        self.assertEqual(response.status_code, 200)
        counts = [
            query for query in context.captured_queries if "COUNT(" in query["sql"] and 'AS "tree"' not in query["sql"]
        ]
        return response.context["table"].paginator.count, len(counts)

    def test_posts_are_counted_once_then_kept_until_a_post_of_the_branch_changes(self):
        self.assertEqual(self.open(position="staff"), (1, 1))
        self.assertEqual(self.open(position="staff", sort="-start"), (1, 0))
        cadre = Cadre.objects.create(
            full_name="李强", gender="male", id_number=resident_id(sequence="102"), organization=self.union_a
        )
        Post.objects.create(cadre=cadre, organization=self.union_a, position="staff", start="2024-02-01")
        self.assertEqual(self.open(position="staff"), (2, 1))

    def test_a_filter_on_the_cadres_record_counts_afresh(self):
        self.assertEqual(self.open(name="王芳"), (1, 1))
        # Renamed in district B, where her record sits: district A's version does not move.
        self.cadre.full_name = "王芳芳"
        self.cadre.save()
        self.assertEqual(self.open(name="王芳芳"), (1, 1))
        self.assertEqual(self.open(name="王芳芳"), (1, 1))
        for params in ({"per_cadre": "true"}, {"college_or_higher": "false"}, {"age_min": "18"}):
            with self.subTest(params):
                self.assertEqual(self.open(**params)[1], 1)
                self.assertEqual(self.open(**params)[1], 1)
