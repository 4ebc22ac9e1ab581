"""Aggregates read a branch as a range of paths on SQLite (unionportal/scoping.py
`branch_ranges`): the same rows as LIKE 'prefix%', in a form SQLite's path index serves; pages
and PostgreSQL keep LIKE."""

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cadres.models import Cadre, Post
from organizations.models import Organization
from reports.summary import SECTIONS
from tests.base import PortalTestCase, make_org
from tests.cadres.data import resident_id
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
