"""Building .xlsx files in memory for the import and xlsx tests."""

import io
import zipfile

from openpyxl import Workbook, load_workbook


def workbook_bytes(rows):
    """An .xlsx file whose first sheet holds `rows` (lists of cell values) from A1."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(data, name, change):
    """The same zip with member `name` replaced by `change(its bytes)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content)
            target.writestr(info, content)
    return buffer.getvalue()


def sheet_xml(data, name="xl/worksheets/sheet1.xml"):
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def read_back(data):
    """Every row of the first sheet as a list of values, read by openpyxl in normal mode."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def response_bytes(response):
    """The body of a response, streamed (list exports, pictures) or not (reports). A stream
    can be read once: its bytes are kept on the response for the next reader. (The test
    client closes a streamed response once it is read to the end; closing it again would fire
    request_finished with the handler that closes the database connection.)"""
    if not getattr(response, "streaming", False):
        return response.content
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body
