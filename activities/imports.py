"""Imports of honours and activities from the templates of DESIGN.md."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.forms import title_fits
from activities.models import (
    Activity,
    ActivityKind,
    Campaign,
    Honour,
    HonourLevel,
    HonourStatus,
    HonourTitle,
    RecipientType,
)
from activities.services import activity_save
from organizations.imports import find_organization
from unionportal.importing import Column, Importer, parse_choice, parse_date, parse_int, register
from unionportal.roles import Action

DATES = gettext_lazy("2018-03-31, 2018/3/31, 2018年3月31日 or an Excel date")


def _labels(choices):
    return "、".join(str(label) for _code, label in choices)


class _ImportedStatus:
    """The statuses an import may set: 推荐 (recommended) or 获评 (conferred)."""

    choices = [
        (HonourStatus.RECOMMENDED.value, HonourStatus.RECOMMENDED.label),
        (HonourStatus.CONFERRED.value, HonourStatus.CONFERRED.label),
    ]


def parse_year(value):
    year = parse_int(value)
    if not 1949 <= year <= 2100:
        raise ValidationError(_("Enter a year such as 2018."))
    return year


def _add(errors, field, error):
    errors.setdefault(field, []).extend(error.error_list if hasattr(error, "error_list") else [error])


@register
class HonourImporter(Importer):
    kind = "honours"
    title = gettext_lazy("Honours")

    @property
    def columns(self):
        return [
            Column(
                "荣誉名称",
                "title",
                True,
                ("title", "honour title", "honour"),
                note=gettext_lazy("A title of the catalogue, e.g. 五一劳动奖章"),
            ),
            Column("级别", "level", True, ("level",), parse_choice(HonourLevel), _labels(HonourLevel.choices)),
            Column("年度", "year", True, ("year",), parse_year, gettext_lazy("A year such as 2018")),
            Column(
                "获得者类型",
                "recipient_type",
                True,
                ("recipient type", "recipient_type"),
                parse_choice(RecipientType),
                _labels(RecipientType.choices),
            ),
            Column(
                "获得者",
                "recipient",
                True,
                ("recipient",),
                note=gettext_lazy("Collective: the union's full name; individual: the person's full name"),
            ),
            Column(
                "所在组织",
                "organization",
                True,
                ("organization",),
                note=gettext_lazy("Full name of an organization in your branch: the union honoured, or the person's"),
            ),
            Column("授予单位", "conferring_body", False, ("conferring body", "conferring_body")),
            Column(
                "状态",
                "status",
                False,
                ("status",),
                parse_choice(_ImportedStatus),
                gettext_lazy("%(labels)s; empty for %(default)s")
                % {"labels": _labels(_ImportedStatus.choices), "default": HonourStatus.CONFERRED.label},
            ),
        ]

    def find_title(self, name, level, organization):
        titles = [
            title
            for title in HonourTitle.objects.restrict(self.user).filter(name=name, level=level).select_related("owner")
            if organization is None or title_fits(title, organization)
        ]
        if not titles:
            raise ValidationError(
                _("There is no honour title “%(name)s” at the level %(level)s in the catalogue.")
                % {"name": name, "level": HonourLevel(level).label}
            )
        if len(titles) > 1:
            raise ValidationError(
                _("Several honour titles “%(name)s” at the level %(level)s: ask an administrator to rename one.")
                % {"name": name, "level": HonourLevel(level).label}
            )
        return titles[0]

    def save_row(self, values, row):
        errors = {}
        organization = title = None
        try:
            organization = find_organization(self.user, values["organization"], Action.ADD)
        except ValidationError as error:
            _add(errors, "organization", error)
        try:
            title = self.find_title(values["title"], values["level"], organization)
        except ValidationError as error:
            _add(errors, "title", error)
        if title and title.recipient_type != values["recipient_type"]:
            _add(
                errors,
                "recipient_type",
                ValidationError(
                    _("%(title)s is for a %(type)s recipient.")
                    % {"title": values["title"], "type": title.get_recipient_type_display()}
                ),
            )
        honour = Honour(
            title=title,
            year=values["year"],
            organization=organization,
            status=values.get("status", HonourStatus.CONFERRED),
            conferring_body=values.get("conferring_body", ""),
        )
        if values["recipient_type"] == RecipientType.COLLECTIVE:
            # The recipient is a union of the branch, and 所在组织 names the same union.
            try:
                recipient = find_organization(self.user, values["recipient"], Action.ADD)
            except ValidationError as error:
                _add(errors, "recipient", error)
            else:
                if organization and recipient != organization:
                    _add(
                        errors,
                        "organization",
                        ValidationError(_("For a collective title this is the union honoured, the same as 获得者.")),
                    )
        else:
            honour.recipient_name = values["recipient"]
            honour.recipient_unit = organization.name if organization else ""
        if not errors:
            try:
                honour.full_clean()
            except ValidationError as error:
                for field, items in error.error_dict.items():
                    # The duplicate rule and the recipient's fields are about the 获得者 column.
                    if field in (NON_FIELD_ERRORS, "recipient_name", "recipient_unit", "cadre"):
                        field = "recipient"
                    for item in items:
                        _add(errors, field, item)
        if errors:
            raise ValidationError(errors)
        honour._history_user = self.user
        honour.save()
        return honour

    def describe(self, obj):
        return _("%(title)s · %(recipient)s · %(year)s (%(status)s)") % {
            "title": obj.title,
            "recipient": obj.recipient_display,
            "year": obj.year,
            "status": obj.get_status_display(),
        }


@register
class ActivityImporter(Importer):
    kind = "activities"
    title = gettext_lazy("Activities")

    @property
    def columns(self):
        return [
            Column("活动名称", "title", True, ("title", "name")),
            Column("活动类型", "kind", True, ("kind",), parse_choice(ActivityKind), _labels(ActivityKind.choices)),
            Column(
                "主办组织",
                "organizer",
                True,
                ("organizer",),
                note=gettext_lazy("Full name of an organization in your branch"),
            ),
            Column("开始日期", "start", True, ("start date", "start"), parse_date, DATES),
            Column("结束日期", "end", False, ("end date", "end"), parse_date, DATES),
            Column("参与人次", "participants", False, ("participants",), parse_int),
            Column(
                "系列活动",
                "campaign",
                False,
                ("campaign",),
                note=gettext_lazy("Name of a campaign of your branch in the year of the start date"),
            ),
            Column("地点", "place", False, ("place",)),
        ]

    def find_campaign(self, name, year, organizer):
        campaigns = list(Campaign.objects.restrict(self.user).filter(name=name, year=year))
        if len(campaigns) > 1 and organizer is not None:
            # Several federations of the branch run a series of this name: the organizer's own.
            campaigns = [campaign for campaign in campaigns if campaign.organizer_id == organizer.pk] or campaigns
        if not campaigns:
            raise ValidationError(
                _("There is no campaign “%(name)s” of %(year)s in your branch.") % {"name": name, "year": year}
            )
        if len(campaigns) > 1:
            raise ValidationError(
                _("Several campaigns “%(name)s” of %(year)s in your branch: let one of their organizers import it.")
                % {"name": name, "year": year}
            )
        return campaigns[0]

    def save_row(self, values, row):
        errors = {}
        organizer = campaign = None
        try:
            organizer = find_organization(self.user, values["organizer"], Action.ADD)
        except ValidationError as error:
            _add(errors, "organizer", error)
        if values.get("campaign"):
            try:
                campaign = self.find_campaign(values["campaign"], values["start"].year, organizer)
            except ValidationError as error:
                _add(errors, "campaign", error)
        activity = Activity(
            title=values["title"],
            kind=values["kind"],
            organizer=organizer,
            campaign=campaign,
            start=values["start"],
            end=values.get("end"),
            participants=values.get("participants", 0),
            place=values.get("place", ""),
        )
        try:
            activity.full_clean(exclude=["organizer"] if organizer is None else None)
        except ValidationError as error:
            for field, items in error.error_dict.items():
                for item in items:
                    _add(errors, field, item)
        if errors:
            raise ValidationError(errors)
        return activity_save(activity=activity, co_organizers=[], user=self.user)

    def describe(self, obj):
        return _("%(title)s (%(kind)s, %(organizer)s, %(start)s)") % {
            "title": obj.title,
            "kind": obj.get_kind_display(),
            "organizer": obj.organizer.name,
            "start": obj.start.isoformat(),
        }
