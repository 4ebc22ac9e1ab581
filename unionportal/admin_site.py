"""Django admin for superusers, and for administrators scoped to their branch."""

from collections import defaultdict
from itertools import chain

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.db import router
from django.http import Http404, HttpResponseNotAllowed
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
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


def scoped_rows(queryset, user, also_in_scope=()):
    """The rows of `queryset` an admin page shows `user`: those of their branch, whose records
    named by the foreign keys `also_in_scope` are of it too. A superuser's are all."""
    if user.is_superuser or not hasattr(queryset, "restrict"):
        return queryset
    queryset = queryset.restrict(user, Action.VIEW)
    for name in also_in_scope:
        related = queryset.model._meta.get_field(name).related_model
        queryset = queryset.filter(**{f"{name}__in": related.objects.restrict(user, Action.VIEW).values("pk")})
    return queryset


class ScopedModelAdmin(admin.ModelAdmin):
    """Every admin page reads through `restrict()`; foreign-key dropdowns too. History pages
    (SimpleHistoryAdmin, which every domain model's admin mixes in) read versions through the
    portal's history display, unionportal/history.py."""

    # Foreign keys whose record must be of the reader's branch too for a row to be shown. A row
    # is in the branch its `scope_path` names, and may name a record of another: a course's
    # attendance by another district's cadre, which the portal's course page counts unnamed.
    also_in_scope = ()

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
        return scoped_rows(super().get_queryset(request), request.user, self.also_in_scope)

    def get_deleted_objects(self, objs, request):
        # Django's own, but for the names: it lists what a deletion takes with it, or what
        # protects the record from it, naming every record and linking to it, in the branch or
        # not (a course's attendance by another district's cadre, a cadre's post in another
        # district). Those the reader's admin would not show are "(outside your branch)".
        if request.user.is_superuser or not objs:
            return super().get_deleted_objects(objs, request)
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collector.collect(objs)
        found = defaultdict(set)
        for item in chain(*collector.model_objs.values(), collector.protected):
            found[type(item)].add(item.pk)
        shown = set()
        for model, keys in found.items():
            rows = self._rows_shown(request, model)
            shown.update(
                (model, key)
                for key in (keys if rows is None else rows.filter(pk__in=keys).values_list("pk", flat=True))
            )
        perms_needed = set()

        def format_callback(item):
            model, opts = type(item), item._meta
            label = capfirst(opts.verbose_name)
            model_admin = self.admin_site._registry.get(model)
            if model_admin is not None and not model_admin.has_delete_permission(request, item):
                perms_needed.add(opts.verbose_name)
            if (model, item.pk) not in shown:
                return format_html("{}: {}", label, gettext("(outside your branch)"))
            if model_admin is None:
                return f"{label}: {item}"
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(item.pk)]
                )
            except NoReverseMatch:
                return f"{label}: {item}"
            return format_html('{}: <a href="{}">{}</a>', label, url, item)

        to_delete = collector.nested(format_callback)
        protected = [format_callback(item) for item in collector.protected]
        model_count = {model._meta.verbose_name_plural: len(items) for model, items in collector.model_objs.items()}
        return to_delete, model_count, perms_needed, protected

    def _rows_shown(self, request, model):
        """The rows of `model` the reader's admin shows, or None for a model the portal does
        not scope (the join rows of a many-to-many field, named by their keys only)."""
        model_admin = self.admin_site._registry.get(model)
        if model_admin is not None:
            return model_admin.get_queryset(request)
        manager = getattr(model, "objects", None)
        return manager.restrict(request.user, Action.VIEW) if hasattr(manager, "restrict") else None

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
        if request.method == "POST":
            # A version's page is for reading. Reverting wrote the earlier version straight
            # back through the admin form, past the services and their rules: a union put back
            # under its old parent in another district (its path and the parents' child counts
            # left as they were), a paid disbursement put back to approved and payable again.
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        # No "Revert" button, and the version page is titled "View", not "Revert".
        return True

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
    also_in_scope = ()  # as on ScopedModelAdmin

    def get_queryset(self, request):
        # Only the rows of the branch: a cadre of the branch may hold a post in another.
        return scoped_rows(super().get_queryset(request), request.user, self.also_in_scope)

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
