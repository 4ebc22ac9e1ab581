"""The annual summary's sections are cached per branch, period, day, language and scope
until a record of the branch changes (reports/summary.py, unionportal/cache.py): the page, its
print and its workbook compute the summary once."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.summary import AnnualSummary, Dashboard
from tests.base import make_user
from tests.reports.data import A_PARTICIPANTS, B_PARTICIPANTS, YEAR, activity, both_districts
from tests.reports.test_summary import SummaryTestCase
from tests.reports.test_views import workbook_text
from unionportal.reporting import Period

URL = reverse("reports:annual_summary")
PERIOD = Period.year(YEAR)


def participants(summary):
    return summary.section("activities").figure("participants").value


class SummaryCacheTest(SummaryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        both_districts(cls)

    def get(self, user, **extra):
        self.login(user)
        query = {"organization": self.district_b.pk, "from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", **extra}
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(URL, query)
        self.assertEqual(response.status_code, 200)
        return response, len(queries.captured_queries)

    def test_the_workbook_after_the_page_computes_nothing_again(self):
        page, cold = self.get(self.leo)
        workbook, warm = self.get(self.leo, format="xlsx")
        again, warm_page = self.get(self.leo)
        self.assertGreater(cold, warm + 10)
        self.assertLess(warm_page, cold - 10)
        self.assertIn(str(B_PARTICIPANTS), workbook_text(workbook.content).replace(",", ""))
        self.assertEqual(participants(again.context["summary"]), B_PARTICIPANTS)
        self.assertEqual(again.context["charts"], page.context["charts"])

    def test_a_record_of_the_branch_shows_at_once(self):
        self.get(self.leo)
        activity(self.union_b, 1000)
        response, _count = self.get(self.leo)
        self.assertEqual(participants(response.context["summary"]), B_PARTICIPANTS + 1000)

    def test_a_record_elsewhere_keeps_the_cache(self):
        _page, cold = self.get(self.leo)
        activity(self.union_a, 1000)
        response, count = self.get(self.leo)
        self.assertLess(count, cold - 10)
        self.assertEqual(participants(response.context["summary"]), B_PARTICIPANTS)

    def test_each_period_is_its_own(self):
        self.get(self.leo)
        activity(self.union_b, 50, start=datetime.date(YEAR + 1, 2, 1))
        later = AnnualSummary(self.leo, self.district_b, Period.year(YEAR + 1))
        self.assertEqual(participants(later), 50)
        self.assertEqual(participants(AnnualSummary(self.leo, self.district_b, PERIOD)), B_PARTICIPANTS)

    def test_readers_of_another_scope_never_share_figures_roles_of_one_branch_do(self):
        summaries = [
            AnnualSummary(user, self.district_b, PERIOD) for user in (self.leo, self.bob, self.lena, self.root)
        ]
        # Leo and Bob (a leader and a staff member of district B) share one entry; the city's
        # leader and the superuser have their own.
        self.assertEqual(len({summary.cache_key() for summary in summaries}), 3)
        self.assertEqual(summaries[0].cache_key(), summaries[1].cache_key())
        self.assertEqual([participants(summary) for summary in summaries], [B_PARTICIPANTS] * 4)
        approver = make_user("bella", self.district_b, "approver")
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(participants(AnnualSummary(approver, self.district_b, PERIOD)), B_PARTICIPANTS)
        self.assertLess(len(queries.captured_queries), 5)  # the constructor's and the versions'

    def test_each_language_is_its_own(self):
        self.get(self.leo)
        self.client.cookies["django_language"] = "en"
        response = self.client.get(URL, {"organization": self.district_b.pk, "from": f"{YEAR}-01-01"})
        self.assertEqual(str(response.context["summary"].section("activities").title), "Activities")

    def test_not_cached_when_asked_or_partial(self):
        with CaptureQueriesContext(connection) as first:
            computed = AnnualSummary(self.lena, self.city, PERIOD, cached=False)
            self.assertEqual(participants(computed), A_PARTICIPANTS + B_PARTICIPANTS)
        with CaptureQueriesContext(connection) as second:
            len(AnnualSummary(self.lena, self.city, PERIOD, cached=False).sections)
        self.assertEqual(len(first.captured_queries), len(second.captured_queries))
        self.assertFalse(Dashboard(self.lena, self.city).summary.cached)
