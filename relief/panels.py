"""The organization page's relief panel: the hardship files on file at this union by level,
and the latest disbursements it paid. Two queries."""

from django.db.models import Count

from relief.models import Beneficiary, BeneficiaryStatus, Disbursement, HardshipLevel
from unionportal.roles import Action
from unionportal.scoping import may

SHOWN = 10


def relief_panel(request, organization):
    user = request.user
    if not may(user, Beneficiary, Action.VIEW):
        return None
    counts = dict(
        Beneficiary.objects.restrict(user)
        .filter(organization=organization, status=BeneficiaryStatus.ON_FILE)
        .order_by()
        .values_list("hardship_level")
        .annotate(count=Count("pk"))
    )
    disbursements = (
        Disbursement.objects.restrict(user)
        .filter(paying_organization=organization)
        .select_related("programme", "beneficiary")[:SHOWN]
    )
    return {
        "template": "relief/_panel.html",
        "organization": organization,
        "levels": [(label, counts.get(level, 0)) for level, label in HardshipLevel.choices],
        "on_file": sum(counts.values()),
        "disbursements": list(disbursements),
        "may_add": may(user, Beneficiary, Action.ADD),
    }
