"""Users, their role and organization, and the audit log."""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from organizations.models import Organization
from unionportal.links import record_url
from unionportal.roles import Action, Role
from unionportal.scoping import ScopedQuerySet

REVEAL_PERMISSION_CODENAME = "reveal_personal_data"
REVEAL_PERMISSION = f"accounts.{REVEAL_PERMISSION_CODENAME}"


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Their organization and everything under it is their scope;
    a superuser has no organization and sees everything."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)

    # Passwords never go into history, hashed or not.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = ScopedUserManager()

    scope_path = "organization__path"
    scope_actions = {
        Action.VIEW: Action.MANAGE_USERS,
        Action.ADD: Action.MANAGE_USERS,
        Action.CHANGE: Action.MANAGE_USERS,
        Action.DELETE: Action.MANAGE_USERS,
        Action.EXPORT: Action.MANAGE_USERS,
    }

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        # Granted by an administrator to named users; no role carries it.
        permissions = [(REVEAL_PERMISSION_CODENAME, _("Can reveal resident ID and bank account numbers"))]

    def __str__(self):
        return self.full_name or self.username

    def get_absolute_url(self):
        return record_url("accounts:user_detail", self.pk)

    @property
    def may_reveal(self):
        """Whether full ID and account numbers may be shown to this user (after a reason)."""
        return self.is_active and self.has_perm(REVEAL_PERMISSION)

    @property
    def display_role(self):
        return _("Superuser") if self.is_superuser else self.get_role_display()


class AuditEvent(models.Model):
    """One line of the audit log: never changed, never deleted through the portal.

    The organization is kept as the path it had at the time, so the line stays in the
    auditor's scope even if the user or the organization later goes."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Lockout")
        LOGOUT = "logout", _("Logout")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        REVEAL = "reveal", _("Reveal of personal data")
        USER_CHANGE = "user_change", _("User change")
        PASSWORD_RESET = "password_reset", _("Password reset")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        REFUSED = "refused", _("Refused")

    time = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    organization_path = models.CharField(_("organization path"), max_length=255, blank=True, db_index=True)
    organization_name = models.CharField(_("organization"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    # What happened, as a message code and its values (accounts/audit.py puts them into words in
    # the reader's language); `detail` is the text of events logged before the codes were kept.
    message = models.CharField(max_length=30, blank=True)
    params = models.JSONField(default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organization_path"
    # Only auditors read it; nobody may change it, whatever their role.
    scope_actions = {
        Action.VIEW: Action.READ_AUDIT,
        Action.EXPORT: Action.READ_AUDIT,
        Action.ADD: "never",
        Action.CHANGE: "never",
        Action.DELETE: "never",
    }

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["username", "kind", "time"]),
            models.Index(fields=["ip", "kind", "time"]),
        ]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"

    @property
    def description(self):
        from accounts.audit import describe

        return describe(self)


class JobQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        """A job is its owner's alone: nobody else, a superuser or an administrator of the
        branch included, sees that it exists (the file may hold what only its owner may read)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(user=user)


class Job(models.Model):
    """An export or import too large for one request, run by the Celery worker as the user
    who started it (accounts/jobs.py). Its page shows the progress and then the file to
    download or the import's errors; finished jobs and their files go after JOB_KEEP_DAYS."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(pgettext_lazy("job", "kind"), max_length=10, choices=Kind.choices)
    # The dotted path of the list view (export) or import view that the job runs again, with
    # the user's scope as it is when the job runs.
    what = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=200)
    query = models.TextField(blank=True)  # the list's filter, as its query string
    path = models.CharField(max_length=300)  # the page the job was started from
    ip = models.GenericIPAddressField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)
    upload = models.CharField(max_length=500, blank=True)  # the workbook to import
    commit = models.BooleanField(default=False)  # import: save the rows, or only check them
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    result = models.CharField(max_length=500, blank=True)  # the exported workbook
    filename = models.CharField(max_length=200, blank=True)
    rows = models.JSONField(default=list, blank=True)  # import: [row, record] of the first rows
    errors = models.JSONField(default=list, blank=True)  # import: [row, column, message]
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("started"), default=timezone.now)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "created"]), models.Index(fields=["finished"])]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self):
        return record_url("accounts:job_detail", self.pk)

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def expires(self):
        if self.finished is None:
            return None
        return self.finished + datetime.timedelta(days=settings.JOB_KEEP_DAYS)

    @property
    def is_expired(self):
        return self.expires is not None and self.expires <= timezone.now()

    @property
    def import_token(self):
        """The token of the kept upload that confirming a checked import sends back."""
        return Path(self.upload).name.removesuffix(".xlsx") if self.upload else ""

    @property
    def may_download(self):
        return self.kind == self.Kind.EXPORT and self.status == self.Status.DONE and not self.is_expired

    @property
    def may_confirm(self):
        return (
            self.kind == self.Kind.IMPORT
            and not self.commit
            and self.status == self.Status.DONE
            and Path(self.upload).exists()
        )

    # Progress. An import runs inside one transaction (all or nothing), so its progress cannot
    # be written to the database, where nobody would see it before the end (and SQLite lets no
    # other connection write meanwhile): the worker writes it to a small file beside the job's
    # other files, which the web server shares.

    @property
    def progress_path(self):
        return Path(settings.JOBS_ROOT) / f"{self.pk}.progress"

    def report(self, done, total=None):
        """Called by the worker as rows are done."""
        path = self.progress_path
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(f"{done} {'' if total is None else total}")
        os.replace(partial, path)  # the reader never sees half a line

    def progress(self):
        """(rows done, rows in all or None) as the worker last reported them."""
        if self.status == self.Status.RUNNING:
            try:
                done, total = self.progress_path.read_text().split(" ")
                return int(done), int(total) if total else self.total
            except (OSError, ValueError):
                pass
        return self.done, self.total

    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        done, total = self.progress()
        return min(100, int(done * 100 / total)) if total else 0

    def discard_files(self):
        for name in (self.result, self.upload, str(self.progress_path)):
            if name:
                Path(name).unlink(missing_ok=True)
