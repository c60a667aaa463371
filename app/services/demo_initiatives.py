"""Demo initiatives: joint initiatives of associations, schools and public bodies in the five
regions, at least one of every kind, with their partners, sessions (the demo events), materials,
calls for volunteers, the outputs partners recorded, three good practices and two case histories.

Rows are written directly through the models (the initiative services are written at the same
time as this data), so everything here is checked by hand: periods around the school years of
today, output periods inside their initiative's period, participant totals equal to their counts,
contact people only on host schools, accepted applications equal to each call's counter.

Dates follow today: completed initiatives belong to the last school year, running ones to this
one, planned ones start in the next weeks. Figures are fixed in the data below, so two loads give
the same rows. Texts live in ``demo_initiatives_text``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from typing import TypeVar

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from app.db import db
from app.sanitize import rich_text
from app.services import accounts, events, italian_ids, labs, memberships, organizations, territories, uploads
from app.services.demo_events import ALBANESI, DONNE_UCRAINE, ROMENI
from app.services.demo_initiatives_text import (
    ASL_PE,
    ASL_PO,
    CASES,
    CONTACTS,
    CPIA_LE,
    CSV_BO,
    IC5_BO,
    IC_BA,
    IC_MI,
    IC_PO,
    INITIATIVES,
    NEW_ORGS,
    PRACTICES,
    PREF_PO,
    RADICI,
    REGIONE_ER,
)
from app.services.demo_labs import (
    BARI,
    BOLOGNA,
    CPIA_BO,
    GIOVANI,
    IC_PE,
    MILANO,
    MOSAICO,
    PESCARA,
    PRATO,
    TERANGA,
    TOSCANA,
    resident_email,
)
from models import (
    ApplicationStatus,
    CaseHistory,
    CaseHistoryImage,
    CaseHistoryOrganization,
    CaseStatus,
    Event,
    GoodPractice,
    Initiative,
    InitiativeAction,
    InitiativeEvent,
    InitiativeMaterial,
    InitiativePartner,
    InitiativeStatus,
    InitiativeTarget,
    InitiativeTranslation,
    Organization,
    OutputReport,
    ParticipantCount,
    PartnerRole,
    PartnerStatus,
    Territory,
    TerritoryLevel,
    User,
    VolunteerApplication,
    VolunteerCall,
)
from models.base import utcnow

ADMIN_EMAIL = "admin@ponte.demo"
PUGLIA_MODERATOR = "moderatore.puglia@ponte.demo"
STAFF_DOMAIN = "enti.ponte.demo"  # people who run the extra organisations; they cannot log in
T = TypeVar("T")
r = resident_email  # a resident of the demo labs, by name

# ---------------------------------------------------------------- the shape of the data


@dataclass(frozen=True)
class School:
    """A day of a school year: ``year`` 0 is the current one (August to July), -1 the last one."""

    year: int
    month: int
    day: int


@dataclass(frozen=True)
class Days:
    """A day counted from today."""

    n: int


When = School | Days


@dataclass(frozen=True)
class Partner:
    org: str
    role: str
    status: str = "confirmed"

    @property
    def contact(self) -> tuple[str, str, str] | None:
        """Host schools that confirmed name their intercultural contact person."""
        return CONTACTS[self.org] if self.role == "host_school" and self.status == "confirmed" else None


@dataclass(frozen=True)
class Material:
    org: str
    title: str
    url: str
    language: str = "it"


Count = tuple[str, str, str, int]  # target group, gender, age band, people


def people(group: str, n: int, age: str = "not_recorded") -> tuple[Count, ...]:
    return ((group, "not_recorded", age, n),)


def by_gender(group: str, age: str, women: int, men: int) -> tuple[Count, ...]:
    return ((group, "female", age, women), (group, "male", age, men))


@dataclass(frozen=True)
class Report:
    org: str
    span: tuple[float, float]  # share of the reporting window: the whole period, or up to yesterday if running
    sessions: int
    hours: int
    materials: int
    counts: tuple[Count, ...]
    outcomes: str


@dataclass(frozen=True)
class Call:
    title: str
    description: str
    places: int | None
    closes: When
    state: str  # "open", "full" or "closed" (its closing day is past)
    applicants: tuple[tuple[str, str, str], ...]  # (e-mail, status, message)


@dataclass(frozen=True)
class DemoInitiative:
    key: str  # its texts in demo_initiatives_text.INITIATIVES
    kind: str
    status: str
    lead: str
    territory: str  # ISTAT code, or the name of a social district
    starts: When
    ends: When
    actions: tuple[str, ...]
    targets: tuple[str, ...]
    partners: tuple[Partner, ...] = ()
    events: tuple[str, ...] = ()  # titles of demo events that are its sessions
    materials: tuple[Material, ...] = ()
    call: Call | None = None
    reports: tuple[Report, ...] = ()


@dataclass(frozen=True)
class DemoCase:
    key: str  # its texts in CASES; also the initiative it belongs to
    teller: str
    territory: str
    about: tuple[str, ...]  # other organisations it is about
    youth: bool
    video_url: str = ""
    picture: bool = False
    published_days_ago: int = 10



# ---------------------------------------------------------------- the initiatives

INITIATIVE_SPECS = (
    # ------------------------------------------------------------ Abruzzo
    DemoInitiative(
        "peer_pescara", "peer_education", "running", ALBANESI, "068028", School(0, 10, 5), School(0, 5, 28),
        ("action_01", "action_04"), ("lower_secondary_pupils", "families"),
        partners=(Partner(IC_PE, "host_school"), Partner(PESCARA, "supporting_authority")),
        events=("Peer education «Ci vediamo a ricreazione»",),
        materials=(
            Material(IC_PE, "Glossario illustrato della scuola in quattro lingue", "https://www.civediamoaricreazione.it/materiali/glossario-illustrato"),
            Material(ALBANESI, "Letër për prindërit: si funksionon shkolla e mesme e ulët", "https://www.civediamoaricreazione.it/materiali/leter-per-prinderit", "sq"),
        ),
        reports=(
            Report(IC_PE, (0, 1), 7, 14, 2, by_gender("lower_secondary_pupils", "11_13", 11, 13),
                   "Sette laboratori del lunedì con 10 tutor di terza e 14 compagni di prima arrivati da poco (da Albania, "
                   "Marocco, Romania, Ucraina e Bangladesh). All'inizio i nuovi arrivati parlavano poco; ora lavorano a coppie "
                   "sui compiti di italiano e di storia. Preparati un gioco dell'oca sulle regole della scuola e un glossario "
                   "illustrato in quattro lingue."),
            Report(ALBANESI, (0.3, 1), 2, 4, 1, by_gender("families", "30_64", 11, 5),
                   "Due incontri a scuola con i genitori dei ragazzi di prima, con mediazione in albanese e arabo. Sono venuti "
                   "16 genitori, quasi tutte mamme. Hanno chiesto un incontro sulle iscrizioni alle superiori."),
        ),
    ),
    DemoInitiative(
        "training_pescara", "operator_training", "running", PESCARA, "068028", School(0, 10, 15), School(0, 4, 30),
        ("action_02", "action_03"), ("service_operators",),
        partners=(Partner(ASL_PE, "partner"), Partner(IC_PE, "partner"), Partner(ALBANESI, "partner")),
        events=("Giornata formativa: salute e accesso ai servizi per le persone straniere",),
        materials=(Material(PESCARA, "Diapositive della giornata su salute e accesso ai servizi", "https://www.servizipertutti-pescara.it/materiali/salute"),),
        reports=(
            Report(PESCARA, (0, 1), 1, 5, 1, by_gender("service_operators", "30_64", 8, 2),
                   "Prima giornata, con la ASL: iscrizione al Servizio sanitario, codice STP, scelta del medico. Dieci "
                   "partecipanti tra assistenti sociali, insegnanti e operatori degli sportelli. Molte domande sui minori "
                   "arrivati per ricongiungimento: le riprendiamo nella seconda giornata."),
        ),
    ),
    # ------------------------------------------------------------ Lombardia
    DemoInitiative(
        "peer_milano", "peer_education", "running", GIOVANI, "015146", School(0, 10, 12), School(0, 6, 5),
        ("action_01", "action_04"), ("lower_secondary_pupils", "upper_secondary_pupils", "families"),
        partners=(Partner(IC_MI, "host_school"), Partner(MILANO, "supporting_authority")),
        events=("Doposcuola tra pari alla biblioteca di Crescenzago",),
        materials=(
            Material(GIOVANI, "Calendario e regole del doposcuola", "https://www.compitinsieme-milano.it/calendario"),
            Material(GIOVANI, "Guida per i tutor: aiutare senza fare i compiti al posto loro", "https://www.compitinsieme-milano.it/guida-tutor"),
        ),
        call=Call(
            "Tutor per il doposcuola del martedì",
            "Cerchiamo studenti delle superiori e universitari per il gruppo del martedì, dalle 16:30 alle 18:30. Si aiutano "
            "ragazze e ragazzi delle medie con i compiti e con l'italiano. Prima di cominciare c'è un incontro di formazione "
            "di due ore con l'educatrice. Serve costanza: almeno due martedì al mese fino a giugno.",
            8, Days(35), "open",
            (
                ("harpreet@ponte.demo", "accepted", "Posso venire il martedì e anche il giovedì. Parlo punjabi, inglese e italiano: "
                 "posso aiutare anche a parlare con le famiglie nuove."),
                (r("Federica Rota"), "accepted", "Sono al quarto anno del liceo scientifico e vado bene in matematica. Vorrei "
                 "fare questa esperienza anche come PCTO."),
                (r("Fahim Rahman"), "accepted", "Da piccolo venivo al doposcuola in biblioteca. Adesso faccio l'università e "
                 "vorrei restituire qualcosa. Parlo bengalese."),
                (r("Davide Sala"), "declined", "Posso venire solo il sabato mattina."),
                (r("Sofia Castelli"), "pending", "Studio lettere all'università. Posso il martedì, due volte al mese."),
                (r("Alessandro Villa"), "pending", "Frequento il quinto anno dell'istituto tecnico. Posso aiutare in matematica "
                 "e informatica."),
                (r("Silvia Galbiati"), "pending", "Sono un'insegnante in pensione e abito a Crescenzago. Posso tutti i martedì."),
            ),
        ),
        reports=(
            Report(GIOVANI, (0, 1), 12, 24, 1,
                   by_gender("lower_secondary_pupils", "11_13", 14, 17) + by_gender("upper_secondary_pupils", "14_18", 7, 5),
                   "Dodici pomeriggi di doposcuola, martedì e giovedì. Vengono con regolarità 31 ragazze e ragazzi delle medie, "
                   "seguiti da 12 tutor delle superiori. Le insegnanti segnalano più compiti consegnati in matematica e in "
                   "italiano. Il gruppo del martedì ha bisogno di altri tutor."),
        ),
    ),
    DemoInitiative(
        "orientation_milano", "school_orientation", "planned", MILANO, "015146", Days(12), School(0, 2, 26),
        ("action_01", "action_03"), ("lower_secondary_pupils", "families"),
        partners=(Partner(IC_MI, "host_school"), Partner(GIOVANI, "partner", "invited")),
        events=("Online: scegliere le superiori, domande e risposte in bengalese",
                "Scegliere la scuola superiore: mattinata di orientamento per le famiglie"),
        materials=(
            Material(MILANO, "Licei, istituti tecnici e professionali in una pagina", "https://www.scegliereinpiulingue.it/scheda-indirizzi"),
            Material(MILANO, "উচ্চ মাধ্যমিক স্কুলের ধরন: এক পাতায়", "https://www.scegliereinpiulingue.it/scheda-indirizzi-bn", "bn"),
        ),
    ),
    # ------------------------------------------------------------ Emilia-Romagna
    DemoInitiative(
        "peer_bologna", "peer_education", "completed", BOLOGNA, "037006", School(-1, 10, 6), School(-1, 5, 29),
        ("action_01",), ("lower_secondary_pupils", "families"),
        partners=(Partner(IC5_BO, "host_school"), Partner(DONNE_UCRAINE, "partner"), Partner(REGIONE_ER, "funder")),
        materials=(
            Material(BOLOGNA, "Guida per i tutor alla pari", "https://www.paridispari-bologna.it/guida-tutor"),
            Material(IC5_BO, "Kit di giochi di accoglienza per la prima settimana", "https://www.paridispari-bologna.it/kit-accoglienza"),
            Material(DONNE_UCRAINE, "Лист для батьків: як працює середня школа в Італії", "https://www.paridispari-bologna.it/lyst-dlya-batkiv", "uk"),
        ),
        reports=(
            Report(IC5_BO, (0, 0.45), 12, 30, 1, by_gender("lower_secondary_pupils", "11_13", 19, 21),
                   "Primo quadrimestre: 26 tutor formati in tre incontri e 14 nuovi arrivati accompagnati. Ogni tutor ha seguito "
                   "un compagno per tre mesi, con un'ora di compiti a settimana."),
            Report(IC5_BO, (0.45, 1), 16, 38, 2, by_gender("lower_secondary_pupils", "11_13", 20, 23),
                   "Secondo quadrimestre: altri 17 nuovi arrivati, seguiti dagli stessi 26 tutor. In tutto 31 ragazze e ragazzi "
                   "accompagnati; 28 ammessi alla classe successiva. Le assenze nei primi tre mesi sono scese in media da 14 "
                   "a 6 giorni."),
            Report(DONNE_UCRAINE, (0.2, 0.8), 3, 6, 1, by_gender("families", "30_64", 10, 2),
                   "Tre incontri con i genitori ucraini dei nuovi arrivati: come funziona la scuola media, i colloqui, il "
                   "registro elettronico. Preparata una lettera per le famiglie in ucraino."),
        ),
    ),
    DemoInitiative(
        "l2_bologna", "italian_l2", "running", CPIA_BO, "037006", School(0, 9, 21), School(0, 6, 11),
        ("action_01",), ("women", "newly_arrived_adults", "families"),
        partners=(Partner(DONNE_UCRAINE, "partner"), Partner(BOLOGNA, "supporting_authority"), Partner(REGIONE_ER, "funder"),
                  Partner(IC5_BO, "host_school", "invited")),
        events=("Italiano A1 per mamme, con spazio bimbi", "Test di livello e iscrizioni ai nuovi corsi di italiano"),
        materials=(
            Material(CPIA_BO, "Calendario dei corsi e modulo di iscrizione", "https://www.italianoconspaziobimbi.it/corsi"),
            Material(CPIA_BO, "Parole per il pediatra: schede illustrate A1", "https://www.italianoconspaziobimbi.it/schede-pediatra"),
        ),
        call=Call(
            "Volontarie e volontari per lo spazio bimbi",
            "Cerchiamo quattro persone per lo spazio bimbi del mercoledì e del venerdì mattina, dalle 9:15 alle 11:45. Si sta "
            "con i bambini da 1 a 5 anni insieme a un'educatrice. Serve il certificato del casellario giudiziale: vi aiutiamo "
            "a chiederlo.",
            4, School(0, 10, 9), "closed",
            (
                (r("Alessia Cavina"), "accepted", "Ho lavorato al nido per trent'anni e da un anno sono in pensione. Ho tempo il "
                 "mercoledì e il venerdì."),
                (r("Valentina Monti"), "accepted", "Frequento l'università di pomeriggio, le mattine sono libere. Ho fatto la "
                 "babysitter per tre anni."),
                (r("Rosa Fabbri"), "accepted", "Sono nonna di tre nipoti e abito al Navile. Posso il mercoledì."),
                (r("Andrea Zanetti"), "declined", "Posso dare una mano una volta al mese, il venerdì."),
            ),
        ),
        reports=(
            Report(CPIA_BO, (0, 1), 18, 36, 1,
                   (("women", "female", "19_29", 9), ("women", "female", "30_64", 14), ("newly_arrived_adults", "male", "30_64", 3)),
                   "Diciotto lezioni tra corso A1 e corso A2. Frequentano 23 mamme e 3 papà; le lingue più parlate sono ucraino, "
                   "arabo, urdu e bengalese. Otto corsiste si preparano all'esame A2 di fine anno."),
            Report(DONNE_UCRAINE, (0, 1), 18, 45, 0, people("families", 17),
                   "Nello spazio bimbi abbiamo accolto i bambini di 17 famiglie, da 1 a 5 anni. Dopo le prime settimane i "
                   "bambini restano tranquilli per tutta la lezione."),
        ),
    ),
    DemoInitiative(
        "capacity_bologna", "capacity_building", "running", BOLOGNA, "037006", School(0, 10, 1), School(0, 6, 30),
        ("action_04",), ("association_leaders", "women"),
        partners=(Partner(DONNE_UCRAINE, "partner"), Partner(CSV_BO, "partner"), Partner(REGIONE_ER, "funder")),
        events=("Установчі збори: стаємо асоціацією",),
        materials=(
            Material(CSV_BO, "Modello di statuto per una APS, spiegato riga per riga", "https://www.dagruppoadassociazione.it/statuto-aps"),
            Material(BOLOGNA, "Calendario degli incontri serali", "https://www.dagruppoadassociazione.it/calendario"),
        ),
        reports=(
            Report(BOLOGNA, (0, 1), 3, 8, 2,
                   by_gender("association_leaders", "30_64", 11, 6) + people("women", 3, "19_29"),
                   "Tre incontri serali su statuto, RUNTS e bilancio, con cinque gruppi: ucraino, nigeriano, peruviano, "
                   "bengalese e marocchino. Venti partecipanti in tutto; tre giovani donne sono venute per conto dei loro gruppi."),
            Report(CSV_BO, (0.4, 1), 6, 9, 1, people("association_leaders", 9),
                   "Sei appuntamenti allo sportello. Donne Ucraine a Bologna ha lo statuto pronto e ha fissato l'assemblea "
                   "costitutiva; altri due gruppi stanno scrivendo lo statuto."),
        ),
    ),
    # ------------------------------------------------------------ Puglia
    DemoInitiative(
        "l2_lecce", "italian_l2", "running", TERANGA, "075035", School(0, 10, 17), School(0, 5, 29),
        ("action_01", "action_04"), ("newly_arrived_adults", "women"),
        partners=(Partner(CPIA_LE, "host_school"),),
        events=("Corso di italiano del sabato – livello A2",),
        materials=(
            Material(TERANGA, "Esercizi A2: lavoro, casa, salute", "https://www.teranga-lecce.it/italiano/esercizi-a2"),
            Material(CPIA_LE, "Come si svolge l'esame A2", "https://www.teranga-lecce.it/italiano/esame-a2"),
        ),
        reports=(
            Report(TERANGA, (0, 1), 6, 12, 1,
                   by_gender("newly_arrived_adults", "19_29", 3, 8) + by_gender("newly_arrived_adults", "30_64", 4, 6),
                   "Sei sabati di corso. Frequentano 21 persone, quasi tutte dal Senegal, dal Gambia e dalla Guinea; "
                   "molti lavorano nei campi e arrivano stanchi, ma vengono. Abbiamo preparato un quaderno di esercizi."),
        ),
    ),
    DemoInitiative(
        "family_bari", "family_involvement", "completed", BARI, "072006", School(-1, 11, 3), School(-1, 5, 22),
        ("action_01", "action_02"), ("families", "primary_pupils"),
        partners=(Partner(IC_BA, "host_school"), Partner(TERANGA, "partner")),
        materials=(
            Material(BARI, "Avvisi e moduli della scuola in cinque lingue", "https://www.genitoriascuola-bari.it/avvisi-tradotti"),
            Material(IC_BA, "Calendario della scuola aperta", "https://www.genitoriascuola-bari.it/scuola-aperta"),
            Material(TERANGA, "Les parents à l'école : dépliant pour les familles", "https://www.genitoriascuola-bari.it/depliant-fr", "fr"),
        ),
        reports=(
            Report(BARI, (0, 1), 4, 24, 5, people("families", 86),
                   "Mediazione ai colloqui di dicembre e di aprile, anche il sabato mattina: 86 famiglie seguite in arabo, "
                   "francese, bengalese e wolof. Tradotti 10 avvisi e moduli in cinque lingue."),
            Report(IC_BA, (0, 1), 7, 18, 1, by_gender("families", "30_64", 58, 21) + people("primary_pupils", 64, "under_11"),
                   "Sette pomeriggi di scuola aperta, uno al mese. Sono venuti 79 genitori; i bambini hanno fatto laboratori di "
                   "pittura e di lettura con le maestre. I genitori stranieri presenti ai colloqui sono passati da 4 su 10 a 7 "
                   "su 10."),
            Report(TERANGA, (0.2, 0.6), 2, 5, 0, people("families", 14),
                   "Due incontri nella nostra sede con le famiglie senegalesi che hanno figli nella scuola: abbiamo spiegato i "
                   "colloqui e la scuola aperta. Tre mamme poi sono venute a scuola per la prima volta."),
        ),
    ),
    # ------------------------------------------------------------ Toscana
    DemoInitiative(
        "mediation_prato", "mediation", "completed", MOSAICO, "100005", School(-1, 9, 15), School(-1, 6, 30),
        ("action_02",), ("families", "service_operators"),
        partners=(Partner(IC_PO, "host_school"), Partner(ASL_PO, "partner"), Partner(PRATO, "supporting_authority"),
                  Partner(TOSCANA, "funder")),
        materials=(
            Material(MOSAICO, "Regole comuni per lavorare con la mediazione", "https://www.parlarechiaro-prato.it/regole-comuni"),
            Material(ASL_PO, "Le parole della sanità: glossario italiano-cinese", "https://www.parlarechiaro-prato.it/glossario-sanita", "zh_Hans"),
            Material(MOSAICO, "Volantino del numero unico per le urgenze", "https://www.parlarechiaro-prato.it/numero-unico", "ur"),
        ),
        reports=(
            Report(MOSAICO, (0, 0.5), 58, 140, 3, people("families", 212),
                   "Da settembre a febbraio: 58 interventi di mediazione tra scuola, consultori e pronto soccorso pediatrico, "
                   "per 212 presenze di familiari. Attivo il numero unico per le urgenze."),
            Report(MOSAICO, (0.5, 1), 71, 166, 1, people("families", 241),
                   "Da febbraio a giugno: 71 interventi e 241 presenze di familiari. Le richieste del pronto soccorso sono "
                   "raddoppiate dopo la formazione del personale."),
            Report(ASL_PO, (0, 1), 4, 12, 1, by_gender("service_operators", "30_64", 38, 11),
                   "Quattro incontri di formazione per 49 tra infermiere, pediatri e ostetriche: come lavorare con un "
                   "mediatore, anche al telefono. Scritto un glossario italiano-cinese delle parole della sanità."),
            Report(IC_PO, (0, 1), 3, 6, 0, by_gender("service_operators", "30_64", 22, 4),
                   "Tre incontri per 26 insegnanti su colloqui con mediazione e comunicazioni alle famiglie."),
        ),
    ),
    DemoInitiative(
        "youth_prato", "youth_volunteering", "completed", RADICI, "100005", School(-1, 2, 2), School(-1, 7, 31),
        ("action_03", "action_04"), ("youth_2g", "newly_arrived_adults"),
        partners=(Partner(PRATO, "supporting_authority"), Partner(MOSAICO, "partner"), Partner(TOSCANA, "funder")),
        materials=(
            Material(RADICI, "Mappa dei servizi di Prato in cinque lingue", "https://www.radicieali-prato.it/estate-in-comune/mappa-servizi"),
            Material(RADICI, "L'estate in Comune raccontata in foto", "https://www.radicieali-prato.it/estate-in-comune/foto"),
        ),
        reports=(
            Report(RADICI, (0, 0.45), 6, 15, 1, by_gender("youth_2g", "19_29", 13, 12),
                   "Sei incontri di formazione su servizi, diritti e partecipazione, con operatori del Comune e della "
                   "cooperativa. Hanno partecipato in 25, tutti fino alla fine."),
            Report(RADICI, (0.45, 1), 9, 36, 2, by_gender("youth_2g", "19_29", 11, 9) + people("newly_arrived_adults", 143),
                   "Nove sabati di punto informativo in piazza dell'Immaginario, con 20 volontari a turno: 143 persone aiutate, "
                   "soprattutto per prenotazioni sanitarie, permessi e iscrizioni a scuola. Fatta una mappa dei servizi in "
                   "cinque lingue."),
            Report(PRATO, (0.5, 0.8), 2, 5, 0, people("youth_2g", 18),
                   "Visita al Consiglio comunale e incontro con la Consulta dei giovani, con 18 volontari. Due proposte dei "
                   "ragazzi sono state discusse in Consulta."),
        ),
    ),
    DemoInitiative(
        "youth_macrolotto", "youth_volunteering", "planned", RADICI, "100005", Days(40), School(0, 6, 30),
        ("action_04", "action_01"), ("youth_2g", "primary_pupils"),
        partners=(Partner(IC_PO, "host_school"), Partner(PRATO, "supporting_authority"), Partner(MOSAICO, "partner"),
                  Partner(ROMENI, "partner", "invited")),
        events=("Festa dei popoli al Macrolotto Zero",),
        materials=(Material(RADICI, "Programma della formazione per i nuovi volontari", "https://www.radicieali-prato.it/volontari-di-quartiere/formazione"),),
        call=Call(
            "Volontarie e volontari per la Festa dei popoli e il quartiere",
            "Cerchiamo giovani tra i 18 e i 29 anni per l'accoglienza alla Festa dei popoli e per i pomeriggi di compiti "
            "insieme. Prima ci sono due incontri di formazione con i volontari dell'anno scorso. Parlare cinese, urdu, "
            "albanese o romeno è molto utile, ma non è obbligatorio.",
            6, Days(20), "full",
            (
                (r("Chen Hao"), "accepted", "Ho 22 anni e parlo cinese e italiano. Ho aiutato spesso la famiglia con i documenti: "
                 "vorrei farlo anche per altre famiglie."),
                (r("Sara Gori"), "accepted", "Studio scienze dell'educazione a Firenze e abito al Macrolotto. Posso il "
                 "mercoledì e il sabato."),
                (r("Jin Mei"), "accepted", "Vorrei aiutare nel laboratorio di calligrafia: me l'ha insegnata mio nonno."),
                (r("Tommaso Magni"), "accepted", "Faccio il servizio civile e ho i pomeriggi liberi. So montare gazebo e "
                 "impianti audio."),
                (r("Luca Nesti"), "declined", "Posso esserci solo alla festa, non nei pomeriggi."),
                (r("Adnan Hussain"), "accepted", "Parlo urdu e punjabi: alla festa posso fare da interprete."),
                (r("Bianca Innocenti"), "accepted", "Sono al primo anno di università. Mi piacerebbe aiutare i bambini con i "
                 "compiti."),
            ),
        ),
    ),
    DemoInitiative(
        "plan_prato", "local_plan", "running", PRATO, "Zona distretto Pratese", School(0, 9, 1), School(2, 8, 31),
        ("action_01", "action_02", "action_03", "action_04"), ("service_operators", "association_leaders", "families"),
        partners=(Partner(TOSCANA, "funder"), Partner(PREF_PO, "supporting_authority"), Partner(ASL_PO, "supporting_authority"),
                  Partner(MOSAICO, "partner"), Partner(RADICI, "partner"), Partner(IC_PO, "host_school"),
                  Partner(ROMENI, "partner", "declined")),
        events=("Giornata territoriale Zona Pratese: minori stranieri e scuola", "Ricongiungimento familiare: incontro informativo",
                "Laboratorio per mediatrici e mediatori: le parole della sanità"),
        materials=(
            Material(PRATO, "Il piano locale in sintesi", "https://www.pianolocale-zonapratese.it/sintesi"),
            Material(PRATO, "Dati della Zona Pratese: scuola, salute, servizi", "https://www.pianolocale-zonapratese.it/dati"),
            Material(PRATO, "普拉托地区融合计划摘要", "https://www.pianolocale-zonapratese.it/sintesi-zh", "zh_Hans"),
        ),
        reports=(
            Report(PRATO, (0, 1), 4, 12, 1, people("service_operators", 34) + by_gender("association_leaders", "30_64", 7, 5),
                   "Quattro tavoli di lavoro (scuola, salute, casa, lavoro) con 34 operatori di Comune, ASL, scuole e "
                   "Prefettura e 12 rappresentanti di associazioni. Deciso un elenco comune di mediatori."),
            Report(MOSAICO, (0, 1), 2, 6, 1,
                   people("service_operators", 3, "19_29") + by_gender("service_operators", "30_64", 4, 1),
                   "Due laboratori per mediatrici e mediatori sulle parole della sanità, con una medica dell'ospedale Santo "
                   "Stefano: otto partecipanti."),
        ),
    ),
    DemoInitiative(
        "plan_firenze", "local_plan", "draft", TOSCANA, "048017", School(1, 9, 1), School(1, 7, 31),
        ("action_02", "action_03"), ("association_leaders", "service_operators", "families"),
        partners=(Partner(ROMENI, "partner", "invited"), Partner(ASL_PO, "partner", "invited")),
    ),
)

CASE_SPECS = (
    DemoCase("youth_prato", RADICI, "100005", (PRATO, MOSAICO), youth=True,
             video_url="https://www.radicieali-prato.it/video/estate-in-comune", picture=True, published_days_ago=60),
    DemoCase("l2_bologna", CPIA_BO, "037006", (DONNE_UCRAINE, BOLOGNA), youth=False, published_days_ago=9),
)

# Who designated each good practice (a moderator of its territory, or an administrator).
DESIGNATED_BY = {"family_bari": PUGLIA_MODERATOR}


# ---------------------------------------------------------------- seeding


def needed() -> bool:
    """Initiatives are seeded once: when there is none yet and the demo events they link to exist."""
    return (
        db.session.scalar(select(Initiative.id).limit(1)) is None
        and _find_org(PRATO) is not None
        and db.session.scalar(select(Event.id).limit(1)) is not None
    )


def seed() -> list[str]:
    """Create the extra organisations, the initiatives and all that happened in them, the good
    practices and the case histories. Returns lines to print."""
    seeder = _Seeder(utcnow())
    report = seeder.organizations()
    for spec in INITIATIVE_SPECS:
        seeder.initiative(spec)
    for key in PRACTICES:
        seeder.practice(key)
    for case in CASE_SPECS:
        seeder.case(case)
    db.session.flush()
    report.append(
        f"{_count(Initiative)} demo initiatives of every kind in the five regions: {_count(InitiativePartner)} partners, "
        f"{_count(InitiativeEvent)} linked events, {_count(OutputReport)} output reports, {_count(VolunteerCall)} calls for "
        f"volunteers with {_count(VolunteerApplication)} applications; {_count(GoodPractice)} good practices and "
        f"{_count(CaseHistory)} case histories."
    )
    return report


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _find_org(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def _required(found: T | None, what: str) -> T:
    if found is None:
        raise LookupError(f"demo data: {what} is missing")
    return found


def staff_email(name: str) -> str:
    return resident_email(name).split("@")[0] + "@" + STAFF_DOMAIN


class _Seeder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = labs.local_day(now) or now.date()
        self.school_year = self.today.year if self.today.month >= 8 else self.today.year - 1
        self._users: dict[str, User] = {}
        self._orgs: dict[str, Organization] = {}
        self.made: dict[str, Initiative] = {}

    def user(self, email: str) -> User:
        if email not in self._users:
            self._users[email] = _required(accounts.find_user_by_email(email), email)
        return self._users[email]

    def org(self, name: str) -> Organization:
        if name not in self._orgs:
            self._orgs[name] = _required(_find_org(name), name)
        return self._orgs[name]

    def admin_of(self, name: str) -> User:
        """The person who acts for an organisation (its first admin)."""
        ids = memberships.admin_ids(self.org(name))
        return _required(db.session.get(User, ids[0]) if ids else None, f"an admin of {name}")

    def day(self, when: When) -> date:
        if isinstance(when, Days):
            return self.today + timedelta(days=when.n)
        return date(self.school_year + when.year + (1 if when.month < 8 else 0), when.month, when.day)

    def at(self, day: date, hour: int = 10, *, before: timedelta = timedelta(hours=1)) -> datetime:
        """A moment on ``day`` (UTC), never later than ``before`` ago."""
        return min(datetime.combine(day, time(hour), tzinfo=UTC), self.now - before)

    # ------------------------------------------------------------ organisations

    def organizations(self) -> list[str]:
        """Schools, health authorities, a Prefettura, a Region, a volunteering centre and a youth
        association the initiatives need, each created through the real service by the person who
        runs it (they cannot log in: their password field holds an unusable marker)."""
        made = 0
        for spec in NEW_ORGS:
            if _find_org(spec.name) is not None:
                continue
            home = territories.get_by_code(spec.home)
            email = staff_email(spec.staff)
            staff = accounts.find_user_by_email(email) or self._staff(spec.staff, email, home, spec.languages)
            extra = dict(spec.extra)
            year = extra.pop("founding_year", None)
            draft = organizations.OrganizationDraft(
                name=spec.name, kind=spec.kind, home_territory=territories.label(home), areas=list(spec.areas),
                languages=list(spec.languages), descriptions={"it": spec.description}, original_language="it",
                founding_year=int(year) if year else None, **extra,
            )
            org = organizations.create_organization(staff, draft)
            if spec.verified:
                organizations.set_verified(self.user(ADMIN_EMAIL), org, True, "Demo data: checked against the public registers.")
            made += 1
        return [f"{made} more demo organisations for the initiatives (schools, ASL, Prefettura, Region, volunteering centre, a youth association)."] if made else []

    def _staff(self, name: str, email: str, home: Territory, languages: tuple[str, ...]) -> User:
        joined = self.now - timedelta(days=420)
        user = User(email=email, display_name=name, password_hash=f"!{secrets.token_hex(16)}", locale="it", home_territory=home,
                    languages_spoken=list(dict.fromkeys(("it", *languages))), privacy_version=accounts.settings.privacy_version,
                    email_confirmed_at=joined, created_at=joined)
        db.session.add(user)
        db.session.flush()
        return user

    def place(self, code_or_name: str) -> Territory:
        if code_or_name[:1].isdigit():
            return territories.get_by_code(code_or_name)
        query = select(Territory).where(Territory.name == code_or_name, Territory.level == TerritoryLevel.DISTRICT)
        return _required(db.session.scalar(query), code_or_name)

    # ------------------------------------------------------------ one initiative

    def period(self, spec: DemoInitiative, linked: list[Event]) -> tuple[date, date]:
        """The initiative's days: those of the data, widened to its sessions, kept on the right side of today."""
        start, end = self.day(spec.starts), self.day(spec.ends)
        days = [events.local(s.starts_at).date() for e in linked for s in events.list_sessions(e)]
        if days:
            start, end = min(start, *days), max(end, *days)
        status = InitiativeStatus(spec.status)
        if status == InitiativeStatus.RUNNING:
            start, end = min(start, self.today - timedelta(days=21)), max(end, self.today + timedelta(days=60))
        elif status == InitiativeStatus.COMPLETED:
            end = min(end, self.today - timedelta(days=45))
            start = min(start, end - timedelta(days=60))
        else:
            start = max(start, self.today + timedelta(days=3))
            end = max(end, start + timedelta(days=60))
        return start, end

    def initiative(self, spec: DemoInitiative) -> Initiative:
        text = INITIATIVES[spec.key]
        by = self.admin_of(spec.lead)
        linked = [_required(db.session.scalar(select(Event).where(Event.title == title)), f"the event {title!r}") for title in spec.events]
        start, end = self.period(spec, linked)
        created = min(self.at(start - timedelta(days=50), 9), self.now - timedelta(days=3))
        item = Initiative(
            title=text.title, kind=spec.kind, status=spec.status, lead=self.org(spec.lead), territory=self.place(spec.territory),
            starts_on=start, ends_on=end, objectives=text.objectives, description=text.description,
            description_html=rich_text(text.description), language="it", created_by_id=by.id, created_at=created, updated_at=created,
        )
        item.actions = [InitiativeAction(action=a) for a in spec.actions]
        item.targets = [InitiativeTarget(target_group=t) for t in spec.targets]
        item.translations = [InitiativeTranslation(language=lang, title=title, description=body, description_html=rich_text(body))
                             for lang, title, body in text.translations]
        db.session.add(item)
        db.session.flush()
        self.partners(item, spec, by, created)
        for event in linked:
            db.session.add(InitiativeEvent(initiative_id=item.id, event_id=event.id,
                                           created_at=min(max(created, event.created_at) + timedelta(hours=1), self.now - timedelta(minutes=30))))
        for n, material in enumerate(spec.materials):
            db.session.add(InitiativeMaterial(
                initiative_id=item.id, organization_id=self.org(material.org).id, title=material.title, url=material.url,
                language=material.language, added_by_id=self.admin_of(material.org).id,
                created_at=max(self.at(start + timedelta(days=7 + 12 * n), 11), created),
            ))
        if spec.call is not None:
            self.call(item, spec.call, by)
        for n, report in enumerate(spec.reports):
            self.report(item, spec, report, n)
        db.session.flush()
        db.session.expire(item, ["partners"])
        self.made[spec.key] = item
        return item

    def partners(self, item: Initiative, spec: DemoInitiative, by: User, created: datetime) -> None:
        """The lead first, then the partners it invited; those who answered did so within days."""
        db.session.add(InitiativePartner(initiative_id=item.id, organization_id=item.lead_id, role=PartnerRole.LEAD,
                                         status=PartnerStatus.CONFIRMED, created_at=created, decided_at=created, decided_by_id=by.id))
        for n, partner in enumerate(spec.partners, start=1):
            invited = created + timedelta(hours=n)
            row = InitiativePartner(initiative_id=item.id, organization_id=self.org(partner.org).id, role=PartnerRole(partner.role),
                                    status=PartnerStatus(partner.status), created_at=invited)
            if partner.contact is not None:
                name, email, phone = partner.contact
                row.contact_name, row.contact_email = name, email
                row.contact_phone = _required(italian_ids.normalize_phone(phone) or None, f"a valid phone for {partner.org}")
            if row.status != PartnerStatus.INVITED:
                row.decided_at = min(invited + timedelta(days=2, hours=3 * n), self.now - timedelta(hours=1))
                row.decided_by_id = self.admin_of(partner.org).id
            db.session.add(row)

    def call(self, item: Initiative, spec: Call, by: User) -> None:
        closes = self.day(spec.closes)
        closes = min(closes, self.today - timedelta(days=7)) if spec.state == "closed" else max(closes, self.today + timedelta(days=14))
        opened = max(min(self.at(closes - timedelta(days=28), 9), self.now - timedelta(days=12)), item.created_at + timedelta(days=1))
        accepted = sum(status == "accepted" for _, status, _ in spec.applicants)
        if spec.state == "full" and accepted != spec.places:
            raise ValueError(f"demo data: the full call {spec.title!r} must accept as many people as it has places")
        row = VolunteerCall(initiative_id=item.id, title=spec.title, description=spec.description, places=spec.places,
                            closes_on=closes, accepted_count=accepted, created_by_id=by.id, created_at=opened)
        db.session.add(row)
        db.session.flush()
        last = min(self.at(closes, 18), self.now - timedelta(days=1))
        step = (last - opened) / (len(spec.applicants) + 1)
        for n, (email, status, message) in enumerate(spec.applicants, start=1):
            applied = opened + step * n
            db.session.add(VolunteerApplication(
                call_id=row.id, user_id=self.user(email).id, message=message, status=ApplicationStatus(status), created_at=applied,
                decided_at=min(applied + timedelta(days=2), self.now - timedelta(minutes=30)) if status != "pending" else None,
            ))

    def report(self, item: Initiative, spec: DemoInitiative, report: Report, n: int) -> None:
        """Outputs for a stretch of the period: the whole of it for a completed initiative; otherwise up
        to the end of last month (or to two days ago early in the initiative's life). Recorded soon after."""
        last = item.ends_on
        if item.status != InitiativeStatus.COMPLETED:
            month_end = self.today.replace(day=1) - timedelta(days=1)
            last = month_end if month_end >= item.starts_on + timedelta(days=30) else self.today - timedelta(days=2)
        length = (last - item.starts_on).days
        first_day = item.starts_on + timedelta(days=round(report.span[0] * length) + (1 if report.span[0] > 0 else 0))
        last_day = max(first_day, item.starts_on + timedelta(days=round(report.span[1] * length)))
        keys = [(group, gender, age) for group, gender, age, _ in report.counts]
        if len(set(keys)) != len(keys) or not {group for group, *_ in keys} <= set(spec.targets):
            raise ValueError(f"demo data: the counts of {spec.key!r} by {report.org!r} repeat a row or name another target group")
        row = OutputReport(
            initiative_id=item.id, organization_id=self.org(report.org).id, period_start=first_day, period_end=last_day,
            sessions_held=report.sessions, hours=report.hours, materials_produced=report.materials,
            participants_total=sum(n for *_, n in report.counts), outcomes=report.outcomes,
            created_by_id=self.admin_of(report.org).id,
            created_at=self.at(last_day + timedelta(days=1 + n % 3), 8 + 3 * n, before=timedelta(hours=2)),
        )
        row.counts = [ParticipantCount(target_group=group, gender=gender, age_band=age, count=n) for group, gender, age, n in report.counts]
        db.session.add(row)

    # ------------------------------------------------------------ good practices and case histories

    def practice(self, key: str) -> GoodPractice:
        item = self.made[key]
        if item.status != InitiativeStatus.COMPLETED:
            raise ValueError(f"demo data: only completed initiatives become good practices ({key!r})")
        text = PRACTICES[key]
        designated = self.at(item.ends_on + timedelta(days=40), 11, before=timedelta(days=5))
        practice = GoodPractice(
            initiative_id=item.id, title=text.title, language="it",
            problem=text.problem, problem_html=rich_text(text.problem), method=text.method, method_html=rich_text(text.method),
            results=text.results, results_html=rich_text(text.results),
            replication=text.replication, replication_html=rich_text(text.replication), contact=text.contact, is_published=True,
            designated_by_id=self.user(DESIGNATED_BY.get(key, ADMIN_EMAIL)).id, designated_at=designated, updated_at=designated,
        )
        db.session.add(practice)
        return practice

    def case(self, spec: DemoCase) -> CaseHistory:
        text = CASES[spec.key]
        teller = self.admin_of(spec.teller)
        item = self.made[spec.key]
        published = self.now - timedelta(days=spec.published_days_ago)
        if item.status == InitiativeStatus.COMPLETED:  # told after the end, however the dates fall
            published = min(max(published, self.at(item.ends_on + timedelta(days=20))), self.now - timedelta(days=2))
        story = CaseHistory(
            organization_id=self.org(spec.teller).id, initiative_id=item.id, territory=self.place(spec.territory),
            title=text.title, language="it", summary=text.summary, body=text.body, body_html=rich_text(text.body),
            video_url=spec.video_url, youth_protagonists=spec.youth, status=CaseStatus.PUBLISHED, published_at=published,
            created_by_id=teller.id, created_at=published - timedelta(days=6), updated_at=published,
        )
        story.organizations = [CaseHistoryOrganization(organization_id=self.org(name).id) for name in spec.about]
        if spec.picture:
            stored = uploads.store_image(teller, uploads.Upload("punto-informativo-in-piazza.png", _info_point_picture()))
            stored.created_at = published - timedelta(days=6)
            story.images = [CaseHistoryImage(
                file_id=stored.id, position=0,
                alt_text="Disegno: tre giovani dietro un banchetto in una piazza, sotto un cartello con la scritta «INFO»; "
                         "a destra una persona con una borsa si ferma a chiedere.",
                caption="Il punto informativo del sabato in piazza dell'Immaginario, in un disegno fatto per questa storia.",
            )]
        db.session.add(story)
        return story


