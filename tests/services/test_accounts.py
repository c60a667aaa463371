"""Accounts service: registration, confirmation, tokens, sessions, passwords, roles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import db
from app.exceptions import PermissionDenied, ValidationFailed
from app.services import accounts
from models import AccountToken, Role, TokenPurpose, User, UserSession
from tests import factories

GOOD = "a river under the bridge"


def _draft(**kw) -> accounts.RegistrationDraft:  # type: ignore[no-untyped-def]
    data = {"display_name": "Amina Haddad", "email": "amina@example.org", "password": GOOD, "locale": "ar",
            "home_territory": "", "accepted_privacy": True}
    data.update(kw)
    return accounts.RegistrationDraft(**data)


def _token_from(mail) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"/auth/(?:confirm|reset)/([A-Za-z0-9_\-]+)", mail.text)
    assert match, mail.text
    return match.group(1)


def _commit() -> None:
    db.commit()  # runs after-commit effects (mail) as a request would


def test_registration_creates_account_and_sends_confirmation_in_users_language(session, outbox) -> None:  # type: ignore[no-untyped-def]
    user = accounts.register(_draft())
    _commit()
    assert user is not None and not user.is_confirmed
    assert user.email == "amina@example.org"
    assert len(outbox) == 1
    assert outbox[0].to == "amina@example.org"
    assert "https://ponte.test/auth/confirm/" in outbox[0].text
    assert outbox[0].html and "<a href=" in outbox[0].html


def test_registration_with_known_email_creates_nothing_and_warns_owner(session, outbox) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="taken@example.org")
    assert accounts.register(_draft(email="Taken@Example.org")) is None
    _commit()
    assert session.scalar(select(User).where(User.email == "taken@example.org")) is not None
    assert len(outbox) == 1
    assert "/auth/confirm/" not in outbox[0].text


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("password", {"password": "short"}),
        ("password", {"password": "password123"}),
        ("password", {"password": "aaaaaaaaaaaaaa"}),
        ("password", {"password": "amina-haddad-2026", "display_name": "Amina Haddad"}),
        ("email", {"email": "not an address"}),
        ("display_name", {"display_name": " "}),
        ("accept_privacy", {"accepted_privacy": False}),
        ("locale", {"locale": "xx"}),
        ("home_territory", {"home_territory": "Atlantide"}),
    ],
)
def test_registration_rejects_bad_input_with_a_message_per_field(session, field, changes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        accounts.register(_draft(**changes))
    assert field in err.value.errors
    assert session.scalar(select(User)) is None


def test_home_territory_is_resolved_from_what_people_type(session) -> None:  # type: ignore[no-untyped-def]
    _, province, _ = factories.chain()
    forli = factories.territory("Forlì", factories.TerritoryLevel.COMUNE, province, car_code="FC")
    user = accounts.register(_draft(home_territory="forli"))
    assert user is not None and user.home_territory_id == forli.id


def test_confirmation_token_is_single_use(session, outbox) -> None:  # type: ignore[no-untyped-def]
    accounts.register(_draft())
    _commit()
    token = _token_from(outbox[0])
    user = accounts.confirm_email(token)
    assert user.is_confirmed
    with pytest.raises(ValidationFailed):
        accounts.confirm_email(token)


def test_only_the_newest_reset_token_works(session, outbox) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="olena@example.org")
    accounts.request_password_reset("olena@example.org")
    accounts.request_password_reset("olena@example.org")
    _commit()
    first, second = (_token_from(m) for m in outbox)
    with pytest.raises(ValidationFailed):
        accounts.reset_password(first, "the bridge over the river")
    assert accounts.reset_password(second, "the bridge over the river").email == "olena@example.org"


def test_reset_token_expires(session, outbox) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="ardit@example.org")
    accounts.request_password_reset("ardit@example.org")
    _commit()
    token = _token_from(outbox[0])
    row = session.scalar(select(AccountToken).where(AccountToken.purpose == TokenPurpose.RESET))
    row.expires_at = row.created_at - timedelta(seconds=1)
    session.flush()
    with pytest.raises(ValidationFailed):
        accounts.reset_password(token, "another good password")


def test_reset_token_dies_when_the_password_changes(session, outbox) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(email="lin@example.org")
    accounts.request_password_reset("lin@example.org")
    _commit()
    token = _token_from(outbox[0])
    user.current_session_id = accounts.start_session(user)
    accounts.change_password(user, factories.PASSWORD, "brand new password here")
    assert not accounts.peek_token(token, TokenPurpose.RESET)


def test_weak_new_password_keeps_the_reset_link_usable(session, outbox) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="ioana@example.org")
    accounts.request_password_reset("ioana@example.org")
    _commit()
    token = _token_from(outbox[0])
    with pytest.raises(ValidationFailed):
        accounts.reset_password(token, "short")
    assert accounts.peek_token(token, TokenPurpose.RESET)


def test_reset_for_unknown_email_sends_nothing(session, outbox) -> None:  # type: ignore[no-untyped-def]
    accounts.request_password_reset("nobody@example.org")
    _commit()
    assert outbox == []


def test_authenticate_gives_one_vague_error(session) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="rahim@example.org")
    with pytest.raises(ValidationFailed) as wrong_password:
        accounts.authenticate("rahim@example.org", "wrong password")
    with pytest.raises(ValidationFailed) as unknown:
        accounts.authenticate("ghost@example.org", "wrong password")
    assert str(wrong_password.value) == str(unknown.value)
    assert accounts.authenticate("RAHIM@example.org", factories.PASSWORD).email == "rahim@example.org"


def test_sessions_end_on_logout_and_on_password_change(session) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    phone = accounts.start_session(user)
    laptop = accounts.start_session(user)
    assert phone != laptop
    assert accounts.load_session(phone) is user
    accounts.end_session(phone)
    assert accounts.load_session(phone) is None
    user.current_session_id = laptop
    tablet = accounts.start_session(user)
    user.current_session_id = laptop
    accounts.change_password(user, factories.PASSWORD, "a completely new password")
    assert accounts.load_session(tablet) is None
    assert accounts.load_session(laptop) is user
    assert session.scalar(select(UserSession).where(UserSession.id == tablet)) is None


def test_change_password_needs_the_current_one(session) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    with pytest.raises(ValidationFailed) as err:
        accounts.change_password(user, "not it", "a completely new password")
    assert "current_password" in err.value.errors


def test_settings_cannot_be_changed_for_someone_else(session) -> None:  # type: ignore[no-untyped-def]
    me, other = factories.user(), factories.user()
    draft = accounts.SettingsDraft(display_name="Hacker", locale="it", home_territory="")
    with pytest.raises(PermissionDenied):
        accounts.update_settings(me, other, draft)


def test_settings_are_saved(session) -> None:  # type: ignore[no-untyped-def]
    me = factories.user()
    draft = accounts.SettingsDraft(display_name="  Moussa   Diop ", locale="fr", home_territory="", languages_spoken=["wo", "fr", "wo"])
    accounts.update_settings(me, me, draft)
    assert (me.display_name, me.locale, me.languages_spoken) == ("Moussa Diop", "fr", ["wo", "fr"])


def test_only_admins_grant_roles_and_moderators_need_a_territory(session) -> None:  # type: ignore[no-untyped-def]
    region, _, _ = factories.chain()
    admin, citizen = factories.admin(), factories.user()
    with pytest.raises(PermissionDenied):
        accounts.grant_role(citizen, citizen, Role.ADMIN)
    with pytest.raises(ValidationFailed):
        accounts.grant_role(admin, citizen, Role.MODERATOR)
    accounts.grant_role(admin, citizen, Role.MODERATOR, region)
    accounts.grant_role(admin, citizen, Role.MODERATOR, region)  # idempotent
    assert [(r.role, r.territory_id) for r in citizen.roles] == [(Role.MODERATOR, region.id)]
