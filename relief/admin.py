from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from relief.models import Beneficiary, Disbursement, DisbursementStatus, Programme, Review
from unionportal.admin_site import ScopedModelAdmin

EDITABLE = (DisbursementStatus.DRAFT, DisbursementStatus.RETURNED)


@admin.register(Beneficiary)
class BeneficiaryAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """The resident ID and the bank account are shown masked here, whoever reads them, and
    are entered only in the portal (which checks the number and masks it for users without the
    reveal permission); so files are filed in the portal too."""

    list_display = ["full_name", "masked_id_number", "organization", "hardship_level", "status", "filed_on"]
    list_filter = ["hardship_level", "status"]
    search_fields = ["full_name"]
    list_select_related = ["organization"]
    exclude = ["id_number", "bank_account"]
    readonly_fields = ["masked_id_number", "masked_bank_account"]

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("bank account"))
    def masked_bank_account(self, obj):
        return obj.masked_bank_account

    def has_add_permission(self, request):
        return False


@admin.register(Review)
class ReviewAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    list_display = ["beneficiary", "year", "hardship_level", "outcome"]
    list_filter = ["year", "outcome"]
    search_fields = ["beneficiary__full_name"]
    list_select_related = ["beneficiary"]


@admin.register(Programme)
class ProgrammeAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """Programmes are changed by the administrators of the branch that runs them."""

    list_display = ["name", "year", "owner", "budget", "standard_amount", "cap_per_person"]
    list_filter = ["year"]
    search_fields = ["name"]
    list_select_related = ["owner"]


@admin.register(Disbursement)
class DisbursementAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """Disbursements start and move through the portal's workflow, which checks the money rules
    and who approves. Here a draft or a returned one may be corrected or deleted; a submitted,
    approved or paid one is read only (a paid one is corrected by a reversing entry)."""

    list_display = ["date", "programme", "beneficiary", "group_name", "cash", "in_kind_value", "status"]
    list_filter = ["status", "historical", "programme__year"]
    search_fields = ["beneficiary__full_name", "group_name", "programme__name"]
    list_select_related = ["programme", "beneficiary"]
    date_hierarchy = "date"
    readonly_fields = [
        "status",
        "return_reason",
        "historical",
        "reverses",
        "created_by",
        "submitted_by",
        "approved_by",
        "paid_by",
        "approved_at",
        "paid_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status not in EDITABLE:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status not in EDITABLE:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete asks no record whether it may go: a paid one would.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
