"""iCalendar output read back by independent parsers: ``vobject`` (its own RFC 5545 reader and
VTIMEZONE resolution) and ``icalendar``'s parser. Checks UID, DTSTART with TZID, VTIMEZONE
offsets, RRULE, EXDATE, RECURRENCE-ID, SEQUENCE, STATUS, all-day dates, and text that tries to
break out of its property."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
import vobject

from app.services import calendars, events, ical, registrations
from app.services.events import ROME, SessionChange
from models import Event
from tests import factories
from tests.services.test_events import as_draft, make_event, rome, setup, soon

HOST = "ponte.test"


def render(event: Event) -> str:
    body = ical.event_calendar(event, events.list_sessions(event), HOST, f"https://{HOST}/events/{event.id}")
    assert isinstance(body, bytes)
    return body.decode("utf-8")


def parse(body: str) -> Any:
    """vobject's reading of a calendar (its own parser, its own time-zone resolution)."""
    return vobject.readOne(body)


def vevents(body: str) -> list[Any]:
    return list(parse(body).vevent_list)


def master(body: str) -> Any:
    [found] = [v for v in vevents(body) if "recurrence-id" not in v.contents]
    return found


def tzid(prop: Any) -> str:
    """The TZID a property was written with (vobject keeps it aside once it has resolved the zone)."""
    [name] = prop.params.get("TZID") or prop.params["X-VOBJ-ORIGINAL-TZID"]
    return str(name)


def instances(vevent: Any) -> list[datetime]:
    """The dates a client shows for a series, as UTC moments, expanded by vobject + dateutil."""
    return [moment.astimezone(UTC) for moment in vevent.getrruleset()]


# ---------------------------------------------------------------- one event


def test_a_single_event_has_a_stable_uid_and_a_start_with_its_time_zone(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 1, 20))
    body = render(event)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    cal = parse(body)
    assert cal.version.value == "2.0" and cal.prodid.value == ical.PRODID
    [item] = cal.vevent_list
    assert item.uid.value == f"event-{event.id}@{HOST}"
    assert "\r\nDTSTART;TZID=Europe/Rome:20260120T180000\r\n" in body and "\r\nDTEND;TZID=Europe/Rome:20260120T200000\r\n" in body
    assert tzid(item.dtstart) == tzid(item.dtend) == "Europe/Rome"
    start = item.dtstart.value
    assert (start.hour, start.minute) == (18, 0) and start.utcoffset() == timedelta(hours=1)  # January: CET
    assert start == datetime(2026, 1, 20, 17, tzinfo=UTC)
    assert item.dtend.value == datetime(2026, 1, 20, 19, tzinfo=UTC)
    assert item.status.value == "CONFIRMED" and item.sequence.value == "0"
    assert item.summary.value == event.title and item.url.value == f"https://{HOST}/events/{event.id}"
    assert item.location.value == f"Biblioteca comunale, Via Roma 1, {o.comune.name}"
    assert item.dtstamp.value.tzinfo is not None and item.dtstamp.value.utcoffset() == timedelta(0)
    assert "rrule" not in item.contents and "exdate" not in item.contents
    events.update_event(o.boss, event, as_draft(event, venue="Sala 2"), event.version)
    assert parse(render(event)).vevent.uid.value == item.uid.value  # the same UID after a change


