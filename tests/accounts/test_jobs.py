"""Background jobs: an export or import above its threshold becomes a job of its user, run by
the worker (here `jobs.run`, as the Celery task calls it; tests/accounts/test_worker.py runs
a real worker against Redis), shown with its progress, and downloadable by its owner only."""

import datetime
import io
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import quote

from django.test import override_settings
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from accounts import jobs
from accounts.models import AuditEvent, Job
from organizations.models import Organization
from tests.base import PortalTestCase, make_org
from tests.unionportal.test_authorization import url_names
from tests.unionportal.test_importing import HEADERS, SCHOOL, TOWNSHIP, row
from tests.workbooks import response_bytes, workbook_bytes
from unionportal.importing import get_importer
from unionportal.xlsx import XLSX_CONTENT_TYPE

LIST = reverse("organizations:organization_list")
IMPORT = reverse("organizations:organization_import")


def rows_of(response):
    workbook = load_workbook(io.BytesIO(response_bytes(response)), read_only=True)
    rows = [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


class JobTestCase(PortalTestCase):
    """Thresholds of two rows, and the job and import folders in a temporary directory."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_org(cls.district_a, "甲区城关小学工会")
        make_org(cls.district_a, "甲区纺织厂工会")

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        override = override_settings(
            JOBS_ROOT=self.folder / "jobs",
            IMPORT_ROOT=self.folder / "imports",
            EXPORT_SYNC_MAX_ROWS=2,
            IMPORT_SYNC_MAX_ROWS=1,
        )
        override.enable()
        self.addCleanup(override.disable)
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)

    def start(self, url, **kwargs):
        """A request that starts a job: the job, queued once the request's transaction commits."""
        self.login(self.alice)
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.client.post(url, kwargs) if kwargs else self.client.get(url)
        job = Job.objects.latest("id")
        self.assertEqual(len(callbacks), 1)
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        return job

    def work(self, job):
        """What the worker does with the job's message."""
        jobs.run(job.pk)
        job.refresh_from_db()
        return job


class ExportJobTest(JobTestCase):
    def test_a_small_export_is_still_answered_at_once(self):
        self.login(self.alice)
        response = self.client.get(f"{LIST}?kind=grassroots&name=小学&export=xlsx")
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        self.assertEqual([row[0] for row in rows_of(response)[1:]], ["甲区城关小学工会"])
        self.assertFalse(Job.objects.exists())

    def test_export_above_the_threshold_is_queued_then_run_and_downloaded_by_its_owner(self):
        job = self.start(f"{LIST}?kind=grassroots&export=xlsx")
        self.assertEqual((job.user, job.kind, job.status), (self.alice, "export", "queued"))
        self.assertEqual(job.what, "organizations.views.OrganizationListView")
        self.assertEqual(job.query, "kind=grassroots&export=xlsx")
        self.assertFalse(AuditEvent.objects.filter(kind="export").exists())
        page = self.client.get(job.get_absolute_url())
        self.assertContains(page, 'hx-trigger="every 1s"')

        job = self.work(job)
        self.assertEqual((job.status, job.done, job.total), ("done", 3, 3))
        self.assertTrue(Path(job.result).is_file())
        self.assertEqual(Path(job.result).parent, self.folder / "jobs")
        page = self.client.get(job.get_absolute_url())
        self.assertNotContains(page, "hx-trigger")
        download = reverse("accounts:job_download", args=[job.pk])
        self.assertContains(page, download)

        response = self.client.get(download)
        self.assertEqual(response.status_code, 200)
        # The list's title in the user's language, and the day.
        filename = f"工会组织_{timezone.localdate():%Y%m%d}.xlsx"
        self.assertEqual(response["Content-Disposition"], f"attachment; filename*=UTF-8''{quote(filename)}")
        rows = rows_of(response)
        self.assertEqual([row[0] for row in rows[1:]], ["甲区第一中学工会", "甲区城关小学工会", "甲区纺织厂工会"])
        [event] = AuditEvent.objects.filter(kind="export")
        self.assertEqual((event.user, event.username, event.path), (self.alice, "alice", LIST))
        self.assertEqual(
            event.params, {"model": "organizations.Organization", "count": 3, "query": "kind=grassroots&export=xlsx"}
        )
        self.assertEqual(event.organization_path, self.district_a.path)

    def test_the_job_and_its_file_do_not_exist_for_anyone_else(self):
        job = self.work(self.start(f"{LIST}?export=xlsx"))
        for user in (self.april, self.adam, self.lena, self.otto, self.root):
            with self.subTest(user=user.username):
                self.login(user)
                for name in ("accounts:job_detail", "accounts:job_download"):
                    self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404)
                self.assertEqual(list(self.client.get(reverse("accounts:job_list")).context["jobs"]), [])
        self.client.logout()
        response = self.client.get(reverse("accounts:job_download", args=[job.pk]))
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={response.request['PATH_INFO']}")

    def test_the_job_exports_the_users_scope_at_the_time_it_runs(self):
        """A filter naming the other district finds nothing, and no filter finds only the
        branch, as on the page: the job re-runs the list as its user, never a snapshot."""
        job = self.start(f"{LIST}?export=xlsx")
        names = [row[0] for row in rows_of(self.client.get(reverse("accounts:job_download", args=[self.work(job).pk])))]
        self.assertNotIn("乙区总工会", names)
        self.assertEqual(len(names) - 1, Organization.objects.restrict(self.alice).count())

    def test_a_user_who_lost_the_role_before_the_job_ran_gets_nothing(self):
        job = self.start(f"{LIST}?export=xlsx")
        self.alice.role = "auditor"
        self.alice.save()
        job = self.work(job)
        self.assertEqual((job.status, job.result), ("failed", ""))
        self.assertEqual(job.error, gettext("Your role no longer allows this."))
        self.assertEqual(list((self.folder / "jobs").glob("*.xlsx")), [])
        self.assertFalse(AuditEvent.objects.filter(kind="export").exists())
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("accounts:job_download", args=[job.pk])).status_code, 404)

    def test_a_job_delivered_twice_runs_once(self):
        job = self.work(self.start(f"{LIST}?export=xlsx"))
        jobs.run(job.pk)
        self.assertEqual(AuditEvent.objects.filter(kind="export").count(), 1)
        self.assertEqual(len(list((self.folder / "jobs").glob("*.xlsx"))), 1)

    def test_progress_is_reported_per_chunk_and_shown_while_running(self):
        job = self.start(f"{LIST}?kind=grassroots&export=xlsx")
        reported = []
        original = Job.report

        def report(self, done, total=None):
            reported.append((done, total))
            original(self, done, total)

        with mock.patch("unionportal.views.EXPORT_CHUNK_SIZE", 1), mock.patch.object(Job, "report", report):
            self.work(job)
        self.assertEqual(reported, [(0, 3), (1, 3), (2, 3), (3, 3)])
        self.assertFalse(job.progress_path.exists())  # gone once the job is over

        running = Job.objects.create(user=self.alice, kind="export", what="x", title="导出", path=LIST)
        Job.objects.filter(pk=running.pk).update(status="running")
        running.refresh_from_db()
        running.report(5, 20)
        self.assertEqual((running.progress(), running.percent()), ((5, 20), 25))
        response = self.client.get(running.get_absolute_url(), headers={"HX-Request": "true"})
        self.assertTemplateUsed(response, "accounts/_job_status.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, "width: 25%")

    def test_without_the_queue_the_job_fails_at_once_and_says_why(self):
        self.login(self.alice)
        with (
            mock.patch("accounts.tasks.run_job.apply_async", side_effect=OperationalError("refused")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.get(f"{LIST}?export=xlsx")
        job = Job.objects.get()
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(job.status, "failed")
        self.assertTrue(job.error)

    def test_the_task_is_queued_on_the_jobs_queue(self):
        self.login(self.alice)
        with (
            override_settings(JOBS_QUEUE="portal-jobs"),
            mock.patch("accounts.tasks.run_job.apply_async") as apply_async,
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.get(f"{LIST}?export=xlsx")
        apply_async.assert_called_once_with((Job.objects.get().pk,), queue="portal-jobs")


class PurgeTest(JobTestCase):
    def test_finished_jobs_go_with_their_files_after_the_keep_days(self):
        old = self.work(self.start(f"{LIST}?export=xlsx"))
        recent = self.work(self.start(f"{LIST}?kind=grassroots&export=xlsx"))
        Job.objects.filter(pk=old.pk).update(finished=timezone.now() - datetime.timedelta(days=8))
        old.refresh_from_db()
        self.assertEqual(self.client.get(reverse("accounts:job_download", args=[old.pk])).status_code, 404)
        self.assertEqual(jobs.purge(), 1)
        self.assertEqual(list(Job.objects.all()), [recent])
        self.assertFalse(Path(old.result).exists())
        self.assertTrue(Path(recent.result).exists())


def organizations_file(*rows):
    return workbook_bytes([HEADERS, *rows])


class ImportJobTest(JobTestCase):
    def upload(self, data):
        upload = io.BytesIO(data)
        upload.name = "组织.xlsx"
        return self.start(IMPORT, file=upload)

    def test_a_bad_big_file_lists_every_error_and_saves_nothing(self):
        before = Organization.objects.count()
        bad = row(name="甲区坏行工会", parent="不存在的工会", kind="基层工会")
        job = self.upload(organizations_file(TOWNSHIP, bad, SCHOOL))
        self.assertEqual(
            (job.kind, job.commit, job.what), ("import", False, "organizations.views.OrganizationImportView")
        )
        job = self.work(job)
        self.assertEqual(job.status, "failed")
        self.assertEqual(len(job.errors), 1)
        [[number, column, message]] = job.errors
        self.assertEqual((number, column), (3, "上级组织"))
        self.assertTrue(message)
        self.assertEqual(Organization.objects.count(), before)
        self.assertFalse(Path(job.upload).exists())
        page = self.client.get(job.get_absolute_url())
        self.assertContains(page, 'data-testid="import-errors"')
        self.assertContains(page, message)
        self.assertNotContains(page, "confirm-import")
        self.assertFalse(AuditEvent.objects.filter(kind="import").exists())

    def test_a_good_big_file_is_checked_then_confirmed_once_and_saves_every_row(self):
        before = Organization.objects.count()
        preview = self.work(self.upload(organizations_file(TOWNSHIP, SCHOOL)))
        self.assertEqual((preview.status, preview.done), ("done", 2))
        self.assertEqual([number for number, _text in preview.rows], [2, 3])
        self.assertEqual(Organization.objects.count(), before)  # checked, not saved
        page = self.client.get(preview.get_absolute_url())
        self.assertContains(page, f'name="token" value="{preview.import_token}"')
        self.assertContains(page, f'action="{IMPORT}"')

        commit = self.start(IMPORT, token=preview.import_token)
        self.assertEqual((commit.commit, commit.status), (True, "queued"))
        self.assertFalse(Path(preview.upload).exists())  # claimed by the confirmation
        again = self.client.post(IMPORT, {"token": preview.import_token})
        self.assertEqual(again.status_code, 200)
        self.assertEqual(Job.objects.filter(commit=True).count(), 1)

        commit = self.work(commit)
        self.assertEqual((commit.status, commit.done), ("done", 2))
        self.assertEqual(Organization.objects.count(), before + 2)
        self.assertTrue(
            Organization.objects.filter(name="甲区城关镇中心学校工会", parent__name="甲区城关镇工会联合会").exists()
        )
        self.assertFalse(Path(commit.upload).exists())
        [event] = AuditEvent.objects.filter(kind="import")
        self.assertEqual(
            (event.user, event.params, event.path), (self.alice, {"kind": "organizations", "count": 2}, IMPORT)
        )
        self.assertContains(self.client.get(commit.get_absolute_url()), 'data-testid="import-done"')

    def test_import_progress_is_reported_while_the_rows_are_checked(self):
        job = self.upload(organizations_file(TOWNSHIP, SCHOOL))
        reported = []
        with mock.patch.object(Job, "report", lambda self, done, total=None: reported.append((done, total))):
            self.work(job)
        self.assertEqual(reported, [(0, 2), (2, 2)])

    def test_a_small_file_is_still_checked_in_the_request(self):
        self.login(self.alice)
        with override_settings(IMPORT_SYNC_MAX_ROWS=2):
            upload = io.BytesIO(organizations_file(TOWNSHIP, SCHOOL))
            upload.name = "组织.xlsx"
            response = self.client.post(IMPORT, {"file": upload})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["result"].rows), 2)
        self.assertFalse(Job.objects.exists())


class JobListTest(JobTestCase):
    def test_my_jobs_lists_my_jobs_only(self):
        mine = self.start(f"{LIST}?export=xlsx")
        Job.objects.create(user=self.bob, kind="export", what="x", title="导出", path=LIST)
        self.login(self.alice)
        response = self.client.get(reverse("accounts:job_list"))
        self.assertEqual(list(response.context["jobs"]), [mine])
        self.assertContains(response, mine.get_absolute_url())


class EveryImportAsAJobTest(JobTestCase):
    def test_every_import_view_runs_its_big_files_as_a_job(self):
        """Each importer takes the job's progress: the hardship files' did not, and every file
        of theirs above the threshold ended as an unexpected error. Rows of nonsense: the job
        checks them and lists their errors, whatever the kind."""
        imports = [name for name in url_names(get_resolver().url_patterns) if name.endswith("_import")]
        self.assertEqual(len(imports), 6)
        for name in imports:
            with self.subTest(name=name):
                kind = resolve(reverse(name)).func.view_class.kind
                headers = [column.header for column in get_importer(kind)(self.alice).columns]
                upload = io.BytesIO(workbook_bytes([headers, ["?"] * len(headers), ["?"] * len(headers)]))
                upload.name = "导入.xlsx"
                job = self.work(self.start(reverse(name), file=upload))
                self.assertEqual(job.status, "failed")
                self.assertEqual({number for number, _column, _message in job.errors}, {2, 3})
