from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cadres.models import Attendance, Cadre, Post, Training
from unionportal.admin_site import ScopedInline, ScopedModelAdmin


class PostInline(ScopedInline, admin.TabularInline):
    model = Post
    extra = 0
    fields = [
        "organization",
        "position",
        "rank",
        "full_time",
        "staffing",
        "seconded",
        "selection_method",
        "start",
        "end",
    ]


@admin.register(Cadre)
class CadreAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["full_name", "gender", "organization", "education", "political_status"]
    list_filter = ["gender", "education", "political_status"]
    search_fields = ["full_name"]
    list_select_related = ["organization"]
    # The resident ID number is shown and edited only in the portal, which masks it for
    # users without the reveal permission.
    exclude = ["id_number", "photo"]
    inlines = [PostInline]


@admin.register(Training)
class TrainingAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "organizer", "category", "start", "hours", "sessions", "other_attendees"]
    list_filter = ["category"]
    search_fields = ["title", "place"]
    list_select_related = ["organizer"]


@admin.register(Attendance)
class AttendanceAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["training", "cadre", "hours"]
    # As on the portal's course page: the attendances of the reader's cadres, never the names
    # of the other branches' cadres who attended a course of the branch.
    also_in_scope = ["cadre"]
    list_select_related = ["training", "cadre"]
