from django.core.management.base import BaseCommand

from accounts import jobs


class Command(BaseCommand):
    help = "Delete background jobs finished more than JOB_KEEP_DAYS ago, with their files (run daily)."

    def handle(self, *args, **options):
        count = jobs.purge()
        if options["verbosity"]:
            self.stdout.write(f"{count} jobs deleted.")
