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

- community labs (``_labs``): the ``comune`` (Comune di Bari, verified local authority created by
  Marco, its admin, with Sara as an official and two answer templates: ``template_accept``,
  ``template_reject``); ``lab``, the Comune's lab taking proposals (3 supports for an answer),
  with ``proposal`` (Amina's: co-sponsored by the association, answered, the answer changed
  once, two progress updates, comments with a reply and an official comment), ``awaiting``
  (Rahim's, at its supports, waiting for the answer), ``rejected``, ``withdrawn``, ``editable``
  (Amina's, published, no supports, no attachments; the women's group is invited to
  co-sponsor it), ``own_proposal`` (the administrator's, on behalf of the association), a draft
  of Amina's, and ``xss`` (title, summary, body and a comment hold XSS payloads);
  ``voting_lab`` in its voting phase with two votes each (``voting_proposals``: four ids, three
  votes cast by Amina and Marco); ``results_lab``, the association's lab whose results are out.

- events (``_events``), all published by Marco for the Comune di Bari, in the coming weeks:
  ``series`` (weekly Italian class, six dates: ``series_sessions``; the second ``series_cancelled``,
  the third ``series_moved`` to the next day with a note; translated into Arabic; Amina registered
  for every date, Chiara for the first); ``single`` (capacity 2: Amina and Rahim confirmed, Chiara
  first on the waiting list; ``single_session``); ``approval`` (by approval: Rahim's request
  pending); ``online`` (the link shown to registered people only: Amina is; ``online_session``);
  ``festival`` (all day, over two days, no registration); ``xss_event`` (title, description,
  venue, address, accessibility notes and a date's note hold XSS payloads; Rahim and Chiara
  registered). ``event_month`` (YYYY-MM) and ``event_day`` (ISO) are the month and the day of
  ``single``; ``xss_day`` the day of ``xss_event``. Nadia and Omar (Italian interface) take part
  in nothing: the keyboard test of the events registers as them.

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
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from flask import g

from app import create_app
from app.db import db
from app.services import (
    accounts,
    events,
    forums,
    labs,
    memberships,
    moderation,
    organizations,
    proposals,
    registrations,
    responses,
    territories,
)
from models.base import utcnow
from tests.browser.helpers import ADMIN_EMAIL, extract_link, mail_text, read_mail

ORGANIZATION_NAME = "Associazione Teranga Bari"
MENTOR_NAME = "Cooperativa Sociale Il Mosaico Puglia"
GROUP_NAME = "Gruppo Donne Ucraine di Bari"
PASSWORD = "una password di prova per il seme"
PEOPLE = {
    "amina": ("Amina Haddad", "amina.seed@example.org", "ar"),
    "rahim": ("Rahim Uddin", "rahim.seed@example.org", "bn"),
    "luca": ("Luca Bianchi", "luca.seed@example.org", "it"),
    # The community labs (``_labs``): Marco creates the Comune di Bari and administers it, Sara
    # answers for it as an official; Chiara writes proposals (and, in the keyboard test, a new one).
    "marco": ("Marco Rinaldi", "marco.seed@example.org", "it"),
    "sara": ("Sara Conte", "sara.seed@example.org", "it"),
    "chiara": ("Chiara Lombardi", "chiara.seed@example.org", "it"),
    # Events (``_events``): nobody's registrations; the keyboard test of the events registers as them.
    "nadia": ("Nadia Benali", "nadia.seed@example.org", "it"),
    "omar": ("Omar Cissé", "omar.seed@example.org", "it"),
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


# --------------------------------------------------------------------------- community labs

COMUNE_NAME = "Comune di Bari"
XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_TITLE = f"Fontanelle nei giardini {XSS_IMG}{XSS_SCRIPT}"
TEMPLATE_ACCEPT = "Accolta: inserita nel piano delle opere"
TEMPLATE_REJECT = "Non accolta: competenza di un altro ente"
ANSWER_ACCEPT = (
    "Grazie per la proposta. La Giunta l'ha **accolta** e la inserisce nel piano delle opere del prossimo anno. "
    "Vi terremo informati qui sotto, passo dopo passo."
)


def _lab_draft(lab: Any, **changes: Any) -> Any:
    """The lab as it is, with some values changed (to move its phases through the real service)."""
    values: dict[str, Any] = {
        "title": lab.title,
        "description": lab.description,
        "territory": lab.territory.istat_code,
        "actions": list(lab.actions),
        "proposals_on": labs.local_day(lab.proposals_at),
        "deliberation_on": labs.local_day(lab.deliberation_at),
        "voting_on": labs.local_day(lab.voting_at),
        "results_on": labs.local_day(lab.results_at),
        "follow_up_on": labs.local_day(lab.follow_up_at),
        "support_threshold": lab.support_threshold,
        "votes_per_participant": lab.votes_per_participant,
        "eligibility": lab.eligibility.value,
        "response_days": lab.response_days,
        "allow_organization_proposals": lab.allow_organization_proposals,
        "standing": lab.is_standing,
    }
    values.update(changes)
    return labs.LabDraft(**values)


def _propose(author: Any, lab: Any, title: str, summary: str, body: str, publish: bool = True, **extra: Any) -> Any:
    return proposals.create_proposal(
        author, lab, proposals.ProposalDraft(title=title, summary=summary, body=body, **extra), publish=publish
    )


def _comune() -> dict[str, Any]:
    """The Comune di Bari, verified, created by Marco (its admin), with Sara as an official and two
    answer templates."""
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        marco = _user(PEOPLE["marco"][1])
        sara = _user(PEOPLE["sara"][1])
        comune = organizations.create_organization(
            marco,
            organizations.OrganizationDraft(
                name=COMUNE_NAME,
                kind="local_authority",
                home_territory="Bari",
                areas=["action_01", "action_02", "action_03", "action_04"],
                languages=["it", "en"],
                descriptions={
                    "it": "Ufficio Partecipazione del Comune di Bari: laboratori di quartiere e risposte ai cittadini."
                },
                original_language="it",
                authority_type="comune",
                authority_istat_code=BARI,
            ),
        )
        organizations.set_verified(admin, comune, True, "Ente pubblico: verificato sull'indice IPA.")
        memberships.request_join(sara, comune, "Lavoro all'Ufficio Partecipazione.")
        pending = next(m for m in memberships.list_requests(marco, comune) if m.user_id == sara.id)
        memberships.decide_request(marco, pending, True)
        accept = responses.add_template(sara, comune, TEMPLATE_ACCEPT, "accepted", ANSWER_ACCEPT)
        reject = responses.add_template(
            sara,
            comune,
            TEMPLATE_REJECT,
            "rejected",
            "Grazie per la proposta. Purtroppo non è di competenza del Comune: l'abbiamo inoltrata alla Città "
            "metropolitana, che risponderà direttamente.",
        )
        return {"comune": comune.slug, "template_accept": accept.id, "template_reject": reject.id}


def _proposals_lab(comune_slug: str, organization_slug: str, group_slug: str, today: date) -> dict[str, Any]:
    """A lab taking proposals, with proposals in several states: one answered, with its answer
    changed once, progress updates, co-sponsor and comments with a reply; one awaiting an answer;
    one rejected; one withdrawn; an editable one of Amina's (no attachments) inviting a co-sponsor;
    one of the administrator's on behalf of the association; a draft; and one whose text is an
    XSS payload, commented with another."""
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        amina, rahim = _user(PEOPLE["amina"][1]), _user(PEOPLE["rahim"][1])
        marco, sara, chiara = _user(PEOPLE["marco"][1]), _user(PEOPLE["sara"][1]), _user(PEOPLE["chiara"][1])
        comune = organizations.get_by_slug(comune_slug, admin)
        association = organizations.get_by_slug(organization_slug, admin)
        group = organizations.get_by_slug(group_slug, admin)
        lab = labs.create_lab(
            sara,
            comune,
            labs.LabDraft(
                title="Laboratorio di quartiere Libertà",
                description="Il Comune invita chi vive a Bari a proporre **piccoli interventi** per il quartiere Libertà:\n\n"
                "- spazi verdi e piazze\n- servizi per le famiglie\n- corsi e attività culturali\n\n"
                "Le proposte che raccolgono 3 sostegni ricevono una risposta scritta entro 30 giorni.",
                territory=BARI,
                actions=["action_01", "action_04"],
                proposals_on=today - timedelta(days=20),
                deliberation_on=today + timedelta(days=10),
                voting_on=today + timedelta(days=20),
                results_on=today + timedelta(days=30),
                support_threshold=3,
                votes_per_participant=3,
                eligibility="residents",
                response_days=30,
            ),
        )

        # The showcase: co-sponsored, supported to the threshold, answered (then the answer
        # changed), followed up, commented.
        showcase = _propose(
            amina,
            lab,
            "Panchine e alberi in piazza del Redentore",
            "Mettere dieci panchine all'ombra e piantare alberi nella piazza, dove giocano i bambini del quartiere.",
            "D'estate la piazza è **senza ombra** e gli anziani non hanno dove sedersi.\n\n"
            "Proponiamo di:\n\n- piantare 8 alberi (lecci o carrubi)\n- mettere 10 panchine\n- aggiungere una fontanella",
            action="action_04",
        )
        proposals.invite_sponsor(amina, showcase, association.id)
        proposals.decide_sponsorship(admin, proposals.get_sponsorship(showcase, association.id), True)
        for person in (rahim, chiara, marco):
            proposals.support(person, showcase)
        responses.respond(
            sara,
            showcase,
            responses.ResponseDraft(
                decision="evaluating",
                text="Grazie: l'ufficio Verde pubblico sta valutando il costo degli alberi e delle panchine.",
                office="Ripartizione Tutela dell'Ambiente",
                next_step="Sopralluogo in piazza entro due settimane.",
            ),
        )
        first = responses.response_of(showcase)
        responses.respond(
            sara,
            showcase,
            responses.ResponseDraft(
                decision="accepted",
                text=ANSWER_ACCEPT,
                office="Ripartizione Tutela dell'Ambiente",
                next_step="Gara per gli arredi entro marzo, lavori in primavera.",
                contact="partecipazione@comune.bari.example",
                cost_estimate="48.500,00",
                expected_on=today + timedelta(days=150),
            ),
            seen_version=first.version if first else None,
        )
        responses.add_progress(
            sara,
            showcase,
            responses.ProgressDraft(
                happened_on=today - timedelta(days=2),
                text="Sopralluogo fatto con i residenti: scelti i punti per gli alberi.",
                percent=20,
                status="in_progress",
            ),
        )
        responses.add_progress(
            sara,
            showcase,
            responses.ProgressDraft(
                happened_on=today,
                text="Ordinati gli arredi: **10 panchine** e 2 fontanelle.",
                percent=45,
                status="in_progress",
            ),
        )
        asked = proposals.add_comment(
            rahim, showcase, "Ottima idea! Si può aggiungere anche una rastrelliera per le bici?"
        )
        proposals.add_comment(amina, showcase, "Sì, la aggiungo volentieri alla proposta.", parent_id=asked.id)
        proposals.add_comment(sara, showcase, "Ne terremo conto nel progetto degli arredi.", organization_id=comune.id)

        # Awaiting the Comune's answer (the official answers it in the keyboard test).
        awaiting = _propose(
            rahim,
            lab,
            "Luci nel sottopasso di via Quintino Sella",
            "Il sottopasso è buio la sera: servono lampade nuove e più sicure per chi torna a casa a piedi.",
            "Molte persone, soprattutto donne e ragazzi, evitano il sottopasso dopo le 19. Chiediamo lampade a LED "
            "e una telecamera all'ingresso.",
            action="action_01",
        )
        for person in (amina, chiara, marco):
            proposals.support(person, awaiting)

        rejected = _propose(
            chiara,
            lab,
            "Spostare il mercato del sabato in via Manzoni",
            "Il mercato occupa la piazza: proponiamo di spostarlo nella via accanto, più larga.",
            "La piazza resterebbe libera per i bambini il sabato mattina e il mercato avrebbe più spazio per i banchi.",
        )
        responses.respond(
            sara,
            rejected,
            responses.ResponseDraft(
                decision="rejected",
                text="Grazie. Via Manzoni non è abbastanza larga per i mezzi di soccorso se ci sono i banchi.",
                office="Polizia Locale",
            ),
        )

        withdrawn = _propose(
            rahim,
            lab,
            "Orti urbani nell'ex caserma",
            "Dare in gestione ai residenti alcuni orti nello spazio dell'ex caserma.",
            "L'area è abbandonata da anni: con gli orti diventerebbe un luogo di incontro tra famiglie.",
        )
        proposals.withdraw(rahim, withdrawn)

        # Amina's second proposal: published, no supports yet (so she can still edit it), no
        # attachments; she invites the women's group to co-sponsor it (the administrator, its
        # admin, finds the invitation in the personal area).
        editable = _propose(
            amina,
            lab,
            "Corso di italiano serale alla biblioteca",
            "Un corso gratuito di italiano due sere a settimana, per chi lavora di giorno.",
            "Molte mamme e molti lavoratori non possono seguire i corsi del mattino. La biblioteca di quartiere è "
            "aperta fino alle 20: basterebbe un'aula e un insegnante.",
            action="action_04",
        )
        proposals.invite_sponsor(amina, editable, group.id)
        _propose(
            amina,
            lab,
            "Bozza: ludoteca nel centro civico",
            "Una ludoteca aperta il pomeriggio nel centro civico del quartiere.",
            "Ancora da scrivere bene: orari, chi la gestisce, quanto costa.",
            publish=False,
        )

        # The administrator's own proposal, on behalf of the association.
        own = _propose(
            admin,
            lab,
            "Sportello di mediazione nelle scuole del quartiere",
            "Un mediatore culturale a scuola il martedì, per le famiglie che parlano poco l'italiano.",
            "L'associazione offre mediatori in wolof, francese e arabo; chiediamo al Comune una stanza e un "
            "calendario con le scuole.",
            organization_id=association.id,
        )

        # Stored XSS: in the title, summary, body and a comment. None of it may ever run.
        xss = _propose(
            rahim,
            lab,
            XSS_TITLE,
            f"Riattivare le fontanelle {XSS_IMG} nei giardini {XSS_SCRIPT} del quartiere.",
            f"Testo con HTML: {XSS_IMG}\n\n{XSS_SCRIPT}\n\n"
            '<a href="javascript:window.__xss=1">clic</a> e [un link](javascript:window.__xss=1)\n\n'
            '<svg onload="window.__xss=1"></svg>',
        )
        proposals.add_comment(amina, xss, f"Commento {XSS_IMG} e {XSS_SCRIPT} da non eseguire.")
        return {
            "lab": lab.slug,
            "proposal": showcase.id,
            "awaiting": awaiting.id,
            "rejected": rejected.id,
            "withdrawn": withdrawn.id,
            "editable": editable.id,
            "own_proposal": own.id,
            "xss": xss.id,
        }


def _voting_lab(comune_slug: str, today: date) -> dict[str, Any]:
    """A lab in its voting phase, two votes each (K=2): four proposals, three votes cast."""
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        amina, rahim = _user(PEOPLE["amina"][1]), _user(PEOPLE["rahim"][1])
        marco, sara, chiara = _user(PEOPLE["marco"][1]), _user(PEOPLE["sara"][1]), _user(PEOPLE["chiara"][1])
        comune = organizations.get_by_slug(comune_slug, admin)
        lab = labs.create_lab(
            sara,
            comune,
            labs.LabDraft(
                title="Bilancio partecipativo di Bari",
                description="Centomila euro per il quartiere: scegliete voi come spenderli. Ognuno ha **due voti**.",
                territory=BARI,
                actions=["action_01", "action_02", "action_03", "action_04"],
                proposals_on=today - timedelta(days=30),
                support_threshold=20,
                votes_per_participant=2,
                eligibility="residents",
            ),
        )
        written = [
            _propose(
                amina,
                lab,
                "Campetto di basket nel parco 2 Giugno",
                "Rifare il campetto: canestri nuovi e fondo antiscivolo.",
                "Il campetto è usato ogni giorno da decine di ragazzi, ma i canestri sono rotti da due anni.",
            ),
            _propose(
                rahim,
                lab,
                "Biblioteca di strada in piazza Umberto",
                "Tre casette per lo scambio di libri in più lingue.",
                "Libri in italiano, arabo, bengali, inglese: si prende un libro e se ne lascia un altro.",
            ),
            _propose(
                chiara,
                lab,
                "Navetta per il mercato coperto",
                "Una navetta il sabato mattina dal quartiere San Paolo al mercato.",
                "Molti anziani non hanno l'auto: la navetta passerebbe ogni mezz'ora dalle 8 alle 13.",
            ),
            _propose(
                marco,
                lab,
                "Pista ciclabile sul lungomare",
                "Collegare i due tratti di ciclabile del lungomare con 800 metri di pista.",
                "Oggi i ciclisti passano sulla carreggiata tra il Teatro Margherita e il molo.",
            ),
        ]
        labs.update_lab(
            sara,
            lab,
            _lab_draft(
                lab,
                deliberation_on=today - timedelta(days=10),
                voting_on=today - timedelta(days=2),
                results_on=today + timedelta(days=12),
            ),
            lab.version,
        )
        proposals.vote(amina, written[1])
        proposals.vote(marco, written[0])
        proposals.vote(marco, written[2])
        return {"voting_lab": lab.slug, "voting_proposals": [p.id for p in written]}


def _results_lab(comune_slug: str, organization_slug: str, today: date) -> dict[str, Any]:
    """A lab convened by the association whose vote is over: the results are published."""
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        amina, rahim = _user(PEOPLE["amina"][1]), _user(PEOPLE["rahim"][1])
        marco, chiara = _user(PEOPLE["marco"][1]), _user(PEOPLE["chiara"][1])
        association = organizations.get_by_slug(organization_slug, admin)
        comune = organizations.get_by_slug(comune_slug, admin)
        lab = labs.create_lab(
            admin,
            association,
            labs.LabDraft(
                title="Idee per l'estate dei ragazzi",
                description="Laboratorio dell'associazione: attività estive per i ragazzi del quartiere, votate dai residenti.",
                territory=BARI,
                actions=["action_02"],
                proposals_on=today - timedelta(days=60),
                support_threshold=10,
                votes_per_participant=3,
                eligibility="residents",
            ),
        )
        written = [
            _propose(
                amina,
                lab,
                "Centro estivo gratuito nel cortile della scuola",
                "Un centro estivo a luglio, con giochi e compiti, per i ragazzi dagli 8 ai 14 anni.",
                "Gli educatori dell'associazione sono pronti: serve il cortile della scuola Garibaldi.",
                authority_id=comune.id,
            ),
            _propose(
                rahim,
                lab,
                "Torneo di cricket e calcio tra quartieri",
                "Un torneo misto a fine giugno, aperto a tutte le comunità.",
                "Squadre miste, arbitri volontari, premiazione con le famiglie.",
                authority_id=comune.id,
            ),
            _propose(
                chiara,
                lab,
                "Cinema all'aperto il venerdì sera",
                "Film per famiglie nel parco, con sottotitoli in più lingue.",
                "Schermo e proiettore li presta la parrocchia; il Comune dovrebbe dare il permesso.",
                authority_id=comune.id,
            ),
        ]
        labs.update_lab(
            admin,
            lab,
            _lab_draft(
                lab,
                voting_on=today - timedelta(days=10),
                results_on=today + timedelta(days=5),
            ),
            lab.version,
        )
        for person, chosen in ((amina, (0, 1)), (rahim, (0,)), (chiara, (2,)), (marco, (0, 2))):
            for index in chosen:
                proposals.vote(person, written[index])
        labs.update_lab(admin, lab, _lab_draft(lab, results_on=today), lab.version)
        return {"results_lab": lab.slug}


def _labs(organization_slug: str, group_slug: str) -> dict[str, Any]:
    today = labs.local_day(utcnow())
    assert today is not None
    found = _comune()
    found.update(_proposals_lab(found["comune"], organization_slug, group_slug, today))
    found.update(_voting_lab(found["comune"], today))
    found.update(_results_lab(found["comune"], organization_slug, today))
    return found


# --------------------------------------------------------------------------- events

ONLINE_URL = "https://meet.example.org/ponte-sportello-casa"
SERIES_TITLE = "Corso serale di italiano L2 alla biblioteca"
SERIES_TITLE_AR = "دورة مسائية لتعلّم اللغة الإيطالية في المكتبة"


def _event_draft(title: str, description: str, kind: str, starts_on: date, **values: Any) -> Any:
    defaults: dict[str, Any] = {
        "start_time": clock(18, 0),
        "end_time": clock(20, 0),
        "language": "it",
        "venue": "Biblioteca di quartiere Libertà",
        "address": "Via Manzoni 28, Bari",
        "territory": BARI,
        "step_free": True,
    }
    defaults.update(values)
    return events.EventDraft(title=title, description=description, kind=kind, starts_on=starts_on, **defaults)


def _events(comune_slug: str) -> dict[str, Any]:
    today = labs.local_day(utcnow())
    assert today is not None
    with db.unit_of_work():
        admin = _user(ADMIN_EMAIL)
        marco = _user(PEOPLE["marco"][1])
        amina, rahim, chiara = (_user(PEOPLE[who][1]) for who in ("amina", "rahim", "chiara"))
        comune = organizations.get_by_slug(comune_slug, admin)

        series = events.create_event(
            marco,
            comune,
            _event_draft(
                SERIES_TITLE,
                "Lezioni gratuite di italiano, livello **A1-A2**, per chi lavora di giorno.\n\n"
                "- portate un quaderno e una penna\n- c'è un'insegnante e una mediatrice culturale",
                "italian_l2",
                today + timedelta(days=2),
                action="action_04",
                recurrence="weekly",
                repeat_until=today + timedelta(days=2 + 35),
                capacity=15,
                childcare=True,
                languages=["it", "ar", "fr"],
                interpretation_languages=["ar"],
                accessibility_notes="Ascensore all'ingresso di via Manzoni; fermata del bus 12 a 50 metri.",
            ),
        )
        dates = events.list_sessions(series)
        events.cancel_session(marco, dates[1], "L'insegnante è in ferie.")
        moved_day = events.local(dates[2].starts_at).date() + timedelta(days=1)
        events.change_session(
            marco, dates[2], events.SessionChange(moved_day, clock(17, 0), clock(19, 0), "Questa settimana in aula 2.")
        )
        events.set_translation(
            marco,
            series,
            "ar",
            SERIES_TITLE_AR,
            "دروس مجانية في اللغة الإيطالية، المستوى **A1-A2**، لمن يعمل خلال النهار.",
        )
        registrations.register_series(amina, series)
        registrations.register(chiara, dates[0])

        single = events.create_event(
            marco,
            comune,
            _event_draft(
                "Incontro sulle pratiche di cittadinanza",
                "Un avvocato spiega passo dopo passo la domanda di cittadinanza: documenti, tempi, costi. "
                "Posti limitati: iscrivetevi.",
                "info_session",
                today + timedelta(days=4),
                start_time=clock(17, 30),
                end_time=clock(19, 30),
                action="action_01",
                capacity=2,
                venue="Sala consiliare del Municipio I",
                address="Corso Vittorio Emanuele II 84, Bari",
            ),
        )
        single_session = events.list_sessions(single)[0]
        for person in (amina, rahim, chiara):  # two places: Chiara waits
            registrations.register(person, single_session)

        approval = events.create_event(
            marco,
            comune,
            _event_draft(
                "Assemblea del quartiere Libertà",
                "Assemblea aperta ai residenti per scegliere i temi del laboratorio di quartiere. "
                "L'iscrizione è approvata dagli organizzatori.",
                "assembly",
                today + timedelta(days=6),
                start_time=clock(10, 0),
                end_time=clock(12, 30),
                registration_mode="approval",
                capacity=40,
            ),
        )
        registrations.register(rahim, events.list_sessions(approval)[0])

        online = events.create_event(
            marco,
            comune,
            _event_draft(
                "Sportello casa online: contratti d'affitto",
                "Domande e risposte sui contratti d'affitto, in videochiamata. Il link arriva a chi si iscrive.",
                "online_meeting",
                today + timedelta(days=8),
                start_time=clock(18, 30),
                end_time=clock(19, 30),
                mode="online",
                venue="",
                address="",
                online_url=ONLINE_URL,
                online_url_registrants_only=True,
                step_free=None,
                languages=["it", "en"],
            ),
        )
        online_session = events.list_sessions(online)[0]
        registrations.register(amina, online_session)

        festival = events.create_event(
            marco,
            comune,
            _event_draft(
                "Festa dei popoli in piazza del Ferrarese",
                "Due giorni di musica, cibo e giochi dalle comunità di Bari. Ingresso libero, non serve iscriversi.",
                "festival",
                today + timedelta(days=12),
                all_day=True,
                start_time=None,
                end_time=None,
                ends_on=today + timedelta(days=13),
                venue="Piazza del Ferrarese",
                address="",
                registration_mode="closed",
                childcare=True,
            ),
        )

        xss = events.create_event(
            marco,
            comune,
            _event_draft(
                f"Serata {XSS_IMG}{XSS_SCRIPT} di quartiere",
                f"Descrizione con HTML: {XSS_IMG}\n\n{XSS_SCRIPT}\n\n"
                '<a href="javascript:window.__xss=1">clic</a> e [un link](javascript:window.__xss=1)\n\n'
                '<svg onload="window.__xss=1"></svg>',
                "workshop",
                today + timedelta(days=5),
                start_time=clock(16, 0),
                end_time=clock(18, 0),
                venue=f"Sala {XSS_IMG} {XSS_SCRIPT}",
                address=f"Via {XSS_SCRIPT} 1",
                accessibility_notes=f"Note {XSS_IMG}",
                capacity=30,
            ),
        )
        xss_session = events.list_sessions(xss)[0]
        events.change_session(
            marco,
            xss_session,
            events.SessionChange(
                events.local(xss_session.starts_at).date(),
                events.local(xss_session.starts_at).time(),
                events.local(xss_session.ends_at).time(),
                f"Nota {XSS_IMG}{XSS_SCRIPT}",
            ),
        )
        for person in (rahim, chiara):
            registrations.register(person, xss_session)
        single_day = events.local(single_session.starts_at).date()
        return {
            "series": series.id,
            "series_sessions": [s.id for s in dates],
            "series_cancelled": dates[1].id,
            "series_moved": dates[2].id,
            "single": single.id,
            "single_session": single_session.id,
            "approval": approval.id,
            "online": online.id,
            "online_session": online_session.id,
            "festival": festival.id,
            "xss_event": xss.id,
            "event_day": single_day.isoformat(),
            "event_month": single_day.strftime("%Y-%m"),
            "xss_day": events.local(xss_session.starts_at).date().isoformat(),
        }


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
        result.update(_labs(slugs["organization"], slugs["group"]))
        result.update(_events(result["comune"]))
        from tests.browser import seed_initiatives  # here, not at the top: it imports this module

        result.update(seed_initiatives.seed(mail_dir, base_url, result))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
