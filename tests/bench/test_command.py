"""`manage.py bench` writes its JSON: every figure with its name, value, baseline, ratio, goal
and whether it holds, plus the machine, the tier and the row counts. Run in this process on
the test database with the test tier (the real run uses subprocesses and gunicorn)."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from bench.population import MARKER_TABLE, TIERS


@override_settings(ROOT_URLCONF="bench.urls")
class BenchCommandTest(TransactionTestCase):
    def tearDown(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        super().tearDown()

    def test_writes_every_figure_with_a_holds_boolean(self):
        with tempfile.TemporaryDirectory() as out:
            stdout = StringIO()
            call_command(
                "bench", tier="test", in_process=True, year=2025, out_dir=Path(out), stdout=stdout, stderr=StringIO()
            )
            result = json.loads((Path(out) / f"test-{connection.vendor}.json").read_text())
        for key in ("figures", "machine", "tier", "database", "counts", "generated_at", "command"):
            self.assertIn(key, result)
        self.assertEqual(result["tier"], "test")
        self.assertEqual(result["counts"]["relief_disbursement"], TIERS["test"].disbursements)
        for key in ("cpus", "cpu_model", "python", "database"):
            self.assertIn(key, result["machine"])
        self.assertGreater(len(result["figures"]), 40)
        for figure in result["figures"]:
            self.assertEqual(
                set(figure) - {"unit", "detail"}, {"name", "value", "baseline", "ratio", "goal", "holds"}, figure
            )
            self.assertIsInstance(figure["holds"], bool, figure["name"])
        names = " ".join(figure["name"] for figure in result["figures"])
        for expected in (
            "list disbursements",
            "first view after a change in the branch",
            "empty authenticated page",
            "annual summary",
            "leader dashboard",
            "xlsx export",
            "import of",
            "requests/s",
        ):
            self.assertIn(expected, names)
        self.assertIn("holds", stdout.getvalue())
        # Each list beside the L timed in turns with it; the export beside X, in turns.
        lists = result["raw"]["pages"]["lists"]
        by_name = {figure["name"]: figure for figure in result["figures"]}
        row = lists["disbursements|bench_staff"]
        self.assertEqual(by_name["list disbursements as staff of one district: median"]["baseline"], row["L_median_ms"])
        self.assertEqual(
            by_name["list disbursements as staff of one district: p95 at 8 connections"]["baseline"], row["L_p95_ms"]
        )
        self.assertEqual(len(result["raw"]["export_x"]["rounds"]), len(result["raw"]["export_portal"]["rounds"]))
