"""Privacy: every foreign key to users is exported or explained; the export holds all of a person's
data and nobody else's; erasing removes the person's e-mail and name from every table while
public contributions and every count stay; the consent log."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, String, func, select

from app.exceptions import Conflict, PermissionDenied, ValidationFailed
from app.services import accounts, audit, privacy, privacy_export
from app.services.privacy import DeletionDraft
from models import (
    AccountToken,
    AuditEntry,
    Base,
    CalendarToken,
    CaseHistory,
    Consent,
    ConsentMethod,
    Event,
    EventSession,
    Feedback,
    Follow,
    Forum,
    ForumKind,
    ForumMember,
    GoodPractice,
    InitiativeMaterial,
    InitiativePartner,
    Invitation,
    Lab,
    LabBallot,
    MemberRole,
    Notification,
    NotificationPreference,
    OutboxMail,
    OutputReport,
    Post,
    ProgressUpdate,
    Proposal,
    ProposalComment,
    ProposalResponse,
    ProposalSponsor,
    ProposalSupport,
    ProposalVote,
    Registration,
    Report,
    ResponseRevision,
    Role,
    RoleAssignment,
    StoredFile,
    Thread,
    TokenPurpose,
    User,
    UserSession,
    UserStatus,
    VolunteerApplication,
    VolunteerCall,
)
from models.base import utcnow
from tests import factories


@dataclass
class Footprint:
    person: User
    tag: str  # a string written into the person's own content only
    proposal: Proposal
    session: EventSession
    thread: Thread


def footprint(tag: str, name: str | None = None) -> Footprint:
    """A person with one row in every export section, and traces of them in other people's data."""
    db = factories.db.session
    now = utcnow()
    person = factories.user(name=name, email=f"{tag}@example.org")
    helper = factories.user()
    comune = factories.chain()[2]
    org = factories.organization(home=comune, admin=helper, verified_by_id=person.id, verified_at=now)
    factories.member(org, person)
    person.roles.append(RoleAssignment(role=Role.MODERATOR, territory_id=comune.id))
    forum = Forum(slug=f"forum-{tag}", kind=ForumKind.TERRITORIAL, territory_id=comune.id, members_count=1)
    db.add(forum)
    db.flush()
    db.add(ForumMember(forum_id=forum.id, user_id=person.id))
    thread = Thread(forum_id=forum.id, author_id=person.id, last_poster_id=person.id, title=f"Discussione {tag}", posts_count=1)
    db.add(thread)
    db.flush()
    db.add(Post(thread_id=thread.id, position=1, author_id=person.id, body=f"=SUM(A1) testo-{tag}", body_html=f"<p>testo-{tag}</p>"))
    lab = Lab(slug=f"lab-{tag}", title=f"Laboratorio {tag}", convener_id=org.id, territory_id=comune.id, proposals_at=now,
              created_by_id=person.id)
    db.add(lab)
    db.flush()
    proposal = Proposal(lab_id=lab.id, title=f"Proposta {tag}", summary="Sintesi", body=f"corpo-{tag}", body_html="<p>corpo</p>",
                        author_id=person.id, authority_id=org.id, supports_count=1, votes_count=1, comments_count=1)
    db.add(proposal)
    db.flush()
    response = ProposalResponse(proposal_id=proposal.id, organization_id=org.id, author_id=person.id, decision="accepted",
                                text="Risposta", text_html="<p>Risposta</p>")
    db.add_all([
        ProposalSponsor(proposal_id=proposal.id, organization_id=org.id, invited_by_id=person.id),
        ProposalSupport(proposal_id=proposal.id, user_id=person.id),
        LabBallot(lab_id=lab.id, user_id=person.id, votes_used=1),
        ProposalVote(proposal_id=proposal.id, user_id=person.id, lab_id=lab.id),
        ProposalComment(proposal_id=proposal.id, author_id=person.id, body=f"commento-{tag}", body_html="<p>c</p>"),
        ProgressUpdate(proposal_id=proposal.id, author_id=person.id, happened_on=date(2026, 12, 1), text="Avanti",
                       text_html="<p>Avanti</p>", percent=10, status="in_progress"),
        response,
    ])
    db.flush()
    db.add(ResponseRevision(response_id=response.id, author_id=person.id, decision="evaluating", text="Prima versione"))
    event = Event(organization_id=org.id, title=f"Evento {tag}", kind="workshop", territory_id=comune.id, starts_at=now,
                  ends_at=now + timedelta(hours=2), created_by_id=person.id)
    db.add(event)
    db.flush()
    event_session = EventSession(event_id=event.id, original_start=now, starts_at=now + timedelta(days=3),
                                 ends_at=now + timedelta(days=3, hours=2), confirmed_count=1, arrivals=1)
    db.add(event_session)
    db.flush()
    db.add(Registration(session_id=event_session.id, user_id=person.id, status="confirmed", position=1))
    initiative = factories.initiative(lead=org, created_by_id=person.id)
    partner = db.scalar(select(InitiativePartner).where(InitiativePartner.initiative_id == initiative.id))
    partner.decided_by_id = person.id
    partner.contact_name, partner.contact_email = person.display_name, person.email
    call = VolunteerCall(initiative_id=initiative.id, title="Volontari", created_by_id=person.id, accepted_count=0)
    db.add(call)
    db.flush()
    db.add_all([
        InitiativeMaterial(initiative_id=initiative.id, title="Materiale", url="https://example.org/m", added_by_id=person.id),
        VolunteerApplication(call_id=call.id, user_id=person.id, message=f"Sono {person.display_name}, scrivetemi"),
        OutputReport(initiative_id=initiative.id, organization_id=org.id, period_start=date(2026, 10, 1),
                     period_end=date(2026, 10, 31), outcomes="Bene", created_by_id=person.id),
        GoodPractice(initiative_id=initiative.id, title="Pratica", designated_by_id=person.id),
        CaseHistory(organization_id=org.id, territory_id=comune.id, title="Storia", created_by_id=person.id),
        StoredFile(storage_name=secrets.token_hex(16), original_name="foto.jpg", content_type="image/jpeg", size=10,
                   owner_id=person.id),
        Report(reporter_id=person.id, handled_by_id=person.id, target_type="post", target_id=1, reason="spam", message="Spam"),
        Notification(user_id=person.id, kind="thread.reply", target_type="thread", target_id=thread.id, data={"title": "x"}),
        Follow(user_id=person.id, target_type="forum", target_id=forum.id),
        NotificationPreference(user_id=person.id),
        OutboxMail(dedupe_key=f"mail-{tag}", user_id=person.id, template="digest"),
        Invitation(organization_id=org.id, email=f"{tag}-invitee@example.org", role=MemberRole.MEMBER,
                   token_hash=secrets.token_hex(32), invited_by_id=person.id, expires_at=now + timedelta(days=3)),
        Feedback(user_id=person.id, topic="idea", message="Bello", reply_to=person.email),
        CalendarToken(user_id=person.id, token_hash=secrets.token_hex(32)),
        AccountToken(user_id=person.id, purpose=TokenPurpose.RESET, token_hash=secrets.token_hex(32),
                     password_fingerprint="x", expires_at=now + timedelta(hours=1)),
        UserSession(id=secrets.token_urlsafe(32), user_id=person.id),
        # Traces in other people's data: a notification naming the person, the address in the
        # audit log, an invitation and a mail to the address.
        Notification(user_id=helper.id, kind="thread.reply", target_type="thread", target_id=thread.id,
                     data={"actor": person.display_name, "title": f"Discussione {tag}"}),
        Invitation(organization_id=org.id, email=person.email, role=MemberRole.MEMBER, token_hash=secrets.token_hex(32),
                   invited_by_id=helper.id, expires_at=now + timedelta(days=3)),
        OutboxMail(dedupe_key=f"confirm-{tag}", to_address=person.email, template="confirm", sealed="opaque"),
    ])
    audit.record(person, "thread.pin", "thread", thread.id, thread.title)
    audit.record(helper, "user.suspend", "user", person.id, person.display_name)
    audit.record(helper, "membership.invite", "organization", org.id, org.name, email=person.email, role="member")
    db.flush()
    return Footprint(person=person, tag=tag, proposal=proposal, session=event_session, thread=thread)


