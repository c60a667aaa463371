"""The only door to bleach: Markdown → HTML → allowlist → linkify.

Sanitize on write and store the result in a ``*_html`` column; never on read.
Plain-text fields are never passed through here: Jinja's autoescape handles them.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import lru_cache

import bleach
from bleach.linkifier import Linker
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4", "code", "pre"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
REL = "nofollow ugc noopener"
MAX_SOURCE_CHARS = 50_000


def _set_rel(attrs: dict, new: bool = False) -> dict:
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = REL
    return attrs


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # commonmark preset with raw HTML disabled: "<script>" in a post stays text.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])
    return md


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


@lru_cache(maxsize=1)
def _linker() -> Linker:
    return Linker(callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False)


def _demote_headings(html: str) -> str:
    # Page structure owns h1/h2; user headings start at h3.
    for level, target in (("1", "3"), ("2", "3"), ("5", "4"), ("6", "4")):
        html = html.replace(f"<h{level}>", f"<h{target}>").replace(f"</h{level}>", f"</h{target}>")
    return html


def rich_text(source: str) -> str:
    """Render user Markdown to safe HTML: allowlisted tags, safe links with ``rel``."""
    if not source:
        return ""
    html = _markdown().render(source[:MAX_SOURCE_CHARS])
    html = _demote_headings(html)
    cleaned = _cleaner().clean(html)
    return _each_block_finds_its_direction(_linker().linkify(cleaned))


# Sanitized output has bare block tags; each gets dir="auto", so an Arabic paragraph and an
# Italian one in the same message each read in their own direction.
_BARE_BLOCK = re.compile(r"<(p|li|blockquote|h[1-6]|td|th)>")


def _each_block_finds_its_direction(html: str) -> str:
    return _BARE_BLOCK.sub(r'<\1 dir="auto">', html)


def plain_preview(source: str, length: int = 200) -> str:
    """Plain text for previews and snippets: all markup stripped, whitespace collapsed."""
    text = bleach.clean(_markdown().render(source or ""), tags=set(), strip=True)
    text = " ".join(htmllib.unescape(text).split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"
