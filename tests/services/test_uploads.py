"""Uploads service: type from magic bytes, re-encoding, metadata stripping, PDF checks, storage."""

from __future__ import annotations

import dataclasses
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.services import uploads
from models import StoredFile
from tests import factories

STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.(webp|pdf)")


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path) -> Iterator[Path]:
    """Point the service at a fresh directory (not yet created) and restore the settings after."""
    previous = uploads.settings
    directory = tmp_path / "instance" / "uploads"
    uploads.configure(uploads.Settings(directory=str(directory)))
    try:
        yield directory
    finally:
        uploads.configure(previous)


def _limits(**changes: Any) -> None:
    uploads.configure(dataclasses.replace(uploads.settings, **changes))


# ---------------------------------------------------------------- sample files, made in code


def _image_bytes(fmt: str, size: tuple[int, int] = (40, 20), mode: str = "RGB", color: Any = "red", **save: Any) -> bytes:
    out = BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def _two_colour_jpeg(exif: Image.Exif | None = None) -> bytes:
    """40 × 20: red on the left half, blue on the right."""
    image = Image.new("RGB", (40, 20), "blue")
    image.paste((255, 0, 0), (0, 0, 20, 20))
    out = BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif or Image.Exif())
    return out.getvalue()


def _camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Artist] = "Amina Haddad"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (41.0, 7.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (16.0, 52.0, 10.0)
    return exif


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_declaring(width: int, height: int) -> bytes:
    """A few dozen bytes whose header claims a gigantic RGB image."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _pdf(*extra_objects: bytes, catalog_extra: bytes = b"", trailer_extra: bytes = b"") -> bytes:
    """A small, valid one-page PDF with a correct cross-reference table."""
    content = b"0 0 m 100 100 l S"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def _object_stream(number: int, body: bytes) -> bytes:
    """A PDF 1.5 object stream holding one object, compressed as readers expect."""
    header = b"%d 0 " % number
    data = zlib.compress(header + body)
    return b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(header), len(data), data,
    )


def _stored_bytes(stored: StoredFile) -> bytes:
    return uploads.path_of(stored).read_bytes()


def _count_files() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile)) or 0


def _refusal(store: Any, data: bytes, filename: str = "upload", field: str = "file") -> str:
    """Store ``data`` expecting a refusal on ``field``; return the message."""
    with pytest.raises(ValidationFailed) as caught:
        store(None, uploads.Upload(filename, data), field=field)
    assert set(caught.value.errors) == {field}
    return str(caught.value.errors[field])


# ---------------------------------------------------------------- images


def test_image_is_reencoded_to_webp_without_exif_or_gps(session: Any) -> None:
    original = _two_colour_jpeg(_camera_exif())
    assert b"SecretCam" in original and Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    stored = uploads.store_image(None, uploads.Upload("holiday.jpg", original))

    data = _stored_bytes(stored)
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert stored.content_type == "image/webp" and stored.size == len(data)
    for secret in (b"SecretCam", b"Amina", b"EXIF", b"Exif", b"XMP", b"ICCP"):
        assert secret not in data
    with Image.open(BytesIO(data)) as reopened:
        assert reopened.format == "WEBP"
        assert not reopened.getexif()
        assert "exif" not in reopened.info and "icc_profile" not in reopened.info


def test_image_is_turned_upright_from_exif_orientation(session: Any) -> None:
    stored = uploads.store_image(None, uploads.Upload("sideways.jpg", _two_colour_jpeg(_camera_exif(orientation=6))))

    assert (stored.width, stored.height) == (20, 40)
    with Image.open(BytesIO(_stored_bytes(stored))) as reopened:
        top, bottom = reopened.convert("RGB").getpixel((10, 5)), reopened.convert("RGB").getpixel((10, 35))
    assert top[0] > 180 and top[2] < 80  # the red left half is now on top
    assert bottom[2] > 180 and bottom[0] < 80


def test_large_image_is_shrunk_to_the_maximum_side(session: Any) -> None:
    _limits(max_image_side=100)

    png = uploads.store_image(None, uploads.Upload("wide.png", _image_bytes("PNG", (400, 200))))
    jpeg = uploads.store_image(None, uploads.Upload("photo.jpg", _image_bytes("JPEG", (1000, 800))))

    assert (png.width, png.height) == (100, 50)
    assert (jpeg.width, jpeg.height) == (100, 80)
    with Image.open(BytesIO(_stored_bytes(jpeg))) as reopened:
        assert reopened.size == (100, 80)


def test_small_image_is_not_enlarged(session: Any) -> None:
    stored = uploads.store_image(None, uploads.Upload("icon.png", _image_bytes("PNG", (30, 12))))

    assert (stored.width, stored.height) == (30, 12)


def test_transparency_is_kept(session: Any) -> None:
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 10, 20))
    out = BytesIO()
    image.save(out, "PNG")

    stored = uploads.store_image(None, uploads.Upload("logo.png", out.getvalue()))

    with Image.open(BytesIO(_stored_bytes(stored))) as reopened:
        assert reopened.mode == "RGBA"
        assert reopened.getpixel((15, 10))[3] == 0
        assert reopened.getpixel((3, 10))[3] == 255


@pytest.mark.parametrize(
    ("fmt", "mode", "color", "save"),
    [
        ("GIF", "P", 1, {"transparency": 0}),
        ("WEBP", "RGB", "green", {}),
        ("PNG", "L", 128, {}),
        ("JPEG", "CMYK", (0, 255, 255, 0), {}),
    ],
    ids=["gif-palette", "webp", "png-grey", "jpeg-cmyk"],
)
def test_every_accepted_image_format_becomes_webp(session: Any, fmt: str, mode: str, color: Any, save: dict) -> None:
    stored = uploads.store_image(None, uploads.Upload(f"picture.{fmt.lower()}", _image_bytes(fmt, mode=mode, color=color, **save)))

    assert stored.content_type == "image/webp"
    assert STORAGE_NAME.fullmatch(stored.storage_name) and stored.storage_name.endswith(".webp")
    with Image.open(BytesIO(_stored_bytes(stored))) as reopened:
        assert reopened.format == "WEBP" and reopened.size == (40, 20)


def test_oversize_image_is_refused_with_the_field_key(session: Any, upload_dir: Path) -> None:
    _limits(max_image_bytes=1000)
    out = BytesIO()
    Image.effect_noise((100, 100), 64).save(out, "PNG")
    big = out.getvalue()
    assert len(big) > 1000

    message = _refusal(uploads.store_image, big, "logo.png", field="logo")

    assert "1 KB" in message
    assert _count_files() == 0
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
NOT_IMAGES = {
    "svg": (SVG, "logo.svg"),
    "svg-with-xml-prolog": (b'<?xml version="1.0"?>\n' + SVG, "logo.png"),
    "html": (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "photo.jpg"),
    "text-renamed-png": (b"just some text, not a picture\n", "picture.png"),
    "exe": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode", "photo.png"),
    "zip": (_zip(), "photo.jpg"),
    "pdf": (_pdf(), "scan.png"),
}


@pytest.mark.parametrize(("data", "filename"), NOT_IMAGES.values(), ids=NOT_IMAGES.keys())
def test_files_that_are_not_images_are_refused_whatever_their_name(session: Any, data: bytes, filename: str) -> None:
    message = _refusal(uploads.store_image, data, filename, field="photo")

    assert message == str(uploads.MSG_IMAGE_TYPE)
    assert _count_files() == 0


def test_empty_file_is_refused(session: Any) -> None:
    assert _refusal(uploads.store_image, b"") == str(uploads.MSG_EMPTY)


@pytest.mark.parametrize(
    "data",
    [
        _image_bytes("PNG")[:60],
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
        b"GIF89a" + b"\x00" * 4,
        b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>",
        b"RIFF\x10\x00\x00\x00WEBPVP8 nonsense",
    ],
    ids=["truncated-png", "png-signature-only", "gif-header-only", "jpeg-magic-then-html", "webp-header-only"],
)
def test_damaged_image_is_refused_without_crashing(session: Any, data: bytes) -> None:
    assert _refusal(uploads.store_image, data, "photo.png") == str(uploads.MSG_IMAGE_BROKEN)


def test_gif_with_appended_script_is_stored_without_the_script(session: Any) -> None:
    polyglot = _image_bytes("GIF", mode="P", color=3) + b"<script>alert(1)</script>"

    stored = uploads.store_image(None, uploads.Upload("funny.gif", polyglot))

    data = _stored_bytes(stored)
    assert b"<script" not in data and b"alert" not in data


def test_jpeg_with_appended_html_is_stored_without_the_html(session: Any) -> None:
    polyglot = _image_bytes("JPEG") + b"<html><body><script>alert(document.cookie)</script></body></html>"

    stored = uploads.store_image(None, uploads.Upload("photo.jpg", polyglot))

    data = _stored_bytes(stored)
    assert b"<html" not in data and b"<script" not in data


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (10_000, 10_000), (60_000, 1)],
    ids=["beyond-pillow-limit", "pillow-warning-range", "beyond-our-limit"],
)
def test_decompression_bomb_is_refused_before_decoding(session: Any, width: int, height: int) -> None:
    _limits(max_image_pixels=50_000)
    bomb = _png_declaring(width, height)
    assert len(bomb) < 200

    assert _refusal(uploads.store_image, bomb, "bomb.png") == str(uploads.MSG_IMAGE_PIXELS)
    assert _count_files() == 0


def test_decompression_bomb_is_refused_where_pillow_only_logs_a_warning(session: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # as in production
        message = _refusal(uploads.store_image, _png_declaring(10_000, 10_000), "bomb.png")

    assert message == str(uploads.MSG_IMAGE_PIXELS)


def test_valid_image_over_the_pixel_limit_is_refused(session: Any) -> None:
    _limits(max_image_pixels=40 * 20 - 1)

    assert _refusal(uploads.store_image, _image_bytes("PNG")) == str(uploads.MSG_IMAGE_PIXELS)


def test_owner_is_recorded(session: Any) -> None:
    person = factories.user()

    stored = uploads.store_image(person, uploads.Upload("me.png", _image_bytes("PNG")))

    assert stored.id is not None and stored.owner_id == person.id


# ---------------------------------------------------------------- documents


def test_pdf_is_stored_unchanged_as_a_pdf(session: Any) -> None:
    pdf = _pdf()

    stored = uploads.store_document(None, uploads.Upload("statuto.pdf", pdf), field="document")

    assert stored.content_type == "application/pdf"
    assert stored.storage_name.endswith(".pdf") and (stored.width, stored.height) == (None, None)
    assert _stored_bytes(stored) == pdf and stored.size == len(pdf)


def test_pdf_with_a_plain_open_action_and_compressed_content_is_accepted(session: Any) -> None:
    page_stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Atto costitutivo) Tj ET")
    pdf = _pdf(
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(page_stream), page_stream),
        catalog_extra=b"/OpenAction [3 0 R /Fit] ",
    )

    assert uploads.store_document(None, uploads.Upload("atto.pdf", pdf)).content_type == "application/pdf"


ACTIVE_PDFS = {
    "javascript-open-action": _pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>", catalog_extra=b"/OpenAction 5 0 R "),
    "js-key-only": _pdf(b"<< /Type /Action /JS (app.alert(1)) >>"),
    "javascript-name-tree": _pdf(
        b"<< /Names [(x) 6 0 R] >>", b"<< /S /JavaScript /JS 7 0 R >>", b"<< /Length 12 >>\nstream\napp.alert(1)\nendstream",
        catalog_extra=b"/Names << /JavaScript 5 0 R >> ",
    ),
    "launch": _pdf(b"<< /S /Launch /F (cmd.exe) >>", catalog_extra=b"/OpenAction 5 0 R "),
    "embedded-file": _pdf(
        b"<< /EmbeddedFiles << /Names [(invoice.exe) 6 0 R] >> >>",
        b"<< /Type /Filespec /F (invoice.exe) /EF << /F 7 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
        catalog_extra=b"/Names 5 0 R ",
    ),
    "escaped-names": _pdf(b"<< /S /J#61va#53cript /J#53 (app.alert(1)) >>", catalog_extra=b"/OpenAction 5 0 R "),
    "hidden-in-object-stream": _pdf(
        _object_stream(6, b"<< /S /JavaScript /JS (app.alert(1)) >>"), catalog_extra=b"/OpenAction 6 0 R "
    ),
    "xfa-form": _pdf(b"<< /Fields [] /XFA 6 0 R >>", catalog_extra=b"/AcroForm 5 0 R "),
}


@pytest.mark.parametrize("pdf", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_pdf_with_scripts_actions_or_attachments_is_refused(session: Any, pdf: bytes) -> None:
    assert _refusal(uploads.store_document, pdf, "statuto.pdf", field="document") == str(uploads.MSG_PDF_ACTIVE)
    assert _count_files() == 0


def test_encrypted_pdf_is_refused(session: Any) -> None:
    pdf = _pdf(
        b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>", trailer_extra=b"/Encrypt 5 0 R /ID [<00> <00>] "
    )

    assert _refusal(uploads.store_document, pdf, "locked.pdf") == str(uploads.MSG_PDF_ENCRYPTED)


def test_truncated_pdf_is_refused(session: Any) -> None:
    assert _refusal(uploads.store_document, _pdf()[:-200], "half.pdf") == str(uploads.MSG_PDF_BROKEN)


def test_pdf_needing_too_much_decompression_is_refused(session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "_INFLATE_OUTPUT_BUDGET", 1024 * 1024)
    huge = zlib.compress(b"\x00" * (2 * 1024 * 1024), 9)  # 2 KB that inflate to 2 MB
    pdf = _pdf(b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(huge), huge))

    assert _refusal(uploads.store_document, pdf, "bomb.pdf") == str(uploads.MSG_PDF_ACTIVE)


def test_oversize_document_is_refused(session: Any) -> None:
    _limits(max_document_bytes=200)

    assert "1 KB" in _refusal(uploads.store_document, _pdf(), "statuto.pdf", field="document")


def test_document_can_be_a_photo_and_uses_the_document_size_limit(session: Any) -> None:
    photo = _image_bytes("JPEG", (200, 200), color="white", quality=100)
    _limits(max_image_bytes=len(photo) - 1)

    assert _refusal(uploads.store_image, photo, "page.jpg")
    stored = uploads.store_document(None, uploads.Upload("page.jpg", photo))

    assert stored.content_type == "image/webp" and stored.storage_name.endswith(".webp")


NOT_DOCUMENTS = {
    "docx": (_zip(), "statuto.docx"),
    "zip": (_zip(), "documents.zip"),
    "ole-doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "statuto.doc"),
    "rtf": (b"{\\rtf1\\ansi Statuto}", "statuto.rtf"),
    "html": (b"<html><script>alert(1)</script>%PDF-1.7</html>", "statuto.pdf"),
    "svg": (SVG, "statuto.pdf"),
    "exe": (NOT_IMAGES["exe"][0], "statuto.pdf"),
}


@pytest.mark.parametrize(("data", "filename"), NOT_DOCUMENTS.values(), ids=NOT_DOCUMENTS.keys())
def test_other_document_types_are_refused(session: Any, data: bytes, filename: str) -> None:
    assert _refusal(uploads.store_document, data, filename, field="document") == str(uploads.MSG_DOCUMENT_TYPE)


# ---------------------------------------------------------------- names and storage


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("تقرير.pdf", "تقرير.pdf"),
        ("报告 2026.pdf", "报告 2026.pdf"),
        ("Звіт.pdf", "Звіт.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Amina\\Desktop\\statuto.pdf", "statuto.pdf"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("a\u2066b\u2069c\u202a.pdf", "abc.pdf"),
        ("line\r\nbreak\x00\x1b.pdf", "linebreak.pdf"),
        ("  spaced.pdf  ", "spaced.pdf"),
        ("", "file"),
        ("..", "file"),
        ("folder/", "file"),
        ("\u202e\x07", "file"),
        ("bad\udcffsurrogate.pdf", "badsurrogate.pdf"),
    ],
)
def test_original_name_is_kept_but_cleaned(sent: str, kept: str) -> None:
    assert uploads.clean_filename(sent) == kept


def test_long_original_name_is_cut_to_255_characters_keeping_the_extension() -> None:
    name = uploads.clean_filename("ن" * 400 + ".pdf")

    assert len(name) == 255 and name.endswith(".pdf")


def test_non_latin_original_name_is_stored_as_metadata_only(session: Any) -> None:
    stored = uploads.store_document(None, uploads.Upload("تقرير.pdf", _pdf()))
    other = uploads.store_document(None, uploads.Upload("../../报告 2026.pdf", _pdf()))

    assert stored.original_name == "تقرير.pdf" and other.original_name == "报告 2026.pdf"
    assert STORAGE_NAME.fullmatch(stored.storage_name) and STORAGE_NAME.fullmatch(other.storage_name)


def test_files_get_random_names_in_the_configured_directory_and_no_temporary_files_remain(
    session: Any, upload_dir: Path
) -> None:
    first = uploads.store_image(None, uploads.Upload("same.png", _image_bytes("PNG")))
    second = uploads.store_image(None, uploads.Upload("same.png", _image_bytes("PNG")))

    assert first.storage_name != second.storage_name
    assert sorted(p.name for p in upload_dir.iterdir()) == sorted([first.storage_name, second.storage_name])
    assert uploads.path_of(first) == upload_dir / first.storage_name


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\app.py",
        "a/b.webp",
        "/etc/passwd",
        "..",
        "",
        "0" * 32 + ".php",
        "0" * 32 + ".webp/../../x",
        "0" * 31 + ".webp",
        "A" * 32 + ".webp",
    ],
)
def test_path_of_refuses_names_it_did_not_generate(session: Any, name: str) -> None:
    with pytest.raises(NotFound):
        uploads.path_of(StoredFile(storage_name=name, original_name="x", content_type="image/webp", size=1))


def test_path_of_reports_a_missing_file_as_not_found(session: Any) -> None:
    stored = uploads.store_image(None, uploads.Upload("gone.png", _image_bytes("PNG")))
    (uploads.path_of(stored)).unlink()

    with pytest.raises(NotFound):
        uploads.path_of(stored)


def test_discard_removes_the_file_and_the_row_once_committed(session: Any, upload_dir: Path) -> None:
    stored = uploads.store_image(None, uploads.Upload("old-logo.png", _image_bytes("PNG")))
    path, file_id = uploads.path_of(stored), stored.id

    uploads.discard(stored)
    assert path.exists()  # until the commit: a rollback must find the file still there
    db.commit()

    assert not path.exists()
    assert db.session.get(StoredFile, file_id) is None


def test_discard_keeps_file_and_row_when_the_transaction_rolls_back(session: Any) -> None:
    stored = uploads.store_image(None, uploads.Upload("logo.png", _image_bytes("PNG")))
    db.commit()
    path, file_id = uploads.path_of(stored), stored.id

    uploads.discard(stored)
    db.rollback()

    assert path.exists()
    assert db.session.get(StoredFile, file_id) is not None


def test_storing_without_configuration_fails_loudly(session: Any) -> None:
    uploads.configure(uploads.Settings(directory=""))

    with pytest.raises(RuntimeError):
        uploads.store_image(None, uploads.Upload("x.png", _image_bytes("PNG")))
