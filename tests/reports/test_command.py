"""`python manage.py annual_report`: the JSON of DESIGN.md, the workbook, the user's scope."""

import io
import json
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reports.test_summary import FakeSectionsMixin, SummaryTestCase


class CommandTest(FakeSectionsMixin, SummaryTestCase):
    def run_command(self, *args):
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("annual_report", *args, stdout=stdout, stderr=stderr)
        return stdout.getvalue()

    def test_json_to_stdout_as_a_system_report(self):
        output = self.run_command(
            "--org", "测试市总工会", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "json"
        )
        self.assertEqual(
            json.loads(output),
            {
                "organization": "测试市总工会",
                "period": {"from": "2024-01-01", "to": "2024-12-31"},
                "organizations": {"total": 5},
                "members": {"members": "100.00"},
            },
        )

    def test_as_a_user_within_their_scope(self):
        output = self.run_command(
            "--org", "乙区总工会", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "json", "--user", "leo"
        )
        self.assertEqual(json.loads(output)["members"], {"members": "30.00"})
        with self.assertRaisesMessage(CommandError, "no organization named '甲区总工会'"):
            self.run_command(
                "--org", "甲区总工会", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "json", "--user", "leo"
            )

    def test_xlsx_to_a_file(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        out = Path(directory.name) / "summary.xlsx"
        self.run_command(
            "--org", "测试市总工会", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "xlsx", "--out", str(out)
        )
        names = load_workbook(out).sheetnames
        self.assertEqual(len(names), 3)  # the cover, whatever the catalogue calls it, and the sections
        self.assertEqual(names[1:], ["Units", "Members"])

    def test_bad_arguments_are_errors(self):
        base = ["--org", "测试市总工会", "--format"]
        with self.assertRaisesMessage(CommandError, "--format xlsx needs --out FILE"):
            self.run_command(*base, "xlsx", "--from", "2024-01-01", "--to", "2024-12-31")
        with self.assertRaisesMessage(CommandError, "--to is before --from"):
            self.run_command(*base, "json", "--from", "2024-02-01", "--to", "2024-01-01")
        with self.assertRaisesMessage(CommandError, "not a date"):
            self.run_command(*base, "json", "--from", "2024-13-01", "--to", "2024-12-31")
        with self.assertRaisesMessage(CommandError, "no active user named 'nobody'"):
            self.run_command(*base, "json", "--from", "2024-01-01", "--to", "2024-12-31", "--user", "nobody")
