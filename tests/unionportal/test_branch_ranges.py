"""Aggregates read a branch as a range of paths on SQLite (unionportal/scoping.py
`branch_ranges`): the same rows as LIKE 'prefix%', in a form SQLite's path index serves. So do
the branch dropdown and the page of a small branch (unionportal/tables.py `paged_as_range`); a
large branch's page, and PostgreSQL, keep LIKE."""

from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre, Post
from organizations.filters import BRANCH_KINDS, BranchChoiceField
from organizations.models import Organization, OrganizationKind
from reports.summary import SECTIONS
from tests.base import PortalTestCase, make_org
from tests.cadres.data import resident_id
from unionportal import tables
from unionportal.cache import branch_sizes
from unionportal.scoping import BranchPrefix, branch_ranges


class BranchRangesTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.town = make_org(cls.district_a, "甲区某镇")
        # A branch next to district A whose path shares district A's prefix but one step.
        cls.district_c = make_org(cls.city, "丙区总工会")
        for number, union in enumerate((cls.union_a, cls.town, cls.union_b, cls.district_c, cls.city)):
            id_number = resident_id(sequence=f"{number + 1:03d}")
            cadre = Cadre.objects.create(
                full_name=f"干部{number}", gender="male", id_number=id_number, organization=union
            )
            Post.objects.create(cadre=cadre, organization=union, position="chair", start="2024-01-01")

    def sql(self, function):
        with CaptureQueriesContext(connection) as context:
            function()
        return context.captured_queries[-1]["sql"]

    def test_every_branch_holds_the_same_records_read_either_way(self):
        for organization in Organization.objects.all():
            with self.subTest(organization.name):
                posts = Post.objects.filter(organization__path__startswith=organization.path)
                organizations = Organization.objects.filter(path__startswith=organization.path)
                plain = (sorted(posts.values_list("pk", flat=True)), sorted(organizations.values_list("pk", flat=True)))
                with branch_ranges():
                    ranged = (
                        sorted(posts.values_list("pk", flat=True)),
                        sorted(organizations.values_list("pk", flat=True)),
                    )
                    count = posts.aggregate(count=Count("pk"))["count"]
                self.assertEqual(ranged, plain)
                self.assertEqual(count, len(plain[0]))
                self.assertTrue(plain[1])

    def test_only_aggregates_on_sqlite_read_a_range(self):
        posts = Post.objects.filter(organization__path__startswith=self.district_a.path)
        outside = self.sql(lambda: list(posts.all()))
        with branch_ranges():
            inside = self.sql(lambda: posts.all().count())
        after = self.sql(lambda: posts.all().count())
        self.assertIn("LIKE", outside)
        self.assertIn("LIKE", after)
        if connection.vendor == "sqlite":
            self.assertNotIn("LIKE", inside)
            self.assertIn(f"\"path\" >= '{self.district_a.path}'", inside)
            self.assertIn(f"\"path\" < '{self.district_a.path}~'", inside)
        else:
            self.assertIn("LIKE", inside)

    def test_the_range_ends_after_every_character_of_a_path(self):
        # Treebeard's alphabet is digits and capitals, all below "~": a path ending in its last
        # letter is still inside the range of its prefix.
        query = Organization.objects.filter(path__startswith="000Z").query
        self.assertIsInstance(query.where.children[0], BranchPrefix)
        with branch_ranges():
            _sql, params = query.sql_with_params()
        if connection.vendor == "sqlite":
            self.assertEqual(list(params), ["000Z", "000Z~"])
        alphabet = Organization.alphabet
        self.assertTrue(all(character < "~" for character in alphabet))
        self.assertLess("000Z" + alphabet[-1] * 4, "000Z~")

    def test_report_sections_read_ranges(self):
        for section in SECTIONS:
            with self.subTest(section.__name__):
                self.assertTrue(hasattr(section, "__wrapped__"), "decorate it with @report_section")


