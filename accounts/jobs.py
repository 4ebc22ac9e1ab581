"""Background jobs: exports and imports too large for one request.

The kernel's list and import views call `launch` (settings.JOB_LAUNCHER) instead of doing
the work; the Celery worker calls `run` (accounts/tasks.py). A job re-runs the view it was
started from, by its dotted path, as its user with that user's scope and role at the time it
runs, so a job never holds rows its user may no longer see."""

import datetime
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import client_ip
from accounts.models import Job
from unionportal.views import export_count, view_for

logger = logging.getLogger(__name__)

ROWS_SHOWN = 100  # an import's page lists the first rows it created (or would create)
ERRORS_KEPT = 1000


def launch(request, *, kind, what, title, query="", filename="", upload="", commit=False):
    """Record a job for the request's user and queue it once the record is committed."""
    job = Job.objects.create(
        user=request.user,
        kind=kind,
        what=what,
        title=title[:200],
        query=query,
        path=request.path[:300],
        ip=client_ip(request),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=filename,
        upload=upload,
        commit=commit,
    )
    transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job):
    from accounts.tasks import run_job

    try:
        run_job.apply_async((job.pk,), queue=settings.JOBS_QUEUE)
    except Exception:  # kombu raises several kinds when Redis is down; all mean the same here
        logger.exception("Could not queue job %s", job.pk)
        _finish(job, Job.Status.FAILED, error=_("The job could not be queued: the job service is not running."))


def run(job_id):
    """Run a queued job to its end. A job already taken (a message delivered twice) is left
    alone: the conditional update lets exactly one worker start it."""
    started = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING)
    if not started:
        return
    job = Job.objects.select_related("user__organization").get(pk=job_id)
    job.status = Job.Status.RUNNING
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            RUNNERS[job.kind](job)
        except PermissionDenied:
            _finish(job, Job.Status.FAILED, error=_("Your role no longer allows this."))
        except Exception:
            logger.exception("Job %s failed", job.pk)
            _finish(job, Job.Status.FAILED, error=_("The job stopped on an unexpected error."))
        finally:
            job.progress_path.unlink(missing_ok=True)


def _finish(job, status, **fields):
    fields.update(status=status, finished=timezone.now())
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def run_export(job):
    """The list's filter and table, as the user sees them now, written row by row."""
    view = view_for(import_string(job.what), user=job.user, path=job.path, query=job.query, ip=job.ip)
    table = view.export_table()
    total = export_count(table)
    Job.objects.filter(pk=job.pk).update(total=total)
    job.total = total
    job.report(0, total)
    folder = Path(settings.JOBS_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: the file is reached only through the owner's download view.
    path = folder / f"{job.pk}-{uuid.uuid4().hex}.xlsx"
    try:
        count = view.write_export(table, path, progress=lambda done: job.report(done, total))
        view.audit_export(count)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _finish(job, Job.Status.DONE, done=count, total=count, result=str(path))


def run_import(job):
    """The same import as in the browser (Importer.run: all or nothing), checking only or
    saving; the errors are listed on the job's page with their row and column."""
    view = view_for(import_string(job.what), user=job.user, path=job.path, ip=job.ip)
    upload = Path(job.upload)
    try:
        data = upload.read_bytes()
    except FileNotFoundError:
        _finish(job, Job.Status.FAILED, error=_("This import has expired; upload the file again."))
        return
    result = view.importer().run(data, commit=job.commit, progress=job.report)
    rows = [[number, str(text)] for number, text in result.rows[:ROWS_SHOWN]]
    errors = [[error.row, str(error.column), str(error.message)] for error in result.errors[:ERRORS_KEPT]]
    count = len(result.rows)
    if job.commit or not result.ok:
        upload.unlink(missing_ok=True)  # a checked file is kept for its confirmation
    if not result.ok:
        count = len(result.errors)
        error = ngettext("%(count)d error: nothing was saved.", "%(count)d errors: nothing was saved.", count)
        _finish(job, Job.Status.FAILED, errors=errors, rows=[], error=error % {"count": count})
        return
    if result.committed:
        view.audit_import(count)
    _finish(job, Job.Status.DONE, rows=rows, done=count, total=count)


RUNNERS = {Job.Kind.EXPORT: run_export, Job.Kind.IMPORT: run_import}


def purge(now=None):
    """Delete the jobs finished more than JOB_KEEP_DAYS ago with their files, and uploads
    left unconfirmed as long. Returns the number of jobs deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JOB_KEEP_DAYS)
    old = list(Job.objects.filter(finished__lt=cutoff))
    for job in old:
        job.discard_files()
    Job.objects.filter(pk__in=[job.pk for job in old]).delete()
    folder = Path(settings.IMPORT_ROOT)
    if folder.is_dir():
        for path in folder.glob("*.xlsx"):
            if path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
    return len(old)
