import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cadres.models import Gender
from organizations.tables import yuan
from relief.models import Beneficiary, Cause, Disbursement, Programme, mask_account
from unionportal.tables import DateColumn, Table, YesNoColumn
from unionportal.validators import mask_resident_id

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}
MONEY = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
GENDERS = dict(Gender.choices)
CAUSES = dict(Cause.choices)


class MoneyColumn(tables.Column):
    """Shown with two decimals and thousands separated; exported as a number a sheet can add."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", MONEY)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return yuan(value)

    def value(self, value):
        return value


class BeneficiaryTable(Table):
    """One row per hardship file. The resident ID and the bank account are always masked:
    lists and exports never carry full numbers, whoever reads them."""

    full_name = tables.Column(linkify=True)
    gender = tables.Column()
    birth_date = DateColumn(format="Y-m-d")
    id_number = tables.Column(verbose_name=_("resident ID number"), accessor="masked_id_number", orderable=False)
    organization = tables.Column(
        verbose_name=_("responsible union"), accessor="organization__name", order_by="organization__path"
    )
    causes = tables.Column(orderable=False)
    household_size = tables.Column(attrs=NUMBER)
    monthly_income_per_head = MoneyColumn()
    bank_account = tables.Column(verbose_name=_("bank account"), accessor="masked_bank_account", orderable=False)
    filed_on = DateColumn(format="Y-m-d")

    # An export reads values (unionportal/tables.py): the masked numbers made from the fields.
    export_computed = {
        "masked_id_number": (("id_number",), mask_resident_id),
        "masked_bank_account": (("bank_account",), mask_account),
    }

    class Meta:
        model = Beneficiary
        fields = [
            "full_name",
            "gender",
            "birth_date",
            "id_number",
            "organization",
            "hardship_level",
            "causes",
            "household_size",
            "monthly_income_per_head",
            "phone",
            "bank_name",
            "bank_account",
            "filed_on",
            "status",
        ]
        order_by = ("organization", "full_name")

    def render_gender(self, value):
        return GENDERS.get(value, value)

    def value_gender(self, value):
        return str(GENDERS.get(value, value))

    def render_causes(self, value):
        return "、".join(str(CAUSES.get(cause, cause)) for cause in value) or "—"

    def value_causes(self, value):
        return "、".join(str(CAUSES.get(cause, cause)) for cause in value)


class ProgrammeTable(Table):
    """Budget, what is committed (submitted, approved or paid), what is paid and what remains,
    annotated by the list view in the same query as the programmes."""

    name = tables.Column(linkify=True)
    owner = tables.Column(verbose_name=_("run by"), accessor="owner__name", order_by="owner__path")
    budget = MoneyColumn()
    standard_amount = MoneyColumn()
    cap_per_person = MoneyColumn()
    committed = MoneyColumn(verbose_name=_("committed (yuan)"))
    paid = MoneyColumn(verbose_name=_("paid (yuan)"))
    remaining = MoneyColumn(verbose_name=_("remaining (yuan)"))
    edit = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta:
        model = Programme
        fields = [
            "year",
            "name",
            "owner",
            "budget",
            "standard_amount",
            "cap_per_person",
            "committed",
            "paid",
            "remaining",
            "edit",
        ]
        order_by = ("-year", "name")

    def __init__(self, *args, user=None, may_change=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_change = may_change

    def render_edit(self, record):
        # Programmes an administrator changes: those of their branch; a superuser's, every one.
        if not self.may_change or not (
            self.user.is_superuser or record.owner.path.startswith(self.user.organization.path)
        ):
            return ""
        return format_html(
            '<a href="{}" aria-label="{}"><i class="bi bi-pencil"></i></a>',
            reverse("relief:programme_update", args=[record.pk]),
            _("Edit"),
        )


class DisbursementTable(Table):
    date = DateColumn(format="Y-m-d", linkify=True)
    programme = tables.Column(verbose_name=_("relief programme"), accessor="programme__name")
    year = tables.Column(verbose_name=_("year"), accessor="programme__year")
    recipient = tables.Column(
        verbose_name=_("person or group"),
        accessor="recipient_display",
        order_by=("beneficiary__full_name", "group_name"),
    )
    id_number = tables.Column(
        verbose_name=_("resident ID number"), accessor="beneficiary__masked_id_number", orderable=False, default=""
    )
    head_count = tables.Column(verbose_name=_("people helped"), attrs=NUMBER)
    cash = MoneyColumn()
    in_kind_value = MoneyColumn()
    total = MoneyColumn(verbose_name=_("amount (yuan)"))
    paying_organization = tables.Column(
        verbose_name=_("paying organization"),
        accessor="paying_organization__name",
        order_by="paying_organization__path",
    )
    historical = YesNoColumn(yesno=("✔", ""))

    # An export reads values (unionportal/tables.py): the record's properties made from the
    # fields, as Disbursement.recipient_display and Beneficiary.masked_id_number make them.
    export_computed = {
        "recipient_display": (
            ("beneficiary_id", "beneficiary__full_name", "group_name"),
            lambda beneficiary, full_name, group_name: full_name if beneficiary else group_name,
        ),
        "beneficiary__masked_id_number": (
            ("beneficiary_id", "beneficiary__id_number"),
            lambda beneficiary, number: mask_resident_id(number) if beneficiary else None,
        ),
    }

    class Meta:
        model = Disbursement
        fields = [
            "date",
            "programme",
            "year",
            "recipient",
            "id_number",
            "head_count",
            "cash",
            "in_kind_value",
            "total",
            "paying_organization",
            "status",
            "historical",
        ]
        order_by = ("-date",)

    def value_historical(self, value):
        return str(_("Yes")) if value else ""
