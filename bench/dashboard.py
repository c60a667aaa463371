"""Print server CPU milliseconds per request for the dashboard pages, the public summary and the
FAMI export, on the demo data set plus a bulk of synthetic rows (organisations, forum posts,
proposals and supports, events with registrations, initiatives with output reports).

Usage: ``.venv/bin/python bench/dashboard.py [requests] [scale]`` (defaults: 20 requests,
scale 1 = about 400,000 extra rows). Runs in-process on a temporary SQLite database, as
``bench/run.py`` does, whose timing helper it reuses.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import cpu_ms_per_request  # noqa: E402 — after the path set-up above

PASSWORD = secrets.token_urlsafe(18)  # the demo administrator's, for this run only
YEAR = 2026


def _moment(rng: random.Random) -> datetime:
    return datetime(YEAR, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(365 * 24 * 60))


class _Bulk:
    """Synthetic rows spread over every comune, inserted with Core executemany."""

    def __init__(self, scale: int) -> None:
        from sqlalchemy import select

        from app.db import db
        from models import Territory, TerritoryLevel

        self.scale, self.rng, self.s = scale, random.Random(7), db.session
        self.comuni = list(self.s.scalars(select(Territory.id).where(Territory.level == TerritoryLevel.COMUNE)))
        self.now = datetime.now(UTC)
        self.users: list[int] = []
        self.orgs: list[int] = []

    def add(self, model, rows) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import insert

        for start in range(0, len(rows), 5000):
            self.s.execute(insert(model), rows[start:start + 5000])

    def next_id(self, model) -> int:  # type: ignore[no-untyped-def]
        from sqlalchemy import select

        return (self.s.scalar(select(model.id).order_by(model.id.desc()).limit(1)) or 0) + 1

    def people_and_organizations(self) -> None:
        from models import Membership, Organization, User

        rng, n = self.rng, 5000 * self.scale
        u0, o0 = self.next_id(User), self.next_id(Organization)
        self.add(User, [{"email": f"bench{u0 + i}@example.org", "display_name": f"Bench {i}", "password_hash": "x", "locale": "it",
                         "languages_spoken": [], "privacy_version": "2026-11", "email_confirmed_at": self.now} for i in range(n)])
        self.users = list(range(u0, u0 + n))
        kinds = ["migrant_association", "youth_association", "informal_group", "local_authority", "school", "third_sector"]
        self.add(Organization, [{"slug": f"bench-org-{o0 + i}", "name": f"Bench {i}", "name_key": f"bench {i}", "kind": rng.choice(kinds),
                                 "home_territory_id": rng.choice(self.comuni), "is_verified": rng.random() < 0.4, "social_links": [],
                                 "created_at": _moment(rng)} for i in range(n)])
        self.orgs = list(range(o0, o0 + n))
        self.add(Membership, [{"organization_id": o, "user_id": u, "role": "member", "status": "active", "created_at": _moment(rng)}
                              for o in self.orgs for u in rng.sample(self.users, 4)])

    def forums(self) -> None:
        from sqlalchemy import select

        from models import Forum, Post, Thread

        rng = self.rng
        taken = set(self.s.scalars(select(Forum.territory_id)))
        places = rng.sample([c for c in self.comuni if c not in taken], 500 * self.scale)
        f0, t0, n = self.next_id(Forum), self.next_id(Thread), 10000 * self.scale
        self.add(Forum, [{"slug": f"bench-forum-{f0 + i}", "kind": "territorial", "territory_id": t, "action": ""} for i, t in enumerate(places)])
        self.add(Thread, [{"forum_id": f0 + rng.randrange(len(places)), "title": "Bench", "created_at": _moment(rng)} for _ in range(n)])
        self.add(Post, [{"thread_id": t0 + i // 10, "position": i % 10 + 1, "author_id": rng.choice(self.users), "body": "x", "body_html": "x",
                         "created_at": _moment(rng)} for i in range(n * 10)])

    def labs(self) -> None:
        from models import Lab, Proposal, ProposalSupport

        rng = self.rng
        l0, p0, n_labs, n = self.next_id(Lab), self.next_id(Proposal), 300 * self.scale, 20000 * self.scale
        self.add(Lab, [{"slug": f"bench-lab-{l0 + i}", "title": "Bench", "convener_id": rng.choice(self.orgs), "territory_id": rng.choice(self.comuni),
                        "actions": [f"action_0{rng.randint(1, 4)}"], "proposals_at": datetime(YEAR, 1, 1, tzinfo=UTC)} for i in range(n_labs)])
        rows = []
        for _ in range(n):
            published = _moment(rng)
            reached = published + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.5 else None
            rows.append({"lab_id": l0 + rng.randrange(n_labs), "title": "Bench", "summary": "x", "body": "x", "body_html": "x",
                         "authority_id": rng.choice(self.orgs), "state": "published", "published_at": published, "threshold_reached_at": reached,
                         "due_at": reached + timedelta(days=30) if reached else None,
                         "answered_at": reached + timedelta(days=rng.randint(1, 60)) if reached and rng.random() < 0.6 else None})
        self.add(Proposal, rows)
        self.add(ProposalSupport, [{"proposal_id": p0 + i, "user_id": u, "created_at": _moment(rng)}
                                   for i in range(n) for u in rng.sample(self.users, 5)])

    def events(self) -> None:
        from models import Event, EventSession, Registration

        rng = self.rng
        e0, s0, n = self.next_id(Event), self.next_id(EventSession), 3000 * self.scale
        self.add(Event, [{"organization_id": rng.choice(self.orgs), "title": "Bench", "kind": "workshop", "territory_id": rng.choice(self.comuni),
                          "starts_at": _moment(rng), "ends_at": _moment(rng), "action": f"action_0{rng.randint(1, 4)}"} for _ in range(n)])
        moments = [_moment(rng) for _ in range(n * 5)]
        self.add(EventSession, [{"event_id": e0 + i // 5, "original_start": m, "starts_at": m, "ends_at": m, "confirmed_count": 7}
                                for i, m in enumerate(moments)])
        self.add(Registration, [{"session_id": s0 + i, "user_id": u, "status": "confirmed", "position": j + 1,
                                 "attended_at": self.now if rng.random() < 0.5 else None}
                                for i in range(n * 5) for j, u in enumerate(rng.sample(self.users, 7))])

    def initiatives(self) -> None:
        from models import Initiative, InitiativeAction, InitiativePartner, OutputReport, ParticipantCount

        rng = self.rng
        i0, r0, n = self.next_id(Initiative), self.next_id(OutputReport), 2000 * self.scale
        self.add(Initiative, [{"title": "Bench", "kind": "peer_education", "status": "running", "lead_id": rng.choice(self.orgs),
                               "territory_id": rng.choice(self.comuni), "starts_on": date(YEAR, 1, 1), "ends_on": date(YEAR, 12, 31)}
                              for _ in range(n)])
        self.add(InitiativeAction, [{"initiative_id": i0 + i, "action": f"action_0{rng.randint(1, 4)}"} for i in range(n)])
        self.add(InitiativePartner, [{"initiative_id": i0 + i, "organization_id": o, "role": "partner", "status": "confirmed"}
                                     for i in range(n) for o in rng.sample(self.orgs, 3)])
        self.add(OutputReport, [{"initiative_id": i0 + i % n, "organization_id": rng.choice(self.orgs), "period_start": date(YEAR, 2, 1),
                                 "period_end": date(YEAR, 3, 1), "sessions_held": 4, "hours": 8, "participants_total": 20} for i in range(n * 2)])
        self.add(ParticipantCount, [{"report_id": r0 + i, "target_group": g, "count": 5}
                                    for i in range(n * 2) for g in ("families", "women", "youth_2g", "primary_pupils")])


def bulk(scale: int) -> None:
    """About 400,000 synthetic rows per unit of ``scale``."""
    rows = _Bulk(scale)
    for part in (rows.people_and_organizations, rows.forums, rows.labs, rows.events, rows.initiatives):
        part()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PONTE_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.db'}"
        from sqlalchemy import select

        from app import create_app
        from app.db import db
        from app.security.passwords import hash_password
        from app.services import demo
        from models import User
        from tests.conftest import Client, migrate

        migrate(os.environ["PONTE_DATABASE_URL"])
        app = create_app({"TESTING": True, "SECRET_KEY": "b" * 40, "MAIL_BACKEND": "memory", "RATELIMIT_ENABLED": False})
        started = time.perf_counter()
        with app.app_context(), db.unit_of_work():
            demo.seed()
            admin = db.session.scalar(select(User).where(User.email == demo.ADMIN_EMAIL))
            admin.password_hash = hash_password(PASSWORD)  # type: ignore[union-attr]
            if scale:
                bulk(scale)
        print(f"data set ready in {time.perf_counter() - started:.0f} s (scale {scale})")
        app.test_client_class = Client
        client = app.test_client()
        if client.post_form("/auth/login", {"email": demo.ADMIN_EMAIL, "password": PASSWORD}).status_code != 302:
            raise SystemExit("could not log in as the demo administrator")
        period = f"period_from={YEAR}-01-01&period_to={YEAR}-12-31"
        for label, path in (
            ("public summary, all of Italy", f"/dashboard/summary?{period}"),
            ("public summary, Puglia", f"/dashboard/summary?territory=16&{period}"),
            ("dashboard, all of Italy (admin)", f"/dashboard/?{period}"),
            ("dashboard, Lombardia, action 01", f"/dashboard/?territory=03&action=action_01&{period}"),
            ("dashboard, comune of Bari", f"/dashboard/?territory=072006&{period}"),
            ("one table as CSV (labs, Italy)", f"/dashboard/labs.csv?{period}"),
            ("FAMI export (every region x 5 actions)", f"/dashboard/fami.csv?{period}"),
        ):
            ms, size = cpu_ms_per_request(client, path, n)
            print(f"{label:45} {ms:7.2f} ms CPU/request  {size / 1024:5.1f} KB")


if __name__ == "__main__":
    main()
