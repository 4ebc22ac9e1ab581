"""`python manage.py load_demo`: the demo federations of seeds/README.md. Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from accounts import demo as accounts_demo
from activities import demo as activities_demo
from cadres import demo as cadres_demo
from organizations import demo as organizations_demo
from relief import demo as relief_demo
from standards import demo as standards_demo
from unionportal.roles import Role


class Command(BaseCommand):
    help = "Load the demo federations (Pingtang, Shuangyashan) and demo accounts; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            organizations = organizations_demo.load()
            cadres = cadres_demo.load(organizations)
            users = accounts_demo.load(organizations)
            standards = standards_demo.load(organizations)
            activities, honours = activities_demo.load(organizations)
            disbursements = relief_demo.load(organizations)
        self.stdout.write(
            f"organizations: {len(organizations)}; cadres: {len(cadres)}; new accounts: {len(users)}; "
            f"standards: {len(standards)}; activities: {activities}; honours: {honours}; "
            f"disbursements: {disbursements}"
        )
        self.stdout.write(f"Demo accounts, password {accounts_demo.DEMO_PASSWORD}:")
        self.stdout.write(f"  {accounts_demo.DEMO_SUPERUSER}  (superuser)")
        for prefix, org_name in accounts_demo.DEMO_BRANCHES.items():
            roles = ", ".join(f"{prefix}_{role.value}" for role in Role)
            self.stdout.write(f"  {org_name}: {roles}")
