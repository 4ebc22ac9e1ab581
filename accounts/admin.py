from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import AuditEvent, User
from unionportal.admin_site import ScopedModelAdmin


@admin.register(User)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "organization", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("", {"fields": ["full_name", "email", "organization", "role", "is_active"]}),
        ("", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "organization", "role", "password1", "password2"]})]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may grant superuser, staff or individual permissions.
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        return ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Superusers read the audit log here; nobody edits it."""

    list_display = ["time", "username", "organization_name", "ip", "kind", "outcome", "detail"]
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
