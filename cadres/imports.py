"""Import of cadres from the template of DESIGN.md: each row is a cadre and their first post."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.models import Cadre, Education, Gender, PoliticalStatus, Position, Rank, Staffing
from cadres.services import cadres_create, new_post
from organizations.imports import find_organization, remember_organizations
from unionportal.importing import (
    Column,
    Importer,
    normalize_text,
    parse_choice,
    parse_date,
    parse_number_as_text,
    register,
)
from unionportal.roles import Action
from unionportal.validators import normalize_resident_id, resident_id_birth_date

# The unique constraint on the ID number: its message and code when a row's number is taken.
ID_NUMBER_TAKEN = next(c for c in Cadre._meta.constraints if c.name == "cadre_unique_id_number")

# 专兼职: the labels of DESIGN.md, then English words and the model's booleans.
_FULL_TIME = {
    "专职": True,
    "兼职": False,
    "full-time": True,
    "full time": True,
    "part-time": False,
    "part time": False,
    "true": True,
    "false": False,
}


def parse_full_time(value):
    if isinstance(value, bool):
        return value
    text = normalize_text(value)
    try:
        return _FULL_TIME[text.lower()]
    except KeyError:
        raise ValidationError(
            _("“%(value)s” is not one of: %(labels)s.") % {"value": text, "labels": "专职、兼职"}
        ) from None


def parse_compact(value):
    """ID and mobile numbers: full-width digits and stray spaces are common in filled templates."""
    return normalize_text(value).replace(" ", "")


def _labels(choices):
    return "、".join(str(label) for _code, label in choices.choices)


@register
class CadreImporter(Importer):
    kind = "cadres"
    title = gettext_lazy("Cadres")

    @property
    def columns(self):
        dates = gettext_lazy("2018-03-31, 2018/3/31, 2018年3月31日 or an Excel date")
        return [
            Column("姓名", "full_name", True, ("full name", "name")),
            Column("性别", "gender", True, ("gender",), parse_choice(Gender), _labels(Gender)),
            Column("出生日期", "birth_date", False, ("birth date",), parse_date, dates),
            Column("民族", "ethnicity", False, ("ethnicity",)),
            Column("学历", "education", False, ("education",), parse_choice(Education), _labels(Education)),
            Column(
                "政治面貌",
                "political_status",
                False,
                ("political status",),
                parse_choice(PoliticalStatus),
                _labels(PoliticalStatus),
            ),
            Column("身份证号", "id_number", False, ("id number", "resident id"), parse_number_as_text, text=True),
            Column("手机号", "mobile", False, ("mobile",), parse_compact, text=True),
            Column(
                "所在组织",
                "organization",
                True,
                ("organization",),
                note=gettext_lazy("Full name of an organization in your branch"),
            ),
            Column("职务", "position", True, ("position",), parse_choice(Position), _labels(Position)),
            Column("职级", "rank", False, ("rank",), parse_choice(Rank), _labels(Rank)),
            Column("专兼职", "full_time", False, ("full-time", "full time"), parse_full_time, "专职、兼职"),
            Column("人员类别", "staffing", False, ("staffing",), parse_choice(Staffing), _labels(Staffing)),
            Column("任职日期", "start", False, ("start date", "start"), parse_date, dates),
        ]

    batch_size = 500

    def __init__(self, user):
        super().__init__(user)
        self._organizations = {}
        self._taken_ids = set()  # the file's ID numbers already on record, and those of the rows built

    def prepare(self, rows, mapping):
        names = self.column_values(rows, mapping, "organization")
        remember_organizations(self.user, names, Action.ADD, memo=self._organizations)
        numbers = sorted({normalize_resident_id(n) for n in self.column_values(rows, mapping, "id_number")} - {""})
        for start in range(0, len(numbers), 500):
            # The condition of the constraint's partial index, restated: SQLite uses the index
            # only when the query carries it (without it, a scan of every cadre).
            self._taken_ids.update(
                Cadre.objects.exclude(id_number="")
                .filter(id_number__in=numbers[start : start + 500])
                .values_list("id_number", flat=True)
            )

    def build_row(self, values, row):
        errors = {}
        organization = None
        try:
            organization = find_organization(self.user, values["organization"], Action.ADD, memo=self._organizations)
        except ValidationError as error:
            errors["organization"] = error.error_list

        cadre_fields = ("full_name", "gender", "birth_date", "ethnicity", "education", "political_status", "mobile")
        cadre = Cadre(organization=organization, **{k: values[k] for k in cadre_fields if k in values})
        cadre.id_number = normalize_resident_id(values.get("id_number"))
        try:
            # The organization was found in the user's scope: no query to check that it exists.
            # The ID number's uniqueness is checked below, against the numbers looked up at once.
            cadre.full_clean(exclude=["organization"], validate_constraints=False)
            cadre.validate_constraints(exclude=["organization", "id_number"])
        except ValidationError as error:
            for field, items in error.error_dict.items():
                errors.setdefault(field, []).extend(items)
        if cadre.id_number and "id_number" not in errors and cadre.id_number in self._taken_ids:
            # What the unique constraint would say.
            message = ID_NUMBER_TAKEN.get_violation_error_message()
            errors["id_number"] = [ValidationError(message, code=ID_NUMBER_TAKEN.violation_error_code)]

        if cadre.id_number and "id_number" not in errors:
            inside = resident_id_birth_date(cadre.id_number)
            if cadre.birth_date is None:
                cadre.birth_date = inside
            elif cadre.birth_date != inside:
                errors.setdefault("birth_date", []).append(
                    ValidationError(_("The birth date differs from the one in the resident ID number."))
                )
            # The 17th character is odd for men, even for women.
            expected = Gender.MALE if int(cadre.id_number[16]) % 2 else Gender.FEMALE
            if cadre.gender != expected:
                errors.setdefault("gender", []).append(
                    ValidationError(_("The gender differs from the one in the resident ID number."))
                )

        if errors:
            raise ValidationError(errors)
        post = new_post(
            cadre=cadre,
            user=self.user,
            organization=organization,
            position=values["position"],
            start=values.get("start") or timezone.localdate(),
            **{k: values[k] for k in ("rank", "full_time", "staffing") if k in values},
        )
        if cadre.id_number:
            self._taken_ids.add(cadre.id_number)
        return post

    def save_rows(self, built):
        return cadres_create(built, user=self.user)

    def describe(self, obj):
        # Never the ID number: the preview is shown to everyone who may import.
        return _("%(name)s (%(gender)s, %(organization)s · %(position)s)") % {
            "name": obj.cadre.full_name,
            "gender": obj.cadre.get_gender_display(),
            "organization": obj.organization.name,
            "position": obj.get_position_display(),
        }
