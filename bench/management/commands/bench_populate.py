"""`manage.py bench_populate --tier TIER --year YYYY`: build the synthetic population into the
(empty, migrated) database of DATABASE_URL, with a progress bar. Run by `manage.py bench`."""

import json

from django.core.management.base import BaseCommand
from django.db import connection
from tqdm import tqdm

from bench.population import TIERS, Population, build


class Command(BaseCommand):
    help = "Build the benchmark's synthetic population into an empty database (run by `bench`)."

    def add_arguments(self, parser):
        parser.add_argument("--tier", choices=sorted(TIERS), required=True)
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, tier, year, **options):
        total = Population(tier, year).expected_rows()
        with tqdm(total=total, unit=" rows", unit_scale=True, desc=f"building {tier}", mininterval=1) as bar:
            marker = build(tier, year, progress=bar)
        # Fresh statistics, as a database in service has them (PostgreSQL's autovacuum would get
        # there later; SQLite never does by itself).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(json.dumps(marker, ensure_ascii=False))
