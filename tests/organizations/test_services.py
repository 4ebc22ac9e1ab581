"""The workflows on the union tree (organizations/services.py) and the history they leave."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from organizations.models import MembershipFigure, Organization, OrganizationKind, UnitType
from organizations.services import (
    organization_create,
    organization_deactivate,
    organization_delete,
    organization_move,
    organization_reactivate,
    organization_update,
)
from tests.base import PortalTestCase, make_org, make_user
from unionportal.history import history_rows
from unionportal.validators import credit_code_check_char

SAME_NAME = "Another organization with this name already exists under the same parent."


def credit_code(body="91522727MA6DK1234"):
    return body + credit_code_check_char(body)


def verbose(field_name):
    return Organization._meta.get_field(field_name).verbose_name


class ServiceTestCase(PortalTestCase):
    def setUp(self):
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def reload(self, organization):
        return Organization.objects.get(pk=organization.pk)

    def assertMessages(self, error, field, messages):
        self.assertEqual(error.exception.message_dict, {field: messages})


class CreateTest(ServiceTestCase):
    def test_creates_a_child_under_the_parent(self):
        union = organization_create(
            parent=self.district_a,
            user=self.alice,
            name="甲区实验小学工会",
            kind=OrganizationKind.GRASSROOTS,
            unit_type=UnitType.INSTITUTION,
            credit_code=credit_code().lower(),
            established=datetime.date(2018, 3, 31),
        )
        union = self.reload(union)
        self.assertEqual(union.parent, self.district_a)
        self.assertEqual(union.depth, self.district_a.depth + 1)
        self.assertTrue(union.path.startswith(self.district_a.path))
        self.assertEqual(union.credit_code, credit_code())
        self.assertEqual(self.reload(self.district_a).numchild, 2)
        self.assertEqual(union.history.get().history_type, "+")

    def test_only_a_superuser_creates_a_top_level_federation(self):
        for user in (self.ada, self.adam, self.alice):
            with self.subTest(user=user.username), self.assertRaises(ValidationError) as error:
                organization_create(parent=None, user=user, name="新建市总工会", kind=OrganizationKind.CITY_FEDERATION)
            self.assertMessages(error, "parent", ["Only a superuser can create a new top-level federation."])
        self.assertFalse(Organization.objects.filter(name="新建市总工会").exists())
        federation = organization_create(
            parent=None, user=self.root, name="新建市总工会", kind=OrganizationKind.CITY_FEDERATION
        )
        federation = self.reload(federation)
        self.assertIsNone(federation.parent)
        self.assertEqual(federation.depth, 1)

    def test_grassroots_union_cannot_have_children(self):
        joint = make_org(self.district_a, "甲区联合工会", OrganizationKind.JOINT_GRASSROOTS)
        for parent in (self.union_a, joint):
            with self.subTest(parent=parent.name), self.assertRaises(ValidationError) as error:
                organization_create(parent=self.reload(parent), user=self.alice, name="甲区小组", kind="grassroots")
            self.assertMessages(error, "parent", ["A grassroots union cannot have child organizations."])
        self.assertFalse(Organization.objects.filter(name="甲区小组").exists())

    def test_top_level_names_are_unique(self):
        with self.assertRaises(ValidationError) as error:
            organization_create(parent=None, user=self.root, name="测试市总工会", kind=OrganizationKind.CITY_FEDERATION)
        self.assertEqual(error.exception.messages, ["A top-level federation with this name already exists."])
        self.assertEqual(Organization.objects.filter(name="测试市总工会").count(), 1)

    def test_sibling_with_the_same_name_is_refused_with_a_message(self):
        with self.assertRaises(ValidationError) as error:
            organization_create(parent=self.district_a, user=self.alice, name="甲区第一中学工会", kind="grassroots")
        self.assertEqual(error.exception.message_dict, {"__all__": [SAME_NAME]})
        self.assertEqual(Organization.objects.filter(name="甲区第一中学工会").count(), 1)
        self.assertEqual(self.reload(self.district_a).numchild, 1)

    def test_same_name_under_another_parent_is_allowed(self):
        union = organization_create(parent=self.district_b, user=self.bob, name="甲区第一中学工会", kind="grassroots")
        self.assertEqual(union.parent, self.district_b)
        self.assertEqual(Organization.objects.filter(name="甲区第一中学工会").count(), 2)

    def test_database_refuses_siblings_with_the_same_name(self):
        # Without full_clean, the constraint itself still holds.
        with self.assertRaises(IntegrityError), transaction.atomic():
            Organization.objects.add_child(
                self.district_a, {"name": "甲区第一中学工会", "kind": "grassroots", "parent": self.district_a}
            )
        self.assertEqual(Organization.objects.filter(name="甲区第一中学工会").count(), 1)

    def test_full_clean_reports_the_sibling_name_clash(self):
        clash = Organization(name="乙区机械厂工会", parent=self.district_b, kind="grassroots")
        with self.assertRaises(ValidationError) as error:
            clash.full_clean(exclude=["path", "depth", "numchild"])
        self.assertEqual(error.exception.message_dict, {"__all__": [SAME_NAME]})

    def test_duplicate_credit_code_is_refused(self):
        organization_update(organization=self.union_b, user=self.bob, credit_code=credit_code())
        with self.assertRaises(ValidationError) as error:
            organization_create(
                parent=self.district_a,
                user=self.alice,
                name="甲区丁厂工会",
                kind="grassroots",
                credit_code=credit_code(),
            )
        self.assertEqual(
            error.exception.message_dict,
            {"__all__": ["Another organization already has this unified social credit code."]},
        )
        self.assertFalse(Organization.objects.filter(name="甲区丁厂工会").exists())

    def test_invalid_fields_are_refused(self):
        with self.assertRaises(ValidationError) as error:
            organization_create(
                parent=self.district_a,
                user=self.alice,
                name="甲区丁厂工会",
                kind="union_of_unions",
                credit_code=credit_code()[:17] + "I",
                phone="123",
                established=datetime.date(2020, 1, 1),
                deactivated=datetime.date(2019, 1, 1),
            )
        self.assertEqual(set(error.exception.message_dict), {"kind", "credit_code", "phone", "deactivated"})
        self.assertFalse(Organization.objects.filter(name="甲区丁厂工会").exists())

    def test_deactivation_before_establishment_is_refused(self):
        with self.assertRaises(ValidationError) as error:
            organization_create(
                parent=self.district_a,
                user=self.alice,
                name="甲区丁厂工会",
                kind="grassroots",
                established=datetime.date(2020, 1, 1),
                deactivated=datetime.date(2019, 1, 1),
            )
        self.assertMessages(error, "deactivated", ["The deactivation date cannot be before the establishment date."])


class UpdateTest(ServiceTestCase):
    def test_update_changes_the_fields_and_writes_history(self):
        organization_update(
            organization=self.union_a, user=self.alice, name="甲区第一中学教职工工会", phone="0854-7221234"
        )
        union = self.reload(self.union_a)
        self.assertEqual((union.name, union.phone), ("甲区第一中学教职工工会", "0854-7221234"))
        self.assertEqual(union.history.count(), 2)

    def test_renaming_to_a_sibling_name_is_refused(self):
        make_org(self.district_a, "甲区第二中学工会")
        union = self.reload(self.union_a)
        with self.assertRaises(ValidationError) as error:
            organization_update(organization=union, user=self.alice, name="甲区第二中学工会")
        self.assertEqual(error.exception.message_dict, {"__all__": [SAME_NAME]})
        self.assertEqual(self.reload(self.union_a).name, "甲区第一中学工会")

    def test_invalid_credit_code_is_refused_and_not_saved(self):
        code = credit_code()
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        with self.assertRaises(ValidationError) as error:
            organization_update(organization=self.union_a, user=self.alice, credit_code=wrong)
        self.assertMessages(error, "credit_code", ["The check character of this unified social credit code is wrong."])
        self.assertEqual(self.reload(self.union_a).credit_code, "")


class MoveTest(ServiceTestCase):
    def test_move_puts_the_organization_under_the_new_parent(self):
        township = make_org(self.district_a, "甲区城关镇工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        organization_move(organization=self.reload(self.union_a), new_parent=self.reload(township), user=self.adam)
        union = self.reload(self.union_a)
        township = self.reload(township)
        self.assertEqual(union.parent, township)
        self.assertTrue(union.path.startswith(township.path))
        self.assertEqual(union.depth, township.depth + 1)
        self.assertEqual(township.numchild, 1)
        self.assertEqual(self.reload(self.district_a).numchild, 1)
        self.assertEqual(union.history.latest().history_change_reason, f"moved under {township.name}")

    def test_move_takes_the_whole_branch_along(self):
        township = make_org(self.district_a, "甲区城关镇工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        school = make_org(township, "甲区城关镇中心学校工会")
        organization_move(organization=self.reload(township), new_parent=self.reload(self.district_b), user=self.ada)
        township = self.reload(township)
        school = self.reload(school)
        self.assertEqual(township.parent, self.district_b)
        self.assertEqual(school.parent, township)
        self.assertTrue(school.path.startswith(township.path))
        self.assertTrue(school.path.startswith(self.district_b.path))
        self.assertEqual(school.depth, 4)
        self.assertEqual(list(Organization.objects.below(self.reload(self.district_a))), [self.union_a])

    def test_city_may_move_a_union_between_districts(self):
        organization_move(
            organization=self.reload(self.union_a), new_parent=self.reload(self.district_b), user=self.ada
        )
        union = self.reload(self.union_a)
        self.assertEqual(union.parent, self.district_b)
        self.assertEqual(set(Organization.objects.below(self.reload(self.district_b))), {self.union_b, union})
        self.assertEqual(list(Organization.objects.below(self.reload(self.district_a))), [])

    def assertMoveRefused(self, organization, new_parent, user, message):
        before = list(Organization.objects.values_list("pk", "path", "parent_id"))
        with self.assertRaises(ValidationError) as error:
            organization_move(organization=self.reload(organization), new_parent=self.reload(new_parent), user=user)
        self.assertMessages(error, "new_parent", [message])
        self.assertEqual(list(Organization.objects.values_list("pk", "path", "parent_id")), before)

    def test_own_organization_cannot_be_moved(self):
        self.assertMoveRefused(self.district_a, self.district_b, self.adam, "You cannot move your own organization.")

    def test_top_level_federation_cannot_be_moved(self):
        other = make_org(None, "另一市总工会", OrganizationKind.CITY_FEDERATION)
        self.assertMoveRefused(self.city, other, self.root, "A top-level federation cannot be moved.")

    def test_organization_cannot_move_into_its_own_branch(self):
        self.assertMoveRefused(
            self.district_a, self.union_a, self.ada, "An organization cannot be moved into its own branch."
        )
        self.assertMoveRefused(
            self.district_a, self.district_a, self.ada, "An organization cannot be moved into its own branch."
        )

    def test_moving_under_the_same_parent_is_refused(self):
        self.assertMoveRefused(
            self.union_a, self.district_a, self.adam, "The organization is already under this parent."
        )

    def test_grassroots_union_cannot_take_children(self):
        union = make_org(self.district_a, "甲区第二中学工会")
        self.assertMoveRefused(union, self.union_a, self.adam, "A grassroots union cannot have child organizations.")

    def test_name_clash_under_the_new_parent_is_refused(self):
        make_org(self.district_b, "甲区第一中学工会")
        self.assertMoveRefused(self.union_a, self.district_b, self.ada, SAME_NAME)


class DeactivateTest(ServiceTestCase):
    def test_deactivate_sets_the_date_default_today(self):
        organization_deactivate(organization=self.union_a, user=self.alice)
        union = self.reload(self.union_a)
        self.assertEqual(union.deactivated, timezone.localdate())
        self.assertFalse(union.is_active)

    def test_deactivate_on_a_given_date(self):
        day = datetime.date(2024, 6, 30)
        organization_deactivate(organization=self.union_a, user=self.alice, on_date=day)
        self.assertEqual(self.reload(self.union_a).deactivated, day)
        self.assertNotIn(self.union_a, Organization.objects.active_on(datetime.date(2024, 7, 1)))
        self.assertIn(self.union_a, Organization.objects.active_on(datetime.date(2024, 6, 29)))

    def test_own_organization_cannot_be_deactivated(self):
        with self.assertRaises(ValidationError) as error:
            organization_deactivate(organization=self.district_a, user=self.alice)
        self.assertMessages(error, "deactivated", ["You cannot deactivate your own organization."])
        self.assertIsNone(self.reload(self.district_a).deactivated)

    def test_organization_with_active_children_cannot_be_deactivated(self):
        make_org(self.district_a, "甲区第二中学工会")
        with self.assertRaises(ValidationError) as error:
            organization_deactivate(organization=self.reload(self.district_a), user=self.ada)
        self.assertMessages(
            error, "deactivated", ["It still has 2 active child organizations: deactivate or move them first."]
        )
        self.assertIsNone(self.reload(self.district_a).deactivated)

    def test_organization_whose_children_are_deactivated_can_be_deactivated(self):
        organization_deactivate(organization=self.union_a, user=self.ada)
        organization_deactivate(organization=self.reload(self.district_a), user=self.ada)
        self.assertEqual(self.reload(self.district_a).deactivated, timezone.localdate())

    def test_already_deactivated_is_refused(self):
        organization_deactivate(organization=self.union_a, user=self.alice, on_date=datetime.date(2024, 1, 1))
        with self.assertRaises(ValidationError) as error:
            organization_deactivate(organization=self.reload(self.union_a), user=self.alice)
        self.assertMessages(error, "deactivated", ["This organization is already deactivated."])
        self.assertEqual(self.reload(self.union_a).deactivated, datetime.date(2024, 1, 1))

    def test_deactivation_before_establishment_is_refused(self):
        organization_update(organization=self.union_a, user=self.alice, established=datetime.date(2020, 1, 1))
        with self.assertRaises(ValidationError) as error:
            organization_deactivate(
                organization=self.reload(self.union_a), user=self.alice, on_date=datetime.date(2019, 1, 1)
            )
        self.assertMessages(error, "deactivated", ["The deactivation date cannot be before the establishment date."])
        self.assertIsNone(self.reload(self.union_a).deactivated)


class ReactivateTest(ServiceTestCase):
    def test_reactivate_clears_the_date(self):
        organization_deactivate(organization=self.union_a, user=self.alice)
        organization_reactivate(organization=self.reload(self.union_a), user=self.alice)
        self.assertIsNone(self.reload(self.union_a).deactivated)

    def test_active_organization_cannot_be_reactivated(self):
        with self.assertRaises(ValidationError) as error:
            organization_reactivate(organization=self.union_a, user=self.alice)
        self.assertMessages(error, "deactivated", ["This organization is active."])

    def test_child_of_a_deactivated_parent_cannot_be_reactivated(self):
        organization_deactivate(organization=self.union_a, user=self.ada)
        organization_deactivate(organization=self.reload(self.district_a), user=self.ada)
        with self.assertRaises(ValidationError) as error:
            organization_reactivate(organization=self.reload(self.union_a), user=self.ada)
        self.assertMessages(error, "deactivated", ["Its parent organization is deactivated: reactivate that first."])
        self.assertIsNotNone(self.reload(self.union_a).deactivated)


class DeleteTest(ServiceTestCase):
    def test_childless_organization_without_records_is_deleted(self):
        pk = self.union_a.pk
        organization_delete(organization=self.reload(self.union_a), user=self.alice)
        self.assertFalse(Organization.objects.filter(pk=pk).exists())
        self.assertEqual(self.reload(self.district_a).numchild, 0)
        self.assertEqual(
            list(Organization.history.filter(id=pk).order_by("history_date").values_list("history_type", flat=True)),
            ["+", "-"],
        )

    def test_own_organization_cannot_be_deleted(self):
        lone = make_org(self.district_a, "甲区空白工会")
        staff = make_user("lonely", lone, "staff")
        with self.assertRaises(ValidationError) as error:
            organization_delete(organization=self.reload(lone), user=staff)
        self.assertEqual(error.exception.messages, ["You cannot delete your own organization."])
        self.assertTrue(Organization.objects.filter(pk=lone.pk).exists())

    def test_deletion_blockers_list_children_figures_and_users(self):
        MembershipFigure.objects.create(organization=self.district_a, year=2024, members=10)
        MembershipFigure.objects.create(organization=self.district_a, year=2025, members=12)
        self.assertEqual(
            self.reload(self.district_a).deletion_blockers(),
            [
                "It still has 1 child organizations.",
                "2 membership figures still belong to it.",
                "3 users still belong to it.",
            ],
        )

    def test_organization_with_blockers_is_not_deleted(self):
        with self.assertRaises(ValidationError) as error:
            organization_delete(organization=self.reload(self.district_b), user=self.ada)
        self.assertEqual(
            error.exception.messages, ["It still has 1 child organizations.", "2 users still belong to it."]
        )
        self.assertTrue(Organization.objects.filter(pk=self.district_b.pk).exists())
        self.assertTrue(Organization.objects.filter(pk=self.union_b.pk).exists())

    def test_membership_figures_alone_block_deletion(self):
        MembershipFigure.objects.create(organization=self.union_b, year=2024, members=10)
        self.assertEqual(self.reload(self.union_b).deletion_blockers(), ["1 membership figures still belong to it."])
        with self.assertRaises(ValidationError):
            organization_delete(organization=self.reload(self.union_b), user=self.bob)
        self.assertTrue(Organization.objects.filter(pk=self.union_b.pk).exists())
        self.assertEqual(MembershipFigure.objects.count(), 1)

    def test_leaf_without_records_has_no_blockers(self):
        self.assertEqual(self.reload(self.union_a).deletion_blockers(), [])


class HistoryTest(ServiceTestCase):
    def test_history_rows_show_field_old_and_new_value_and_user(self):
        organization_update(
            organization=self.union_a,
            user=self.alice,
            name="甲区第一中学教职工工会",
            unit_type=UnitType.PRIVATE_ENTERPRISE,
            phone="0854-7221234",
        )
        rows = history_rows(self.reload(self.union_a).history.all())
        self.assertEqual(len(rows), 2)
        newest, created = rows
        self.assertEqual(newest["record"].history_user, self.alice)
        self.assertEqual(newest["record"].history_type, "~")
        changes = {str(change["field"]): (change["old"], change["new"]) for change in newest["changes"]}
        self.assertEqual(
            changes,
            {
                str(verbose("name")): ("甲区第一中学工会", "甲区第一中学教职工工会"),
                str(verbose("unit_type")): (UnitType.INSTITUTION.label, UnitType.PRIVATE_ENTERPRISE.label),
                str(verbose("phone")): ("—", "0854-7221234"),
            },
        )
        self.assertEqual(created["record"].history_type, "+")
        self.assertEqual(created["changes"], [])

    def test_every_service_records_its_user(self):
        township = make_org(self.district_a, "甲区城关镇工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        union = organization_create(parent=self.district_a, user=self.alice, name="甲区丁厂工会", kind="grassroots")
        organization_update(organization=self.reload(union), user=self.alice, address="甲区工业园")
        organization_move(organization=self.reload(union), new_parent=self.reload(township), user=self.adam)
        organization_deactivate(organization=self.reload(union), user=self.adam)
        organization_reactivate(organization=self.reload(union), user=self.ada)
        records = self.reload(union).history.order_by("history_date", "history_id")
        self.assertEqual(
            [(r.history_type, r.history_user) for r in records],
            [("+", self.alice), ("~", self.alice), ("~", self.adam), ("~", self.adam), ("~", self.ada)],
        )
        organization_delete(organization=self.reload(union), user=self.ada)
        self.assertEqual(Organization.history.filter(id=union.pk).latest().history_user, self.ada)

    def test_move_shows_the_new_parent_in_history(self):
        union = self.reload(self.union_a)
        organization_move(organization=union, new_parent=self.reload(self.district_b), user=self.ada)
        newest = history_rows(self.reload(self.union_a).history.all(), user=self.ada)[0]
        changes = {str(change["field"]): (change["old"], change["new"]) for change in newest["changes"]}
        self.assertEqual(changes[str(verbose("parent"))], ("甲区总工会", "乙区总工会"))
        self.assertEqual(newest["record"].history_user, self.ada)
