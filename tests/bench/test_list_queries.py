"""On the benchmark's population, every list page costs the same queries for 5 rows as for
50, as the district's staff and as the province's leader (the figure `make bench` reports
at every tier; timings are never asserted)."""

import io

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.measure import LISTS, WHO, count_queries
from bench.population import build
from tests.bench.test_population import YEAR


class ListQueriesOnThePopulationTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        build("test", YEAR)

    def page(self, url, size):
        with override_settings(PAGE_SIZE=size):
            self.client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return count_queries(captured), len(response.context["table"].page.object_list)

    def test_each_list_costs_the_same_queries_for_5_and_50_rows(self):
        from accounts.models import User

        for username in WHO:
            self.client.force_login(User.objects.get(username=username))
            for name, url_name, query in LISTS:
                with self.subTest(list=name, user=username):
                    url = f"{reverse(url_name)}?{query}"
                    queries_5, rows_5 = self.page(url, 5)
                    queries_50, rows_50 = self.page(url, 50)
                    self.assertEqual(rows_5, 5)
                    self.assertGreater(rows_50, 5)
                    self.assertEqual(queries_5, queries_50)

    def test_a_page_can_be_profiled_as_a_user_of_the_population(self):
        out = io.StringIO()
        call_command("bench_profile", f"{reverse('relief:disbursement_list')}?status=paid", requests=2, stdout=out)
        report = out.getvalue()
        self.assertIn("2 requests", report)
        self.assertIn("DisbursementListView", report)

    def test_profiling_a_page_that_fails_says_so(self):
        with self.assertRaisesMessage(CommandError, "answered 404"):
            call_command("bench_profile", "/relief/disbursements/999999999/", stdout=io.StringIO())
