"""Uploaded pictures (cadre photos, assessment evidence, activity photos), in one place.

An upload is never stored as sent. Pillow decides what it is from its bytes (the file name
and the browser's content type are the sender's word), the size and pixel count are checked
before any pixel is decoded, the whole picture is then decoded so a damaged file is refused
here and not when someone views it, and what is stored is a fresh JPEG or PNG encoded from
the pixels alone: EXIF (GPS position, camera serial), comments, XMP and ICC profiles are
left behind, and a file that is "also" HTML or a script cannot survive re-encoding.

Stored files live under MEDIA_ROOT, which is outside the static root and has no URL: every
picture is served by a view that checks scope first and then calls `image_response`.
"""

import contextlib
import io
import re
import secrets
import warnings
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000

# Pillow parses only these: a file claiming to be anything else is refused before any other
# plugin (some of which call out to Ghostscript or parse complex containers) sees it.
# A camera's multi-picture JPEG (MPO) is a JPEG whose first frame is kept.
_OPEN_FORMATS = ("JPEG", "PNG")
_FORMAT_SUFFIX = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png"}
_SUFFIX_CONTENT_TYPE = {".jpg": "image/jpeg", ".png": "image/png"}
_JPEG_QUALITY = 85
# PNG modes written as they are; any other mode is converted (see _png_pixels).
_PNG_KEPT_MODES = {"1", "L", "LA", "RGB", "RGBA", "I;16"}
# Folders are chosen by the code, never by a user; this keeps them plain.
_FOLDER_RE = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


def _megabytes(count):
    return f"{count / (1024 * 1024):g}"


def _refuse_type():
    return ValidationError(_("Only JPEG or PNG pictures can be uploaded."), code="image_type")


def _refuse_size():
    return ValidationError(
        _("The picture is larger than %(max)s MB."), code="image_size", params={"max": _megabytes(MAX_BYTES)}
    )


def _refuse_pixels():
    return ValidationError(
        _("The picture has more than %(max)s megapixels."),
        code="image_pixels",
        params={"max": f"{MAX_PIXELS / 1_000_000:g}"},
    )


def _refuse_damaged():
    return ValidationError(_("The picture is damaged or incomplete."), code="image_damaged")


