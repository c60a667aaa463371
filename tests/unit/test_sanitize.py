"""The sanitizer: nothing a user writes can execute; allowed Markdown survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.sanitize import plain_preview, rich_text

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "![img](https://evil.example/x.png)",
    "<details open ontoggle=alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "<<script>script>alert(1)<</script>/script>",
]


ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4", "code", "pre"}


class _Elements(HTMLParser):
    """Collects the real elements and attributes of an HTML fragment, as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.parametrize("payload", XSS)
def test_payload_cannot_execute(payload: str) -> None:
    parser = _Elements()
    parser.feed(rich_text(payload))
    for tag, attrs in parser.found:
        assert tag in ALLOWED, (payload, tag)
        for name, value in attrs:
            assert name in {"href", "title", "rel", "dir"}, (payload, name)
            if name == "dir":
                assert value == "auto", (payload, value)
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}, (payload, value)


def test_markdown_formatting_is_kept() -> None:
    html = rich_text("**bold** _em_\n\n- one\n- two\n\n> quote\n\n`code`")
    for tag in ("<strong>bold</strong>", "<em>em</em>", "<ul>", '<li dir="auto">one</li>', '<blockquote dir="auto">', "<code>code</code>"):
        assert tag in html


def test_each_paragraph_finds_its_own_direction() -> None:
    html = rich_text("كثير من النساء لا يذهبن إلى الطبيب\n\nMolte donne non vanno dal medico.")
    assert html.count('<p dir="auto">') == 2
    assert 'dir="rtl"' not in rich_text('<p dir="rtl" onclick="x">testo</p>')  # a user's own dir never survives


def test_links_get_rel_nofollow_ugc_noopener() -> None:
    html = rich_text("[Comune di Bari](https://www.comune.bari.it) and https://example.org")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://www.comune.bari.it"' in html


def test_headings_are_demoted_below_page_structure() -> None:
    html = rich_text("# Title\n\n## Sub")
    assert "<h1" not in html and "<h2" not in html
    assert '<h3 dir="auto">Title</h3>' in html


def test_raw_html_is_shown_as_text() -> None:
    html = rich_text("Use <b>bold</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


def test_arabic_and_template_syntax_survive_as_text() -> None:
    html = rich_text("مرحبا {{ 7*7 }} {% raw %}")
    assert "مرحبا" in html
    assert "{{ 7*7 }}" in html


def test_plain_preview_strips_markup_and_shortens() -> None:
    text = plain_preview("**Corso** di _italiano_ " + "parola " * 100, 50)
    assert text.startswith("Corso di italiano parola")
    assert "*" not in text and "_" not in text
    assert len(text) <= 50
    assert text.endswith("…")
