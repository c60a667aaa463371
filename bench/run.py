"""Print server CPU milliseconds per request for Ponte's pages and for a minimal baseline.

Runs in-process (WSGI test client, no network) on a temporary SQLite database with the full
ISTAT territory list, so the figures compare code paths, not sockets. Bounded: a fixed number
of requests per page. Usage: ``make bench`` or ``.venv/bin/python bench/run.py [requests]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, render_template_string  # noqa: E402 — after the path set-up above
from sqlalchemy import Integer, String, create_engine, select  # noqa: E402
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column  # noqa: E402

ROWS = 200_000
PAGE = 20


def cpu_ms_per_request(client, path: str, n: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.get(path)  # warm caches
    samples = []
    size = 0
    for _ in range(n):
        start = time.process_time()
        response = client.get(path)
        size = len(response.data)
        samples.append((time.process_time() - start) * 1000)
        response.close()
    return statistics.median(samples), size


def baseline(tmp: Path, n: int) -> float:
    """A minimal Flask + SQLAlchemy + Jinja page: 20 rows by keyset from a 200k-row SQLite table."""

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        title: Mapped[str] = mapped_column(String(100))

    engine = create_engine(f"sqlite:///{tmp / 'baseline.db'}")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(Item.__table__.insert(), [{"title": f"Item {i}"} for i in range(ROWS)])
    app = Flask("baseline")
    template = "<ul>{% for i in items %}<li>{{ i.id }} {{ i.title }}</li>{% endfor %}</ul>"

    @app.get("/")
    def index():  # type: ignore[no-untyped-def]
        with Session(engine) as session:
            items = session.scalars(select(Item).where(Item.id > 100_000).order_by(Item.id).limit(PAGE)).all()
            return render_template_string(template, items=items)

    ms, _ = cpu_ms_per_request(app.test_client(), "/", n)
    return ms


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["PONTE_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
        from app import create_app
        from app.db import db
        from app.services import demo
        from tests.conftest import migrate

        migrate(os.environ["PONTE_DATABASE_URL"])
        app = create_app({"TESTING": True, "SECRET_KEY": "b" * 40, "MAIL_BACKEND": "memory", "RATELIMIT_ENABLED": False})
        with app.app_context(), db.unit_of_work():
            demo.seed()
        with app.app_context():
            from sqlalchemy import select as sql_select

            from models import Lab, Proposal, ProposalState

            voting = db.session.scalar(sql_select(Lab.slug).where(Lab.votes_per_participant == 3, Lab.voting_at.is_not(None)).order_by(Lab.id))
            closed = db.session.scalar(sql_select(Lab.slug).where(Lab.votes_per_participant == 2).order_by(Lab.id))
            done = db.session.scalar(sql_select(Proposal.id).where(Proposal.state == ProposalState.IMPLEMENTED).order_by(Proposal.id))
            from models import Event, Recurrence

            series = db.session.scalar(sql_select(Event.id).where(Event.recurrence == Recurrence.WEEKLY).order_by(Event.id))
            db.session.remove()
        client = app.test_client()
        print(f"baseline (Flask + SQLAlchemy + Jinja, {PAGE} of {ROWS:,} rows by keyset): {baseline(tmp, n):.2f} ms CPU/request")
        for label, path in (
            ("home", "/"),
            ("territories index", "/territories/"),
            ("region page (Lombardia)", "/territories/03"),
            ("province page (Milano, 60 of 133 comuni)", "/territories/215"),
            ("comune page (Bari)", "/territories/072006"),
            ("login form", "/auth/login"),
            ("organisations directory (20 per page)", "/organizations/"),
            ("organisations in Puglia", "/organizations/?territory=16"),
            ("organisation profile", "/organizations/associazione-teranga-senegalesi-del-salento"),
            ("founding path explained", "/founding/"),
            ("community labs", "/labs/"),
            ("lab page (voting)", f"/labs/{voting}"),
            ("lab page, random order", f"/labs/{voting}?sort=random"),
            ("all proposals in Lombardia", "/proposals/?territory=03"),
            ("proposal with answer and follow-up", f"/proposals/{done}"),
            ("lab results", f"/labs/{closed}/results"),
            ("transparency", "/transparency/"),
            ("events calendar, month", "/events/"),
            ("events calendar, week", "/events/?view=week"),
            ("events agenda in Puglia", "/events/?view=agenda&territory=16"),
            ("event page (weekly series)", f"/events/{series}"),
            ("calendar feed (all events, iCalendar)", "/calendar.ics"),
            ("event iCalendar (series)", f"/events/{series}.ics"),
        ):
            ms, size = cpu_ms_per_request(client, path, n)
            print(f"{label:45} {ms:6.2f} ms CPU/request  {size / 1024:5.1f} KB HTML")


if __name__ == "__main__":
    main()
