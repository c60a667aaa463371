"""Uploaded images and documents: checked by content, re-encoded, stored under random names.

What a file *is* comes from its first bytes (magic numbers), never from its name or the
content type the browser sent. Images are decoded with Pillow and written out again as a
fresh WebP, so metadata (EXIF with GPS, ICC, XMP) and anything smuggled inside or after the
image data (GIF/JS or JPEG/HTML polyglots) is gone. PDFs cannot be re-encoded here: they
are scanned for active content and refused if they carry any; the download view also
serves every stored file as an attachment with ``X-Content-Type-Options: nosniff`` and a
sandboxing CSP, so what a scan misses still cannot run in our origin.

Files live in ``settings.directory`` (outside ``static/``) as ``<32 hex digits>.webp|.pdf``;
the name the user gave is kept only as metadata (``StoredFile.original_name``), shown
escaped and never used as a path.

Design note on files and transactions: the file is written *before* the row is flushed,
not in ``db.after_commit``. A write deferred until after the commit could fail and leave a
committed row pointing at nothing; a file whose transaction rolls back is merely an orphan
(random name, no row, unreachable) that a periodic sweep may delete. For the same reason
``discard`` deletes the row at once and the file only once the commit has succeeded.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
import unicodedata
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from models import StoredFile, User


@dataclass(frozen=True)
class Upload:
    """A file as a view received it: the name the browser sent and the bytes it read."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Settings:
    directory: str
    max_image_bytes: int = 2 * 1024 * 1024
    max_document_bytes: int = 10 * 1024 * 1024
    max_image_side: int = 1600
    # Checked on the declared size before any pixel is decoded. 50 MP covers phone photos;
    # JPEGs are decoded at a reduced scale (draft mode), so they never cost the full amount.
    max_image_pixels: int = 50_000_000


settings = Settings(directory="")


def configure(new: Settings) -> None:
    """Set where files go and how large they may be (called by ``create_app``)."""
    global settings  # noqa: PLW0603 — one process-wide settings object, set once at start-up
    settings = new


# ---------------------------------------------------------------- messages

def _size_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} KB"


def _too_large(limit: int) -> object:
    return _l("This file is too large. The limit is %(limit)s: choose a smaller file.", limit=_size_text(limit))


MSG_EMPTY = _l("The file is empty. Choose another file.")
MSG_IMAGE_TYPE = _l("This file type is not accepted. Use a photo or image in JPEG, PNG or WebP format.")
MSG_DOCUMENT_TYPE = _l("This file type is not accepted. Use a PDF document, or a photo or image in JPEG, PNG or WebP format.")
MSG_IMAGE_BROKEN = _l("This image could not be read. It may be damaged: save it again or choose another image.")
MSG_IMAGE_PIXELS = _l("This image has too many pixels. Make it smaller, for example 4000 × 3000 pixels, and try again.")
MSG_PDF_BROKEN = _l("This PDF could not be read. It may be damaged or incomplete: save it again and try again.")
MSG_PDF_ACTIVE = _l("This PDF contains scripts, attached files or automatic actions, which are not accepted. Print it to a new PDF (or save it as a simple PDF) and try again.")
MSG_PDF_ENCRYPTED = _l("This PDF is protected by a password or encryption. Save a copy without protection and try again.")


# ---------------------------------------------------------------- detection

IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp"})


