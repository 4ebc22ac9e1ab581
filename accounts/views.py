import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts import services
from accounts.audit import record
from accounts.filters import AuditEventFilter, UserFilter
from accounts.forms import LoginForm, PasswordResetForm, UserCreateForm, UserForm
from accounts.middleware import STARTED as SESSION_STARTED
from accounts.models import AuditEvent, Job, User
from accounts.tables import AuditEventTable, UserTable
from unionportal.roles import Action
from unionportal.views import ObjectDetailView, ObjectListView, ScopedViewMixin, ServiceFormView
from unionportal.xlsx import file_response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SESSION_STARTED] = time.time()
        record(self.request, AuditEvent.Kind.LOGIN, user=form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            record(request, AuditEvent.Kind.LOGOUT)
        return super().post(request, *args, **kwargs)


class UserListView(ObjectListView):
    model = User
    filterset_class = UserFilter
    table_class = UserTable
    title = gettext_lazy("Users")
    create_url_name = "accounts:user_create"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")


class UserCreateView(ServiceFormView):
    model = User
    action = Action.ADD
    form_class = UserCreateForm
    title = gettext_lazy("New user")
    success_message = gettext_lazy("The user was created.")

    def perform(self, form):
        data = {k: form.cleaned_data[k] for k in [*UserForm.Meta.fields, "may_reveal"]}
        return services.user_create(
            actor=self.request.user, request=self.request, password=form.cleaned_data["password1"], **data
        )


class UserUpdateView(ServiceFormView):
    model = User
    action = Action.CHANGE
    form_class = UserForm
    success_message = gettext_lazy("The user was saved.")

    def get_title(self):
        return _("Edit user %(name)s") % {"name": self.object.username}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    def perform(self, form):
        data = {k: form.cleaned_data[k] for k in [*UserForm.Meta.fields, "may_reveal"]}
        return services.user_update(actor=self.request.user, user=self.object, request=self.request, **data)


class UserPasswordResetView(ServiceFormView):
    model = User
    action = Action.CHANGE
    form_class = PasswordResetForm
    success_message = gettext_lazy("The password was reset.")

    def get_title(self):
        return _("Reset the password of %(name)s") % {"name": self.object.username}

    def get_form_kwargs(self):
        return {"user": self.request.user, "target": self.object}

    def perform(self, form):
        return services.user_reset_password(
            actor=self.request.user, user=self.object, password=form.cleaned_data["password1"], request=self.request
        )


class UserActiveView(ScopedViewMixin, TemplateView):
    """Deactivate or reactivate a user (POST only): a user is never deleted, so their history stays."""

    model = User
    action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, pk):
        target = self.get_object()
        try:
            services.user_set_active(actor=request.user, user=target, active=not target.is_active, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The user is active.") if target.is_active else _("The user is deactivated."))
        return redirect(target)


class AuditEventListView(ObjectListView):
    model = AuditEvent
    filterset_class = AuditEventFilter
    table_class = AuditEventTable
    title = gettext_lazy("Audit log")


# Background jobs: every user sees their own, and nobody else's (404), whatever their role.


class JobListView(LoginRequiredMixin, ListView):
    template_name = "accounts/job_list.html"
    context_object_name = "jobs"

    def get_queryset(self):
        return Job.objects.restrict(self.request.user)

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("My jobs"), keep_days=settings.JOB_KEEP_DAYS, **kwargs)


class JobDetailView(LoginRequiredMixin, DetailView):
    """The job's progress, then its file or its errors. htmx asks for the status part again
    every second while the job is waiting or running."""

    context_object_name = "job"

    def get_queryset(self):
        return Job.objects.restrict(self.request.user)

    def get_template_names(self):
        return ["accounts/_job_status.html" if self.request.htmx else "accounts/job_detail.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.object.title, **kwargs)


class JobDownloadView(LoginRequiredMixin, View):
    """The exported workbook, to the job's owner only, until it expires."""

    def get(self, request, pk):
        job = get_object_or_404(Job.objects.restrict(request.user), pk=pk)
        if not job.may_download:
            raise Http404
        try:
            file = open(job.result, "rb")  # noqa: SIM115 (closed by the response)
        except FileNotFoundError:
            raise Http404 from None
        return file_response(file, job.filename or "export.xlsx")
