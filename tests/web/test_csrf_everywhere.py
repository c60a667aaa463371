"""CSRF on every state-changing route, generated from the application's URL map: a new route cannot
escape. Each POST (PUT, PATCH, DELETE) is sent without a token and with a forged one, logged out and
as an administrator (who would pass every permission check), and must be refused with 400 before
anything is written: the row count of every table stays the same."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from models.base import Base
from tests import factories
from tests.conftest import login

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Views that take a POST without a CSRF token, each with its reason. Declared here once: the test
# fails if the application exempts anything else.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST to the List-Unsubscribe address without a
    # page or a session; the secret, single-purpose token in the address is the proof.
    "blueprints.notifications.routes.unsubscribe",
}
SAMPLE = {"int": 1, "string": "sample", "path": "sample", "uuid": "00000000-0000-0000-0000-000000000000", "any": "sample"}


def _writing_rules(app: Any) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.methods and r.methods & WRITES), key=lambda r: r.rule)


def _url(app: Any, rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        if rule.defaults and name in rule.defaults:  # a second rule of a view fills it from its defaults
            values[name] = rule.defaults[name]
            continue
        converter = rule._converters[name]  # werkzeug keeps them there
        if hasattr(converter, "items"):  # any(a, b): one of its values
            values[name] = sorted(converter.items)[0]
            continue
        kind = type(converter).__name__.lower()
        values[name] = next((v for k, v in SAMPLE.items() if kind.startswith(k)), "sample")
    with app.test_request_context():
        return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def _view_name(app: Any, rule: Rule) -> str:
    view = app.view_functions[rule.endpoint]
    return f"{view.__module__}.{view.__name__}"


def _row_counts(session: Any) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_the_only_csrf_exemptions_are_the_declared_ones(app) -> None:  # type: ignore[no-untyped-def]
    csrf = app.extensions["csrf"]
    assert set(csrf._exempt_views) == EXEMPT  # Flask-WTF's own registry of exempt views
    assert not csrf._exempt_blueprints
    writing = {_view_name(app, r) for r in _writing_rules(app)}
    assert writing > EXEMPT, "an exemption names a view that takes no POST"


@pytest.mark.parametrize("who", ["anonymous", "administrator"])
def test_every_write_without_or_with_a_forged_token_is_refused_and_changes_nothing(app, client, session, who) -> None:  # type: ignore[no-untyped-def]
    if who == "administrator":
        admin = factories.admin()
        session.commit()
        assert login(client, admin.email, factories.PASSWORD).status_code == 302
    before = _row_counts(session)
    rules = [r for r in _writing_rules(app) if _view_name(app, r) not in EXEMPT]
    assert len(rules) > 100, "the URL map should hold every feature's forms"
    accepted = []
    for rule in rules:
        url = _url(app, rule)
        for method in sorted(rule.methods & WRITES):  # type: ignore[operator]
            for data in ({"body": "x"}, {"csrf_token": "forged.token", "body": "x"}):
                response = client.open(url, method=method, data=data)
                if response.status_code != 400:
                    accepted.append((method, url, response.status_code, "forged" if data.get("csrf_token") else "missing"))
    assert not accepted, accepted
    session.expire_all()
    assert _row_counts(session) == before
