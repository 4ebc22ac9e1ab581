from django.urls import reverse

from accounts.models import AuditEvent, User
from tests.base import PortalTestCase


def user_post(user, **extra):
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": "",
        "organization": user.organization_id,
        "role": user.role,
        **extra,
    }


class RevealPermissionGrantTest(PortalTestCase):
    def test_no_role_carries_the_reveal_permission(self):
        for person in (self.alice, self.april, self.adam, self.bob, self.leo, self.lena, self.otto, self.ada):
            self.assertFalse(User.objects.get(pk=person.pk).may_reveal, person.username)

    def test_admin_grants_and_withdraws_it_and_both_are_audited(self):
        self.login(self.adam)
        url = reverse("accounts:user_update", args=[self.alice.pk])
        response = self.client.post(url, user_post(self.alice, may_reveal="on"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(pk=self.alice.pk).may_reveal)
        response = self.client.get(url)
        self.assertTrue(response.context["form"].initial["may_reveal"])
        self.client.post(url, user_post(self.alice))
        self.assertFalse(User.objects.get(pk=self.alice.pk).may_reveal)
        details = list(
            AuditEvent.objects.filter(kind="user_change", user=self.adam, message__startswith="reveal")
            .order_by("time", "pk")
            .values_list("message", "params")
        )
        self.assertEqual(
            details, [("reveal_granted", {"username": "alice"}), ("reveal_withdrawn", {"username": "alice"})]
        )

    def test_saving_without_a_change_records_no_grant(self):
        self.login(self.adam)
        self.client.post(reverse("accounts:user_update", args=[self.alice.pk]), user_post(self.alice))
        self.assertFalse(AuditEvent.objects.filter(message__startswith="reveal").exists())

    def test_admin_of_another_branch_cannot_grant_it(self):
        self.login(self.adam)
        response = self.client.post(
            reverse("accounts:user_update", args=[self.bob.pk]), user_post(self.bob, may_reveal="on")
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(User.objects.get(pk=self.bob.pk).may_reveal)

    def test_a_new_user_can_be_created_with_it(self):
        self.login(self.adam)
        data = {
            "username": "carol",
            "full_name": "Carol",
            "email": "",
            "organization": self.union_a.pk,
            "role": "staff",
            "may_reveal": "on",
            "password1": "Lang-Pass-2026x",
            "password2": "Lang-Pass-2026x",
        }
        response = self.client.post(reverse("accounts:user_create"), data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(username="carol").may_reveal)
