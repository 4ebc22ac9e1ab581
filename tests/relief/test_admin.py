"""The relief models in the Django admin: scoped to the administrator's branch, numbers masked
for everyone, and no disbursement changed there once it has left the draft."""

from django.urls import reverse

from relief import services
from tests.cadres.data import full_ids_in, masked
from tests.relief.test_views import ACCOUNT_A, ID_A, ID_A2, ID_B, ReliefViewTestCase


def admin_url(name, *args):
    return reverse(f"admin:relief_{name}", args=args)


class BeneficiaryAdminTest(ReliefViewTestCase):
    def test_admin_of_district_a_lists_only_files_of_district_a_masked(self):
        self.login(self.adam)
        response = self.client.get(admin_url("beneficiary_changelist"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "张明")
        self.assertNotContains(response, "李华")
        self.assertContains(response, masked(ID_A))
        self.assertEqual(full_ids_in(response), [])

    def test_a_file_of_another_district_is_not_reachable(self):
        self.login(self.adam)
        for name in ("beneficiary_change", "beneficiary_history"):
            with self.subTest(name=name):
                response = self.client.get(admin_url(name, self.person_b.pk))
                self.assertNotEqual(response.status_code, 200)
                self.assertNotContains(response, "李华", status_code=response.status_code)

    def test_the_change_page_and_history_never_show_full_numbers_even_to_the_superuser(self):
        self.person.bank_account = "6228480402564890999"
        self.person.save()
        self.login(self.root)
        for name in ("beneficiary_change", "beneficiary_history"):
            with self.subTest(name=name):
                response = self.client.get(admin_url(name, self.person.pk))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(full_ids_in(response), [])
                self.assertNotContains(response, ACCOUNT_A)
                self.assertNotContains(response, "6228480402564890999")
        self.assertNotContains(self.client.get(admin_url("beneficiary_change", self.person_b.pk)), ID_B)

    def test_files_are_not_added_in_the_admin(self):
        self.login(self.root)
        self.assertEqual(self.client.get(admin_url("beneficiary_add")).status_code, 403)


class DisbursementAdminTest(ReliefViewTestCase):
    def test_a_draft_is_changed_but_a_paid_one_is_read_only(self):
        draft = self.draft()
        paid = self.paid(person=self.file(self.union_a, "王芳", ID_A2), cash="1000")
        self.login(self.adam)
        response = self.client.get(admin_url("disbursement_change", draft.pk))
        self.assertTrue(response.context["has_change_permission"])
        response = self.client.get(admin_url("disbursement_change", paid.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        self.assertFalse(response.context["has_delete_permission"])
        response = self.client.post(admin_url("disbursement_change", paid.pk), {"cash": "1", "note": "改"})
        self.assertEqual(response.status_code, 403)
        paid.refresh_from_db()
        self.assertEqual(str(paid.cash), "1000.00")
        self.assertEqual(self.client.post(admin_url("disbursement_delete", paid.pk), {"post": "yes"}).status_code, 403)
        changelist = self.client.get(admin_url("disbursement_changelist"))
        form = changelist.context["action_form"]  # None when no action is left at all
        actions = [name for name, _label in form.fields["action"].choices] if form else []
        self.assertNotIn("delete_selected", actions)

    def test_admin_of_district_a_does_not_see_district_b_disbursements(self):
        other = services.disbursement_create(
            user=self.bob,
            programme=self.programme_b,
            beneficiary=self.person_b,
            cash=1000,
            date=self.draft().date,
            paying_organization=self.district_b,
        )
        self.login(self.adam)
        response = self.client.get(admin_url("disbursement_change", other.pk))
        self.assertNotEqual(response.status_code, 200)
        listed = self.client.get(admin_url("disbursement_changelist")).context["cl"].result_list
        self.assertNotIn(other, list(listed))
        self.assertEqual(len(listed), 1)
