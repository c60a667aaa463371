"""Demo data for local use: territories, social districts and people covering every role.

Idempotent: a second run finds the demo administrator and changes nothing. Passwords are
random per installation and reported once, when the accounts are created.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from app.db import db
from app.services import accounts, territories
from models import Role, Territory, TerritoryLevel, User
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
)


def seed() -> list[str]:
    """Load territories (if missing), districts and demo people. Returns lines to print."""
    report: list[str] = []
    if db.session.scalar(select(Territory.id).where(Territory.level == TerritoryLevel.COMUNE).limit(1)) is None:
        result = territories.import_file(territories.DATA_FILE)
        report.append(f"Territories loaded from ISTAT's list: {result.created} created.")
    if accounts.find_user_by_email(ADMIN_EMAIL) is not None:
        report.append("Demo data is already loaded; nothing changed.")
        return report
    _districts()
    report.append("Demo accounts (local use only; passwords are shown only now):")
    for person in PEOPLE:
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        _person(person, password)
        role = f" [{person.role.value}]" if person.role else ""
        pending = " (e-mail not confirmed)" if not person.confirmed else ""
        report.append(f"  {person.email:34} {password}  {person.name}{role}{pending}")
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
    )
    db.session.add(user)
    db.session.flush()
    if person.role is not None:
        territory = _by_code(person.role_territory) if person.role_territory else None
        accounts.grant_role(None, user, person.role, territory)
    return user
