"""Calendars: the month, week and agenda views of events with their filters, the iCalendar feeds
(filtered, one event, personal) and the page that manages the personal feed's secret address.

Every time is shown in Europe/Rome, where the events take place, whatever the reader's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_locale
from flask_login import login_required

from app.exceptions import ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can
from app.security.ratelimit import per_user
from app.services import Page, calendars, events, ical, registrations
from blueprints.calendars.forms import VIEWS, CalendarAddressForm, CalendarFilterForm
from blueprints.common import apply_errors, current_actor, page_arg, require_actor
from models import Event, EventSession, User
from models.base import utcnow

bp = Blueprint("calendars", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


# ---------------------------------------------------------------- template helpers (Rome wall time)


@bp.app_template_global()
def calendar_time(moment: datetime) -> str:
    """A time of day as people in Rome read it (e.g. 18:00), in the reader's language."""
    return format_time(events.local(moment), "short", rebase=False)


@bp.app_template_global()
def calendar_places_left(session: EventSession) -> int | None:
    return events.places_left(session)


@bp.app_template_global()
def calendar_day(moment: datetime) -> date:
    """The day in Rome of a stored (UTC) moment."""
    return events.local(moment).date()


# ---------------------------------------------------------------- the calendar


@dataclass
class CalendarPage:
    """What a calendar view shows: the period, its sessions and what the viewer needs to read them."""

    view: str
    day: date
    start: date
    end: date  # exclusive
    sessions: list[EventSession] = field(default_factory=list)
    days: dict[date, list[EventSession]] = field(default_factory=dict)
    weeks: list[list[date]] = field(default_factory=list)
    agenda: Page[EventSession] | None = None
    titles: dict[int, tuple[str, str]] = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)


def _view_of(form: CalendarFilterForm) -> str:
    view = form.view.data or "month"
    if view not in VIEWS:
        raise ValidationFailed({"view": _l("Choose one option from the list.")})
    return view


def _load(view: str, day: date, form: CalendarFilterForm, viewer: User | None, page: int) -> CalendarPage:
    """Read the sessions of the period (one query), then titles and the viewer's registrations in bulk."""
    filters = form.to_filters()
    if view == "month":
        weeks = calendars.month_grid(day.year, day.month)
        found = CalendarPage(view, day, weeks[0][0], weeks[-1][-1] + timedelta(days=1), weeks=weeks)
    elif view == "week":
        start = calendars.week_start(day)
        found = CalendarPage(view, day, start, start + timedelta(days=7), weeks=[[start + timedelta(days=i) for i in range(7)]])
    else:
        found = CalendarPage(view, day, day, day)
        found.agenda = calendars.agenda(filters, viewer, day, page)
        found.sessions = list(found.agenda.items)
    if view != "agenda":
        found.sessions = calendars.sessions_between(filters, viewer, found.start, found.end)
        found.days = calendars.by_day(found.sessions)
    else:
        for s in found.sessions:  # under its first day, or the agenda's first day if it began earlier
            found.days.setdefault(max(calendar_day(s.starts_at), day), []).append(s)
    found.titles = calendars.titles_for(list({s.event_id: s.event for s in found.sessions}.values()), str(get_locale() or "it"))
    found.statuses = registrations.registration_statuses(viewer, [s.id for s in found.sessions])
    return found


def _neighbours(view: str, day: date) -> tuple[date, date]:
    if view == "month":
        first = day.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), (first + timedelta(days=32)).replace(day=1)
    start = calendars.week_start(day)
    return start - timedelta(days=7), start + timedelta(days=7)


