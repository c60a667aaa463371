"""No hard-coded user-facing text in templates: every word a reader sees goes through ``{% trans %}``
or ``_()``. Each template is split by Jinja's own lexer; the text outside tags and outside
``{% trans %}`` blocks is parsed as HTML, and its text nodes and human-facing attributes (alt, title,
placeholder, aria-label…) must hold no words, except the few names that are the same in every
language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HUMAN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription", "label", "summary"}
# Names that are not translated: the platform, formats, the licence, a unit.
NAMES = re.compile(r"\b(Ponte|CSV|Atom|CC BY 4\.0|KB)\b")
# Plain-text mails put an address after the site's base: "{{ base }}/auth/login".
ADDRESS_PATH = re.compile(r"(?<!\w)/?[a-z_]+/[a-z_/]*")
WORD = re.compile(r"[^\W\d_]{2,}")
# The draft statute is a legal document printed in Italian on purpose (the founding path explains it
# in the reader's language around it); its page is marked lang="it".
ITALIAN_ONLY = {"founding/_statute_it.html": "all", "founding/statute.html": "aria-label"}
HOLE = " \x00 "  # what an expression or a translated block leaves in the scanned text

_ENV = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])  # noqa: S701 — only lexed, never rendered


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._code += 1
        self.found += [f"<{tag} {name}={value!r}>" for name, value in attrs if name in HUMAN_ATTRIBUTES and value and _words(value)]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if not self._code and _words(data):
            self.found.append(" ".join(data.replace("\x00", "").split()))


def _words(text: str) -> bool:
    return bool(WORD.search(ADDRESS_PATH.sub(" ", NAMES.sub(" ", text))))


def untranslated(source: str) -> list[str]:
    """Texts of a template that a reader would see untranslated."""
    parts: list[str] = []
    in_trans, previous = False, ""
    for _, kind, value in _ENV.lex(source):
        if kind == "name" and previous == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"
        if kind != "whitespace":
            previous = kind
        if kind == "data":
            parts.append(HOLE if in_trans else value)
        elif kind == "variable_begin":
            parts.append(HOLE)
    parser = _Text()
    parser.feed("".join(parts))
    parser.close()
    return parser.found


def test_the_scanner_finds_text_outside_translation() -> None:
    assert untranslated("<p>{{ _('Ciao') }}</p>") == []
    assert untranslated("<p>{% trans %}Hello {{ name }}{% endtrans %}</p>") == []
    assert untranslated("<p>Hello</p>") == ["Hello"]
    assert untranslated('<img alt="A photo" src="{{ url }}">') == ["<img alt='A photo'>"]
    assert untranslated("<p>{% trans %}One{% endtrans %} and two</p>") == ["and two"]
    assert untranslated("<script>const words = 'not shown';</script><p>Ponte · CSV</p>") == []


@pytest.mark.parametrize("path", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_templates_have_no_hard_coded_text(path: str) -> None:
    if ITALIAN_ONLY.get(path) == "all":
        return
    found = untranslated((TEMPLATES / path).read_text(encoding="utf-8"))
    if ITALIAN_ONLY.get(path) == "aria-label":
        found = [f for f in found if "aria-label=" not in f]
    assert not found, f"{path}: wrap these in {{% trans %}} or _(): {found}"
