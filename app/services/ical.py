"""iCalendar (RFC 5545) for events: one event, filtered subscription feeds, personal feeds.

Times are written with TZID=Europe/Rome and one compact VTIMEZONE; UIDs are stable
(``event-<id>@<host>``); SEQUENCE grows with every change; cancelled events and dates are
STATUS:CANCELLED (or EXDATE in a series). A series is one VEVENT with its RRULE, EXDATE for
cancelled dates and an extra VEVENT with RECURRENCE-ID for each date that was moved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dateutil.rrule import rrulestr
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vRecur
from icalendar import Event as VEvent

from app.services.events import local, to_utc
from models import Event, EventMode, EventSession, SessionStatus

PRODID = "-//Ponte//Community calendars//IT"


def _timezone() -> Timezone:
    """Europe/Rome as the rules in force since 1996: summer time from the last Sunday of March
    to the last Sunday of October."""
    tz = Timezone()
    tz.add("tzid", "Europe/Rome")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))  # noqa: DTZ001 — VTIMEZONE onsets are local wall times
    summer.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))  # noqa: DTZ001 — VTIMEZONE onsets are local wall times
    winter.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", " ".join(name.split()))  # an X- property is not escaped as text: no line breaks
    cal.add("x-wr-timezone", "Europe/Rome")
    cal.add_component(_timezone())
    return cal


def _when(moment: datetime, all_day: bool) -> datetime | date:
    return local(moment).date() if all_day else local(moment)


def _location(event: Event) -> str:
    parts = [event.venue, event.address, event.territory.name] if event.mode != EventMode.ONLINE else ["Online"]
    return ", ".join(p for p in parts if p)


def _base(event: Event, session: EventSession, uid: str, url: str, sequence: int) -> VEvent:
    item = VEvent()
    item.add("uid", uid)
    item.add("dtstamp", event.updated_at.astimezone(UTC))
    item.add("last-modified", event.updated_at.astimezone(UTC))
    item.add("summary", event.title)
    description = event.description
    if event.online_url and not event.online_url_registrants_only:
        description += f"\n\n{event.online_url}"
    if session.note:
        description = f"{session.note}\n\n{description}"
    item.add("description", description)
    item.add("location", _location(event))
    item.add("url", url)
    item.add("categories", [event.kind.value])
    item.add("sequence", sequence)
    item.add("dtstart", _when(session.starts_at, event.all_day))
    item.add("dtend", _when(session.ends_at, event.all_day))
    cancelled = event.is_cancelled or session.status == SessionStatus.CANCELLED
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return item


def event_components(event: Event, sessions: list[EventSession], host: str, url: str) -> list[VEvent]:
    """The VEVENTs of one event: a single one, or a series with its exceptions.

    The series' VEVENT starts at the first date of the current pattern (the event's own times);
    sessions left over from an earlier pattern (dates removed by an edit) are not instances of
    its RRULE, so they get no EXDATE and no RECURRENCE-ID. Its SEQUENCE also counts the changes
    of the dates, so a new EXDATE or a moved date is a newer revision."""
    if not sessions:
        return []
    uid = f"event-{event.id}@{host}"
    # Every change bumps the event's or a session's counter and none ever goes down: their sum
    # only grows, whatever the shape of the event becomes.
    revision = event.sequence + sum(s.sequence for s in sessions)
    if not event.is_series:
        session = next((s for s in sessions if s.original_start == event.starts_at), sessions[0])
        return [_base(event, session, uid, url, revision)]
    instances = _instances(event)
    in_rule = [s for s in sessions if s.original_start in instances]
    master_slot = EventSession(starts_at=event.starts_at, ends_at=event.ends_at, status=SessionStatus.SCHEDULED, note="")
    master = _base(event, master_slot, uid, url, revision)
    master.add("rrule", vRecur.from_ical(event.rrule))
    cancelled = [s for s in in_rule if s.status == SessionStatus.CANCELLED]
    if cancelled:
        master.add("exdate", [_when(s.original_start, event.all_day) for s in cancelled])
    items = [master]
    for s in in_rule:
        if s.is_changed and s.status != SessionStatus.CANCELLED:
            override = _base(event, s, uid, url, event.sequence + s.sequence)
            override.add("recurrence-id", _when(s.original_start, event.all_day))
            items.append(override)
    return items


def _instances(event: Event) -> set[datetime]:
    """The UTC starts the series' RRULE yields, expanded in Rome wall time as clients do."""
    first = local(event.starts_at)
    rule = rrulestr(event.rrule, dtstart=first.replace(tzinfo=None))
    return {to_utc(moment.date(), moment.time()) for moment in rule}


def event_calendar(event: Event, sessions: list[EventSession], host: str, url: str) -> bytes:
    cal = _calendar(event.title)
    for item in event_components(event, sessions, host, url):
        cal.add_component(item)
    return cal.to_ical()


def feed(name: str, events: list[Event], sessions: dict[int, list[EventSession]], host: str, url_of) -> bytes:  # type: ignore[no-untyped-def]
    """A subscription feed of many events."""
    cal = _calendar(name)
    for event in events:
        for item in event_components(event, sessions.get(event.id, []), host, url_of(event)):
            cal.add_component(item)
    return cal.to_ical()


def personal_feed(name: str, sessions: list[EventSession], host: str, url_of) -> bytes:  # type: ignore[no-untyped-def]
    """The dates a person registered for, one VEVENT each (UID per date)."""
    cal = _calendar(name)
    for s in sessions:
        cal.add_component(_base(s.event, s, f"event-{s.event_id}-session-{s.id}@{host}", url_of(s.event), s.event.sequence + s.sequence))
    return cal.to_ical()


