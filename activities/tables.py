import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Campaign, Honour, HonourLevel, HonourTitle, RecipientType
from organizations.tables import yuan
from unionportal.tables import DateColumn, Table

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class CampaignTable(Table):
    name = tables.Column(linkify=True)
    organizer = tables.Column(verbose_name=_("organizer"), accessor="organizer__name", order_by="organizer__path")
    activity_count = tables.Column(verbose_name=_("activities"), attrs=NUMBER)
    participant_total = tables.Column(verbose_name=_("participant person-times"), attrs=NUMBER)

    class Meta:
        model = Campaign
        fields = ["name", "year", "organizer", "activity_count", "participant_total"]
        order_by = ("-year", "name")


class ActivityTable(Table):
    title = tables.Column(linkify=True)
    kind = tables.Column(verbose_name=_("activity type"))
    organizer = tables.Column(verbose_name=_("organizer"), accessor="organizer__name", order_by="organizer__path")
    # The name the list reads where the reader may read the campaign (ActivityListView).
    campaign = tables.Column(verbose_name=_("campaign"), accessor="campaign_name", order_by=("campaign_name",))
    start = DateColumn(format="Y-m-d")
    end = DateColumn(format="Y-m-d")
    participants = tables.Column(attrs=NUMBER)
    entries = tables.Column(attrs=NUMBER)
    funds_spent = tables.Column(attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
    materials = tables.Column(attrs=NUMBER)
    enterprises = tables.Column(attrs=NUMBER)
    jobs_offered = tables.Column(attrs=NUMBER)
    people_placed = tables.Column(attrs=NUMBER)

    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "organizer",
            "campaign",
            "start",
            "end",
            "place",
            "participants",
            "entries",
            "funds_spent",
            "materials",
            "enterprises",
            "jobs_offered",
            "people_placed",
        ]
        order_by = ("-start", "title")

    def render_funds_spent(self, value):
        return yuan(value)

    def value_funds_spent(self, value):
        return value


LEVELS = dict(HonourLevel.choices)
RECIPIENT_TYPES = dict(RecipientType.choices)


class HonourTable(Table):
    year = tables.Column()
    title = tables.Column(
        verbose_name=_("honour title"),
        accessor="title__name",
        order_by=("title__order", "title__name"),
        linkify=lambda record: record.get_absolute_url(),
    )
    level = tables.Column(verbose_name=_("level"), accessor="title__level", order_by=("title__level",))
    recipient_type = tables.Column(verbose_name=_("recipient type"), accessor="title__recipient_type")
    recipient = tables.Column(
        verbose_name=_("recipient"), accessor="recipient_display", order_by=("recipient_name", "organization__name")
    )
    recipient_unit = tables.Column()
    organization = tables.Column(
        verbose_name=_("organization"), accessor="organization__name", order_by="organization__path"
    )

    # An export reads values (unionportal/tables.py): Honour.recipient_display made from the fields.
    export_computed = {
        "recipient_display": (("recipient_name", "organization__name"), lambda name, organization: name or organization)
    }

    class Meta:
        model = Honour
        fields = [
            "year",
            "title",
            "level",
            "recipient_type",
            "recipient",
            "recipient_unit",
            "organization",
            "status",
            "conferring_body",
            "document_number",
        ]
        order_by = ("-year", "title")

    def render_level(self, value):
        return LEVELS.get(value, value)

    def value_level(self, value):
        return str(LEVELS.get(value, value))

    def render_recipient_type(self, value):
        return RECIPIENT_TYPES.get(value, value)

    def value_recipient_type(self, value):
        return str(RECIPIENT_TYPES.get(value, value))


class HonourTitleTable(Table):
    name = tables.Column(linkify=True)
    # No empty values: a title without an owner is shown as the portal's, not as a blank.
    owner = tables.Column(verbose_name=_("defined by"), accessor="owner__name", order_by="owner__path", empty_values=())
    honour_count = tables.Column(verbose_name=_("honours"), attrs=NUMBER)
    edit = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta:
        model = HonourTitle
        fields = ["name", "level", "recipient_type", "owner", "order", "honour_count", "edit"]
        order_by = ("order", "name", "level")

    def __init__(self, *args, user=None, may_change=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_change = may_change

    def editable(self, record):
        """Titles an administrator changes: those of their branch; a superuser's, every one."""
        if not self.may_change:
            return False
        if self.user.is_superuser:
            return True
        return bool(record.owner_id) and record.owner.path.startswith(self.user.organization.path)

    def render_owner(self, record):
        return record.owner.name if record.owner_id else _("Shipped with the portal")

    def value_owner(self, record):
        return str(self.render_owner(record))

    def render_edit(self, record):
        if not self.editable(record):
            return ""
        return format_html(
            '<a href="{}" aria-label="{}"><i class="bi bi-pencil"></i></a>',
            reverse("activities:honourtitle_update", args=[record.pk]),
            _("Edit"),
        )
