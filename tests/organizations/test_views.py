"""The pages of the union tree: what each does, what it refuses, and what it costs in queries."""

import datetime
import io
from html.parser import HTMLParser

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from accounts.models import AuditEvent, User
from organizations.models import MembershipFigure, Organization, OrganizationKind, UnitType
from tests.base import PortalTestCase, make_org, make_user
from tests.workbooks import response_bytes
from unionportal.xlsx import XLSX_CONTENT_TYPE


def zh(message, **params):
    """A message as the portal shows it (zh-hans, the default language)."""
    with translation.override("zh-hans"):
        text = gettext(message)
        return text % params if params else text


def url(name, *args):
    return reverse(f"organizations:{name}", args=args)


def organization_post(name, **extra):
    return {"name": name, "kind": OrganizationKind.GRASSROOTS, "unit_type": UnitType.ORGAN, **extra}


class TableHeaders(HTMLParser):
    """The text of each <th> of a page's first table header."""

    def __init__(self):
        super().__init__()
        self.headers, self._in_head, self._in_th, self._done = [], False, False, False

    def handle_starttag(self, tag, attrs):
        if tag == "thead" and not self._done:
            self._in_head = True
        elif tag == "th" and self._in_head:
            self._in_th = True
            self.headers.append("")

    def handle_endtag(self, tag):
        if tag == "thead" and self._in_head:
            self._in_head, self._done = False, True
        elif tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._in_th:
            self.headers[-1] += data.strip()


class OrganizationViewTestCase(PortalTestCase):
    def names(self, response):
        """Names of the rows of a list page, in the order shown."""
        return [row.record.name for row in response.context["table"].paginated_rows]


