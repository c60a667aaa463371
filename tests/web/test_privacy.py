"""Privacy pages over HTTP: accepting a changed notice (and where one may go without), downloading
one's data, deleting one's account (wrong password, success, logging out, registering again,
"deleted participant" on the pages), CSRF and login on every route."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from app.services import privacy
from models import Consent, Forum, ForumKind, Post, Thread, User, UserStatus
from tests import factories
from tests.conftest import login

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {"/me/export", "/me/delete", "/privacy/accept"}


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("privacy.")} == COVERED_ROUTES


def test_visitors_are_sent_to_login_and_posts_need_the_csrf_token(client, session) -> None:  # type: ignore[no-untyped-def]
    for path in sorted(COVERED_ROUTES):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), path
    user = factories.user()
    login(client, user.email, factories.PASSWORD)
    for path in sorted(COVERED_ROUTES):
        assert client.post(path, data={"password": factories.PASSWORD, "confirm": "y"}).status_code == 400, path
    session.expire_all()
    assert session.get(User, user.id).status == UserStatus.ACTIVE


def test_a_changed_notice_must_be_accepted_before_going_on(client, session) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(privacy_version="2000-01")
    login(client, user.email, factories.PASSWORD)

    response = client.get("/me/settings?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy/accept?next=/me/settings?tab%3D1"
    response = client.post_form("/me/password", {"pw-current_password": factories.PASSWORD, "pw-new_password": "una frase nuova e lunga"})
    assert response.headers["Location"] == "/privacy/accept"  # no action either
    for path in ("/privacy", "/me/export", "/me/delete", "/healthz"):
        assert client.get(path).status_code == 200, path

    page = client.get("/privacy/accept?next=/me/settings&lang=en").get_data(as_text=True)
    assert "The privacy notice has changed" in page and 'href="/privacy#changes"' in page
    assert 'action="/auth/logout"' in page and 'href="/me/delete"' in page and 'href="/me/export"' in page
    response = client.post_form("/privacy/accept", {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/me"  # the next value is checked
    assert client.get("/me/settings").status_code == 200
    assert [c.notice_version for c in session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id))] == [
        "2000-01", privacy.current_version()]
    assert client.get("/privacy/accept?next=/me/settings").headers["Location"] == "/me/settings"


def test_the_notice_shows_its_version_and_date_and_settings_link_to_your_data(client, session) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert privacy.current_version() in page and "2026" in page and 'id="changes"' in page
    login(client, factories.user().email, factories.PASSWORD)
    page = client.get("/me/settings").get_data(as_text=True)
    assert 'href="/me/export"' in page and 'href="/me/delete"' in page


def test_download_is_a_zip_of_the_persons_data(client, session) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(name="Ilaria Download")
    login(client, user.email, factories.PASSWORD)
    assert client.get("/me/export").status_code == 200

    response = client.post_form("/me/export")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"] and response.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        document = json.loads(archive.read("ponte-export.json"))
        assert "README.txt" in archive.namelist()
    assert document["sections"]["account"]["rows"][0]["display_name"] == "Ilaria Download"


def test_deleting_the_account(client, session) -> None:  # type: ignore[no-untyped-def]
    comune = factories.chain()[2]
    person = factories.user(name="Gianfranco Cancellato", email="gianfranco@example.org")
    forum = Forum(slug="forum-gdpr", kind=ForumKind.TERRITORIAL, territory_id=comune.id)
    session.add(forum)
    session.flush()
    thread = Thread(forum_id=forum.id, author_id=person.id, last_poster_id=person.id, title="Corsi di italiano", posts_count=1)
    session.add(thread)
    session.flush()
    session.add(Post(thread_id=thread.id, position=1, author_id=person.id, body="Ci sono corsi?", body_html="<p>Ci sono corsi?</p>"))
    session.flush()
    login(client, person.email, factories.PASSWORD)
    page = client.get("/me/delete?lang=en").get_data(as_text=True)
    assert "What stays, without your name" in page and 'autocomplete="current-password"' in page

    response = client.post_form("/me/delete?lang=en", {"password": "wrong-password-here", "confirm": "y"})
    assert response.status_code == 400 and "The password is not correct." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, person.id).email == "gianfranco@example.org"

    response = client.post_form("/me/delete", {"password": factories.PASSWORD, "confirm": "y"})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/me").headers["Location"].startswith("/auth/login")  # logged out, session gone
    assert login(client, "gianfranco@example.org", factories.PASSWORD).status_code == 200  # the login form again
    page = client.get(f"/threads/{thread.id}?lang=en").get_data(as_text=True)
    assert "Ci sono corsi?" in page and "deleted participant" in page and "Gianfranco" not in page
    form = {"display_name": "Gianfranco", "email": "gianfranco@example.org", "password": "una frase lunga da ricordare",
            "locale": "it", "home_territory": "", "accept_privacy": "y"}
    assert client.post_form("/auth/register", form).status_code == 302
    assert session.scalar(select(func.count()).select_from(User).where(User.email == "gianfranco@example.org")) == 1