def sniff(data: bytes) -> str | None:
    """The kind of file from its first bytes: "jpeg", "png", "gif", "webp", "pdf" or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


# ---------------------------------------------------------------- public commands


def store_image(actor: User | None, upload: Upload, *, field: str = "file") -> StoredFile:
    """Check an uploaded image and store it re-encoded as WebP, without any metadata.

    Accepts JPEG, PNG, WebP and GIF (first frame), told apart by their magic bytes. The
    image is turned upright (EXIF orientation), shrunk to ``max_image_side`` and encoded
    afresh, keeping transparency. Raises ``ValidationFailed({field: message})``.
    """
    return _store_image(actor, upload, field, settings.max_image_bytes)


def store_document(actor: User | None, upload: Upload, *, field: str = "file") -> StoredFile:
    """Check an uploaded document and store it: a PDF as it is, an image re-encoded as WebP.

    PDFs with JavaScript, launch actions, embedded files, rich media, XFA forms or
    encryption are refused. Images (for example a photographed page) follow the image
    path with the document size limit. Raises ``ValidationFailed({field: message})``.
    """
    kind = _checked_kind(upload, field, settings.max_document_bytes, MSG_DOCUMENT_TYPE)
    if kind in IMAGE_KINDS:
        return _store_image(actor, upload, field, settings.max_document_bytes)
    if kind != "pdf":
        raise ValidationFailed({field: MSG_DOCUMENT_TYPE})
    problem = _pdf_problem(upload.data)
    if problem is not None:
        raise ValidationFailed({field: problem})
    return _save(actor, upload.filename, upload.data, suffix=".pdf", content_type="application/pdf", size=None)


def discard(stored: StoredFile) -> None:
    """Delete a stored file: the row now, the file on disk once the transaction commits.

    If the transaction rolls back, the row and its file both stay, still consistent.
    """
    name = stored.storage_name
    db.session.delete(stored)
    db.session.flush()
    if _STORAGE_NAME.fullmatch(name or ""):  # a tampered name deletes the row, never another file
        path = _directory() / name
        db.after_commit(lambda: path.unlink(missing_ok=True))


def path_of(stored: StoredFile) -> Path:
    """Where the file's bytes are, for sending them; raises ``NotFound`` if it is not there.

    Only names this module generates are accepted, so a tampered row cannot point a
    download at another file (no separators, no "..", nothing but ``<hex>.webp|.pdf``).
    """
    path = _path(stored.storage_name)
    if not path.is_file():
        raise NotFound(_l("This file does not exist."))
    return path


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_filename(raw: str) -> str:
    """The user's file name made safe to keep as metadata (any script is kept).

    Directory parts (``/`` and ``\\``), control characters, line separators, lone
    surrogates and bidi overrides (which can disguise "gnp.exe" as "exe.png") are removed;
    the result is at most 255 characters, keeping the extension, or "file" when nothing is left.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        ch for ch in name if ch not in _BIDI_CONTROLS and unicodedata.category(ch) not in {"Cc", "Cs", "Zl", "Zp"}
    ).strip()
    if name in {".", ".."}:
        name = ""
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and stem and len(ext) <= 16 else name[:255]
        name = name.strip()
    return name or "file"


# ---------------------------------------------------------------- images


def _checked_kind(upload: Upload, field: str, max_bytes: int, wrong_type: object) -> str:
    if not upload.data:
        raise ValidationFailed({field: MSG_EMPTY})
    if len(upload.data) > max_bytes:
        raise ValidationFailed({field: _too_large(max_bytes)})
    kind = sniff(upload.data)
    if kind is None:
        raise ValidationFailed({field: wrong_type})
    return kind


def _store_image(actor: User | None, upload: Upload, field: str, max_bytes: int) -> StoredFile:
    if _checked_kind(upload, field, max_bytes, MSG_IMAGE_TYPE) not in IMAGE_KINDS:
        raise ValidationFailed({field: MSG_IMAGE_TYPE})
    encoded, size = _reencode(upload.data, field)
    return _save(actor, upload.filename, encoded, suffix=".webp", content_type="image/webp", size=size)


# Pillow may only use the decoders of the formats we accept, whatever the bytes claim.
_PIL_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


def _open(data: bytes, field: str) -> Image.Image:
    image = Image.open(BytesIO(data), formats=_PIL_FORMATS)  # reads the header only
    width, height = image.size
    if width < 1 or height < 1 or width * height > settings.max_image_pixels:
        raise ValidationFailed({field: MSG_IMAGE_PIXELS})
    return image


def _reencode(data: bytes, field: str) -> tuple[bytes, tuple[int, int]]:
    """Decode, verify, orient, shrink and re-encode; returns the WebP bytes and size."""
    side = settings.max_image_side
    try:
        with _open(data, field) as probe:
            probe.verify()  # structural checks (e.g. PNG CRCs); the object is unusable after
        with _open(data, field) as image:
            image.draft("RGB", (side, side))  # JPEG: decode at 1/2, 1/4… scale when large
            image.load()
            has_alpha = image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or image.has_transparency_data
            converted = image.convert("RGBA" if has_alpha else "RGB")
        converted.thumbnail((side, side), Image.Resampling.LANCZOS)  # a square box: fine before turning
        upright = _upright(converted)
        # A brand-new image from the raw pixels: no info dict, so no EXIF/GPS/ICC/XMP
        # can travel into the encoder, and no bytes of the upload survive.
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        out = BytesIO()
        clean.save(out, format="WEBP", quality=85, method=4)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning is an exception only where warnings are errors (the test suite);
        # elsewhere it is just logged and our own pixel limit above refuses the image.
        raise ValidationFailed({field: MSG_IMAGE_PIXELS}) from None
    except Exception:  # hostile bytes can fail a decoder in any way; all of them mean "unreadable"
        raise ValidationFailed({field: MSG_IMAGE_BROKEN}) from None
    return out.getvalue(), clean.size


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a photo whose EXIF block is garbled is kept as it is."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # cameras write odd EXIF; a wrong rotation is better than a refusal
        return image


