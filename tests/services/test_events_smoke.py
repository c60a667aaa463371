from __future__ import annotations

from datetime import date, time, timedelta

import vobject

from app.services import calendars, events, ical, registrations
from models import MemberRole, OrgKind, RegistrationStatus
from tests import factories


def test_smoke(session) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    boss = factories.user(home=comune)
    org = factories.organization(home=comune, admin=boss)
    day = date.today() + timedelta(days=3)
    draft = events.EventDraft(title="Corso di italiano", description="Un corso di italiano per adulti, livello A1.", kind="italian_l2",
                              starts_on=day, start_time=time(18), end_time=time(20), venue="Biblioteca", territory=comune.istat_code,
                              recurrence="weekly", repeat_until=day + timedelta(days=60), capacity=2)
    ev = events.create_event(boss, org, draft)
    sessions = events.list_sessions(ev)
    assert len(sessions) == 9
    people = [factories.user() for _ in range(4)]
    statuses = [registrations.register(p, sessions[0])[0].status for p in people]
    assert statuses == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITING] * 2
    assert registrations.cancel_registration(people[0], sessions[0])
    session.refresh(sessions[0])
    assert registrations.registration_of(people[2], sessions[0]).status == RegistrationStatus.CONFIRMED
    events.cancel_session(boss, sessions[2], "Festa")
    events.change_session(boss, sessions[3], events.SessionChange(day=day + timedelta(days=22), start=time(17), end=time(19)))
    body = ical.event_calendar(ev, events.list_sessions(ev), "ponte.test", "https://ponte.test/events/1").decode()
    parsed = vobject.readOne(body)
    assert len(parsed.vevent_list) == 2
    assert parsed.vevent.rrule.value.startswith("FREQ=WEEKLY")
    assert calendars.sessions_between(calendars.CalendarFilters(), None, day, day + timedelta(days=1))
