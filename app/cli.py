"""Command-line interface: ``flask db …``, ``flask seed-demo``, ``flask users …``, ``flask events …``,
``flask notifications send``, ``flask worker``, ``flask territories …``, ``flask search rebuild``, ``flask i18n …``.
Commands call services inside a unit of work."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from app.config import ROOT
from app.db import db, expect_writes
from app.exceptions import DomainError, ValidationFailed
from app.i18n import LANGUAGES


def alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    """Alembic configuration from ``[tool.alembic]`` in pyproject.toml, bound to ``url``."""
    from alembic.config import Config

    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["url"] = url or current_app.config["DATABASE_URL"]
    return cfg


def _print_errors(exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed):
        for field, message in exc.errors.items():
            click.echo(f"{field}: {message}", err=True)
    else:
        click.echo(str(exc), err=True)


def init_app(app: Flask) -> None:  # noqa: C901 — a flat list of small command definitions
    # ------------------------------------------------------------ database
    @app.cli.group("db")
    def db_group() -> None:
        """Database schema (Alembic migrations)."""

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Migrate the database up to REVISION (default: head)."""
        from alembic import command

        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        command.upgrade(alembic_config(), revision)

    @db_group.command("downgrade")
    @click.argument("revision")
    def db_downgrade(revision: str) -> None:
        """Migrate the database down to REVISION."""
        from alembic import command

        command.downgrade(alembic_config(), revision)

    @db_group.command("revision")
    @click.option("-m", "--message", required=True)
    def db_revision(message: str) -> None:
        """Generate a new migration by comparing the models with the database."""
        from alembic import command

        command.revision(alembic_config(), message=message, autogenerate=True)

    @db_group.command("current")
    def db_current() -> None:
        """Show the database's current revision."""
        from alembic import command

        command.current(alembic_config())

    # ------------------------------------------------------------ demo data
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load territories and demo people (idempotent; local use only)."""
        from app.services import demo, search_index

        with db.unit_of_work():
            report = demo.seed()
            counts = search_index.rebuild()  # demo rows are written directly, not through the services
        for line in report:
            click.echo(line)
        click.echo(f"search index: {sum(counts.values())} documents")

    # ------------------------------------------------------------ search
    @app.cli.group("search")
    def search_group() -> None:
        """The site-wide search index."""

    @search_group.command("rebuild")
    def search_rebuild() -> None:
        """Write the whole search index again from the content (after bulk imports or seeding)."""
        from app.services import search_index

        expect_writes(True)
        with db.unit_of_work():
            counts = search_index.rebuild()
        for kind, count in counts.items():
            click.echo(f"{kind}: {count}")
        click.echo(f"total: {sum(counts.values())}")

    # ------------------------------------------------------------ users
    @app.cli.group("users")
    def users_group() -> None:
        """Manage accounts and platform roles."""

    @users_group.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Amministrazione Ponte", show_default=True)
    @click.password_option()
    def create_admin(email: str, name: str, password: str) -> None:
        """Create a confirmed administrator (or make an existing account one)."""
        from app.services import accounts

        try:
            with db.unit_of_work():
                user = accounts.create_admin(email, name, password)
                click.echo(f"Administrator ready: {user.email}")
        except DomainError as exc:
            _print_errors(exc)
            sys.exit(1)

    @users_group.command("grant-moderator")
    @click.argument("email")
    @click.argument("territory_code")
    def grant_moderator(email: str, territory_code: str) -> None:
        """Make EMAIL moderator of the territory with TERRITORY_CODE and all inside it."""
        from app.services import accounts, territories
        from models import Role

        try:
            with db.unit_of_work():
                user = accounts.find_user_by_email(email)
                if user is None:
                    raise ValidationFailed({"email": "no account with this e-mail"})
                territory = territories.get_by_code(territory_code)
                accounts.grant_role(None, user, Role.MODERATOR, territory)
                click.echo(f"{user.email} now moderates {territory.name}")
        except DomainError as exc:
            _print_errors(exc)
            sys.exit(1)

    # ------------------------------------------------------------ territories
    @app.cli.group("territories")
    def territories_group() -> None:
        """Regions, provinces, social districts and comuni."""

    @territories_group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def territories_import(file: Path) -> None:
        """Load ISTAT's list of comuni (CSV, ';' separated, Latin-1). Safe to run again."""
        from app.services import territories

        try:
            rows = territories.parse_istat_csv(file.read_bytes())
        except territories.ImportFailed as exc:
            click.echo(f"{file}: nothing imported.\n{exc}", err=True)
            sys.exit(1)
        with db.unit_of_work():
            result = territories.import_comuni(rows)
        click.echo(
            f"{len(rows)} comuni read: {result.created} territories created, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )

    # ------------------------------------------------------------ events
    @app.cli.group("events")
    def events_group() -> None:
        """Event calendars."""

    @events_group.command("send-reminders")
    def events_send_reminders() -> None:
        """E-mail a reminder to every confirmed registrant of a date starting within 24 hours.

        Safe to run every few minutes, and by two schedulers at once: no reminder goes twice."""
        from app.services import reminders
        from models.base import utcnow

        now = utcnow()
        total = 0
        expect_writes(True)  # SQLite: take the write lock at BEGIN, so overlapping runs queue instead of failing
        try:
            for _ in range(1000):  # batches of reminders.BATCH, each committed before its mails leave
                with db.unit_of_work():
                    sent, seen = reminders.send_due(now)
                total += sent
                if seen < reminders.BATCH:
                    break
        finally:
            expect_writes(False)
        click.echo(f"{total} reminders sent.")

    # ------------------------------------------------------------ notifications and the mail outbox
    @app.cli.group("notifications")
    def notifications_group() -> None:
        """Notification e-mails and digests (the e-mail outbox)."""

    @notifications_group.command("send")
    @click.option("--every", type=click.IntRange(min=0), default=0, metavar="SECONDS",
                  help="Keep running and check again every SECONDS (make run uses this). 0: run once.")
    def notifications_send(every: int) -> None:
        """Prepare the digests that are due, then send every e-mail that is due (new ones, retries).

        Safe to run often and from several processes at once: each mail is claimed before it
        leaves, so none goes twice. Run it every few minutes (cron, a systemd timer), also next
        to `flask worker`: it prepares digests and retries what could not be sent."""
        import time

        while True:
            digests_made, sent, waiting = _send_notifications()
            click.echo(f"{digests_made} digests prepared, {sent} e-mails sent, {waiting} waiting.")
            if not every:
                return
            time.sleep(every)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    def worker(burst: bool) -> None:
        """Run an RQ worker that sends queued e-mails at once (needs PONTE_REDIS_URL)."""
        url = app.config.get("REDIS_URL")
        if not url:
            click.echo("PONTE_REDIS_URL is not set: there is no queue to work on. "
                       "Run `flask notifications send` every few minutes instead.", err=True)
            sys.exit(1)
        from redis import Redis
        from rq import Queue
        from rq.worker import SimpleWorker

        from app.services import outbox

        connection = Redis.from_url(url)
        # A SimpleWorker runs jobs in this process: the app (database engine, mail settings) is
        # already set up here, and a fork would share the engine's connections with the child.
        SimpleWorker([Queue(outbox.QUEUE, connection=connection)], connection=connection).work(burst=burst)

    # ------------------------------------------------------------ translations
    @app.cli.group("i18n")
    def i18n_group() -> None:
        """Translation catalogs (Babel)."""

    @i18n_group.command("extract")
    def i18n_extract() -> None:
        """Write translations/messages.pot from the code and templates."""
        _pybabel(
            "extract", "-F", "pyproject.toml", "-k", "_l", "-k", "lazy_gettext", "--no-location",
            "--sort-output", "--project", "Ponte", "--copyright-holder", "Ponte contributors",
            "-o", "translations/messages.pot", "app", "blueprints", "models", "templates",
        )

    @i18n_group.command("update")
    def i18n_update() -> None:
        """Extract, then merge the template into every catalog (creating missing ones)."""
        i18n_extract.callback()  # type: ignore[misc]
        for code in LANGUAGES:
            po = ROOT / "translations" / code / "LC_MESSAGES" / "messages.po"
            if po.exists():
                _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "-l", code, "--no-fuzzy-matching", "--ignore-obsolete")
            else:
                _pybabel("init", "-i", "translations/messages.pot", "-d", "translations", "-l", code)

    @i18n_group.command("compile")
    def i18n_compile() -> None:
        """Compile every catalog to .mo (fuzzy entries are left out)."""
        _pybabel("compile", "-d", "translations", "--statistics")


def _send_notifications() -> tuple[int, int, int]:
    """One pass of `flask notifications send`: digests in batches (each committed before its
    mails leave), then every due mail. Returns (digests prepared, mails sent, mails waiting)."""
    from app.services import digests, outbox
    from models.base import utcnow

    now = utcnow()
    made, last = 0, 0
    expect_writes(True)  # SQLite: take the write lock at BEGIN, so overlapping runs queue instead of failing
    try:
        for _ in range(10_000):
            with db.unit_of_work():
                queued, seen, last = digests.run(now, after_user_id=last)
            made += queued
            if seen < digests.BATCH:
                break
    finally:
        expect_writes(False)
    sent = 0
    for _ in range(10_000):
        batch_sent, seen = outbox.send_due(now)
        sent += batch_sent
        if seen < outbox.BATCH:
            break
    outbox.purge(now)
    return made, sent, outbox.pending_count()


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])
