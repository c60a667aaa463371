"""Event pages: publish and edit, the event page with its registration box, one date of a
series, attendee lists for the organisers, translations and co-organisers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_locale, gettext
from flask_login import login_required

from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import events, forums, initiatives, labs, organizations, registrations, territories
from app.services.organizations import DirectoryFilters
from blueprints.common import apply_errors, current_actor, flash_outcome, require_actor, safe_next, save_checked
from blueprints.events.forms import (
    ButtonForm,
    CapacityForm,
    EventForm,
    InviteOrganizerForm,
    ReasonForm,
    RegisterForm,
    RegistrationButtonForm,
    RemoveTranslationForm,
    SessionForm,
    TranslationForm,
)
from models import Event, EventSession, Organization, Registration, RegistrationStatus, User
from models.base import utcnow

bp = Blueprint("events", __name__)

REGISTERED = {
    RegistrationStatus.CONFIRMED: (_l("Your place is confirmed."), "success"),
    RegistrationStatus.WAITING: (_l("This date is full: you are on the waiting list. You get a place automatically when one frees up."), "info"),
    RegistrationStatus.PENDING: (_l("Your request is sent. The organisers will answer."), "success"),
}


def _locale() -> str:
    return str(get_locale() or "it")


def event_when(session: EventSession | Event) -> str:
    """A session's date and times in Rome, written out: "Tuesday 14 March 2031, 18:00–20:00"."""
    all_day = session.all_day if isinstance(session, Event) else session.event.all_day
    start = events.local(session.starts_at).replace(tzinfo=None)
    end = events.local(session.ends_at).replace(tzinfo=None)
    if all_day:
        last = (end - timedelta(days=1)).date()
        if last <= start.date():
            return gettext("%(day)s, all day", day=format_date(start.date(), "full", rebase=False))
        return gettext("from %(start)s to %(end)s", start=format_date(start.date(), "full", rebase=False),
                  end=format_date(last, "full", rebase=False))
    if start.date() == end.date():
        return gettext("%(day)s, %(start)s–%(end)s", day=format_date(start.date(), "full", rebase=False),
                  start=format_time(start, "short", rebase=False), end=format_time(end, "short", rebase=False))
    return gettext("from %(start)s to %(end)s",
              start=f"{format_date(start.date(), 'full', rebase=False)} {format_time(start, 'short', rebase=False)}",
              end=f"{format_date(end.date(), 'full', rebase=False)} {format_time(end, 'short', rebase=False)}")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"event_when": event_when}


def _show(event: Event, anchor: str | None = None) -> Any:
    return redirect(url_for("events.show", event_id=event.id, _anchor=anchor))


def _managed(event_id: int) -> tuple[User, Event]:
    """The actor and the event they organise (404 when they cannot see it, 403 when they do not organise it)."""
    actor = require_actor()
    event = events.get_event(actor, event_id)
    ensure(actor, Permission.EVENT_MANAGE, event)
    return actor, event


# ---------------------------------------------------------------- publishing and editing


