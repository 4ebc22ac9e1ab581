"""`manage.py bench --tier county|city|province [--db-url URL] [--rebuild]` (issue 8).

Builds (or reuses) the tier's synthetic population in a database of its own, then measures,
in one run, each figure beside the baseline that bounds it on the same machine, prints a
table and writes `bench/results/<tier>-<database>.json`.

The work runs in subprocesses pointed at the bench database through DATABASE_URL (migrate,
bench_populate, bench_measure per part) and in gunicorn with the same environment, so this
process never touches the portal's own database. A population built by the same generator
version for the same tier and year is reused; `--rebuild` builds it anew.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.loadgen import Gunicorn, load
from bench.population import GENERATOR_VERSION, MARKER_TABLE, TIERS, definition

EXPORT_ROWS = 200_000
# X and the portal's export run in turns, each in a process of its own, this many times: one
# after the other once, they moved apart with the machine (0.60× X on one run, 0.50× on the
# next, on the same code).
EXPORT_ROUNDS = 2
IMPORT_ROWS = 10_000
MEASURED_TIERS = ["county", "city", "province"]


class Command(BaseCommand):
    help = (
        "Build a synthetic population of a tier in a separate database and measure the portal against "
        "baselines taken in the same run; prints a table and writes bench/results/<tier>-<database>.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tier",
            choices=[*MEASURED_TIERS, "test"],
            required=True,
            help="county | city | province (test: a few dozen rows, for the test suite)",
        )
        parser.add_argument(
            "--db-url",
            help="the bench database (default sqlite var/bench-<tier>.sqlite3); a PostgreSQL database is created "
            "if missing, e.g. postgres://postgres@127.0.0.1:5432/unionportal_bench_county",
        )
        parser.add_argument("--rebuild", action="store_true", help="build the population anew even if it is there")
        parser.add_argument("--year", type=int, help="the population's current year (default: this year)")
        parser.add_argument("--seconds", type=float, default=10, help="load time per URL on gunicorn (default 10)")
        parser.add_argument("--runs", type=int, default=15, help="timed runs per page after warm-up (default 15)")
        parser.add_argument("--quick", action="store_true", help="few repetitions and small sizes (tests)")
        parser.add_argument("--out-dir", type=Path, default=Path(settings.BASE_DIR) / "bench" / "results")
        # For the test suite: this process and its database, no subprocesses, no gunicorn.
        parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, tier, db_url, rebuild, year, seconds, runs, quick, out_dir, in_process, **options):
        started = time.monotonic()
        year = year or datetime.date.today().year
        given_url = db_url
        small = quick or tier == "test"
        if in_process:
            runner = InProcess(self)
        else:
            db_url = db_url or f"sqlite:///{Path(settings.VAR_DIR) / f'bench-{tier}.sqlite3'}"
            runner = Subprocesses(self, Database(db_url))
        self.log(f"bench database: {runner.database.label}")

        marker = runner.database.marker()
        wanted = {"tier": tier, "version": GENERATOR_VERSION, "definition": definition(tier), "year": year}
        if rebuild or not marker or any(marker.get(key) != value for key, value in wanted.items()):
            self.log("building the population" + (" (asked to rebuild)" if rebuild and marker else ""))
            marker = runner.build(tier, year)
        else:
            self.log(f"reusing the population built at {marker['built_at']} in {marker['seconds']} s")
            runner.migrate()

        export_rows = 200 if small else EXPORT_ROWS
        import_rows = 50 if small else IMPORT_ROWS
        seconds = min(seconds, 1.0) if small else seconds

        self.log("measuring pages, reports and the dashboard")
        pages = runner.part("pages", quick=small, runs=runs)
        self.log(f"measuring the xlsx export of up to {export_rows:,} rows against openpyxl")
        export_x, export_portal = export_in_turns(runner, export_rows, 1 if small else EXPORT_ROUNDS)
        self.log(f"measuring the import of {import_rows:,} cadres")
        importing = runner.part("import", rows=import_rows)
        self.log(f"measuring requests per second on {runner.server} ({seconds:g} s per URL)")
        served = runner.serve(seconds)

        figures = build_figures(pages, export_x, export_portal, importing, served)
        database = runner.database
        result = {
            "tier": tier,
            "database": database.vendor,
            "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": command_line(tier, given_url, runs),
            "machine": machine(database),
            "population": {key: marker[key] for key in ("version", "year", "checksum", "seconds", "built_at")},
            "counts": marker["counts"],
            "figures": figures,
            "raw": {
                "pages": pages,
                "export_x": export_x,
                "export_portal": export_portal,
                "import": importing,
                "server": served,
            },
            "seconds": round(time.monotonic() - started, 1),
        }
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{tier}-{database.vendor}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        self.stdout.write(format_table(result))
        self.stdout.write(f"written {path}")

    def log(self, message):
        self.stderr.write(f"[bench] {message}")


class Subprocesses:
    """The real run: every step in a process of its own pointed at the bench database, and
    gunicorn with the same environment."""

    server = "gunicorn, 2 workers, 8 connections"

    def __init__(self, command, database):
        self.command = command
        self.database = database
        self.env = {
            **os.environ,
            "DATABASE_URL": database.url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
            "DEBUG": "false",
            "STATIC_MANIFEST": "false",
            "LOG_LEVEL": "ERROR",
        }

    def build(self, tier, year):
        self.database.recreate()
        self.migrate()
        self.manage("bench_populate", "--tier", tier, "--year", str(year), capture=False)
        marker = self.database.marker()
        if not marker:
            raise CommandError("the population was not recorded")
        return marker

    def migrate(self):
        # Always: migrations added since the build (an index) apply to the stored population.
        self.manage("migrate", "-v0")

    def manage(self, *arguments, capture=True):
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
        completed = subprocess.run(  # noqa: S603 - our own manage.py
            command,
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )
        if completed.returncode:
            raise CommandError(f"{shlex.join(arguments)} failed with status {completed.returncode}")
        return completed.stdout

    def part(self, name, rows=0, quick=False, runs=15):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            arguments = ["bench_measure", "--part", name, "--out", out.name, "--rows", str(rows), "--runs", str(runs)]
            self.manage(*arguments, *(["--quick"] if quick else []))
            return json.loads(Path(out.name).read_text())

    def serve(self, seconds):
        session = self.part("session")
        cookie = f"sessionid={session['sessions']['bench_leader']}"
        results = {}
        with Gunicorn(self.env) as server:
            for key in ("trivial", "dashboard", "list"):
                results[key] = {"url": session["urls"][key], **load(server.port, session["urls"][key], cookie, seconds)}
        return results


class InProcess:
    """For the test suite: the current database (the test database) and this process, with a
    threaded WSGI server in place of gunicorn. The same parts and figures as the real run."""

    server = "a threaded WSGI server in this process"

    def __init__(self, command):
        self.command = command
        self.database = CurrentDatabase()

    def build(self, tier, year):
        from bench.population import build

        return build(tier, year)

    def migrate(self):
        pass

    def part(self, name, rows=0, quick=False, runs=15):
        from bench import measure

        functions = {
            "pages": lambda: measure.part_pages(quick=quick, runs=runs),
            "export-x": lambda: measure.part_export_x(rows),
            "export-portal": lambda: measure.part_export_portal(rows),
            "import": lambda: measure.part_import(rows),
            "session": measure.part_session,
        }
        return json.loads(json.dumps(functions[name](), default=str))

    def serve(self, seconds):
        import threading
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        from django.core.handlers.wsgi import WSGIHandler

        class Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        session = self.part("session")
        cookie = f"sessionid={session['sessions']['bench_leader']}"
        httpd = make_server("127.0.0.1", 0, WSGIHandler(), server_class=Server, handler_class=Quiet)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            port = httpd.server_address[1]
            return {
                key: {"url": session["urls"][key], **load(port, session["urls"][key], cookie, seconds)}
                for key in ("trivial", "dashboard", "list")
            }
        finally:
            httpd.shutdown()
            httpd.server_close()


class CurrentDatabase:
    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.label = f"{connection.vendor} {connection.settings_dict['NAME']} (this process)"

    def marker(self):
        from bench.population import read_marker

        return read_marker()

    def version(self):
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.execute("SELECT sqlite_version()")
                return f"SQLite {cursor.fetchone()[0]}"
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"


class Database:
    """The bench database: reading its marker and recreating it, with the plain drivers (this
    process's own Django connection is the portal's database and stays untouched)."""

    def __init__(self, url):
        self.url = url
        config = dj_database_url.parse(url)
        self.engine = config["ENGINE"]
        self.name = config["NAME"]
        self.config = config
        if self.engine.endswith("sqlite3"):
            self.vendor = "sqlite"
            self.label = f"SQLite {self.name}"
        elif "postgresql" in self.engine:
            self.vendor = "postgresql"
            self.label = f"PostgreSQL {urlparse(url).hostname}/{self.name}"
            self.ensure_exists()
        else:
            raise CommandError("the bench runs on SQLite or PostgreSQL")
        # Recreating drops everything in it: only a database named for the benchmark.
        if "bench" not in Path(str(self.name)).name:
            raise CommandError(f"the bench database's name must contain 'bench' (got {self.name})")

    def _pg(self, dbname=None):
        import psycopg2

        return psycopg2.connect(
            dbname=dbname or self.name,
            user=self.config.get("USER") or "postgres",
            password=self.config.get("PASSWORD") or None,
            host=self.config.get("HOST") or "127.0.0.1",
            port=self.config.get("PORT") or 5432,
        )

    def ensure_exists(self):
        connection = self._pg("postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
        connection.close()

    def marker(self):
        query = f"SELECT key, value FROM {MARKER_TABLE}"  # noqa: S608 - a constant
        try:
            if self.vendor == "sqlite":
                if not Path(self.name).exists():
                    return None
                connection = sqlite3.connect(self.name)
                try:
                    rows = connection.execute(query).fetchall()
                finally:
                    connection.close()
            else:
                connection = self._pg()
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(query)
                        rows = cursor.fetchall()
                finally:
                    connection.close()
        except Exception:  # no marker table: nothing finished there
            return None
        return {key: json.loads(value) for key, value in rows}

    def recreate(self):
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.name}{suffix}").unlink(missing_ok=True)
            Path(self.name).parent.mkdir(parents=True, exist_ok=True)
            return
        connection = self._pg("postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.name],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        connection.close()

    def version(self):
        if self.vendor == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        connection = self._pg()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                return f"PostgreSQL {cursor.fetchone()[0]}"
        finally:
            connection.close()


def command_line(tier, db_url, runs=15):
    return (
        f"python manage.py bench --tier {tier}"
        + (f" --runs {runs}" if runs != 15 else "")
        + (f" --db-url {db_url}" if db_url else "")
    )


def machine(database):
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    import django
    import psutil

    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database.version(),
        "os": platform.platform(),
    }


# Figures.


def figure(name, value, baseline, goal, holds, unit, ratio=None, **detail):
    if ratio is None:
        ratio = round(value / baseline, 3) if baseline and value is not None else None
    return {
        "name": name,
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "goal": goal,
        "holds": bool(holds),
        "unit": unit,
        **({"detail": detail} if detail else {}),
    }


def export_in_turns(runner, rows, rounds):
    """X and the portal's export, in turns, `rounds` times: each is its first round's result
    with the median rows/s (and time) of its rounds and the highest peak memory, every round
    kept under "rounds"."""
    runs = {"export-x": [], "export-portal": []}
    for _ in range(rounds):
        for name, kept in runs.items():
            kept.append(runner.part(name, rows=rows))
    combined = []
    for kept in runs.values():
        result = dict(kept[0])
        result["rows_per_s"] = round(statistics.median(run["rows_per_s"] for run in kept), 1)
        result["seconds"] = round(statistics.median(run["seconds"] for run in kept), 3)
        result["peak_mib"] = max(run["peak_mib"] for run in kept)
        result["ok"] = all(run.get("ok", True) for run in kept)
        result["rounds"] = kept
        combined.append(result)
    return combined


def build_figures(pages, export_x, export_portal, importing, served):
    figures = []
    from bench.measure import LISTS, WHO

    for username, who in WHO.items():
        for name, _url, query in LISTS:
            row = pages["lists"][f"{name}|{username}"]
            # L timed in turns with the list, and L's p95 measured just before the list's.
            bare_median, bare_p95 = row["L_median_ms"], row["L_p95_ms"]
            figures.append(
                figure(
                    f"list {name} as {who}: median",
                    row["median_ms"],
                    bare_median,
                    "≤ 1.5× L",
                    row["median_ms"] <= 1.5 * bare_median,
                    "ms",
                    query=query,
                )
            )
            if "after_change_median_ms" in row:
                figures.append(
                    figure(
                        f"list {name} as {who}: median, first view after a change in the branch",
                        row["after_change_median_ms"],
                        bare_median,
                        "≤ 1.5× L",
                        row["after_change_median_ms"] <= 1.5 * bare_median,
                        "ms",
                    )
                )
            figures.append(
                figure(
                    f"list {name} as {who}: p95 at 8 connections",
                    row["p95_ms"],
                    bare_p95,
                    "≤ 1.5× L's p95",
                    row["p95_ms"] <= 1.5 * bare_p95,
                    "ms",
                )
            )
            figures.append(
                figure(
                    f"list {name} as {who}: queries at 50 rows (baseline: at 5 rows)",
                    row["queries_50"],
                    row["queries_5"],
                    "≤ 8, same at 5 and 50 rows",
                    row["queries_50"] <= 8 and row["queries_50"] == row["queries_5"],
                    "queries",
                )
            )
    empty = pages["empty_page"]["median_ms"]
    t = pages["empty_page"]["t_ms"]  # T timed in turns with it
    figures.append(figure("empty authenticated page (baseline: T)", empty, t, "≤ 1.0× T", empty <= t, "ms"))

    year = pages["summary_year"]
    for scope, summary in pages["summaries"].items():
        label = f"annual summary {year}, {scope} ({summary['organization']})"
        for key, section in summary["sections"].items():
            figures.append(
                figure(
                    f"{label}: {key} (baseline: its R)",
                    section["median_ms"],
                    section["raw_ms"],
                    "≤ 1.2× R",
                    section["median_ms"] <= 1.2 * section["raw_ms"],
                    "ms",
                    queries=section["queries"],
                )
            )
        figures.append(
            figure(
                f"{label}: whole (baseline: ΣR)",
                summary["whole_ms"],
                summary["raw_total_ms"],
                "≤ 1.5× ΣR",
                summary["whole_ms"] <= 1.5 * summary["raw_total_ms"],
                "ms",
            )
        )
    counts = pages["summary_queries"]
    numbers = [entry["queries"] for entry in counts.values()]
    figures.append(
        figure(
            "annual summary queries, most (baseline: fewest), for the province, a city, a district, the largest "
            "township and a grassroots union",
            max(numbers),
            min(numbers),
            "the same whatever the number of children",
            max(numbers) == min(numbers),
            "queries",
            by_organization=counts,
        )
    )

    dash = pages["dashboard"]
    bound = dash["raw_ms"] + dash["T_ms"]
    figures.append(
        figure(
            "leader dashboard, cold (baseline: ΣR + T)",
            dash["cold_ms"],
            round(bound, 3),
            "≤ 1.5× (ΣR + T)",
            dash["cold_ms"] <= 1.5 * bound,
            "ms",
            queries=dash["cold_queries"],
        )
    )
    cached = dash["warm_queries"] < dash["cold_queries"] and (dash["after_change_queries"] or 0) > dash["warm_queries"]
    figures.append(
        figure(
            "leader dashboard, warm: queries (baseline: cold)",
            dash["warm_queries"],
            dash["cold_queries"],
            "from cache until a record of the branch changes",
            cached,
            "queries",
            warm_ms=dash["warm_ms"],
            after_change_queries=dash["after_change_queries"],
        )
    )

    figures.append(
        figure(
            "xlsx export of 200,000 disbursements (or every paid one below that): rows/s (baseline: X)",
            export_portal["rows_per_s"],
            export_x["rows_per_s"],
            "≥ 0.6× X",
            export_portal["ok"] and export_portal["rows_per_s"] >= 0.6 * export_x["rows_per_s"],
            "rows/s",
            status=export_portal["status"],
            streaming=export_portal["streaming"],
            path=export_portal.get("path", "request"),
            rows=export_portal["rows"],
        )
    )
    figures.append(
        figure(
            "xlsx export of 200,000 disbursements (or every paid one below that): peak memory (baseline: X)",
            export_portal["peak_mib"],
            export_x["peak_mib"],
            "≤ X + 100 MiB",
            export_portal["peak_mib"] <= export_x["peak_mib"] + 100,
            "MiB",
        )
    )

    full, small = importing["full"], importing["small"]
    figures.append(
        figure(
            f"import of {full['rows']:,} cadres: rows/s (baseline: the goal)",
            full["rows_per_s"],
            200,
            "≥ 200 rows/s, every row validated",
            full["rows_per_s"] >= 200,
            "rows/s",
        )
    )
    figures.append(
        figure(
            f"import of {full['rows']:,} cadres: peak memory (baseline: {small['rows']:,} rows)",
            full["peak_mib"],
            small["peak_mib"],
            "flat: ≤ the smaller import's + 32 MiB",
            full["peak_mib"] <= small["peak_mib"] + 32,
            "MiB",
        )
    )

    trivial = served["trivial"]
    for key in ("dashboard", "list"):
        entry = served[key]
        figures.append(
            figure(
                f"gunicorn {key} ({entry['url']}): requests/s (baseline: trivial view)",
                entry["rps"],
                trivial["rps"],
                "reported, with p50/p95/p99",
                entry["failures"] == 0,
                "req/s",
                p50_ms=entry["p50_ms"],
                p95_ms=entry["p95_ms"],
                p99_ms=entry["p99_ms"],
                trivial_p50_ms=trivial["p50_ms"],
            )
        )
    return figures


def format_table(result):
    lines = [
        f"\n{result['tier']} tier on {result['machine']['database']} — {result['machine']['cpus']} CPUs "
        f"{result['machine']['cpu_model']}, Python {result['machine']['python']}",
        f"{'figure':<96} {'value':>11} {'baseline':>11} {'ratio':>7}  {'goal':<36} holds",
    ]
    for item in result["figures"]:
        ratio = "" if item["ratio"] is None else f"{item['ratio']:.2f}"
        lines.append(
            f"{item['name'][:96]:<96} {_number(item['value']):>11} {_number(item['baseline']):>11} {ratio:>7}  "
            f"{item['goal'][:36]:<36} {'yes' if item['holds'] else 'NO'}"
        )
    held = sum(item["holds"] for item in result["figures"])
    lines.append(f"{held} of {len(result['figures'])} figures hold.\n")
    return "\n".join(lines)


def _number(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
    return f"{value:,}"


__all__ = ["TIERS", "Command"]
