"""Tables: django-tables2's declarations (columns, headers, ordering, pagination) with a lean
renderer for the rows, the header and the pagination.

django-tables2 works out each cell from scratch: it reads the render method's signature, looks
up the model field for choices and recomputes the column's attributes, for every cell of every
row, and its date columns compile a template per cell. On a 50-row page of 12 columns that was
most of the page's time, and most of an export's. Here each column is compiled once per table
(`CompiledColumn`): the same semantics (choices shown by their label, empty values shown as the
column's default, `render_FOO` and `value_FOO` called with the arguments they name, links),
worked out once, then applied to each record; a cell that depends on its value alone is made
once per distinct value of the page. The header's sort links and the pagination are written the
same way, as django-tables2's Bootstrap template writes them (its tags per header and page link
were a quarter of the table's time). Every table of the portal derives from `Table`."""

import contextlib
import datetime
import functools
import html
import inspect
import operator

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.utils.dateformat import format as format_date
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from django_tables2.columns.base import library
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.data import TableQuerysetData
from django_tables2.rows import BoundRow
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import A

from unionportal.cache import branch_sizes
from unionportal.scoping import branch_ranges

_MISSING = object()
# The arguments django-tables2 offers to render and value methods.
CELL_ARGUMENTS = frozenset(("value", "record", "column", "bound_column", "bound_row", "table"))


def _wanted_arguments(function):
    """The cell arguments `function` names, read once: None for all of them (it takes
    **kwargs), or a tuple; False when it names one that is not offered (django-tables2 then
    does not call it, and the cell is None). A method is read once per class, not once per
    table: its signature is its function's without the first argument."""
    underlying = getattr(function, "__func__", None)
    if underlying is not None and getattr(function, "__self__", None) is not None:
        return _arguments_of(underlying, bound=True)
    try:
        return _arguments_of(function, bound=False)
    except TypeError:  # not hashable
        return _arguments_of.__wrapped__(function, bound=False)


@functools.lru_cache(maxsize=1024)
def _arguments_of(function, *, bound):
    parameters = list(inspect.signature(function).parameters.values())
    if bound:
        parameters = parameters[1:]
    names = []
    for parameter in parameters:
        if parameter.kind is parameter.VAR_KEYWORD:
            return None
        if parameter.kind is parameter.VAR_POSITIONAL:
            continue
        names.append(parameter.name)
    if any(name not in CELL_ARGUMENTS for name in names):
        return False
    return tuple(names)


