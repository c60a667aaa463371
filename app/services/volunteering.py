"""Calls for volunteers of an initiative: the lead opens a call, people apply with a short
message, the lead accepts or declines.

Places are exact under any concurrency: an acceptance takes a place with one conditional UPDATE
(``accepted_count < places``), so two leads accepting at the same moment never exceed them.
One application per person and call is a unique constraint. Applications (messages and names)
are seen only by the applicant and by those who manage the initiative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import audit, notifications
from app.services.labs import local_day
from models import (
    ApplicationStatus,
    Initiative,
    InitiativeStatus,
    User,
    VolunteerApplication,
    VolunteerCall,
)
from models.base import utcnow

TITLE_MIN, TITLE_MAX = 3, 160
DESCRIPTION_MAX = 4000
MESSAGE_MAX = 1000
PLACES_MAX = 10_000
CALLS_SHOWN = 50
APPLICATIONS_SHOWN = 500
_NOT_RUNNING = (InitiativeStatus.DRAFT, InitiativeStatus.COMPLETED)
# The pages of calls never show an initiative's actions or target groups: load them only if asked.
_LIGHT = (lazyload(Initiative.actions), lazyload(Initiative.targets))


@dataclass(frozen=True)
class CallDraft:
    title: str
    description: str = ""
    places: int | None = None  # None: no limit
    closes_on: date | None = None  # last Rome day to apply; None: open until closed or full


@dataclass(frozen=True)
class CallEntry:
    """One call as the initiative page shows it to one viewer."""

    call: VolunteerCall
    is_open: bool
    places_left: int | None  # None: no limit
    my_status: ApplicationStatus | None  # the viewer's own application, if any
    pending: int  # applications waiting for an answer (0 unless the viewer manages the initiative)


@dataclass(frozen=True)
class CallsSection:
    entries: list[CallEntry]
    can_manage: bool  # sees every call, the applications, and the pending counts
    can_open: bool  # may open a new call now

    @property
    def pending_total(self) -> int:
        return sum(e.pending for e in self.entries)


def today() -> date:
    """Today's calendar day in Rome (deadlines are Rome days)."""
    return local_day(utcnow())  # type: ignore[return-value]


def places_left(call: VolunteerCall) -> int | None:
    return None if call.places is None else max(0, call.places - call.accepted_count)


def closed_reason(call: VolunteerCall, on: date | None = None) -> str | None:
    """Why nobody can apply to this call now, in words; None while it is open."""
    initiative = call.initiative
    if call.closed_at is not None or initiative.status in _NOT_RUNNING:
        return str(_l("This call is closed."))
    if call.closes_on is not None and (on or today()) > call.closes_on:
        return str(_l("The last day to apply has passed."))
    if call.places is not None and call.accepted_count >= call.places:
        return str(_l("All places are taken."))
    return None


def is_open(call: VolunteerCall, on: date | None = None) -> bool:
    return closed_reason(call, on) is None


def application_problem(user: User | None, call: VolunteerCall) -> str | None:
    """Why this person cannot apply now, in words; None if they can."""
    reason = closed_reason(call)
    if reason:
        return reason
    if user is None:
        return str(_l("Log in to apply."))
    if not user.is_confirmed:
        return str(_l("Confirm your e-mail address to apply. We sent you a link."))
    return None


# ---------------------------------------------------------------- the lead's commands


