"""`python manage.py analyze`: the database measures every table again (ANALYZE, every row).

SQLite plans its queries from these statistics. The portal refreshes them itself after each
import (sampled, `unionportal.importing.refresh_statistics`). A portal on SQLite that grows
mostly by hand should run this now and then, e.g. weekly from cron. On PostgreSQL autovacuum
does it, and this command runs ANALYZE there too."""

import time

from django.core.management.base import BaseCommand

from unionportal.importing import analyze


class Command(BaseCommand):
    help = "Have the database measure every table again (ANALYZE), for its query planner."

    def handle(self, *args, **options):
        started = time.perf_counter()
        analyze()
        self.stdout.write(f"ANALYZE done in {time.perf_counter() - started:.1f} s")
