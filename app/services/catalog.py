"""The catalogue of the open data sets in DCAT-AP_IT (the Italian profile of DCAT-AP), written
as Turtle for dati.gov.it and other harvesters: one dataset per CSV file, each with one CSV
distribution under CC BY 4.0, published by the body named in the configuration (IPA code).

The Turtle writer is small on purpose: every IRI and literal goes through ``iri``/``literal``,
which escape what Turtle requires; prefixed names are constants of this module only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.db import db
from app.services import opendata
from models import Organization

ROME = ZoneInfo("Europe/Rome")
EU = "http://publications.europa.eu/resource/authority/"
LICENCE = "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40"
PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Title and description of every data set in Italian and English (the catalogue's languages;
# the /opendata/ page shows the translated texts of ``opendata.DATASETS``).
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "organizations": (
        "Organizzazioni", "Associazioni, enti pubblici, scuole ed enti del terzo settore su Ponte: tipo, dati legali, territorio, ambiti di attività e lingue. Nessun contatto personale.",
        "Organisations", "Associations, public bodies, schools and third-sector bodies on Ponte: kind, legal data, territory, areas of work and languages. No personal contacts.",
    ),
    "labs": (
        "Laboratori di comunità", "Percorsi partecipativi convocati dagli enti pubblici: territorio, fasi con le loro date, regole.",
        "Community labs", "Participatory paths convened by public bodies: territory, phases and their dates, rules.",
    ),
    "proposals": (
        "Proposte", "Proposte dei laboratori di comunità: stato, ente destinatario, sostegni, voti quando i risultati sono pubblici, risposta ricevuta o no.",
        "Proposals", "Proposals of the community labs: state, addressed public body, supports, votes once results are public, and whether they were answered.",
    ),
    "responses": (
        "Risposte ufficiali", "Risposte degli enti pubblici alle proposte: decisione, testo, prossimo passo, stima dei costi e data prevista.",
        "Official answers", "Answers of public bodies to the proposals: decision, text, next step, cost estimate and expected date.",
    ),
    "events": (
        "Eventi", "Date degli eventi (una riga per data): tipo, organizzatore, luogo, orari in UTC, accessibilità e lingue.",
        "Events", "Dates of the events (one row per date): kind, organiser, place, times in UTC, accessibility and languages.",
    ),
    "initiatives": (
        "Iniziative", "Iniziative congiunte (programmate, in corso o concluse): tipo, capofila, territorio, periodo, azioni, destinatari e risultati registrati.",
        "Initiatives", "Joint initiatives (planned, running or completed): kind, lead, territory, period, actions, target groups and recorded outputs.",
    ),
    "good-practices": (
        "Buone pratiche", "Iniziative concluse scelte dai moderatori, con la loro scheda: problema, metodo, risultati, cosa serve per replicarle.",
        "Good practices", "Completed initiatives chosen by the moderators, with their cards: problem, method, results, what it takes to replicate them.",
    ),
}


@dataclass(frozen=True)
class Publisher:
    """The body that publishes the catalogue: its IPA code and name, and the address to write to."""

    ipa: str
    name: str
    email: str


# ---------------------------------------------------------------- the Turtle writer

_ECHARS = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_SURROGATES = re.compile("[\ud800-\udfff]")
_LANG_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def iri(value: str) -> str:
    """An IRI reference: characters Turtle does not allow inside <…> are percent-encoded."""
    return "<" + _NOT_IN_IRI.sub(lambda m: f"%{ord(m.group()):02X}", _SURROGATES.sub("", value)) + ">"


def literal(text: str, lang: str = "", datatype: str = "") -> str:
    """A quoted string literal, with a language tag or a datatype (a prefixed name of this module)."""
    escaped = "".join(
        _ECHARS.get(ch) or (f"\\u{ord(ch):04X}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in _SURROGATES.sub("", text)
    )
    if lang:
        if not _LANG_TAG.fullmatch(lang):
            raise ValueError(f"not a language tag: {lang!r}")
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^{datatype}' if datatype else f'"{escaped}"'


def _date(day: date) -> str:
    return literal(day.isoformat(), datatype="xsd:date")


class Graph:
    """Statements grouped by subject, in the order they were added."""

    def __init__(self) -> None:
        self.subjects: dict[str, list[tuple[str, list[str]]]] = {}

    def add(self, subject: str, predicate: str, *objects: str) -> None:
        self.subjects.setdefault(subject, []).append((predicate, list(objects)))

    def turtle(self) -> str:
        lines = [f"@prefix {name}: {iri(uri)} ." for name, uri in PREFIXES.items()]
        for subject, statements in self.subjects.items():
            body = " ;\n    ".join(f"{predicate} {', '.join(objects)}" for predicate, objects in statements)
            lines.append(f"\n{subject}\n    {body} .")
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the catalogue


def _rome_day(moment: datetime | None, default: date) -> date:
    return moment.astimezone(ROME).date() if moment else default


def _first_published(today: date) -> date:
    first = db.session.scalar(select(func.min(Organization.created_at)))
    if isinstance(first, str):  # MIN() may come back as text on SQLite
        first = datetime.fromisoformat(first).replace(tzinfo=UTC)
    return _rome_day(first, today)


@dataclass(frozen=True)
class _Shared:
    """What every dataset of the catalogue points to."""

    base: str
    ipa: str
    publisher: str  # node
    contact: str  # node


def _dataset(graph: Graph, shared: _Shared, name: str, modified: date) -> str:
    title_it, description_it, title_en, description_en = TEXTS[name]
    base = shared.base
    node, distribution = iri(f"{base}/catalog.ttl#dataset-{name}"), iri(f"{base}/catalog.ttl#distribution-{name}")
    graph.add(node, "a", "dcatapit:Dataset", "dcat:Dataset")
    # DCAT-AP_IT identifiers are "<IPA code>:<local identifier>".
    graph.add(node, "dct:identifier", literal(f"{shared.ipa}:ponte-{name}" if shared.ipa else f"ponte-{name}"))
    graph.add(node, "dct:title", literal(title_it, "it"), literal(title_en, "en"))
    graph.add(node, "dct:description", literal(description_it, "it"), literal(description_en, "en"))
    graph.add(node, "dcat:theme", *(iri(f"{EU}data-theme/{theme}") for theme in opendata.get_dataset(name).themes))
    graph.add(node, "dct:rightsHolder", shared.publisher)
    graph.add(node, "dct:publisher", shared.publisher)
    graph.add(node, "dct:accrualPeriodicity", iri(f"{EU}frequency/UPDATE_CONT"))
    graph.add(node, "dct:modified", _date(modified))
    graph.add(node, "dct:language", iri(f"{EU}language/ITA"))
    graph.add(node, "dcat:landingPage", iri(f"{base}/opendata/"))
    graph.add(node, "dcat:contactPoint", shared.contact)
    graph.add(node, "dcat:distribution", distribution)
    graph.add(distribution, "a", "dcatapit:Distribution", "dcat:Distribution")
    graph.add(distribution, "dct:title", literal(f"{title_it} (CSV)", "it"), literal(f"{title_en} (CSV)", "en"))
    graph.add(distribution, "dcat:accessURL", iri(f"{base}/opendata/"))
    graph.add(distribution, "dcat:downloadURL", iri(f"{base}/opendata/{name}.csv"))
    graph.add(distribution, "dct:format", iri(f"{EU}file-type/CSV"))
    graph.add(distribution, "dcat:mediaType", iri("http://www.iana.org/assignments/media-types/text/csv"))
    graph.add(distribution, "dct:license", iri(LICENCE))
    graph.add(distribution, "dct:modified", _date(modified))
    return node


def turtle(base_url: str, publisher: Publisher, today: date | None = None) -> str:
    """The catalogue as Turtle. ``base_url`` is the site's public address (no trailing slash)."""
    base = base_url.rstrip("/")
    today = today or datetime.now(ROME).date()
    changes = opendata.last_changes()
    modified = {name: _rome_day(moment, today) for name, moment in changes.items()}
    graph = Graph()
    catalog, agent, contact = (iri(f"{base}/catalog.ttl#{part}") for part in ("catalog", "publisher", "contact-point"))
    graph.add(catalog, "a", "dcatapit:Catalog", "dcat:Catalog")
    graph.add(catalog, "dct:title", literal("Ponte: dati aperti", "it"), literal("Ponte: open data", "en"))
    graph.add(catalog, "dct:description",
              literal("I dati pubblici di Ponte, la piattaforma di partecipazione di associazioni, enti pubblici, scuole e cittadini.", "it"),
              literal("The public data of Ponte, the participation platform of associations, public bodies, schools and citizens.", "en"))
    graph.add(catalog, "dct:publisher", agent)
    graph.add(catalog, "dct:issued", _date(_first_published(today)))
    graph.add(catalog, "dct:modified", _date(max(modified.values(), default=today)))
    graph.add(catalog, "dct:language", iri(f"{EU}language/ITA"), iri(f"{EU}language/ENG"))
    graph.add(catalog, "foaf:homepage", iri(f"{base}/"))
    graph.add(catalog, "dcat:themeTaxonomy", iri(f"{EU}data-theme"))
    shared = _Shared(base, publisher.ipa, agent, contact)
    datasets = [_dataset(graph, shared, name, modified[name]) for name in opendata.DATASETS]
    graph.add(catalog, "dcat:dataset", *datasets)
    graph.add(agent, "a", "dcatapit:Agent", "foaf:Agent")
    graph.add(agent, "dct:identifier", literal(publisher.ipa))
    graph.add(agent, "foaf:name", literal(publisher.name))
    graph.add(contact, "a", "dcatapit:Organization", "vcard:Organization", "vcard:Kind")
    graph.add(contact, "vcard:fn", literal(publisher.name))
    graph.add(contact, "vcard:hasEmail", iri(f"mailto:{publisher.email}"))
    licence = iri(LICENCE)
    graph.add(licence, "a", "dcatapit:LicenseDocument", "dct:LicenseDocument")
    graph.add(licence, "dct:type", iri("http://purl.org/adms/licencetype/Attribution"))
    graph.add(licence, "foaf:name", literal("Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)", "it"),
              literal("Creative Commons Attribution 4.0 International (CC BY 4.0)", "en"))
    graph.add(licence, "rdfs:seeAlso", iri(opendata.LICENCE_URL))
    return graph.turtle()
