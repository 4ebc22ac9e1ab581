"""Generic views. Each model's views declare a queryset model, a filterset, a table or a form;
scope and role are applied here, before any handler runs, so no view can forget them."""

import hashlib
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from unionportal import uploads
from unionportal.branchfigures import BranchFigures
from unionportal.cache import cached_for_branch
from unionportal.history import history_rows
from unionportal.importing import get_importer
from unionportal.roles import Action
from unionportal.scoping import branch_ranges, may
from unionportal.tables import KeysFirstData, StableData
from unionportal.xlsx import XLSX_CONTENT_TYPE, WorkbookError, dated_filename, file_response, read_rows, save_table

# Rows fetched per query when an export walks its queryset: memory stays flat however many
# rows match, and a prefetch costs one query per chunk.
EXPORT_CHUNK_SIZE = 2000


def audit(request, kind, **kwargs):
    """Record an audit line through the recorder the composition root names."""
    import_string(settings.AUDIT_RECORDER)(request, kind, **kwargs)


def launch_job(request, **kwargs):
    """Start a background job through the launcher the composition root names; returns the
    job, whose page shows its progress."""
    return import_string(settings.JOB_LAUNCHER)(request, **kwargs)


def dotted_path(view_class):
    return f"{view_class.__module__}.{view_class.__qualname__}"


def view_for(view_class, *, user, path, query="", ip=None):
    """A view set up as for a GET of `path?query` by `user` and scoped as `dispatch` would
    scope it, for work done outside a request (a background job). Raises PermissionDenied if
    the user's role no longer allows the view."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META["REMOTE_ADDR"] = ip or ""
    request.user = user
    view = view_class()
    view.setup(request)
    view.apply_scope(user)
    return view


class ScopedViewMixin:
    """Log in, role, then scope: 302 to the login page, 403 for a role that may never do the
    action, and a queryset restricted to the branch (so a record outside it is a 404)."""

    model = None
    action = Action.VIEW

    def get_action(self):
        return self.action

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.apply_scope(request.user)
        return super().dispatch(request, *args, **kwargs)

    def apply_scope(self, user):
        action = self.get_action()
        if not may(user, self.model, action):
            raise PermissionDenied
        self.queryset = self.get_base_queryset(self.model.objects.restrict(user, action))

    def get_base_queryset(self, queryset):
        return queryset

    def get_object(self, queryset=None):
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def may(self, action, model=None):
        return may(self.request.user, model or self.model, action)


class CountedPaginator(Paginator):
    """A paginator told its row count, read with the list's totals in one aggregate query."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


