"""What the parts of the benchmark seeder share: places, the tally of references, constants and
the allocation of a total over weighted items."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.services.search_index import ACTIONS

DAY = 86_400
ACTION_LIST = sorted(ACTIONS)
AREAS = ("action_01", "action_02", "action_03", "action_04", "italian_l2", "peer_education", "mediation", "orientation",
         "work", "housing", "health", "culture", "sport", "volunteering")
LOCALE_OF = {"zh": "zh_Hans"}  # text language → app locale / stored language code
FIRST_NAMES = {
    "it": ("Giulia", "Marco", "Chiara", "Luca", "Francesca", "Paolo", "Sara", "Andrea", "Elena", "Davide"),
    "ar": ("Amina", "Youssef", "Fatima", "Omar", "Khadija", "Karim", "Salma", "Mehdi"),
    "en": ("Samuel", "Grace", "Daniel", "Joy", "Emmanuel", "Blessing"),
    "fr": ("Moussa", "Awa", "Mamadou", "Aïssatou", "Ibrahima", "Fatou"),
    "ro": ("Ioana", "Andrei", "Maria", "Mihai", "Elena", "Vasile"),
    "bn": ("Rahim", "Nusrat", "Tanvir", "Sadia", "Arif"),
    "zh": ("Lin", "Wei", "Mei", "Hao", "Xiu"),
    "sq": ("Ardit", "Elira", "Besnik", "Drita", "Gentian"),
    "uk": ("Olena", "Taras", "Iryna", "Oksana", "Andrii"),
    "es": ("Lucía", "Carlos", "Rosa", "Jorge", "Milagros"),
}
SURNAMES = {
    "it": ("Rossi", "Ferri", "Colombo", "Ricci", "Moretti", "Amato", "De Santis", "Lorusso", "Bianchi", "Greco"),
    "ar": ("Haddad", "El Amrani", "Benali", "Mansour", "Saidi"),
    "en": ("Okafor", "Mensah", "Adeyemi", "Boateng"),
    "fr": ("Diop", "Ndiaye", "Traoré", "Camara", "Sow"),
    "ro": ("Popescu", "Ionescu", "Dumitru", "Stan"),
    "bn": ("Uddin", "Rahman", "Hossain", "Akter"),
    "zh": ("Chen", "Zhang", "Wang", "Hu"),
    "sq": ("Hoxha", "Shehu", "Kola", "Dervishi"),
    "uk": ("Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"),
    "es": ("Quispe", "García", "Mendoza", "Torres"),
}
EVENT_KINDS = ("assembly", "workshop", "training_day", "peer_education", "italian_l2", "info_session", "festival",
               "forum_meeting", "online_meeting")
INITIATIVE_KINDS = ("peer_education", "italian_l2", "school_orientation", "family_involvement", "mediation",
                    "capacity_building", "operator_training", "youth_volunteering", "local_plan")
TARGET_GROUPS = ("primary_pupils", "lower_secondary_pupils", "upper_secondary_pupils", "families", "association_leaders",
                 "service_operators", "youth_2g", "women", "newly_arrived_adults")
# (kind, share of organisations)
ORG_KINDS = (("migrant_association", 50), ("youth_association", 12), ("informal_group", 8), ("local_authority", 12),
             ("school", 10), ("third_sector", 8))
DECISIONS = (("accepted", "accepted"), ("partially_accepted", "partially_accepted"), ("rejected", "rejected"),
             ("evaluating", "evaluating"))


@dataclass
class Place:
    id: int
    code: str
    name: str
    path: str
    level: str
    region: int  # the region's territory id
    is_capital: bool


@dataclass
class Tally:
    """What the benchmark runner needs to find again (see ``manifest``)."""

    staff: dict[str, int] = field(default_factory=dict)
    citizens: list[int] = field(default_factory=list)
    big_thread: int = 0
    rare_docs: list[tuple[str, int]] = field(default_factory=list)
    forum_threads: Counter = field(default_factory=Counter)
    forum_slugs: dict[int, str] = field(default_factory=dict)
    open_proposals: list[int] = field(default_factory=list)
    responded: list[tuple[int, int]] = field(default_factory=list)  # proposal id, comments
    lab_slugs: dict[int, str] = field(default_factory=dict)
    open_lab: int = 0
    events_by_place: Counter = field(default_factory=Counter)
    sessions_by_place_month: Counter = field(default_factory=Counter)
    org_slugs: list[str] = field(default_factory=list)
    initiatives: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)


def slug(name: str, suffix: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{re.sub(r'[^a-z0-9]+', '-', ascii_name.lower()).strip('-')[:60].strip('-')}-{suffix}"


def name_key(name: str) -> str:
    ascii_only = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only.casefold()).strip()


def allocate(total: int, weights: Sequence[float], cap: int) -> list[int]:
    """``total`` split over the items in proportion to ``weights``, none above ``cap``."""
    counts = [0] * len(weights)
    left, live = total, list(range(len(weights)))
    while left > 0 and live:
        wsum = sum(weights[i] for i in live)
        given = 0
        for i in live:
            add = min(cap - counts[i], int(left * weights[i] / wsum))
            counts[i] += add
            given += add
        left -= given
        live = [i for i in live if counts[i] < cap]
        if given == 0:  # the rounding left a remainder: one each to the heaviest
            for i in sorted(live, key=lambda j: -weights[j])[:left]:
                counts[i] += 1
                left -= 1
    return counts


def actions_text(codes: Sequence[str]) -> str:
    known = sorted({c for c in codes if c in ACTIONS})
    return f" {' '.join(known)} " if known else ""
