"""The baselines that are pages: L, the bare list the list pages are measured against; the
empty authenticated page; and the trivial view of the requests-per-second ratio.

L has no framework on top: one prefix filter on the branch (the user's scope, which is what
`restrict` is), a count for the pagination, 50 rows of 8 columns and a plain template."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from relief.models import Disbursement
from unionportal.roles import Action

COLUMNS = [
    "date",
    "programme__name",
    "beneficiary__full_name",
    "group_name",
    "head_count",
    "cash",
    "status",
    "paying_organization__name",
]


def bare_list(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    rows = Disbursement.objects.restrict(request.user, Action.VIEW).order_by("-date", "-id")
    count = rows.count()
    return render(request, "bench/bare_list.html", {"count": count, "rows": rows.values_list(*COLUMNS)[:50]})


@login_required
def empty_page(request):
    return render(request, "bench/empty.html")


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")