def _read_limited(uploaded_file):
    """The upload's bytes, refusing before reading when the declared size is too large and
    again when more bytes arrive than declared (the size attribute is not a promise)."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse_size()
    # A form may have peeked at the file; a stream that cannot seek is read from where it stands.
    with contextlib.suppress(AttributeError, OSError, ValueError):
        uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse_size()
    if not data:
        raise ValidationError(_("The uploaded file is empty."), code="image_empty")
    return data


def _open(data):
    """Open the bytes as a JPEG or PNG, refusing any other kind, and check the pixel count from
    the header, before anything is decoded. The caller holds DecompressionBombWarning as an error."""
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse_pixels() from None
    except Image.UnidentifiedImageError:
        raise _refuse_type() from None
    except Exception:  # a damaged header makes the plugins raise many kinds; all mean the same here
        raise _refuse_damaged() from None
    if image.format not in _FORMAT_SUFFIX:
        raise _refuse_type()
    width, height = image.size
    if width < 1 or height < 1:
        raise _refuse_damaged()
    if width * height > MAX_PIXELS:
        raise _refuse_pixels()
    return image


def _png_pixels(image):
    """The pixels to write as PNG: transparency kept (a palette or a transparent colour becomes
    an alpha channel, so nothing depends on the info dict that is dropped), other modes made RGB(A)."""
    if "transparency" in image.info or image.mode in ("P", "PA"):
        has_alpha = "transparency" in image.info or image.mode == "PA"
        return image.convert("RGBA" if has_alpha else "RGB")
    if image.mode in _PNG_KEPT_MODES:
        return image
    if image.mode in ("I", "I;16B", "I;16L", "F"):
        return image.convert("L")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _reencode(data):
    """Validate the bytes and return (suffix, re-encoded bytes); raises ValidationError."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that (89 to 179 megapixels);
        # here a warning is a refusal. Our own cap is far lower, but a header is read first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with _open(data) as image:
            try:
                # verify() checks the structure (PNG chunk checksums) and leaves the image unusable.
                image.verify()
            except Exception:
                raise _refuse_damaged() from None
        with _open(data) as image:
            suffix = _FORMAT_SUFFIX[image.format]
            try:
                # Decode every pixel now: a truncated file raises here instead of being stored
                # with a grey lower half.
                image.load()
                upright = ImageOps.exif_transpose(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _refuse_pixels() from None
            except Exception:
                raise _refuse_damaged() from None
    if suffix == ".jpg":
        pixels = upright if upright.mode == "RGB" else upright.convert("RGB")
    else:
        pixels = _png_pixels(upright)
    # Encoders copy some entries of info (JPEG comment, PNG ICC profile and transparency):
    # start from nothing so that no metadata of the upload reaches the stored file.
    pixels.info = {}
    buffer = io.BytesIO()
    if suffix == ".jpg":
        pixels.save(buffer, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
    else:
        pixels.save(buffer, format="PNG", optimize=True)
    return suffix, buffer.getvalue()


def _media_root():
    return Path(settings.MEDIA_ROOT).resolve()


def _stored_path(name):
    """The absolute path of a stored name, or SuspiciousFileOperation if the name is not a plain
    relative path inside MEDIA_ROOT (absolute, "..", backslashes, a symlink leading out)."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        raise SuspiciousFileOperation("Unacceptable stored image name.")
    relative = PurePosixPath(name)
    if relative.is_absolute() or any(part in ("..", ".") for part in name.split("/")) or ":" in name:
        raise SuspiciousFileOperation("Stored image name escapes MEDIA_ROOT.")
    root = _media_root()
    path = (root / relative).resolve()
    if path == root or not path.is_relative_to(root):
        raise SuspiciousFileOperation("Stored image name escapes MEDIA_ROOT.")
    return path


def save_image(uploaded_file, folder: str) -> str:
    """Validate an uploaded image and store a re-encoded copy under MEDIA_ROOT/<folder>/ with a random
    name; return the stored name relative to MEDIA_ROOT (e.g. "cadre_photos/3f2a...c1.jpg").
    Raises django.core.exceptions.ValidationError with a clear translatable message (gettext) when refused.

    Nothing is written (not even the folder) unless the picture is accepted."""
    if not _FOLDER_RE.match(folder or ""):
        raise ValueError(f"Upload folder must be a plain relative path, not {folder!r}.")
    data = _read_limited(uploaded_file)
    suffix, encoded = _reencode(data)
    name = f"{folder}/{secrets.token_hex(16)}{suffix}"
    path = _stored_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    # "x": never replace an existing file, however unlikely a repeated random name is.
    with open(path, "xb") as stored:
        try:
            stored.write(encoded)
        except BaseException:
            # A full disk must not leave half a picture behind.
            path.unlink(missing_ok=True)
            raise
    return name


def delete_image(name: str) -> None:
    """Remove a stored image. A missing file (or an empty name: no picture) is not an error,
    so a record can be cleaned twice; a name leading outside MEDIA_ROOT raises
    SuspiciousFileOperation and nothing is removed."""
    if not name:
        return
    path = _stored_path(name)
    if path.is_dir():
        raise SuspiciousFileOperation("Stored image name is a folder.")
    path.unlink(missing_ok=True)


def image_response(name: str) -> FileResponse:
    """Serve a stored image (the caller has already checked scope). Correct content type (image/jpeg or image/png),
    X-Content-Type-Options nosniff, Content-Disposition inline, Cache-Control private. Raises Http404 if the name is
    empty, escapes MEDIA_ROOT (path traversal like ../../etc/passwd or absolute paths), or the file is missing.

    The content type comes from the suffix this module gave the file; any other suffix is a 404,
    so nothing else that may lie under MEDIA_ROOT is served through here."""
    if not name:
        raise Http404("No picture.")
    try:
        path = _stored_path(name)
    except SuspiciousFileOperation:
        raise Http404("No such picture.") from None
    content_type = _SUFFIX_CONTENT_TYPE.get(path.suffix)
    if content_type is None or not path.is_file():
        raise Http404("No such picture.")
    try:
        stored = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when the response is sent
    except OSError:
        raise Http404("No such picture.") from None
    response = FileResponse(stored, content_type=content_type, as_attachment=False, filename=path.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{path.name}"'
    # Only the viewer's browser may keep it: the picture was served after a scope check.
    response["Cache-Control"] = "private"
    return response


def attach_image(model, *, upload, folder, user, **fields):
    """Store an uploaded picture and the record that holds it (`model(image=name, **fields)`),
    with the user in its history. If the record cannot be saved, the stored file goes too, so
    no picture is left without a record."""
    name = save_image(upload, folder)
    try:
        with transaction.atomic():
            record = model(image=name, **fields)
            record._history_user = user
            record.full_clean()
            record.save()
    except BaseException:
        delete_image(name)
        raise
    return record


def detach_image(record, *, user):
    """Delete a record holding a picture; the file goes once the deletion is committed."""
    name = record.image
    record._history_user = user
    record.delete()
    transaction.on_commit(lambda: delete_image(name))
