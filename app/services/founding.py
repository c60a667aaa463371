"""The founding path: a guided checklist that turns an informal group into a registered
association (APS or ODV), with a draft statute, documents and an optional mentor.

Every save touches the path row, so its ``version`` moves on with each change: a form that
posts the version it showed is refused with a clear message if someone saved meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import audit, italian_ids, mail, territories, uploads
from models import (
    FoundingDocument,
    FoundingPath,
    FoundingStep,
    LegalForm,
    MemberRole,
    Membership,
    MembershipStatus,
    MentorStatus,
    Organization,
    OrgKind,
    StepKey,
    StepStatus,
    Territory,
    User,
)
from models.base import utcnow

PATH_FORMS = (LegalForm.APS, LegalForm.ODV)
RESULT_KINDS = (OrgKind.MIGRANT_ASSOCIATION, OrgKind.YOUTH_ASSOCIATION)
MENTOR_KINDS = frozenset({OrgKind.MIGRANT_ASSOCIATION, OrgKind.YOUTH_ASSOCIATION, OrgKind.THIRD_SECTOR})
MIN_FOUNDERS = 3  # to draft the statute and the founding act
MIN_MEMBERS_RUNTS = 7  # Codice del Terzo settore, arts. 32 and 35: 7 people (or 3 APS/ODV)
MAX_FOUNDERS = 200
MAX_DOCUMENTS_PER_STEP = 20
ROME = ZoneInfo("Europe/Rome")

EDITED_MEANWHILE = _l(
    "Someone else saved changes to this founding path while you were working on it. "
    "Reload the page, check the latest version and save again."
)


@dataclass(frozen=True)
class StepGuide:
    """Plain-language explanation of one step (English source, translated through the catalog)."""

    title: Any
    summary: Any
    paragraphs: tuple[Any, ...]


GUIDE: dict[StepKey, StepGuide] = {
    StepKey.LEGAL_FORM: StepGuide(
        _l("Choose the legal form: APS or ODV"),
        _l("Decide together which kind of association you want to become."),
        (
            _l("A registered association is a third-sector body (ETS). Small groups usually choose between two forms: APS and ODV."),
            _l("APS (associazione di promozione sociale, association for social promotion) runs social, cultural, educational or sport activities for its members, their families and other people. Most of the work is done by volunteers who are members. An APS can also pay some workers, within limits set by the law."),
            _l("ODV (organizzazione di volontariato, volunteer organisation) works mainly for people outside the association, for example people in need. Its activities are carried out mainly by volunteers. An ODV can pay workers only when it is really necessary."),
            _l("For both forms, the registration in the RUNTS needs at least 7 members (or at least 3 associations of the same type). If you are not sure which form to choose, ask a volunteer service centre (Centro di servizio per il volontariato, CSV): their advice is free."),
        ),
    ),
    StepKey.PURPOSE_MEMBERS: StepGuide(
        _l("Write the purpose and list the founding members"),
        _l("Say what the association will do, for whom, where it is based and who founds it."),
        (
            _l("The purpose says what the association does and for whom, for example: Italian lessons and help with documents for families from Senegal in our town. Write it in simple words: it goes into the statute."),
            _l("The founding members are the people who create the association and sign the founding act. Each of them needs an identity document and a codice fiscale. You need at least 3 names to prepare the draft statute here."),
            _l("Remember: the registration in the RUNTS needs at least 7 members for an APS or an ODV. You can start with fewer founders, but you will need 7 members before you apply."),
            _l("Choose also the seat: an address in Italy where the association receives its post. It can be the home of a member who agrees."),
        ),
    ),
    StepKey.STATUTE: StepGuide(
        _l("Write and sign the statute and the founding act"),
        _l("Prepare the two founding documents, sign them and register them."),
        (
            _l("The statute (statuto) holds the rules of the association: name, seat, purpose, who can become a member, how decisions are taken and how money is used. The founding act (atto costitutivo) says that the association was born, on which day, and who the founders are."),
            _l("Ponte prepares a draft of both documents in Italian from your answers. Read it together, fill in the parts in square brackets and change what you need. A volunteer service centre (CSV) or your mentor association can check it with you."),
            _l("All the founders sign both documents. Then the legal representative registers them at an office of the Agenzia delle Entrate, usually within 20 days. You may have to pay the registration tax and stamp duty: third-sector bodies can be exempt from some of these costs, so ask the office or a CSV before you pay."),
            _l("Upload the signed documents here, so that the group keeps them in one place."),
        ),
    ),
    StepKey.TAX_CODE: StepGuide(
        _l("Ask for the association's tax code (codice fiscale)"),
        _l("The association gets its own codice fiscale from the Agenzia delle Entrate."),
        (
            _l("The association needs its own codice fiscale, different from the codes of its members. It has 11 digits. You need it for the RUNTS, for the bank and for every contract."),
            _l("The legal representative (usually the president) fills in form AA5/6 of the Agenzia delle Entrate and hands it in at one of its offices, with the statute, the founding act and an identity document. You can often do it on the same day as the registration of the statute. There is no fee for the code."),
            _l("Write down the code: you will need it in the last step of this path."),
        ),
    ),
    StepKey.RUNTS: StepGuide(
        _l("Register in the RUNTS"),
        _l("Apply online to the national register of third-sector bodies."),
        (
            _l("The RUNTS (Registro unico nazionale del Terzo settore) is the national register of third-sector bodies. Registered associations can take part in public calls, sign agreements with public bodies and receive the 5 per mille."),
            _l("The application is made online and is checked by the RUNTS office of your region. You need: the statute, the founding act, the list of members, a certified e-mail address (PEC) of the association and the digital signature of the legal representative."),
            _l("An APS or an ODV needs at least 7 members (or at least 3 associations of the same type) to be registered. A PEC address and a digital signature have a yearly cost: compare the offers of certified providers."),
            _l("The office checks the documents and may ask you for changes. When the association is registered, it gets a RUNTS number: write it down for the last step."),
        ),
    ),
    StepKey.BANK_ACCOUNT: StepGuide(
        _l("Open a bank account in the association's name"),
        _l("Keep the association's money apart from the members' money."),
        (
            _l("The association's money must be kept apart from the money of its members. Open a current account in the name of the association, not in the name of a person."),
            _l("The bank usually asks for: the statute, the founding act, the association's tax code, and the identity document and codice fiscale of the legal representative. Some banks also ask for the minutes of the meeting that elected the president."),
            _l("Compare the costs: some banks and Poste Italiane offer cheaper accounts for non-profit associations. Decide who can sign payments and write it in the minutes of a meeting."),
        ),
    ),
    StepKey.INSURANCE: StepGuide(
        _l("Insure your volunteers"),
        _l("Volunteer insurance is compulsory for APS and ODV."),
        (
            _l("APS and ODV must insure the volunteers who work for them: against injury and illness connected with the voluntary activity, and for damage they may cause to other people (third-party liability)."),
            _l("Ask insurance companies for quotes: some have special policies for volunteers, and some volunteer service centres (CSV) and networks of associations offer group policies. The cost depends on the number of volunteers and on the activities."),
            _l("Keep a register of volunteers with names and dates: the insurance covers the people written in it. Upload the insurance policy here."),
        ),
    ),
}


@dataclass(frozen=True)
class AnswersDraft:
    """The group's answers, used for the draft statute."""

    legal_form: str = ""
    association_name: str = ""
    purpose: str = ""
    seat_address: str = ""
    founding_members: tuple[str, ...] = ()
    seen_version: int | None = None


