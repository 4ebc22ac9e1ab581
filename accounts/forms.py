from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import security
from accounts.audit import client_ip, record
from accounts.models import REVEAL_PERMISSION_CODENAME, AuditEvent, User
from organizations.models import Organization
from unionportal.forms import ScopedModelForm
from unionportal.roles import Action, Role


class LoginForm(AuthenticationForm):
    """Django's login form with the lockout of accounts/security.py and an audit line for
    every attempt, whatever its outcome."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed logins: this account is locked until %(until)s."),
        "ip_blocked": _("Too many failed logins from your network; try again in a quarter of an hour."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if security.ip_blocked(ip):
            record(
                self.request,
                AuditEvent.Kind.LOGIN_FAILED,
                outcome=AuditEvent.Outcome.REFUSED,
                username=username,
                message="ip_blocked",
            )
            raise ValidationError(self.error_messages["ip_blocked"], code="ip_blocked")
        until = security.username_locked_until(username) if username else None
        if until:
            record(
                self.request,
                AuditEvent.Kind.LOGIN_FAILED,
                outcome=AuditEvent.Outcome.REFUSED,
                username=username,
                message="locked",
            )
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"until": timezone.localtime(until).strftime("%H:%M")},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record(self.request, AuditEvent.Kind.LOGIN_FAILED, outcome=AuditEvent.Outcome.FAILURE, username=username)
            until = security.username_locked_until(username)
            if until:
                record(
                    self.request,
                    AuditEvent.Kind.LOCKOUT,
                    outcome=AuditEvent.Outcome.REFUSED,
                    username=username,
                    message="locked_until",
                    params={"until": until.isoformat()},
                )
            raise
        return cleaned


class UserForm(ScopedModelForm):
    """An admin sets a user's organization and role inside their own branch, never above it."""

    scope_action = Action.CHANGE

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "organization", "role"]

    may_reveal = forms.BooleanField(
        label=_("may reveal resident ID and bank account numbers"),
        required=False,
        help_text=_("Grant only to people who need the full numbers; every reveal asks for a reason and is recorded."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["may_reveal"] = self.instance.user_permissions.filter(
                codename=REVEAL_PERMISSION_CODENAME, content_type__app_label="accounts"
            ).exists()
        self.fields["organization"].queryset = Organization.objects.restrict(self.user, Action.CHANGE)
        self.fields["organization"].required = True
        self.fields["role"].required = True
        self.fields["role"].choices = [("", "---------"), *Role.choices]


class UserCreateForm(UserForm):
    password1 = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(label=_("password again"), widget=forms.PasswordInput, strip=False)

    class Meta(UserForm.Meta):
        fields = [*UserForm.Meta.fields, "password1", "password2"]

    field_order = [*UserForm.Meta.fields, "may_reveal", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password1", error)


class PasswordResetForm(forms.Form):
    password1 = forms.CharField(
        label=_("new password"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(label=_("new password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, target, **kwargs):
        self.user = user
        self.target = target
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            try:
                password_validation.validate_password(password, self.target)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
