"""`python manage.py standardization_report --org NAME --year YYYY --format json|xlsx [--out FILE]
[--standard NAME] [--user USERNAME]`

Without --user this is a system report: it runs as an unsaved superuser (nothing is written
to the database), so it sees the whole tree, as `createsuperuser`'s accounts do. With
--user it sees what that user sees: an organization or a standard outside their scope is
"not found", exactly as on the page."""

import io
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import User
from organizations.models import Organization
from standards.models import Standard
from standards.reports import StandardizationReport, default_standard


def system_user():
    """The identity of a report run from the command line without --user: a superuser that
    exists only in memory, so the report still starts from the restricted querysets."""
    return User(username="system", is_superuser=True, is_active=True)


def one(queryset, what, name):
    found = list(queryset.filter(name=name)[:2])
    if not found:
        raise CommandError(f"no {what} named {name!r}")
    if len(found) > 1:
        raise CommandError(f"several {what}s are named {name!r}")
    return found[0]


class Command(BaseCommand):
    help = "The standardization report of an organization's units for a standard and a year, as JSON or xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organization's full name")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", required=True, choices=["json", "xlsx"])
        parser.add_argument("--out", help="the file to write (required for xlsx; JSON goes to stdout without it)")
        parser.add_argument("--standard", help="the standard's name (default: the one with most approved assessments)")
        parser.add_argument("--user", help="run as this user, within their scope (default: a system report)")

    def handle(self, *args, org, year, format, out, standard, user, **options):
        if format == "xlsx" and not out:
            raise CommandError("--format xlsx needs --out FILE")
        if user:
            try:
                user = User.objects.get(username=user, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"no active user named {user!r}") from None
        else:
            user = system_user()
        organization = one(Organization.objects.restrict(user), "organization", org)
        with translation.override("zh-hans"):
            if standard:
                standard = one(Standard.objects.restrict(user), "standard", standard)
            else:
                standard = default_standard(user, organization, year)
                if standard is None:
                    raise CommandError(f"no standard applies to the units of {org!r}")
            report = StandardizationReport(user, organization, standard, year)
            if format == "json":
                text = json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"
                if out:
                    with open(out, "w", encoding="utf-8") as file:
                        file.write(text)
                else:
                    self.stdout.write(text, ending="")
            else:
                buffer = io.BytesIO()
                report.workbook().save(buffer)
                with open(out, "wb") as file:
                    file.write(buffer.getvalue())
        if out:
            self.stderr.write(f"{out}: {len(report.rows)} units")
