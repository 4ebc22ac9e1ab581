"""Login security: audit lines, username lockout, the IP cap, session limits, password rules."""

import datetime
import io
import time
from unittest import mock

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.forms import LoginForm, UserCreateForm
from accounts.middleware import LAST_SEEN, STARTED
from accounts.models import AuditEvent, User
from tests.base import PASSWORD, PortalTestCase

LOGIN_URL = reverse("accounts:login")
IP = "10.1.2.3"
OTHER_IP = "10.9.9.9"
Kind = AuditEvent.Kind
Outcome = AuditEvent.Outcome


class LoginTestCase(PortalTestCase):
    def setUp(self):
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)

    def attempt(self, username, password, ip=IP):
        return self.client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)

    def fail(self, username, times=1, ip=IP):
        for _ in range(times):
            response = self.attempt(username, "Wrong-Pass-0000", ip=ip)
            self.assertEqual(response.status_code, 200)
        self.client.cookies.clear()

    def assertLoggedIn(self, user):
        self.assertEqual(self.client.session.get(SESSION_KEY), str(user.pk))

    def assertNotLoggedIn(self):
        self.assertNotIn(SESSION_KEY, self.client.session)

    def events(self, **lookup):
        return list(
            AuditEvent.objects.filter(**lookup)
            .order_by("time", "id")
            .values_list("kind", "outcome", "username", "message")
        )

    def failure_at(self, username, when, ip=IP):
        return AuditEvent.objects.create(
            time=when, username=username, ip=ip, kind=Kind.LOGIN_FAILED, outcome=Outcome.FAILURE, path=LOGIN_URL
        )

    def locked_message(self, username):
        last = AuditEvent.objects.filter(username=username, kind=Kind.LOGIN_FAILED, outcome=Outcome.FAILURE).latest(
            "time"
        )
        until = last.time + datetime.timedelta(minutes=settings.LOCKOUT_MINUTES)
        return str(LoginForm.error_messages["locked"]) % {"until": timezone.localtime(until).strftime("%H:%M")}

    def form_errors(self, response):
        return list(response.context["form"].non_field_errors())


class LoginAuditTest(LoginTestCase):
    def test_login_records_a_login_event(self):
        response = self.attempt("alice", PASSWORD)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertLoggedIn(self.alice)
        event = AuditEvent.objects.get()
        self.assertEqual(
            (event.kind, event.outcome, event.user, event.username, event.ip, event.path),
            (Kind.LOGIN, Outcome.SUCCESS, self.alice, "alice", IP, LOGIN_URL),
        )
        self.assertEqual((event.organization_path, event.organization_name), (self.district_a.path, "甲区总工会"))

    def test_wrong_password_records_a_failed_login(self):
        response = self.attempt("alice", "Wrong-Pass-0000")
        self.assertEqual(response.status_code, 200)
        self.assertNotLoggedIn()
        event = AuditEvent.objects.get()
        self.assertEqual(
            (event.kind, event.outcome, event.user, event.username, event.ip),
            (Kind.LOGIN_FAILED, Outcome.FAILURE, None, "alice", IP),
        )
        # A failed attempt is not placed in anyone's branch: the password proved nothing.
        self.assertEqual(event.organization_path, "")

    def test_unknown_username_records_a_failed_login(self):
        self.attempt("mallory", "Wrong-Pass-0000")
        self.assertEqual(self.events(), [(Kind.LOGIN_FAILED, Outcome.FAILURE, "mallory", "")])

    def test_logout_records_a_logout_event(self):
        self.attempt("alice", PASSWORD)
        response = self.client.post(reverse("accounts:logout"), REMOTE_ADDR=IP)
        self.assertRedirects(response, LOGIN_URL, fetch_redirect_response=False)
        self.assertNotLoggedIn()
        self.assertEqual(
            self.events(), [(Kind.LOGIN, Outcome.SUCCESS, "alice", ""), (Kind.LOGOUT, Outcome.SUCCESS, "alice", "")]
        )
        self.assertEqual(AuditEvent.objects.get(kind=Kind.LOGOUT).user, self.alice)

    def test_logout_of_an_anonymous_visitor_records_nothing(self):
        self.client.post(reverse("accounts:logout"))
        self.assertEqual(AuditEvent.objects.count(), 0)


