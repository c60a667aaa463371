"""Seed data for the browser server, created through the real services (never by SQL).

Run by ``conftest.py`` after ``flask users create-admin``, as
``python -m tests.browser.seed`` in the server's directory and environment (same
``PONTE_*`` variables, same SQLite file and mail directory). It prints one JSON line with
the slugs the tests need:

- ``organization``: a verified migrant association in Bari, created by the administrator,
  with one more active member (Amina) and one pending request (Rahim);
- ``mentor``: a verified third-sector body in Lecce (same region: a mentor candidate),
  created by Rahim and reported once by Amina (so the moderation queue is not empty);
- ``group``: an informal group in Bari administered by the administrator, whose founding
  path is started and answered when the founding service is there (``founding`` says
  whether it is; ``founding_error`` why not);
- ``forum``: the forum of Bari's comune, joined by Rahim, with one discussion (``thread``, its
  id): opened by Amina with a Markdown message, answered by Rahim and by the administrator
  on behalf of the association; Rahim's reply (message #2) is reported by Amina as spam, so
  the moderation queue also lists a message.

Luca (Italian interface) takes part in nothing: the keyboard test of the forums writes as him,
so its posts do not share the administrator's rate limit with the other browser tests.

New accounts are registered with ``accounts.register`` and confirmed with the link of
their confirmation mail, as a person would.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from flask import g

from app import create_app
from app.db import db
from app.services import accounts, forums, memberships, moderation, organizations, territories
from tests.browser.helpers import ADMIN_EMAIL, extract_link, mail_text, read_mail

ORGANIZATION_NAME = "Associazione Teranga Bari"
MENTOR_NAME = "Cooperativa Sociale Il Mosaico Puglia"
GROUP_NAME = "Gruppo Donne Ucraine di Bari"
PASSWORD = "una password di prova per il seme"
PEOPLE = {
    "amina": ("Amina Haddad", "amina.seed@example.org", "ar"),
    "rahim": ("Rahim Uddin", "rahim.seed@example.org", "bn"),
    "luca": ("Luca Bianchi", "luca.seed@example.org", "it"),
}
BARI = "072006"
THREAD_TITLE = "Corsi di italiano gratuiti a Bari: dove e quando?"
THREAD_BODY = (
    "Ciao a tutti! Cerco un corso di italiano **gratuito** per mia madre, possibilmente di sera.\n\n"
    "- zona Libertà o Madonnella\n"
    "- livello A1\n\n"
    "Qualcuno conosce il _CPIA_ di Bari?"
)


def _user(email: str) -> Any:
    user = accounts.find_user_by_email(email)
    if user is None:
        raise LookupError(f"no account for {email}")
    return user


def _confirmation_token(mail_dir: Path, address: str, base_url: str, timeout: float = 10.0) -> str:
    """The token of the newest confirmation mail to ``address`` (written after the commit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True):
            message = read_mail(path)
            if address in str(message["To"]).lower():
                link = extract_link(mail_text(message), base_url, "/auth/confirm/")
                return link.rstrip("/").rsplit("/", 1)[1]
        time.sleep(0.05)
    raise LookupError(f"no confirmation mail to {address} in {mail_dir}")


def _people(mail_dir: Path, base_url: str) -> None:
    for name, email, locale in PEOPLE.values():
        with db.unit_of_work():
            created = accounts.register(
                accounts.RegistrationDraft(
                    display_name=name,
                    email=email,
                    password=PASSWORD,
                    locale=locale,
                    home_territory="Bari",
                    accepted_privacy=True,
                )
            )
        if created is None:
            raise RuntimeError(f"{email} was not registered (already there?)")
        token = _confirmation_token(mail_dir, email, base_url)
        with db.unit_of_work():
            accounts.confirm_email(token)


