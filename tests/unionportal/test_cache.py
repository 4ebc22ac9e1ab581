"""Figures cached per branch (unionportal/cache.py): versions by organization path, bumped with
every ancestor on a write of a record of the branch."""

from django.core.cache import cache

from activities.models import Activity
from tests.base import PortalTestCase
from tests.reports.data import activity, programme
from unionportal.cache import branch_version, bump_branch, cached_for_branch, record_paths


class BranchCacheTest(PortalTestCase):
    def counting(self, organization, key="k"):
        calls = []

        def compute():
            calls.append(1)
            return len(calls)

        return lambda: cached_for_branch(key, organization, compute), calls

    def test_computed_once_until_the_branch_changes(self):
        value, calls = self.counting(self.district_b)
        self.assertEqual((value(), value()), (1, 1))
        bump_branch(self.union_b.path, steplen=self.union_b.steplen)
        self.assertEqual(value(), 2)
        bump_branch(self.union_a.path, steplen=self.union_a.steplen)
        bump_branch(self.district_a.path)
        self.assertEqual((value(), len(calls)), (2, 2))

    def test_a_bump_reaches_every_ancestor_and_nothing_else(self):
        before = {org.pk: branch_version(org.path) for org in (self.city, self.district_a, self.district_b)}
        bumped = bump_branch(self.union_b.path, steplen=self.union_b.steplen)
        self.assertEqual(bumped, {self.city.path, self.district_b.path, self.union_b.path})
        self.assertNotEqual(branch_version(self.city.path), before[self.city.pk])
        self.assertNotEqual(branch_version(self.district_b.path), before[self.district_b.pk])
        self.assertEqual(branch_version(self.district_a.path), before[self.district_a.pk])

    def test_an_evicted_version_never_returns_an_old_value(self):
        value, _calls = self.counting(self.union_a)
        self.assertEqual(value(), 1)
        cache.delete(f"branch-version:{self.union_a.path}")
        self.assertEqual(value(), 2)

    def test_the_key_separates_values(self):
        one, _ = self.counting(self.union_a, "one")
        two, _ = self.counting(self.union_a, "two")
        self.assertEqual((one(), two()), (1, 1))

    def test_a_record_write_bumps_its_branch_and_reference_data_bumps_every_branch(self):
        city, district_a, district_b = (branch_version(o.path) for o in (self.city, self.district_a, self.district_b))
        activity(self.union_a, 10)
        self.assertNotEqual(branch_version(self.district_a.path), district_a)
        self.assertNotEqual(branch_version(self.city.path), city)
        self.assertEqual(branch_version(self.district_b.path), district_b)
        everything = branch_version("")
        programme(self.district_b, 2024)
        self.assertNotEqual(branch_version(""), everything)

    def test_a_users_login_changes_no_branch(self):
        everything, district_a = branch_version(""), branch_version(self.district_a.path)
        self.login(self.alice)
        self.alice.save()
        self.assertEqual((branch_version(""), branch_version(self.district_a.path)), (everything, district_a))

    def test_the_paths_of_a_record(self):
        record = activity(self.union_a, 10)
        self.assertEqual(record_paths(Activity.objects.get(pk=record.pk)), {self.union_a.path})
