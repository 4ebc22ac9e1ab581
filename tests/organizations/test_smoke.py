from tests.base import PortalTestCase


class SmokeTest(PortalTestCase):
    def test_staff_of_other_district_gets_404(self):
        self.login(self.bob)
        response = self.client.get(self.union_a.get_absolute_url())
        self.assertEqual(response.status_code, 404)
