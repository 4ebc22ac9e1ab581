"""Django admin for superusers, and for administrators scoped to their branch."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from unionportal.forms import parse_pk
from unionportal.history import describe_changes, link_versions, mask_versions
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

    def get_urls(self):
        # Django's "view on site" redirect reads the object without any scope: its redirect
        # or 404 would tell an administrator whether a record outside their branch exists.
        return [
            path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name=url.name)
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id, object_id):
        if not request.user.is_superuser:
            try:
                model = ContentType.objects.get(pk=content_type_id).model_class()
            except (ContentType.DoesNotExist, ValueError):
                raise Http404 from None
            model_admin = self._registry.get(model)
            if model_admin is None or model_admin.get_object(request, object_id) is None:
                raise Http404
        return shortcut(request, content_type_id, object_id)


class ScopedModelAdmin(admin.ModelAdmin):
    """Every admin page reads through `restrict()`; foreign-key dropdowns too. History pages
    (SimpleHistoryAdmin, which every domain model's admin mixes in) read versions through the
    portal's history display, unionportal/history.py."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # simple-history named every record an earlier version pointed at, outside the branch
        # too, and showed many-to-many changes as rows of the join table. Each version's name,
        # made from its own fields (a figure's is its organization's), is masked the same way.
        records = link_versions(list(historical_records))
        changes = describe_changes(records, request.user)
        versions = mask_versions([record.history_object for record in records], request.user)
        for record, version in zip(records, versions, strict=True):
            record.history_object = version
            record.history_delta_changes = [
                {**change, "field": capfirst(change["field"])} for change in changes.get(record.pk, [])
            ]

    def render_history_view(self, request, template, context, **kwargs):
        version = context.get("original")
        if version is not None:
            # A version's page, rendered once its form is built and any revert saved: its
            # read-only foreign keys were links naming the record, and its title named it.
            mask_versions([version], request.user)
            context["title"] = self.history_form_view_title(request, version)
        return super().render_history_view(request, template, context, **kwargs)

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

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's change, delete and history views answer a record their queryset does not
        # hold with a redirect to the index and a "doesn't exist" warning. The portal's rule is
        # a 404, for a record outside the branch as for one that never existed; this is the one
        # hook those three views share (a private one: tests/accounts/test_admin_site.py pins it).
        raise Http404

    def _check_scope(self, request, object_id):
        # SimpleHistoryAdmin falls back to the history of a record the scoped queryset does
        # not hold, then answers 403: a record outside the branch must be a 404, as elsewhere.
        if not request.user.is_superuser and self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A relative link on a change form (the password's "../password/") lands here with a
        # version that is no number: simple-history's lookup then raised ValueError.
        if parse_pk(version_id) is None:
            raise Http404
        self._check_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

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


class ScopedInline:
    """Inlines under a ScopedModelAdmin: role permissions instead of Django's per-model ones,
    and foreign-key dropdowns restricted to the branch. No "view on site" link per row: the
    portal's redirect answers only for registered models (an inline's is often not), so the
    link was a 404."""

    view_on_site = False

    def get_queryset(self, request):
        # Only the rows of the branch: a cadre of the branch may hold a post in another.
        queryset = super().get_queryset(request)
        if request.user.is_superuser or not hasattr(queryset, "restrict"):
            return queryset
        return queryset.restrict(request.user, Action.VIEW)

    def _may(self, request, action):
        return request.user.is_superuser or may(request.user, self.model, action)

    def has_view_permission(self, request, obj=None):
        return self._may(request, Action.VIEW)

    def has_change_permission(self, request, obj=None):
        return self._may(request, Action.CHANGE)

    def has_add_permission(self, request, obj=None):
        return self._may(request, Action.ADD)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, Action.DELETE)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser and hasattr(field.queryset, "restrict"):
            field.queryset = field.queryset.restrict(request.user, Action.CHANGE)
        return field
