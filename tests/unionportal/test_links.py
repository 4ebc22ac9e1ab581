"""record_url gives what reverse gives, without matching the URL patterns for every row."""

from django.test import SimpleTestCase
from django.urls import reverse

from unionportal.links import record_url

NAMES = [
    "organizations:organization_detail",
    "cadres:cadre_detail",
    "relief:disbursement_detail",
    "activities:honour_detail",
    "accounts:user_detail",
]


class RecordUrlTest(SimpleTestCase):
    def test_the_same_address_as_reverse(self):
        for name in NAMES:
            for pk in (1, 7, 918273645, 12345678901):
                with self.subTest(name, pk=pk):
                    self.assertEqual(record_url(name, pk), reverse(name, args=[pk]))

    def test_an_id_that_is_not_a_number_goes_through_reverse(self):
        self.assertEqual(record_url("cadres:cadre_detail", "5"), reverse("cadres:cadre_detail", args=["5"]))
