"""Excel in and out, in one place for every list, import and report.

Writing: write-only workbooks (constant memory), and every string cell is written as text,
so a value such as `=HYPERLINK(...)` typed by a user can never become a formula.
Reading: the file is checked as a zip before openpyxl sees it (a 2 KB file can claim a
gigabyte of XML), and rows are read until they run out, never sized from `max_row`.
"""

import datetime
import decimal
import io
import zipfile
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000


class WorkbookError(Exception):
    """The upload is not a workbook the portal can read; the message is for the user."""


def text_cell(sheet, value, **style):
    cell = WriteOnlyCell(sheet, value=value)
    # Anything that is a string stays a string: openpyxl would otherwise take a leading "="
    # as a formula.
    if isinstance(value, str):
        cell.data_type = "s"
    for name, item in style.items():
        setattr(cell, name, item)
    return cell


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (int, float, decimal.Decimal, datetime.date)) and not isinstance(value, bool):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    return str(value)


MONEY_FORMAT = "#,##0.00"


# The types a data row mostly holds, handed to openpyxl as they are (see _sheet_value).
_AS_THEY_ARE = frozenset((int, float, datetime.date))


def _sheet_value(sheet, value):
    """What a data row hands openpyxl: plain values where openpyxl writes them as they are (a
    write-only sheet then reuses one cell for the row), a cell of its own where it would not:
    a string beginning with "=" (text, never a formula) and an amount (two decimals). Dates
    get openpyxl's date format. An export calls this for every cell: the common types are
    answered first, by their exact type."""
    kind = type(value)
    if kind is str:
        return text_cell(sheet, value) if value.startswith("=") else value
    if kind in _AS_THEY_ARE or value is None:
        return value
    value = _plain(value)
    if isinstance(value, str):
        return text_cell(sheet, value) if value.startswith("=") else value
    if isinstance(value, decimal.Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    return value


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
TITLE_FONT = Font(bold=True, size=14)


def write_sheet(workbook, title, headers, rows, *, heading=None, widths=None):
    """Append one sheet: an optional title line, a bold header row frozen in place, the rows."""
    sheet = workbook.create_sheet(title=title[:31])
    first_data_row = 2
    if heading:
        sheet.append([text_cell(sheet, heading, font=TITLE_FONT)])
        first_data_row = 3
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = (widths or {}).get(
            index, max(10, len(str(header)) * 2 + 4)
        )
    sheet.freeze_panes = f"A{first_data_row}"
    sheet.append([text_cell(sheet, str(h), font=HEADER_FONT, fill=HEADER_FILL) for h in headers])
    for row in rows:
        sheet.append([_sheet_value(sheet, value) for value in row])
    return sheet


def new_workbook():
    return Workbook(write_only=True)


def workbook_response(workbook, filename):
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def dated_filename(title, day=None):
    """A download's name: what it is, in the reader's language, and the day it was made
    ("困难职工档案_20261122.xlsx"), so that this month's copy is not last month's."""
    day = day or timezone.localdate()
    return f"{title}_{day:%Y%m%d}.xlsx"


def table_response(title, headers, rows, filename):
    workbook = new_workbook()
    write_sheet(workbook, title, headers, rows)
    return workbook_response(workbook, filename)


def save_table(target, title, headers, rows):
    """Write one sheet of `rows` (any iterable, consumed once) to `target`, a path or a binary
    file. The write-only sheet keeps its XML in a temporary file as rows arrive, so memory
    stays flat whatever the number of rows."""
    workbook = new_workbook()
    write_sheet(workbook, title, headers, rows)
    workbook.save(target)


def file_response(file, filename):
    """Stream a finished workbook from an open binary file, in chunks; the file is closed
    (and a temporary file removed) when the response is."""
    file.seek(0)
    response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def template_workbook(title, columns, notes):
    """An import template: the header row (required columns marked *), then a sheet of notes
    listing what each column accepts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.heading)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.data_type = "s"
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.heading) * 2 + 6)
        if column.text:
            # A column style: Excel applies it to whatever is typed into the column.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(_("Notes"))
    help_sheet.append([_("Column"), _("Required"), _("Accepts")])
    for cell in help_sheet[1]:
        cell.font = HEADER_FONT
    for column, note in zip(columns, notes, strict=True):
        help_sheet.append([column.header, _("yes") if column.required else "", note])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["C"].width = 90
    for row in help_sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(data):
    """The rows of the first sheet of an .xlsx file given as bytes, as lists of cell values
    (each ending at its last cell, so rows may be shorter than the header).

    Raises WorkbookError with a message for the user when the file is not a readable workbook,
    is too large once unpacked, or has more than MAX_ROWS rows."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx).")) from None
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(_("The workbook is too large once unpacked."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same to the user
        raise WorkbookError(_("The workbook could not be read; save it again as .xlsx and retry.")) from None
    try:
        sheet = workbook.worksheets[0]
        # The declared <dimension> is whatever the file says: "A1:XFD1048576" would pad every
        # row to 16,384 cells (a 30 KB upload taking gigabytes). Read the cells that exist.
        sheet.reset_dimensions()
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                raise WorkbookError(_("The workbook has more than %(max)d rows.") % {"max": MAX_ROWS})
    except WorkbookError:
        raise
    except Exception:  # the sheet's XML is read only now: truncated, a bad cell reference or value
        raise WorkbookError(_("The workbook could not be read; save it again as .xlsx and retry.")) from None
    finally:
        workbook.close()
    while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
        rows.pop()
    return rows
