"""`python manage.py create_user USERNAME --org NAME --role ROLE [--password P]`"""

import getpass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from organizations.models import Organization
from unionportal.roles import Role


class Command(BaseCommand):
    help = "Create a user of an organization with a role; asks for the password if --password is not given."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="the organization's full name")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--password")
        parser.add_argument("--full-name", default="")

    def handle(self, *args, username, org, role, password, full_name, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        organizations = list(Organization.objects.filter(name=org)[:2])
        if not organizations:
            raise CommandError(f"no organization named {org!r}")
        if len(organizations) > 1:
            raise CommandError(f"several organizations are named {org!r}")
        user = User(username=username, organization=organizations[0], role=role, full_name=full_name)
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        self.stdout.write(f"created {username}: {role} of {organizations[0].name}")
