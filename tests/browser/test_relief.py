"""A district's staff member files a worker in hardship and submits a disbursement to her; the
district's approver approves it; the staff member records the bank's payment. Two people,
in a browser against the live server."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from relief.models import Beneficiary, Disbursement, DisbursementStatus, Programme
from tests.base import make_user
from tests.browser.conftest import zh
from tests.browser.test_flows import named, navbar_link
from tests.cadres.data import masked, resident_id

pytestmark = pytest.mark.browser

ID_NUMBER = resident_id("19860412", "028")
ACCOUNT = "6228480402564890018"


def log_out(tab):
    tab.get_by_test_id("user-menu").click()
    tab.get_by_role("button", name=named(zh("Log out"))).click()


def test_alice_files_and_submits_april_approves_alice_records_the_payment(tab, people, log_in, screenshot):
    make_user("april", people.district_a, "approver")
    Programme.objects.create(
        name="大病救助",
        year=2025,
        owner=people.district_a,
        budget=Decimal("100000"),
        standard_amount=Decimal("3000"),
        cap_per_person=Decimal("5000"),
    )

    log_in("alice")
    navbar_link(tab, zh("Relief")).click()
    expect(tab).to_have_url(re.compile(r"/relief/$"))
    tab.get_by_role("link", name=named(zh("Add"))).click()
    expect(tab).to_have_url(re.compile(r"/relief/add/$"))
    tab.locator("#id_full_name").fill("周秀兰")
    tab.locator("#id_id_number").fill(ID_NUMBER)
    organization = tab.locator("#id_organization")
    expect(organization.locator("option", has_text="乙区")).to_have_count(0)
    organization.select_option(label="城关食品厂工会")
    tab.locator("#id_hardship_level").select_option("deep")
    tab.locator("input[name='causes'][value='illness']").check()
    tab.locator("#id_household_size").fill("3")
    tab.locator("#id_monthly_income_per_head").fill("420")
    tab.locator("#id_bank_name").fill("平塘县农村信用合作联社")
    tab.locator("#id_bank_account").fill(ACCOUNT)
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(r"/relief/\d+/$"))
    person = Beneficiary.objects.get(full_name="周秀兰")
    expect(tab.get_by_test_id("masked-id")).to_have_text(masked(ID_NUMBER))
    expect(tab.get_by_test_id("masked-account")).to_have_text("***************0018")
    expect(tab.locator("body")).not_to_contain_text(ID_NUMBER)
    expect(tab.locator("body")).not_to_contain_text(ACCOUNT)

    tab.get_by_test_id("add-disbursement").click()
    expect(tab).to_have_url(re.compile(r"/relief/disbursements/add/\?beneficiary=\d+$"))
    tab.locator("#id_programme").select_option(label="大病救助（2025）")
    expect(tab.locator("#id_beneficiary")).to_have_value(str(person.pk))
    tab.locator("#id_cash").fill("3000")
    tab.locator("#id_date").fill("2025-06-01")
    tab.locator("#id_paying_organization").select_option(label="甲区总工会")
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(r"/relief/disbursements/\d+/$"))
    disbursement = Disbursement.objects.get()
    expect(tab.get_by_test_id("status")).to_have_text(zh("Draft"))
    expect(tab.get_by_test_id("masked-id")).to_have_text(masked(ID_NUMBER))
    tab.get_by_test_id("submit").click()
    expect(tab.get_by_test_id("status")).to_have_text(zh("Submitted"))
    expect(tab.get_by_test_id("approve")).to_have_count(0)
    log_out(tab)

    log_in("april")
    tab.goto(disbursement.get_absolute_url())
    expect(tab.get_by_test_id("submitted-by")).to_contain_text("Alice")
    tab.get_by_test_id("approve").click()
    expect(tab.get_by_test_id("status")).to_have_text(zh("Approved"))
    expect(tab.get_by_test_id("approved-by")).to_contain_text("April")
    expect(tab.get_by_test_id("pay")).to_have_count(0)  # an approver approves; staff record the payment
    log_out(tab)

    log_in("alice")
    tab.goto(disbursement.get_absolute_url())
    tab.get_by_test_id("pay").click()
    expect(tab.get_by_test_id("status")).to_have_text(zh("Paid"))
    expect(tab.get_by_test_id("paid")).to_be_visible()
    expect(tab.get_by_test_id("paid-by")).to_contain_text("Alice")
    for gone in ("submit", "approve", "pay", "edit"):
        expect(tab.get_by_test_id(gone)).to_have_count(0)
    expect(tab.locator("body")).not_to_contain_text(ID_NUMBER)
    screenshot(tab, "disbursement-paid")

    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PAID
    assert (disbursement.submitted_by.username, disbursement.approved_by.username, disbursement.paid_by.username) == (
        "alice",
        "april",
        "alice",
    )

    # ...and the payment is on the publicity list, with the ID number masked.
    tab.goto("/relief/disbursements/publicity/")
    publicity = tab.get_by_test_id("publicity")
    expect(publicity).to_contain_text("周秀兰")
    expect(publicity).to_contain_text(masked(ID_NUMBER))
    expect(publicity).to_contain_text("城关食品厂工会")
