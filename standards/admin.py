from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from standards.models import Assessment, AssessmentItem, Criterion, RatingThreshold, Standard
from unionportal.admin_site import ScopedInline, ScopedModelAdmin


class CriterionInline(ScopedInline, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "code", "title", "category", "points", "must_pass", "measure", "threshold"]


class RatingThresholdInline(ScopedInline, admin.TabularInline):
    model = RatingThreshold
    extra = 0
    fields = ["rating", "min_points", "requires_all_must_pass"]


@admin.register(Standard)
class StandardAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "owner", "pass_points", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    list_select_related = ["owner"]
    inlines = [CriterionInline, RatingThresholdInline]


class AssessmentItemInline(ScopedInline, admin.TabularInline):
    model = AssessmentItem
    extra = 0
    fields = ["criterion", "met", "points", "note", "measured"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """Read-only: an assessment changes only through its workflow (the portal's pages), which
    keeps the score computed, the approval by someone else and an approved one locked."""

    list_display = ["organization", "standard", "year", "status", "score", "rating", "compliant"]
    list_filter = ["status", "year", "compliant"]
    search_fields = ["organization__name", "standard__name"]
    list_select_related = ["organization", "standard"]
    inlines = [AssessmentItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
