"""Imports of hardship files and disbursements from the templates of DESIGN.md.

A disbursement enters the workflow as a submitted one (the money rules are checked as for
one submitted in the browser), or, for an administrator bringing in payments made before
the portal existed, as paid and historical. Resident ID numbers are never shown in the
preview, and a number on file outside the user's branch is refused without saying where."""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.imports import find_organization
from relief import services
from relief.models import Beneficiary, Cause, Disbursement, DisbursementStatus, HardshipLevel, Programme
from unionportal.importing import (
    Column,
    Importer,
    normalize_text,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_number_as_text,
    register,
)
from unionportal.roles import Action
from unionportal.validators import normalize_resident_id, validate_resident_id

DATES = gettext_lazy("2018-03-31, 2018/3/31, 2018年3月31日 or an Excel date")
ORGANIZATION = gettext_lazy("Full name of an organization in your branch")
# Never a real-looking number here: the template is handed to everyone who may import.
RESIDENT_ID = gettext_lazy("18 characters: 17 digits and a digit or X (check digit per GB 11643)")


def _labels(choices):
    return "、".join(str(label) for _code, label in choices)


def _add(errors, field, error):
    errors.setdefault(field, []).extend(error.error_list if hasattr(error, "error_list") else [error])


def parse_compact(value):
    """ID and mobile numbers: full-width digits and stray spaces are common in filled templates."""
    return normalize_text(value).replace(" ", "")


def parse_resident_id(value):
    number = normalize_resident_id(parse_number_as_text(value))
    validate_resident_id(number)
    return number


# 致困原因 as the federation's own spreadsheets write it, besides the labels and code names.
_CAUSE_ALIASES = {
    "大病": Cause.ILLNESS,
    "本人大病": Cause.ILLNESS,
    "家属大病": Cause.ILLNESS,
    "本人或家属大病": Cause.ILLNESS,
    "本人或家庭成员大病": Cause.ILLNESS,
    "子女上学": Cause.SCHOOLING,
    "子女就学": Cause.SCHOOLING,
    "就学": Cause.SCHOOLING,
    "因残": Cause.DISABILITY,
    "因灾": Cause.DISASTER,
    "自然灾害": Cause.DISASTER,
    "下岗": Cause.UNEMPLOYMENT,
}
_CAUSE_SEPARATORS = re.compile(r"[、，,;；\s]+")
_parse_cause_label = parse_choice(Cause)


def parse_causes(value):
    """One or more causes separated by 、，, ; or spaces, as a list of code names."""
    causes = []
    for part in _CAUSE_SEPARATORS.split(normalize_text(value)):
        if not part:
            continue
        try:
            cause = _CAUSE_ALIASES.get(part) or _parse_cause_label(part)
        except ValidationError:
            raise ValidationError(
                _("“%(value)s” is not a cause of hardship; one of: %(labels)s.")
                % {"value": part, "labels": _labels(Cause.choices)}
            ) from None
        if cause not in causes:
            causes.append(cause)
    return causes


