from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organizations.models import FundAllocation, MembershipFigure, Organization
from unionportal.admin_site import ScopedModelAdmin
from unionportal.roles import Action


@admin.register(Organization)
class OrganizationAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit_type", "parent", "established", "deactivated"]
    list_filter = ["kind", "unit_type"]
    search_fields = ["name", "short_name", "credit_code"]
    # The tree is changed through the portal's services (create, move, delete), which keep
    # paths, parents and history consistent; the admin edits fields only.
    readonly_fields = ["parent", "path", "depth", "numchild"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MembershipFigure)
class MembershipFigureAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["organization", "year", "members", "employees", "women_members", "migrant_members"]
    list_filter = ["year"]
    search_fields = ["organization__name"]
    list_select_related = ["organization"]


@admin.register(FundAllocation)
class FundAllocationAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["date", "source", "source_name", "recipient", "purpose", "amount"]
    list_filter = ["purpose", "date"]
    search_fields = ["recipient__name", "source__name", "source_name", "note"]
    list_select_related = ["source", "recipient"]
    date_hierarchy = "date"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "source" and not request.user.is_superuser:
            # As in the portal's form: the money may come from a federation above the branch.
            field.queryset = Organization.objects.restrict_or_above(request.user, Action.CHANGE)
        return field