class ObjectListView(ScopedViewMixin, SingleTableMixin, FilterView):
    """Filter, sortable table, pagination and an xlsx export of exactly the filtered rows and
    the columns shown."""

    template_name = "generic/object_list.html"
    title = ""
    create_url_name = None
    import_url_name = None

    # Totals of the filtered rows that the page shows beside the table, as {name: aggregate}:
    # read with the row count in one query, into `self.totals`.
    totals_aggregates = None
    # Whether the row count and the totals are kept in the cache for the reader's branch until
    # a record of it changes (unionportal/cache.py): for lists whose figures count only records
    # of the reader's branch, so that the branch's version sees every change that moves them.
    cache_figures = False
    # Filters whose rows depend on records outside the list's own (a cadre's name or age on a
    # list of posts, which the branch of the post's union does not see change): a list filtered
    # by any of them counts afresh.
    figures_read_elsewhere = frozenset()
    # Query parameters that change the rows shown but not which rows match.
    PRESENTATION_PARAMETERS = frozenset(("page", "per_page", "sort", "export"))
    # Whether a page reads its rows' keys first, then the rows (unionportal/tables.py
    # KeysFirstData): for the lists that grow to hundreds of thousands of rows in a branch,
    # with an index serving their filter and sort.
    page_by_keys = False

    def get_table_data(self):
        data = super().get_table_data()
        if isinstance(data, QuerySet):
            return KeysFirstData(data) if self.page_by_keys else StableData(data)
        return data

    def get_table_pagination(self, table):
        figures = self.list_figures()
        self.totals = {name: value for name, value in figures.items() if name != "_rows"}
        return {"per_page": settings.PAGE_SIZE, "paginator_class": CountedPaginator, "count": figures["_rows"]}

    def list_figures(self):
        """The number of rows matching the filter and their totals, in one aggregate query; from
        the cache, with `cache_figures`, while the reader's branch is unchanged."""

        def compute():
            with branch_ranges():
                return self.object_list.order_by().aggregate(_rows=Count("pk"), **(self.totals_aggregates or {}))

        user = self.request.user
        if not self.cache_figures or user.organization_id is None:
            return compute()
        if any(self.request.GET.get(name) for name in self.figures_read_elsewhere):
            return compute()
        matching = sorted(
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in self.PRESENTATION_PARAMETERS
            for value in values
        )
        digest = hashlib.sha256(repr(matching).encode()).hexdigest()[:32]
        key = f"list:{dotted_path(type(self))}:{user.pk}:{timezone.localdate().isoformat()}:{digest}"
        aggregates = self.totals_aggregates or {}
        if not user.is_superuser and BranchFigures.applies(self.object_list, aggregates):
            # Kept in parts, so that a change in one union recounts one line of the tree.
            figures = BranchFigures(self.object_list, aggregates, key, scope_path=self.model.scope_path)
            return figures.of(user.organization)
        return cached_for_branch(key, user.organization, compute)

    def get(self, request, *args, **kwargs):
        # django-tables2 takes ?per_page= from the address: a page is never larger than
        # MAX_PAGE_SIZE, so nobody renders a province's quarter of a million rows at once.
        per_page = request.GET.get("per_page")
        if per_page is not None:
            query = request.GET.copy()
            try:
                query["per_page"] = str(min(max(int(per_page), 1), settings.MAX_PAGE_SIZE))
            except ValueError:
                del query["per_page"]
            request.GET = query
        if request.GET.get("export") == "xlsx":
            return self.export(request)
        return super().get(request, *args, **kwargs)

    def export(self, request):
        table = self.export_table()
        if export_count(table) > settings.EXPORT_SYNC_MAX_ROWS:
            job = launch_job(
                request,
                kind="export",
                what=dotted_path(type(self)),
                title=_("Export: %(title)s") % {"title": self.title},
                query=request.GET.urlencode(),
                filename=self.export_filename_xlsx(),
            )
            return HttpResponseRedirect(job.get_absolute_url())
        # openpyxl saves to a file: a temporary one, streamed out in chunks, then removed.
        file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        try:
            count = self.write_export(table, file)
        except BaseException:
            file.close()
            raise
        self.audit_export(count)
        return file_response(file, self.export_filename_xlsx())

    def export_table(self):
        """The table of the export: the filtered rows (the same filterset the page uses;
        `?export=xlsx` makes it bound, and an invalid filter exports nothing, as the page then
        shows nothing) in the order asked for, with the columns shown, unpaginated."""
        if not self.may(Action.EXPORT):
            raise PermissionDenied
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        table = self.get_table_class()(queryset)
        RequestConfig(self.request, paginate=False).configure(table)
        return table

    def write_export(self, table, target, progress=None):
        """Write the table to `target` (a path or a binary file) row by row; returns the number
        of rows. `progress(rows_done)` is called every chunk."""
        headers, rows = export_values(table)
        count = 0

        def counted():
            nonlocal count
            for values in rows:
                yield values
                count += 1
                if progress is not None and count % EXPORT_CHUNK_SIZE == 0:
                    progress(count)

        save_table(target, str(self.title), headers, counted())
        return count

    def audit_export(self, count):
        request = self.request
        params = {"model": self.model._meta.label, "count": count, "query": request.GET.urlencode()}
        audit(request, "export", message="exported", params=params)

    def export_filename_xlsx(self):
        return dated_filename(self.title)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            may_add=self.create_url_name and self.may(Action.ADD),
            create_url_name=self.create_url_name,
            may_import=self.import_url_name and self.may(Action.IMPORT),
            import_url_name=self.import_url_name,
            may_export=self.may(Action.EXPORT),
        )
        return context


def export_count(table):
    data = table.data.data
    return data.count() if isinstance(data, QuerySet) else len(data)


def export_values(table):
    """The headers and a generator of the rows of `table`, with the columns and values an
    export shows (`value_FOO`: masked numbers stay masked), walking a queryset with
    `iterator()`, so that the rows are never all in memory at once."""
    columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
    headers = [force_str(column.header, strings_only=True) for column in columns]
    data = table.data.data
    if isinstance(data, QuerySet):
        return headers, table.export_queryset_rows(data, EXPORT_CHUNK_SIZE)
    return headers, table.export_rows(data)


