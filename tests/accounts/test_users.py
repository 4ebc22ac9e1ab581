"""Managing users: inside the admin's own branch only, every change in the audit log."""

import io

from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from organizations.models import OrganizationKind
from tests.base import PASSWORD, PortalTestCase, make_org, make_user

NEW_PASSWORD = "Fresh-Pass-2026"
Kind = AuditEvent.Kind


class UserTestCase(PortalTestCase):
    def setUp(self):
        # Pages speak the portal's language; messages are compared in it.
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.users_before = User.objects.count()

    def create_data(self, organization, **extra):
        return {
            "username": "newbie",
            "full_name": "新同事",
            "email": "",
            "organization": organization.pk,
            "role": "staff",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **extra,
        }

    def update_data(self, user, **extra):
        return {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "organization": user.organization_id,
            "role": user.role,
            **extra,
        }

    def assertUserChanges(self, details):
        """The user changes logged, as the audit log reads them in English."""
        with translation.override("en"):
            events = AuditEvent.objects.filter(kind=Kind.USER_CHANGE).order_by("id")
            self.assertEqual([event.description for event in events], details)


class CreateUserTest(UserTestCase):
    url = reverse("accounts:user_create")

    def test_admin_creates_a_user_in_his_district(self):
        self.login(self.adam)
        response = self.client.post(self.url, self.create_data(self.union_a, role="approver"))
        newbie = User.objects.get(username="newbie")
        self.assertRedirects(response, newbie.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(
            (newbie.organization, newbie.role, newbie.full_name, newbie.is_active, newbie.is_superuser),
            (self.union_a, "approver", "新同事", True, False),
        )
        self.assertTrue(newbie.check_password(NEW_PASSWORD))
        event = AuditEvent.objects.get(kind=Kind.USER_CHANGE)
        self.assertEqual((event.user, event.message), (self.adam, "user_created"))
        with translation.override("zh-hans"):
            self.assertEqual(event.description, "新建用户 newbie（审核人）。")
        self.assertEqual(event.organization_path, self.district_a.path)

    def test_only_organizations_of_his_branch_are_offered(self):
        self.login(self.adam)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        offered = set(response.context["form"].fields["organization"].queryset)
        self.assertEqual(offered, {self.district_a, self.union_a})
        self.assertNotContains(response, "乙区总工会")
        self.assertNotContains(response, "测试市总工会")

    def test_forged_post_for_another_district_or_the_city_is_refused(self):
        self.login(self.adam)
        for organization in (self.district_b, self.union_b, self.city):
            with self.subTest(organization=organization.name):
                response = self.client.post(self.url, self.create_data(organization))
                self.assertEqual(response.status_code, 200)
                self.assertIn("organization", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="newbie").exists())
        self.assertEqual(User.objects.count(), self.users_before)
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.USER_CHANGE).exists())

    def test_user_without_organization_is_refused(self):
        self.login(self.adam)
        response = self.client.post(self.url, {**self.create_data(self.district_a), "organization": ""})
        self.assertIn("organization", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_city_admin_may_place_users_in_any_district(self):
        self.login(self.ada)
        self.client.post(self.url, self.create_data(self.union_b))
        self.assertEqual(User.objects.get(username="newbie").organization, self.union_b)

    def test_weak_password_is_refused(self):
        self.login(self.adam)
        response = self.client.post(
            self.url, self.create_data(self.district_a, password1="password123", password2="password123")
        )
        self.assertEqual(response.context["form"].errors["password1"], [_("This password is too common.")])
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_differing_passwords_are_refused(self):
        self.login(self.adam)
        response = self.client.post(self.url, self.create_data(self.district_a, password2="Other-Pass-2026"))
        self.assertEqual(response.context["form"].errors["password2"], [_("The two passwords differ.")])
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_duplicate_username_is_refused(self):
        self.login(self.adam)
        response = self.client.post(self.url, self.create_data(self.district_a, username="alice"))
        self.assertIn("username", response.context["form"].errors)
        self.assertEqual(User.objects.get(username="alice").organization, self.district_a)
        self.assertEqual(User.objects.count(), self.users_before)

    def test_staff_may_not_create_users(self):
        self.login(self.alice)
        self.assertEqual(self.client.post(self.url, self.create_data(self.district_a)).status_code, 403)
        self.assertFalse(User.objects.filter(username="newbie").exists())


class ChangeUserTest(UserTestCase):
    def test_admin_changes_a_user_of_his_branch(self):
        self.login(self.adam)
        url = reverse("accounts:user_update", args=[self.alice.pk])
        response = self.client.post(url, self.update_data(self.alice, role="approver", organization=self.union_a.pk))
        self.assertRedirects(response, self.alice.get_absolute_url(), fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.role, self.alice.organization), ("approver", self.union_a))
        self.assertUserChanges(["Changed the user alice (Approver)."])

    def test_admin_cannot_change_his_own_role(self):
        self.login(self.adam)
        url = reverse("accounts:user_update", args=[self.adam.pk])
        response = self.client.post(url, self.update_data(self.adam, role="staff"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].non_field_errors(), [_("You cannot change your own role or organization.")]
        )
        self.adam.refresh_from_db()
        self.assertEqual(self.adam.role, "admin")
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.USER_CHANGE).exists())

    def test_admin_cannot_move_himself_to_another_organization(self):
        self.login(self.adam)
        url = reverse("accounts:user_update", args=[self.adam.pk])
        response = self.client.post(url, self.update_data(self.adam, organization=self.union_a.pk))
        self.assertEqual(
            response.context["form"].non_field_errors(), [_("You cannot change your own role or organization.")]
        )
        self.adam.refresh_from_db()
        self.assertEqual(self.adam.organization, self.district_a)

    def test_admin_may_change_his_own_name(self):
        self.login(self.adam)
        url = reverse("accounts:user_update", args=[self.adam.pk])
        self.client.post(url, self.update_data(self.adam, full_name="亚当"))
        self.adam.refresh_from_db()
        self.assertEqual((self.adam.full_name, self.adam.role), ("亚当", "admin"))

    def test_forged_move_of_a_user_out_of_the_branch_is_refused(self):
        self.login(self.adam)
        url = reverse("accounts:user_update", args=[self.alice.pk])
        response = self.client.post(url, self.update_data(self.alice, organization=self.district_b.pk))
        self.assertIn("organization", response.context["form"].errors)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.organization, self.district_a)

    def test_user_of_another_district_is_not_found(self):
        self.login(self.adam)
        for name in ("accounts:user_detail", "accounts:user_update", "accounts:user_password"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name, args=[self.bob.pk])).status_code, 404)
        response = self.client.post(reverse("accounts:user_update", args=[self.bob.pk]), self.update_data(self.bob))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.post(reverse("accounts:user_active", args=[self.bob.pk])).status_code, 404)
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.is_active)


