"""Atom feeds (RFC 4287) of public content: new proposals, official answers, new events and
good practices, optionally for one territory (and everything inside it) or one organisation.

Visibility mirrors the public list pages: drafts, hidden proposals, unpublished practices,
draft initiatives and anything of a hidden organisation never appear. The XML is built with
ElementTree, so every user-written text is escaped; characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from sqlalchemy import Select, and_, exists, or_, select

from app.db import db
from app.exceptions import NotFound
from app.i18n import RESPONSE_DECISION_NAMES, _l
from app.services import territories
from models import (
    PUBLIC_STATUSES,
    Event,
    EventOrganizer,
    GoodPractice,
    Initiative,
    InitiativePartner,
    Lab,
    Organization,
    OrganizerStatus,
    PartnerStatus,
    Proposal,
    ProposalResponse,
    ProposalState,
    Territory,
)

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_ENTRIES = 50
TAG_YEAR = "2026"  # the date part of our tag: URIs (RFC 4151); it never changes
ROME = ZoneInfo("Europe/Rome")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entries: stable, so its ETag is too
# Characters XML 1.0 cannot hold at all (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Link = Callable[[str, dict[str, Any]], str]  # (endpoint, values) → absolute URL


@dataclass(frozen=True)
class Feed:
    name: str
    title: Any  # lazy strings: translated in the reader's language
    description: Any
    page: str  # the endpoint of the HTML list the feed follows


FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        Feed("proposals", _l("New proposals"), _l("Proposals published in the community labs, newest first."), "labs.all_proposals"),
        Feed("responses", _l("Official answers"), _l("Answers of public bodies to the proposals, newest first."), "labs.all_proposals"),
        Feed("events", _l("New events"), _l("Events published by associations, public bodies and schools, newest first."), "calendars.index"),
        Feed("good-practices", _l("Good practices"), _l("Initiatives that worked, chosen by the moderators, newest first."), "practices.index"),
    )
}


@dataclass(frozen=True)
class Scope:
    """What a feed is limited to: a territory (with everything inside it) and/or an organisation."""

    territory: Territory | None = None
    organization: Organization | None = None


def _inside(place: Territory) -> Select:
    return select(Territory.id).where(Territory.path.like(f"{place.path}%"))


@dataclass(frozen=True)
class Entry:
    key: str  # "proposal/12": the stable part of the entry's id
    title: str
    link: tuple[str, dict[str, Any]]
    published: datetime
    updated: datetime
    author: str
    author_link: tuple[str, dict[str, Any]] | None = None
    summary: str = ""
    content_html: str = ""  # already sanitized on write
    language: str = ""  # the language the entry is written in, when known
    categories: tuple[str, ...] = field(default_factory=tuple)


def get_feed(name: str) -> Feed:
    feed = FEEDS.get(name)
    if feed is None:
        raise NotFound(_l("There is no feed with this name."))
    return feed


def scope(territory_code: str = "", organization_slug: str = "") -> Scope:
    """The scope named by the address; NotFound for a territory or organisation that is not public."""
    place = territories.get_by_code(territory_code.strip()) if territory_code else None
    org = None
    if organization_slug:
        slug = organization_slug.strip()
        org = db.session.scalar(select(Organization).where(Organization.slug == slug)) if len(slug) <= 80 else None
        if org is None or org.is_hidden:
            raise NotFound(_l("We could not find this organisation."))
    return Scope(place, org)


# ---------------------------------------------------------------- what each feed holds


def _hidden_orgs() -> Select:
    return select(Organization.id).where(Organization.is_hidden.is_(True))


def _public_proposals(where: Scope) -> Select:
    """Published, not hidden, not withdrawn proposals of labs whose convener is visible."""
    stmt = (select(Proposal).join(Lab, Lab.id == Proposal.lab_id)
            .where(Proposal.state.not_in((ProposalState.DRAFT, ProposalState.WITHDRAWN)), Proposal.is_hidden.is_(False),
                   Proposal.published_at.is_not(None), Lab.convener_id.not_in(_hidden_orgs())))
    if where.territory is not None:
        stmt = stmt.where(Lab.territory_id.in_(_inside(where.territory)))
    return stmt


def _proposal_author(proposal: Proposal) -> tuple[str, tuple[str, dict[str, Any]] | None]:
    if proposal.organization is not None and not proposal.organization.is_hidden:
        return proposal.organization.name, ("organizations.show", {"slug": proposal.organization.slug})
    if proposal.author is not None:
        return proposal.author.display_name, None
    return str(_l("deleted participant")), None


def proposal_entries(where: Scope) -> list[Entry]:
    stmt = _public_proposals(where)
    if where.organization is not None:
        org_id = where.organization.id
        stmt = stmt.where(or_(Proposal.organization_id == org_id, Proposal.authority_id == org_id, Lab.convener_id == org_id))
    found = db.session.scalars(stmt.order_by(Proposal.published_at.desc(), Proposal.id.desc()).limit(MAX_ENTRIES))
    entries = []
    for p in found:
        author, author_link = _proposal_author(p)
        published = p.published_at or p.created_at
        entries.append(Entry(
            key=f"proposal/{p.id}", title=p.title, link=("proposals.show", {"proposal_id": p.id}), published=published,
            updated=max(published, p.updated_at), author=author, author_link=author_link, summary=p.summary,
            content_html=p.body_html, categories=(str(p.state), *((p.action,) if p.action else ())),
        ))
    return entries


def response_entries(where: Scope) -> list[Entry]:
    stmt = (_public_proposals(where).add_columns(ProposalResponse)
            .join(ProposalResponse, ProposalResponse.proposal_id == Proposal.id)
            .where(ProposalResponse.organization_id.not_in(_hidden_orgs())))
    if where.organization is not None:
        org_id = where.organization.id
        stmt = stmt.where(or_(ProposalResponse.organization_id == org_id, Proposal.organization_id == org_id))
    rows = db.session.execute(stmt.order_by(ProposalResponse.updated_at.desc(), ProposalResponse.id.desc()).limit(MAX_ENTRIES))
    entries = []
    for proposal, response in rows:
        decision = str(RESPONSE_DECISION_NAMES.get(str(response.decision), str(response.decision)))
        summary = str(_l("%(authority)s: %(decision)s.", authority=response.organization.name, decision=decision))
        if response.next_step:
            summary += " " + str(_l("Next step: %(step)s", step=response.next_step))
        entries.append(Entry(
            key=f"response/{response.id}", title=proposal.title, link=("proposals.show", {"proposal_id": proposal.id}),
            published=response.created_at, updated=response.updated_at, author=response.organization.name,
            author_link=("organizations.show", {"slug": response.organization.slug}), summary=summary,
            content_html=response.text_html, categories=(str(response.decision),),
        ))
    return entries


def _when(moment: datetime, all_day: bool, locale: str) -> str:
    """A moment in Rome, written out in the reader's language ("1 aprile 2026, 18:00")."""
    local = moment.astimezone(ROME)
    day = format_date(local.date(), "long", locale=locale)
    if all_day:
        return day
    pattern = Locale.parse(locale).datetime_formats["medium"]
    return str(pattern).replace("{1}", day).replace("{0}", format_time(local, "short", tzinfo=ROME, locale=locale))


