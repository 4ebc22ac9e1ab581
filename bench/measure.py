"""What the benchmark measures inside one process pointed at the bench database, one part at a
time (`manage.py bench_measure --part NAME`); `manage.py bench` runs each part in a fresh
process and turns the raw numbers into figures beside their baselines.

Parts:
- pages: the list pages (median as one client, p95 under 8 concurrent clients, each thread
  with its own database connection), their query counts at 5 and 50 rows, the empty
  authenticated page, the annual summaries and the dashboard, with the baselines L (the bare
  list of bench/views.py), T (a 50-row, 8-column template rendered from memory) and R (each
  report section's own SQL replayed raw on the connection: no ORM, no Python on top);
- export-x / export-portal: openpyxl write-only writing rows from memory (X) and the portal's
  xlsx export of the disbursement list, each in its own process so that peak memory is theirs;
- import: the cadres import of DESIGN.md's template, every row validated;
- session: a logged-in session for the HTTP load generator.
"""

import datetime
import gc
import io
import os
import statistics
import sys
import tempfile
import threading
import time

import psutil
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.population import read_marker, resident_id
from organizations.models import Organization, OrganizationKind
from relief.models import Disbursement, DisbursementStatus
from reports.summary import SECTIONS, AnnualSummary
from unionportal.cache import bump_branch
from unionportal.reporting import Period

LISTS = [
    # (name, URL name, query string: a filter and a sort)
    ("organizations", "organizations:organization_list", "kind=grassroots&sort=name"),
    ("cadre posts", "cadres:post_list", "position=staff&sort=-start"),
    ("activities", "activities:activity_list", "kind=competition&sort=-participants"),
    ("honours", "activities:honour_list", "status=conferred&sort=-year"),
    ("beneficiaries", "relief:beneficiary_list", "status=on_file&sort=full_name"),
    ("disbursements", "relief:disbursement_list", "status=paid&sort=-date"),
]
WHO = {"bench_staff": "staff of one district", "bench_leader": "the province's leader"}
CONNECTIONS = 8


# Timing helpers.


def say(message):
    """Progress on stderr: a province tier's part runs for many minutes."""
    print(f"[bench]   {message}", file=sys.stderr, flush=True)


def run_times(function, runs, warmup=2):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def paired_times(first, second, runs, warmup=1):
    """The times of two functions run in turns, so that a machine that slows down or speeds up
    during the measurement moves both alike and their ratio holds (a figure beside its R)."""
    for _ in range(warmup):
        first()
        second()
    times = ([], [])
    for _ in range(runs):
        for function, kept in zip((first, second), times, strict=True):
            started = time.perf_counter()
            function()
            kept.append(time.perf_counter() - started)
    return times


def median_ms(times):
    return round(statistics.median(times) * 1000, 3)


def percentile_ms(times, fraction):
    ordered = sorted(times)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return round(ordered[index] * 1000, 3)


class PeakMemory:
    """The highest resident set size of this process while the block runs, sampled every 2 ms,
    in MiB above what it was when the block began."""

    def __init__(self):
        self.process = psutil.Process(os.getpid())

    def __enter__(self):
        gc.collect()
        self.start = self.process.memory_info().rss
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.002)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def mib(self):
        return round((self.peak - self.start) / 2**20, 1)