def test_the_vtimezone_gives_winter_and_summer_offsets(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    january = parse(render(make_event(o, starts_on=date(2026, 1, 14))))
    july = parse(render(make_event(o, starts_on=date(2026, 7, 15))))
    [zone] = january.vtimezone_list
    assert zone.tzid.value == "Europe/Rome"
    assert {c.name for c in zone.getChildren()} >= {"STANDARD", "DAYLIGHT"}
    # vobject builds the zone from our VTIMEZONE (not from its own data) and resolves the offsets.
    tz = january.vevent.dtstart.value.tzinfo
    assert tz is not ROME and january.vevent.dtstart.value.utcoffset() == timedelta(hours=1)
    assert july.vevent.dtstart.value.utcoffset() == timedelta(hours=2)
    assert july.vevent.dtstart.value.hour == 18
    # The zone agrees with the tz database on every day of two years, across the changes.
    start = datetime(2026, 1, 1, 12, tzinfo=ROME)
    for n in range(730):
        moment = (start + timedelta(days=n)).replace(tzinfo=tz)
        assert moment.utcoffset() == moment.replace(tzinfo=ROME).utcoffset(), moment
    for wall, offset in (((2026, 3, 29, 1, 59), 1), ((2026, 3, 29, 3, 0), 2), ((2026, 10, 25, 3, 1), 1), ((2027, 3, 28, 3, 30), 2)):
        assert datetime(*wall, tzinfo=tz).utcoffset() == timedelta(hours=offset), wall


def test_all_day_events_are_dates(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, all_day=True, start_time=None, end_time=None, starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 3))
    body = render(event)
    assert "DTSTART;VALUE=DATE:20260501\r\n" in body and "DTEND;VALUE=DATE:20260504\r\n" in body
    item = parse(body).vevent
    assert item.dtstart.value == date(2026, 5, 1) and not isinstance(item.dtstart.value, datetime)
    assert item.dtend.value == date(2026, 5, 4)  # exclusive end: the day after the last


def test_a_cancelled_event_is_status_cancelled_with_a_higher_sequence(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    before = int(parse(render(event)).vevent.sequence.value)
    events.cancel_event(o.boss, event, "Maltempo")
    item = parse(render(event)).vevent
    assert item.status.value == "CANCELLED" and int(item.sequence.value) > before


def test_sequence_grows_with_every_change_people_must_see(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, recurrence="weekly", repeat_until=soon() + timedelta(weeks=3))

    def sequence() -> int:
        return int(master(render(event)).sequence.value)

    seen = [sequence()]
    events.update_event(o.boss, event, as_draft(event, end_time=time(21)), event.version)
    seen.append(sequence())
    _, second, third, _ = events.list_sessions(event)
    events.cancel_session(o.boss, third, "Festa")  # the series gains an EXDATE
    seen.append(sequence())
    events.change_session(o.boss, second, SessionChange(day=rome(second.starts_at).date(), start=time(17), end=time(19)))
    seen.append(sequence())
    events.update_event(o.boss, event, as_draft(event, repeat_until=rome(second.original_start).date()), event.version)
    seen.append(sequence())  # a shorter series: dates dropped
    events.update_event(o.boss, event, as_draft(event, recurrence="none", repeat_until=None), event.version)
    seen.append(sequence())  # no longer a series
    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen


# ---------------------------------------------------------------- series


def test_a_weekly_series_is_one_rrule_whose_dates_are_ours_across_dst(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 8))
    body = render(event)
    [item] = vevents(body)
    assert item.rrule.value == "FREQ=WEEKLY;COUNT=4"
    assert tzid(item.dtstart) == "Europe/Rome" and item.dtstart.value.hour == 18
    assert item.dtstart.value.utcoffset() == timedelta(hours=1)
    found = instances(item)
    assert found == [s.starts_at for s in events.list_sessions(event)]
    assert [m.hour for m in found] == [17, 17, 16, 16]  # 18:00 in Rome on both sides of 29 March
    assert [m.astimezone(item.dtstart.value.tzinfo).hour for m in item.getrruleset()] == [18] * 4


def test_a_monthly_series(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 1, 31), recurrence="monthly", repeat_until=date(2026, 8, 31))
    item = master(render(event))
    assert item.rrule.value == "FREQ=MONTHLY;COUNT=5"
    assert instances(item) == [s.starts_at for s in events.list_sessions(event)]


def test_a_cancelled_date_is_an_exdate_and_a_moved_one_an_override(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 15))
    first, second, third, fourth, fifth = events.list_sessions(event)
    events.cancel_session(o.boss, second, "Festa")
    events.change_session(o.boss, fourth, SessionChange(day=date(2026, 4, 9), start=time(17, 30), end=time(19), note="Sala 2"))
    body = render(event)
    items = vevents(body)
    assert len(items) == 2 and {i.uid.value for i in items} == {f"event-{event.id}@{HOST}"}
    series = master(body)
    assert tzid(series.exdate) == "Europe/Rome"
    assert [d.astimezone(UTC) for d in series.exdate.value] == [second.starts_at]
    [override] = [i for i in items if "recurrence-id" in i.contents]
    assert override.recurrence_id.value.astimezone(UTC) == fourth.original_start == datetime(2026, 4, 8, 16, tzinfo=UTC)
    assert tzid(override.recurrence_id) == "Europe/Rome"
    assert override.dtstart.value == datetime(2026, 4, 9, 15, 30, tzinfo=UTC) and override.dtstart.value.hour == 17
    assert override.description.value.startswith("Sala 2\n\n")
    assert int(override.sequence.value) >= 1 and override.status.value == "CONFIRMED"
    # What a client shows: the series without the cancelled date, with the override replacing its slot.
    shown = sorted({*instances(series)} - {fourth.original_start} | {override.dtstart.value.astimezone(UTC)})
    assert shown == [first.starts_at, third.starts_at, fourth.starts_at, fifth.starts_at]