def event_entries(where: Scope, locale: str) -> list[Entry]:
    stmt = select(Event).where(Event.organization_id.not_in(_hidden_orgs()))
    if where.territory is not None:
        stmt = stmt.where(Event.territory_id.in_(_inside(where.territory)))
    if where.organization is not None:
        org_id = where.organization.id
        co = exists().where(and_(EventOrganizer.event_id == Event.id, EventOrganizer.organization_id == org_id,
                                 EventOrganizer.status == OrganizerStatus.ACCEPTED))
        stmt = stmt.where(or_(Event.organization_id == org_id, co))
    found = db.session.scalars(stmt.order_by(Event.created_at.desc(), Event.id.desc()).limit(MAX_ENTRIES))
    entries = []
    for e in found:
        place = ", ".join(part for part in (e.venue, e.territory.name) if part)
        summary = str(_l("When: %(when)s. Where: %(where)s.", when=_when(e.starts_at, e.all_day, locale), where=place))
        if e.is_cancelled:
            summary = str(_l("Cancelled")) + ". " + summary
        entries.append(Entry(
            key=f"event/{e.id}", title=e.title, link=("events.show", {"event_id": e.id}), published=e.created_at,
            updated=e.updated_at, author=e.organization.name, author_link=("organizations.show", {"slug": e.organization.slug}),
            summary=summary, content_html=e.description_html, language=e.language, categories=(str(e.kind),),
        ))
    return entries