def _event_form(org: Organization) -> EventForm:
    form = EventForm()
    form.set_labs(labs.labs_of_convener(org, limit=50))
    form.set_forums(forums.forums_of_region_of(org.home_territory))
    return form


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not request.args.get("org"):
        return render_template("events/choose.html", choices=events.organizing_choices(actor))
    org = organizations.get_by_slug(request.args["org"], actor)
    ensure(actor, Permission.EVENT_CREATE, org)
    form = _event_form(org)
    if request.method == "GET":
        form.fill_defaults(territories.label(org.home_territory), _locale())
    if form.validate_on_submit():
        try:
            event = events.create_event(actor, org, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_l("The event is published."), "success")
            return _show(event)
    return render_template("events/edit.html", form=form, org=org, event=None), 400 if form.errors else 200


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    if event.is_cancelled:
        flash(_l("This event is cancelled and can no longer be changed."), "warning")
        return _show(event)
    form = _event_form(event.organization)
    if request.method == "GET":
        form.fill_from(event, territories.label(event.territory), events.list_sessions(event))
    status = 200
    if form.validate_on_submit():
        status = save_checked(form, lambda: events.update_event(actor, event, form.to_draft(), form.seen_version), lambda: event.version)
        if status is None:
            flash(_l("Your changes are saved. Registered people are told about new dates and places."), "success")
            return _show(event)
    status = 400 if status == 200 and form.errors else status
    return render_template("events/edit.html", form=form, org=event.organization, event=event), status


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            events.cancel_event(actor, event, form.reason.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The event is cancelled. Registered people are told."), "success")
            return _show(event)
    return _show_page(event, 400, cancel_form=form)


# ---------------------------------------------------------------- the event page


def _show_page(event: Event, status: int = 200, **failed: Any):  # type: ignore[no-untyped-def]
    """The event page; a form that failed (passed by name) replaces its fresh twin."""
    viewer = current_actor()
    original = request.args.get("original") == "1"
    title, description_html, translated = (event.title, event.description_html, False) if original else events.text_for(event, _locale())
    sessions = events.upcoming_sessions(event) or events.list_sessions(event)[-1:]
    mine = {sid: r for sid, r in registrations.my_registrations(viewer, event).items() if r.status != RegistrationStatus.CANCELLED}
    manager = can(viewer, Permission.EVENT_MANAGE, event)
    problems = {s.id: registrations.registration_problem(viewer, s) for s in sessions}
    open_dates = [s for s in sessions if problems[s.id] is None and s.id not in mine]
    return render_template(
        "events/show.html", event=event, title=title, description_html=description_html, translated=translated,
        original=original, sessions=sessions, mine=mine, now=utcnow(), manager=manager,
        ranks={sid: registrations.waiting_rank(r) for sid, r in mine.items() if r.status == RegistrationStatus.WAITING},
        problems=problems, register_all=event.is_series and len(open_dates) > 1,
        places={s.id: events.places_left(s) for s in sessions}, capacities={s.id: events.capacity_of(s) for s in sessions},
        show_link=registrations.can_see_online_link(viewer, event, mine),
        organizers=events.organizers(event, include_pending=manager),
        cancel_form=failed.get("cancel_form") or ReasonForm(formdata=None, prefix="cancel"),
        invite_form=InviteOrganizerForm(formdata=None), part_of=initiatives.initiatives_of_event(event),
    ), status


@bp.get("/events/<int:event_id>")
def show(event_id: int):  # type: ignore[no-untyped-def]
    return _show_page(events.get_event(current_actor(), event_id))


# ---------------------------------------------------------------- one date of a series


@bp.route("/events/<int:event_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session(event_id: int, session_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    found = events.get_session(event, session_id)
    which = request.form.get("form") if request.method == "POST" else None
    move_form = SessionForm() if which == "move" else SessionForm(formdata=None)
    capacity_form = CapacityForm() if which == "capacity" else CapacityForm(formdata=None)
    if which != "move":
        move_form.fill_from(found)
    if which != "capacity":
        capacity_form.capacity.data = found.capacity
    if which and _change_session(actor, found, move_form if which == "move" else capacity_form):
        return redirect(url_for("events.session", event_id=event.id, session_id=found.id))
    return render_template("events/session.html", event=event, found=found, move_form=move_form, capacity_form=capacity_form,
                           cancel_form=ReasonForm(formdata=None, prefix="cancel")), 400 if which else 200


def _change_session(actor: User, found: EventSession, form: SessionForm | CapacityForm) -> bool:
    """Move the date or change its places; False (errors on the form) when refused."""
    if not form.validate_on_submit():
        return False
    try:
        if isinstance(form, SessionForm):
            events.change_session(actor, found, form.to_change())
        else:
            registrations.set_capacity(actor, found, form.capacity.data)
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return False
    except Conflict as exc:
        form.form_errors.append(str(exc))
        return False
    flash(_l("Your changes are saved. Registered people are told."), "success")
    return True


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(event_id: int, session_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    found = events.get_session(event, session_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        events.cancel_session(actor, found, form.reason.data or "")
        flash(_l("This date is cancelled. Registered people are told."), "success")
    return _show(event, "dates")


# ---------------------------------------------------------------- registrations


@bp.post("/events/<int:event_id>/register")
@login_required
@per_user("RATELIMIT_PARTICIPATE")
def register(event_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    event = events.get_event(actor, event_id)
    form = RegisterForm()
    if form.validate_on_submit():
        choice = form.session_id.data or ""
        if choice == "all":
            _register_series(actor, event)
        elif choice.isdigit():
            _register_one(actor, events.get_session(event, int(choice)))
        else:
            abort(400)
    return _show(event, "registration")


def _register_one(actor: User, found: EventSession) -> None:
    problem = registrations.registration_problem(actor, found)
    if problem:
        flash(problem, "warning")
        return
    try:
        registration, created = registrations.register(actor, found)
    except Conflict as exc:
        flash(str(exc), "warning")
        return
    if not created:
        flash(_l("You are already registered for this date."), "info")
    else:
        message, category = REGISTERED[registration.status]
        flash(message, category)


def _register_series(actor: User, event: Event) -> None:
    try:
        done = registrations.register_series(actor, event)
    except Conflict as exc:
        flash(str(exc), "warning")
        return
    if done:
        flash(_l("You are registered for every upcoming date. Each date shows whether your place is confirmed."), "success")
    else:
        flash(_l("You are already registered for every date you can register for."), "info")


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/unregister")
@login_required
@per_user("RATELIMIT_PARTICIPATE")
def unregister(event_id: int, session_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    event = events.get_event(actor, event_id)
    found = events.get_session(event, session_id)
    if ButtonForm().validate_on_submit():
        if registrations.cancel_registration(actor, found):
            flash(_l("Your registration is cancelled. Thank you for freeing the place."), "success")
        else:
            flash(_l("You were not registered for this date."), "info")
    return redirect(safe_next(request.form.get("next"), url_for("events.show", event_id=event.id, _anchor="registration")))


# ---------------------------------------------------------------- attendees (organisers only)


def _chosen_session(event: Event) -> EventSession:
    """The date named by ?session=, else the next one (or the last one when all are over)."""
    raw = request.args.get("session", "")
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            abort(400)
        return events.get_session(event, int(raw))
    upcoming = events.upcoming_sessions(event)
    if upcoming:
        return upcoming[0]
    return events.list_sessions(event)[-1]


@bp.get("/events/<int:event_id>/attendees")
@login_required
def attendees(event_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    found = _chosen_session(event)
    rows = registrations.attendees(actor, found)
    ranks, waiting = {}, 0
    for r in rows:
        if r.status == RegistrationStatus.WAITING:
            waiting += 1
            ranks[r.id] = waiting
    return render_template("events/attendees.html", event=event, found=found, rows=rows, ranks=ranks,
                           sessions=events.list_sessions(event), capacity=events.capacity_of(found))


@bp.get("/events/<int:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    found = _chosen_session(event)
    body = registrations.attendees_csv(actor, found)
    day = events.local(found.starts_at).date().isoformat()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}-{day}-attendees.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _registration(event_id: int, registration_id: int) -> tuple[Event, Registration]:
    """The registration a button acts on; its date travels in the form (checked against the event)."""
    _, event = _managed(event_id)
    raw = request.form.get("session_id", "")
    if not raw.isdigit() or len(raw) > 12:
        abort(400)
    return event, registrations.get_registration(events.get_session(event, int(raw)), registration_id)


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/<any(approve, decline):answer>")
@login_required
def decide(event_id: int, registration_id: int, answer: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    event, registration = _registration(event_id, registration_id)
    if RegistrationButtonForm().validate_on_submit():
        flash_outcome(lambda: registrations.decide_registration(actor, registration, answer == "approve"),
                      _l("The request is approved.") if answer == "approve" else _l("The request is declined."))
    return redirect(url_for("events.attendees", event_id=event.id, session=registration.session_id))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/<any(checkin, undo):action>")
@login_required
def checkin(event_id: int, registration_id: int, action: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    event, registration = _registration(event_id, registration_id)
    if RegistrationButtonForm().validate_on_submit():
        flash_outcome(lambda: registrations.set_attended(actor, registration, action == "checkin"),
                      _l("Checked in.") if action == "checkin" else _l("Check-in undone."))
    return redirect(url_for("events.attendees", event_id=event.id, session=registration.session_id, _anchor=f"r{registration.id}"))


# ---------------------------------------------------------------- translations


@bp.route("/events/<int:event_id>/translations", methods=["GET", "POST"])
@login_required
def translations(event_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    existing = events.translations(event)
    if request.method == "POST" and "remove" in request.form:
        remove = RemoveTranslationForm()
        if remove.validate_on_submit():
            flash_outcome(lambda: events.set_translation(actor, event, remove.language.data or "", "", ""), _l("The translation is removed."))
        return redirect(url_for("events.translations", event_id=event.id))
    form = TranslationForm()
    form.set_languages(event.language)
    chosen = next((t for t in existing if t.language == request.args.get("language")), None)
    if request.method == "GET" and chosen is not None:
        form.language.data, form.title.data, form.description.data = chosen.language, chosen.title, chosen.description
    if form.validate_on_submit():
        try:
            events.set_translation(actor, event, form.language.data or "", form.title.data or "", form.description.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The translation is saved."), "success")
            return redirect(url_for("events.translations", event_id=event.id))
    return render_template("events/translations.html", event=event, existing=existing, form=form,
                           remove_form=RemoveTranslationForm(formdata=None)), 400 if form.errors else 200


# ---------------------------------------------------------------- co-organisers


def _organization_named(text: str, viewer: User) -> Organization | None:
    """The organisation written in the invitation form: the address of its page, its short name, or its exact name."""
    text = text.strip()
    slug = text.split("?")[0].split("#")[0].rstrip("/").rsplit("/organizations/", 1)[-1]
    try:
        return organizations.get_by_slug(slug, viewer)
    except NotFound:
        pass
    try:
        found = organizations.list_organizations(DirectoryFilters(q=text[:100]), 1, per_page=2).items
    except ValidationFailed:
        return None
    return found[0] if len(found) == 1 else None


@bp.post("/events/<int:event_id>/organizers")
@login_required
def invite_organizer(event_id: int):  # type: ignore[no-untyped-def]
    actor, event = _managed(event_id)
    form = InviteOrganizerForm()
    if form.validate_on_submit():
        org = _organization_named(form.organization.data or "", actor)
        if org is None:
            flash(_l("We could not find this organisation. Copy the address of its page on Ponte."), "warning")
        else:
            flash_outcome(lambda: events.invite_organizer(actor, event, org.id),
                          _l("The invitation is sent. The organisation's admins will answer."))
    else:
        flash(_l("Write the name or the address of the organisation."), "warning")
    return _show(event, "organizers")


@bp.post("/events/<int:event_id>/organizers/<int:organization_id>/<any(accept, decline):answer>")
@login_required
def decide_organizer(event_id: int, organization_id: int, answer: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    event = events.get_event(actor, event_id)
    invitation = events.get_organizer(event, organization_id)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: events.decide_organizer(actor, invitation, answer == "accept"),
                      _l("Your organisation now co-organises this event.") if answer == "accept" else _l("You declined the invitation."))
    return redirect(safe_next(request.form.get("next"), url_for("events.show", event_id=event.id, _anchor="organizers")))
