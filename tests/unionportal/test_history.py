from django.utils.translation import gettext as _

from cadres.models import Cadre, Post
from organizations.models import Organization
from tests.base import PortalTestCase, make_org
from unionportal.history import history_rows


class HistoryPanelTest(PortalTestCase):
    def changes(self, records, user):
        return [change for row in history_rows(records, user=user) for change in row["changes"]]

    def test_a_changed_foreign_key_is_named_when_in_scope_and_hidden_when_not(self):
        cadre = Cadre.objects.create(full_name="张明", gender="male", organization=self.union_a)
        cadre.organization = self.district_a
        cadre.save()
        cadre.organization = self.union_b  # moved to the other district
        cadre.save()
        for_lena = self.changes(cadre.history.all(), self.lena)
        self.assertEqual(
            [(c["old"], c["new"]) for c in for_lena],
            [("甲区总工会", "乙区机械厂工会"), ("甲区第一中学工会", "甲区总工会")],
        )
        for_alice = self.changes(cadre.history.all(), self.alice)
        self.assertEqual(for_alice[0]["new"], _("(outside your branch)"))
        self.assertNotIn("乙区机械厂工会", str(for_alice))

    def test_booleans_read_as_words(self):
        cadre = Cadre.objects.create(full_name="张明", gender="male", organization=self.union_a)
        post = Post.objects.create(cadre=cadre, organization=self.union_a, position="staff", start="2020-01-01")
        post.full_time = False
        post.save()
        [change] = self.changes(post.history.all(), self.alice)
        self.assertEqual((change["old"], change["new"]), ("是", "否"))

    def test_the_panel_costs_the_same_whatever_the_number_of_foreign_key_changes(self):
        organization = make_org(self.district_a, "甲区历史测试工会")
        targets = [self.district_a, self.union_a]

        def move(count):
            for number in range(count):
                Organization.objects.filter(pk=organization.pk).update(parent=targets[number % 2])
                organization.refresh_from_db()
                organization.address = f"地址{number}"
                organization.save()

        move(2)
        with self.assertNumQueries(2):  # the records, then the organizations named
            history_rows(organization.history.all(), user=self.alice)
        move(20)
        with self.assertNumQueries(2):
            history_rows(organization.history.all(), user=self.alice)