# ---------------------------------------------------------------- PDFs
#
# A scan of the bytes, not a parser: it refuses the PDF features that run code or carry
# other files. Names are compared after decoding "#xx" escapes (/J#61vaScript), and
# Flate streams are inflated too, because PDF 1.5 object streams hide dictionaries inside
# compressed data. What such a scan cannot promise, the way files are served covers:
# always as attachments, with nosniff and a sandboxing CSP.

_PDF_ACTIVE = frozenset({b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"})
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]{1,127})")
# "/JS" is short enough to turn up by chance in compressed binary data, so it counts only
# where it is followed by a value: a string, a hex string or an indirect reference.
_PDF_JS = re.compile(rb"/(?:JS|#4[aA]#53|J#53|#4[aA]S)\s*(?:\(|<(?!<)|\d+\s+\d+\s+R)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_INFLATE_OUTPUT_BUDGET = 64 * 1024 * 1024
_INFLATE_CHUNK = 16 * 1024


class _TooComplex(Exception):
    """The PDF needs more decompression than we are willing to spend to check it."""


def _pdf_problem(data: bytes) -> object | None:
    """The reason to refuse this PDF, or None when it may be stored."""
    if b"%%EOF" not in data[-1024:]:
        return MSG_PDF_BROKEN  # truncated upload or not really a PDF
    if b"Encrypt" in _pdf_names(data):
        return MSG_PDF_ENCRYPTED  # encrypted streams cannot be checked
    try:
        blobs = [data, *_inflated_streams(data)]
    except _TooComplex:
        return MSG_PDF_ACTIVE
    for blob in blobs:
        if _pdf_names(blob) & _PDF_ACTIVE or _PDF_JS.search(blob):
            return MSG_PDF_ACTIVE
    return None


def _pdf_names(blob: bytes) -> set[bytes]:
    names = set()
    for match in _PDF_NAME.finditer(blob):
        raw = match.group(1)
        names.add(_PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw) if b"#" in raw else raw)
    return names


def _inflated_streams(data: bytes) -> list[bytes]:
    """Every stream that starts like zlib data, inflated within a fixed budget.

    Input is counted as well as output, so overlapping fake streams cannot make the work
    grow with the square of the file size. A damaged stream yields what inflated before
    the damage, as lenient readers would show it.
    """
    view = memoryview(data)
    output_left, input_left = _INFLATE_OUTPUT_BUDGET, 4 * len(data)
    result = []
    for match in _PDF_STREAM.finditer(data):
        pos = match.end()
        header = data[pos : pos + 2]
        if len(header) < 2 or header[0] & 0x0F != 8 or (header[0] << 8 | header[1]) % 31:
            continue  # not zlib: images in DCT, JBIG2… carry no dictionaries
        inflater, pieces = zlib.decompressobj(), []
        while pos < len(data) and not inflater.eof:
            chunk = view[pos : pos + _INFLATE_CHUNK]
            try:
                piece = inflater.decompress(chunk, output_left)
            except zlib.error:
                break
            consumed = len(chunk) - len(inflater.unused_data) - len(inflater.unconsumed_tail)
            output_left -= len(piece)
            input_left -= consumed
            if inflater.unconsumed_tail or output_left <= 0 or input_left < 0:
                raise _TooComplex
            pieces.append(piece)
            pos += consumed
        result.append(b"".join(pieces))
    return result


# ---------------------------------------------------------------- storage

_STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.(?:webp|pdf)")


def _directory() -> Path:
    if not settings.directory:
        raise RuntimeError("uploads.configure() has not been called: no upload directory")
    return Path(settings.directory)


def _path(storage_name: str) -> Path:
    if not _STORAGE_NAME.fullmatch(storage_name or ""):
        raise NotFound(_l("This file does not exist."))
    return _directory() / storage_name


def _save(
    actor: User | None, filename: str, data: bytes, *, suffix: str, content_type: str, size: tuple[int, int] | None
) -> StoredFile:
    """Write the checked bytes under a fresh random name, then add and flush the row."""
    storage_name = secrets.token_hex(16) + suffix
    path = _write_atomically(storage_name, data)
    stored = StoredFile(
        storage_name=storage_name,
        original_name=clean_filename(filename),
        content_type=content_type,
        size=len(data),
        width=size[0] if size else None,
        height=size[1] if size else None,
        owner_id=actor.id if actor is not None else None,
    )
    try:
        db.session.add(stored)
        db.session.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return stored


def _write_atomically(storage_name: str, data: bytes) -> Path:
    """Readers see either no file or the whole file, never a half-written one."""
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True, mode=0o750)
    final = directory / storage_name
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o640)  # mkstemp's 0600, plus group read for a front server
        os.replace(temp_name, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return final