class RangePagesTest(PortalTestCase):
    """Which pages SQLite reads as a range of paths, and that they hold the same rows."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for number, union in enumerate((cls.union_a, cls.district_a, cls.union_b) * 3):
            id_number = resident_id(sequence=f"{number + 1:03d}")
            cadre = Cadre.objects.create(
                full_name=f"干部{number}", gender="male", id_number=id_number, organization=union
            )
            Post.objects.create(cadre=cadre, organization=union, position="staff", start=f"2024-01-{number + 1:02d}")

    def setUp(self):
        cache.clear()

    def page(self, user, **params):
        """The rows of the post list's page and the SQL that read them."""
        self.login(user)
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(reverse("cadres:post_list"), {"sort": "-start", **params})
        self.assertEqual(response.status_code, 200)
        rows = [post.pk for post in response.context["table"].page.object_list.data]
        pages = [
            query["sql"]
            for query in context.captured_queries
            if "LIMIT" in query["sql"] and "cadres_post" in query["sql"]
        ]
        return rows, pages[-1]

    def test_a_small_branch_is_read_as_a_range_on_sqlite_with_the_same_rows(self):
        with mock.patch.object(tables, "RANGE_PAGE_SHARE", 0.0):
            walked, walking = self.page(self.alice)
        with mock.patch.object(tables, "RANGE_PAGE_SHARE", 1.0):
            ranged, reading = self.page(self.alice)
        self.assertEqual(ranged, walked)
        self.assertEqual(len(ranged), 6)
        self.assertIn("LIKE", walking)
        if connection.vendor == "sqlite":
            self.assertNotIn("LIKE", reading)
            self.assertIn(f"\"path\" >= '{self.district_a.path}'", reading)
        else:
            self.assertIn("LIKE", reading)

    def test_a_branch_too_large_or_too_much_of_the_tree_is_walked(self):
        in_branch, in_tree = branch_sizes(self.district_a)
        self.assertLessEqual(in_branch, in_tree * tables.RANGE_PAGE_SHARE * 4)
        with mock.patch.object(tables, "RANGE_PAGE_ORGANIZATIONS", in_branch - 1):
            self.assertFalse(tables.paged_as_range(Post.objects.all(), self.alice))
        # The city's leader reads the whole tree: walked, whatever its size.
        self.assertFalse(tables.paged_as_range(Post.objects.all(), self.lena))
        _rows, sql = self.page(self.lena)
        self.assertIn("LIKE", sql)
        self.assertFalse(tables.paged_as_range(Post.objects.all(), self.root))  # no branch at all

    def test_the_sizes_are_counted_once_per_shape_of_the_tree(self):
        expected = (
            Organization.objects.filter(path__startswith=self.district_a.path).count(),
            Organization.objects.count(),
        )
        with self.assertNumQueries(1):
            self.assertEqual(branch_sizes(self.district_a), expected)
        with self.assertNumQueries(0):
            self.assertEqual(branch_sizes(self.district_a), expected)
        make_org(self.district_a, "甲区新建工会")
        with self.assertNumQueries(1):
            self.assertEqual(branch_sizes(self.district_a), (expected[0] + 1, expected[1] + 1))

    def test_the_branch_dropdown_reads_a_range_and_lists_the_federations_in_tree_order(self):
        make_org(self.district_a, "甲区乙镇总工会", OrganizationKind.TOWNSHIP_FEDERATION)
        make_org(self.city, "丁区总工会", OrganizationKind.COUNTY_FEDERATION)
        field = BranchChoiceField(queryset=Organization.objects.restrict(self.lena))
        field.selected = [self.union_b.pk]
        with CaptureQueriesContext(connection) as context:
            offered = field.offered()
        paths = [organization.path for organization in offered]
        self.assertEqual(paths, sorted(paths))
        expected = Organization.objects.filter(
            Q(kind__in=BRANCH_KINDS) | Q(pk=self.union_b.pk), path__startswith=self.city.path
        )
        self.assertEqual(paths, list(expected.values_list("path", flat=True)))
        self.assertEqual(len(context.captured_queries), 2)  # the federations, the union chosen
        if connection.vendor == "sqlite":
            self.assertNotIn("LIKE", context.captured_queries[0]["sql"])

    def test_the_federations_are_kept_until_the_tree_changes(self):
        field = BranchChoiceField(queryset=Organization.objects.restrict(self.lena))
        before = [str(federation) for federation in field.offered()]
        with self.assertNumQueries(0):
            self.assertEqual([str(federation) for federation in field.offered()], before)
        self.district_b.name = "乙区总工会（新）"
        self.district_b.save()
        make_org(self.city, "丁区总工会", OrganizationKind.COUNTY_FEDERATION)
        after = [str(federation) for federation in field.offered()]
        self.assertEqual(after, ["测试市总工会", "甲区总工会", "乙区总工会（新）", "丁区总工会"])
        # Another reader's scope has its own list.
        district = BranchChoiceField(queryset=Organization.objects.restrict(self.alice))
        self.assertEqual([str(federation) for federation in district.offered()], ["甲区总工会"])
