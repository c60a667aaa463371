"""Events (sessions, registrations) and initiatives (partners, good practices, calls for volunteers)
of the benchmark database: the second half of ``bench.seed_content.Content``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import seed_text as tx
from bench.seed_common import ACTION_LIST, EVENT_KINDS, INITIATIVE_KINDS, LOCALE_OF, TARGET_GROUPS, Place, allocate


class Activities:
    """Mixed into ``Content``, whose state (rng, spec, anchor, put, org_rows, memberships…) it uses."""

    rng: Any
    spec: dict[str, int]
    anchor: datetime
    put: Any
    text: Any
    tally: Any
    org_rows: list[dict[str, Any]]
    org_events: dict[int, list[int]]
    memberships: dict[int, list[tuple[int, str]]]

    # ------------------------------------------------------------ events

    def events(self) -> None:
        rng, spec = self.rng, self.spec
        session_id = registration_id = translation_id = 0
        kinds_cum = self._cumulative([1.0] * len(EVENT_KINDS))
        sessions: list[tuple[int, datetime, datetime, int | None, str, int]] = []  # id, start, end, capacity, mode, event
        for eid in range(1, spec["events"] + 1):
            org = self.org_rows[min(len(self.org_rows) - 1, int(rng.paretovariate(1.1)) - 1)] if rng.random() < 0.3 \
                else rng.choice(self.org_rows)
            place = org["home"] if rng.random() < 0.8 else self.comune_in(org["home"].region)
            lang = "it" if rng.random() < 0.8 else self.text.language()
            kind = rng.choices(EVENT_KINDS, cum_weights=kinds_cum)[0]
            title = (self.text.italian(tx.EVENT_TITLES, place.name) if lang == "it" else self.text.title(lang, place.name))[:160]
            paragraphs = self.text.paragraphs(lang, place.name, (2, 3), (1, 2))
            if self.rare("event", eid):
                paragraphs.append(tx.RARE_SENTENCE)
            day = self.anchor - timedelta(days=300) + timedelta(days=rng.randrange(420))
            start = day.replace(hour=rng.choice((8, 9, 15, 16, 17))) + timedelta(minutes=rng.choice((0, 30)))
            end = start + timedelta(hours=rng.choice((1, 2, 3)))
            series = rng.random() < 0.08
            count = rng.randint(4, 8) if series else 1
            mode = rng.choices(("open", "approval", "closed"), weights=(70, 10, 20))[0]
            capacity = None if rng.random() < 0.4 else rng.choice((20, 30, 40, 60, 80))
            online = kind == "online_meeting"
            venue = "" if online else rng.choice(tx.VENUES)
            event_lang = LOCALE_OF.get(lang, lang)
            action = rng.choice(ACTION_LIST) if rng.random() < 0.5 else ""
            if len(self.org_events[org["id"]]) < 5:
                self.org_events[org["id"]].append(eid)
            self.put("events", {
                "id": eid, "organization_id": org["id"], "title": title, "description": tx.body_of(paragraphs),
                "description_html": tx.html_of(paragraphs), "language": event_lang, "kind": kind,
                "action": action, "lab_id": None, "forum_id": None,
                "mode": "online" if online else "in_person", "venue": venue, "address": "" if online else f"Via Garibaldi {rng.randint(1, 90)}",
                "territory_id": place.id, "online_url": "https://meet.example.org/ponte" if online else "",
                "online_url_registrants_only": online, "step_free": rng.choice((True, None)), "childcare": rng.random() < 0.2,
                "interpretation_languages": [], "languages": sorted({"it", event_lang}), "accessibility_notes": "",
                "all_day": False, "starts_at": start, "ends_at": end, "recurrence": "weekly" if series else "none",
                "rrule": f"FREQ=WEEKLY;COUNT={count}" if series else "", "registration_mode": mode, "capacity": capacity,
                "cancelled_at": None, "cancel_reason": "", "sequence": 0, "created_by_id": self.memberships[org["id"]][0][0],
                "created_at": start - timedelta(days=20), "updated_at": start - timedelta(days=20), "version": 1,
            })
            self.doc("event", eid, title, f"{tx.body_of(paragraphs)}\n{venue}" if venue else tx.body_of(paragraphs), place,
                     language=event_lang, actions=[action], organization_id=org["id"], url_args={"event_id": eid}, dated_at=start)
            if rng.random() < 0.05:
                translation_id += 1
                self.put("event_translations", {"id": translation_id, "event_id": eid, "language": "en",
                                                "title": self.text.title("en", place.name), "description": "", "description_html": ""})
            self.tally.events_by_place[place.code] += 1
            for k in range(count):
                session_id += 1
                s_start = start + timedelta(weeks=k)
                sessions.append((session_id, s_start, end + timedelta(weeks=k), capacity, mode, eid))
                self.tally.sessions_by_place_month[(place.code, s_start.strftime("%Y-%m"))] += 1
        self.tally.events = list(range(1, min(spec["events"], 200) + 1))
        self._registrations(sessions, registration_id)

    def _registrations(self, sessions: list[tuple[int, datetime, datetime, int | None, str, int]], registration_id: int) -> None:
        rng, spec = self.rng, self.spec
        open_sessions = [s for s in sessions if s[4] != "closed"]
        wanted = allocate(spec["registrations"], [rng.paretovariate(1.5) for _ in open_sessions], min(400, spec["users"]))
        by_session = dict(zip([s[0] for s in open_sessions], wanted, strict=True))
        for sid, start, end, capacity, mode, eid in sessions:
            k = by_session.get(sid, 0)
            confirmed = waiting = 0
            for position, u in enumerate(rng.sample(range(1, spec["users"] + 1), k), start=1):
                registration_id += 1
                if mode == "approval":
                    status = rng.choices(("pending", "confirmed", "declined"), weights=(40, 50, 10))[0]
                elif capacity is None or confirmed < capacity:
                    status = "confirmed" if rng.random() > 0.03 else "cancelled"
                else:
                    status = "waiting"
                confirmed += status == "confirmed"
                waiting += status == "waiting"
                at = start - timedelta(days=14) + timedelta(minutes=position)
                self.put("registrations", {
                    "id": registration_id, "session_id": sid, "user_id": u, "status": status, "position": position, "created_at": at,
                    "decided_at": at if status in ("confirmed", "declined") and mode == "approval" else None,
                    "attended_at": start if status == "confirmed" and end < self.anchor and rng.random() < 0.6 else None,
                    "reminder_sent_at": None,
                })
            self.put("event_sessions", {
                "id": sid, "event_id": eid, "original_start": start, "starts_at": start, "ends_at": end, "status": "scheduled",
                "is_changed": False, "note": "", "capacity": None, "confirmed_count": confirmed, "waiting_count": waiting,
                "arrivals": k, "sequence": 0,
            })

    # ------------------------------------------------------------ initiatives

    def initiatives(self) -> None:
        """Initiatives with actions, targets, partners, linked events, good practices and calls for volunteers."""
        rng = self.rng
        self.practice_id = self.call_id = self.application_id = 0
        for iid in range(1, self.spec["initiatives"] + 1):
            lead = rng.choice(self.org_rows)
            place = lead["home"]
            status = rng.choices(("draft", "planned", "running", "completed"), weights=(10, 20, 40, 30))[0]
            today = self.anchor.date()
            if status in ("draft", "planned"):
                start_day = today + timedelta(days=rng.randrange(10, 90))
                end_day = start_day + timedelta(days=rng.randrange(60, 300))
            elif status == "running":
                start_day = today - timedelta(days=rng.randrange(30, 300))
                end_day = today + timedelta(days=rng.randrange(30, 200))
            else:
                start_day = today - timedelta(days=rng.randrange(400, 800))
                end_day = start_day + timedelta(days=rng.randrange(60, 300))
            title = self.text.italian(tx.INITIATIVE_TITLES, place.name)[:160]
            objectives = "\n".join(self.text.sentence("it", place.name) for _ in range(rng.randint(2, 3)))
            paragraphs = self.text.paragraphs("it", place.name, (2, 3), (1, 2))
            actions = sorted(set(rng.sample(ACTION_LIST, rng.randint(1, 2))))
            created = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC) - timedelta(days=30)
            self.put("initiatives", {
                "id": iid, "title": title, "kind": rng.choice(INITIATIVE_KINDS), "status": status, "lead_id": lead["id"],
                "territory_id": place.id, "starts_on": start_day, "ends_on": end_day, "objectives": objectives,
                "description": tx.body_of(paragraphs), "description_html": tx.html_of(paragraphs), "language": "it",
                "replicated_from_id": None, "created_by_id": self.memberships[lead["id"]][0][0], "created_at": created,
                "updated_at": created, "version": 1,
            })
            for action in actions:
                self.put("initiative_actions", {"initiative_id": iid, "action": action})
            for group in sorted(set(rng.sample(TARGET_GROUPS, rng.randint(1, 2)))):
                self.put("initiative_targets", {"initiative_id": iid, "target_group": group})
            partners = {lead["id"]: ("lead", "confirmed")}
            for _ in range(rng.randint(0, 3)):
                other = rng.choice(self.org_rows)["id"]
                partners.setdefault(other, ("partner", "confirmed" if rng.random() < 0.8 else "invited"))
            for org_id, (role, pstatus) in sorted(partners.items()):
                self.put("initiative_partners", {
                    "initiative_id": iid, "organization_id": org_id, "role": role, "status": pstatus, "contact_name": "",
                    "contact_email": "", "contact_phone": "", "created_at": created,
                    "decided_at": created if pstatus == "confirmed" else None, "decided_by_id": None,
                })
            if status == "draft":
                continue
            self.tally.initiatives.append(iid)
            self.doc("initiative", iid, title, f"{objectives}\n{tx.body_of(paragraphs)}", place, language="it", actions=actions,
                     organization_id=lead["id"], url_args={"initiative_id": iid},
                     dated_at=datetime(start_day.year, start_day.month, start_day.day, 12, tzinfo=UTC))
            for eid in self.org_events.get(lead["id"], [])[: rng.choice((0, 0, 1, 2))]:
                self.put("initiative_events", {"initiative_id": iid, "event_id": eid, "created_at": created})
            if status == "completed" and rng.random() < 0.15:
                self._practice(iid, title, place, end_day=end_day, actions=actions, lead_id=lead["id"])
            if status == "running" and rng.random() < 0.1:
                self._call(iid, lead["id"])

    def _practice(self, iid: int, title: str, place: Place, *, end_day: date, actions: list[str], lead_id: int) -> None:
        """A good practice drawn from a completed initiative, with its search document."""
        self.practice_id += 1
        at = min(datetime(end_day.year, end_day.month, end_day.day, 12, tzinfo=UTC) + timedelta(days=30), self.anchor)
        parts = [self.text.sentence("it", place.name) for _ in range(4)]
        contact = f"Sportello di {place.name}"
        self.put("good_practices", {
            "id": self.practice_id, "initiative_id": iid, "title": title, "language": "it",
            "problem": parts[0], "problem_html": tx.html_of([parts[0]]), "method": parts[1], "method_html": tx.html_of([parts[1]]),
            "results": parts[2], "results_html": tx.html_of([parts[2]]), "replication": parts[3],
            "replication_html": tx.html_of([parts[3]]), "contact": contact, "is_published": True,
            "designated_by_id": 1, "designated_at": at, "updated_at": at, "version": 1,
        })
        self.doc("practice", self.practice_id, title, "\n".join([*parts, contact]), place, language="it", actions=actions,
                 organization_id=lead_id, url_args={"practice_id": self.practice_id}, dated_at=at)

    def _call(self, iid: int, lead_id: int) -> None:
        """A call for volunteers with a few applications (``accepted_count`` counts the accepted ones)."""
        rng = self.rng
        self.call_id += 1
        accepted = 0
        for u in sorted(set(rng.sample(range(1, self.spec["users"] + 1), rng.randint(0, 6)))):
            self.application_id += 1
            status = rng.choice(("pending", "accepted", "declined"))
            accepted += status == "accepted"
            self.put("volunteer_applications", {
                "id": self.application_id, "call_id": self.call_id, "user_id": u, "message": "Sono disponibile il sabato mattina.",
                "status": status, "created_at": self.anchor - timedelta(days=5),
                "decided_at": self.anchor - timedelta(days=2) if status != "pending" else None,
            })
        self.put("volunteer_calls", {
            "id": self.call_id, "initiative_id": iid, "title": "Cerchiamo volontari per il doposcuola",
            "description": "Due ore alla settimana con ragazze e ragazzi delle medie.", "places": 10,
            "closes_on": (self.anchor + timedelta(days=30)).date(), "closed_at": None, "accepted_count": accepted,
            "created_by_id": self.memberships[lead_id][0][0], "created_at": self.anchor - timedelta(days=10),
        })
