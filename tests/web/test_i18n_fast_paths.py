"""The shared template layer's fast paths give the same answers as Flask/Flask-Babel.

Translations, date formats and built URLs are remembered per request (or per process for
URLs and formatted dates): a mail rendered in the recipient's language inside a request must
not change the language of the page, a page must not inherit the language of the request
before it, and a URL built under one script root must not be reused under another.
"""

from __future__ import annotations

import datetime as dt

import flask_babel
import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale

from app import i18n, templating
from app.services.mail import mailer

CONFIRM_SUBJECT = "Confirm your e-mail for Ponte"


def _translated(locale: str, message: str) -> str:
    with force_locale(locale):
        return flask_babel.gettext(message)


def _lang_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True).split('<html lang="', 1)[1].split('"', 1)[0]


def test_templates_and_python_translate_like_flask_babel(app, session) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?lang=fr"):
        assert i18n.gettext("Search") == flask_babel.gettext("Search") != "Search"
        assert i18n.ngettext("%(num)d message", "%(num)d messages", 3) == flask_babel.ngettext(
            "%(num)d message", "%(num)d messages", 3
        )
        assert str(i18n._l("Search")) == flask_babel.gettext("Search")
        page = render_template_string("{{ _('Search') }}|{{ ngettext('%(num)d message', '%(num)d messages', 2) }}")
        assert page == f"{flask_babel.gettext('Search')}|{flask_babel.ngettext('%(num)d message', '%(num)d messages', 2)}"


def test_translations_are_escaped_and_formatted_as_before(app, session) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?lang=en"):
        html = render_template_string("{{ _('Hello %(name)s,', name=name) }}", name="<b>x</b>")
        assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html


def test_force_locale_inside_a_request_switches_and_restores(app, session) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?lang=en"):
        assert i18n.gettext(CONFIRM_SUBJECT) == _translated("en", CONFIRM_SUBJECT)
        with force_locale("fr"):
            assert i18n.gettext(CONFIRM_SUBJECT) == _translated("fr", CONFIRM_SUBJECT) != CONFIRM_SUBJECT
            assert render_template_string("{{ _(s) }}", s=CONFIRM_SUBJECT) == _translated("fr", CONFIRM_SUBJECT)
        assert i18n.gettext(CONFIRM_SUBJECT) == _translated("en", CONFIRM_SUBJECT)
        assert render_template_string("{{ _(s) }}", s=CONFIRM_SUBJECT) == _translated("en", CONFIRM_SUBJECT)


def _render_confirm(locale: str) -> tuple[str, str, str | None]:
    assert mailer.renderer is not None
    return mailer.renderer("confirm", locale, {"name": "Ada", "link": ("main.home", {}), "hours": 24})


def test_mails_render_in_the_recipients_language_and_pages_in_the_visitors(app, client) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?lang=en"):
        before = i18n.gettext(CONFIRM_SUBJECT)
        subject_fr, _text, _html = _render_confirm("fr")  # same thread, inside the request: the worst case
        assert i18n.gettext(CONFIRM_SUBJECT) == before == _translated("en", CONFIRM_SUBJECT)
        composed = mailer.compose("ada@example.org", "confirm", "ar", {"name": "Ada", "link": ("main.home", {}), "hours": 24})
        assert i18n.gettext(CONFIRM_SUBJECT) == before
        assert subject_fr == _translated("fr", CONFIRM_SUBJECT) != CONFIRM_SUBJECT
        assert composed.subject == _translated("ar", CONFIRM_SUBJECT) != CONFIRM_SUBJECT
    assert _render_confirm("fr")[0] == subject_fr  # outside any request: the same mail
    # pages keep their visitor's language, request after request
    assert _lang_of(client.get("/?lang=uk")) == "uk"
    assert _lang_of(client.get("/")) == "it"
    assert _lang_of(client.get("/", headers={"Accept-Language": "bn"})) == "bn"


