"""The synthetic population is deterministic and well formed: the same rows twice, a valid
treebeard tree, valid resident ID numbers, the tier's sizes."""

from django.db import transaction
from django.test import TestCase

from bench.population import TIERS, build, table_counts
from organizations.models import Organization
from relief.models import Beneficiary
from unionportal.validators import validate_resident_id

YEAR = 2025


def build_and_undo():
    """Build the test tier, look at it, and roll it back."""
    with transaction.atomic():
        marker = build("test", YEAR)
        seen = {
            "counts": table_counts(),
            "problems": Organization.objects.find_problems(),
            "root_descendants": Organization.objects.get_descendant_count(Organization.objects.get(depth=1)),
            "ids": list(Beneficiary.objects.values_list("id_number", flat=True)),
        }
        transaction.set_rollback(True)
    return marker, seen


class PopulationTest(TestCase):
    def test_the_test_tier_builds_the_same_rows_twice(self):
        first, seen = build_and_undo()
        second, seen_again = build_and_undo()
        self.assertEqual(first["checksum"], second["checksum"])
        self.assertEqual(seen["counts"], seen_again["counts"])
        self.assertEqual(
            {table: count for table, count in seen["counts"].items() if table in first["counts"]}, first["counts"]
        )

    def test_the_tree_is_valid_and_the_sizes_are_the_tiers(self):
        tier = TIERS["test"]
        marker, seen = build_and_undo()
        self.assertEqual(seen["problems"], ([], [], [], [], []))
        self.assertEqual(seen["root_descendants"], tier.organizations - 1)
        counts = seen["counts"]
        self.assertEqual(counts["organizations_organization"], tier.organizations)
        self.assertEqual(counts["cadres_cadre"], tier.cadres)
        self.assertEqual(counts["activities_activity"], tier.activities)
        self.assertEqual(counts["activities_honour"], tier.honours)
        self.assertEqual(counts["relief_beneficiary"], tier.beneficiaries)
        self.assertEqual(counts["relief_disbursement"], tier.disbursements)
        self.assertEqual(marker["tier"], "test")

    def test_resident_id_numbers_are_valid_and_unique(self):
        _marker, seen = build_and_undo()
        for number in seen["ids"]:
            validate_resident_id(number)
        self.assertEqual(len(set(seen["ids"])), len(seen["ids"]))