@register
class BeneficiaryImporter(Importer):
    kind = "beneficiaries"
    title = gettext_lazy("Hardship files")

    def __init__(self, user):
        super().__init__(user)
        self.rows_by_id_number = {}

    def run(self, data, *, commit, progress=None):
        self.rows_by_id_number = {}
        return super().run(data, commit=commit, progress=progress)

    @property
    def columns(self):
        return [
            Column("姓名", "full_name", True, ("full name", "name", "full_name")),
            Column(
                "身份证号",
                "id_number",
                True,
                ("id number", "resident id", "resident id number", "id_number"),
                parse_resident_id,
                RESIDENT_ID,
                text=True,
            ),
            Column("所在组织", "organization", True, ("organization", "responsible union"), note=ORGANIZATION),
            Column(
                "困难类别",
                "hardship_level",
                True,
                ("hardship level", "hardship_level"),
                parse_choice(HardshipLevel),
                _labels(HardshipLevel.choices),
            ),
            Column(
                "致困原因",
                "causes",
                False,
                ("causes", "causes of hardship"),
                parse_causes,
                gettext_lazy("One or more of %(labels)s, separated by 、") % {"labels": _labels(Cause.choices)},
            ),
            Column(
                "家庭人口",
                "household_size",
                False,
                ("household size", "household_size"),
                parse_int,
                gettext_lazy("People in the household; empty for 1"),
            ),
            Column(
                "家庭月人均收入",
                "monthly_income_per_head",
                False,
                ("monthly income per head", "monthly_income_per_head", "income"),
                parse_decimal,
                gettext_lazy("Yuan, such as 650 or 1,200.50"),
            ),
            Column("手机号", "phone", False, ("mobile", "phone"), parse_compact, text=True),
            Column(
                "建档日期",
                "filed_on",
                False,
                ("filed on", "filed_on"),
                parse_date,
                gettext_lazy("%(dates)s; empty for today") % {"dates": DATES},
            ),
        ]

    def save_row(self, values, row):
        errors = {}
        organization = None
        try:
            organization = find_organization(self.user, values["organization"], Action.ADD)
        except ValidationError as error:
            _add(errors, "organization", error)
        id_number = values["id_number"]
        earlier = self.rows_by_id_number.setdefault(id_number, row)
        if earlier != row:
            _add(
                errors,
                "id_number",
                ValidationError(
                    _("This resident ID number is already in row %(row)d of this file.") % {"row": earlier}
                ),
            )
        person = Beneficiary(
            full_name=values["full_name"],
            id_number=id_number,
            organization=organization,
            hardship_level=values["hardship_level"],
            causes=values.get("causes", []),
            household_size=values.get("household_size", 1),
            monthly_income_per_head=values.get("monthly_income_per_head", 0),
            phone=values.get("phone", ""),
            filed_on=values.get("filed_on") or timezone.localdate(),
        )
        try:
            person.full_clean(exclude=["organization"] if organization is None else None)
        except ValidationError as error:
            for field, items in error.error_dict.items():
                for item in items:
                    # The one-file-per-person rule is about the ID column; its message says
                    # nothing of where the other file is.
                    if field == NON_FIELD_ERRORS and item.code == "id_number_taken":
                        if earlier == row:  # a repeat within the file is already reported
                            _add(errors, "id_number", item)
                    else:
                        _add(errors, field, item)
        if errors:
            raise ValidationError(errors)
        person._history_user = self.user
        person.save()
        return person

    def describe(self, obj):
        # Never the ID number: the preview is shown to everyone who may import.
        return _("%(name)s (%(level)s, %(organization)s)") % {
            "name": obj.full_name,
            "level": obj.get_hardship_level_display(),
            "organization": obj.organization.name,
        }


class _ImportedStatus:
    """The statuses an import may set: 待审核 (submitted, waiting for approval) or 已发放 (paid
    before the portal, administrators only)."""

    choices = [
        (DisbursementStatus.SUBMITTED.value, DisbursementStatus.SUBMITTED.label),
        (DisbursementStatus.PAID.value, DisbursementStatus.PAID.label),
    ]


# Which column a refusal of the money rules is about.
_RULE_COLUMNS = {"over_budget": "cash", "over_cap": "cash", "already_received": "id_number"}


