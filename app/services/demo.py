"""Demo data for local use: territories, social districts, people covering every role,
organisations, forums, community labs (``demo_labs``), events (``demo_events``) and initiatives
with their good practices and case histories (``demo_initiatives``).

Idempotent: a second run finds the demo administrator and changes nothing. Passwords are
random per installation and reported once, when the accounts are created.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.db import db
from app.services import (
    accounts,
    demo_events,
    demo_initiatives,
    demo_labs,
    forums,
    memberships,
    organizations,
    territories,
)
from models import Organization, Role, Territory, TerritoryLevel, User
from models.base import utcnow

ADMIN_EMAIL = "admin@ponte.demo"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    locale: str
    comune: str  # ISTAT code
    languages: tuple[str, ...]
    role: Role | None = None
    role_territory: str | None = None  # ISTAT or district code
    confirmed: bool = True


# Social districts (ambiti) named as the regions' own acts name them; comuni by ISTAT code.
DISTRICTS = (
    ("016", "Ambito territoriale di Bergamo", ("016024", "016115", "016150", "016214", "016169", "016202")),
    ("272", "Ambito territoriale sociale di Bari", ("072006",)),
    ("237", "Distretto Città di Bologna", ("037006",)),
    ("100", "Zona distretto Pratese", ("100005", "100003", "100006")),
    ("068", "Ambito distrettuale sociale Pescara", ("068028",)),
)

PEOPLE = (
    DemoPerson("Giulia Ferri", ADMIN_EMAIL, "it", "058091", ("it", "en"), Role.ADMIN),
    DemoPerson("Antonio Lorusso", "moderatore.puglia@ponte.demo", "it", "072006", ("it",), Role.MODERATOR, "16"),
    DemoPerson("Chiara Colombo", "moderatrice.bergamo@ponte.demo", "it", "016024", ("it", "en"), Role.MODERATOR, "03-AT01"),
    DemoPerson("Amina Haddad", "amina@ponte.demo", "ar", "072006", ("ar", "fr", "it")),
    DemoPerson("Rahim Uddin", "rahim@ponte.demo", "bn", "015146", ("bn", "en", "it")),
    DemoPerson("Olena Kovalenko", "olena@ponte.demo", "uk", "037006", ("uk", "ru", "it")),
    DemoPerson("Ardit Hoxha", "ardit@ponte.demo", "sq", "068028", ("sq", "it")),
    DemoPerson("Lin Wei", "lin.wei@ponte.demo", "zh_Hans", "100005", ("zh", "it")),
    DemoPerson("Ioana Popescu", "ioana@ponte.demo", "ro", "048017", ("ro", "it")),
    DemoPerson("Moussa Diop", "moussa@ponte.demo", "fr", "075035", ("wo", "fr", "it")),
    DemoPerson("Harpreet Kaur", "harpreet@ponte.demo", "pa_Guru", "019036", ("pa", "en", "it")),
    DemoPerson("Ayesha Khan", "ayesha@ponte.demo", "ur", "017029", ("ur", "en")),
    DemoPerson("Lucia Moretti", "lucia@ponte.demo", "it", "066049", ("it", "es")),
    DemoPerson("Samuel Okafor", "samuel@ponte.demo", "en", "016024", ("en",), confirmed=False),
    DemoPerson("Marta De Santis", "marta.desantis@ponte.demo", "it", "072006", ("it", "en")),
    DemoPerson("Paolo Ricci", "paolo.ricci@ponte.demo", "it", "037006", ("it", "fr")),
    DemoPerson("Giuseppe Amato", "giuseppe.amato@ponte.demo", "it", "072006", ("it", "ar")),
    DemoPerson("Francesca Di Carlo", "francesca.dicarlo@ponte.demo", "it", "068028", ("it", "sq")),
)


@dataclass(frozen=True)
class DemoOrg:
    name: str
    kind: str
    home: str  # ISTAT code
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    descriptions: dict[str, str]
    admin: str  # e-mail
    members: tuple[str, ...] = ()
    verified: bool = False
    extra: dict[str, str] | None = None


ORGS = (
    DemoOrg(
        "Associazione Teranga – Senegalesi del Salento", "migrant_association", "075035",
        ("action_04", "mediation", "culture"), ("wo", "fr", "it"),
        {"it": "Dal 2009 aiutiamo le famiglie senegalesi di Lecce: sportello il sabato mattina, corsi di italiano, feste e mediazione con le scuole.",
         "fr": "Depuis 2009, nous aidons les familles sénégalaises de Lecce : permanence le samedi matin, cours d'italien, fêtes et médiation avec les écoles."},
        "moussa@ponte.demo", ("amina@ponte.demo",), True,
        {"legal_form": "aps", "runts_number": "104533", "founding_year": "2009", "phone": "+390832245118", "email": "teranga.lecce@example.org"},
    ),
    DemoOrg(
        "Comune di Bari – Ufficio Immigrazione e Cittadinanza", "local_authority", "072006",
        ("action_02", "action_03", "mediation"), ("it", "en", "ar"),
        {"it": "L'ufficio del Comune di Bari per i cittadini stranieri: informazioni su residenza, scuola e servizi sociali, con mediatori in arabo e inglese."},
        "marta.desantis@ponte.demo", ("giuseppe.amato@ponte.demo",), True,
        {"authority_type": "comune", "authority_istat_code": "072006", "phone": "+390805771111"},
    ),
    DemoOrg(
        "Giovani Italo-Bengalesi Milano", "youth_association", "015146",
        ("action_01", "peer_education", "italian_l2"), ("bn", "it", "en"),
        {"it": "Ragazze e ragazzi di seconda generazione: doposcuola tra pari nelle scuole medie di via Padova e laboratori di lingua.",
         "bn": "দ্বিতীয় প্রজন্মের তরুণ-তরুণী: মিলানের স্কুলে সহপাঠী সহায়তা এবং ভাষা কর্মশালা।"},
        "rahim@ponte.demo", (), True, {"legal_form": "odv", "founding_year": "2019"},
    ),
    DemoOrg(
        "Donne Ucraine a Bologna", "informal_group", "037006",
        ("action_04", "work", "italian_l2"), ("uk", "ru", "it"),
        {"uk": "Неформальна група українських жінок у Болоньї: взаємодопомога, курси італійської, пошук роботи. Хочемо стати асоціацією.",
         "it": "Gruppo informale di donne ucraine a Bologna: aiuto reciproco, corsi di italiano, ricerca di lavoro. Vogliamo diventare un'associazione."},
        "olena@ponte.demo",
    ),
    DemoOrg(
        "CPIA Metropolitano di Bologna", "school", "037006",
        ("action_01", "italian_l2", "orientation"), ("it", "en", "fr"),
        {"it": "Centro provinciale per l'istruzione degli adulti: corsi di italiano L2 dal livello pre-A1 al B1, licenza media, orientamento."},
        "paolo.ricci@ponte.demo", (), True, {"school_level": "cpia", "school_code": "BOMM36300D"},
    ),
    DemoOrg(
        "Istituto Comprensivo Pescara 3", "school", "068028",
        ("action_01", "peer_education"), ("it",),
        {"it": "Scuola dell'infanzia, primaria e secondaria di primo grado. Progetti di accoglienza e peer education con le associazioni del quartiere."},
        "lucia@ponte.demo", ("francesca.dicarlo@ponte.demo",), False, {"school_level": "comprehensive", "school_code": "PEIC83100X"},
    ),
    DemoOrg(
        "Cooperativa Sociale Il Mosaico", "third_sector", "100005",
        ("action_02", "mediation", "work"), ("zh", "it"),
        {"it": "Cooperativa di Prato: mediazione linguistica cinese-italiano negli ospedali e nelle scuole, sportello lavoro.",
         "zh_Hans": "普拉托的社会合作社：在医院和学校提供中意语言调解，并设有就业咨询窗口。"},
        "lin.wei@ponte.demo", (), True, {"third_sector_type": "cooperative"},
    ),
    DemoOrg(
        "Comunità Albanese d'Abruzzo", "migrant_association", "068028",
        ("action_04", "culture", "sport"), ("sq", "it"),
        {"sq": "Shoqata e shqiptarëve në Abruzzo: ngjarje kulturore, sport për të rinjtë dhe ndihmë për familjet e sapoardhura.",
         "it": "Associazione degli albanesi in Abruzzo: eventi culturali, sport per i giovani e aiuto alle famiglie appena arrivate."},
        "ardit@ponte.demo", (), False, {"legal_form": "aps", "founding_year": "2012"},
    ),
    DemoOrg(
        "Regione Toscana – Settore Welfare e Immigrazione", "local_authority", "048017",
        ("action_02", "action_03"), ("it",),
        {"it": "Il settore regionale che coordina il piano TEAMS: piani locali con Comuni, scuole, terzo settore, ASL e Prefetture."},
        "admin@ponte.demo", (), True, {"authority_type": "regione", "authority_istat_code": "09"},
    ),
    DemoOrg(
        "Asociația Românilor din Toscana", "migrant_association", "048017",
        ("action_04", "culture"), ("ro", "it"),
        {"ro": "Asociația românilor din Florența: cursuri de limba română pentru copii, ajutor cu documentele și evenimente comunitare."},
        "ioana@ponte.demo",
    ),
    DemoOrg(
        "Pak Welfare Brescia", "migrant_association", "017029",
        ("action_03", "health"), ("ur", "pa", "it"),
        {"ur": "بریشیا میں پاکستانی خاندانوں کی مدد: صحت کی معلومات، اطالوی زبان کی کلاسیں۔",
         "it": "Aiutiamo le famiglie pakistane di Brescia: informazioni sulla salute e corsi di italiano."},
        "ayesha@ponte.demo", ("harpreet@ponte.demo",),
    ),
)


def seed() -> list[str]:
    """Load territories (if missing), districts, demo people, organisations, forums, labs, events and
    initiatives. Returns lines to print."""
    report: list[str] = []
    if db.session.scalar(select(Territory.id).where(Territory.level == TerritoryLevel.COMUNE).limit(1)) is None:
        result = territories.import_file(territories.DATA_FILE)
        report.append(f"Territories loaded from ISTAT's list: {result.created} created.")
    if accounts.find_user_by_email(ADMIN_EMAIL) is None:
        _districts()
    missing = [p for p in PEOPLE if accounts.find_user_by_email(p.email) is None]
    if missing:
        report.append("Demo accounts (local use only; passwords are shown only now):")
    for person in missing:
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        _person(person, password)
        role = f" [{person.role.value}]" if person.role else ""
        pending = " (e-mail not confirmed)" if not person.confirmed else ""
        report.append(f"  {person.email:34} {password}  {person.name}{role}{pending}")
    if db.session.scalar(select(Organization.id).limit(1)) is None:
        for org in ORGS:
            _organization(org)
        report.append(f"{len(ORGS)} demo organisations created.")
    if forums.forums_count() == 0:
        made = forums.ensure_regional_forums()
        for spec in THREADS:
            _thread(spec)
        report.append(f"{made} regional forums and {len(THREADS)} demo discussions created.")
    for part in (demo_labs, demo_events, demo_initiatives):  # in this order: events show labs, initiatives list events
        if part.needed():
            report.extend(part.seed())
    if not report:
        report.append("Demo data is already loaded; nothing changed.")
    accounts.log_missing_consents()  # demo people are written directly: give them their consent rows
    return report


def _by_code(code: str) -> Territory:
    return territories.get_by_code(code)


def _districts() -> None:
    for province_code, name, comune_codes in DISTRICTS:
        province = _by_code(province_code)
        if any(d.name == name for d in territories.districts_of(province)):
            continue
        comuni = [_by_code(code) for code in comune_codes]
        territories.create_district(None, province, name, comuni)


def _person(person: DemoPerson, password: str) -> User:
    user = User(
        email=person.email,
        display_name=person.name,
        password_hash=accounts.hash_password(password),
        locale=person.locale,
        home_territory=_by_code(person.comune),
        languages_spoken=list(person.languages),
        privacy_version=accounts.settings.privacy_version,
        email_confirmed_at=utcnow() if person.confirmed else None,
        # Demo people have been around for a while (only the unconfirmed one is new).
        created_at=utcnow() - timedelta(days=120 if person.confirmed else 1),
    )
    db.session.add(user)
    db.session.flush()
    if person.role is not None:
        territory = _by_code(person.role_territory) if person.role_territory else None
        accounts.grant_role(None, user, person.role, territory)
    return user


def _organization(spec: DemoOrg) -> Organization:
    """Create through the real service (validation, slug, first admin), then add members."""
    admin = _demo_user(spec.admin)
    extra = dict(spec.extra or {})
    year = extra.pop("founding_year", None)
    draft = organizations.OrganizationDraft(
        name=spec.name, kind=spec.kind, home_territory=territories.label(_by_code(spec.home)),
        areas=list(spec.areas), languages=list(spec.languages), descriptions=spec.descriptions,
        original_language=next(iter(spec.descriptions)), founding_year=int(year) if year else None, **extra,
    )
    org = organizations.create_organization(admin, draft)
    for email in spec.members:
        person = _demo_user(email)
        memberships.request_join(person, org, "")
        pending = next(m for m in memberships.list_requests(admin, org) if m.user_id == person.id)
        memberships.decide_request(admin, pending, True)
    if spec.verified:
        organizations.set_verified(_demo_user(ADMIN_EMAIL), org, True, "Demo data: checked against the public registers.")
    return org


def _demo_user(email: str) -> User:
    user = accounts.find_user_by_email(email)
    if user is None:
        raise LookupError(f"demo person {email} is missing")
    return user


# (place ISTAT code, action, author e-mail, on behalf of organisation name or "", title, body, replies)
THREADS = (
    ("072006", "", "amina@ponte.demo", "", "Sportello stranieri del Comune: nuovi orari?",
     "Buongiorno a tutti. Qualcuno sa se lo sportello per i cittadini stranieri in via Garruba è aperto anche il sabato? "
     "Devo rinnovare la residenza e lavoro tutta la settimana.",
     (("marta.desantis@ponte.demo", "Comune di Bari – Ufficio Immigrazione e Cittadinanza",
       "Buongiorno Amina. Da dicembre lo sportello è aperto anche il **primo sabato del mese**, dalle 9 alle 12, "
       "con mediatrice di lingua araba. Serve prenotare al numero 080 577 1111."),
      ("moussa@ponte.demo", "", "Merci pour l'information ! Je peux confirmer : j'y suis allé samedi dernier, très bien."))),
    ("03", "action_01", "rahim@ponte.demo", "Giovani Italo-Bengalesi Milano", "Doposcuola tra pari: cerchiamo volontari",
     "Ogni martedì e giovedì aiutiamo ragazzi delle medie con compiti e italiano. Cerchiamo studenti delle superiori "
     "e universitari, anche 2-3 ore al mese.\n\n- dove: biblioteca di via Padova\n- quando: 16:30–18:30",
     (("harpreet@ponte.demo", "", "Io posso il giovedì. Parlo anche punjabi e inglese, utile per le famiglie nuove."),
      ("rahim@ponte.demo", "", "আপনাকে অনেক ধন্যবাদ! Ti scriviamo in privato per i dettagli."))),
    ("037006", "", "olena@ponte.demo", "", "Corsi di italiano per mamme con bambini piccoli",
     "Привіт! Cerchiamo un corso di italiano a Bologna con baby-sitting per i bambini durante la lezione. "
     "Molte di noi non possono andare ai corsi serali.",
     (("paolo.ricci@ponte.demo", "CPIA Metropolitano di Bologna",
       "Al CPIA abbiamo un corso A1 il mercoledì mattina con spazio bimbi, in collaborazione con un'associazione del quartiere. "
       "Le iscrizioni sono aperte fino al 15 gennaio."),)),
    ("100005", "", "lin.wei@ponte.demo", "Cooperativa Sociale Il Mosaico", "Mediazione linguistica all'ospedale di Prato",
     "Dal 1° febbraio il servizio di mediazione cinese-italiano sarà presente anche il pomeriggio al Santo Stefano. "
     "普拉托医院的中文翻译服务从二月起下午也提供。",
     (("ioana@ponte.demo", "", "Ottima notizia. Esiste anche per il romeno? Molte famiglie ne avrebbero bisogno."),)),
    ("13", "action_04", "ardit@ponte.demo", "Comunità Albanese d'Abruzzo", "Torneo di calcio interculturale a Pescara",
     "A maggio organizziamo un torneo per ragazzi dai 12 ai 16 anni. Cerchiamo squadre di scuole e associazioni. "
     "Mirë se vini të gjithë!",
     (("lucia@ponte.demo", "Istituto Comprensivo Pescara 3", "La nostra scuola partecipa volentieri con due squadre delle medie."),)),
)


def _thread(spec: tuple) -> None:
    code, action, author_email, org_name, title, body, replies = spec
    place = _by_code(code)
    forum = forums.forum_for(place, action) if action else forums.forum_for(place)
    author = _demo_user(author_email)
    forums.join(author, forum)
    thread = forums.create_thread(author, forum, forums.ThreadDraft(title=title, body=body, action=action, organization_id=_org_id(org_name)))
    for email, org, text in replies:
        person = _demo_user(email)
        forums.join(person, forum)
        forums.reply(person, thread, forums.PostDraft(body=text, organization_id=_org_id(org)))


def _org_id(name: str) -> int | None:
    if not name:
        return None
    found = organizations.list_organizations(organizations.DirectoryFilters(q=name[:60])).items
    return found[0].id if found else None
