"""Helpers shared by the browser tests: logging in, reading mail, axe-core, screenshots."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

ADMIN_EMAIL = "admin@example.org"
ADMIN_NAME = "Giulia Admin"
ADMIN_PASSWORD = "una password di prova abbastanza lunga"


# --------------------------------------------------------------------------- pages


def log_in(page: Page, email_address: str, password: str) -> None:
    page.goto("/auth/login")
    form = page.locator("main form[method=post]")
    form.locator("#email").fill(email_address)
    form.locator("#password").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


# --------------------------------------------------------------------------- mail


def mail_files(mail_dir: Path) -> list[Path]:
    """The ``.eml`` files written by the file backend, oldest first (names are UTC stamps)."""
    return sorted(mail_dir.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))


def read_mail(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def newest_mail(mail_dir: Path, to: str | None = None, timeout: float = 5.0) -> EmailMessage:
    """The newest mail (to ``to``, if given), waiting a little for it to be written."""
    deadline = time.monotonic() + timeout
    while True:
        for path in reversed(mail_files(mail_dir)):
            message = read_mail(path)
            if to is None or to.lower() in str(message["To"]).lower():
                return message
        if time.monotonic() > deadline:
            names = [p.name for p in mail_files(mail_dir)]
            raise AssertionError(f"no mail{' to ' + to if to else ''} in {mail_dir} (files: {names})")
        time.sleep(0.1)


def mail_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"mail {message['Subject']!r} has no text/plain part"
    return str(part.get_content())


def extract_link(text: str, base_url: str, path_prefix: str = "/") -> str:
    """The first link in ``text`` that points into the site under ``path_prefix``."""
    pattern = re.escape(base_url.rstrip("/") + path_prefix) + r"[^\s<>\"')\]]*"
    match = re.search(pattern, text)
    assert match, f"no link to {base_url}{path_prefix}… in the mail:\n{text}"
    return match.group(0)


# --------------------------------------------------------------------------- axe-core


def run_axe(page: Page, source: str, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Inject axe-core and return its violations for the WCAG 2.0/2.1 A and AA rules.

    ``page.evaluate`` runs through the DevTools protocol, so the site's nonce CSP does not
    block the injection and the page is checked with its real policy in place.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate("(options) => axe.run(document, options)", options)
    return list(results["violations"])


def format_violations(violations: list[dict[str, Any]], where: str) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- [{v.get('impact')}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        lines.append(f"    {v.get('helpUrl', '')}")
        for node in v["nodes"][:3]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node.get("target", []))
            lines.append(f"    target: {target}")
            lines.append(f"    html:   {node.get('html', '')[:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"    why:    {summary[:400]}")
    return "\n".join(lines)


def screenshot(page: Page, name: str, lang: str, width: int) -> Path | None:
    """Save a full-page screenshot for review when ``PONTE_SCREENSHOTS=1`` (``make screenshots``):
    they cost a good share of the browser suite's time, so ``make test`` skips them."""
    if os.environ.get("PONTE_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{lang}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


LANGUAGE_DIRECTIONS = {"it": "ltr", "ar": "rtl"}


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scroll)."""
    return int(page.evaluate(
        """async () => {
            await document.fonts.ready;  // measured once web fonts are in and the layout has settled
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
            return document.documentElement.scrollWidth - document.documentElement.clientWidth;
        }"""
    ))


def overflowing_elements(page: Page) -> list[str]:
    """The outermost elements that stick out of the window sideways (to say what widens a page)."""
    return list(page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth, out = [];
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width && (r.right > width + 1 || r.left < -1) && !out.some(o => o.contains(el)))
                    out.push(el);
            }
            // Text can stick out of a box that itself fits (a long word): name its parent.
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                range.selectNodeContents(node);
                const r = range.getBoundingClientRect();
                const el = node.parentElement;
                if (r.width && (r.right > width + 1 || r.left < -1) && el && !out.some(o => o.contains(el)))
                    out.push(el);
            }
            return out.slice(0, 5).map(el => el.outerHTML.slice(0, 160));
        }"""
    ))


def check_layout(page: Page) -> None:
    """Nothing scrolls sideways; on failure, name the elements that stick out."""
    overflow = horizontal_overflow(page)
    if overflow > 0:  # a layout still in flight (scroll bar appearing, a transition) gets one more look
        page.wait_for_timeout(300)
        overflow = horizontal_overflow(page)
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert overflow <= 0, f"{page.url}: the page scrolls sideways by {overflow} px at {width} px: {overflowing_elements(page)}"


def page_problems(page: Page, source: str, where: str, name: str, lang: str, width: int) -> list[str]:
    """What is wrong with the page just opened: ``<html lang dir>``, not exactly one ``h1``,
    axe-core violations. Saves a full-page screenshot as ``<name>-<lang>-<width>.png``."""
    problems: list[str] = []
    expected_dir = LANGUAGE_DIRECTIONS[lang]
    html_lang = page.get_attribute("html", "lang")
    html_dir = page.get_attribute("html", "dir")
    if (html_lang, html_dir) != (lang, expected_dir):
        problems.append(f'<html lang="{html_lang}" dir="{html_dir}">, expected lang="{lang}" dir="{expected_dir}"')
    h1s = page.locator("h1").all_inner_texts()
    if len(h1s) != 1:
        problems.append(f"expected exactly one <h1>, found {len(h1s)}: {h1s}")
    violations = run_axe(page, source)
    screenshot(page, name, lang, width)
    if violations:
        problems.append(format_violations(violations, where))
    return problems


def open_page(
    new_context: Any, admin_state: dict[str, Any] | None, path: str, logged_in: bool, lang: str, width: int,
    status: int = 200,
) -> Page:
    """Switch the interface to ``lang`` and land on ``path``, logged in as the administrator or not.

    ``status`` is the answer the page is meant to give (an error page is checked like any other).
    """
    page = new_context.viewing_page(width, admin_state if logged_in else None)
    response = page.goto(f"/lang/{lang}?next={quote(path, safe='/')}")
    where = f"{path} ({lang}, {width} px, {'logged in' if logged_in else 'logged out'})"
    assert response is not None
    if status == 200:
        assert response.ok, f"{where}: HTTP {response.status} at {page.url}"
    else:
        assert response.status == status, f"{where}: HTTP {response.status}, expected {status}"
    assert page.url.endswith(path), f"{where}: expected to land on {path}, landed on {page.url}"
    if logged_in:
        assert page.locator("header .ponte-logout").count() == 1, f"{where}: not logged in"
    else:
        assert page.locator("header .ponte-logout").count() == 0, f"{where}: unexpectedly logged in"
    return page


def where_of(path: str, lang: str, width: int, logged_in: bool) -> str:
    return f"{path} ({lang}, {width} px, {'logged in' if logged_in else 'logged out'})"
