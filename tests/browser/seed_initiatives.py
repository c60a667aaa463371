"""Seed data of the initiative pages for the browser server, created through the real services.

Called by ``seed.main()`` after the other seed data (the people, the association, the Comune di
Bari and its events are there already). It registers its own people (confirmed with the link of
their confirmation mail, as a person would) and returns the ids and slugs the tests need:

- ``association`` (Associazione Al Amal Bari, verified, run by Youssef) leads every initiative;
  ``school`` (Istituto Comprensivo Japigia 1, ``school_id``: created by the administrator, with
  Giorgio as staff); ``youth_association`` (in Altamura, not in Lecce, whose directory filter
  expects one organisation; run by Bilal, who replicates a good practice in the keyboard test).
  Dario is an official of the Comune di Bari (the dashboard is his); Teresa moderates Puglia (she
  designates good practices); Kofi applies to calls for volunteers.
- ``initiative``: running, peer education in Bari, with the school as host school (confirmed by
  Giorgio, who gave the intercultural contact person ``CONTACT_NAME``), the Comune as supporting
  authority (confirmed by Dario), the Cooperativa Il Mosaico invited (no answer yet); the seed
  event ``series`` is one of its sessions; a material link; an Arabic translation; ``call`` (five
  places) with Kofi's application (``application``) waiting; a report of outputs by the school
  (``OUTPUT_PARTICIPANTS`` participants).
- ``completed`` (family involvement, completed) and its good practice ``practice`` (designated by
  Teresa); ``case``, a published story of it with young protagonists, a picture and a video link.
- ``xss_initiative`` (completed; title, objectives, description, a material, the school's contact,
  ``xss_call`` and Kofi's application to it, a report's outcomes), ``xss_practice`` (every card
  field) and ``xss_case`` (title, summary, body, a picture's text): every one holds XSS payloads.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from app.db import db
from app.services import (
    accounts,
    case_histories,
    events,
    initiatives,
    memberships,
    organizations,
    outputs,
    practices,
    territories,
    uploads,
    volunteering,
)
from models import Role
from tests.browser.seed import BARI, XSS_IMG, XSS_SCRIPT, _confirmation_token, _user

PASSWORD = "una password di prova per le iniziative"
# name → (display name, e-mail, interface language)
PEOPLE = {
    "youssef": ("Youssef Amrani", "youssef.seed@example.org", "it"),  # admin of the lead association
    "giorgio": ("Giorgio Ferrante", "giorgio.seed@example.org", "it"),  # staff of the school
    "dario": ("Dario Colucci", "dario.seed@example.org", "it"),  # official of the Comune di Bari
    "teresa": ("Teresa Moretti", "teresa.seed@example.org", "it"),  # moderator of Puglia
    "kofi": ("Kofi Mensah", "kofi.seed@example.org", "it"),  # applies to calls for volunteers
    "bilal": ("Bilal Haddou", "bilal.seed@example.org", "it"),  # admin of the youth association in Altamura
}
PUGLIA = "16"

ASSOCIATION_NAME = "Associazione Al Amal Bari"
SCHOOL_NAME = "Istituto Comprensivo Japigia 1"
YOUTH_NAME = "Giovani Seconde Generazioni Altamura"

INITIATIVE_TITLE = "Compagni di banco: educazione tra pari a Japigia"
INITIATIVE_TITLE_AR = "زملاء المقعد: التعليم بين الأقران في جابيجيا"
CONTACT_NAME = "Lucia Ferri"
CONTACT_EMAIL = "lucia.ferri@example.org"
MATERIAL_TITLE = "Schede per le coppie di studio"
MATERIAL_URL = "https://materiali.example.org/schede-coppie-di-studio.pdf"
CALL_TITLE = "Volontari per il doposcuola del martedì"
APPLICATION_MESSAGE = "Studio lingue all'università e parlo arabo e francese: il martedì pomeriggio sono libero."
OUTPUT_PARTICIPANTS = 22
COMPLETED_TITLE = "Famiglie a scuola: mediazione nei colloqui con gli insegnanti"
PRACTICE_TITLE = "Mediatori ai colloqui scuola-famiglia"
CASE_TITLE = "Amina, da alunna a mediatrice per le famiglie"
CASE_ALT = "Due ragazze sorridono davanti al banco del punto informativo nel cortile della scuola."
CASE_VIDEO = "https://video.example.org/amina-mediatrice"
XSS_LINKS = (
    '<a href="javascript:window.__xss=1">clic</a> e [un link](javascript:window.__xss=1)\n\n'
    '<svg onload="window.__xss=1"></svg>'
)
XSS_TITLE = f"Mediazione {XSS_IMG}{XSS_SCRIPT} a scuola"
XSS_CONTACT = f"Prof. {XSS_IMG}"
XSS_CASE_TITLE = f"Storia {XSS_IMG}{XSS_SCRIPT} del quartiere"


def _people(mail_dir: Path, base_url: str) -> None:
    for name, email, locale in PEOPLE.values():
        with db.unit_of_work():
            created = accounts.register(
                accounts.RegistrationDraft(
                    display_name=name, email=email, password=PASSWORD, locale=locale,
                    home_territory="Bari", accepted_privacy=True,
                )
            )
        if created is None:
            raise RuntimeError(f"{email} was not registered (already there?)")
        token = _confirmation_token(mail_dir, email, base_url)
        with db.unit_of_work():
            accounts.confirm_email(token)


def _who(name: str) -> Any:
    return _user(PEOPLE[name][1])


def _join(person: Any, org: Any, decider: Any, message: str) -> None:
    """``person`` asks to join and ``decider`` (an admin of ``org``) approves: the default role of
    the kind of organisation (staff of a school, official of a public body)."""
    memberships.request_join(person, org, message)
    pending = next(m for m in memberships.list_requests(decider, org) if m.user_id == person.id)
    memberships.decide_request(decider, pending, True)


def _organizations(comune_slug: str) -> dict[str, str]:
    with db.unit_of_work():
        admin = _user("admin@example.org")
        youssef, giorgio, dario, teresa, bilal = (_who(n) for n in ("youssef", "giorgio", "dario", "teresa", "bilal"))
        marco = _user("marco.seed@example.org")
        association = organizations.create_organization(
            youssef,
            organizations.OrganizationDraft(
                name=ASSOCIATION_NAME, kind="migrant_association", home_territory="Bari",
                areas=["action_01", "peer_education", "mediation"], languages=["it", "ar", "fr"],
                descriptions={"it": "Associazione di famiglie marocchine e tunisine di Bari: doposcuola e mediazione."},
                original_language="it", legal_form="aps",
            ),
        )
        organizations.set_verified(admin, association, True, "Statuto e iscrizione al RUNTS controllati.")
        school = organizations.create_organization(
            admin,
            organizations.OrganizationDraft(
                name=SCHOOL_NAME, kind="school", home_territory="Bari", areas=["action_01", "italian_l2"],
                languages=["it"], descriptions={"it": "Istituto comprensivo del quartiere Japigia: primaria e secondaria di primo grado."},
                original_language="it", school_code="BAIC85300T", school_level="comprehensive",
            ),
        )
        organizations.set_verified(admin, school, True, "Codice meccanografico verificato.")
        _join(giorgio, school, admin, "Sono il referente per l'intercultura.")
        comune = organizations.get_by_slug(comune_slug, admin)
        _join(dario, comune, marco, "Lavoro all'Ufficio Statistica del Comune.")
        youth = organizations.create_organization(
            bilal,
            organizations.OrganizationDraft(
                name=YOUTH_NAME, kind="youth_association", home_territory="Altamura", areas=["action_04", "volunteering"],
                languages=["it", "ar"], descriptions={"it": "Ragazze e ragazzi di seconda generazione ad Altamura."},
                original_language="it",
            ),
        )
        accounts.grant_role(admin, teresa, Role.MODERATOR, territories.get_by_code(PUGLIA))
        return {"association": association.slug, "school": school.slug, "youth_association": youth.slug,
                "school_id": school.id, "comune_id": comune.id}


def _draft(title: str, kind: str, starts_on: date, ends_on: date, **values: Any) -> initiatives.InitiativeDraft:
    defaults: dict[str, Any] = {
        "actions": ["action_01"], "targets": ["primary_pupils", "lower_secondary_pupils", "families"],
        "territory": BARI, "objectives": "", "description": "", "language": "it",
    }
    defaults.update(values)
    return initiatives.InitiativeDraft(title=title, kind=kind, starts_on=starts_on, ends_on=ends_on, **defaults)


def _confirm(who: Any, initiative: Any, org_id: int, contact: tuple[str, str, str] | None = None) -> None:
    row = initiatives.get_partner(initiative, org_id)
    initiatives.decide_partnership(who, row, True, contact)


def _picture() -> bytes:
    """A small PNG drawn here: two figures at a stand in a courtyard."""
    image = Image.new("RGB", (480, 300), (226, 238, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 210, 480, 300), fill=(196, 180, 150))
    draw.rectangle((150, 150, 330, 215), fill=(0, 102, 204))
    for x, colour in ((190, (204, 80, 60)), (290, (40, 140, 90))):
        draw.ellipse((x - 18, 70, x + 18, 106), fill=(120, 80, 50))
        draw.rectangle((x - 20, 106, x + 20, 170), fill=colour)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _running(ids: dict[str, Any], today: date) -> dict[str, Any]:
    with db.unit_of_work():
        youssef, giorgio, dario, kofi = (_who(n) for n in ("youssef", "giorgio", "dario", "kofi"))
        admin = _user("admin@example.org")
        association = organizations.get_by_slug(ids["association"], admin)
        mentor = organizations.get_by_slug(ids["mentor"], admin)
        item = initiatives.create_initiative(
            youssef,
            association,
            _draft(
                INITIATIVE_TITLE, "peer_education", today - timedelta(days=60), today + timedelta(days=120),
                actions=["action_01", "action_04"],
                objectives="Aiutare i ragazzi arrivati da poco a fare i compiti\nFormare coppie di studio miste\nCoinvolgere le famiglie",
                description="Ogni martedì pomeriggio, a scuola, **coppie di studio** di ragazzi italiani e di origine straniera.\n\n"
                "- un'ora di compiti insieme\n- un'ora di giochi in italiano\n\nGli educatori dell'associazione seguono le coppie.",
            ),
        )
        initiatives.set_status(youssef, item, "running")
        initiatives.invite_partner(youssef, item, organizations.get_by_slug(ids["school"], admin), "host_school")
        initiatives.invite_partner(youssef, item, organizations.get_by_slug(ids["comune"], admin), "supporting_authority")
        initiatives.invite_partner(youssef, item, mentor, "partner")
        _confirm(giorgio, item, ids["school_id"], (CONTACT_NAME, CONTACT_EMAIL, "080 555 1234"))
        _confirm(dario, item, ids["comune_id"])
        initiatives.link_event(youssef, item, events.get_event(youssef, ids["series"]))
        initiatives.add_material(youssef, item, MATERIAL_TITLE, MATERIAL_URL, language="it")
        initiatives.set_translation(
            youssef, item, "ar", INITIATIVE_TITLE_AR,
            "كل يوم ثلاثاء بعد الظهر، في المدرسة، **أزواج دراسة** من التلاميذ الإيطاليين ومن أصول أجنبية.",
        )
        call = volunteering.open_call(
            youssef, item,
            volunteering.CallDraft(
                title=CALL_TITLE,
                description="Aiutate le coppie di studio con i compiti, il martedì dalle 15 alle 17.\nServe pazienza, non serve esperienza.",
                places=5, closes_on=today + timedelta(days=30),
            ),
        )
        application = volunteering.apply(kofi, call, APPLICATION_MESSAGE)
        outputs.record_outputs(
            giorgio, item,
            outputs.OutputDraft(
                period_start=today - timedelta(days=60), period_end=today - timedelta(days=30), sessions_held=8, hours=16,
                materials_produced=2,
                participants=(
                    outputs.ParticipantRow("primary_pupils", "female", "under_11", 7),
                    outputs.ParticipantRow("primary_pupils", "male", "under_11", 6),
                    outputs.ParticipantRow("families", "not_recorded", "not_recorded", 9),
                ),
                outcomes="Le coppie di studio hanno lavorato bene.\nTre famiglie sono venute ai colloqui per la prima volta.",
            ),
        )
        return {"initiative": item.id, "call": call.id, "application": application.id}


def _completed(ids: dict[str, Any], today: date) -> dict[str, Any]:
    """A completed initiative, its good practice and a published story of it."""
    with db.unit_of_work():
        youssef, giorgio, teresa = (_who(n) for n in ("youssef", "giorgio", "teresa"))
        admin = _user("admin@example.org")
        association = organizations.get_by_slug(ids["association"], admin)
        item = initiatives.create_initiative(
            youssef,
            association,
            _draft(
                COMPLETED_TITLE, "family_involvement", today - timedelta(days=400), today - timedelta(days=40),
                actions=["action_01", "action_03"], targets=["families", "primary_pupils"],
                objectives="Portare le famiglie straniere ai colloqui con gli insegnanti\nTradurre gli avvisi della scuola",
                description="Mediatrici e mediatori dell'associazione ai colloqui, in arabo e in francese.",
            ),
        )
        initiatives.set_status(youssef, item, "running")
        initiatives.invite_partner(youssef, item, organizations.get_by_slug(ids["school"], admin), "host_school")
        _confirm(giorgio, item, ids["school_id"], (CONTACT_NAME, CONTACT_EMAIL, ""))
        initiatives.add_material(youssef, item, "Avvisi della scuola in cinque lingue", "https://materiali.example.org/avvisi.pdf")
        outputs.record_outputs(
            youssef, item,
            outputs.OutputDraft(
                period_start=today - timedelta(days=400), period_end=today - timedelta(days=40), sessions_held=24, hours=48,
                materials_produced=5,
                participants=(outputs.ParticipantRow("families", "not_recorded", "not_recorded", 64),
                              outputs.ParticipantRow("primary_pupils", "not_recorded", "not_recorded", 80)),
                outcomes="Quasi tutte le famiglie seguite sono venute ai colloqui.",
            ),
        )
        initiatives.set_status(youssef, item, "completed")
        practice = practices.designate(
            teresa, item,
            practices.PracticeCard(
                title=PRACTICE_TITLE,
                problem="Molte famiglie straniere non venivano ai colloqui: non capivano gli avvisi e temevano di non capire gli insegnanti.",
                method="L'associazione ha formato sei **mediatrici**; la scuola le ha chiamate ai colloqui e ha tradotto gli avvisi.",
                results="In un anno le famiglie presenti ai colloqui sono passate da poche a quasi tutte.",
                replication="Servono una scuola disponibile, mediatori formati e un piccolo rimborso spese per ogni colloquio.",
                contact="Associazione Al Amal Bari, sportello del sabato",
            ),
        )
        case = case_histories.create_case_history(
            youssef, association,
            case_histories.CaseDraft(
                title=CASE_TITLE,
                summary="A dodici anni traduceva per la madre ai colloqui; oggi, a diciassette, aiuta altre famiglie.",
                body="Amina è arrivata a Bari a dieci anni. Ai colloqui con gli insegnanti traduceva per sua madre.\n\n"
                "Con il progetto **Famiglie a scuola** è diventata una delle giovani mediatrici della scuola.",
                initiative_id=item.id, video_url=CASE_VIDEO, youth_protagonists=True,
                organizations=[ids["school"]],
            ),
        )
        case_histories.add_image(youssef, case, uploads.Upload("punto-informativo.png", _picture()), CASE_ALT,
                                 "Il punto informativo nel cortile, il giorno dei colloqui.")
        case_histories.publish(youssef, case)
        return {"completed": item.id, "practice": practice.id, "case": case.id}


def _xss(ids: dict[str, Any], today: date) -> dict[str, Any]:
    """An initiative, its good practice and a story whose texts hold XSS payloads."""
    with db.unit_of_work():
        youssef, giorgio, teresa, kofi = (_who(n) for n in ("youssef", "giorgio", "teresa", "kofi"))
        admin = _user("admin@example.org")
        association = organizations.get_by_slug(ids["association"], admin)
        item = initiatives.create_initiative(
            youssef,
            association,
            _draft(
                XSS_TITLE, "mediation", today - timedelta(days=200), today - timedelta(days=20),
                objectives=f"Obiettivo {XSS_IMG}\nSecondo {XSS_SCRIPT}",
                description=f"Descrizione con HTML: {XSS_IMG}\n\n{XSS_SCRIPT}\n\n{XSS_LINKS}",
            ),
        )
        initiatives.set_status(youssef, item, "running")
        initiatives.invite_partner(youssef, item, organizations.get_by_slug(ids["school"], admin), "host_school")
        _confirm(giorgio, item, ids["school_id"], (XSS_CONTACT, "xss.contatto@example.org", ""))
        initiatives.add_material(youssef, item, f"Scheda {XSS_IMG}{XSS_SCRIPT}", "https://materiali.example.org/scheda-xss.pdf")
        call = volunteering.open_call(
            youssef, item,
            volunteering.CallDraft(title=f"Volontari {XSS_IMG}", description=f"Descrizione {XSS_IMG}\n{XSS_SCRIPT}"),
        )
        volunteering.apply(kofi, call, f"Messaggio {XSS_IMG}{XSS_SCRIPT}")
        outputs.record_outputs(
            youssef, item,
            outputs.OutputDraft(
                period_start=today - timedelta(days=200), period_end=today - timedelta(days=20), sessions_held=3, hours=6,
                participants=(outputs.ParticipantRow("families", "not_recorded", "not_recorded", 12),),
                outcomes=f"Risultati {XSS_IMG}\n{XSS_SCRIPT}",
            ),
        )
        initiatives.set_status(youssef, item, "completed")
        practice = practices.designate(
            teresa, item,
            practices.PracticeCard(
                title=f"Pratica {XSS_IMG}{XSS_SCRIPT}",
                problem=f"Problema con HTML: {XSS_IMG}\n\n{XSS_SCRIPT}",
                method=f"Metodo con link: {XSS_LINKS}",
                results=f"Risultati con HTML: {XSS_IMG}{XSS_SCRIPT}",
                replication=f"Per replicarla: {XSS_SCRIPT}\n\n{XSS_LINKS}",
                contact=f"Contatto {XSS_IMG}",
            ),
        )
        case = case_histories.create_case_history(
            youssef, association,
            case_histories.CaseDraft(
                title=XSS_CASE_TITLE,
                summary=f"Sommario {XSS_IMG} con {XSS_SCRIPT} da non eseguire.",
                body=f"Racconto con HTML: {XSS_IMG}\n\n{XSS_SCRIPT}\n\n{XSS_LINKS}",
                initiative_id=item.id, youth_protagonists=True,
            ),
        )
        case_histories.add_image(youssef, case, uploads.Upload("xss.png", _picture()), f"Foto {XSS_IMG}", f"Didascalia {XSS_SCRIPT}")
        case_histories.publish(youssef, case)
        return {"xss_initiative": item.id, "xss_call": call.id, "xss_practice": practice.id, "xss_case": case.id}


def seed(mail_dir: Path, base_url: str, found: dict[str, Any]) -> dict[str, Any]:
    """Create the initiative data; ``found`` holds the slugs and ids of the rest of the seed."""
    _people(mail_dir, base_url)
    today = initiatives.today()
    ids = {**found, **_organizations(found["comune"])}
    ids.update(_running(ids, today))
    ids.update(_completed(ids, today))
    ids.update(_xss(ids, today))
    return {key: ids[key] for key in (
        "association", "school", "school_id", "youth_association", "initiative", "call", "application", "completed", "practice", "case",
        "xss_initiative", "xss_call", "xss_practice", "xss_case",
    )}