class ActiveTest(UserTestCase):
    def test_deactivate_and_reactivate_a_user(self):
        self.login(self.adam)
        url = reverse("accounts:user_active", args=[self.alice.pk])
        response = self.client.post(url)
        self.assertRedirects(response, self.alice.get_absolute_url(), fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.is_active)
        self.client.post(url)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.is_active)
        self.assertUserChanges(["Deactivated the user alice.", "Activated the user alice."])

    def test_deactivated_user_cannot_log_in(self):
        self.login(self.adam)
        self.client.post(reverse("accounts:user_active", args=[self.alice.pk]))
        self.client.logout()
        self.client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_deactivated_user_is_logged_out_of_a_running_session(self):
        alice = self.client_class()
        alice.force_login(self.alice)
        self.assertEqual(alice.get(reverse("home")).status_code, 200)
        self.login(self.adam)
        self.client.post(reverse("accounts:user_active", args=[self.alice.pk]))
        self.assertEqual(alice.get(reverse("home")).status_code, 302)

    def test_admin_cannot_deactivate_himself(self):
        self.login(self.adam)
        response = self.client.post(reverse("accounts:user_active", args=[self.adam.pk]), follow=True)
        self.assertEqual([str(m) for m in response.context["messages"]], [_("You cannot deactivate yourself.")])
        self.adam.refresh_from_db()
        self.assertTrue(self.adam.is_active)
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.USER_CHANGE).exists())

    def test_get_does_not_deactivate(self):
        self.login(self.adam)
        self.assertEqual(self.client.get(reverse("accounts:user_active", args=[self.alice.pk])).status_code, 405)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.is_active)


class PasswordResetTest(UserTestCase):
    def test_reset_password_replaces_the_old_one(self):
        self.login(self.adam)
        url = reverse("accounts:user_password", args=[self.alice.pk])
        response = self.client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertRedirects(response, self.alice.get_absolute_url(), fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW_PASSWORD))
        self.assertFalse(self.alice.check_password(PASSWORD))
        event = AuditEvent.objects.get(kind=Kind.PASSWORD_RESET)
        self.assertEqual(
            (event.user, event.message, event.params), (self.adam, "password_reset", {"username": "alice"})
        )

        other = self.client_class()
        self.assertFalse(other.login(username="alice", password=PASSWORD))
        self.assertTrue(other.login(username="alice", password=NEW_PASSWORD))

    def test_weak_new_password_is_refused(self):
        self.login(self.adam)
        url = reverse("accounts:user_password", args=[self.alice.pk])
        response = self.client.post(url, {"password1": "1234567890", "password2": "1234567890"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("password1", response.context["form"].errors)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.PASSWORD_RESET).exists())

    def test_history_never_holds_the_password(self):
        self.login(self.adam)
        url = reverse("accounts:user_password", args=[self.alice.pk])
        self.client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertNotIn("password", [f.name for f in User.history.model._meta.fields])