class LockoutTest(LoginTestCase):
    def test_five_failures_lock_the_username_even_for_the_right_password(self):
        self.fail("alice", 5)
        lockout = AuditEvent.objects.get(kind=Kind.LOCKOUT)
        self.assertEqual((lockout.outcome, lockout.username, lockout.ip), (Outcome.REFUSED, "alice", IP))
        response = self.attempt("alice", PASSWORD)
        self.assertEqual(response.status_code, 200)
        self.assertNotLoggedIn()
        self.assertEqual(self.form_errors(response), [self.locked_message("alice")])
        self.assertContains(response, self.locked_message("alice"))
        self.assertEqual(
            self.events()[-2:],
            [
                (Kind.LOCKOUT, Outcome.REFUSED, "alice", "locked_until"),
                (Kind.LOGIN_FAILED, Outcome.REFUSED, "alice", "locked"),
            ],
        )
        self.assertEqual(AuditEvent.objects.filter(kind=Kind.LOCKOUT).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, outcome=Outcome.FAILURE).count(), 5)
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.LOGIN).exists())

    def test_lockout_event_names_the_end_of_the_lock(self):
        self.fail("alice", 5)
        last = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).latest("time").time
        lockout = AuditEvent.objects.get(kind=Kind.LOCKOUT)
        self.assertEqual(lockout.message, "locked_until")
        self.assertEqual(lockout.params, {"until": (last + datetime.timedelta(minutes=30)).isoformat()})

    def test_four_failures_do_not_lock(self):
        self.fail("alice", 4)
        self.attempt("alice", PASSWORD)
        self.assertLoggedIn(self.alice)
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.LOCKOUT).exists())

    def test_lock_is_per_username(self):
        self.fail("alice", 5)
        self.attempt("bob", PASSWORD)
        self.assertLoggedIn(self.bob)

    def test_username_lock_ignores_case(self):
        self.fail("ALICE", 5)
        response = self.attempt("alice", PASSWORD)
        self.assertNotLoggedIn()
        self.assertEqual(self.form_errors(response), [self.locked_message("ALICE")])

    def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(self):
        now = timezone.now()
        for minutes in (16, 12, 8, 4):
            self.failure_at("alice", now - datetime.timedelta(minutes=minutes, seconds=1))
        self.fail("alice")
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.LOCKOUT).exists())
        self.attempt("alice", PASSWORD)
        self.assertLoggedIn(self.alice)

    def test_five_failures_within_fifteen_minutes_lock(self):
        now = timezone.now()
        for minutes in (14, 10, 6, 2):
            self.failure_at("alice", now - datetime.timedelta(minutes=minutes))
        self.fail("alice")
        self.assertEqual(AuditEvent.objects.filter(kind=Kind.LOCKOUT).count(), 1)
        self.attempt("alice", PASSWORD)
        self.assertNotLoggedIn()

    def test_lock_ends_after_thirty_minutes(self):
        self.fail("alice", 5)
        later = timezone.now() + datetime.timedelta(minutes=30, seconds=5)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.attempt("alice", PASSWORD)
        self.assertLoggedIn(self.alice)
        self.assertFalse(AuditEvent.objects.filter(outcome=Outcome.REFUSED, kind=Kind.LOGIN_FAILED).exists())

    def test_lock_still_holds_before_thirty_minutes(self):
        self.fail("alice", 5)
        later = timezone.now() + datetime.timedelta(minutes=29)
        with mock.patch("django.utils.timezone.now", return_value=later):
            response = self.attempt("alice", PASSWORD)
        self.assertNotLoggedIn()
        self.assertEqual(self.form_errors(response), [self.locked_message("alice")])

    def test_old_lock_has_ended(self):
        now = timezone.now()
        for minutes in (35, 34, 33, 32, 31):
            self.failure_at("alice", now - datetime.timedelta(minutes=minutes))
        self.attempt("alice", PASSWORD)
        self.assertLoggedIn(self.alice)

    def test_success_resets_the_count(self):
        self.fail("alice", 4)
        self.attempt("alice", PASSWORD)
        self.assertLoggedIn(self.alice)
        self.client.post(reverse("accounts:logout"), REMOTE_ADDR=IP)
        self.fail("alice", 4)
        self.attempt("alice", PASSWORD)
        self.assertLoggedIn(self.alice)
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.LOCKOUT).exists())
        self.assertEqual(AuditEvent.objects.filter(kind=Kind.LOGIN).count(), 2)

    def test_five_failures_after_a_success_lock_again(self):
        self.fail("alice", 4)
        self.attempt("alice", PASSWORD)
        self.client.post(reverse("accounts:logout"), REMOTE_ADDR=IP)
        self.fail("alice", 5)
        self.attempt("alice", PASSWORD)
        self.assertNotLoggedIn()
        self.assertEqual(AuditEvent.objects.filter(kind=Kind.LOCKOUT).count(), 1)


