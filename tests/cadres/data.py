"""Data the cadres tests share: real-format resident ID numbers, small pictures, the upload
corpus that must be refused, and a MEDIA_ROOT of the test's own."""

import io
import os
import re
import struct
import tempfile
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from tests.workbooks import response_bytes
from unionportal.validators import resident_id_check_char
from unionportal.xlsx import XLSX_CONTENT_TYPE

# A full resident ID number anywhere in a response; masked numbers have asterisks in the middle.
FULL_ID = re.compile(rb"\d{17}[\dX]")


def resident_id(birth="19800215", sequence="001", region="522799"):
    """A valid 18-character number; an odd last digit of `sequence` is a man, even a woman."""
    body = f"{region}{birth}{sequence}"
    return body + resident_id_check_char(body)


def masked(number):
    return f"{number[:4]}{'*' * 10}{number[-4:]}"


def png_bytes(width=30, height=40, color=(180, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def noisy_png_bytes(width=64, height=64):
    """Random pixels do not compress, so half of the file is half of the picture."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="photo.png", **kwargs):
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width=20_000, height=20_000):
    """A valid, all-black 1-bit PNG of 400 megapixels in a few dozen kilobytes."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def refused_uploads():
    """(label, the refusal's code, upload) of files a photo field must refuse, whatever they
    are called or claim to be."""
    truncated = noisy_png_bytes()
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )
    script = b"<?php system($_GET['c']); ?>\n#!/bin/sh\nrm -rf /\n"
    return [
        ("decompression bomb", "image_pixels", SimpleUploadedFile("photo.png", bomb_png(), "image/png")),
        ("HTML called PNG", "image_type", SimpleUploadedFile("photo.png", html, "image/png")),
        ("SVG", "image_type", SimpleUploadedFile("photo.svg", svg, "image/svg+xml")),
        ("renamed script", "image_type", SimpleUploadedFile("photo.jpg", script, "image/jpeg")),
        (
            "truncated PNG",
            "image_damaged",
            SimpleUploadedFile("photo.png", truncated[: len(truncated) // 2], "image/png"),
        ),
    ]


def response_body(response):
    """The bytes of a response, streamed ones (pictures, list exports) included."""
    return response_bytes(response)


def readable_parts(response, body):
    """What a reader can get out of a response: the body, or each file inside a workbook."""
    if response.get("Content-Type") == XLSX_CONTENT_TYPE:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [archive.read(name) for name in archive.namelist()]
    return [body]


def full_ids_in(response, body=None):
    """Every full resident ID number in a response, workbooks unzipped."""
    body = response_body(response) if body is None else body
    return [match.decode() for part in readable_parts(response, body) for match in FULL_ID.findall(part)]


class MediaRootMixin:
    """MEDIA_ROOT is an empty folder of the test class, set before setUpTestData runs so that
    fixtures may store pictures, and removed after the class."""

    @classmethod
    def setUpClass(cls):
        cls.media_root = cls.enterClassContext(tempfile.TemporaryDirectory())
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media_root))
        super().setUpClass()