class CreateUserCommandTest(UserTestCase):
    def call(self, *args, **options):
        stdout = io.StringIO()
        call_command("create_user", *args, stdout=stdout, **options)
        return stdout.getvalue()

    def test_creates_a_user_with_the_given_password(self):
        output = self.call("newbie", org="甲区第一中学工会", role="leader", password=NEW_PASSWORD)
        self.assertEqual(output, "created newbie: leader of 甲区第一中学工会\n")
        newbie = User.objects.get(username="newbie")
        self.assertEqual((newbie.organization, newbie.role), (self.union_a, "leader"))
        self.assertTrue(newbie.check_password(NEW_PASSWORD))
        self.assertTrue(self.client.login(username="newbie", password=NEW_PASSWORD))

    def test_unknown_organization_is_refused(self):
        with self.assertRaisesMessage(CommandError, "no organization named '丙区总工会'"):
            self.call("newbie", org="丙区总工会", role="staff", password=NEW_PASSWORD)
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_ambiguous_organization_is_refused(self):
        make_org(self.district_b, "甲区第一中学工会")
        with self.assertRaisesMessage(CommandError, "several organizations are named '甲区第一中学工会'"):
            self.call("newbie", org="甲区第一中学工会", role="staff", password=NEW_PASSWORD)
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_weak_password_is_refused(self):
        with self.assertRaisesMessage(CommandError, _("This password is too common.")):
            self.call("newbie", org="甲区总工会", role="staff", password="password123")
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_duplicate_username_is_refused(self):
        with self.assertRaisesMessage(CommandError, "user 'alice' already exists"):
            self.call("alice", org="乙区总工会", role="admin", password=NEW_PASSWORD)
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.organization, self.alice.role), (self.district_a, "staff"))
        self.assertTrue(self.alice.check_password(PASSWORD))

    def test_unknown_role_is_refused(self):
        with self.assertRaises(CommandError):
            self.call("newbie", org="甲区总工会", role="king", password=NEW_PASSWORD)
        self.assertFalse(User.objects.filter(username="newbie").exists())


class AuditLogScopeTest(UserTestCase):
    def setUp(self):
        super().setUp()
        other_city = make_org(None, "另一市总工会", OrganizationKind.CITY_FEDERATION)
        self.zed = make_user("zed", other_city, "staff")
        for user, kind in (
            (self.alice, Kind.LOGIN),
            (self.bob, Kind.EXPORT),
            (self.zed, Kind.LOGIN),
            (self.root, Kind.LOGIN),
        ):
            AuditEvent.objects.create(
                user=user,
                username=user.username,
                organization_path=user.organization.path if user.organization else "",
                organization_name=user.organization.name if user.organization else "",
                kind=kind,
            )
        AuditEvent.objects.create(username="mallory", kind=Kind.LOGIN_FAILED, outcome=AuditEvent.Outcome.FAILURE)

    def listed(self, response):
        return sorted(row.record.username for row in response.context["table"].rows)

    def test_auditor_sees_the_events_of_his_branch_only(self):
        self.login(self.otto)
        response = self.client.get(reverse("accounts:auditevent_list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.listed(response), ["alice", "bob"])
        self.assertNotContains(response, ">zed<")  # not "zed" alone: a CSRF token may hold it
        self.assertNotContains(response, "另一市总工会")

    def test_auditor_export_holds_the_events_of_his_branch_only(self):
        self.login(self.otto)
        response = self.client.get(reverse("accounts:auditevent_list"), {"export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        from tests.workbooks import read_back, response_bytes

        usernames = [row[1] for row in read_back(response_bytes(response))[1:]]
        self.assertEqual(sorted(usernames), ["alice", "bob"])

    def test_auditor_of_another_top_level_federation_sees_only_his(self):
        other_auditor = make_user("olga", self.zed.organization, "auditor")
        self.login(other_auditor)
        response = self.client.get(reverse("accounts:auditevent_list"))
        self.assertEqual(self.listed(response), ["zed"])

    def test_superuser_sees_every_event(self):
        self.login(self.root)
        response = self.client.get(reverse("accounts:auditevent_list"))
        self.assertEqual(self.listed(response), ["alice", "bob", "mallory", "root", "zed"])

    def test_admin_and_leader_may_not_read_the_audit_log(self):
        for user in (self.ada, self.lena, self.adam):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("accounts:auditevent_list")).status_code, 403)
