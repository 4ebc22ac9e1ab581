"""`python manage.py annual_report --org NAME --from YYYY-MM-DD --to YYYY-MM-DD --format json|xlsx
[--out FILE] [--user USERNAME]`

Without --user this is a system report: it runs as an unsaved superuser and sees the whole
tree. With --user it sees what that user sees: an organization outside their scope is "not
found", exactly as on the page."""

import datetime
import io
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import User
from organizations.models import Organization
from reports.management.commands.standardization_report import one, system_user
from reports.summary import AnnualSummary
from reports.workbook import summary_workbook
from unionportal.reporting import Period


def day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "The annual summary of an organization's branch for a period, as JSON or xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organization's full name")
        parser.add_argument("--from", required=True, dest="start", help="the first day, YYYY-MM-DD")
        parser.add_argument("--to", required=True, dest="end", help="the last day, YYYY-MM-DD")
        parser.add_argument("--format", required=True, choices=["json", "xlsx"])
        parser.add_argument("--out", help="the file to write (required for xlsx; JSON goes to stdout without it)")
        parser.add_argument("--user", help="run as this user, within their scope (default: a system report)")

    def handle(self, *args, org, start, end, format, out, user, **options):
        if format == "xlsx" and not out:
            raise CommandError("--format xlsx needs --out FILE")
        start, end = day(start), day(end)
        if start > end:
            raise CommandError("--to is before --from")
        if user:
            try:
                user = User.objects.get(username=user, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"no active user named {user!r}") from None
        else:
            user = system_user()
        organization = one(Organization.objects.restrict(user), "organization", org)
        with translation.override("zh-hans"):
            summary = AnnualSummary(user, organization, Period(start, end))
            if format == "json":
                text = json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n"
                if out:
                    with open(out, "w", encoding="utf-8") as file:
                        file.write(text)
                else:
                    self.stdout.write(text, ending="")
            else:
                buffer = io.BytesIO()
                summary_workbook(summary, generated_by=user.full_name or user.username).save(buffer)
                with open(out, "wb") as file:
                    file.write(buffer.getvalue())
        if out:
            self.stderr.write(f"{out}: {len(summary.sections)} sections")
