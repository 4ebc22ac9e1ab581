"""`manage.py load_demo`: the demo federations of seeds/README.md, built the same way every time."""

import io

from django.core.management import call_command
from django.test import TestCase

from accounts.demo import DEMO_BRANCHES, DEMO_PASSWORD, DEMO_SUPERUSER
from accounts.models import AuditEvent, User
from organizations.demo import PINGTANG, PINGTANG_TOWNSHIPS, SHUANGYASHAN
from organizations.models import ENTERPRISE_UNIT_TYPES, MembershipFigure, Organization, OrganizationKind
from unionportal.roles import Role
from unionportal.validators import validate_credit_code


def load_demo():
    call_command("load_demo", stdout=io.StringIO())


def counts():
    return {
        "organizations": Organization.objects.count(),
        "figures": MembershipFigure.objects.count(),
        "users": User.objects.count(),
        "organization history": Organization.history.count(),
        "figure history": MembershipFigure.history.count(),
    }


class LoadDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()

    def test_pingtang_has_506_organizations_285_organ_and_221_enterprise(self):
        pingtang = Organization.objects.get(name=PINGTANG, parent=None)
        below = Organization.objects.below(pingtang)
        self.assertEqual(below.count(), 506)
        self.assertEqual(below.exclude(unit_type__in=ENTERPRISE_UNIT_TYPES).count(), 285)
        self.assertEqual(below.filter(unit_type__in=ENTERPRISE_UNIT_TYPES).count(), 221)
        self.assertEqual(pingtang.kind, OrganizationKind.COUNTY_FEDERATION)

    def test_pingtang_has_its_ten_township_federations(self):
        pingtang = Organization.objects.get(name=PINGTANG, parent=None)
        townships = Organization.objects.filter(parent=pingtang, kind=OrganizationKind.TOWNSHIP_FEDERATION)
        self.assertEqual(
            sorted(townships.values_list("name", flat=True)), sorted(f"{t}工会联合会" for t in PINGTANG_TOWNSHIPS)
        )

    def test_shuangyashan_has_its_four_district_federations(self):
        city = Organization.objects.get(name=SHUANGYASHAN, parent=None)
        self.assertEqual(city.kind, OrganizationKind.CITY_FEDERATION)
        districts = Organization.objects.filter(parent=city)
        self.assertEqual(
            list(districts.values_list("name", flat=True)),
            ["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"],
        )
        self.assertEqual(set(districts.values_list("kind", flat=True)), {OrganizationKind.COUNTY_FEDERATION})

    def test_the_two_demo_trees_are_the_only_roots(self):
        self.assertEqual(
            list(Organization.objects.filter(parent=None).values_list("name", flat=True)), [PINGTANG, SHUANGYASHAN]
        )
        self.assertEqual(Organization.objects.filter(depth=1).count(), 2)

    def test_tree_is_consistent(self):
        # parent and path agree for every node, and numchild counts the children.
        for organization in Organization.objects.select_related("parent"):
            if organization.parent is None:
                self.assertEqual(organization.depth, 1)
            else:
                self.assertTrue(organization.path.startswith(organization.parent.path), organization.name)
                self.assertEqual(organization.depth, organization.parent.depth + 1, organization.name)
        for organization in Organization.objects.all():
            self.assertEqual(organization.numchild, Organization.objects.filter(parent=organization).count())

    def test_demo_user_exists_for_every_role_in_every_branch(self):
        for prefix, organization_name in DEMO_BRANCHES.items():
            for role in Role:
                with self.subTest(user=f"{prefix}_{role.value}"):
                    user = User.objects.get(username=f"{prefix}_{role.value}")
                    self.assertEqual(user.role, role)
                    self.assertEqual(user.organization.name, organization_name)
                    self.assertTrue(user.is_active)
                    self.assertFalse(user.is_superuser)
        self.assertEqual(User.objects.filter(is_superuser=False).count(), len(DEMO_BRANCHES) * len(Role))
        root = User.objects.get(username=DEMO_SUPERUSER)
        self.assertTrue(root.is_superuser)
        self.assertIsNone(root.organization)

    def test_demo_users_log_in_with_the_demo_password(self):
        usernames = [DEMO_SUPERUSER, *(f"{prefix}_{role.value}" for prefix in DEMO_BRANCHES for role in Role)]
        for username in usernames:
            with self.subTest(username=username):
                self.assertTrue(User.objects.get(username=username).check_password(DEMO_PASSWORD))
        for username in ("pingtang_staff", "sys_admin", DEMO_SUPERUSER):
            with self.subTest(login=username):
                response = self.client.post(
                    "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.1"
                )
                self.assertEqual(response.status_code, 302)
                self.assertEqual(self.client.session["_auth_user_id"], str(User.objects.get(username=username).pk))
                self.client.logout()
        self.assertEqual(AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN).count(), 3)

    def test_wrong_password_does_not_log_a_demo_user_in(self):
        response = self.client.post("/accounts/login/", {"username": "pingtang_staff", "password": "Union-Demo-2025"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_every_credit_code_passes_validation(self):
        codes = list(Organization.objects.exclude(credit_code="").values_list("credit_code", flat=True))
        # 221 Pingtang enterprises and two enterprises in each of the four Shuangyashan districts.
        self.assertEqual(len(codes), 221 + 8)
        self.assertEqual(len(set(codes)), len(codes))
        for code in codes:
            validate_credit_code(code)

    def test_every_organization_passes_full_clean(self):
        for organization in Organization.objects.all():
            organization.full_clean(exclude=["path", "depth", "numchild"])

    def test_grassroots_unions_have_figures_and_federations_have_none(self):
        grassroots = (OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS)
        self.assertFalse(MembershipFigure.objects.exclude(organization__kind__in=grassroots).exists())
        without = Organization.objects.filter(kind__in=grassroots, membership_figures__isnull=True)
        self.assertEqual(list(without), [])
        for figure in MembershipFigure.objects.all()[:500]:
            figure.full_clean()

    def test_running_load_demo_again_changes_nothing(self):
        before = counts()
        paths = list(Organization.objects.values_list("name", "path"))
        load_demo()
        self.assertEqual(counts(), before)
        self.assertEqual(list(Organization.objects.values_list("name", "path")), paths)
