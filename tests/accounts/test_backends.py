"""The authentication backend reads the user and their organization with one statement
compiled once (accounts/backends.py): the same user as the ORM reads, on every request."""

import datetime

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.backends import PortalBackend, UserLookup
from accounts.models import User
from organizations.models import Organization
from tests.base import PortalTestCase


def concrete_values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


class PortalBackendTest(PortalTestCase):
    def setUp(self):
        self.backend = PortalBackend()

    def test_user_and_organization_read_as_the_orm_reads_them_in_one_query(self):
        User.objects.filter(pk=self.alice.pk).update(last_login=timezone.now())
        expected = User.objects.select_related("organization").get(pk=self.alice.pk)
        with self.assertNumQueries(1):
            user = self.backend.get_user(self.alice.pk)
            organization = user.organization
        self.assertEqual(concrete_values(user), concrete_values(expected))
        self.assertEqual(concrete_values(organization), concrete_values(expected.organization))
        self.assertIsInstance(user.is_active, bool)
        self.assertIsInstance(user.last_login, datetime.datetime)
        self.assertTrue(timezone.is_aware(user.last_login))
        self.assertEqual(organization.path, self.district_a.path)
        self.assertFalse(user._state.adding)
        self.assertEqual(user._state.db, "default")

    def test_superuser_without_organization(self):
        with self.assertNumQueries(1):
            user = self.backend.get_user(self.root.pk)
            self.assertIsNone(user.organization)
        self.assertTrue(user.is_superuser)

    def test_missing_user_is_none(self):
        self.assertIsNone(self.backend.get_user(10**9))

    def test_every_request_reads_the_database(self):
        """Nothing is kept between requests: a user deactivated (even by a bulk update, which
        no model method sees) or moved is so on the very next read."""
        self.assertIsNotNone(self.backend.get_user(self.bob.pk))
        User.objects.filter(pk=self.bob.pk).update(is_active=False)
        self.assertIsNone(self.backend.get_user(self.bob.pk))
        User.objects.filter(pk=self.alice.pk).update(organization=self.district_b)
        self.assertEqual(self.backend.get_user(self.alice.pk).organization, self.district_b)
        Organization.objects.filter(pk=self.district_b.pk).update(name="乙区总工会（新）")
        self.assertEqual(self.backend.get_user(self.alice.pk).organization.name, "乙区总工会（新）")

    def test_statement_compiled_once(self):
        lookup = UserLookup()
        lookup.get(self.alice.pk)
        compiled = lookup.compile("default")
        lookup.get(self.bob.pk)
        self.assertIs(lookup.compile("default"), compiled)
        self.assertEqual(lookup.get(self.bob.pk), self.bob)

    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db")
    def test_password_change_ends_other_sessions(self):
        """Django checks the session's hash of the password against the user read here."""
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        self.alice.set_password("Another-Pass-2026")
        self.alice.save()
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 302)
