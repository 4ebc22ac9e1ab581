"""The audit log reads in the reader's language: each event's message code and values are put
into words when the log is shown or exported, not stored as English text."""

import re

from django.urls import reverse
from django.utils import translation

from accounts.audit import MESSAGES, record
from accounts.models import AuditEvent
from tests.base import PortalTestCase

PARAMS = {
    "username": "alice",
    "role": "approver",
    "model": "relief.Beneficiary",
    "pk": 7,
    "fields": ["id_number", "bank_account"],
    "reason": "银行代发核对",
    "count": 3,
    "until": "2026-11-22T08:30:00+00:00",
    "query": "name=%E5%B0%8F%E5%AD%A6&export=xlsx",
}


class AuditMessageTest(PortalTestCase):
    def event(self, message, **params):
        return record(None, AuditEvent.Kind.EXPORT, message=message, params=params, user=self.alice)

    def test_every_message_reads_in_chinese(self):
        with translation.override("zh-hans"):
            for message in MESSAGES:
                with self.subTest(message=message):
                    text = self.event(message, **PARAMS).description
                    self.assertRegex(text, r"[\u4e00-\u9fff]")
                    words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"alice", "xlsx", "export", "name", "IP"}
                    self.assertEqual(words, set(), text)

    def test_codes_are_shown_by_their_labels(self):
        with translation.override("zh-hans"):
            revealed = self.event("revealed", **{**PARAMS, "query": ""}).description
            self.assertEqual(revealed, "困难职工档案 7：身份证号、银行账号。理由：银行代发核对")
            exported = self.event("exported", model="organizations.Organization", count=3, query=PARAMS["query"])
            self.assertEqual(exported.description, "组织：3 行。筛选条件：name=小学&export=xlsx")
            report = self.event("report", report="annual_summary", query="organization=5&format=xlsx").description
            self.assertEqual(report, "年度综合报告。筛选条件：organization=5&format=xlsx")
            imported = self.event("imported", kind="beneficiaries", count=2).description
            self.assertEqual(imported, "困难职工档案：2 行。")
        with translation.override("en"):
            self.assertEqual(
                self.event("user_created", username="alice", role="approver").description,
                "Created the user alice (Approver).",
            )

    def test_an_event_logged_before_the_codes_shows_its_text(self):
        event = AuditEvent.objects.create(kind=AuditEvent.Kind.EXPORT, detail="organizations.Organization 3 ")
        self.assertEqual(event.description, "organizations.Organization 3 ")

    def test_an_unknown_message_is_refused_when_logged(self):
        with self.assertRaises(ValueError):
            self.event("no_such_message")

    def test_the_log_page_and_its_export_show_the_words(self):
        self.event("user_created", **PARAMS)
        self.login(self.otto)
        with translation.override("zh-hans"):
            response = self.client.get(reverse("accounts:auditevent_list"))
        self.assertContains(response, "新建用户 alice（审核人）。")