def _unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _leaks(session: Any, needles: list[str]) -> list[tuple[str, str]]:
    """(table, column) of every text or JSON cell in the database containing one of ``needles``."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | JSON)]
        if not columns:
            continue
        for row in session.execute(select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(n.lower() in text.lower() for n in needles):
                    found.append((table.name, column.name))
    return found


# ---------------------------------------------------------------- the export


def test_every_foreign_key_to_users_is_exported_or_explained() -> None:
    keys = {
        (table.name, fk.parent.name)
        for table in Base.metadata.sorted_tables for fk in table.foreign_keys if fk.column.table.name == "users"
    }
    missing = keys - privacy_export.covered_keys()
    assert not missing, f"add these to privacy_export.SECTIONS or NOT_EXPORTED: {sorted(missing)}"
    assert privacy_export.covered_keys() <= keys, "stale entries in privacy_export"
    assert not {s.key for s in privacy_export.SECTIONS} & set(privacy_export.NOT_EXPORTED)


def test_export_holds_every_section_of_the_person_and_nothing_of_others(session) -> None:  # type: ignore[no-untyped-def]
    mine = footprint("zefiro", "Zéfiro Quintavalle")
    other = footprint("ortensia", "Ortensia Bellavista")

    archive = privacy_export.export_account(mine.person)

    files = _unzip(archive.data)
    assert archive.filename.startswith("ponte-export-") and archive.filename.endswith(".zip")
    document = json.loads(files["ponte-export.json"])
    sections = document["sections"]
    assert set(sections) == {"account"} | {s.name for s in privacy_export.SECTIONS}
    empty = [name for name, part in sections.items() if not part["rows"]]
    assert not empty, f"sections without the person's rows: {empty}"
    assert sections["account"]["rows"][0]["email"] == "zefiro@example.org"
    assert [r["proposal_id"] for r in sections["supports"]["rows"]] == [mine.proposal.id]
    assert {f"{name}.csv" for name in sections} | {"README.txt", "ponte-export.json"} == set(files)
    everything = "".join(files.values())
    for trace in ("ortensia", "Ortensia Bellavista", f"testo-{other.tag}"):
        assert trace not in everything
    posts = list(csv.reader(io.StringIO(files["posts.csv"].lstrip("\ufeff"))))
    assert posts[1][posts[0].index("body")].startswith("'=SUM")  # formula-safe
    assert "ponte-export.json" in files["README.txt"] and "posts.csv" in files["README.txt"]
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "account.export", AuditEntry.target_id == mine.person.id)) == 1


# ---------------------------------------------------------------- erasure


def _figures(session: Any, f: Footprint) -> tuple[int, ...]:
    session.expire_all()
    return (
        session.get(Proposal, f.proposal.id).supports_count,
        session.get(Proposal, f.proposal.id).votes_count,
        session.get(EventSession, f.session.id).confirmed_count,
        session.get(Thread, f.thread.id).posts_count,
        session.scalar(select(func.count()).select_from(ProposalSupport)),
        session.scalar(select(func.count()).select_from(ProposalVote)),
        session.scalar(select(func.count()).select_from(Registration)),
        session.scalar(select(func.count()).select_from(Post)),
        session.scalar(select(func.count()).select_from(ProposalComment)),
    )


def test_erasing_removes_email_and_name_everywhere_and_keeps_every_count(session) -> None:  # type: ignore[no-untyped-def]
    gone = footprint("zefiro", "Zéfiro Quintavalle")
    stays = footprint("ortensia", "Ortensia Bellavista")
    person, email, name = gone.person, gone.person.email, gone.person.display_name
    before = _figures(session, gone)

    with pytest.raises(ValidationFailed) as refused:
        privacy.erase_account(person, DeletionDraft(password="not-my-password", confirmed=False))
    assert set(refused.value.errors) == {"password", "confirm"}
    assert person.email == email and person.status == UserStatus.ACTIVE

    privacy.erase_account(person, DeletionDraft(password=factories.PASSWORD, confirmed=True))

    assert _leaks(session, [email, name]) == []
    assert ("users", "email") in _leaks(session, [stays.person.email])  # the scan does find what is there
    assert _figures(session, gone) == before
    person = session.get(User, person.id)
    assert person.status == UserStatus.DELETED and person.email == f"deleted-{person.id}@deleted.invalid"
    for model in (UserSession, AccountToken, CalendarToken, RoleAssignment, Follow, Notification):
        assert session.scalar(select(func.count()).select_from(model).where(model.user_id == person.id)) == 0
    assert session.scalar(select(VolunteerApplication.status).where(VolunteerApplication.user_id == person.id)) == "withdrawn"
    assert session.scalar(select(func.count()).select_from(ForumMember).where(ForumMember.user_id == person.id)) == 0
    assert session.scalar(select(Forum.members_count).where(Forum.slug == "forum-zefiro")) == 0
    assert session.scalar(select(Registration.reminder_sent_at).where(Registration.user_id == person.id)) is not None
    # The old address no longer logs in, and it can register again.
    with pytest.raises(ValidationFailed):
        accounts.authenticate(email, factories.PASSWORD)
    again = accounts.register(accounts.RegistrationDraft(
        display_name="Zefiro di nuovo", email=email, password="una frase lunga da ricordare", locale="it",
        home_territory="", accepted_privacy=True,
    ))
    assert again is not None and again.id != person.id
    # Administrators cannot bring the account back.
    with pytest.raises(Conflict):
        accounts.suspend(factories.admin(), person, suspended=False)


def test_the_only_admin_of_an_organisation_hands_over_first(session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    org = factories.organization(name="Associazione Aurora", admin=person)

    assert privacy.sole_admin_of(person) == [org]
    with pytest.raises(ValidationFailed) as refused:
        privacy.erase_account(person, DeletionDraft(password=factories.PASSWORD, confirmed=True))
    assert "Associazione Aurora" in str(refused.value.errors["organizations"])
    assert person.status == UserStatus.ACTIVE

    factories.member(org, factories.user(), MemberRole.ADMIN)
    assert privacy.sole_admin_of(person) == []


# ---------------------------------------------------------------- consent log


def test_registration_and_acceptance_are_logged_and_only_the_current_version_counts(session) -> None:  # type: ignore[no-untyped-def]
    user = accounts.register(accounts.RegistrationDraft(
        display_name="Nadia", email="nadia@example.org", password="una frase lunga da ricordare", locale="it",
        home_territory="", accepted_privacy=True,
    ))
    assert user is not None
    assert [(c.notice_version, c.method) for c in privacy.consent_history(user)] == [
        (privacy.current_version(), ConsentMethod.REGISTRATION)]
    assert not privacy.needs_acceptance(user) and privacy.accept_notice(user) is None

    old = factories.user(privacy_version="2000-01")
    assert privacy.needs_acceptance(old)
    consent = privacy.accept_notice(old)
    assert consent is not None and consent.method == ConsentMethod.RE_ACCEPTANCE
    assert old.privacy_version == privacy.current_version() and not privacy.needs_acceptance(old)
    assert [c.notice_version for c in privacy.consent_history(old)] == ["2000-01", privacy.current_version()]
    assert session.scalar(select(func.count()).select_from(Consent).where(Consent.user_id == old.id)) == 2

    with pytest.raises(PermissionDenied):
        privacy.accept_notice(factories.user(status=UserStatus.SUSPENDED))
