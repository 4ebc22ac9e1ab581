"""`manage.py bench_measure --part PART --out FILE`: one part of the benchmark's measurements
in this process, written as JSON. Run by `manage.py bench` with the bench database."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from bench import measure


class Command(BaseCommand):
    help = "One part of the benchmark's measurements (run by `bench`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--part", choices=["pages", "export-x", "export-portal", "import", "session"], required=True
        )
        parser.add_argument("--rows", type=int, default=0)
        parser.add_argument("--quick", action="store_true")
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, part, rows, quick, runs, out, **options):
        if part == "pages":
            result = measure.part_pages(quick=quick, runs=runs)
        elif part == "export-x":
            result = measure.part_export_x(rows)
        elif part == "export-portal":
            result = measure.part_export_portal(rows)
        elif part == "import":
            result = measure.part_import(rows)
        else:
            result = measure.part_session()
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