@pytest.mark.parametrize("locale", ["it", "en", "ar", "zh_Hans", "bn"])
@pytest.mark.parametrize("zone", ["Europe/Rome", "America/New_York", "Asia/Kolkata"])
def test_date_formats_match_flask_babel(app, session, locale: str, zone: str) -> None:  # type: ignore[no-untyped-def]
    values = [
        dt.datetime(2026, 3, 29, 0, 30),  # noqa: DTZ001 — naive = UTC, the night clocks change in Rome
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 59, 59),  # noqa: DTZ001
        dt.datetime(2026, 7, 4, 12, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ]
    with app.test_request_context("/"):
        import pytz
        from babel import Locale
        from flask import g

        flask_babel.get_locale()
        g._flask_babel.babel_locale = Locale.parse(locale)
        g._flask_babel.babel_tzinfo = pytz.timezone(zone)
        for value in values:
            for fmt in (None, "short", "medium", "long", "full", "HH:mm"):
                for rebase in (True, False):
                    for _twice in range(2):  # the second answer comes from the cache
                        assert templating.format_datetime(value, fmt, rebase) == flask_babel.format_datetime(value, fmt, rebase)
            for fmt in (None, "short", "medium", "long", "full", "LLLL yyyy"):
                assert templating.format_date(value, fmt) == flask_babel.format_date(value, fmt)
                assert templating.format_date(value, fmt, rebase=False) == flask_babel.format_date(value, fmt, rebase=False)
                assert templating.format_date(value.date(), fmt) == flask_babel.format_date(value.date(), fmt)
        assert templating.format_decimal(1234567.5) == flask_babel.format_decimal(1234567.5)


def test_cached_urls_follow_the_script_root_and_values(app, session) -> None:  # type: ignore[no-untyped-def]
    for root in ("", "/ponte", "/other", ""):
        with app.test_request_context("/forums/", base_url=f"https://ponte.test{root}/"):
            for _twice in range(2):
                assert templating.cached_url_for("forums.thread", thread_id=5) == url_for("forums.thread", thread_id=5)
                assert templating.cached_url_for("forums.thread", thread_id=5).startswith(f"{root}/")
                assert templating.cached_url_for("main.home") == url_for("main.home")
                assert templating.cached_url_for("forums.index", page=1, q="a b") == url_for("forums.index", page=1, q="a b")
                assert templating.cached_url_for("forums.index", q="a b", page=1) == url_for("forums.index", q="a b", page=1)
                assert templating.cached_url_for("forums.thread", thread_id=5, _anchor="p-3") == url_for(
                    "forums.thread", thread_id=5, _anchor="p-3"
                )
                assert templating.cached_url_for("forums.thread", thread_id=5, _external=True) == url_for(
                    "forums.thread", thread_id=5, _external=True
                )
            # True and 1 are equal keys in a dict: they must not share a URL
            assert templating.cached_url_for("forums.index", flag=True) == url_for("forums.index", flag=True)
            assert templating.cached_url_for("forums.index", flag=1) == url_for("forums.index", flag=1)
            assert templating.static_url("css/ponte.css").startswith(f"{root}/static/css/ponte.css?v=")


def test_layout_links_carry_the_script_root(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/", base_url="https://ponte.test/ponte/").get_data(as_text=True)
    assert 'href="/ponte/forums/"' in page and "/ponte/static/css/ponte.css?v=" in page
    assert 'href="/ponte/lang/en?next=' in page
    page = client.get("/").get_data(as_text=True)
    assert 'href="/forums/"' in page and '"/static/css/ponte.css?v=' in page and "/ponte/" not in page


def test_icons_keep_their_markup_and_escape_values(app, session) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        sprite = templating.static_url("vendor/bootstrap-italia/svg/sprites.svg")
        html = render_template_string('{% from "macros/ui.html" import icon %}{{ icon("it-user", "icon-white") }}')
        assert html == (f'<svg class="icon icon-white" aria-hidden="true" focusable="false"><use href="{sprite}#it-user"></use></svg>')
        html = render_template_string('{% from "macros/ui.html" import icon %}{{ icon("it-x", label=label) }}', label='"><script>')
        assert 'role="img" aria-label="&#34;&gt;&lt;script&gt;"' in html and "<script>" not in html
