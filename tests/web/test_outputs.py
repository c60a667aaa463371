"""Outputs over HTTP: route × role on every route, CSRF on every POST, recording through the form
(eight blank rows, choices limited to the initiative's groups), a refused form that keeps what
was typed with each error on its cell, corrections and deletion by the recording partner only,
the public page and CSV of a public initiative (404 for a draft), the initiative page's partial,
XSS and formula injection in every sink, and a page whose query count does not grow with reports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask, render_template
from sqlalchemy import func, select

from app.services import outputs
from app.services.outputs import OutputDraft, ParticipantRow
from models import Initiative, MemberRole, OrgKind, OutputReport, User
from tests import factories
from tests.conftest import Client, login
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/initiatives/<int:initiative_id>/outputs",
    "/initiatives/<int:initiative_id>/outputs/new",
    "/initiatives/<int:initiative_id>/outputs.csv",
    "/outputs/<int:report_id>/edit",
    "/outputs/<int:report_id>/delete",
}

ROLES = ("anonymous", "citizen", "applicant", "lead_admin", "partner_staff", "invited_partner", "other_org_admin", "admin")
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "[x](javascript:alert(1))",
       "{{ 7*7 }}{% raw %}"]
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"https://evil.example\",\"x\")"]
GROUPS = ("lower_secondary_pupils", "families")


@dataclass
class World:
    initiative: Initiative
    report: OutputReport  # recorded by the confirmed school
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"iid": self.initiative.id, "rid": self.report.id}


def person(**kw: Any) -> User:
    return factories.user(**{"locale": "en", **kw})


def draft(**kw: Any) -> OutputDraft:
    data: dict[str, Any] = {"period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31), "sessions_held": 4, "hours": 8,
                            "materials_produced": 1, "participants": (ParticipantRow("lower_secondary_pupils", "female", "11_13", 12),
                                                                      ParticipantRow("families", "", "", 5))}
    data.update(kw)
    return OutputDraft(**data)


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    _, _, comune = factories.chain()
    boss, teacher, invited, other_admin = person(), person(), person(), person()
    lead = factories.organization("Casa dei Popoli", home=comune, admin=boss, verified=True)
    school = factories.organization("Scuola Aperta", kind=OrgKind.SCHOOL, home=comune, verified=True)
    factories.member(school, teacher, MemberRole.STAFF)
    waiting = factories.organization("Rete in attesa", home=comune, admin=invited)
    factories.organization("Altra associazione", admin=other_admin)
    initiative = factories.initiative(lead, targets=GROUPS, partners=((school, "host_school", "confirmed"), (waiting, "partner", "invited")),
                                      title="Compiti insieme")
    report = outputs.record_outputs(teacher, initiative, draft(outcomes="Più fiducia nel parlare in classe."))
    people = {"anonymous": None, "citizen": person(), "applicant": person(), "lead_admin": boss, "partner_staff": teacher,
              "invited_partner": invited, "other_org_admin": other_admin, "admin": factories.admin(locale="en")}
    return World(initiative, report, people)


def as_(app: Flask, who: User | None) -> Any:
    app.test_client_class = Client
    browser = app.test_client()
    if who is not None:
        assert login(browser, who.email, factories.PASSWORD).status_code == 302
    else:
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def page(browser: Any, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def form(**kw: Any) -> dict[str, Any]:
    """A filled form: the first two rows of the participants table, the other six blank."""
    data: dict[str, Any] = {"period_start": "2026-11-01", "period_end": "2026-11-30", "sessions_held": "3", "hours": "6",
                            "materials_produced": "0", "outcomes": "Le famiglie partecipano di più."}
    for i in range(8):
        data.update({f"participants-{i}-target_group": "", f"participants-{i}-gender": "not_recorded",
                     f"participants-{i}-age_band": "not_recorded", f"participants-{i}-count": ""})
    data.update({"participants-0-target_group": "families", "participants-0-gender": "female", "participants-0-age_band": "30_64",
                 "participants-0-count": "7", "participants-1-target_group": "lower_secondary_pupils", "participants-1-count": "9"})
    data.update(kw)
    return data


# ---------------------------------------------------------------- route × role

MATRIX = {
    "/initiatives/{iid}/outputs": (200, 200, 200, 200, 200, 200, 200, 200),
    "/initiatives/{iid}/outputs.csv": (200, 200, 200, 200, 200, 200, 200, 200),
    "/initiatives/{iid}/outputs/new": (302, 403, 403, 200, 200, 403, 403, 200),
    "/outputs/{rid}/edit": (302, 403, 403, 403, 200, 403, 403, 200),
    "/initiatives/999999/outputs": (404, 404, 404, 404, 404, 404, 404, 404),
    "/initiatives/99999999999999/outputs.csv": (404, 404, 404, 404, 404, 404, 404, 404),
    "/initiatives/999999/outputs/new": (302, 404, 404, 404, 404, 404, 404, 404),
    "/outputs/999999/edit": (302, 404, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(app, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, world.people[ROLES[role_index]]).get(path.format(**world.ids()))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


DRAFT_MATRIX = {  # a draft initiative: seen by its lead and partners (invited too), never public
    "/initiatives/{iid}/outputs": (404, 404, 404, 200, 200, 200, 404, 200),
    "/initiatives/{iid}/outputs.csv": (404, 404, 404, 200, 200, 200, 404, 200),
    "/initiatives/{iid}/outputs/new": (302, 404, 404, 403, 403, 403, 404, 403),  # nothing is recorded before it starts
    "/outputs/{rid}/edit": (302, 404, 404, 403, 403, 403, 404, 403),
}


@pytest.mark.parametrize("path", list(DRAFT_MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_outputs_of_a_draft_initiative_are_hidden(app, world, session, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    world.initiative.status = "draft"
    session.flush()
    response = as_(app, world.people[ROLES[role_index]]).get(path.format(**world.ids()))
    assert response.status_code == DRAFT_MATRIX[path][role_index], (path, ROLES[role_index])


POSTS = {
    "/initiatives/{iid}/outputs/new": ("partner_staff", form()),
    "/outputs/{rid}/edit": ("partner_staff", form(hours="99")),
    "/outputs/{rid}/delete": ("partner_staff", {}),
}


def _unchanged(session: Any, world: World) -> None:
    session.expire_all()
    rows = session.scalars(select(OutputReport).where(OutputReport.initiative_id == world.initiative.id)).all()
    assert [(r.id, r.hours, r.participants_total) for r in rows] == [(world.report.id, 8, 17)]


@pytest.mark.parametrize("path", list(POSTS))
def test_every_post_needs_the_csrf_token(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    role, data = POSTS[path]
    browser = as_(app, world.people[role])
    assert browser.post(path.format(**world.ids()), data=data).status_code == 400
    assert browser.post(path.format(**world.ids()), data={**data, "csrf_token": "forged"}).status_code == 400
    _unchanged(session, world)


@pytest.mark.parametrize("path", list(POSTS))
@pytest.mark.parametrize("role", ["citizen", "invited_partner", "other_org_admin"])
def test_posts_are_refused_to_people_who_do_not_record(app, world, session, path: str, role: str) -> None:  # type: ignore[no-untyped-def]
    assert as_(app, world.people[role]).post_form(path.format(**world.ids()), POSTS[path][1]).status_code == 403
    _unchanged(session, world)


@pytest.mark.parametrize("path", ["/outputs/{rid}/edit", "/outputs/{rid}/delete"])
def test_the_lead_cannot_change_a_report_another_partner_recorded(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    assert as_(app, world.people["lead_admin"]).post_form(path.format(**world.ids()), POSTS[path][1]).status_code == 403
    _unchanged(session, world)


@pytest.mark.parametrize("path", list(POSTS))
def test_visitors_are_sent_to_log_in(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, None).post_form(path.format(**world.ids()), POSTS[path][1])
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    _unchanged(session, world)


# ---------------------------------------------------------------- recording through the form


def test_the_form_has_eight_blank_rows_limited_to_the_initiative_groups(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, world.people["partner_staff"]), f"/initiatives/{world.initiative.id}/outputs/new")
    assert html.count('name="participants-') == 8 * 4 and 'name="participants-7-count"' in html
    assert 'value="families"' in html and 'value="lower_secondary_pupils"' in html and 'value="women"' not in html
    assert "Never write names or personal details of children" in html and 'Leave gender and age "Not recorded"' in html
    assert '<caption class="visually-hidden">' in html and '<th scope="col">Target group</th>' in html
    assert 'for="participants-0-count"' in html and 'inputmode="numeric"' in html
    assert 'name="organization_id"' not in html  # one partner organisation: nothing to choose
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]  # no JavaScript needed


def test_partner_records_outputs_through_the_form(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["partner_staff"])
    response = browser.post_form(f"/initiatives/{world.initiative.id}/outputs/new", form())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/initiatives/{world.initiative.id}/outputs")
    session.expire_all()
    newest = session.scalars(select(OutputReport).where(OutputReport.initiative_id == world.initiative.id)
                             .order_by(OutputReport.id.desc())).first()
    assert (newest.sessions_held, newest.hours, newest.participants_total) == (3, 6, 16)
    html = page(browser, f"/initiatives/{world.initiative.id}/outputs")
    assert "Le famiglie partecipano di più." in html and "Participants by target group" in html


def test_a_person_of_two_partners_chooses_the_organisation(app, world, session) -> None:  # type: ignore[no-untyped-def]
    boss = world.people["lead_admin"]
    school = world.report.organization
    factories.member(school, boss, MemberRole.STAFF)
    browser = as_(app, boss)
    html = page(browser, f"/initiatives/{world.initiative.id}/outputs/new")
    assert 'name="organization_id"' in html and "Scuola Aperta" in html and "Casa dei Popoli" in html
    assert browser.post_form(f"/initiatives/{world.initiative.id}/outputs/new", form()).status_code == 400
    assert browser.post_form(f"/initiatives/{world.initiative.id}/outputs/new", form(organization_id=str(school.id))).status_code == 302
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OutputReport).where(OutputReport.organization_id == school.id)) == 2


def test_a_refused_form_keeps_what_was_typed_with_each_error_on_its_cell(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["partner_staff"])
    typed = form(hours="2.5", sessions_held="-3", materials_produced="tanti", period_end="2030-01-01",
                 **{"participants-2-target_group": "families", "participants-2-gender": "female", "participants-2-age_band": "30_64",
                    "participants-2-count": "4", "participants-3-target_group": "women", "participants-3-count": "abc"},
                 outcomes="Testo scritto con cura")
    response = browser.post_form(f"/initiatives/{world.initiative.id}/outputs/new", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for value in ('value="2.5"', 'value="-3"', 'value="tanti"', 'value="abc"', 'value="2030-01-01"', "Testo scritto con cura"):
        assert value in html, value
    assert "without decimals" in html and "cannot be negative" in html and "digits only" in html
    assert "within the period of the initiative" in html and "repeats row 1" in html
    assert 'id="participants-3-count-error"' in html and 'id="participants-2-target_group-error"' in html
    assert '<option selected value="families">' in html or 'selected value="families"' in html
    assert 'aria-invalid="true"' in html and "Please correct the form" in html
    _unchanged(session, world)


def test_a_date_that_is_not_a_date_comes_back_with_an_error(app, world, session) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, world.people["partner_staff"]).post_form(f"/initiatives/{world.initiative.id}/outputs/new",
                                                                  form(period_start="domani"))
    assert response.status_code == 400 and "Not a valid date value." in response.get_data(as_text=True)
    _unchanged(session, world)


def test_recording_partner_edits_and_deletes_its_report(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["partner_staff"])
    html = page(browser, f"/outputs/{world.report.id}/edit")
    assert 'value="8"' in html and re.search(r'<input[^>]*name="participants-1-count"[^>]*value="5"', html)
    assert 'name="participants-7-count"' in html and 'name="participants-8-count"' not in html  # two stored rows, six blank
    response = browser.post_form(f"/outputs/{world.report.id}/edit", form(hours="10"))
    assert response.status_code == 302
    session.expire_all()
    assert session.get(OutputReport, world.report.id).hours == 10
    report_id = world.report.id
    assert browser.post_form(f"/outputs/{report_id}/delete").status_code == 302
    session.expire_all()
    assert session.get(OutputReport, report_id) is None


def test_outputs_page_shows_edit_buttons_only_to_the_recording_partner(app, world) -> None:  # type: ignore[no-untyped-def]
    url = f"/initiatives/{world.initiative.id}/outputs"
    assert f'href="/outputs/{world.report.id}/edit"' in page(as_(app, world.people["partner_staff"]), url)
    assert f'href="/outputs/{world.report.id}/edit"' in page(as_(app, world.people["admin"]), url)
    for role in ("anonymous", "citizen", "lead_admin", "invited_partner"):
        html = page(as_(app, world.people[role]), url)
        assert f'href="/outputs/{world.report.id}/edit"' not in html, role
        assert "Più fiducia nel parlare in classe." in html and "Scuola Aperta" in html
    assert "Record outputs" in page(as_(app, world.people["lead_admin"]), url)
    assert "Record outputs" not in page(as_(app, world.people["citizen"]), url)


def test_public_page_has_totals_and_accessible_tables(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, None), f"/initiatives/{world.initiative.id}/outputs")
    assert "<h1>Outputs</h1>" in html and html.count("<caption") == 4 and 'scope="row"' in html
    assert "Families" in html and "Women and girls" in html and "11 to 13" in html
    assert f'href="/initiatives/{world.initiative.id}/outputs.csv"' in html


def test_csv_is_aggregate_and_downloadable(app, world) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, None).get(f"/initiatives/{world.initiative.id}/outputs.csv")
    assert response.headers["Content-Type"].startswith("text/csv") and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "row" and [r[0] for r in rows[1:]].count("report") == 1
    total = next(r for r in rows if r[0] == "total")
    assert total[5:9] == ["4", "8", "1", "17"]
    assert world.people["partner_staff"].email not in response.get_data(as_text=True)


# ---------------------------------------------------------------- the initiative page's partial


def _render(app: Flask, who: User | None, **context: Any) -> str:
    from flask_login import login_user

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        if who is not None:
            login_user(who)
        return render_template("outputs/_section.html", **context)


def test_initiative_section_shows_headline_figures_and_the_button_to_those_who_record(app, world) -> None:  # type: ignore[no-untyped-def]
    sums = outputs.totals(world.initiative)
    html = _render(app, world.people["partner_staff"], initiative=world.initiative, output_totals=sums)
    assert "Sessions held" in html and ">17<" in html and f'href="/initiatives/{world.initiative.id}/outputs/new"' in html
    html = _render(app, None, initiative=world.initiative, output_totals=sums)
    assert f'href="/initiatives/{world.initiative.id}/outputs"' in html and "/outputs/new" not in html
    empty = factories.initiative(world.report.organization)
    assert "No outputs are recorded yet." in _render(app, None, initiative=empty, output_totals=outputs.totals(empty))


# ---------------------------------------------------------------- XSS and formulas


@pytest.mark.parametrize("payload", XSS + FORMULAS)
def test_outcomes_never_execute_and_never_become_formulas(app, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    world.initiative.title = f"Iniziativa {payload}"[:160]
    world.report.organization.name = f"Scuola {payload}"[:200]
    session.flush()
    browser = as_(app, world.people["partner_staff"])
    assert browser.post_form(f"/initiatives/{world.initiative.id}/outputs/new", form(outcomes=payload)).status_code == 302
    newest = session.scalar(select(func.max(OutputReport.id)).where(OutputReport.initiative_id == world.initiative.id))
    sinks = [page(browser, f"/initiatives/{world.initiative.id}/outputs"), page(as_(app, None), f"/initiatives/{world.initiative.id}/outputs"),
             page(browser, f"/outputs/{newest}/edit"),
             browser.post_form(f"/initiatives/{world.initiative.id}/outputs/new", form(outcomes=payload, hours="x")).get_data(as_text=True)]
    for html in sinks:
        _assert_inert(html)
        if payload.startswith(("<", '"')):
            assert payload not in html
    rows = list(csv.reader(io.StringIO(browser.get(f"/initiatives/{world.initiative.id}/outputs.csv").get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for r in rows for cell in r]
    assert payload in cells or "'" + payload in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_organisation_names_in_the_csv_are_neutralised(app, world, session) -> None:  # type: ignore[no-untyped-def]
    world.report.organization.name = "=cmd|' /C calc'!A0"
    session.flush()
    body = as_(app, None).get(f"/initiatives/{world.initiative.id}/outputs.csv").get_data(as_text=True)
    assert "'=cmd" in body and ",=cmd" not in body


# ---------------------------------------------------------------- query budget


def test_outputs_page_query_count_does_not_grow_with_reports(app, world, engine, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["partner_staff"])
    url = f"/initiatives/{world.initiative.id}/outputs"

    def measure() -> int:
        browser.get(url)  # warm: the session's user is loaded the same way each time
        with count_queries(engine) as statements:
            assert browser.get(url).status_code == 200
        return len(statements)

    few = measure()
    for month in range(11, 13):
        for _ in range(6):
            outputs.record_outputs(world.people["partner_staff"], world.initiative, draft(
                period_start=date(2026, month, 1), period_end=date(2026, month, 20),
                participants=(ParticipantRow("families", "female", "30_64", 3), ParticipantRow("lower_secondary_pupils", "male", "11_13", 2))))
    outputs.record_outputs(world.people["admin"], world.initiative, draft(organization_id=world.initiative.lead_id))
    session.flush()
    many = measure()
    assert many == few, (few, many)
