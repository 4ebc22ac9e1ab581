from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from activities.models import Activity, Campaign, Honour, HonourTitle
from unionportal.admin_site import ScopedModelAdmin


@admin.register(Campaign)
class CampaignAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "year", "organizer"]
    list_filter = ["year"]
    search_fields = ["name"]
    list_select_related = ["organizer"]


@admin.register(Activity)
class ActivityAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "organizer", "start", "participants", "entries", "funds_spent"]
    list_filter = ["kind"]
    search_fields = ["title", "place"]
    list_select_related = ["organizer"]
    date_hierarchy = "start"


@admin.register(HonourTitle)
class HonourTitleAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """Shipped titles (no owner) are read by everyone and changed by superusers only: an
    administrator's change scope is their branch, which holds no shipped title."""

    list_display = ["name", "level", "recipient_type", "owner", "order"]
    list_filter = ["level", "recipient_type"]
    search_fields = ["name"]
    list_select_related = ["owner"]

    def save_model(self, request, obj, form, change):
        # Only a superuser ships a title to everyone; an administrator's is their organization's.
        if obj.owner_id is None and not request.user.is_superuser:
            obj.owner = request.user.organization
        super().save_model(request, obj, form, change)


@admin.register(Honour)
class HonourAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "year", "organization", "recipient_name", "status"]
    list_filter = ["status", "year", "title__level"]
    search_fields = ["recipient_name", "organization__name", "title__name"]
    list_select_related = ["title", "organization"]