def html_text(value):
    """conditional_escape(value), without the check of its arguments for lazy text that
    escape's keep_lazy makes on every call (tens of thousands a page): the value as HTML."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return SafeString(html.escape(str(value)))


def _attrs_html(attrs, key):
    """{{ attrs.key.as_html }} in a template: the attributes, or nothing when there are none."""
    value = attrs.get(key) if attrs else None
    return value.as_html() if hasattr(value, "as_html") else ""


def _anchor(href, content):
    """format_html('<a href="{}">{}</a>', href, content), without its argument handling."""
    return SafeString(f'<a href="{html.escape(str(href))}">{html_text(content)}</a>')


def _field_path(model, bits):
    """Whether `bits` name a concrete field through relations (programme__name): a value a
    query can read as it is. A relation at the end (shown as its record's text), a property or a
    method on the way: no."""
    if model is None:
        return False
    for position, bit in enumerate(bits):
        try:
            field = model._meta.get_field(bit)
        except FieldDoesNotExist:
            return False
        last = position == len(bits) - 1
        if last:
            return field.concrete and not field.is_relation
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            return False
        model = field.related_model
    return False


class CompiledColumn:
    """One column of one table, ready to turn records into cells: `html(record)` for the page
    (escaped, localized and linked as django-tables2's template would show it) or
    `value(record)` for an export."""

    def __init__(self, table, bound_column, *, export):
        column = bound_column.column
        self.table = table
        self.bound_column = bound_column
        self.column = column
        self.accessor = A(bound_column.accessor)
        self.bits = tuple(self.accessor.bits)
        self.plain_accessor = not getattr(self.accessor, "callable_args", None) and not getattr(
            self.accessor, "callable_kwargs", None
        )
        model = table._meta.model
        field = self.accessor.get_field(model) if model is not None else None
        # A field with choices is shown by its label (Model.get_FOO_display), from a dict read once.
        # The labels are made text here, in the request's language: a lazy label compared with
        # the empty values would be translated again in every cell.
        self.labels = (
            {value: str(label) for value, label in field.flatchoices} if getattr(field, "choices", None) else None
        )
        self.link_text = isinstance(column, BaseLinkColumn) and column.text is not None
        self.many_to_many = isinstance(column, ManyToManyColumn)
        self.empty_values = column.empty_values
        self.function = bound_column.value if export else bound_column.render
        if getattr(self.function, "__func__", None) is tables.Column.value:
            # Column.value only calls render with the arguments render names.
            self.function = column.render
        self.wanted = _wanted_arguments(self.function)
        self.default = None if export else bound_column.default
        self.link = None if export else bound_column.link
        # A link whose address is a function of the record (linkify=lambda record: ...): the
        # arguments it names, read once.
        url = getattr(self.link, "url", None)
        self.url_wanted = _wanted_arguments(url) if callable(url) else False
        self.localize = column.localize
        # A plain column's content is its value: no call per cell.
        self.identity = getattr(self.function, "__func__", None) is tables.Column.render
        if not export:
            self._compile_page_cells()

    def _compile_page_cells(self):
        """The page's shortcuts, each giving the cell django-tables2 would: a cell whose
        content depends on its value alone is made once per distinct value of the page (a
        list sorted by date shows each date many times, a yes/no column two values); an
        empty cell is the default made once; a link to a record's own page is composed from
        the record without django-tables2's argument matching."""
        column = self.column
        self.grouping = settings.USE_THOUSAND_SEPARATOR
        value_only = self.identity or self.wanted == ("value",) or self.wanted is False
        if (
            not value_only
            and isinstance(column, tables.BooleanColumn)
            and self.function == column.render
            and type(column).render is tables.BooleanColumn.render
            and self.labels is None
        ):
            # Its render reads the record only to look for the field's choices; it has none.
            value_only = True
        self.memo = {} if value_only and not self.link else None
        self.default_html = self._finish(self.default)
        link = self.link
        self.link_bits = None
        if link is not None and not link.attrs and not callable(link.url) and link.reverse_args.get("viewname") is None:
            self.link_bits = tuple(A(link.accessor if link.accessor is not None else self.bound_column.name).bits)

    def _arguments(self, record, value, every=False, names=None):
        if names is None:
            names = CELL_ARGUMENTS if every or self.wanted is None else self.wanted
        arguments = {}
        for name in names:
            if name == "value":
                arguments[name] = value
            elif name == "record":
                arguments[name] = record
            elif name == "column":
                arguments[name] = self.column
            elif name == "bound_column":
                arguments[name] = self.bound_column
            elif name == "bound_row":
                arguments[name] = BoundRow(record, table=self.table)
            else:
                arguments[name] = self.table
        return arguments

    def _content(self, record, value):
        """The column's own content for the cell (render_FOO or the column's render)."""
        return None if self.wanted is False else self.function(**self._arguments(record, value))

    def _call(self, record, value):
        content = self._content(record, value)
        if self.link:
            return self._linked(content, record, value)
        return content

    def _linked(self, content, record, value):
        """django-tables2's LinkTransform: the content in an <a> to the record's address."""
        link = self.link
        if link.attrs:
            return link(content, **self._arguments(record, value, every=True))
        if self.url_wanted is False:
            href = link.compose_url(**self._arguments(record, value, every=True))
        else:
            names = CELL_ARGUMENTS if self.url_wanted is None else self.url_wanted
            href = link.url(**self._arguments(record, value, names=names))
        if href is None:
            return content
        return _anchor(href, content)

    def _resolve(self, record):
        """As django-tables2's BoundRow._get_and_render_with, with the per-column questions
        answered once."""
        try:
            if self.plain_accessor and isinstance(record, models.Model):
                value = self._walk(record)
            else:
                value = self.accessor.resolve(record)
        except Exception:
            # A link column with a fixed text need not resolve to anything.
            if self.link_text:
                return True, self._call(record, None)
            value = None
        else:
            if isinstance(record, models.Model):
                value = self._label(value)
        if value in self.empty_values or (self.many_to_many and not value.exists()):
            return True, self.default
        return False, value

    def _label(self, value):
        """A choice field's value as its label (any other value as it is)."""
        if self.labels is None:
            return value
        with contextlib.suppress(TypeError):  # an unhashable value (a list) has no label
            return self.labels.get(value, value)
        return value

    def _walk(self, record):
        """Accessor.resolve for a model instance, by attribute: django-tables2 first tries
        `record[bit]`, which on a model raises (and costs) an exception at every step."""
        current = record
        for bit in self.bits:
            current = getattr(current, bit, _MISSING)
            if current is _MISSING:
                return self.accessor.resolve(record)  # its own lookups and messages
            if callable(current):
                if getattr(current, "alters_data", False):
                    return self.accessor.resolve(record)  # refuses it
                if not getattr(current, "do_not_call_in_templates", False):
                    current = current()
            if current is None:
                break
        return current

    def value(self, record):
        done, value = self._resolve(record)
        return value if done else self._call(record, value)

    def values_source(self, queryset):
        """For an export read as values: (the lookups this column's value is made from, the
        function making it, or None for the one lookup's value as it is). None when the column
        needs the record itself: an accessor through a method or property the table does not
        compute (`Table.export_computed`), a relation shown as its record, or a value method
        asking for the record."""
        if self.wanted is None or (self.wanted and {"record", "bound_row"} & set(self.wanted)):
            return None
        if not self.plain_accessor or self.many_to_many:
            return None
        accessor = "__".join(self.bits)
        computed = self.table.export_computed.get(accessor)
        if computed is not None:
            return computed
        if accessor in queryset.query.annotations:
            return (accessor,), None
        return ((accessor,), None) if _field_path(self.table._meta.model, self.bits) else None

    def read_from(self, lookups, names, combine):
        """Read this column's value from the values_list rows of `lookups`: the values of
        `names`, through `combine` when it has one."""
        positions = [lookups.index(name) for name in names]
        if combine is None:
            self.source_value = operator.itemgetter(positions[0])
        else:
            self.source_value = lambda row: combine(*[row[position] for position in positions])

    def value_from_row(self, row):
        """`value(record)` from a row of the values_list `Table.export_values_plan` reads."""
        value = self._label(self.source_value(row))
        if value in self.empty_values:
            return self.default
        if self.identity:
            return value
        if self.wanted is False:
            return None
        return self.function(**self._arguments(None, value))

    def _finish(self, content):
        """The cell's content as the page shows it: localized, then escaped."""
        kind = content.__class__
        if kind is SafeString:
            return content
        if kind is str:
            return SafeString(html.escape(content))
        if kind is int and not self.grouping:
            return str(content)  # what number_format gives an int without grouping
        if self.localize is not False:
            content = localize(template_localtime(content), use_l10n=self.localize)
        return conditional_escape(content)

    def html(self, record):
        done, value = self._resolve(record)
        if done:
            return self.default_html if value is self.default else self._finish(value)
        memo = self.memo
        if memo is not None:
            key = (value.__class__, tuple(value) if value.__class__ is list else value)
            try:
                return memo[key]
            except KeyError:
                cell = memo[key] = self._finish(value if self.identity else self._call(record, value))
                return cell
            except TypeError:  # an unhashable value
                pass
        if self.link_bits is not None:
            content = value if self.identity else self._content(record, value)
            return _anchor(self._record_url(record, value), content)
        if self.identity and not self.link:
            return self._finish(value)
        return self._finish(self._call(record, value))

    def _record_url(self, record, value):
        """LinkTransform.compose_url for linkify=True: the address of the record the link's
        accessor reaches when it has one, else of the row's record."""
        target = record
        for bit in self.link_bits:
            target = getattr(target, bit, _MISSING)
            if target is _MISSING or (callable(target) and not hasattr(target, "get_absolute_url")):
                return self.link.compose_url(**self._arguments(record, value, every=True))
            if target is None:
                break
        if not hasattr(target, "get_absolute_url"):
            if not hasattr(record, "get_absolute_url"):
                return self.link.compose_url(**self._arguments(record, value, every=True))
            target = record
        return target.get_absolute_url()


class Table(tables.Table):
    """A django-tables2 table that writes its own header (`head_html`), rows (`body_html`) and
    pagination (`pagination_html`) for its template (generic/_table.html,
    settings.DJANGO_TABLES2_TEMPLATE), which keeps django-tables2's frame around them."""

    def compiled_columns(self, *, export=False):
        columns = self.columns.iterall() if export else self.columns
        return [
            CompiledColumn(self, bound_column, export=export)
            for bound_column in columns
            if not (export and bound_column.column.exclude_from_export)
        ]

    def body_html(self):
        """The <tr> rows of the page (or of the whole table when it is not paginated)."""
        compiled = self.compiled_columns()
        cells = [(f"<td {column.bound_column.attrs['td'].as_html()}>", column.html) for column in compiled]
        plain_rows = not self.row_attrs
        parts = []
        for index, row in enumerate(self.paginated_rows):
            record = row.record
            if plain_rows:
                parts.append('<tr class="odd">' if index % 2 else '<tr class="even">')  # as BoundRow's counter
            else:
                parts.append(f"<tr {row.attrs.as_html()}>")
            for opening, cell_html in cells:
                parts.append(opening)
                parts.append(cell_html(record))
                parts.append("</td>")
            parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 (every cell went through conditional_escape)

    def _query(self, key, value):
        """django-tables2's {% querystring_replace key=value %}: this page's query with one
        parameter replaced, escaped for an attribute."""
        params = dict(self.request.GET)
        params[key] = value
        return escape("?" + urlencode(params, doseq=True))

    def head_html(self):
        """The <thead> of django-tables2's Bootstrap template: each header, linked to the
        order it sorts by next when the column can sort."""
        if not self.show_header:
            return ""
        field = self.prefixed_order_by_field
        parts = [f"<thead {_attrs_html(self.attrs, 'thead')}><tr>"]
        for column in self.columns:
            header = conditional_escape(column.header)
            if column.orderable:
                header = f'<a href="{self._query(field, column.order_by_alias.next)}">{header}</a>'
            parts.append(f'<th {column.attrs["th"].as_html()} scope="col">{header}</th>')
        parts.append("</tr></thead>")
        return mark_safe("".join(parts))  # noqa: S308 (headers and addresses escaped)

    def pagination_html(self):
        """The pagination of django-tables2's Bootstrap template: previous, the page numbers
        table_page_range offers (with gaps), next; nothing when there is one page."""
        page = getattr(self, "page", None)
        if not page or self.paginator.num_pages <= 1:
            return ""
        field = self.prefixed_page_field
        # django-tables2's own words (its template's {% trans %}), in this project's catalogue too.
        previous, following = escape(gettext("previous")), escape(gettext("next"))
        label = escape(gettext("Table navigation"))
        parts = [f'<nav aria-label="{label}"><ul class="pagination justify-content-center">']
        if page.has_previous():
            parts.append(
                f'<li class="previous page-item"><a href="{self._query(field, page.previous_page_number())}" '
                f'class="page-link"><span aria-hidden="true">&laquo;</span> {previous}</a></li>'
            )
        if page.has_previous() or page.has_next():
            for number in table_page_range(page, self.paginator):
                active = " active" if page.number == number else ""
                href = f' href="{self._query(field, number)}"' if number != "..." else ""
                parts.append(f'<li class="page-item{active}"><a class="page-link"{href}>{number}</a></li>')
        if page.has_next():
            parts.append(
                f'<li class="next page-item"><a href="{self._query(field, page.next_page_number())}" '
                f'class="page-link">{following} <span aria-hidden="true">&raquo;</span></a></li>'
            )
        parts.append("</ul></nav>")
        return mark_safe("".join(parts))  # noqa: S308 (addresses and words escaped)

    # For exports read as values: accessor → (lookups, function) for the columns whose accessor
    # is a property of the record, computed from the lookups' values as the property would.
    export_computed = {}

    def export_rows(self, records):
        """Each record as the list of its export values (`value_FOO`, masked numbers stay
        masked), in the columns an export shows."""
        compiled = self.compiled_columns(export=True)
        for record in records:
            yield [column.value(record) for column in compiled]

    def export_values_plan(self, queryset):
        """(lookups, compiled columns) to export `queryset` from one values_list, with no model
        instance per row; None when a column needs the record."""
        compiled = self.compiled_columns(export=True)
        sources = [column.values_source(queryset) for column in compiled]
        if any(source is None for source in sources):
            return None
        lookups = list(dict.fromkeys(lookup for names, _combine in sources for lookup in names))
        for column, (names, combine) in zip(compiled, sources, strict=True):
            column.read_from(lookups, names, combine)
        return lookups, compiled

    def export_queryset_rows(self, queryset, chunk_size):
        """The export values of every row of `queryset`, walked with `iterator()`: read as
        values when every column can be (a quarter of the time of building the records and their
        related records), as records otherwise."""
        plan = self.export_values_plan(queryset)
        if plan is None:
            yield from self.export_rows(queryset.iterator(chunk_size=chunk_size))
            return
        lookups, compiled = plan
        for row in queryset.values_list(*lookups).iterator(chunk_size=chunk_size):
            yield [column.value_from_row(row) for column in compiled]


@library.register
class DateColumn(tables.Column):
    """A date shown in `format` (Django's date format characters); exported as the date
    itself, which a spreadsheet shows as a date and can sort and filter. Registered with
    django-tables2, so a table's date fields get it too."""

    def __init__(self, *args, format="Y-m-d", **kwargs):
        self.format = format
        super().__init__(*args, **kwargs)

    @classmethod
    def from_field(cls, field, **kwargs):
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            return cls(**kwargs)
        return None

    def render(self, value):
        if value.__class__ is datetime.date and self.format == "Y-m-d":
            return value.isoformat()  # what the format gives, a tenth of the time
        return format_date(value, self.format)

    def value(self, value):
        return value


@library.register
class DateTimeColumn(DateColumn):
    """A moment shown in local time; exported as the local date and time."""

    def __init__(self, *args, format="Y-m-d H:i", **kwargs):
        super().__init__(*args, format=format, **kwargs)

    @classmethod
    def from_field(cls, field, **kwargs):
        return cls(**kwargs) if isinstance(field, models.DateTimeField) else None

    def render(self, value):
        return format_date(template_localtime(value), self.format)

    def value(self, value):
        return template_localtime(value)


@library.register
class YesNoColumn(tables.BooleanColumn):
    """A yes/no field: django-tables2's mark on the page, and in an export the word (是/否)
    instead of Python's True and False. Registered, so a table's yes/no fields get it too."""

    @classmethod
    def from_field(cls, field, **kwargs):
        if isinstance(field, models.BooleanField):
            return cls(null=getattr(field, "null", False), **kwargs)
        return None

    def value(self, value):
        return gettext("yes") if value else gettext("no")


def stable(queryset):
    """`queryset` with its key as the last ordering term: rows that tie on the sort (a day's
    fifty disbursements) then come in one order, so that consecutive pages never repeat or skip
    one (PostgreSQL is free to return tied rows in any order, and does between LIMITs)."""
    ordering = list(queryset.query.order_by) or list(queryset.query.get_meta().ordering)
    named = {term.lstrip("-") for term in ordering if isinstance(term, str)}
    if named & {"pk", queryset.model._meta.pk.name}:
        return queryset
    descending = bool(ordering) and isinstance(ordering[0], str) and ordering[0].startswith("-")
    return queryset.order_by(*ordering, "-pk" if descending else "pk")


# A reader's branch whose page SQLite reads as a range of paths (`paged_as_range`): at most this
# many organizations, and at most this share of the tree.
RANGE_PAGE_ORGANIZATIONS = 5000
RANGE_PAGE_SHARE = 0.25


def paged_as_range(queryset, user):
    """Whether SQLite should read a page of `user`'s branch as a range of paths (inside
    `branch_ranges`) rather than walk the sort's index until it has found a page of the branch.

    Walking the index of a list sorted by date passes over every row of the tree until it has
    50 of the branch: a city district's paid disbursements or staff posts, 8 to 9 ms (a twentieth
    of the city's rows is the district's). Read as a range, SQLite takes the district's unions
    from the path index and their rows from the indexes on their organization, then sorts them:
    about 1 ms. Over a large branch it is the other way round (the city's whole tree as a range:
    30 to 40 ms against 1 to 8), so a range is used for a branch of a few thousand
    organizations that is a small part of the tree. PostgreSQL chooses for itself."""
    organization = getattr(user, "organization", None)
    if organization is None or connections[queryset.db].vendor != "sqlite":
        return False
    in_branch, in_tree = branch_sizes(organization)
    return in_branch <= RANGE_PAGE_ORGANIZATIONS and in_branch <= in_tree * RANGE_PAGE_SHARE


class StableData(TableQuerysetData):
    """Table data whose pages are cut from the queryset ordered by `stable`, read as a range of
    paths when that is cheaper (`paged_as_range`)."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self.data[key]
        request = getattr(self.table, "request", None)
        if paged_as_range(self.data, getattr(request, "user", None)):
            with branch_ranges():
                return self.page(key)
        return self.page(key)

    def page(self, key):
        return list(stable(self.data)[key])


class KeysFirstData(StableData):
    """Table data whose page is read in two steps: the keys of the page's rows (the filter and
    the sort, with only the joins they need), then those rows with their related records.

    A district's page of disbursements sorted by date is 50 of its 20,000 rows: read in one
    query, PostgreSQL joins and sorts all 20,000 wide rows with their programme and person;
    read keys first, it sorts 20,000 (date, id) pairs that an index on the union, status and
    date hands over without touching the table, then reads 50 rows by key. One query more,
    the same for 5 rows as for 50."""

    def page(self, key):
        keys = list(stable(self.data).values_list("pk", flat=True)[key])
        if not keys:
            return []
        records = {record.pk: record for record in self.data.order_by().filter(pk__in=keys)}
        return [records[pk] for pk in keys if pk in records]
