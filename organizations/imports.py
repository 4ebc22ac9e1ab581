"""Import of organizations from the template of DESIGN.md."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import MembershipFigure, Organization, OrganizationKind, UnitType
from organizations.services import organization_create
from unionportal.importing import Column, Importer, parse_choice, parse_date, parse_int, register
from unionportal.roles import Action


def find_organization(user, name, action=Action.VIEW, *, memo=None):
    """The organization of the user's scope with exactly this full name, for every import
    that names one; a missing or ambiguous name is a message, never a guess. With `memo` (a
    dict kept for one import), each name is looked up once however many rows name it."""
    if memo is not None:
        key = (name, action)
        if key not in memo:
            try:
                memo[key] = find_organization(user, name, action)
            except ValidationError as error:
                memo[key] = error
        if isinstance(memo[key], ValidationError):
            raise memo[key]
        return memo[key]
    matches = list(Organization.objects.restrict(user, action).filter(name=name)[:2])
    if not matches:
        raise ValidationError(_("There is no organization named “%(name)s” in your branch.") % {"name": name})
    if len(matches) > 1:
        raise ValidationError(
            _("Several organizations in your branch are named “%(name)s”; rename one so the name is unique.")
            % {"name": name}
        )
    return matches[0]


def remember_organizations(user, names, action=Action.VIEW, *, memo):
    """Look up many names at once for `find_organization(..., memo=memo)`: one query per 500
    names instead of one per name (a cadres import names a union in every row). A name found
    once is remembered; a name missing or found twice is left to find_organization, which
    says which."""
    wanted = sorted({name for name in names if name and (name, action) not in memo})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found = {}
        for organization in Organization.objects.restrict(user, action).filter(name__in=chunk):
            found.setdefault(organization.name, []).append(organization)
        for name, matches in found.items():
            if len(matches) == 1:
                memo[(name, action)] = matches[0]


def _labels(choices):
    return "、".join(str(label) for _code, label in choices.choices)


@register
class OrganizationImporter(Importer):
    kind = "organizations"
    title = gettext_lazy("Organizations")

    @property
    def columns(self):
        return [
            Column("名称", "name", True, ("name",), note=gettext_lazy("Full name, unique under its parent")),
            Column(
                "上级组织",
                "parent",
                True,
                ("parent",),
                note=gettext_lazy(
                    "Full name of an organization in your branch, or one created in an earlier row; "
                    "only a superuser may leave it empty, to create a new top-level federation"
                ),
            ),
            Column("组织类别", "kind", True, ("kind",), parse_choice(OrganizationKind), _labels(OrganizationKind)),
            Column(
                "单位性质", "unit_type", False, ("unit type", "unit_type"), parse_choice(UnitType), _labels(UnitType)
            ),
            Column(
                "统一社会信用代码",
                "credit_code",
                False,
                ("credit code", "credit_code"),
                note=gettext_lazy("18 characters, check character per GB 32100"),
            ),
            Column(
                "成立日期",
                "established",
                False,
                ("established",),
                parse_date,
                gettext_lazy("2018-03-31, 2018/3/31, 2018年3月31日 or an Excel date"),
            ),
            Column("会员人数", "members", False, ("members",), parse_int, gettext_lazy("This year's figure")),
            Column("职工人数", "employees", False, ("employees",), parse_int, gettext_lazy("This year's figure")),
            Column(
                "女会员人数",
                "women_members",
                False,
                ("women members", "women_members"),
                parse_int,
                gettext_lazy("This year's figure"),
            ),
            Column(
                "农民工会员人数",
                "migrant_members",
                False,
                ("migrant members", "migrant_members"),
                parse_int,
                gettext_lazy("This year's figure"),
            ),
            Column("地址", "address", False, ("address",)),
            Column(
                "联系电话",
                "phone",
                False,
                ("phone",),
                text=True,
                note=gettext_lazy("Mobile or landline such as 0854-7221234"),
            ),
        ]

    def is_required(self, column):
        if column.field == "parent" and self.user.is_superuser:
            return False
        return column.required

    def save_row(self, values, row):
        parent_name = values.pop("parent", None)
        try:
            parent = find_organization(self.user, parent_name, Action.ADD) if parent_name else None
        except ValidationError as error:
            # Keyed by field, so the error is listed under the 上级组织 column.
            raise ValidationError({"parent": error.error_list}) from None
        if parent is None and not self.user.is_superuser:
            raise ValidationError({"parent": _("This field is required.")})
        figures = {
            k: values.pop(k) for k in ("members", "employees", "women_members", "migrant_members") if k in values
        }
        try:
            organization = organization_create(parent=parent, user=self.user, **values)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "__all__" in error.error_dict:
                # The unique-name constraints are about the name column, the unique credit
                # code about its own column.
                for item in error.error_dict.pop("__all__"):
                    field = "credit_code" if item.code == "credit_code_taken" else "name"
                    error.error_dict.setdefault(field, []).append(item)
            raise
        if figures:
            figure = MembershipFigure(organization=organization, year=timezone.localdate().year, **figures)
            figure._history_user = self.user
            figure.full_clean()
            figure.save()
        return organization

    def describe(self, obj):
        return _("%(name)s (%(kind)s, under %(parent)s)") % {
            "name": obj.name,
            "kind": obj.get_kind_display(),
            "parent": obj.parent.name if obj.parent_id else "—",
        }
