"""Users, their role and organization, and the audit log."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization
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
        return reverse("accounts:user_detail", args=[self.pk])

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
    organization_path = models.CharField(max_length=255, blank=True, db_index=True)
    organization_name = models.CharField(_("organization"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
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
