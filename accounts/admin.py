from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import AuditEvent, User
from unionportal.admin_site import ScopedModelAdmin


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """Django's, with its warning translated: Django joins it to the help text at import time,
    in no language, so the whole text stayed English."""

    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


@admin.register(User)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin, SimpleHistoryAdmin):
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "full_name", "organization", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("", {"fields": ["full_name", "email", "organization", "role", "is_active"]}),
        ("", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "organization", "role", "password1", "password2"]})]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.history_form = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "history_form", False):
            # History keeps no passwords: an earlier version has none to show, and the
            # field's "reset password" link is relative to the change page, not this one.
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may grant superuser, staff or individual permissions.
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        return ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Superusers read the audit log here; nobody edits it."""

    list_display = ["time", "username", "organization_name", "ip", "kind", "outcome", "description"]
    exclude = ["message", "params"]
    readonly_fields = ["description"]

    @admin.display(description=_("detail"))
    def description(self, event):
        return event.description

    list_filter = ["kind", "outcome"]
    search_fields = ["username", "ip"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