class ObjectDetailView(ScopedViewMixin, DetailView):
    with_history = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.with_history and hasattr(self.object, "history"):
            context["history"] = history_rows(self.object.history.all(), user=self.request.user)
        context["may_change"] = self.may(Action.CHANGE)
        context["may_delete"] = self.may(Action.DELETE)
        return context


def list_crumb(url_name):
    """(address, title) of the list page named `url_name`, for breadcrumbs and Cancel links;
    None when there is no such page."""
    if not url_name:
        return None
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None
    view = getattr(resolve(url).func, "view_class", None)
    title = getattr(view, "title", "")
    return (url, title) if title else None


class ServiceFormView(ScopedViewMixin, TemplateView):
    """A form whose valid data goes to a service function. Subclasses set `form_class`, and
    implement `perform(form)` returning the object to redirect to; a ValidationError raised by
    the service lands on the form, field by field.

    The page leads back to the list of its records (`list_url_name`, by default the model's
    `<app>:<model>_list` when there is one) in its breadcrumbs, and Cancel returns to the
    record, or else to that list."""

    form_class = None
    template_name = "generic/object_form.html"
    title = ""
    success_message = ""
    list_url_name = None

    def get_object(self, queryset=None):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, **self.get_form_kwargs())

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.perform(form)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                return HttpResponseRedirect(self.get_success_url(result))
        return self.render_form(form, status=200)

    def get_success_url(self, result):
        return result.get_absolute_url()

    def render_form(self, form, status=200):
        crumb = list_crumb(self.list_url_name or f"{self.model._meta.app_label}:{self.model._meta.model_name}_list")
        object_url = getattr(self.object, "get_absolute_url", None)
        object_url = object_url() if object_url else ""
        context = self.get_context_data(
            form=form,
            object=self.object,
            object_url=object_url,
            list_crumb=crumb,
            cancel_url=object_url or (crumb[0] if crumb else reverse("home")),
            title=self.get_title(),
        )
        return self.render_to_response(context, status=status)

    def get_title(self):
        return self.title

    def perform(self, form):
        raise NotImplementedError


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field_name, messages_ in error.message_dict.items():
            target = field_name if field_name in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ImportView(ScopedViewMixin, View):
    """Upload a filled template, see every error or the rows to be created, then confirm.

    The upload is kept under IMPORT_ROOT with a random name known only to this session until
    it is confirmed or replaced; confirming runs the whole import again inside one
    transaction, so nothing is saved unless every row is good. A file of more than
    IMPORT_SYNC_MAX_ROWS rows is checked, and then saved, by background jobs that run the
    same import as this view's user (`launch_job`); their page offers the confirmation."""

    kind = ""
    action = Action.IMPORT
    template_name = "generic/import.html"
    list_url_name = ""
    template_url_name = ""

    def importer(self):
        return get_importer(self.kind)(self.request.user)

    def context(self, **extra):
        importer = self.importer()
        return {
            "title": _("Import: %(title)s") % {"title": importer.title},
            "columns": importer.columns,
            "list_url_name": self.list_url_name,
            "list_crumb": list_crumb(self.list_url_name),
            "template_url_name": self.template_url_name,
            **extra,
        }

    def get(self, request):
        return render(request, self.template_name, self.context())

    def _upload_path(self, token):
        return Path(settings.IMPORT_ROOT) / f"{token}.xlsx"

    def post(self, request):
        sessions = request.session.setdefault("imports", {})
        token = request.POST.get("token", "")
        if token:
            if sessions.get(token) != self.kind or not self._upload_path(token).exists():
                messages.error(request, _("This import has expired; upload the file again."))
                return render(request, self.template_name, self.context())
            data = self._upload_path(token).read_bytes()
            if self._is_large(data):
                return self._confirm_in_background(token)
            result = self.importer().run(data, commit=True)
            if result.committed:
                self._upload_path(token).unlink(missing_ok=True)
                sessions.pop(token, None)
                request.session.modified = True
                self.audit_import(len(result.rows))
                count = len(result.rows)
                messages.success(
                    request, ngettext("%(count)d row imported.", "%(count)d rows imported.", count) % {"count": count}
                )
                return HttpResponseRedirect(self.success_url())
            return render(request, self.template_name, self.context(result=result))
        upload = request.FILES.get("file")
        error = self._check_upload(upload)
        if error:
            return render(request, self.template_name, self.context(upload_error=error))
        data = upload.read()
        if self._is_large(data):
            # The preview of a large file is the import undone too, so it runs as a job; the
            # file is kept for the confirmation its page offers.
            path = self._keep(data)
            return self._start_job(path, commit=False)
        result = self.importer().run(data, commit=False)
        context = {"result": result}
        if result.ok and result.rows:
            context["token"] = self._keep(data).stem
        return render(request, self.template_name, self.context(**context))

    def _keep(self, data):
        """Store the upload under a random name known only to this session."""
        token = uuid.uuid4().hex
        path = self._upload_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.request.session.setdefault("imports", {})[token] = self.kind
        self.request.session.modified = True
        return path

    def _is_large(self, data):
        try:
            return len(read_rows(data)) - 1 > settings.IMPORT_SYNC_MAX_ROWS
        except WorkbookError:
            return False  # the import itself says why the file cannot be read

    def _confirm_in_background(self, token):
        # Renaming claims the upload: a second click (or tab) finds it gone, so a file is
        # never imported twice.
        claimed = self._upload_path(token).with_suffix(".confirmed.xlsx")
        try:
            self._upload_path(token).rename(claimed)
        except FileNotFoundError:
            messages.error(self.request, _("This import has expired; upload the file again."))
            return render(self.request, self.template_name, self.context())
        self.request.session["imports"].pop(token, None)
        self.request.session.modified = True
        return self._start_job(claimed, commit=True)

    def _start_job(self, path, *, commit):
        job = launch_job(
            self.request,
            kind="import",
            what=dotted_path(type(self)),
            title=self.context()["title"],
            upload=str(path),
            commit=commit,
        )
        return HttpResponseRedirect(job.get_absolute_url())

    def audit_import(self, count):
        audit(self.request, "import", message="imported", params={"kind": self.kind, "count": count})

    def _check_upload(self, upload):
        if upload is None:
            return _("Choose a file to upload.")
        if not upload.name.lower().endswith(".xlsx"):
            return _("Only Excel workbooks (.xlsx) can be imported.")
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            return _("The file is larger than %(max)d MB.") % {"max": settings.IMPORT_MAX_MB}
        return None

    def success_url(self):
        return reverse(self.list_url_name)


