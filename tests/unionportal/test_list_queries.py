"""Every list page costs the same few queries for 5 rows as for 50, at every tier: a page of
50 records with a filter and a sort is at most MAX_QUERIES queries (the user with their
organization, the count and totals, the page, the dropdowns' short lists), never one per row, and no dropdown
lists a whole province's unions or campaigns.

District A's branch holds 50 records of every kind, spread over 49 unions; district B's
holds 5 over 4. A city-level reader opens each list filtered to A and to B: the two pages cost
the same. Each district's own staff and leaders stay within the same bound."""

import datetime
import itertools
import re
from decimal import Decimal
from html.parser import HTMLParser

from django import forms
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from accounts.models import AuditEvent
from activities.models import Activity, Campaign, Honour, HonourLevel, HonourTitle, RecipientType
from cadres.models import Attendance, Cadre, Post, Training
from organizations.models import FundAllocation, Purpose
from relief.models import Beneficiary, Disbursement, DisbursementStatus, Programme
from standards.models import Assessment, AssessmentStatus, Standard
from tests.base import PortalTestCase, make_org, make_user
from tests.cadres.data import resident_id
from unionportal.tables import stable
from unionportal.templatetags.portal import widget_html

# A page is 3 to 5 of them today (sessions come from the cache and are written once a minute;
# the disbursement and cadre lists read their keys first);
# the bound leaves room for a list's own dropdowns.
MAX_QUERIES = 8
YEAR = 2025


class OptionParser(HTMLParser):
    """(optgroup, value, selected, label) of each option of a <select>."""

    @classmethod
    def read(cls, html):
        parser = cls()
        parser.options, parser.group, parser.current = [], None, None
        parser.feed(html)
        return parser.options

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "optgroup":
            self.group = attrs["label"]
        elif tag == "option":
            self.current = [self.group, attrs["value"], "selected" in attrs, ""]

    def handle_endtag(self, tag):
        if tag == "optgroup":
            self.group = None
        elif tag == "option":
            self.options.append(tuple(self.current))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current[3] += data


class InputParser(HTMLParser):
    """(type, name, value, id) of each <input>."""

    @classmethod
    def read(cls, html):
        parser = cls()
        parser.inputs = []
        parser.feed(str(html))
        return parser.inputs

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attrs = dict(attrs)
            self.inputs.append((attrs.get("type"), attrs.get("name"), attrs.get("value"), attrs.get("id")))


def spread(unions, count):
    return list(itertools.islice(itertools.cycle(unions), count))


class ListQueriesTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unions_a = [cls.union_a] + [make_org(cls.district_a, f"甲区第{n}工会") for n in range(48)]
        cls.unions_b = [cls.union_b] + [make_org(cls.district_b, f"乙区第{n}工会") for n in range(3)]
        cls.city.refresh_from_db()
        cls.district_a.refresh_from_db()
        cls.district_b.refresh_from_db()
        title = HonourTitle.objects.create(
            name="模范职工之家", level=HonourLevel.COUNTY, recipient_type=RecipientType.COLLECTIVE, owner=cls.city
        )
        for side, unions, count in (("甲", cls.unions_a, 50), ("乙", cls.unions_b, 5)):
            district = cls.district_a if side == "甲" else cls.district_b
            owner_user = cls.alice if side == "甲" else cls.bob
            campaign = Campaign.objects.create(name=f"{side}区活动月", year=YEAR, organizer=district)
            standard = Standard.objects.create(name=f"{side}区评估标准", owner=district, kinds=["grassroots"])
            programme = Programme.objects.create(
                name=f"{side}区送温暖",
                year=YEAR,
                owner=district,
                budget=Decimal(1000000),
                standard_amount=Decimal(100),
                cap_per_person=Decimal(5000),
            )
            for n, union in enumerate(spread(unions, count)):
                FundAllocation.objects.create(
                    source=cls.city,
                    recipient=union,
                    date=datetime.date(YEAR, 1, 1 + n % 28),
                    amount=100 + n,
                    purpose=Purpose.ROUTINE,
                )
                cadre = Cadre.objects.create(full_name=f"{side}干部{n}", gender="male", organization=union)
                Post.objects.create(cadre=cadre, organization=union, position="chair", start=datetime.date(2020, 1, 1))
                training = Training.objects.create(
                    title=f"{side}培训{n}", organizer=union, start=datetime.date(YEAR, 3, 1)
                )
                Attendance.objects.create(training=training, cadre=cadre)
                Activity.objects.create(
                    title=f"{side}活动{n}",
                    kind="competition",
                    organizer=union,
                    start=datetime.date(YEAR, 5, 1),
                    participants=n,
                    campaign=campaign,
                )
                Campaign.objects.create(name=f"{side}区竞赛{n}", year=YEAR, organizer=union)
                Honour.objects.create(title=title, year=YEAR - n // len(unions), organization=union)
                HonourTitle.objects.create(
                    name=f"{side}区荣誉{n}",
                    level=HonourLevel.COUNTY,
                    recipient_type=RecipientType.COLLECTIVE,
                    owner=district,
                )
                Standard.objects.create(name=f"{side}区标准{n}", owner=district, kinds=["grassroots"])
                Assessment.objects.create(
                    organization=union,
                    standard=standard,
                    year=YEAR - n // len(unions),
                    status=AssessmentStatus.APPROVED,
                    created_by=owner_user,
                )
                person = Beneficiary.objects.create(
                    full_name=f"{side}困难职工{n}",
                    id_number=resident_id(sequence=f"{n:03d}", region="522799" if side == "甲" else "522798"),
                    organization=union,
                    hardship_level="deep",
                    filed_on=datetime.date(YEAR, 1, 2),
                )
                Programme.objects.create(
                    name=f"{side}区项目{n}",
                    year=YEAR,
                    owner=district,
                    budget=Decimal(1000),
                    standard_amount=Decimal(10),
                    cap_per_person=Decimal(100),
                )
                Disbursement.objects.create(
                    programme=programme,
                    beneficiary=person,
                    cash=Decimal(100),
                    date=datetime.date(YEAR, 6, 1),
                    paying_organization=union,
                    status=DisbursementStatus.PAID,
                    created_by=owner_user,
                )
                make_user(f"{'a' if side == '甲' else 'b'}user{n}", union, "staff")
                AuditEvent.objects.create(
                    kind="login",
                    username=owner_user.username,
                    user=owner_user,
                    organization_path=owner_user.organization.path,
                    organization_name=owner_user.organization.name,
                )

    def lists(self):
        """(url name, filter of district A's records, filter of B's, sort)."""
        a, b = self.district_a.pk, self.district_b.pk
        by_branch = lambda sort: ({"branch": a}, {"branch": b}, sort)  # noqa: E731
        return {
            "organizations:organization_list": ({"branch": a}, {"branch": b}, "-name"),
            "organizations:fundallocation_list": by_branch("-amount"),
            "cadres:post_list": by_branch("organization"),
            "cadres:training_list": by_branch("-start"),
            "activities:activity_list": by_branch("-participants"),
            "activities:campaign_list": ({"branch": a, "name": "竞赛"}, {"branch": b, "name": "竞赛"}, "name"),
            "activities:honour_list": by_branch("-year"),
            "activities:honourtitle_list": ({"name": "甲区荣誉"}, {"name": "乙区荣誉"}, "name"),
            "standards:standard_list": ({"name": "甲区标准"}, {"name": "乙区标准"}, "name"),
            "standards:assessment_list": by_branch("-year"),
            "relief:beneficiary_list": by_branch("full_name"),
            "relief:programme_list": ({"name": "甲区项目"}, {"name": "乙区项目"}, "name"),
            "relief:disbursement_list": by_branch("-date"),
            "accounts:user_list": ({"branch": a, "q": "user"}, {"branch": b, "q": "user"}, "username"),
            "accounts:auditevent_list": ({"username": "alice"}, {"username": "bob"}, "-time"),
            "reports:missing_figures": ({"branch": a, "year": YEAR}, {"branch": b, "year": YEAR}, "name"),
        }

    def queries(self, user, name, params, sort):
        self.login(user)
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(reverse(name), {**params, "sort": sort})
        self.assertEqual(response.status_code, 200, name)
        # The savepoint around the session's save exists only inside the test's transaction;
        # in production the same atomic block is a BEGIN and COMMIT that no query log shows.
        counted = [query for query in context.captured_queries if "SAVEPOINT" not in query["sql"]]
        return len(counted), len(response.context["table"].page.object_list), context

    def readers(self, name):
        if name == "accounts:user_list":
            return [self.ada, self.root]
        if name == "accounts:auditevent_list":
            return [self.otto, self.root]
        return [self.ada, self.lena, self.root]

    def test_5_and_50_rows_cost_the_same_few_queries(self):
        for name, (many, few, sort) in self.lists().items():
            for user in self.readers(name):
                with self.subTest(name, user=user.username):
                    # The reader's first list reads the tree's shape below them, kept for every
                    # list after it (unionportal/branchfigures.py).
                    self.queries(user, name, {}, sort)
                    fifty, rows, context = self.queries(user, name, many, sort)
                    five, rows_b, _ = self.queries(user, name, few, sort)
                    # Units that file figures are the unions: 49 and 4 (the districts do not file).
                    expected = (49, 4) if name == "reports:missing_figures" else (50, 5)
                    self.assertEqual((rows, rows_b), expected)
                    sql = "\n".join(query["sql"][:300] for query in context.captured_queries)
                    self.assertLessEqual(fifty, MAX_QUERIES, sql)
                    self.assertEqual(fifty, five, sql)

    def test_each_tier_stays_within_the_bound(self):
        adam = self.adam
        leo = self.leo
        for name, (many, few, sort) in self.lists().items():
            if name == "accounts:auditevent_list":
                continue
            for user, params in ((adam, many), (self.alice, many), (leo, few), (self.bob, few)):
                if name == "accounts:user_list" and user.role != "admin":
                    continue
                with self.subTest(name, user=user.username):
                    count, _rows, context = self.queries(user, name, params, sort)
                    sql = "\n".join(query["sql"][:300] for query in context.captured_queries)
                    self.assertLessEqual(count, MAX_QUERIES, sql)

    def test_compiled_columns_show_and_export_what_django_tables2_would(self):
        """The lean renderer (unionportal/tables.py) is django-tables2's semantics worked out
        once per column: every cell of every list, shown and exported, is the cell
        django-tables2's own BoundRow gives."""
        for name, (many, _few, sort) in self.lists().items():
            user = self.otto if name == "accounts:auditevent_list" else self.ada
            with self.subTest(name):
                self.login(user)
                response = self.client.get(reverse(name), {**many, "sort": sort})
                table = response.context["table"]
                shown = table.compiled_columns()
                exported = {column.bound_column.name: column for column in table.compiled_columns(export=True)}
                rows = list(table.page.object_list)
                self.assertTrue(rows)
                for row in rows:
                    for column in shown:
                        cell = row.get_cell(column.bound_column.name)
                        expected = conditional_escape(localize(template_localtime(cell)))
                        self.assertEqual(column.html(row.record), expected)
                    for column_name, column in exported.items():
                        self.assertEqual(column.value(row.record), row.get_cell_value(column_name))
                self.assertIn(str(shown[0].html(rows[0].record)), response.content.decode())

    def test_tables_are_the_html_django_tables2_would_write(self):
        """Header, rows and pagination are written by the table (unionportal/tables.py); every
        list, on a first, middle and last page of many, reads as django-tables2's own Bootstrap
        template writes it, once the space between tags is set aside, and but for the
        pagination's label, which is in the reader's language (django-tables2's is English)."""

        def tags(html):
            return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()

        for name, (many, _few, sort) in self.lists().items():
            user = self.otto if name == "accounts:auditevent_list" else self.ada
            self.login(user)
            response = self.client.get(reverse(name), {**many, "sort": sort, "page": 2})
            request = response.wsgi_request
            table = response.context["table"]
            for page in (1, 2, 9, 17):
                with self.subTest(name, page=page):
                    table.paginate(page=page, per_page=3)
                    table.template_name = "generic/_table.html"
                    label = f'aria-label="{gettext("Table navigation")}"'
                    ours = table.as_html(request).replace(label, 'aria-label="Table navigation"')
                    table.template_name = "django_tables2/bootstrap5-responsive.html"
                    theirs = table.as_html(request)
                    self.assertEqual(tags(ours), tags(theirs))
                    self.assertIn("page=", ours if table.paginator.num_pages > 1 else "page=")
                    self.assertIn(f"sort={sort}", ours)

    def test_filter_dropdowns_offer_and_select_what_django_would(self):
        """The filter form's selects are written from their choices (unionportal/templatetags/
        portal.py): each offers the options, in the order, with the labels and the selection
        that Django's own Select.optgroups gives, for one value chosen and for several."""
        checked = ranges = 0
        for name, (many, _few, sort) in self.lists().items():
            user = self.otto if name == "accounts:auditevent_list" else self.ada
            self.login(user)
            # A range filled in on every list, so that ranges show their values.
            ranged = {"date_after": "2025-01-01", "year_min": "2024", "start_before": "x"}
            response = self.client.get(reverse(name), {**many, "sort": sort, **ranged})
            form = response.context["filter"].form
            for bound in form:
                widget = bound.field.widget
                if isinstance(widget, (forms.MultiWidget, forms.widgets.Input)):
                    with self.subTest(name, field=bound.name):
                        # The same inputs (type, name, value, id) as Django's own templates.
                        self.assertEqual(InputParser.read(widget_html(bound)), InputParser.read(bound.as_widget()))
                        ranges += isinstance(widget, forms.MultiWidget)
                    continue
                if not isinstance(widget, forms.Select):
                    continue
                with self.subTest(name, field=bound.name):
                    value = bound.value()
                    attrs = bound.build_widget_attrs({"id": bound.auto_id})
                    groups = widget.optgroups(bound.html_name, widget.format_value(value), attrs)
                    expected = [
                        (
                            group or None,
                            "" if option["value"] is None else str(option["value"]),
                            option["selected"],
                            str(option["label"]),
                        )
                        for group, options, _index in groups
                        for option in options
                    ]
                    html = widget_html(bound)
                    self.assertEqual(OptionParser.read(html), expected)
                    self.assertIn(f'name="{bound.html_name}"', html)
                    self.assertEqual(" multiple" in html.split(">", 1)[0], widget.allow_multiple_selected)
                    checked += 1
        self.assertGreater(checked, 30)
        self.assertGreater(ranges, 5)
        # Several values chosen at once, and a choice in a group.
        choices = [("a", "甲"), ("组", [("b", "乙<"), ("c", "丙")]), ("", "无")]
        form_class = type("Chosen", (forms.Form,), {"x": forms.MultipleChoiceField(choices=choices, required=False)})
        html = widget_html(form_class(data=QueryDict("x=b&x=c"))["x"])
        self.assertEqual(
            OptionParser.read(html),
            [(None, "a", False, "甲"), ("组", "b", True, "乙<"), ("组", "c", True, "丙"), (None, "", False, "无")],
        )
        self.assertIn(" multiple", html)

    def test_exports_read_as_values_give_what_the_records_give(self):
        """An export reads one values_list, with no model instance per row, when every column
        can be read so (unionportal/tables.py); each row it writes is the row the records give,
        and the lists that grow large do read values."""
        union = self.unions_a[1]
        programme = Programme.objects.get(name="甲区送温暖")
        # Shapes the fixture lacks: a group paid, a file without numbers, a person honoured.
        Disbursement.objects.create(
            programme=programme,
            group_name="甲区困难群体",
            head_count=3,
            cash=Decimal("90.00"),
            in_kind_value=Decimal("12.50"),
            date=datetime.date(YEAR, 7, 1),
            paying_organization=union,
            status=DisbursementStatus.APPROVED,
            created_by=self.alice,
        )
        Beneficiary.objects.create(
            full_name="甲区无证件",
            birth_date=datetime.date(1970, 1, 1),
            gender="female",
            organization=union,
            hardship_level="deep",
            filed_on=datetime.date(YEAR, 2, 1),
        )
        individual = HonourTitle.objects.create(
            name="岗位能手", level=HonourLevel.PREFECTURE, recipient_type=RecipientType.INDIVIDUAL, owner=self.city
        )
        Honour.objects.create(title=individual, year=YEAR, organization=union, recipient_name="甲区能手")
        read_as_values = {
            "organizations:organization_list",
            "organizations:fundallocation_list",
            "cadres:post_list",
            "cadres:training_list",
            "activities:activity_list",
            "activities:campaign_list",
            "activities:honour_list",
            "standards:assessment_list",
            "relief:beneficiary_list",
            "relief:programme_list",
            "relief:disbursement_list",
            "accounts:auditevent_list",
            "accounts:user_list",
            "reports:missing_figures",
        }
        for name, (many, _few, sort) in self.lists().items():
            user = self.otto if name == "accounts:auditevent_list" else self.ada
            with self.subTest(name):
                self.login(user)
                table = self.client.get(reverse(name), {**many, "sort": sort}).context["table"]
                queryset = table.data.data
                # Rows that tie on the sort come in any order from each of the two queries.
                ordering = queryset.query.order_by or queryset.model._meta.ordering
                queryset = queryset.order_by(*ordering, "pk")
                plan = table.export_values_plan(queryset)
                self.assertEqual(plan is not None, name in read_as_values)
                rows = list(table.export_queryset_rows(queryset, chunk_size=7))
                self.assertEqual(rows, list(table.export_rows(queryset)))
                self.assertGreaterEqual(len(rows), 49)  # the 49 unions of A for missing figures

    def test_lists_read_keys_first_show_the_rows_one_query_would(self):
        """The disbursement and cadre lists read a page's keys, then its rows (KeysFirstData):
        every sort, on the list's own columns, on related records and on annotations, and every
        page, shows the rows in the order one query over the filtered rows gives."""
        sorts = {
            "relief:disbursement_list": ("-date", "recipient", "-total", "paying_organization", "programme"),
            "cadres:post_list": ("-start", "name", "organization", "birth_date", "-position"),
        }
        for name, orderings in sorts.items():
            for sort in orderings:
                for page in (1, 2):
                    with self.subTest(name, sort=sort, page=page):
                        self.login(self.ada)
                        response = self.client.get(
                            reverse(name), {"branch": self.district_a.pk, "sort": sort, "per_page": 20, "page": page}
                        )
                        table = response.context["table"]
                        shown = [row.record.pk for row in table.page.object_list]
                        ordered = stable(table.data.data)
                        expected = list(ordered.values_list("pk", flat=True)[(page - 1) * 20 : page * 20])
                        self.assertEqual(len(shown), 20)
                        self.assertEqual(shown, expected)

    def test_pages_never_repeat_or_skip_rows_that_tie_on_the_sort(self):
        """District A's disbursements share one date and its courses one start: paged by 20 in
        that order, three pages show each of the 50 rows once, because every page's query ends
        its ORDER BY with the key (PostgreSQL may return tied rows in any order)."""
        for name, sort, table_name in (
            ("relief:disbursement_list", "-date", "relief_disbursement"),
            ("cadres:training_list", "-start", "cadres_training"),
            ("activities:honour_list", "-year", "activities_honour"),
        ):
            with self.subTest(name):
                self.login(self.ada)
                seen = []
                for page in (1, 2, 3):
                    with CaptureQueriesContext(connection) as captured:
                        response = self.client.get(
                            reverse(name), {"branch": self.district_a.pk, "sort": sort, "per_page": 20, "page": page}
                        )
                    seen += [row.record.pk for row in response.context["table"].page.object_list]
                    pages = [
                        query["sql"]
                        for query in captured.captured_queries
                        if f'FROM "{table_name}"' in query["sql"] and "LIMIT" in query["sql"]
                    ]
                    self.assertTrue(pages)
                    for sql in pages:
                        # The key by name, or by its place in a keys-only SELECT ("1").
                        self.assertRegex(sql, rf'ORDER BY .*(, "{table_name}"\."id"|, 1) (ASC|DESC) LIMIT')
                self.assertEqual(len(seen), 50)
                self.assertEqual(len(set(seen)), 50)
