"""Checks for Italian identifiers and contact data: codice fiscale, codice meccanografico,
RUNTS number, phone numbers (stored E.164) and https links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers

_ODD = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23), strict=True)),
}
_EVEN = {**{str(d): d for d in range(10)}, **{chr(ord("A") + i): i for i in range(26)}}
_PERSON_CF = re.compile(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]")
_SCHOOL_CODE = re.compile(r"[A-Z]{2}[A-Z0-9]{2}[0-9A-Z]{5}[0-9A-Z]")


def _entity_code_ok(code: str) -> bool:
    """11-digit codice fiscale of an entity (same check digit as the partita IVA)."""
    digits = [int(c) for c in code]
    total = 0
    for i, d in enumerate(digits[:10]):
        if i % 2 == 0:
            total += d
        else:
            doubled = d * 2
            total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10 == digits[10]


def _person_code_ok(code: str) -> bool:
    """16-character codice fiscale of a person, with its control letter."""
    total = sum(_ODD[c] if i % 2 == 0 else _EVEN[c] for i, c in enumerate(code[:15]))
    return chr(ord("A") + total % 26) == code[15]


def normalize_tax_code(raw: str) -> str | None:
    """Upper-cased codice fiscale if its check character is right, else None. Empty stays empty."""
    code = re.sub(r"\s+", "", raw or "").upper()
    if not code:
        return ""
    if re.fullmatch(r"[0-9]{11}", code) and _entity_code_ok(code):
        return code
    if _PERSON_CF.fullmatch(code) and _person_code_ok(code):
        return code
    return None


def normalize_school_code(raw: str) -> str | None:
    """Codice meccanografico (e.g. BAIC81200X): 10 letters and digits."""
    code = re.sub(r"\s+", "", raw or "").upper()
    if not code:
        return ""
    return code if _SCHOOL_CODE.fullmatch(code) else None


def normalize_runts(raw: str) -> str | None:
    """RUNTS repertory number: digits only."""
    code = re.sub(r"\s+", "", raw or "")
    if not code:
        return ""
    return code if re.fullmatch(r"[0-9]{1,12}", code) else None


def normalize_phone(raw: str) -> str | None:
    """E.164 (``+390801234567``); Italian numbers may be written without +39."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text[:40], "IT")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Readable international form for pages and tel: links."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def normalize_https_url(raw: str) -> str | None:
    """An https link with a real host, or None. Other schemes (javascript:, http:, data:) are refused."""
    text = (raw or "").strip()
    if not text:
        return ""
    if len(text) > 300 or any(c.isspace() for c in text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() != "https" or not parts.hostname or "." not in parts.hostname or parts.username:
        return None
    return text
