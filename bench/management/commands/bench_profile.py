"""Profile one page with pyinstrument, as a user of the bench population: where a page's time
goes, under the benchmark's own settings and database.

    DATABASE_URL=sqlite:///var/bench-county.sqlite3 DJANGO_SETTINGS_MODULE=bench.settings \\
        python manage.py bench_profile "/relief/disbursements/?status=paid&sort=-date"
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import Client


class Command(BaseCommand):
    help = "Profile a page of the bench population with pyinstrument."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the page's path and query")
        parser.add_argument("--user", default="bench_leader", help="who asks (default bench_leader)")
        parser.add_argument("--requests", type=int, default=20, help="requests profiled (default 20)")
        parser.add_argument("--html", help="write pyinstrument's HTML report to this file too")

    def handle(self, *args, url, user, requests, html, **options):
        from pyinstrument import Profiler

        try:
            person = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {user!r}: point DATABASE_URL at a bench database") from None
        client = Client()
        client.force_login(person)
        for _ in range(3):  # warm-up: templates, translations, caches
            status = client.get(url).status_code
            if status != 200:
                raise CommandError(f"GET {url} answered {status}")
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for _ in range(requests):
                client.get(url)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{requests} requests, {seconds / requests * 1000:.1f} ms each (profiler on)\n")
        self.stdout.write(profiler.output_text(unicode=True, color=False))
        if html:
            with open(html, "w", encoding="utf-8") as out:
                out.write(profiler.output_html())
