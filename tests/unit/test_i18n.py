"""Catalogs are fresh, valid and complete; language choice follows the documented order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.config import ROOT
from app.i18n import COMPLETE_LOCALES, LANGUAGES, best_from_accept_language, normalize, text_direction
from tests import factories
from tests.conftest import login

TRANSLATIONS = ROOT / "translations"


def _ids(catalog) -> set:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def _read(path: Path, locale: str | None = None):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def test_messages_pot_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "pyproject.toml", "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "-o", str(fresh), "app", "blueprints", "models", "templates"],
        cwd=ROOT, check=True,
    )
    stale = _ids(_read(TRANSLATIONS / "messages.pot")) ^ _ids(_read(fresh))
    assert not stale, f"messages.pot is stale: run `make i18n-update`. Differences: {sorted(map(str, stale))[:10]}"


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_language_has_a_valid_catalog_with_every_message(code: str) -> None:
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", code)
    template = _read(TRANSLATIONS / "messages.pot")
    assert _ids(template) <= _ids(catalog), f"{code}: run `make i18n-update`"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, problems[:5]


@pytest.mark.parametrize("code", COMPLETE_LOCALES)
def test_complete_languages_have_no_untranslated_or_fuzzy_entries(code: str) -> None:
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", code)
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"{code}: {len(missing)} untranslated, e.g. {missing[:3]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"


@pytest.mark.parametrize(("raw", "code"), [("ar", "ar"), ("zh-CN", "zh_Hans"), ("zh_Hans", "zh_Hans"), ("pa-IN", "pa_Guru"), ("fr-FR", "fr"), ("de", None), ("", None), ("x" * 50, None)])
def test_language_codes_are_normalised(raw: str, code: str | None) -> None:
    assert normalize(raw) == code


def test_accept_language_picks_the_first_supported() -> None:
    assert best_from_accept_language([("de", 1.0), ("uk", 0.8), ("it", 0.5)]) == "uk"


def test_right_to_left_languages() -> None:
    assert {c for c in LANGUAGES if text_direction(c) == "rtl"} == {"ar", "ur"}


def _lang_of(response) -> str:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    return body.split('<html lang="', 1)[1].split('"', 1)[0]


def test_default_language_is_italian(client) -> None:  # type: ignore[no-untyped-def]
    assert _lang_of(client.get("/")) == "it"


def test_accept_language_is_used_without_a_choice(client) -> None:  # type: ignore[no-untyped-def]
    assert _lang_of(client.get("/", headers={"Accept-Language": "bn-BD,bn;q=0.9"})) == "bn"


def test_cookie_beats_accept_language_and_query_beats_all(client) -> None:  # type: ignore[no-untyped-def]
    client.set_cookie("ponte_lang", "fr", domain="ponte.test")
    assert _lang_of(client.get("/", headers={"Accept-Language": "es"})) == "fr"
    assert _lang_of(client.get("/?lang=uk", headers={"Accept-Language": "es"})) == "uk"


def test_user_setting_beats_cookie(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(locale="ro")
    client.set_cookie("ponte_lang", "fr", domain="ponte.test")
    login(client, user.email, factories.PASSWORD)
    assert _lang_of(client.get("/me")) == "ro"


def test_language_switch_sets_cookie_and_returns_to_the_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/lang/ar", query_string={"next": "/territories/"})
    assert response.status_code == 302 and response.headers["Location"] == "/territories/"
    assert "ponte_lang=ar" in response.headers["Set-Cookie"]
    page = client.get("/territories/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap-italia.rtl.min.css" in page


def test_unknown_language_in_switch_is_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/lang/xx").status_code == 404


def test_language_switch_lists_every_language_in_its_own_script(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    for lang in LANGUAGES.values():
        assert f'hreflang="{lang.tag}"' in page and lang.native in page
