"""`path__startswith`, the scope of every query: the same rows on both databases, and on SQLite
a range the path's index serves (its LIKE ignores case and never uses an index)."""

from django.db import connection
from django.db.models import F

from cadres.models import Cadre, Post
from organizations.models import Organization
from tests.base import PortalTestCase, make_org


class BranchPrefixTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Enough children for paths ending in letters (treebeard's alphabet runs 0-9, then A-Z).
        cls.unions = [make_org(cls.district_a, f"甲区第{n}工会") for n in range(12)]
        cls.district_a.refresh_from_db()
        for union in cls.unions[9:]:
            make_org(union, f"{union.name}分会")

    def test_a_branch_is_every_path_below_its_prefix_and_nothing_else(self):
        paths = list(Organization.objects.values_list("path", flat=True))
        self.assertTrue(any(path[-1].isalpha() for path in paths), paths)
        for organization in Organization.objects.all():
            with self.subTest(organization.name):
                expected = sorted(path for path in paths if path.startswith(organization.path))
                found = Organization.objects.filter(path__startswith=organization.path).values_list("path", flat=True)
                self.assertEqual(sorted(found), expected)
                others = Organization.objects.exclude(path__startswith=organization.path).count()
                self.assertEqual(others, len(paths) - len(expected))

    def test_through_a_relation_and_against_a_column(self):
        union = self.unions[10]
        cadre = Cadre.objects.create(full_name="张三", gender="male", organization=union)
        Post.objects.create(cadre=cadre, organization=union, position="chair", start="2020-01-01")
        self.assertEqual(Post.objects.filter(organization__path__startswith=self.district_a.path).count(), 1)
        self.assertEqual(Post.objects.filter(organization__path__startswith=self.district_b.path).count(), 0)
        # An expression on the right is Django's own startswith.
        self.assertEqual(Organization.objects.filter(path__startswith=F("path")).count(), Organization.objects.count())

    def test_the_scope_of_a_query_is_read_from_the_path_index(self):
        sql, params = Post.objects.restrict(self.alice).values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                self.assertNotIn("LIKE", sql)
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row) for row in cursor.fetchall())
                self.assertIn("path>? AND path<?", plan)
            else:
                self.assertIn("LIKE", sql)
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = " ".join(str(row) for row in cursor.fetchall())
                self.assertIn("path", plan)
                self.assertIn("~>=~", plan)
