"""The synthetic population is deterministic and well formed: the same rows twice, a valid
treebeard tree, valid resident ID numbers, the tier's sizes."""

from django.db import transaction
from django.test import TestCase

from bench.population import TIERS, build, table_counts
from organizations.models import Organization
from relief.models import Beneficiary
from standards.models import Assessment, AssessmentStatus
from unionportal.validators import validate_resident_id

YEAR = 2025


def assessment_verdicts():
    """(score, compliant, stars) of each assessment as stored, and as `Standard.verdict`
    computes them from its items."""
    stored, computed = [], []
    assessments = Assessment.objects.select_related("standard").prefetch_related(
        "items__criterion", "standard__thresholds"
    )
    for assessment in assessments:
        items = [(item.criterion, item.met, item.points) for item in assessment.items.all()]
        score, _must_pass_met, compliant, rating = assessment.standard.verdict(items)
        stored.append((assessment.pk, assessment.score, assessment.compliant, assessment.rating))
        computed.append((assessment.pk, score, compliant, rating))
    return stored, computed


def build_and_undo():
    """Build the test tier, look at it, and roll it back."""
    with transaction.atomic():
        marker = build("test", YEAR)
        seen = {
            "counts": table_counts(),
            "problems": Organization.objects.find_problems(),
            "root_descendants": Organization.objects.get_descendant_count(Organization.objects.get(depth=1)),
            "ids": list(Beneficiary.objects.values_list("id_number", flat=True)),
            "verdicts": assessment_verdicts(),
            "statuses": set(Assessment.objects.values_list("status", flat=True)),
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

    def test_assessments_agree_with_their_items(self):
        _marker, seen = build_and_undo()
        stored, computed = seen["verdicts"]
        self.assertEqual(stored, computed)
        self.assertTrue(any(rating for _pk, _score, _compliant, rating in stored))
        self.assertTrue(any(compliant for _pk, _score, compliant, _rating in stored))
        self.assertIn(AssessmentStatus.APPROVED, seen["statuses"])
        self.assertIn(AssessmentStatus.DRAFT, seen["statuses"])