def _info_point_picture() -> bytes:
    """A simple drawing of the Saturday information point (what the alt text describes)."""
    image = Image.new("RGB", (640, 400), (187, 222, 251))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 255, 640, 400), fill=(215, 204, 200))  # the square's paving
    draw.line((305, 118, 305, 160), fill=(69, 90, 100), width=5)  # the sign's pole
    draw.rectangle((220, 50, 390, 120), fill=(255, 255, 255), outline=(69, 90, 100), width=4)
    draw.text((305, 85), "INFO", fill=(33, 33, 33), anchor="mm", font=ImageFont.load_default(size=40))
    for x, shirt in ((195, (46, 125, 50)), (305, (198, 40, 40)), (415, (21, 101, 192))):  # three young volunteers
        draw.ellipse((x - 24, 160, x + 24, 208), fill=(161, 110, 75))
        draw.rounded_rectangle((x - 34, 210, x + 34, 300), radius=14, fill=shirt)
    draw.rectangle((130, 262, 480, 340), fill=(255, 224, 130), outline=(121, 85, 72), width=4)  # the stall
    draw.ellipse((536, 176, 580, 220), fill=(224, 172, 105))  # someone stops to ask
    draw.rounded_rectangle((526, 222, 590, 350), radius=14, fill=(106, 27, 154))
    draw.rectangle((508, 280, 530, 312), fill=(93, 64, 55))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