def practice_entries(where: Scope) -> list[Entry]:
    stmt = (select(GoodPractice).join(Initiative, Initiative.id == GoodPractice.initiative_id)
            .where(GoodPractice.is_published.is_(True), Initiative.status.in_(PUBLIC_STATUSES),
                   Initiative.lead_id.not_in(_hidden_orgs())))
    if where.territory is not None:
        stmt = stmt.where(Initiative.territory_id.in_(_inside(where.territory)))
    if where.organization is not None:
        org_id = where.organization.id
        partner = exists().where(and_(InitiativePartner.initiative_id == Initiative.id, InitiativePartner.organization_id == org_id,
                                      InitiativePartner.status == PartnerStatus.CONFIRMED))
        stmt = stmt.where(or_(Initiative.lead_id == org_id, partner))
    found = db.session.scalars(stmt.order_by(GoodPractice.designated_at.desc(), GoodPractice.id.desc()).limit(MAX_ENTRIES))
    entries = []
    for p in found:
        source = p.initiative
        summary = str(_l("%(initiative)s, led by %(lead)s in %(place)s.", initiative=source.title, lead=source.lead.name,
                         place=source.territory.name))
        entries.append(Entry(
            key=f"good-practice/{p.id}", title=p.title, link=("practices.show", {"practice_id": p.id}),
            published=p.designated_at, updated=max(p.designated_at, p.updated_at), author=source.lead.name,
            author_link=("organizations.show", {"slug": source.lead.slug}), summary=summary,
            content_html=p.problem_html + p.results_html, language=p.language, categories=(str(source.kind),),
        ))
    return entries


def entries(name: str, where: Scope, locale: str = "it") -> list[Entry]:
    """The newest public entries of the named feed (at most MAX_ENTRIES), newest first."""
    get_feed(name)
    if name == "proposals":
        return proposal_entries(where)
    if name == "responses":
        return response_entries(where)
    if name == "events":
        return event_entries(where, locale)
    return practice_entries(where)


# ---------------------------------------------------------------- writing Atom


def _text(value: str) -> str:
    return _NOT_XML.sub("", value or "")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = _text(text)
    return node


def _tag_uri(host: str, key: str) -> str:
    return f"tag:{urlsplit('//' + host).hostname or 'localhost'},{TAG_YEAR}:{key}"


def _feed_title(feed: Feed, where: Scope) -> str:
    title = str(feed.title)
    if where.territory is not None:
        title = str(_l("%(feed)s in %(place)s", feed=title, place=where.territory.name))
    if where.organization is not None:
        title = str(_l("%(feed)s of %(organization)s", feed=title, organization=where.organization.name))
    return f"Ponte · {title}"


def _alternate(feed: Feed, where: Scope) -> tuple[str, dict[str, Any]]:
    if where.organization is not None:
        return "organizations.show", {"slug": where.organization.slug}
    if where.territory is not None:
        return "territories.show", {"code": where.territory.istat_code}
    return feed.page, {}


def _entry(root: ET.Element, item: Entry, host: str, link: Link) -> None:
    node = _el(root, "entry")
    if item.language:
        node.set(XML_LANG, item.language.replace("_", "-"))
    _el(node, "id", _tag_uri(host, item.key))
    _el(node, "title", item.title, type="text")
    _el(node, "link", rel="alternate", type="text/html", href=link(*item.link))
    _el(node, "published", _stamp(item.published))
    _el(node, "updated", _stamp(item.updated))
    author = _el(node, "author")
    _el(author, "name", item.author)
    if item.author_link is not None:
        _el(author, "uri", link(*item.author_link))
    for term in item.categories:
        _el(node, "category", term=term)
    if item.summary:
        _el(node, "summary", item.summary, type="text")
    if item.content_html:
        _el(node, "content", item.content_html, type="html")  # escaped by ElementTree: readers get HTML as text to render


def atom(name: str, where: Scope, *, locale: str, host: str, self_url: str, link: Link) -> bytes:
    """The feed as an Atom 1.0 document (UTF-8). ``host`` names our tag: URIs; ``link`` makes
    absolute URLs; feed-level texts are in ``locale``, entry texts in their own language."""
    feed = get_feed(name)
    found = entries(name, where, locale)
    lang = locale.replace("_", "-")
    root = ET.Element("feed", xmlns=ATOM)  # the default namespace, written as an attribute: every tag is Atom
    query = "&".join(f"{k}={v}" for k, v in (("territory", where.territory.istat_code if where.territory else ""),
                                              ("organization", where.organization.slug if where.organization else "")) if v)
    _el(root, "id", _tag_uri(host, f"feed/{name}" + (f"?{query}" if query else "")))
    _el(root, "title", _feed_title(feed, where), type="text").set(XML_LANG, lang)
    _el(root, "subtitle", str(feed.description), type="text").set(XML_LANG, lang)
    _el(root, "updated", _stamp(max((e.updated for e in found), default=EPOCH)))
    _el(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(root, "link", rel="alternate", type="text/html", href=link(*_alternate(feed, where)))
    _el(_el(root, "author"), "name", "Ponte")
    _el(root, "generator", "Ponte")
    _el(root, "rights", str(_l("Licence: CC BY 4.0")), type="text").set(XML_LANG, lang)
    for item in found:
        _entry(root, item, host, link)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