@bp.get("/events/")
def index():  # type: ignore[no-untyped-def]
    viewer = current_actor()
    form = CalendarFilterForm(request.args)
    today = calendars.today_in_rome()
    data = None
    if form.validate():
        try:
            view = _view_of(form)
            day = calendars.parse_day(form.date.data, today)
            data = _load(view, day, form, viewer, page_arg())
        except ValidationFailed as exc:
            # The service names the organisation filter after its field; the address calls it "org".
            apply_errors(form, ValidationFailed({"org" if k == "organization" else k: v for k, v in exc.errors.items()}))
    if data is None:
        return render_template("calendars/index.html", form=form, data=None, today=today, args=form.filter_args()), 400
    form.date.data = data.day.isoformat()
    form.set_organizations([s.event.organization for s in data.sessions])
    return render_template(
        "calendars/index.html", form=form, data=data, today=today, args=form.filter_args(),
        neighbours=_neighbours(data.view, data.day) if data.view != "agenda" else None,
        weekday_names=[format_date(d, "EEEE") for d in (data.weeks or [[]])[0]],
    )


# ---------------------------------------------------------------- iCalendar feeds


def _scheme() -> str:
    return current_app.config.get("PREFERRED_URL_SCHEME") or "https"


def _host() -> str:
    return current_app.config.get("SERVER_NAME") or request.host


def _event_url(event: Event) -> str:
    return url_for("events.show", event_id=event.id, _external=True, _scheme=_scheme())


def _ics(body: bytes, cache: str, filename: str, inline: bool = True) -> Response:
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    return response


@bp.get("/calendar.ics")
def feed():  # type: ignore[no-untyped-def]
    form = CalendarFilterForm(request.args)
    try:
        if not form.validate():
            raise ValidationFailed({name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()})
        found = calendars.feed_events(form.to_filters(with_mine=False))
    except ValidationFailed as exc:
        text = "\n".join(f"{name}: {message}" for name, message in exc.errors.items())
        return Response(text + "\n", status=400, content_type="text/plain; charset=utf-8")
    body = ical.feed(str(_l("Ponte events")), found, calendars.sessions_of(found), _host(), _event_url)
    return _ics(body, "public, max-age=300", "ponte-events.ics")


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str):  # type: ignore[no-untyped-def]
    person = calendars.user_for_calendar_token(token)
    body = ical.personal_feed(str(_l("My Ponte events")), calendars.registered_sessions(person), _host(), _event_url)
    return _ics(body, "private, no-store", "my-ponte-events.ics")


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):  # type: ignore[no-untyped-def]
    event = events.get_event(current_actor(), event_id)
    body = ical.event_calendar(event, events.list_sessions(event), _host(), _event_url(event))
    # Events of hidden organisations reach only their members: never in a shared cache.
    cache = "public, max-age=300" if can(None, Permission.EVENT_VIEW, event) else "private, no-store"
    return _ics(body, cache, f"event-{event.id}.ics", inline=False)


# ---------------------------------------------------------------- the personal feed's address


@bp.route("/me/calendar", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def personal():  # type: ignore[no-untyped-def]
    actor = require_actor()
    form = CalendarAddressForm()
    address = None
    if form.validate_on_submit():
        if form.choice.data == "revoke":
            calendars.revoke_calendar_token(actor)
            flash(_l("Your calendar address no longer works. Calendars that used it stop showing your events."), "info")
            return redirect(url_for("calendars.personal"))
        secret = calendars.issue_calendar_token(actor)
        address = url_for("calendars.personal_feed", token=secret, _external=True, _scheme=_scheme())
    elif request.method == "POST":
        return render_template("calendars/personal.html", **_personal_context(actor, form, None)), 400
    return render_template("calendars/personal.html", **_personal_context(actor, form, address))


def _personal_context(actor: User, form: CalendarAddressForm, address: str | None) -> dict:
    sessions = [s for s in calendars.registered_sessions(actor) if s.ends_at >= utcnow()]
    return {
        "form": form, "address": address, "has_address": address is not None or calendars.has_calendar_token(actor),
        "sessions": sessions, "statuses": registrations.registration_statuses(actor, [s.id for s in sessions]),
        "titles": calendars.titles_for(list({s.event_id: s.event for s in sessions}.values()), str(get_locale() or "it")),
    }