@override_settings(IP_FAILURE_LIMIT=3)
class IpCapTest(LoginTestCase):
    def test_failures_across_usernames_block_the_ip(self):
        self.fail("alice")
        self.fail("bob")
        self.fail("mallory")
        response = self.attempt("lena", PASSWORD)
        self.assertEqual(response.status_code, 200)
        self.assertNotLoggedIn()
        self.assertEqual(self.form_errors(response), [str(LoginForm.error_messages["ip_blocked"])])
        self.assertEqual(self.events()[-1], (Kind.LOGIN_FAILED, Outcome.REFUSED, "lena", "ip_blocked"))
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.LOGIN).exists())
        # No username reached its own limit.
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.LOCKOUT).exists())

    def test_two_failures_do_not_block_the_ip(self):
        self.fail("alice")
        self.fail("bob")
        self.attempt("lena", PASSWORD)
        self.assertLoggedIn(self.lena)

    def test_other_ips_are_not_blocked(self):
        self.fail("alice")
        self.fail("bob")
        self.fail("mallory")
        self.attempt("lena", PASSWORD, ip=OTHER_IP)
        self.assertLoggedIn(self.lena)

    def test_ip_block_ends_after_the_window(self):
        now = timezone.now()
        for username in ("alice", "bob", "mallory"):
            self.failure_at(username, now - datetime.timedelta(minutes=16))
        self.attempt("lena", PASSWORD)
        self.assertLoggedIn(self.lena)

    def test_refused_attempts_do_not_extend_the_ip_block(self):
        now = timezone.now()
        for username in ("alice", "bob", "mallory"):
            self.failure_at(username, now - datetime.timedelta(minutes=14))
        self.attempt("lena", PASSWORD)
        self.assertNotLoggedIn()
        later = now + datetime.timedelta(minutes=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.attempt("lena", PASSWORD)
        self.assertLoggedIn(self.lena)


class SessionLimitTest(LoginTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)
        self.home = reverse("home")
        self.assertEqual(self.client.get(self.home).status_code, 200)

    def set_session(self, **values):
        session = self.client.session
        for key, value in values.items():
            session[key] = value
        session.save()

    def test_first_request_stamps_the_session(self):
        session = self.client.session
        self.assertAlmostEqual(session[STARTED], time.time(), delta=5)
        self.assertAlmostEqual(session[LAST_SEEN], time.time(), delta=5)

    def test_session_idle_too_long_ends_and_is_recorded(self):
        self.set_session(**{LAST_SEEN: time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5})
        response = self.client.get(self.home)
        self.assertRedirects(response, f"{LOGIN_URL}?next=/", fetch_redirect_response=False)
        self.assertNotLoggedIn()
        event = AuditEvent.objects.get()
        self.assertEqual(
            (event.kind, event.user, event.username, event.message), (Kind.SESSION_EXPIRED, self.alice, "alice", "idle")
        )
        # The next request is simply anonymous: no second expiry line.
        self.assertRedirects(self.client.get(self.home), f"{LOGIN_URL}?next=/", fetch_redirect_response=False)
        self.assertEqual(AuditEvent.objects.count(), 1)

    def test_a_page_read_within_the_minute_does_not_write_the_session(self):
        stamped = self.client.session[LAST_SEEN]
        with CaptureQueriesContext(connection) as context:
            self.assertEqual(self.client.get(self.home).status_code, 200)
        writes = [query["sql"] for query in context.captured_queries if query["sql"].startswith(("UPDATE", "INSERT"))]
        self.assertEqual(writes, [])
        self.assertEqual(self.client.session[LAST_SEEN], stamped)
        # A minute later the time is written again, and the cookie renewed.
        self.set_session(**{LAST_SEEN: time.time() - settings.SESSION_TOUCH_SECONDS - 1})
        response = self.client.get(self.home)
        self.assertIn(settings.SESSION_COOKIE_NAME, response.cookies)
        self.assertAlmostEqual(self.client.session[LAST_SEEN], time.time(), delta=5)

    def test_login_page_says_the_session_has_ended(self):
        self.set_session(**{LAST_SEEN: time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5})
        response = self.client.get(self.home, follow=True)
        self.assertEqual(response.redirect_chain, [(f"{LOGIN_URL}?next=/", 302)])
        self.assertEqual(
            [str(m) for m in response.context["messages"]], [gettext("Your session has ended. Please log in again.")]
        )

    def test_recent_request_keeps_the_session(self):
        self.set_session(**{LAST_SEEN: time.time() - settings.SESSION_IDLE_MINUTES * 60 + 60})
        self.assertEqual(self.client.get(self.home).status_code, 200)
        self.assertLoggedIn(self.alice)
        self.assertAlmostEqual(self.client.session[LAST_SEEN], time.time(), delta=5)
        self.assertFalse(AuditEvent.objects.exists())

    def test_session_ends_after_the_maximum_age_even_if_active(self):
        now = time.time()
        self.set_session(**{STARTED: now - settings.SESSION_MAX_HOURS * 3600 - 5, LAST_SEEN: now - 10})
        response = self.client.get(self.home)
        self.assertRedirects(response, f"{LOGIN_URL}?next=/", fetch_redirect_response=False)
        self.assertNotLoggedIn()
        event = AuditEvent.objects.get()
        self.assertEqual((event.kind, event.user, event.message), (Kind.SESSION_EXPIRED, self.alice, "max_age"))

    def test_session_younger_than_the_maximum_age_stays(self):
        now = time.time()
        self.set_session(**{STARTED: now - settings.SESSION_MAX_HOURS * 3600 + 60, LAST_SEEN: now - 10})
        self.assertEqual(self.client.get(self.home).status_code, 200)
        self.assertLoggedIn(self.alice)

    def test_login_after_expiry_starts_a_new_session(self):
        self.set_session(**{LAST_SEEN: time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5})
        self.client.get(self.home)
        self.attempt("alice", PASSWORD)
        self.assertEqual(self.client.get(self.home).status_code, 200)
        self.assertAlmostEqual(self.client.session[STARTED], time.time(), delta=5)


class PasswordRuleTest(PortalTestCase):
    def create_form(self, password):
        data = {
            "username": "newbie",
            "full_name": "新用户",
            "email": "",
            "organization": self.district_a.pk,
            "role": "staff",
            "password1": password,
            "password2": password,
        }
        return UserCreateForm(data=data, user=self.adam)

    def test_form_accepts_a_long_uncommon_password(self):
        form = self.create_form("Long-Uncommon-2026")
        self.assertTrue(form.is_valid(), form.errors)

    def test_form_refuses_short_and_common_passwords(self):
        with translation.override("en"):
            for password, message in (
                ("Sh0rt-pw!", "This password is too short. It must contain at least 10 characters."),
                ("password123", "This password is too common."),
                ("1234567890", "This password is too common."),
                ("8264019375", "This password is entirely numeric."),
            ):
                with self.subTest(password=password):
                    form = self.create_form(password)
                    self.assertFalse(form.is_valid())
                    self.assertIn(message, form.errors["password1"])
        self.assertFalse(User.objects.filter(username="newbie").exists())

    def test_form_refuses_a_password_like_the_username(self):
        form = self.create_form("Newbie2026")
        self.assertFalse(form.is_valid())
        self.assertIn("password1", form.errors)

    def test_create_user_command_refuses_weak_passwords(self):
        for password in ("Sh0rt-pw!", "password123", "1234567890"):
            with self.subTest(password=password), self.assertRaises(CommandError):
                call_command(
                    "create_user", "newbie", org="甲区总工会", role="staff", password=password, stdout=io.StringIO()
                )
        self.assertFalse(User.objects.filter(username="newbie").exists())
