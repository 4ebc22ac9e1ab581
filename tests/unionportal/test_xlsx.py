"""Excel in and out: text stays text, and an upload cannot make the server read without limit."""

import datetime
import decimal
import io
import re
import zipfile
from unittest import mock

from django.test import SimpleTestCase
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from tests.workbooks import read_back, rewrite_member, sheet_xml, workbook_bytes
from unionportal import xlsx
from unionportal.importing import Column

FORMULA_LIKE = [
    "=1+1",
    '=HYPERLINK("http://example.invalid","点击")',
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "=cmd|' /C calc'!A0",
]
FORMULA_ELEMENT = re.compile(r"<f[\s>/]")


def written(headers, rows, **kwargs):
    workbook = xlsx.new_workbook()
    xlsx.write_sheet(workbook, "导出", headers, rows, **kwargs)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class WriteTest(SimpleTestCase):
    def test_formula_like_strings_are_written_as_text(self):
        data = written([f"列{i}" for i in range(len(FORMULA_LIKE))], [FORMULA_LIKE])
        xml = sheet_xml(data)
        self.assertIsNone(FORMULA_ELEMENT.search(xml), xml)
        self.assertEqual(read_back(data)[1], FORMULA_LIKE)
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        self.assertEqual([cell.data_type for cell in sheet[2]], ["s"] * len(FORMULA_LIKE))

    def test_formula_like_headers_and_heading_are_text(self):
        data = written(["=1+1", "@A1"], [["x", "y"]], heading='=HYPERLINK("http://example.invalid")')
        self.assertIsNone(FORMULA_ELEMENT.search(sheet_xml(data)))
        self.assertEqual(
            read_back(data),
            [['=HYPERLINK("http://example.invalid")', None], ["=1+1", "@A1"], ["x", "y"]],
        )

    def test_table_response_writes_text_not_formulas(self):
        response = xlsx.table_response("名单", ["姓名"], [[value] for value in FORMULA_LIKE], "list.xlsx")
        self.assertEqual(response["Content-Type"], xlsx.XLSX_CONTENT_TYPE)
        self.assertEqual(response["Content-Disposition"], "attachment; filename*=UTF-8''list.xlsx")
        self.assertIsNone(FORMULA_ELEMENT.search(sheet_xml(response.content)))
        self.assertEqual([row[0] for row in read_back(response.content)[1:]], FORMULA_LIKE)

    def test_numbers_dates_and_amounts_keep_their_type(self):
        day = datetime.date(2018, 3, 31)
        data = written(["a", "b", "c", "d", "e"], [[12, decimal.Decimal("1105000.50"), day, None, True]])
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        a, b, c, d, e = sheet[2]
        self.assertEqual(a.value, 12)
        self.assertEqual(b.value, 1105000.5)
        self.assertEqual(b.number_format, "#,##0.00")
        self.assertEqual(c.value, datetime.datetime(2018, 3, 31))
        self.assertEqual(c.number_format, "yyyy-mm-dd")
        self.assertIsNone(d.value)  # None is written as an empty string cell
        self.assertEqual(e.value, "True")

    def test_import_template_headers_mark_required_columns(self):
        columns = [Column("名称", "name", True), Column("=地址", "address")]
        data = xlsx.template_workbook("组织", columns, ["全称", ""])
        self.assertIsNone(FORMULA_ELEMENT.search(sheet_xml(data)))
        self.assertEqual(read_back(data), [["名称*", "=地址"]])


class ReadTest(SimpleTestCase):
    def setUp(self):
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def assertRefused(self, data, message):
        with self.assertRaises(xlsx.WorkbookError) as caught:
            xlsx.read_rows(data)
        self.assertEqual(str(caught.exception), message)

    def test_reads_the_rows_of_the_first_sheet_each_ending_at_its_last_cell(self):
        data = workbook_bytes([["名称", "会员人数"], ["甲", 12], ["乙", None], [None, 30]])
        self.assertEqual(xlsx.read_rows(data), [["名称", "会员人数"], ["甲", 12], ["乙"], [None, 30]])

    def test_non_zip_is_refused(self):
        for data in (b"name,parent\n", b"", "名称\t上级组织".encode("gbk"), b"PK\x03\x04broken"):
            with self.subTest(data=data):
                self.assertRefused(data, "The file is not an Excel workbook (.xlsx).")

    def test_zip_that_is_not_a_workbook_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        self.assertRefused(buffer.getvalue(), "The workbook could not be read; save it again as .xlsx and retry.")

    def test_workbook_too_large_once_unpacked_is_refused_before_openpyxl_reads_it(self):
        # 20 cells of 30,000 letters: about 600 KB of XML that compresses to a few KB.
        data = workbook_bytes([["A" * 30_000] for _ in range(20)])
        self.assertLess(len(data), 20_000)
        with (
            mock.patch.object(xlsx, "MAX_UNCOMPRESSED_BYTES", 500_000),
            mock.patch.object(xlsx, "load_workbook") as loader,
        ):
            self.assertRefused(data, "The workbook is too large once unpacked.")
        loader.assert_not_called()

    def test_workbook_under_the_unpacked_limit_is_read(self):
        data = workbook_bytes([["A" * 30_000] for _ in range(20)])
        with mock.patch.object(xlsx, "MAX_UNCOMPRESSED_BYTES", 2_000_000):
            self.assertEqual(len(xlsx.read_rows(data)), 20)

    def test_more_than_max_rows_is_refused(self):
        data = workbook_bytes([["名称"], *([f"单位{i}"] for i in range(4))])
        with mock.patch.object(xlsx, "MAX_ROWS", 3):
            self.assertRefused(data, "The workbook has more than 3 rows.")

    def test_exactly_max_rows_below_the_header_is_read(self):
        data = workbook_bytes([["名称"], *([f"单位{i}"] for i in range(3))])
        with mock.patch.object(xlsx, "MAX_ROWS", 3):
            self.assertEqual(xlsx.read_rows(data), [["名称"], ["单位0"], ["单位1"], ["单位2"]])

    def test_trailing_empty_rows_are_dropped(self):
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["名称", "地址"])
        sheet.append(["甲", "平湖镇"])
        sheet.append(["", "   "])
        sheet.cell(row=6, column=2).fill = PatternFill("solid", fgColor="FFFF00")  # styled, no value
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.assertEqual(xlsx.read_rows(buffer.getvalue()), [["名称", "地址"], ["甲", "平湖镇"]])

    def test_empty_rows_between_data_rows_are_kept(self):
        data = workbook_bytes([["名称"], ["甲"], [None], ["乙"]])
        rows = xlsx.read_rows(data)
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[1], ["甲"])
        self.assertTrue(all(value is None for value in rows[2]))
        self.assertEqual(rows[3], ["乙"])

    def test_declared_huge_dimension_is_not_trusted(self):
        data = workbook_bytes([["名称", "上级组织"], ["甲区第一中学工会", "甲区总工会"]])
        for ref in ("A1:Z1048576", "A1:XFD1048576"):
            with self.subTest(ref=ref):
                huge = rewrite_member(
                    data,
                    "xl/worksheets/sheet1.xml",
                    lambda xml, ref=ref: re.sub(
                        rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml
                    ),
                )
                self.assertIn(f'<dimension ref="{ref}"/>', sheet_xml(huge))
                with mock.patch.object(xlsx, "MAX_ROWS", 10):
                    rows = xlsx.read_rows(huge)
                self.assertEqual(rows, [["名称", "上级组织"], ["甲区第一中学工会", "甲区总工会"]])