def test_an_all_day_series_uses_dates_for_exdate_and_recurrence_id(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, all_day=True, start_time=None, end_time=None, starts_on=date(2026, 3, 22), recurrence="weekly",
                       repeat_until=date(2026, 4, 12))
    _, second, third, _ = events.list_sessions(event)
    events.cancel_session(o.boss, second, "")
    events.change_session(o.boss, third, SessionChange(day=date(2026, 4, 6)))
    body = render(event)
    assert "DTSTART;VALUE=DATE:20260322\r\n" in body and "EXDATE;VALUE=DATE:20260329\r\n" in body
    assert "RECURRENCE-ID;VALUE=DATE:20260405\r\n" in body and "DTSTART;VALUE=DATE:20260406\r\n" in body
    series = master(body)
    assert [d.date() if isinstance(d, datetime) else d for d in series.getrruleset()] == [
        date(2026, 3, 22), date(2026, 4, 5), date(2026, 4, 12)]


def test_a_series_whose_start_moved_later_expands_to_its_current_dates(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 8))
    events.update_event(o.boss, event, as_draft(event, starts_on=date(2026, 3, 25), repeat_until=date(2026, 4, 15)), event.version)
    scheduled = [s.starts_at for s in events.list_sessions(event) if not s.is_cancelled]
    assert len(scheduled) == 4
    item = master(render(event))
    assert item.dtstart.value == datetime(2026, 3, 25, 17, tzinfo=UTC)
    assert instances(item) == scheduled  # the dropped 18 March is no instance, not even an EXDATE
    assert "exdate" not in item.contents


def test_a_new_time_for_a_series_moves_every_instance(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 8))
    events.cancel_session(o.boss, events.list_sessions(event)[2], "Festa")
    events.update_event(o.boss, event, as_draft(event, start_time=time(9), end_time=time(11)), event.version)
    item = master(render(event))
    assert [m.astimezone(item.dtstart.value.tzinfo).hour for m in item.getrruleset()] == [9, 9, 9]
    assert [d.astimezone(UTC) for d in item.exdate.value] == [datetime(2026, 4, 1, 7, tzinfo=UTC)]


def test_a_cancelled_series_is_cancelled_in_every_component(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, recurrence="weekly", repeat_until=soon() + timedelta(weeks=2))
    second = events.list_sessions(event)[1]
    events.change_session(o.boss, second, SessionChange(day=rome(second.starts_at).date(), start=time(19), end=time(20)))
    events.cancel_event(o.boss, event, "Fine dei fondi")
    assert [i.status.value for i in vevents(render(event))] == ["CANCELLED", "CANCELLED"]


# ---------------------------------------------------------------- text


HOSTILE = "Riga uno, con virgola; e punto e virgola\r\nATTENDEE:mailto:x@evil.example\rX-INJECTED:1\nBEGIN:VALARM\\n \\, fine"


def test_text_with_separators_and_line_breaks_stays_text(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, title="Festa, musica; ballo \\ e altro", description=HOSTILE, venue="Sala A, piano 1; ala B",
                       address="Via Roma 1\r\nATTENDEE:x")
    body = render(event)
    for line in body.split("\r\n"):
        assert not line.upper().startswith(("ATTENDEE", "X-INJECTED", "BEGIN:VALARM")), line
    assert "\r" not in body.replace("\r\n", "") and "\n" not in body.replace("\r\n", "")
    item = parse(body).vevent
    assert set(item.contents) & {"attendee", "x-injected", "valarm"} == set()
    assert item.summary.value == "Festa, musica; ballo \\ e altro"
    assert item.description.value == HOSTILE.strip().replace("\r\n", "\n").replace("\r", "\n")
    assert item.location.value == f"Sala A, piano 1; ala B, Via Roma 1 ATTENDEE:x, {o.comune.name}"
    theirs = icalendar.Calendar.from_ical(body)
    [other] = theirs.walk("VEVENT")
    assert str(other["SUMMARY"]) == item.summary.value and str(other["DESCRIPTION"]) == item.description.value
    assert "ATTENDEE" not in other and theirs.walk("VALARM") == []


