"""One import pipeline for every kind of record.

An importer declares its columns (the Chinese headers of DESIGN.md, English aliases, a
parser each) and how to save one parsed row. `run()` reads the workbook, parses every row,
saves each row inside one transaction so later rows may refer to earlier ones (a township
and then its unions), and rolls everything back if a single row failed or this is a dry
run. An importer whose rows stand alone (cadres) checks each row and writes them in batches.
The preview is therefore the import itself, undone: what it shows is what confirming will do."""

import contextlib
import datetime
import decimal
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from unionportal.xlsx import WorkbookError, read_rows, template_workbook

REGISTRY = {}
PROGRESS_EVERY = 200
# Rows SQLite samples per index when it measures the tables after an import (its own advice is
# 100 to 1,000).
ANALYSIS_LIMIT = 1000

logger = logging.getLogger(__name__)


def register(importer_class):
    REGISTRY[importer_class.kind] = importer_class
    return importer_class


def get_importer(kind):
    try:
        return REGISTRY[kind]
    except KeyError:
        raise LookupError(kind) from None


def analyze(limit=0):
    """Have the database measure its tables again (ANALYZE), SQLite sampling at most `limit`
    rows per index (0: every row). PostgreSQL samples on its own."""
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute("ANALYZE")
            return
        cursor.execute(f"PRAGMA analysis_limit = {int(limit)}")
        try:
            cursor.execute("ANALYZE")
        finally:
            cursor.execute("PRAGMA analysis_limit = 0")


def refresh_statistics():
    """After an import has committed, have SQLite measure its tables again.

    SQLite plans a query from the statistics ANALYZE leaves; with none, or with those of a table
    a tenth of its size, it may walk a date index across the whole tree for one district's page
    instead of reading that district's rows. A county's first import, the move from its
    spreadsheets, is when its tables change size the most. Sampling at most ANALYSIS_LIMIT rows
    per index keeps this to about 10 ms on the benchmark's city tier (0.6 s for every row).
    PostgreSQL's autovacuum analyses by itself. The import has committed: if the database is
    busy, the statistics wait for the next import, and the import still succeeds."""
    if connection.vendor != "sqlite":
        return
    try:
        analyze(ANALYSIS_LIMIT)
    except DatabaseError:
        logger.warning("ANALYZE after an import failed; the statistics stay as they were", exc_info=True)


# Parsers: each takes the cell's value (never None or "") and returns the Python value,
# or raises ValidationError with a message that the preview shows beside row and column.


def normalize_text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_text(value):
    return normalize_text(value) if isinstance(value, (int, float)) else str(value).strip()


