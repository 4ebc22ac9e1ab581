"""Revealing masked personal data (resident ID, bank account): only for users an administrator
has granted the permission, only after they give a reason, and always recorded.

The full values appear in this one response and nowhere else; every other page, list,
export and print shows them masked."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.audit import record
from accounts.models import AuditEvent
from unionportal.views import ScopedViewMixin


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        min_length=4,
        max_length=200,
        help_text=gettext_lazy("Why you need the full number; it is kept in the audit log."),
    )


class RevealView(ScopedViewMixin, TemplateView):
    """GET asks for a reason; POST with one records the reveal and shows the full values.
    Subclasses set `model` and `fields` (names of the model's fields to reveal)."""

    fields = ()
    template_name = "generic/reveal.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.may_reveal:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def context(self, form, revealed=None):
        obj = self.get_object()
        return {
            "object": obj,
            "form": form,
            "revealed": revealed,
            "title": _("Show full numbers: %(name)s") % {"name": obj},
        }

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, self.context(RevealForm()))

    def post(self, request, *args, **kwargs):
        form = RevealForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form))
        obj = self.get_object()
        revealed = [(obj._meta.get_field(name).verbose_name, getattr(obj, name) or "—") for name in self.fields]
        record(
            request,
            AuditEvent.Kind.REVEAL,
            message="revealed",
            params={
                "model": obj._meta.label,
                "pk": obj.pk,
                "fields": list(self.fields),
                "reason": form.cleaned_data["reason"],
            },
        )
        return render(request, self.template_name, self.context(form, revealed))