def test_the_online_link_is_in_the_calendar_only_when_public(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    public = make_event(o, mode="online", venue="", online_url="https://meet.example.org/open")
    private = make_event(o, mode="online", venue="", online_url="https://meet.example.org/secret", online_url_registrants_only=True)
    assert "https://meet.example.org/open" in parse(render(public)).vevent.description.value
    assert parse(render(public)).vevent.location.value == "Online"
    assert "meet.example.org/secret" not in render(private)


def test_icalendar_reads_our_output_too(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 8))
    sessions = events.list_sessions(event)
    events.cancel_session(o.boss, sessions[1], "Festa")
    events.change_session(o.boss, sessions[2], SessionChange(day=date(2026, 4, 2), start=time(18), end=time(20)))
    cal = icalendar.Calendar.from_ical(render(event))
    assert all(getattr(c, "errors", []) == [] for c in cal.walk())  # nothing it had to skip or guess
    items = cal.walk("VEVENT")
    assert len(items) == 2 and len(cal.walk("VTIMEZONE")) == 1
    series = next(i for i in items if "RECURRENCE-ID" not in i)
    assert series["DTSTART"].dt == datetime(2026, 3, 18, 18, tzinfo=ROME)
    assert str(series["DTSTART"].params["TZID"]) == "Europe/Rome"
    assert series["RRULE"]["FREQ"] == ["WEEKLY"] and series["RRULE"]["COUNT"] == [4]
    override = next(i for i in items if "RECURRENCE-ID" in i)
    assert override["RECURRENCE-ID"].dt == datetime(2026, 4, 1, 18, tzinfo=ROME)


# ---------------------------------------------------------------- feeds


def test_a_subscription_feed_holds_each_event_once_with_its_exceptions(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    single = make_event(o)
    series = make_event(o, recurrence="weekly", repeat_until=soon() + timedelta(weeks=2))
    events.cancel_session(o.boss, events.list_sessions(series)[1], "Festa")
    found = calendars.feed_events(calendars.CalendarFilters(organization=o.org.slug))
    body = ical.feed("Ponte, calendario", found, calendars.sessions_of(found), HOST, lambda e: f"https://{HOST}/events/{e.id}")
    cal = parse(body.decode())
    assert str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"]) == "Ponte, calendario"
    assert sorted(v.uid.value for v in cal.vevent_list) == sorted([f"event-{single.id}@{HOST}", f"event-{series.id}@{HOST}"])
    assert len(cal.vtimezone_list) == 1
    assert icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_the_personal_feed_has_one_event_per_registered_date(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    series = make_event(o, recurrence="weekly", repeat_until=soon() + timedelta(weeks=2))
    first, _, third = events.list_sessions(series)
    person = factories.user()
    for s in (first, third):
        registrations.register(person, s)
    events.cancel_session(o.boss, third, "Festa")
    body = ical.personal_feed("Le mie date", calendars.registered_sessions(person), HOST, lambda e: f"https://{HOST}/events/{e.id}")
    items = sorted(parse(body.decode()).vevent_list, key=lambda v: v.dtstart.value)
    assert [v.uid.value for v in items] == [f"event-{series.id}-session-{s.id}@{HOST}" for s in (first, third)]
    assert [v.status.value for v in items] == ["CONFIRMED", "CANCELLED"]
    assert [v.dtstart.value for v in items] == [first.starts_at, third.starts_at]
    assert all("rrule" not in v.contents for v in items)


def test_an_event_without_sessions_makes_an_empty_calendar(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    assert ical.event_components(event, [], HOST, "https://x") == []
    assert vobject.readOne(ical.event_calendar(event, [], HOST, "https://x").decode()).vtimezone