def parse_int(value):
    if isinstance(value, bool):
        raise ValidationError(_("Enter a whole number."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = normalize_text(value).replace(",", "").replace(" ", "")
        if not re.fullmatch(r"-?\d+", text):
            raise ValidationError(_("Enter a whole number."))
        number = int(text)
    if number < 0:
        raise ValidationError(_("Enter a number that is not negative."))
    return number


def parse_decimal(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = decimal.Decimal(str(value))
    else:
        text = normalize_text(value).replace(",", "").replace(" ", "").removesuffix("元")
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValidationError(_("Enter an amount such as 1200.50.")) from None
    if not number.is_finite() or number < 0:
        raise ValidationError(_("Enter an amount that is not negative."))
    try:
        cents = number.quantize(decimal.Decimal("0.01"))
    except decimal.InvalidOperation:  # more digits than Decimal keeps (1e30): no real amount
        raise ValidationError(_("Enter an amount such as 1200.50.")) from None
    if number != cents:
        raise ValidationError(_("An amount has at most two decimal places."))
    return cents


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_number_as_text(value):
    """Long numbers (ID, bank account) as text. Excel keeps 15 significant digits, so an
    18-digit number typed into a number cell has already lost its last digits."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10**15:
        raise ValidationError(
            _("Excel stored this as a number and lost its last digits: format the column as text and retype it.")
        )
    return normalize_text(value).replace(" ", "")


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, TypeError):
            raise ValidationError(_("Enter a date such as 2018-03-31.")) from None
    match = _DATE_RE.match(normalize_text(value))
    if not match:
        raise ValidationError(_("Enter a date such as 2018-03-31, 2018/3/31 or 2018年3月31日."))
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValidationError(_("This date does not exist.")) from None


def parse_choice(choices):
    """A parser accepting a choice's Chinese label, its English label or its code."""

    lookups = []  # built on the first cell, once the translations are loaded

    def parse(value):
        text = normalize_text(value)
        if not lookups:
            lookup = {}
            for code, label in choices.choices:
                lookup[code.lower()] = code
                for language in ("zh-hans", "en"):
                    with translation.override(language):
                        lookup[normalize_text(label).lower()] = code
            lookups.append(lookup)
        lookup = lookups[0]
        try:
            return lookup[text.lower()]
        except KeyError:
            labels = "、".join(str(label) for _code, label in choices.choices)
            raise ValidationError(
                _("“%(value)s” is not one of: %(labels)s.") % {"value": text, "labels": labels}
            ) from None

    return parse


@dataclass
class Column:
    header: str
    field: str
    required: bool = False
    aliases: tuple = ()
    parse: Callable[[Any], Any] = parse_text
    note: Any = ""
    # Text-formatted in the template: long numbers (ID, account, phone) typed into a number
    # cell lose their last digits in Excel.
    text: bool = False

    @property
    def heading(self):
        return f"{self.header}*" if self.required else self.header

    def matches(self, text):
        text = normalize_text(text).rstrip("*").strip().lower()
        return text in {self.header.lower(), self.field.lower(), *(alias.lower() for alias in self.aliases)}


def _blank(cell):
    """An empty cell: nothing, or only spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self):
        return not self.errors


class _Rollback(Exception):
    pass


class Importer:
    """Subclasses set `kind`, `title`, `columns` and implement `save_row(values, row)`.

    An importer whose rows never depend on the records of earlier rows may instead set
    `batch_size` and implement `build_row(values, row)` (check the row, write nothing) and
    `save_rows(built)` (write a batch of built rows at once)."""

    kind = ""
    title = gettext_lazy("Records")
    columns: list = []
    batch_size = 0

    def __init__(self, user):
        self.user = user

    def template(self):
        return template_workbook(str(self.title), self.columns, [str(c.note) for c in self.columns])

    def save_row(self, values, row):
        raise NotImplementedError

    def build_row(self, values, row):
        """A batch importer's row, checked as saving it would check it but not written: what
        `save_rows` takes. Raises ValidationError as `save_row` does."""
        raise NotImplementedError

    def save_rows(self, built):
        """Write the rows `build_row` returned; return the records to describe, in order."""
        raise NotImplementedError

    def is_required(self, column):
        return column.required

    def describe(self, obj):
        return str(obj)

    def _map_headers(self, header_row, errors):
        mapping = {}
        seen = set()
        for index, text in enumerate(header_row):
            if text is None or str(text).strip() == "":
                continue
            column = next((c for c in self.columns if c.matches(text)), None)
            if column is None:
                errors.append(RowError(1, str(text), _("Unknown column: the template has no column of this name.")))
            elif column.field in seen:
                errors.append(RowError(1, str(text), _("This column appears twice.")))
            else:
                seen.add(column.field)
                mapping[index] = column
        for column in self.columns:
            if self.is_required(column) and column.field not in seen:
                errors.append(RowError(1, column.header, _("This required column is missing.")))
        return mapping

    def _column_for(self, field_name):
        for column in self.columns:
            if column.field == field_name:
                return column.header
        return ""

    def run(self, data, *, commit, progress=None):
        """Import the workbook `data`; `progress(rows_done, rows_total)` is called every
        PROGRESS_EVERY rows (a background job shows it)."""
        result = ImportResult()
        try:
            rows = read_rows(data)
        except WorkbookError as error:
            result.errors.append(RowError(0, "", str(error)))
            return result
        if not rows:
            result.errors.append(RowError(0, "", _("The workbook is empty.")))
            return result
        mapping = self._map_headers(rows[0], result.errors)
        if result.errors:
            return result
        self.prepare(rows[1:], mapping)
        batch = []
        try:
            with transaction.atomic():
                total = len(rows) - 1
                for number, raw in enumerate(rows[1:], start=2):
                    if progress is not None and (number - 2) % PROGRESS_EVERY == 0:
                        progress(number - 2, total)
                    if all(_blank(v) for v in raw):
                        continue
                    built = self._import_row(number, raw, mapping, result)
                    if built is not None:
                        batch.append((number, built))
                    if len(batch) >= self.batch_size > 0:
                        self._save_batch(batch, result)
                        batch = []
                self._save_batch(batch, result)
                if progress is not None:
                    progress(total, total)
                if result.errors or not commit:
                    raise _Rollback
        except _Rollback:
            pass
        else:
            result.committed = True
            transaction.on_commit(refresh_statistics)
        return result

    def prepare(self, rows, mapping):
        """Called once with the data rows before any is imported: an importer may look up at
        once what its rows name (`column_values`)."""

    @staticmethod
    def column_values(rows, mapping, field_name):
        """The parsed values of the column for `field_name` (values that do not parse left
        out: their row reports them)."""
        for index, column in mapping.items():
            if column.field != field_name:
                continue
            for raw in rows:
                cell = raw[index] if index < len(raw) else None
                if _blank(cell):
                    continue
                with contextlib.suppress(ValidationError):
                    yield column.parse(cell)

    def _import_row(self, number, raw, mapping, result):
        """Parse a row and save it, or for a batch importer build it and return what was built
        (None when the row has errors, which go to `result`)."""
        values = {}
        row_errors = []
        for index, column in mapping.items():
            cell = raw[index] if index < len(raw) else None
            if _blank(cell):
                if self.is_required(column):
                    row_errors.append(RowError(number, column.header, _("This field is required.")))
                continue
            try:
                values[column.field] = column.parse(cell)
            except ValidationError as error:
                row_errors.extend(RowError(number, column.header, message) for message in error.messages)
        if row_errors:
            result.errors.extend(row_errors)
            return None
        if not self.batch_size:
            self._save_one(number, lambda: self.save_row(values, number), result)
            return None
        try:
            return self.build_row(values, number)
        except ValidationError as error:
            self._add_errors(number, error, result)
            return None

    def _save_one(self, number, save, result):
        try:
            # A savepoint per row keeps a failed row's partial writes from breaking the
            # transaction on PostgreSQL, so every later row is still checked.
            with transaction.atomic():
                obj = save()
        except IntegrityError:
            result.errors.append(RowError(number, "", _("This row conflicts with a record that already exists.")))
        except ValidationError as error:
            self._add_errors(number, error, result)
        else:
            result.rows.append((number, self.describe(obj)))

    def _save_batch(self, batch, result):
        """Write a batch importer's built rows at once. Should the database still refuse one
        (a record written meanwhile by someone else), they are written again one by one, each in
        a savepoint, so that the message names the row."""
        if not batch:
            return
        try:
            with transaction.atomic():
                saved = self.save_rows([item for _number, item in batch])
        except (IntegrityError, ValidationError):
            for number, item in batch:
                self._save_one(number, lambda item=item: self.save_rows([item])[0], result)
            return
        result.rows.extend((number, self.describe(obj)) for (number, _item), obj in zip(batch, saved, strict=True))

    def _add_errors(self, number, error, result):
        if hasattr(error, "error_dict"):
            for field_name, messages in error.message_dict.items():
                column = self._column_for(field_name)
                result.errors.extend(RowError(number, column, message) for message in messages)
        else:
            result.errors.extend(RowError(number, "", message) for message in error.messages)
