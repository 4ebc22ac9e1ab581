import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from cadres.models import Post, Training
from unionportal.tables import DateColumn, Table
from unionportal.validators import mask_resident_id


class PostTable(Table):
    """One row per post. The resident ID column is always masked: lists and exports never
    carry full numbers, whoever reads them."""

    name = tables.Column(
        verbose_name=_("full name"), accessor="cadre__full_name", linkify=lambda record: record.cadre.get_absolute_url()
    )
    gender = tables.Column(verbose_name=_("gender"), accessor="cadre__gender")
    birth_date = DateColumn(verbose_name=_("birth date"), accessor="cadre__birth_date", format="Y-m-d")
    education = tables.Column(verbose_name=_("education"), accessor="cadre__education")
    id_number = tables.Column(verbose_name=_("resident ID number"), accessor="cadre__masked_id_number", orderable=False)
    organization = tables.Column(
        verbose_name=_("organization"), accessor="organization__name", order_by="organization__path"
    )
    full_time = tables.Column(verbose_name=_("full-time"))
    seconded = tables.Column(verbose_name=_("post travels with the person"))
    start = DateColumn(format="Y-m-d")
    end = DateColumn(format="Y-m-d")

    # An export reads values (unionportal/tables.py): the masked number made from the field.
    # Gender and education are shown by their labels, as every field with choices is.
    export_computed = {"cadre__masked_id_number": (("cadre__id_number",), mask_resident_id)}

    class Meta:
        model = Post
        fields = [
            "name",
            "gender",
            "birth_date",
            "education",
            "id_number",
            "organization",
            "position",
            "rank",
            "full_time",
            "staffing",
            "seconded",
            "start",
            "end",
        ]
        order_by = ("organization", "position")

    def render_full_time(self, value):
        return _("Full-time") if value else _("Part-time")

    def value_full_time(self, value):
        return str(self.render_full_time(value))

    def render_seconded(self, value):
        return _("Yes") if value else "—"

    def value_seconded(self, value):
        return str(self.render_seconded(value))


class TrainingTable(Table):
    title = tables.Column(linkify=True)
    organizer = tables.Column(verbose_name=_("organizer"), accessor="organizer__name", order_by="organizer__path")
    person_times = tables.Column(verbose_name=_("person-times"), orderable=True)
    start = DateColumn(format="Y-m-d")

    class Meta:
        model = Training
        fields = ["title", "organizer", "category", "start", "place", "hours", "sessions", "person_times"]
        order_by = "-start"