def _clean(initiative: Initiative, draft: CallDraft, existing: VolunteerCall | None = None) -> dict:
    errors: dict = {}
    title = " ".join((draft.title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = _l("Write a title of %(low)d to %(high)d characters.", low=TITLE_MIN, high=TITLE_MAX)
    description = (draft.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _l("Write at most %(max)d characters.", max=DESCRIPTION_MAX)
    places = draft.places
    if places is not None and not 1 <= places <= PLACES_MAX:
        errors["places"] = _l("Write a whole number from %(low)d to %(high)d, or leave it empty for no limit.", low=1, high=PLACES_MAX)
    elif places is not None and existing is not None and places < existing.accepted_count:
        errors["places"] = _l("%(num)d people are already accepted: write at least %(num)d.", num=existing.accepted_count)
    closes_on = draft.closes_on
    unchanged = existing is not None and closes_on == existing.closes_on
    if closes_on is not None and not unchanged:
        if closes_on < today():
            errors["closes_on"] = _l("Choose today or a later day.")
        elif closes_on > initiative.ends_on:
            errors["closes_on"] = _l("Choose a day before the end of the initiative.")
    if errors:
        raise ValidationFailed(errors)
    return {"title": title, "description": description, "places": places, "closes_on": closes_on}


def open_call(actor: User, initiative: Initiative, draft: CallDraft) -> VolunteerCall:
    """Open a call for volunteers on a planned or running initiative."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    if initiative.status in _NOT_RUNNING:
        raise Conflict(_l("Calls for volunteers can be opened only while the initiative is planned or running."))
    values = _clean(initiative, draft)
    call = VolunteerCall(initiative_id=initiative.id, created_by_id=actor.id, accepted_count=0, **values)
    call.initiative = initiative
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "volunteer_call.open", "volunteer_call", call.id, call.title, initiative=initiative.id)
    return call


def update_call(actor: User, call: VolunteerCall, draft: CallDraft) -> VolunteerCall:
    """Change an open call: places never drop below the people already accepted."""
    ensure(actor, Permission.INITIATIVE_MANAGE, call.initiative)
    if call.closed_at is not None:
        raise Conflict(_l("This call is closed and can no longer be changed."))
    values = _clean(call.initiative, draft, call)
    for key, value in values.items():
        setattr(call, key, value)
    db.session.flush()
    return call


def close_call(actor: User, call: VolunteerCall) -> VolunteerCall:
    """Stop taking applications (the accepted volunteers stay accepted)."""
    ensure(actor, Permission.INITIATIVE_MANAGE, call.initiative)
    if call.closed_at is not None:
        raise Conflict(_l("This call is already closed."))
    call.closed_at = utcnow()
    db.session.flush()
    audit.record(actor, "volunteer_call.close", "volunteer_call", call.id, call.title)
    return call


# ---------------------------------------------------------------- applying


def _clean_message(message: str) -> str:
    text = (message or "").strip()
    if not text:
        raise ValidationFailed({"message": _l("Write a few words: why you want to help, and when you are free.")})
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed({"message": _l("Write at most %(max)d characters.", max=MESSAGE_MAX)})
    return text


def apply(actor: User, call: VolunteerCall, message: str) -> VolunteerApplication:
    """Apply to an open call, once. A second application is a Conflict; after withdrawing,
    applying again reopens the same application."""
    ensure(actor, Permission.VOLUNTEER_APPLY, call)
    reason = closed_reason(call)
    if reason:
        raise Conflict(reason)
    text = _clean_message(message)
    try:
        with db.session.begin_nested():
            application = VolunteerApplication(call_id=call.id, user_id=actor.id, message=text, status=ApplicationStatus.PENDING)
            db.session.add(application)
    except IntegrityError:
        application = application_of(actor, call)  # type: ignore[assignment]
        if application is None or application.status != ApplicationStatus.WITHDRAWN:
            raise Conflict(_l("You have already applied to this call.")) from None
        application.message, application.status = text, ApplicationStatus.PENDING
        application.created_at, application.decided_at = utcnow(), None
    db.session.flush()
    return application


def _give_back_place(call: VolunteerCall) -> None:
    db.session.execute(update(VolunteerCall).where(VolunteerCall.id == call.id, VolunteerCall.accepted_count > 0)
                       .values(accepted_count=VolunteerCall.accepted_count - 1))
    db.session.expire(call, ["accepted_count"])


def _take_place(call: VolunteerCall) -> None:
    """One conditional UPDATE: it takes a place only while places are left (row-locked, so exact)."""
    taken = db.session.execute(
        update(VolunteerCall)
        .where(VolunteerCall.id == call.id, or_(VolunteerCall.places.is_(None), VolunteerCall.accepted_count < VolunteerCall.places))
        .values(accepted_count=VolunteerCall.accepted_count + 1)
    ).rowcount  # type: ignore[attr-defined]
    db.session.expire(call, ["accepted_count"])
    if not taken:
        raise Conflict(_l("All places are taken. Give the call more places first."))


def _move(application: VolunteerApplication, before: ApplicationStatus, after: ApplicationStatus, now: datetime) -> None:
    """Change the status only if nobody changed it meanwhile (a second click, another lead)."""
    moved = db.session.execute(
        update(VolunteerApplication).where(VolunteerApplication.id == application.id, VolunteerApplication.status == before)
        .values(status=after, decided_at=now)
    ).rowcount  # type: ignore[attr-defined]
    db.session.expire(application, ["status", "decided_at"])
    if not moved:
        raise Conflict(_l("This application was changed meanwhile. Reload the page."))


def withdraw(actor: User, application: VolunteerApplication) -> VolunteerApplication:
    """The applicant takes their application back; an accepted volunteer frees the place."""
    if application.user_id != actor.id:
        raise NotFound(_l("We could not find this application."))
    before = application.status
    if before not in (ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED):
        raise Conflict(_l("There is nothing to withdraw."))
    with db.session.begin_nested():
        _move(application, before, ApplicationStatus.WITHDRAWN, utcnow())
        if before == ApplicationStatus.ACCEPTED:
            _give_back_place(application.call)
    return application


def decide(actor: User, application: VolunteerApplication, accept: bool) -> VolunteerApplication:
    """The lead accepts (while places are left) or declines; an accepted volunteer can be declined
    later, which frees the place. The applicant is told."""
    call = application.call
    ensure(actor, Permission.INITIATIVE_MANAGE, call.initiative)
    db.session.refresh(application, ["status"])
    before = application.status
    after = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED
    if before == ApplicationStatus.WITHDRAWN:
        raise Conflict(_l("The person withdrew this application."))
    if before == after:
        raise Conflict(_l("This application was already answered."))
    now = utcnow()
    with db.session.begin_nested():  # both changes, or neither
        _move(application, before, after, now)
        if accept:
            _take_place(call)
        elif before == ApplicationStatus.ACCEPTED:
            _give_back_place(call)
    notifications.notify([application.user_id], "volunteer.application_decided", "volunteer_call", call.id,
                         dedupe_key=f"decided-{application.id}-{after.value}-{now:%Y%m%d%H%M%S%f}", title=call.title,
                         status=after.value)
    return application


# ---------------------------------------------------------------- queries


def get_initiative(viewer: User | None, initiative_id: int) -> Initiative:
    """The initiative, or NotFound when it does not exist or the viewer may not see it."""
    found = db.session.get(Initiative, initiative_id, options=_LIGHT) if 0 < initiative_id < 2**31 else None
    if found is None or not can(viewer, Permission.INITIATIVE_VIEW, found):
        raise NotFound(_l("We could not find this initiative."))
    return found


def get_call(viewer: User | None, call_id: int) -> VolunteerCall:
    """The call, or NotFound when it does not exist or its initiative is not visible to the viewer."""
    light = joinedload(VolunteerCall.initiative).options(*_LIGHT)
    found = db.session.get(VolunteerCall, call_id, options=[light]) if 0 < call_id < 2**31 else None
    if found is None or not can(viewer, Permission.INITIATIVE_VIEW, found.initiative):
        raise NotFound(_l("We could not find this call."))
    return found


def get_application(call: VolunteerCall, application_id: int) -> VolunteerApplication:
    found = db.session.get(VolunteerApplication, application_id) if 0 < application_id < 2**31 else None
    if found is None or found.call_id != call.id:
        raise NotFound(_l("We could not find this application."))
    return found


def application_of(user: User | None, call: VolunteerCall) -> VolunteerApplication | None:
    """The person's own application to the call, if any."""
    if user is None:
        return None
    return db.session.scalar(select(VolunteerApplication).options(lazyload(VolunteerApplication.call))  # the call is loaded already
                             .where(VolunteerApplication.call_id == call.id, VolunteerApplication.user_id == user.id))


def list_applications(actor: User, call: VolunteerCall) -> list[VolunteerApplication]:
    """Everyone who applied, waiting ones first, then accepted, declined, withdrawn. Those who manage only."""
    ensure(actor, Permission.INITIATIVE_MANAGE, call.initiative)
    order = {ApplicationStatus.PENDING: 0, ApplicationStatus.ACCEPTED: 1, ApplicationStatus.DECLINED: 2, ApplicationStatus.WITHDRAWN: 3}
    rows = db.session.scalars(
        select(VolunteerApplication).options(lazyload(VolunteerApplication.call))
        .where(VolunteerApplication.call_id == call.id).order_by(VolunteerApplication.created_at, VolunteerApplication.id)
        .limit(APPLICATIONS_SHOWN)
    )
    return sorted(rows, key=lambda a: order[a.status])


def calls_section(initiative: Initiative, viewer: User | None) -> CallsSection:
    """What the initiative page shows about calls: open calls with the places left and the viewer's
    own status; for those who manage it, every call with its pending applications. At most three
    queries, however many calls and applications there are."""
    manager = can(viewer, Permission.INITIATIVE_MANAGE, initiative)
    calls = list(db.session.scalars(
        select(VolunteerCall).options(lazyload(VolunteerCall.initiative))  # already loaded: no join, no query
        .where(VolunteerCall.initiative_id == initiative.id)
        .order_by(VolunteerCall.closed_at.is_not(None), VolunteerCall.created_at.desc(), VolunteerCall.id.desc()).limit(CALLS_SHOWN)
    ))
    ids = [c.id for c in calls]
    mine: dict[int, ApplicationStatus] = {}
    if viewer is not None and ids:
        rows = db.session.execute(select(VolunteerApplication.call_id, VolunteerApplication.status).where(
            VolunteerApplication.user_id == viewer.id, VolunteerApplication.call_id.in_(ids)))
        mine = {call_id: status for call_id, status in rows}
    pending: dict[int, int] = {}
    if manager and ids:
        counted = db.session.execute(
            select(VolunteerApplication.call_id, func.count()).where(
                VolunteerApplication.call_id.in_(ids), VolunteerApplication.status == ApplicationStatus.PENDING)
            .group_by(VolunteerApplication.call_id))
        pending = {call_id: int(n) for call_id, n in counted}
    day = today()
    entries = []
    for call in calls:
        open_now = is_open(call, day)
        if manager or open_now or call.id in mine:
            entries.append(CallEntry(call, open_now, places_left(call), mine.get(call.id), pending.get(call.id, 0)))
    entries.sort(key=lambda e: not e.is_open)  # stable: open calls first, newest first within each
    return CallsSection(entries, manager, manager and initiative.status not in _NOT_RUNNING)


def my_applications(user: User, limit: int = 50) -> list[VolunteerApplication]:
    """The person's applications, newest first, with their calls and initiatives (constant queries)."""
    light = joinedload(VolunteerApplication.call).joinedload(VolunteerCall.initiative).options(*_LIGHT)
    return list(db.session.scalars(
        select(VolunteerApplication).options(light).where(VolunteerApplication.user_id == user.id)
        .order_by(VolunteerApplication.created_at.desc(), VolunteerApplication.id.desc()).limit(limit)
    ))
