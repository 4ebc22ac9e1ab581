"""Django admin for superusers, and for administrators scoped to their branch."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from unionportal.roles import Action, role_allows
from unionportal.scoping import may


class PortalAdminSite(admin.AdminSite):
    site_header = _("Union portal administration")
    site_title = _("Union portal")

    def login(self, request, extra_context=None):
        """The admin has no login of its own: the portal's login applies lockout and audit."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.get_full_path())

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or role_allows(user, Action.MANAGE_USERS))


class ScopedModelAdmin(admin.ModelAdmin):
    """Every admin page reads through `restrict()`; foreign-key dropdowns too."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.restrict(request.user, Action.VIEW)

    def _may(self, request, action, obj=None):
        if request.user.is_superuser:
            return True
        if not may(request.user, self.model, action):
            return False
        return obj is None or self.model.objects.restrict(request.user, action).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return self._may(request, Action.VIEW)

    def has_view_permission(self, request, obj=None):
        return self._may(request, Action.VIEW, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, Action.CHANGE, obj)

    def has_add_permission(self, request):
        return self._may(request, Action.ADD)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, Action.DELETE, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser and hasattr(field.queryset, "restrict"):
            field.queryset = field.queryset.restrict(request.user, Action.VIEW)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser and hasattr(field.queryset, "restrict"):
            field.queryset = field.queryset.restrict(request.user, Action.VIEW)
        return field
