import datetime

from django.utils.translation import gettext as _

from activities.models import Activity, ActivityKind
from activities.services import activity_save
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


class ManyToManyHistoryTest(PortalTestCase):
    """An activity's co-organizers are kept in its history (simple-history's m2m_fields): a
    change reads as the organizations before and after, not as the rows of the join table
    ([{'activity': 43, 'organization': 516}]), and those outside the reader's branch as such."""

    def setUp(self):
        self.activity = Activity.objects.create(
            title="联合读书活动", kind=ActivityKind.READING, organizer=self.district_a, start=datetime.date(2025, 4, 23)
        )

    def co_organizers(self, *organizations):
        # The city's administrator may name a co-organizer in either district.
        activity_save(activity=self.activity, co_organizers=organizations, user=self.ada)

    def changes(self, user):
        field = str(Activity._meta.get_field("co_organizers").verbose_name)
        return [
            (change["old"], change["new"])
            for row in history_rows(self.activity.history.all(), user=user)
            for change in row["changes"]
            if str(change["field"]) == field
        ]

    def test_co_organizers_added_and_removed_read_as_their_names(self):
        self.co_organizers(self.union_a, self.union_b)
        # One removed and one added: Django removes, then adds, and each is a version.
        self.co_organizers(self.union_b, self.district_b)
        self.assertEqual(
            self.changes(self.lena),
            [
                ("乙区机械厂工会", "乙区总工会、乙区机械厂工会"),
                ("甲区第一中学工会、乙区机械厂工会", "乙区机械厂工会"),
                ("—", "甲区第一中学工会、乙区机械厂工会"),
            ],
        )

    def test_co_organizers_outside_the_branch_are_not_named(self):
        self.co_organizers(self.union_a, self.union_b)
        self.co_organizers(self.union_b, self.district_b)
        outside = _("(outside your branch)")
        self.assertEqual(
            self.changes(self.alice),
            [
                (outside, f"{outside}、{outside}"),
                (f"甲区第一中学工会、{outside}", outside),
                ("—", f"甲区第一中学工会、{outside}"),
            ],
        )
        self.assertNotIn("乙区", str(self.changes(self.alice)))

    def test_the_panel_costs_the_same_whatever_the_number_of_co_organizer_changes(self):
        self.co_organizers(self.union_a)
        self.co_organizers()
        # The records, the co-organizers of each version, the organizations named.
        with self.assertNumQueries(3):
            history_rows(self.activity.history.all(), user=self.alice)
        for _number in range(10):
            self.co_organizers(self.union_a)
            self.co_organizers()
        with self.assertNumQueries(3):
            rows = history_rows(self.activity.history.all(), user=self.alice)
        self.assertEqual(len([row for row in rows if row["changes"]]), 22)