def _organizations() -> dict[str, str]:
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        amina = _user(PEOPLE["amina"][1])
        rahim = _user(PEOPLE["rahim"][1])

        org = organizations.create_organization(
            admin,
            organizations.OrganizationDraft(
                name=ORGANIZATION_NAME,
                kind="migrant_association",
                home_territory="Bari",
                areas=["action_04", "mediation", "culture"],
                languages=["wo", "fr", "it", "ar"],
                descriptions={
                    "it": "Dal 2009 aiutiamo le famiglie senegalesi di Bari: **sportello il sabato mattina**, "
                    "corsi di italiano e mediazione con le scuole.",
                    "ar": "منذ عام 2009 نساعد العائلات السنغالية في باري: مكتب استقبال صباح السبت، "
                    "ودروس اللغة الإيطالية، ووساطة مع المدارس.",
                },
                original_language="it",
                legal_form="aps",
                runts_number="104533",
                founding_year=2009,
                email="teranga.bari@example.org",
                phone="+390805771111",
                website="https://teranga.example.org",
                address="Via Sparano 1, Bari",
                communities_served="Famiglie senegalesi",
                tax_code="93012345679",
                contact_name="Giulia Admin",
                contact_phone="+393331234567",
                territories_served=["Altamura"],
            ),
        )
        memberships.request_join(amina, org, "Vorrei dare una mano allo sportello del sabato.")
        pending = next(m for m in memberships.list_requests(admin, org) if m.user_id == amina.id)
        memberships.decide_request(admin, pending, True, "Benvenuta!")
        memberships.request_join(rahim, org, "Parlo bengali e inglese: posso aiutare con la mediazione.")
        organizations.set_verified(admin, org, True, "Iscrizione al RUNTS verificata.")

        mentor = organizations.create_organization(
            rahim,
            organizations.OrganizationDraft(
                name=MENTOR_NAME,
                kind="third_sector",
                home_territory="Lecce",
                areas=["mediation", "work"],
                languages=["it", "bn"],
                descriptions={"it": "Cooperativa sociale: mediazione linguistica negli ospedali e nelle scuole."},
                original_language="it",
                third_sector_type="cooperative",
            ),
        )
        organizations.set_verified(admin, mentor, True, "Telefonata con la presidente.")
        moderation.report_organization(
            amina,
            mentor,
            moderation.ReportDraft(reason="false_information", message="Il numero di telefono non risponde."),
        )

        group = organizations.create_organization(
            admin,
            organizations.OrganizationDraft(
                name=GROUP_NAME,
                kind="informal_group",
                home_territory="Bari",
                areas=["italian_l2", "work"],
                languages=["uk", "ru", "it"],
                descriptions={"it": "Gruppo informale di donne ucraine a Bari: aiuto reciproco e corsi di italiano."},
                original_language="it",
            ),
        )
        return {"organization": org.slug, "mentor": mentor.slug, "group": group.slug}


def _founding(group_slug: str) -> dict[str, Any]:
    """Start (and answer) the group's founding path, if the founding service is there."""
    try:
        from app.services import founding
    except ImportError as exc:
        return {"founding": False, "founding_error": f"no founding service: {exc}"}
    if not hasattr(founding, "start_path"):
        return {"founding": False, "founding_error": "app.services.founding has no start_path()"}
    try:
        with db.unit_of_work():
            admin = _user(ADMIN_EMAIL)
            group = organizations.get_by_slug(group_slug, admin)
            path = founding.start_path(admin, group)
            if hasattr(founding, "save_answers") and hasattr(founding, "AnswersDraft"):
                founding.save_answers(
                    admin,
                    path,
                    founding.AnswersDraft(
                        legal_form="aps",
                        association_name="Donne Ucraine di Bari APS",
                        purpose="Corsi di italiano e aiuto reciproco per le donne ucraine di Bari e delle loro famiglie.",
                        seat_address="Via Sparano 1, 70121 Bari",
                        founding_members=("Olena Kovalenko", "Iryna Shevchenko", "Giulia Admin"),
                    ),
                )
    except Exception as exc:  # reported to the tests, which skip founding cases with this reason
        return {"founding": False, "founding_error": f"{type(exc).__name__}: {exc}"}
    return {"founding": True, "founding_error": ""}


def _forum(organization_slug: str) -> dict[str, Any]:
    """Bari's forum with one discussion of three messages, one member and one reported reply."""
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        amina = _user(PEOPLE["amina"][1])
        rahim = _user(PEOPLE["rahim"][1])
        association = organizations.get_by_slug(organization_slug, admin)
        forum = forums.forum_for(territories.get_by_code(BARI))
        thread = forums.create_thread(amina, forum, forums.ThreadDraft(title=THREAD_TITLE, body=THREAD_BODY))
        spam = forums.reply(
            rahim,
            thread,
            forums.PostDraft(body="Corsi garantiti in 3 giorni!!! Scrivete in privato, prezzi bassissimi."),
        )
        forums.reply(
            admin,
            thread,
            forums.PostDraft(
                body="Il **CPIA Bari 1** ha corsi serali di livello A1: iscrizioni allo sportello del sabato, "
                "in via Sparano 1.",
                reply_to=1,
                organization_id=association.id,
            ),
        )
        forums.join(rahim, forum)
        moderation.report_content(amina, spam, moderation.ReportDraft(reason="spam"))
        return {"forum": forum.slug, "thread": thread.id}


def main() -> int:
    mail_dir = Path(os.environ["PONTE_MAIL_DIR"])
    base_url = f"{os.environ.get('PONTE_PREFERRED_URL_SCHEME', 'http')}://{os.environ['PONTE_SERVER_NAME']}"
    app = create_app()
    with app.app_context():
        # Outside a request the locale selector cannot read one, and domain errors render
        # their (lazy) messages when raised: fix the language as the mail renderer does.
        g.forced_locale = "it"
        _people(mail_dir, base_url)
        slugs = _organizations()
        result = {**slugs, **_founding(slugs["group"]), **_forum(slugs["organization"])}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