class ImportTemplateView(ScopedViewMixin, View):
    kind = ""
    action = Action.IMPORT

    def get(self, request):
        importer = get_importer(self.kind)(request.user)
        response = HttpResponse(importer.template(), content_type=XLSX_CONTENT_TYPE)
        filename = quote(_("%(title)s import template.xlsx") % {"title": importer.title})
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        return response


class ImageUploadView(ScopedViewMixin, View):
    """POST a picture (and a caption) to a record of the branch: `model` is the record the
    picture belongs to; subclasses implement `attach(parent, upload, caption)` (a service that
    applies the domain's own rules) and `redirect_url(parent)`."""

    action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        parent = self.get_object()
        upload = request.FILES.get("picture")
        if upload is None:
            messages.error(request, _("Choose a picture to upload."))
        else:
            try:
                self.attach(parent, upload, request.POST.get("caption", ""))
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The picture was added."))
        return HttpResponseRedirect(self.redirect_url(parent))


class ImageView(ScopedViewMixin, View):
    """A stored picture, served only to users whose branch holds its record."""

    def get(self, request, pk):
        return uploads.image_response(self.get_object().image)


class ImageDeleteView(ScopedViewMixin, View):
    """POST removes a picture record; subclasses implement `detach(record)` and
    `redirect_url(record)` (computed before the record goes)."""

    action = Action.DELETE
    http_method_names = ["post"]

    def post(self, request, pk):
        record = self.get_object()
        url = self.redirect_url(record)
        try:
            self.detach(record)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The picture was removed."))
        return HttpResponseRedirect(url)


class RecordActionView(ScopedViewMixin, View):
    """A workflow button on a record's page (POST only): submit, approve, pay... A refusal by
    the service (the state has moved on, a rule is broken) is a message on the page; a role
    that may never do it gets 403, a record outside the branch 404. Subclasses set `model`,
    `action`, `success_message` and implement `perform(record)`."""

    http_method_names = ["post"]
    success_message = ""

    def post(self, request, pk):
        record = self.get_object()
        try:
            self.perform(record)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success_message)
        return HttpResponseRedirect(record.get_absolute_url())

    def perform(self, record):
        raise NotImplementedError
