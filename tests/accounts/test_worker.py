"""A real Celery worker, fed through the Redis at CELERY_BROKER_URL (127.0.0.1:6379; `make
test` and CI start it), runs an export job end to end on whichever database the suite uses:
the request queues the job once its row is committed, the worker (a thread with its own
database connection, on the same test database) runs it, and the owner downloads the file."""

import io
import tempfile
import time
import uuid
from pathlib import Path

import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, Job
from organizations.models import OrganizationKind
from tests.base import make_org, make_user
from tests.workbooks import response_bytes
from unionportal.celery import app

QUEUE = f"unionportal-test-{uuid.uuid4().hex[:8]}"


class RealWorkerTest(TransactionTestCase):
    def setUp(self):
        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            self.fail(f"Redis is not answering at {settings.CELERY_BROKER_URL} ({error}): `make redis` starts it")
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        override = override_settings(JOBS_ROOT=Path(folder.name), JOBS_QUEUE=QUEUE, EXPORT_SYNC_MAX_ROWS=1)
        override.enable()
        self.addCleanup(override.disable)

    def tearDown(self):
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(QUEUE)

    def wait_for(self, job, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                return job
            time.sleep(0.1)
        self.fail(f"the job is still {job.status} after {seconds} s")

    def test_an_export_job_is_run_by_a_celery_worker_through_redis(self):
        county = make_org(None, "工作县总工会", OrganizationKind.COUNTY_FEDERATION)
        for name in ("工作县第一工会", "工作县第二工会"):
            make_org(county, name)
        staff = make_user("worker_staff", county, "staff")
        self.client.force_login(staff)
        with start_worker(app, queues=[QUEUE], perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
            response = self.client.get(f"{reverse('organizations:organization_list')}?export=xlsx")
            job = Job.objects.get()
            self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
            job = self.wait_for(job)
        self.assertEqual((job.status, job.error, job.done), ("done", "", 3))
        download = self.client.get(reverse("accounts:job_download", args=[job.pk]))
        self.assertEqual(download.status_code, 200)
        sheet = load_workbook(io.BytesIO(response_bytes(download)), read_only=True).worksheets[0]
        names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(names, ["工作县总工会", "工作县第一工会", "工作县第二工会"])
        event = AuditEvent.objects.get(kind="export")
        self.assertEqual(
            (event.username, event.message, event.params),
            ("worker_staff", "exported", {"model": "organizations.Organization", "count": 3, "query": "export=xlsx"}),
        )