class Recorder:
    """Every SQL statement (with its parameters) the block sends, for replaying raw."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        # The reads: transaction control and the session's write are not what R bounds.
        if sql.lstrip()[:6].upper() in ("SELECT", "WITH"):
            self.queries.append((sql, params))
        return execute(sql, params, many, context)


def record(function):
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        function()
    return recorder.queries


def replay(queries):
    """R: the same statements straight on the connection's cursor, results fetched."""
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def count_queries(captured):
    """Statements sent, without transaction control (which SQLite's driver shows and
    PostgreSQL's does not), so that both databases count alike."""
    return sum(not query["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL) for query in captured.captured_queries)


def users():
    User = get_user_model()
    return {
        user.username: user
        for user in User.objects.select_related("organization").filter(username__startswith="bench_")
    }


def changed_union(user):
    """The path of a union at the bottom of the user's branch, where the writes that change a
    list's figures mostly happen."""
    return (
        Organization.objects.filter(path__startswith=user.organization.path, numchild=0)
        .order_by("-depth", "path")
        .values_list("path", flat=True)
        .first()
    )


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def get_ok(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def concurrent_times(user, url, per_thread, threads=CONNECTIONS):
    """Latencies of `url` with `threads` clients at once, each thread with its own client and
    its own database connection."""
    times, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker():
        try:
            client = logged_in(user)
            get_ok(client, url)
            barrier.wait()
            mine = []
            for _ in range(per_thread):
                started = time.perf_counter()
                get_ok(client, url)
                mine.append(time.perf_counter() - started)
            with lock:
                times.extend(mine)
        except Exception as error:  # reported, not swallowed
            errors.append(repr(error))
            barrier.abort()
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return times


def template_rows():
    """50 rows of 8 columns from memory, as T renders them."""
    day = datetime.date(2025, 1, 1)
    return [(day, "两节送温暖", f"王明{i}", "", 1, "1000.00", "paid", "基准第1市第1区县总工会") for i in range(50)]


def render_t(rows):
    return render_to_string("bench/bare_list.html", {"count": 123456, "rows": rows})


# Parts.


def part_pages(quick=False, runs=15):
    # Quick (the test suite): every figure, once, with 2 connections instead of 8.
    runs = 1 if quick else runs
    per_thread = 1 if quick else max(2, runs * 2 // 5)
    threads = 2 if quick else CONNECTIONS
    warmup = 1 if quick else 2
    people = users()
    marker = read_marker() or {}
    result = {"lists": {}, "queries": {}, "L": {}, "T": {}}

    rows = template_rows()
    t_times = run_times(lambda: render_t(rows), runs * 4, warmup=1 if quick else 2)
    result["T"] = {"median_ms": median_ms(t_times)}

    bare = reverse("bench:bare_list")
    for username in WHO:
        user = people[username]
        client = logged_in(user)
        times = run_times(lambda client=client: get_ok(client, bare), runs, warmup)
        conc = concurrent_times(user, bare, per_thread, threads)
        result["L"][username] = {"median_ms": median_ms(times), "p95_ms": percentile_ms(conc, 0.95)}
        union = changed_union(user)
        for name, url_name, query in LISTS:
            say(f"list {name} as {username}")
            url = f"{reverse(url_name)}?{query}"

            def bare_page(client=client):
                get_ok(client, bare)

            # Each list in turns with L, and its p95 beside L's measured just before it: L
            # measured once per user, at the start, was minutes away from the last lists, and
            # the machine's speed moves in bursts (L read 14 and 24 ms on two runs a minute
            # apart).
            times, bare_times = paired_times(
                lambda client=client, url=url: get_ok(client, url), bare_page, runs, warmup
            )

            # The first view after a record of the branch changed, as a write in one of its
            # unions changes it: the versions of that union and of every federation above it
            # bumped (unionportal/cache.py), so the list's count and totals are recounted for
            # that line of the tree (unionportal/branchfigures.py).
            def after_change(client=client, url=url, path=union):
                bump_branch(path, steplen=Organization.steplen)
                get_ok(client, url)

            fresh, bare_fresh = paired_times(after_change, bare_page, runs, warmup)
            bare_conc = concurrent_times(user, bare, per_thread, threads)
            conc = concurrent_times(user, url, per_thread, threads)
            counts = {}
            for size in (5, 50):
                with override_settings(PAGE_SIZE=size):
                    get_ok(client, url)
                    with CaptureQueriesContext(connection) as captured:
                        get_ok(client, url)
                    counts[size] = count_queries(captured)
            result["lists"][f"{name}|{username}"] = {
                "median_ms": median_ms(times),
                "after_change_median_ms": median_ms(fresh),
                "p95_ms": percentile_ms(conc, 0.95),
                "L_median_ms": median_ms(bare_times + bare_fresh),
                "L_p95_ms": percentile_ms(bare_conc, 0.95),
                "queries_5": counts[5],
                "queries_50": counts[50],
            }

    leader = people["bench_leader"]
    client = logged_in(leader)
    empty = reverse("bench:empty_page")
    # Beside its own T, timed in turns: measured apart, minutes after T, it moved with the
    # machine (1.85× T on a run where it was 1.02× in turns).
    empty_times, t_beside = paired_times(lambda: get_ok(client, empty), lambda: render_t(rows), runs * 2, warmup)
    result["empty_page"] = {"median_ms": median_ms(empty_times), "t_ms": median_ms(t_beside)}

    year = int(marker.get("year", datetime.date.today().year)) - 1
    result["summary_year"] = year
    root = leader.organization
    district = people["bench_staff"].organization
    say("annual summaries")
    result["summaries"] = {
        "province": summary_timings(leader, root, Period.year(year), runs),
        "district": summary_timings(leader, district, Period.year(year), runs),
    }
    result["summary_queries"] = summary_query_counts(leader, Period.year(year))
    say("dashboard")
    result["dashboard"] = dashboard_timings(leader, runs, t_times)
    return result


def summary_timings(user, organization, period, runs):
    """Each section's time beside the raw replay of its own SQL, and the whole summary beside
    the sum of those replays (the constructor's few queries included)."""
    runs = max(1 if runs == 1 else 3, runs // 2)
    sections = {}
    total_raw = []
    constructor = record(lambda: AnnualSummary(user, organization, period, cached=False))
    summary = AnnualSummary(user, organization, period, cached=False)
    context = summary.context
    for function in SECTIONS:
        function(context)
        queries = record(lambda function=function: function(context))
        own, raw = paired_times(
            lambda function=function: function(context), lambda queries=queries: replay(queries), runs
        )
        key = function.__name__.removesuffix("_section")
        sections[key] = {"median_ms": median_ms(own), "raw_ms": median_ms(raw), "queries": len(queries)}
        total_raw.append(statistics.median(raw))
    constructor_raw = run_times(lambda: replay(constructor), runs, warmup=1)
    # Computed every time: a view of the page keeps its sections in the cache for the next.
    whole = run_times(lambda: AnnualSummary(user, organization, period, cached=False).sections, runs, warmup=1)
    return {
        "organization": organization.name,
        "children": organization.numchild,
        "sections": sections,
        "whole_ms": median_ms(whole),
        "raw_total_ms": round((sum(total_raw) + statistics.median(constructor_raw)) * 1000, 3),
    }


def summary_query_counts(user, period):
    """Queries of the whole summary for organizations with few and many children: the same
    number whatever the size of the branch."""
    picks = {"province": Organization.objects.filter(depth=1).first()}
    picks["city"] = Organization.objects.filter(depth=2).first()
    picks["district"] = Organization.objects.filter(kind=OrganizationKind.COUNTY_FEDERATION).first()
    picks["township"] = (
        Organization.objects.filter(kind=OrganizationKind.TOWNSHIP_FEDERATION).order_by("-numchild").first()
    )
    picks["grassroots union"] = Organization.objects.filter(kind=OrganizationKind.GRASSROOTS, numchild=0).first()
    counts = {}
    for label, organization in picks.items():
        if organization is None:
            continue
        len(AnnualSummary(user, organization, period, cached=False).sections)  # the first run warms the caches
        with CaptureQueriesContext(connection) as captured:
            sections = AnnualSummary(user, organization, period, cached=False).sections
        counts[label] = {
            "children": organization.numchild,
            "queries": count_queries(captured),
            "sections": len(sections),
        }
    return counts


def dashboard_timings(user, runs, t_times):
    """The leader's home page: cold (cache emptied before each request) beside the raw replay
    of its SQL plus T; warm (from the cache); and whether a change to a record of the branch
    makes the next request recompute."""
    runs = max(1 if runs == 1 else 3, runs // 2)
    client = logged_in(user)
    home = reverse("home")

    def cold():
        cache.clear()
        get_ok(client, home)

    cold()
    cache.clear()
    with CaptureQueriesContext(connection) as cold_captured:
        queries = record(lambda: get_ok(client, home))
    cold_times, raw = paired_times(cold, lambda: replay(queries), runs)
    get_ok(client, home)
    with CaptureQueriesContext(connection) as warm_captured:
        get_ok(client, home)
    warm_times = run_times(lambda: get_ok(client, home), runs, warmup=1)
    # A change to one disbursement of the branch, rolled back afterwards.
    changed_queries = None
    record_id = Disbursement.objects.filter(paying_organization__path__startswith=user.organization.path).values_list(
        "pk", flat=True
    )[:1]
    with transaction.atomic():
        disbursement = Disbursement.objects.get(pk=record_id[0])
        disbursement.note = "bench"
        disbursement.save()
        with CaptureQueriesContext(connection) as changed:
            get_ok(client, home)
        changed_queries = count_queries(changed)
        transaction.set_rollback(True)
    return {
        "cold_ms": median_ms(cold_times),
        "raw_ms": median_ms(raw),
        "T_ms": median_ms(t_times),
        "cold_queries": count_queries(cold_captured),
        "warm_ms": median_ms(warm_times),
        "warm_queries": count_queries(warm_captured),
        "after_change_queries": changed_queries,
    }


# Export.

EXPORT_COLUMNS = 13


def export_filter(rows):
    """The disbursement list's filter giving about `rows` rows (paid, from a date on), and the
    exact number of rows it gives."""
    paid = Disbursement.objects.filter(status=DisbursementStatus.PAID)
    total = paid.count()
    rows = min(rows, total)
    since = paid.order_by("-date").values_list("date", flat=True)[rows - 1]
    count = paid.filter(date__gte=since).count()
    return {"status": DisbursementStatus.PAID, "date_after": since.isoformat()}, count


def part_export_x(rows):
    """X: openpyxl write-only (lxml) writing the same rows, as plain values, from memory."""
    from openpyxl import Workbook

    params, count = export_filter(rows)
    data = []
    values = (
        Disbursement.objects.filter(status=params["status"], date__gte=params["date_after"])
        .order_by("-date", "-id")
        .values_list(
            "date",
            "programme__name",
            "programme__year",
            "beneficiary__full_name",
            "group_name",
            "head_count",
            "cash",
            "in_kind_value",
            "paying_organization__name",
            "status",
            "historical",
            "note",
            "beneficiary__id_number",
        )
    )
    for row in values.iterator(chunk_size=5000):
        row = list(row)
        row[3] = row[3] or row[4]
        row[12] = (row[12][:6] + "********" + row[12][-4:]) if row[12] else ""
        data.append(row)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target, PeakMemory() as memory:
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("x")
        for row in data:
            sheet.append(row)
        workbook.save(target.name)
        seconds = time.perf_counter() - started
        size = os.path.getsize(target.name)
    return {
        "rows": count,
        "seconds": round(seconds, 3),
        "rows_per_s": round(count / seconds, 1),
        "peak_mib": memory.mib,
        "bytes": size,
        "columns": EXPORT_COLUMNS,
    }


def part_export_portal(rows):
    """The portal's export of the disbursement list as the province's leader, by whatever path
    produces the file: `?export=xlsx` answered in the request (in memory or streamed), or,
    when the view hands a large export to a background job, the job's own work (the view set
    up for the user and `write_export` to a file), timed here without a worker."""
    params, count = export_filter(rows)
    user = users()["bench_leader"]
    client = logged_in(user)
    query = "&".join(f"{key}={value}" for key, value in params.items())
    path = reverse("relief:disbursement_list")
    url = f"{path}?{query}&export=xlsx"
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target, PeakMemory() as memory:
        started = time.perf_counter()
        if count > getattr(settings, "EXPORT_SYNC_MAX_ROWS", count):
            # The view would only start a job (and a worker, not this process, would write it).
            response = None
            how = "background job's work (above EXPORT_SYNC_MAX_ROWS the view hands it to a job)"
            written = export_as_job(user, path, f"{query}&export=xlsx", target.name)
        else:
            response = client.get(url)
            how = "request"
            with open(target.name, "wb") as out:
                if getattr(response, "streaming", False):
                    for chunk in response.streaming_content:
                        out.write(chunk)
                else:
                    out.write(response.content)
            written = count
        seconds = time.perf_counter() - started
        size = os.path.getsize(target.name)
    ok = size > 0 and written == count and (response is None or response.status_code == 200)
    return {
        "rows": count,
        "written": written,
        "seconds": round(seconds, 3),
        "rows_per_s": round(count / seconds, 1),
        "peak_mib": memory.mib,
        "bytes": size,
        "status": None if response is None else response.status_code,
        "ok": ok,
        "streaming": bool(getattr(response, "streaming", False)),
        "path": how,
    }


def export_as_job(user, path, query, target):
    """What the export job does (accounts/jobs.py): the list view as the user, its table
    written row by row to a file."""
    from relief.views import DisbursementListView
    from unionportal.views import view_for

    view = view_for(DisbursementListView, user=user, path=path, query=query)
    table = view.export_table()
    return view.write_export(table, target)


# Import.


def cadre_workbook(rows, first_serial):
    """A filled cadres template of DESIGN.md: `rows` new cadres in grassroots unions."""
    from openpyxl import Workbook

    from unionportal.importing import get_importer

    columns = [column.header for column in get_importer("cadres")(None).columns]
    names = list(
        Organization.objects.filter(kind=OrganizationKind.GRASSROOTS, deactivated__isnull=True)
        .order_by("path")
        .values_list("name", flat=True)[:2000]
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("干部")
    sheet.append(columns)
    positions = ["委员", "副主席", "工作人员"]
    for number in range(rows):
        id_number, birth, gender = resident_id(first_serial + number)
        values = {
            "姓名": f"导入{number}",
            "性别": "男" if gender == "male" else "女",
            "出生日期": birth.isoformat(),
            "民族": "汉族",
            "学历": "本科",
            "政治面貌": "中共党员",
            "身份证号": id_number,
            "手机号": f"139{number:08d}",
            "所在组织": names[number % len(names)],
            "职务": positions[number % 3],
            "职级": "无",
            "专兼职": "兼职",
            "人员类别": "其他",
            "任职日期": "2024-03-01",
        }
        sheet.append([values.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def part_import(rows):
    """The cadres import as the administrator of the province, every row validated and saved
    inside the import's transaction, then rolled back (the dry run of `import_xlsx`), so the
    population stays as built. A fifth of the rows first: memory must not grow with rows."""
    from django.utils import translation

    from unionportal.importing import get_importer

    translation.activate("zh-hans")
    admin = users()["bench_admin"]
    results = {}
    for label, size in (("small", max(10, rows // 5)), ("full", rows)):
        data = cadre_workbook(size, 9_000_000 + (0 if label == "small" else 100_000))
        gc.collect()
        with PeakMemory() as memory:
            started = time.perf_counter()
            result = get_importer("cadres")(admin).run(data, commit=False)
            seconds = time.perf_counter() - started
        if result.errors:
            first = result.errors[0]
            raise RuntimeError(f"import refused row {first.row} [{first.column}]: {first.message}")
        results[label] = {
            "rows": len(result.rows),
            "seconds": round(seconds, 3),
            "rows_per_s": round(len(result.rows) / seconds, 1),
            "peak_mib": memory.mib,
        }
    return results


def part_session():
    people = users()
    sessions = {}
    for username in ("bench_leader",):
        client = logged_in(people[username])
        sessions[username] = client.cookies["sessionid"].value
    return {
        "sessions": sessions,
        "urls": {
            "dashboard": reverse("home"),
            "list": f"{reverse('relief:disbursement_list')}?status=paid&sort=-date",
            "trivial": reverse("bench:trivial"),
        },
    }