class CreateTest(OrganizationViewTestCase):
    def test_staff_creates_an_organization_under_own_district(self):
        self.login(self.alice)
        response = self.client.post(
            url("organization_create"), {"parent": self.district_a.pk, **organization_post("甲区第二中学工会")}
        )
        created = Organization.objects.get(name="甲区第二中学工会")
        self.assertRedirects(response, created.get_absolute_url())
        self.assertEqual(created.parent, self.district_a)
        self.assertEqual(Organization.objects.get_parent(created), self.district_a)
        self.assertEqual(created.kind, OrganizationKind.GRASSROOTS)
        [record] = created.history.all()
        self.assertEqual(record.history_type, "+")
        self.assertEqual(record.history_user, self.alice)

    def test_parent_dropdown_offers_only_federations_of_own_branch(self):
        township = make_org(self.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        self.login(self.alice)
        response = self.client.get(url("organization_create"))
        choices = [label for value, label in response.context["form"].fields["parent"].choices if value]
        # Grassroots unions are leaves, and district B is outside the branch.
        self.assertEqual(choices, ["甲区总工会", township.name])
        self.assertNotContains(response, f'value="{self.district_b.pk}"')
        self.assertNotContains(response, "乙区")

    def test_parent_given_in_the_address_from_another_district_is_not_preselected(self):
        self.login(self.alice)
        response = self.client.get(url("organization_create") + f"?parent={self.district_b.pk}")
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["form"].initial.get("parent"))
        self.assertNotContains(response, "乙区")

    def test_forged_post_with_a_parent_of_district_b_is_refused_and_creates_nothing(self):
        self.login(self.alice)
        response = self.client.post(
            url("organization_create"), {"parent": self.district_b.pk, **organization_post("伪造的工会")}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["parent"])
        self.assertFalse(Organization.objects.filter(name="伪造的工会").exists())
        self.district_b.refresh_from_db()
        self.assertEqual(self.district_b.numchild, 1)

    def test_organization_under_a_grassroots_union_is_refused(self):
        self.login(self.alice)
        response = self.client.post(
            url("organization_create"), {"parent": self.union_a.pk, **organization_post("不该有的下级")}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("parent", response.context["form"].errors)
        self.assertFalse(Organization.objects.filter(name="不该有的下级").exists())

    def test_duplicate_name_under_the_same_parent_is_refused(self):
        self.login(self.alice)
        response = self.client.post(
            url("organization_create"), {"parent": self.district_a.pk, **organization_post("甲区第一中学工会")}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(Organization.objects.filter(name="甲区第一中学工会").count(), 1)


class UpdateTest(OrganizationViewTestCase):
    def test_edit_writes_history_with_before_and_after_on_the_detail_page(self):
        self.login(self.alice)
        response = self.client.post(
            url("organization_update", self.union_a.pk),
            organization_post("甲区第一中学工会", unit_type=UnitType.INSTITUTION, address="甲区学府路1号"),
        )
        self.assertRedirects(response, self.union_a.get_absolute_url())
        self.union_a.refresh_from_db()
        self.assertEqual(self.union_a.address, "甲区学府路1号")
        latest = self.union_a.history.first()
        self.assertEqual(latest.history_type, "~")
        self.assertEqual(latest.history_user, self.alice)

        response = self.client.get(self.union_a.get_absolute_url())
        newest = response.context["history"][0]
        self.assertEqual(newest["record"].history_user, self.alice)
        with translation.override("zh-hans"):
            address_label = str(Organization._meta.get_field("address").verbose_name)
        self.assertEqual(
            newest["changes"],
            [{"field": Organization._meta.get_field("address").verbose_name, "old": "—", "new": "甲区学府路1号"}],
        )
        self.assertContains(response, address_label)
        self.assertContains(
            response, '<del class="text-danger">—</del> → <ins class="text-success">甲区学府路1号</ins>'
        )

    def test_renaming_shows_the_old_and_the_new_name(self):
        self.login(self.adam)
        self.client.post(
            url("organization_update", self.union_a.pk),
            organization_post("甲区一中工会", unit_type=UnitType.INSTITUTION),
        )
        response = self.client.get(self.union_a.get_absolute_url())
        self.assertContains(
            response, '<del class="text-danger">甲区第一中学工会</del> → <ins class="text-success">甲区一中工会</ins>'
        )
        self.assertEqual(response.context["history"][0]["record"].history_user, self.adam)

    def test_invalid_credit_code_is_refused_and_nothing_changes(self):
        self.login(self.alice)
        response = self.client.post(
            url("organization_update", self.union_a.pk),
            organization_post("甲区第一中学工会", unit_type=UnitType.INSTITUTION, credit_code="123"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("credit_code", response.context["form"].errors)
        self.union_a.refresh_from_db()
        self.assertEqual(self.union_a.credit_code, "")
        self.assertEqual(self.union_a.history.count(), 1)


class MoveTest(OrganizationViewTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township_a = make_org(cls.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        cls.industry_a = make_org(cls.township_a, "甲区城关街道建筑行业工会", OrganizationKind.INDUSTRY_UNION)
        cls.district_a.refresh_from_db()

    def test_move_inside_the_branch_moves_the_organization_and_records_it(self):
        self.login(self.alice)
        response = self.client.post(url("organization_move", self.union_a.pk), {"new_parent": self.township_a.pk})
        self.assertRedirects(response, self.union_a.get_absolute_url())
        moved = Organization.objects.get(pk=self.union_a.pk)
        self.assertEqual(moved.parent, self.township_a)
        self.assertEqual(Organization.objects.get_parent(moved), self.township_a)
        self.assertTrue(moved.path.startswith(self.township_a.path))
        latest = moved.history.first()
        self.assertEqual(latest.history_user, self.alice)
        self.assertEqual(latest.parent_id, self.township_a.pk)

    def test_move_dropdown_offers_neither_own_subtree_nor_other_districts(self):
        self.login(self.alice)
        response = self.client.get(url("organization_move", self.township_a.pk))
        choices = [label for value, label in response.context["form"].fields["new_parent"].choices if value]
        self.assertEqual(choices, ["甲区总工会"])

    def test_move_into_own_subtree_is_refused(self):
        self.login(self.alice)
        path_before = self.township_a.path
        response = self.client.post(url("organization_move", self.township_a.pk), {"new_parent": self.industry_a.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn("new_parent", response.context["form"].errors)
        self.township_a.refresh_from_db()
        self.assertEqual(self.township_a.parent, self.district_a)
        self.assertEqual(self.township_a.path, path_before)

    def test_move_out_of_scope_is_refused(self):
        self.login(self.alice)
        response = self.client.post(url("organization_move", self.union_a.pk), {"new_parent": self.district_b.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn("new_parent", response.context["form"].errors)
        self.union_a.refresh_from_db()
        self.assertEqual(self.union_a.parent, self.district_a)
        self.district_b.refresh_from_db()
        self.assertEqual(self.district_b.numchild, 1)

    def test_staff_cannot_move_own_organization(self):
        self.login(self.alice)
        # Everything alice may pick lies inside her own organization, so nothing is offered.
        response = self.client.get(url("organization_move", self.district_a.pk))
        self.assertEqual(list(response.context["form"].fields["new_parent"].queryset), [])
        path_before = self.district_a.path
        response = self.client.post(url("organization_move", self.district_a.pk), {"new_parent": self.township_a.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn("new_parent", response.context["form"].errors)
        self.district_a.refresh_from_db()
        self.assertEqual((self.district_a.parent, self.district_a.path), (self.city, path_before))

    def test_city_admin_moves_a_union_from_one_district_to_the_other(self):
        self.login(self.ada)
        response = self.client.post(url("organization_move", self.union_b.pk), {"new_parent": self.township_a.pk})
        self.assertRedirects(response, self.union_b.get_absolute_url())
        self.union_b.refresh_from_db()
        self.assertEqual(self.union_b.parent, self.township_a)
        self.district_b.refresh_from_db()
        self.assertEqual(self.district_b.numchild, 0)


class DeactivateTest(OrganizationViewTestCase):
    def test_deactivating_with_active_children_is_refused_with_the_reason(self):
        township = make_org(self.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        make_org(township, "甲区城关小学工会")
        self.login(self.alice)
        response = self.client.post(url("organization_deactivate", township.pk), {"deactivated": "2025-06-30"})
        self.assertEqual(response.status_code, 200)
        expected = zh("It still has %(count)d active child organizations: deactivate or move them first.", count=1)
        self.assertEqual(response.context["form"].errors["deactivated"], [expected])
        self.assertContains(response, expected)
        township.refresh_from_db()
        self.assertIsNone(township.deactivated)

    def test_deactivating_a_leaf_sets_the_date_and_reactivating_clears_it(self):
        self.login(self.alice)
        response = self.client.post(url("organization_deactivate", self.union_a.pk), {"deactivated": "2025-06-30"})
        self.assertRedirects(response, self.union_a.get_absolute_url())
        self.union_a.refresh_from_db()
        self.assertEqual(self.union_a.deactivated, datetime.date(2025, 6, 30))
        self.assertEqual(self.union_a.history.first().history_user, self.alice)

        response = self.client.post(url("organization_reactivate", self.union_a.pk))
        self.assertRedirects(response, self.union_a.get_absolute_url())
        self.union_a.refresh_from_db()
        self.assertIsNone(self.union_a.deactivated)


class DeleteTest(OrganizationViewTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township = make_org(cls.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)

    def assert_refused(self, reasons):
        self.login(self.alice)
        response = self.client.get(url("organization_delete", self.township.pk))
        self.assertEqual(response.context["blockers"], reasons)
        for reason in reasons:
            self.assertContains(response, f"<li>{reason}</li>")
        self.assertNotContains(response, 'class="btn btn-danger"')
        response = self.client.post(url("organization_delete", self.township.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["blockers"], reasons)
        self.assertTrue(Organization.objects.filter(pk=self.township.pk).exists())

    def records(self, model, count):
        return zh("%(count)d %(records)s still belong to it.", count=count, records=model._meta.verbose_name_plural)

    def test_delete_of_an_organization_with_children_shows_why_and_deletes_nothing(self):
        child = make_org(self.township, "甲区城关小学工会")
        self.assert_refused([zh("It still has %(count)d child organizations.", count=1)])
        self.assertTrue(Organization.objects.filter(pk=child.pk).exists())

    def test_delete_of_an_organization_with_membership_figures_shows_why_and_deletes_nothing(self):
        MembershipFigure.objects.create(organization=self.township, year=2024, members=10)
        MembershipFigure.objects.create(organization=self.township, year=2025, members=12)
        self.assert_refused([self.records(MembershipFigure, 2)])
        self.assertEqual(MembershipFigure.objects.filter(organization=self.township).count(), 2)

    def test_delete_of_an_organization_with_users_shows_why_and_deletes_nothing(self):
        make_user("tina", self.township, "staff")
        self.assert_refused([self.records(User, 1)])
        self.assertTrue(User.objects.filter(username="tina", organization=self.township).exists())

    def test_delete_with_every_kind_of_blocker_lists_them_all(self):
        make_org(self.township, "甲区城关小学工会")
        MembershipFigure.objects.create(organization=self.township, year=2024, members=10)
        make_user("tina", self.township, "staff")
        self.login(self.alice)
        blockers = self.client.get(url("organization_delete", self.township.pk)).context["blockers"]
        self.assertEqual(blockers[0], zh("It still has %(count)d child organizations.", count=1))
        self.assertEqual(sorted(blockers[1:]), sorted([self.records(MembershipFigure, 1), self.records(User, 1)]))

    def test_delete_of_an_empty_organization_removes_it_and_keeps_its_history(self):
        self.login(self.alice)
        response = self.client.post(url("organization_delete", self.union_a.pk))
        self.assertRedirects(response, self.district_a.get_absolute_url())
        self.assertFalse(Organization.objects.filter(pk=self.union_a.pk).exists())
        self.district_a.refresh_from_db()
        self.assertEqual(self.district_a.numchild, 1)
        deleted = Organization.history.filter(id=self.union_a.pk).first()
        self.assertEqual(deleted.history_type, "-")
        self.assertEqual(deleted.history_user, self.alice)

    def test_admin_cannot_delete_own_organization(self):
        self.login(self.adam)
        response = self.client.post(url("organization_delete", self.district_a.pk))
        self.assertContains(response, zh("You cannot delete your own organization."))
        self.assertTrue(Organization.objects.filter(pk=self.district_a.pk).exists())


class TreeTest(OrganizationViewTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township_a = make_org(cls.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        cls.school_a = make_org(cls.township_a, "甲区城关小学工会")
        cls.district_a.refresh_from_db()

    def test_tree_page_shows_only_the_users_branch(self):
        self.login(self.alice)
        response = self.client.get(url("organization_tree"))
        roots = [(root.name, [child.name for child in children]) for root, children in response.context["roots"]]
        self.assertEqual(roots, [("甲区总工会", ["甲区第一中学工会", "甲区城关街道工会联合会"])])
        self.assertNotContains(response, "乙区")
        self.assertNotContains(response, "测试市总工会")

    def test_superuser_tree_starts_at_every_top_level_federation(self):
        self.login(self.root)
        response = self.client.get(url("organization_tree"))
        roots = [(root.name, [child.name for child in children]) for root, children in response.context["roots"]]
        self.assertEqual(roots, [("测试市总工会", ["甲区总工会", "乙区总工会"])])

    def test_tree_children_endpoint_lists_the_children_of_a_node(self):
        self.login(self.alice)
        response = self.client.get(url("organization_tree_children", self.township_a.pk))
        self.assertEqual([child.name for child in response.context["children"]], ["甲区城关小学工会"])
        self.assertContains(response, self.school_a.get_absolute_url())

    def test_tree_children_of_another_district_is_404(self):
        self.login(self.alice)
        response = self.client.get(url("organization_tree_children", self.district_b.pk))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "乙区机械厂工会", status_code=404)

    def test_tree_search_finds_by_name_within_the_branch_with_the_path_to_each(self):
        self.login(self.alice)
        response = self.client.get(url("organization_tree") + "?q=城关")
        matches = [(node.name, trail) for node, trail in response.context["matches"]]
        self.assertEqual(
            matches,
            [
                ("甲区城关街道工会联合会", ["甲区总工会"]),
                ("甲区城关小学工会", ["甲区总工会", "甲区城关街道工会联合会"]),
            ],
        )

    def test_tree_search_finds_by_short_name(self):
        Organization.objects.filter(pk=self.union_a.pk).update(short_name="一中")
        self.login(self.alice)
        response = self.client.get(url("organization_tree") + "?q=一中")
        self.assertEqual([node.name for node, _trail in response.context["matches"]], ["甲区第一中学工会"])

    def test_tree_search_for_the_other_district_finds_nothing(self):
        self.login(self.alice)
        response = self.client.get(url("organization_tree") + "?q=乙区")
        self.assertEqual(response.context["matches"], [])
        self.assertNotContains(response, "乙区机械厂工会")
        self.assertNotContains(response, "乙区总工会")

    def test_tree_search_of_a_city_leader_finds_both_districts(self):
        self.login(self.lena)
        response = self.client.get(url("organization_tree") + "?q=工会")
        names = [node.name for node, _trail in response.context["matches"]]
        self.assertEqual(
            names,
            [
                "测试市总工会",
                "甲区总工会",
                "甲区第一中学工会",
                "甲区城关街道工会联合会",
                "甲区城关小学工会",
                "乙区总工会",
                "乙区机械厂工会",
            ],
        )


class BranchListTestCase(OrganizationViewTestCase):
    """District A with a township, its two unions (one deactivated) and a joint union."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        d = datetime.date
        cls.township_a = make_org(
            cls.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION, established=d(2010, 5, 1)
        )
        cls.school = make_org(
            cls.township_a, "甲区城关小学工会", unit_type=UnitType.INSTITUTION, established=d(2015, 3, 1)
        )
        cls.factory = make_org(
            cls.township_a,
            "甲区城关纺织厂工会",
            unit_type=UnitType.PRIVATE_ENTERPRISE,
            established=d(2018, 9, 1),
            deactivated=d(2023, 12, 31),
        )
        cls.joint = make_org(
            cls.district_a,
            "甲区个体劳动者联合工会",
            OrganizationKind.JOINT_GRASSROOTS,
            UnitType.OTHER,
            established=d(2020, 1, 1),
        )
        Organization.objects.filter(pk=cls.union_a.pk).update(established=d(2012, 6, 1))

    def rows(self, query, user=None):
        self.login(user or self.alice)
        response = self.client.get(url("organization_list") + query)
        self.assertEqual(response.status_code, 200)
        return self.names(response)


class ListFilterTest(BranchListTestCase):
    def test_unfiltered_list_is_the_branch_in_tree_order(self):
        self.assertEqual(
            self.rows(""),
            [
                "甲区总工会",
                "甲区第一中学工会",
                "甲区城关街道工会联合会",
                "甲区城关小学工会",
                "甲区城关纺织厂工会",
                "甲区个体劳动者联合工会",
            ],
        )

    def test_filter_by_kind(self):
        self.assertEqual(self.rows("?kind=grassroots"), ["甲区第一中学工会", "甲区城关小学工会", "甲区城关纺织厂工会"])
        self.assertEqual(self.rows("?kind=joint_grassroots"), ["甲区个体劳动者联合工会"])

    def test_filter_by_unit_type(self):
        self.assertEqual(self.rows("?unit_type=institution"), ["甲区第一中学工会", "甲区城关小学工会"])
        self.assertEqual(self.rows("?unit_type=private_enterprise"), ["甲区城关纺织厂工会"])

    def test_filter_by_branch_includes_the_branch_root(self):
        self.assertEqual(
            self.rows(f"?branch={self.township_a.pk}"),
            ["甲区城关街道工会联合会", "甲区城关小学工会", "甲区城关纺织厂工会"],
        )

    def test_filter_by_branch_outside_the_scope_gives_no_rows(self):
        self.assertEqual(self.rows(f"?branch={self.district_b.pk}"), [])

    def test_filter_by_name_contains(self):
        self.assertEqual(self.rows("?name=城关"), ["甲区城关街道工会联合会", "甲区城关小学工会", "甲区城关纺织厂工会"])
        self.assertEqual(self.rows("?name=乙区"), [])

    def test_filter_by_established_range(self):
        self.assertEqual(
            self.rows("?established_after=2012-06-01&established_before=2018-09-01"),
            ["甲区第一中学工会", "甲区城关小学工会", "甲区城关纺织厂工会"],
        )
        self.assertEqual(self.rows("?established_after=2019-01-01"), ["甲区个体劳动者联合工会"])
        self.assertEqual(self.rows("?established_before=2011-01-01"), ["甲区城关街道工会联合会"])

    def test_filter_by_status(self):
        self.assertEqual(self.rows("?status=deactivated"), ["甲区城关纺织厂工会"])
        self.assertEqual(
            self.rows("?status=active"),
            ["甲区总工会", "甲区第一中学工会", "甲区城关街道工会联合会", "甲区城关小学工会", "甲区个体劳动者联合工会"],
        )

    def test_filters_combine(self):
        self.assertEqual(self.rows(f"?branch={self.township_a.pk}&kind=grassroots&status=active"), ["甲区城关小学工会"])

    def test_city_leader_filtering_by_kind_sees_both_districts(self):
        self.assertEqual(
            self.rows("?unit_type=private_enterprise", user=self.lena), ["甲区城关纺织厂工会", "乙区机械厂工会"]
        )


class ExportTest(BranchListTestCase):
    def export(self, query, user=None):
        self.login(user or self.alice)
        response = self.client.get(url("organization_list") + query)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        workbook = load_workbook(io.BytesIO(response_bytes(response)), read_only=True)
        rows = [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        return rows

    def test_export_holds_exactly_the_filtered_rows_under_the_tables_headers(self):
        page = self.client_page_headers("?kind=grassroots")
        rows = self.export("?kind=grassroots&export=xlsx")
        self.assertEqual(rows[0], page)
        self.assertEqual([row[0] for row in rows[1:]], ["甲区第一中学工会", "甲区城关小学工会", "甲区城关纺织厂工会"])

    def client_page_headers(self, query):
        self.login(self.alice)
        response = self.client.get(url("organization_list") + query)
        parser = TableHeaders()
        parser.feed(response.content.decode())
        return parser.headers

    def test_export_cells_are_what_the_table_shows(self):
        rows = self.export("?name=纺织&export=xlsx")
        with translation.override("zh-hans"):
            expected = [
                "甲区城关纺织厂工会",
                None,
                "甲区城关街道工会联合会",
                str(OrganizationKind.GRASSROOTS.label),
                str(UnitType.PRIVATE_ENTERPRISE.label),
                None,
                datetime.datetime(2018, 9, 1),  # a date cell, not text
                gettext("Deactivated"),
            ]
        self.assertEqual([[cell or None for cell in row] for row in rows[1:]], [expected])

    def test_export_without_filters_is_the_whole_branch(self):
        rows = self.export("?export=xlsx")
        self.assertEqual(
            [row[0] for row in rows[1:]],
            [
                "甲区总工会",
                "甲区第一中学工会",
                "甲区城关街道工会联合会",
                "甲区城关小学工会",
                "甲区城关纺织厂工会",
                "甲区个体劳动者联合工会",
            ],
        )

    def test_export_of_another_districts_branch_is_empty(self):
        rows = self.export(f"?branch={self.district_b.pk}&export=xlsx")
        self.assertEqual(rows[1:], [])

    def test_export_writes_an_audit_event(self):
        self.export("?kind=grassroots&export=xlsx")
        [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.organization_path, self.district_a.path)
        self.assertEqual(
            (event.message, event.params["model"], event.params["count"]), ("exported", "organizations.Organization", 3)
        )
        self.assertEqual(event.path, url("organization_list"))

    def test_viewing_the_list_writes_no_audit_event(self):
        self.rows("?kind=grassroots")
        self.assertFalse(AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists())

    def test_auditor_may_not_export_and_nothing_is_recorded(self):
        self.login(self.otto)
        response = self.client.get(url("organization_list") + "?export=xlsx")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists())


class MembershipFigureTest(OrganizationViewTestCase):
    def figure_post(self, year=2025, members=100, women_members=40):
        return {
            "year": year,
            "members": members,
            "employees": 120,
            "women_members": women_members,
            "migrant_members": 10,
        }

    def test_staff_adds_a_years_figures(self):
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_create", self.union_a.pk), self.figure_post())
        self.assertRedirects(response, self.union_a.get_absolute_url())
        figure = MembershipFigure.objects.get(organization=self.union_a)
        self.assertEqual(
            (figure.year, figure.members, figure.employees, figure.women_members, figure.migrant_members),
            (2025, 100, 120, 40, 10),
        )
        self.assertEqual(figure.history.get().history_user, self.alice)

    def test_more_women_than_members_is_refused_on_that_field(self):
        self.login(self.alice)
        response = self.client.post(
            url("membershipfigure_create", self.union_a.pk), self.figure_post(members=30, women_members=31)
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["women_members"], [zh("Women members cannot outnumber members.")]
        )
        self.assertContains(response, zh("Women members cannot outnumber members."))
        self.assertFalse(MembershipFigure.objects.filter(organization=self.union_a).exists())

    def test_second_figures_for_the_same_year_are_refused(self):
        MembershipFigure.objects.create(organization=self.union_a, year=2025, members=10)
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_create", self.union_a.pk), self.figure_post())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].non_field_errors(),
            [zh("This organization already has membership figures for this year.")],
        )
        self.assertEqual(MembershipFigure.objects.get(organization=self.union_a).members, 10)

    def test_changing_the_year_to_one_already_filed_is_refused(self):
        MembershipFigure.objects.create(organization=self.union_a, year=2025, members=10)
        figure = MembershipFigure.objects.create(organization=self.union_a, year=2024, members=8)
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_update", figure.pk), self.figure_post(year=2025))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].non_field_errors(),
            [zh("This organization already has membership figures for this year.")],
        )
        figure.refresh_from_db()
        self.assertEqual((figure.year, figure.members), (2024, 8))

    def test_the_same_year_for_another_organization_is_accepted(self):
        MembershipFigure.objects.create(organization=self.district_a, year=2025, members=10)
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_create", self.union_a.pk), self.figure_post())
        self.assertRedirects(response, self.union_a.get_absolute_url())
        self.assertEqual(MembershipFigure.objects.filter(year=2025).count(), 2)

    def test_staff_edits_figures_and_the_change_shows_on_the_organization_page(self):
        figure = MembershipFigure.objects.create(organization=self.union_a, year=2025, members=90, women_members=30)
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_update", figure.pk), self.figure_post())
        self.assertRedirects(response, self.union_a.get_absolute_url())
        figure.refresh_from_db()
        self.assertEqual((figure.members, figure.women_members), (100, 40))
        response = self.client.get(self.union_a.get_absolute_url())
        self.assertContains(response, '<del class="text-danger">90</del> → <ins class="text-success">100</ins>')
        self.assertEqual(response.context["figure_history"][0]["record"].history_user, self.alice)

    def test_editing_to_more_women_than_members_is_refused_and_nothing_changes(self):
        figure = MembershipFigure.objects.create(organization=self.union_a, year=2025, members=90, women_members=30)
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_update", figure.pk), self.figure_post(members=20))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["women_members"], [zh("Women members cannot outnumber members.")]
        )
        figure.refresh_from_db()
        self.assertEqual((figure.members, figure.women_members), (90, 30))
        self.assertEqual(figure.history.count(), 1)

    def test_figures_of_another_district_are_404_and_unchanged(self):
        figure = MembershipFigure.objects.create(organization=self.union_b, year=2025, members=90, women_members=30)
        self.login(self.alice)
        response = self.client.post(url("membershipfigure_update", figure.pk), self.figure_post())
        self.assertEqual(response.status_code, 404)
        figure.refresh_from_db()
        self.assertEqual(figure.members, 90)


class QueryCountTest(OrganizationViewTestCase):
    """A page costs the same number of queries whatever the number of rows behind it."""

    def queries(self, path):
        cache.clear()  # a list's count is kept until its branch changes: measure it cold
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def add_children(self, parent, count, start=0):
        for number in range(start, start + count):
            make_org(
                parent,
                f"甲区测试单位{number:03d}工会",
                OrganizationKind.TOWNSHIP_FEDERATION if number % 5 == 0 else OrganizationKind.GRASSROOTS,
                UnitType.STATE_ENTERPRISE,
                established=datetime.date(2000 + number % 20, 1, 1),
            )
        parent.refresh_from_db()

    def assert_same_queries_with_more_rows(self, path, grow):
        self.login(self.alice)
        self.client.get(path)  # caches warmed: the session, content types
        few = self.queries(path)
        grow()
        cache.clear()
        with self.assertNumQueries(few):
            self.client.get(path)

    def test_organization_list_costs_the_same_with_5_and_60_organizations(self):
        self.add_children(self.district_a, 3)  # the district, its school and these: 5 rows
        self.assert_same_queries_with_more_rows(
            url("organization_list"), lambda: self.add_children(self.district_a, 55, start=3)
        )
        self.assertEqual(Organization.objects.below(self.district_a, include_self=True).count(), 60)

    def test_filtered_organization_list_costs_the_same_with_5_and_60_organizations(self):
        self.add_children(self.district_a, 3)
        self.assert_same_queries_with_more_rows(
            url("organization_list") + f"?branch={self.district_a.pk}&unit_type=state_enterprise",
            lambda: self.add_children(self.district_a, 55, start=3),
        )

    def test_organization_export_costs_the_same_with_5_and_60_organizations(self):
        self.add_children(self.district_a, 3)
        self.assert_same_queries_with_more_rows(
            url("organization_list") + "?export=xlsx", lambda: self.add_children(self.district_a, 55, start=3)
        )

    def test_tree_costs_the_same_with_5_and_60_children(self):
        self.add_children(self.district_a, 4)
        self.assert_same_queries_with_more_rows(
            url("organization_tree"), lambda: self.add_children(self.district_a, 55, start=4)
        )

    def test_tree_search_costs_the_same_with_5_and_60_matches(self):
        self.add_children(self.district_a, 5)
        self.assert_same_queries_with_more_rows(
            url("organization_tree") + "?q=测试单位", lambda: self.add_children(self.district_a, 55, start=5)
        )

    def test_tree_children_cost_the_same_with_5_and_60_children(self):
        self.add_children(self.district_a, 4)
        self.assert_same_queries_with_more_rows(
            url("organization_tree_children", self.district_a.pk),
            lambda: self.add_children(self.district_a, 55, start=4),
        )

    def test_detail_costs_the_same_with_many_children_and_history_records(self):
        def edit(count):
            for number in range(count):
                self.district_a.address = f"甲区人民路{number}号"
                self.district_a.phone = f"0854-72{number:05d}"
                self.district_a.save()
            figure, _created = MembershipFigure.objects.get_or_create(organization=self.district_a, year=2025)
            for number in range(count):
                figure.members = number + 1
                figure.save()

        def grow():
            self.add_children(self.district_a, 110, start=5)
            edit(60)
            MembershipFigure.objects.bulk_create(
                MembershipFigure(organization=self.district_a, year=year, members=10) for year in range(2000, 2020)
            )

        self.add_children(self.district_a, 4)
        edit(5)
        self.assert_same_queries_with_more_rows(self.district_a.get_absolute_url(), grow)
        self.assertGreater(self.district_a.history.count(), 60)


class BranchFilterTest(OrganizationViewTestCase):
    def test_a_grassroots_union_can_be_the_branch_though_the_dropdown_lists_federations(self):
        self.login(self.alice)
        response = self.client.get(url("organization_list") + f"?branch={self.union_a.pk}")
        self.assertEqual([row.record for row in response.context["table"].page.object_list], [self.union_a])
        offered = [value for value, _label in response.context["filter"].form.fields["branch"].choices if value]
        self.assertEqual({str(v) for v in offered}, {str(self.district_a.pk), str(self.union_a.pk)})

    def test_a_union_outside_the_branch_is_refused(self):
        self.login(self.alice)
        response = self.client.get(url("organization_list") + f"?branch={self.union_b.pk}")
        self.assertEqual(len(response.context["table"].page.object_list), 0)
        self.assertIn("branch", response.context["filter"].form.errors)


class PageSizeTest(OrganizationViewTestCase):
    def test_a_page_asked_larger_than_the_cap_shows_the_cap(self):
        for n in range(5):
            make_org(self.district_a, f"甲区第{n}小学工会")
        self.login(self.alice)
        url = reverse("organizations:organization_list")
        with self.settings(MAX_PAGE_SIZE=3):
            self.assertEqual(len(self.client.get(url, {"per_page": "100000"}).context["table"].page), 3)
            self.assertEqual(len(self.client.get(url, {"per_page": "2"}).context["table"].page), 2)
            # Not a number: the usual page size, here every one of alice's seven organizations.
            self.assertEqual(len(self.client.get(url, {"per_page": "x"}).context["table"].page), 7)