@dataclass(frozen=True)
class CompletionDraft:
    """The legal data the group got at the end of the path."""

    tax_code: str = ""
    runts_number: str = ""
    kind: str = OrgKind.MIGRANT_ASSOCIATION.value
    seen_version: int | None = None


# ---------------------------------------------------------------- helpers


def _check_version(path: FoundingPath, seen_version: int | None) -> None:
    if seen_version is not None and seen_version != path.version:
        raise Conflict(EDITED_MEANWHILE)


def _touch(path: FoundingPath) -> None:
    """Steps and documents live in other tables: marking the path changed bumps its version."""
    flag_modified(path, "association_name")


def _save(apply: Any) -> None:
    """Run ``apply`` in a savepoint and flush; a concurrent save (stale version) is a Conflict
    that leaves the session usable, so the page can be shown again with the message."""
    try:
        with db.session.begin_nested():
            apply()
    except StaleDataError:
        raise Conflict(EDITED_MEANWHILE) from None


def _text(value: str, limit: int) -> str:
    """Plain text with its line breaks kept and trailing spaces removed."""
    lines = [line.rstrip() for line in (value or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()[: limit + 1]


def _line(value: str) -> str:
    return " ".join((value or "").split())


def _with_light_orgs(stmt: Any) -> Any:
    """The path's organisations without their profile collections (not shown here)."""
    light = (lazyload(Organization.areas), lazyload(Organization.languages), lazyload(Organization.served), lazyload(Organization.descriptions))
    return stmt.options(joinedload(FoundingPath.organization).options(*light), joinedload(FoundingPath.mentor).options(*light))


def _clean_answers(draft: AnswersDraft) -> tuple[dict, dict]:
    errors: dict = {}
    legal_form = None
    if draft.legal_form:
        if draft.legal_form not in {f.value for f in PATH_FORMS}:
            errors["legal_form"] = _l("Choose APS or ODV.")
        else:
            legal_form = LegalForm(draft.legal_form)
    name = _line(draft.association_name)
    if name and not 3 <= len(name) <= 160:
        errors["association_name"] = _l("Write a name of 3 to 160 characters.")
    purpose = _text(draft.purpose, 4000)
    if len(purpose) > 4000:
        errors["purpose"] = _l("Write the purpose in 4,000 characters or fewer.")
    seat = _line(draft.seat_address)
    if len(seat) > 300:
        errors["seat_address"] = _l("Write the address in 300 characters or fewer.")
    founders = list(dict.fromkeys(n for n in (_line(x) for x in draft.founding_members) if n))
    if len(founders) > MAX_FOUNDERS or any(len(n) > 120 for n in founders):
        errors["founding_members"] = _l("Write one name per line, each in 120 characters or fewer.")
    elif 0 < len(founders) < MIN_FOUNDERS:
        errors["founding_members"] = _l("Write at least 3 founding members, one per line: the statute needs at least 3 founders.")
    values = {"legal_form": legal_form, "association_name": name, "purpose": purpose, "seat_address": seat, "founding_members": founders}
    return values, errors


def _step_ready(path: FoundingPath, key: StepKey) -> Any | None:
    """Why this step cannot be marked as done yet, or None."""
    if key == StepKey.LEGAL_FORM and path.legal_form not in PATH_FORMS:
        return _l("First choose APS or ODV in your answers, then mark this step as done.")
    if key == StepKey.PURPOSE_MEMBERS and (not path.purpose or len(path.founding_members or []) < MIN_FOUNDERS):
        return _l("First write the purpose and at least 3 founding members in your answers, then mark this step as done.")
    return None


# ---------------------------------------------------------------- commands


def start_path(actor: User, group: Organization) -> FoundingPath:
    """Start the path of an informal group: seven steps, all to do. A second start is a Conflict."""
    ensure(actor, Permission.FOUNDING_START, group)
    if db.session.scalar(select(FoundingPath.id).where(FoundingPath.organization_id == group.id)) is not None:
        raise Conflict(_l("This group has already started its founding path."))
    path = FoundingPath(
        organization=group, association_name=group.name, purpose="", seat_address=group.address or "",
        founding_members=[], mentor_status=MentorStatus.NONE,
        steps=[FoundingStep(key=key, position=n, status=StepStatus.TODO, notes="") for n, key in enumerate(StepKey, start=1)],
    )
    try:
        with db.session.begin_nested():
            db.session.add(path)
    except IntegrityError:
        raise Conflict(_l("This group has already started its founding path.")) from None
    audit.record(actor, "founding.start", "organization", group.id, group.name)
    return path


def save_answers(actor: User, path: FoundingPath, draft: AnswersDraft) -> FoundingPath:
    """Save legal form (APS or ODV), proposed name, purpose, seat and founding members."""
    ensure(actor, Permission.FOUNDING_MANAGE, path)
    _check_version(path, draft.seen_version)
    values, errors = _clean_answers(draft)
    if errors:
        raise ValidationFailed(errors)

    def apply() -> None:
        for key, value in values.items():
            setattr(path, key, value)
        _touch(path)

    _save(apply)
    return path


def update_step(  # noqa: PLR0917 — the command's agreed signature: (actor, path, key, status, notes, upload)
    actor: User, path: FoundingPath, key: str, status: str, notes: str, upload: uploads.Upload | None,
    *, seen_version: int | None = None,
) -> FoundingStep:
    """Set a step's status and notes, and attach an uploaded document (PDF or image) if given."""
    ensure(actor, Permission.FOUNDING_MANAGE, path)
    step = get_step(path, key)
    _check_version(path, seen_version)
    if status not in StepStatus.__members__.values():
        raise ValidationFailed({"status": _l("Choose one option from the list.")})
    clean_notes = _text(notes, 5000)
    if len(clean_notes) > 5000:
        raise ValidationFailed({"notes": _l("Write the notes in 5,000 characters or fewer.")})
    if status == StepStatus.DONE and (reason := _step_ready(path, step.key)) is not None:
        raise ValidationFailed({"status": reason})
    if upload is not None and len(step.documents) >= MAX_DOCUMENTS_PER_STEP:
        raise ValidationFailed({"file": _l("This step already has 20 documents. Remove one before adding another.")})

    def apply() -> None:
        if upload is not None:
            step.documents.append(FoundingDocument(file=uploads.store_document(actor, upload, field="file")))
        step.status = StepStatus(status)
        step.notes = clean_notes
        step.updated_at = utcnow()
        _touch(path)

    _save(apply)
    return step


def remove_document(actor: User, path: FoundingPath, document_id: int) -> None:
    """Remove a document from one of the path's steps and delete the stored file."""
    ensure(actor, Permission.FOUNDING_MANAGE, path)
    document = get_document(path, document_id)
    stored = document.file
    step = next(s for s in path.steps if s.id == document.step_id)

    def apply() -> None:
        step.documents.remove(document)
        _touch(path)

    _save(apply)
    uploads.discard(stored)


def invite_mentor(actor: User, path: FoundingPath, mentor_slug: str) -> FoundingPath:
    """Invite a verified association to accompany the group; its admins get an e-mail."""
    ensure(actor, Permission.FOUNDING_MANAGE, path)
    if path.mentor_status in (MentorStatus.INVITED, MentorStatus.ACCEPTED):
        raise Conflict(_l("This group already has a mentor association, or an invitation is waiting for an answer."))
    mentor = None
    if mentor_slug and len(mentor_slug) <= 80:
        mentor = db.session.scalar(select(Organization).where(Organization.slug == mentor_slug))
    if mentor is None or mentor.is_hidden or not mentor.is_verified or mentor.kind not in MENTOR_KINDS or mentor.id == path.organization_id:
        raise ValidationFailed({"mentor": _l("Choose a verified association or third-sector body from the list.")})

    def apply() -> None:
        path.mentor = mentor
        path.mentor_status = MentorStatus.INVITED
        _touch(path)

    _save(apply)
    group = path.organization
    for person in _admins(mentor):
        mail.send_after_commit(
            person.email, "mentor_invitation", person.locale or "it", name=person.display_name,
            group=group.name, mentor=mentor.name, link=("founding.show", {"slug": group.slug}),
        )
    audit.record(actor, "founding.invite_mentor", "organization", group.id, group.name, mentor=mentor.slug)
    return path


def answer_mentor(actor: User, path: FoundingPath, accept: bool) -> FoundingPath:
    """The invited association's admins accept or decline to be the group's mentor."""
    ensure(actor, Permission.FOUNDING_MENTOR, path)

    def apply() -> None:
        path.mentor_status = MentorStatus.ACCEPTED if accept else MentorStatus.DECLINED
        _touch(path)

    _save(apply)
    audit.record(actor, "founding.mentor_accept" if accept else "founding.mentor_decline", "organization",
                 path.organization_id, path.organization.name)
    return path


def _completion_errors(path: FoundingPath, draft: CompletionDraft) -> dict:
    errors: dict = {}
    if any(step.status != StepStatus.DONE for step in path.steps):
        errors["steps"] = _l("Mark every step as done before you complete the path.")
    if path.legal_form not in PATH_FORMS:
        errors["legal_form"] = _l("Choose APS or ODV in the answers first.")
    if len(path.founding_members or []) < MIN_FOUNDERS:
        errors["founding_members"] = _l("Write at least 3 founding members in the answers first.")
    tax_code = italian_ids.normalize_tax_code(draft.tax_code)
    if not tax_code or not (len(tax_code) == 11 and tax_code.isdigit()):
        errors["tax_code"] = _l("Write the association's codice fiscale: 11 digits. Check them: the last digit is a check digit.")
    if not italian_ids.normalize_runts(draft.runts_number):
        errors["runts_number"] = _l("Write the RUNTS number you received: digits only.")
    if draft.kind not in {k.value for k in RESULT_KINDS}:
        errors["kind"] = _l("Choose one option from the list.")
    return errors


def complete(actor: User, path: FoundingPath, draft: CompletionDraft) -> Organization:
    """Finish the path: the group becomes an association with its legal data."""
    ensure(actor, Permission.FOUNDING_MANAGE, path)
    _check_version(path, draft.seen_version)
    errors = _completion_errors(path, draft)
    if errors:
        raise ValidationFailed(errors)
    org = path.organization

    def apply() -> None:
        org.kind = OrgKind(draft.kind)
        org.legal_form = path.legal_form
        org.tax_code = italian_ids.normalize_tax_code(draft.tax_code) or ""
        org.runts_number = italian_ids.normalize_runts(draft.runts_number) or ""
        org.founding_year = datetime.now(ROME).year
        if path.association_name:
            org.name = path.association_name
            org.name_key = territories.name_key(path.association_name)
        org.updated_at = utcnow()
        path.completed_at = utcnow()

    _save(apply)
    audit.record(actor, "founding.complete", "organization", org.id, org.name,
                 legal_form=org.legal_form.value if org.legal_form else "", runts_number=org.runts_number)
    return org


# ---------------------------------------------------------------- queries


def get_path(viewer: User | None, slug: str) -> FoundingPath:
    """The founding path of the group with this slug, or NotFound (also when the viewer may not see it)."""
    path = None
    if slug and len(slug) <= 80:
        stmt = select(FoundingPath).join(Organization, FoundingPath.organization_id == Organization.id).where(Organization.slug == slug)
        path = db.session.scalar(_with_light_orgs(stmt))
    if path is None or not can(viewer, Permission.FOUNDING_VIEW, path):
        raise NotFound(_l("We could not find this founding path."))
    return path


def get_step(path: FoundingPath, key: str) -> FoundingStep:
    """The step of this path with this key, or NotFound."""
    for step in path.steps:
        if step.key.value == key:
            return step
    raise NotFound(_l("This step does not exist."))


def get_document(path: FoundingPath, document_id: int) -> FoundingDocument:
    """A document of one of this path's steps, or NotFound."""
    for step in path.steps:
        for document in step.documents:
            if document.id == document_id:
                return document
    raise NotFound(_l("We could not find this document."))


def paths_for(user: User) -> list[FoundingPath]:
    """Paths of the groups the user is an active member of, and of the groups that invited
    (or have as mentor) an association the user is an admin of. Newest first."""
    member_of = select(Membership.organization_id).where(Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE)
    admin_of = member_of.where(Membership.role == MemberRole.ADMIN)
    stmt = (
        select(FoundingPath)
        .where(or_(
            FoundingPath.organization_id.in_(member_of),
            and_(FoundingPath.mentor_id.in_(admin_of), FoundingPath.mentor_status.in_((MentorStatus.INVITED, MentorStatus.ACCEPTED))),
        ))
        .options(selectinload(FoundingPath.steps).lazyload(FoundingStep.documents))
        .order_by(FoundingPath.created_at.desc(), FoundingPath.id.desc())
        .limit(100)
    )
    return list(db.session.scalars(_with_light_orgs(stmt)).unique())


def groups_to_start(user: User) -> list[Organization]:
    """Informal groups the user is an admin of that have not started a path yet."""
    stmt = (
        select(Organization)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(
            Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE, Membership.role == MemberRole.ADMIN,
            Organization.kind == OrgKind.INFORMAL_GROUP,
            ~select(FoundingPath.id).where(FoundingPath.organization_id == Organization.id).exists(),
        )
        .options(lazyload(Organization.areas), lazyload(Organization.languages), lazyload(Organization.served), lazyload(Organization.descriptions))
        .order_by(Organization.name_key)
        .limit(50)
    )
    return list(db.session.scalars(stmt))


def mentor_candidates(path: FoundingPath, limit: int = 200) -> list[Organization]:
    """Verified associations and third-sector bodies of the group's region, by name."""
    region_ids = path.organization.home_territory.ancestor_ids[:1]
    stmt = select(Organization).where(
        Organization.is_verified.is_(True), Organization.is_hidden.is_(False), Organization.kind.in_(MENTOR_KINDS),
        Organization.id != path.organization_id,
    )
    if region_ids:
        inside = select(Territory.id).where(Territory.path.like(f"/{region_ids[0]}/%"))
        stmt = stmt.where(Organization.home_territory_id.in_(inside))
    stmt = stmt.options(
        lazyload(Organization.areas), lazyload(Organization.languages), lazyload(Organization.served), lazyload(Organization.descriptions),
    ).order_by(Organization.name_key).limit(limit)
    return list(db.session.scalars(stmt))


def _admins(org: Organization) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == org.id, Membership.role == MemberRole.ADMIN, Membership.status == MembershipStatus.ACTIVE,
        )
    ))


def progress(path: FoundingPath) -> tuple[int, int]:
    """(steps done, all steps)."""
    return sum(1 for s in path.steps if s.status == StepStatus.DONE), len(path.steps)


def warnings(path: FoundingPath) -> list[Any]:
    """Things to know that do not block the path (shown, never enforced)."""
    found: list[Any] = []
    count = len(path.founding_members or [])
    if MIN_FOUNDERS <= count < MIN_MEMBERS_RUNTS:
        found.append(_l("You have fewer than 7 founding members. That is enough to draft the statute, but the RUNTS registration needs at least 7 members for an APS or an ODV: find more members before you apply."))
    return found