@register
class DisbursementImporter(Importer):
    kind = "disbursements"
    title = gettext_lazy("Disbursements")

    @property
    def columns(self):
        return [
            Column(
                "身份证号",
                "id_number",
                False,
                ("id number", "resident id", "resident id number", "id_number"),
                parse_resident_id,
                gettext_lazy("%(format)s, of a hardship file of your branch; empty for a group")
                % {"format": RESIDENT_ID},
                text=True,
            ),
            Column(
                "帮扶项目",
                "programme",
                True,
                ("programme", "relief programme"),
                note=gettext_lazy("Name of a relief programme of your branch in the year of the date, e.g. 金秋助学"),
            ),
            Column(
                "金额",
                "cash",
                True,
                ("amount", "cash"),
                parse_decimal,
                gettext_lazy("Cash in yuan, such as 3000 or 1,200.50"),
            ),
            Column("发放日期", "date", True, ("date", "date paid"), parse_date, DATES),
            Column(
                "发放组织",
                "paying_organization",
                True,
                ("paying organization", "paying_organization"),
                note=ORGANIZATION,
            ),
            Column(
                "受助人数",
                "head_count",
                False,
                ("people helped", "head count", "head_count"),
                parse_int,
                gettext_lazy("For a group (no 身份证号): the people helped; empty for one person"),
            ),
            Column(
                "状态",
                "status",
                False,
                ("status",),
                parse_choice(_ImportedStatus),
                gettext_lazy(
                    "%(submitted)s (the default: waits for approval) or %(paid)s (paid before the portal; "
                    "administrators only)"
                )
                % {"submitted": DisbursementStatus.SUBMITTED.label, "paid": DisbursementStatus.PAID.label},
            ),
            Column(
                "备注",
                "note",
                False,
                ("note",),
                note=gettext_lazy("For a group: who was helped, e.g. 环卫工人 (empty: the programme's name)"),
            ),
        ]

    def find_programme(self, name, year, paying):
        programmes = list(Programme.objects.restrict(self.user).filter(name=name, year=year).select_related("owner"))
        if len(programmes) > 1 and paying is not None:
            # Several federations above the payer run a programme of this name: the closest one's.
            fitting = [p for p in programmes if paying.path.startswith(p.owner.path)]
            if fitting:
                programmes = [max(fitting, key=lambda p: len(p.owner.path))]
        if not programmes:
            raise ValidationError(
                _("There is no relief programme “%(name)s” of %(year)s in your branch.") % {"name": name, "year": year}
            )
        if len(programmes) > 1:
            raise ValidationError(
                _("Several relief programmes “%(name)s” of %(year)s in your branch: let one of their owners import it.")
                % {"name": name, "year": year}
            )
        return programmes[0]

    def find_beneficiary(self, id_number):
        # With its organization: Disbursement.clean reads the file's branch.
        person = (
            Beneficiary.objects.restrict(self.user).filter(id_number=id_number).select_related("organization").first()
        )
        if person is None:
            # The same words whether the number is on file in another branch or nowhere.
            raise ValidationError(_("No hardship file of your branch has this resident ID number."))
        return person

    def save_row(self, values, row):
        errors = {}
        paying = programme = person = None
        try:
            paying = find_organization(self.user, values["paying_organization"], Action.ADD)
        except ValidationError as error:
            _add(errors, "paying_organization", error)
        try:
            programme = self.find_programme(values["programme"], values["date"].year, paying)
        except ValidationError as error:
            _add(errors, "programme", error)

        note = values.get("note", "")
        fields = {"cash": values["cash"], "date": values["date"]}
        if "id_number" in values:
            try:
                person = self.find_beneficiary(values["id_number"])
            except ValidationError as error:
                _add(errors, "id_number", error)
            if values.get("head_count", 1) != 1:
                _add(
                    errors,
                    "head_count",
                    ValidationError(_("A disbursement to one person helps one person: leave 受助人数 empty.")),
                )
            fields.update(beneficiary=person, note=note)
        else:
            if "head_count" not in values:
                _add(
                    errors,
                    "head_count",
                    ValidationError(_("A group disbursement (no 身份证号) needs the number of people helped.")),
                )
            # The group is named in 备注, or after the programme (环卫工人慰问).
            fields.update(group_name=note or values["programme"], head_count=values.get("head_count", 1))

        historical = values.get("status") == DisbursementStatus.PAID
        if historical and not services.may_record_historical(self.user):
            _add(
                errors,
                "status",
                ValidationError(
                    _("Only an administrator may import disbursements as %(paid)s.")
                    % {"paid": DisbursementStatus.PAID.label}
                ),
            )

        if errors:
            # The model's own checks on the rest of the row, so that every error is listed at
            # once; fields already refused are left out, so their constraints add no second one.
            disbursement = Disbursement(programme=programme, paying_organization=paying, created_by=self.user, **fields)
            found = {
                "programme": programme,
                "paying_organization": paying,
                "beneficiary": person or "group_name" in fields,
            }
            try:
                disbursement.full_clean(exclude=[name for name, value in found.items() if not value])
            except ValidationError as error:
                self._add_model_errors(errors, error, values)
            raise ValidationError(errors)

        try:
            if historical:
                return services.disbursement_record_historical(
                    user=self.user, programme=programme, paying_organization=paying, **fields
                )
            disbursement = services.disbursement_create(
                user=self.user, programme=programme, paying_organization=paying, **fields
            )
            return services.disbursement_submit(disbursement=disbursement, user=self.user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                self._add_model_errors(errors, error, values)
            else:
                for item in error.error_list:
                    _add(errors, _RULE_COLUMNS.get(item.code, "programme"), item)
            raise ValidationError(errors) from None

    def _add_model_errors(self, errors, error, values):
        for field, items in error.error_dict.items():
            if field == "group_name":
                # The group's name came from 备注, or from the programme's name.
                field = "note" if values.get("note") else "programme"
            elif field == "beneficiary":
                field = "id_number"
            elif field == "in_kind_value":
                field = "cash"
            for item in items:
                _add(errors, field, item)

    def describe(self, obj):
        # The person's name, never their ID number.
        return _("%(programme)s · %(recipient)s · %(amount)s yuan (%(status)s)") % {
            "programme": obj.programme,
            "recipient": obj.recipient_display,
            "amount": obj.amount,
            "status": obj.get_status_display(),
        }
