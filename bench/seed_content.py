"""The rows of the benchmark database, drawn from one ``random.Random``: people, organisations,
forums, discussions, labs, proposals, events, initiatives and their search documents.

Ids are given here (1, 2, 3… per table) so that related rows need no round trip, and every
counter-cache column is written from the rows actually generated, so it equals COUNT(*).
Rows go to ``Sink.put`` which inserts them in batches with SQLAlchemy Core.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from bench import seed_text as tx
from bench.seed_activities import Activities
from bench.seed_common import (
    ACTION_LIST,
    AREAS,
    DAY,
    DECISIONS,
    FIRST_NAMES,
    LOCALE_OF,
    ORG_KINDS,
    SURNAMES,
    Place,
    Tally,
    actions_text,
    allocate,
    name_key,
    slug,
)


class Content(Activities):
    """Generates every table's rows into ``put`` (table name, row dict)."""

    # ``search_index.clean`` for text of ``seed_text`` (the tests check that they agree on every document).
    index_text = staticmethod(tx.index_text)

    def __init__(self, rng: random.Random, spec: dict[str, int], anchor: datetime, places: list[Place], *,
                 put: Callable[[str, dict[str, Any]], None], password_hash: str, privacy_version: str) -> None:
        self.rng, self.spec, self.anchor, self.put = rng, spec, anchor, put
        self.password_hash, self.privacy_version = password_hash, privacy_version
        self.text = tx.TextMaker(rng)
        self.tally = Tally()
        self.places = places
        self.by_id = {p.id: p for p in places}
        self.comuni = [p for p in places if p.level == "comune"]
        self.regions = [p for p in places if p.level == "region"]
        self.provinces = [p for p in places if p.level == "province"]
        weights = [40.0 if p.is_capital else min(30.0, rng.paretovariate(1.6)) for p in self.comuni]
        self._comune_cum = self._cumulative(weights)
        self.comuni_by_weight = [p for _, p in sorted(zip(weights, self.comuni, strict=True), key=lambda wp: (-wp[0], wp[1].id))]
        self.doc_id = 0
        self.follow_id = 0
        self.memberships: dict[int, list[tuple[int, str]]] = defaultdict(list)  # org → (user, role)
        self.officials: dict[int, list[int]] = {}
        self.org_rows: list[dict[str, Any]] = []
        self.org_events: dict[int, list[int]] = defaultdict(list)
        # Replies of the long discussion (post ids 2…), events and a proposal carry the rare word.
        self.rare_targets: dict[str, set[int]] = {
            "post": set(rng.sample(range(2, spec["big_thread"] + 1), 2)),
            "event": set(rng.sample(range(1, spec["events"] + 1), 2)),
        }

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _cumulative(weights: Sequence[float]) -> list[float]:
        out, acc = [], 0.0
        for w in weights:
            acc += w
            out.append(acc)
        return out

    def comune(self) -> Place:
        return self.rng.choices(self.comuni, cum_weights=self._comune_cum)[0]

    def ago(self, low_days: float, high_days: float) -> datetime:
        return self.anchor - timedelta(seconds=self.rng.randrange(int(low_days * DAY), int(high_days * DAY)))

    def between(self, start: datetime, end: datetime) -> datetime:
        span = int((end - start).total_seconds())
        return start + timedelta(seconds=self.rng.randrange(span)) if span > 0 else start

    def user(self) -> int:
        return self.rng.randrange(1, self.spec["users"] + 1)

    def doc(self, kind: str, object_id: int, title: str, body: str, place: Place | None, *, language: str = "",
            actions: Sequence[str] = (), organization_id: int | None = None, url_args: dict, dated_at: datetime | None) -> None:
        """A search document exactly as ``search_index`` writes it for the object."""
        self.doc_id += 1
        self.put("search_documents", {
            "id": self.doc_id, "kind": kind, "object_id": object_id, "title": self.index_text(title)[:300],
            "body": self.index_text(body)[:60_000],
            "language": language, "territory_id": place.id if place else None, "territory_path": place.path if place else "",
            "actions": actions_text(actions), "organization_id": organization_id, "url_args": url_args, "dated_at": dated_at,
            "updated_at": self.anchor,
        })

    def follow(self, user_id: int, target_type: str, target_id: int, at: datetime) -> None:
        self.follow_id += 1
        self.put("follows", {"id": self.follow_id, "user_id": user_id, "target_type": target_type, "target_id": target_id,
                             "created_at": at})

    def rare(self, kind: str, object_id: int) -> bool:
        """Whether this document gets the rare sentence (chosen up front: two replies, one proposal, two events)."""
        if object_id in self.rare_targets.get(kind, ()):
            self.tally.rare_docs.append((kind, object_id))
            return True
        return False

    # ------------------------------------------------------------ people

    def people(self) -> None:
        """Users (one shared password hash), their consent rows, and the platform roles."""
        spec, rng = self.spec, self.rng
        staff = 1 + len(self.regions) + len(self.provinces)
        for uid in range(1, spec["users"] + 1):
            lang = self.text.language()
            home = self.comune()
            created = self.ago(30, 900)
            spoken = sorted({lang, "it", *([rng.choice(tx.LANGUAGES)] if rng.random() < 0.3 else [])})
            self.put("users", {
                "id": uid, "email": f"bench-user-{uid:06d}@bench.ponte.example.org",
                "display_name": f"{rng.choice(FIRST_NAMES[lang])} {rng.choice(SURNAMES[lang])}",
                "password_hash": self.password_hash, "locale": LOCALE_OF.get(lang, lang), "timezone": "Europe/Rome",
                "languages_spoken": [LOCALE_OF.get(c, c) for c in spoken], "home_territory_id": home.id, "status": "active",
                "email_confirmed_at": created + timedelta(minutes=10), "privacy_version": self.privacy_version,
                "privacy_accepted_at": created, "created_at": created, "last_login_at": None,
            })
            self.put("consents", {"id": uid, "user_id": uid, "notice_version": self.privacy_version, "method": "registration",
                                  "accepted_at": created})
        self.put("role_assignments", {"id": 1, "user_id": 1, "role": "admin", "territory_id": None, "created_at": self.anchor})
        self.tally.staff["admin"] = 1
        for n, place in enumerate([*self.regions, *self.provinces], start=2):
            self.put("role_assignments", {"id": n, "user_id": n, "role": "moderator", "territory_id": place.id,
                                          "created_at": self.anchor - timedelta(days=200)})
        self.tally.staff["moderator"] = 2
        self.first_free_user = staff + 1

    # ------------------------------------------------------------ organisations

    def organizations(self) -> None:
        """Public bodies (the five regions first, then the comuni with most weight), schools, associations…"""
        rng = self.rng
        kinds = [k for k, _ in ORG_KINDS]
        cum = self._cumulative([w for _, w in ORG_KINDS])
        self.next_user = self.first_free_user
        self.membership_id = 0
        authority_places = iter(self.comuni_by_weight)
        for oid in range(1, self.spec["organizations"] + 1):
            kind = "local_authority" if oid <= len(self.regions) else rng.choices(kinds, cum_weights=cum)[0]
            home, name, extra = self._identity(oid, kind, authority_places)
            verified = kind == "local_authority" or rng.random() < 0.5
            created = self.ago(200, 1500)
            members = self._members(oid, kind, created)
            lang = "it" if kind in ("local_authority", "school") or rng.random() < 0.5 else self.text.language()
            row = {
                "id": oid, "slug": slug(name, oid), "name": name, "name_key": name_key(name), "kind": kind, **extra,
                "home_territory_id": home.id, "address": f"Via Roma {rng.randint(1, 200)}, {home.name}", "email": "",
                "phone": "", "website": "", "social_links": [], "communities_served": "", "logo_id": None, "runts_number": "",
                "tax_code": "", "founding_year": created.year, "contact_name": "", "contact_phone": "", "is_verified": verified,
                "verified_at": created + timedelta(days=3) if verified else None, "verified_by_id": 1 if verified else None,
                "verification_note": "Controllato sui registri pubblici." if verified else "", "is_hidden": False,
                "members_count": members, "created_at": created, "updated_at": created, "version": 1,
            }
            self.put("organizations", row)
            self.org_rows.append({"id": oid, "kind": kind, "home": home, "verified": verified, "slug": row["slug"]})
            self._profile(row, home, lang)
        self.first_citizen = self.next_user
        self.tally.staff["association_admin"] = next(o["id"] for o in self.org_rows if o["kind"] == "migrant_association")
        self.tally.staff["authority"] = next(o["id"] for o in self.org_rows if o["kind"] == "local_authority" and o["id"] > len(self.regions))
        self.tally.org_slugs = [o["slug"] for o in self.org_rows[:50]]
        self.authorities = [o for o in self.org_rows if o["kind"] == "local_authority"]
        citizens = range(self.first_citizen, self.spec["users"] + 1)
        step = max(1, len(citizens) // 200)
        self.tally.citizens = list(citizens[::step])[:200]

    def _identity(self, oid: int, kind: str, authority_places: Iterator[Place]) -> tuple[Place, str, dict[str, Any]]:
        """Home, name and the kind-specific columns of an organisation."""
        rng = self.rng
        extra: dict[str, Any] = {"authority_type": None, "school_level": None, "third_sector_type": None, "legal_form": None,
                                 "school_code": "", "authority_istat_code": ""}
        if oid <= len(self.regions):
            region = self.regions[oid - 1]
            home = next(p for p in self.comuni if p.region == region.id and p.is_capital)
            extra.update(authority_type="regione", authority_istat_code=region.code)
            return home, f"Regione {region.name} – Settore Politiche Sociali e Immigrazione", extra
        if kind == "local_authority":
            home = next(authority_places, None) or self.comune()
            extra.update(authority_type="comune", authority_istat_code=home.code)
            return home, f"Comune di {home.name} – Ufficio Immigrazione e Cittadinanza"[:160], extra
        home = self.comune()
        if kind == "school":
            name = f"{rng.choice(tx.SCHOOL_NAMES)} {home.name} {rng.randint(1, 9)}"
            extra.update(school_level=rng.choice(("primary", "lower_secondary", "upper_secondary", "comprehensive", "cpia")),
                         school_code=f"{home.code[:2]}IC{rng.randint(10000, 99999)}")
        elif kind == "third_sector":
            name = f"{rng.choice(tx.ORG_PREFIXES[kind])} {rng.choice(tx.ORG_NAMES)} {home.name}"
            extra.update(third_sector_type=rng.choice(("cooperative", "ngo", "volunteer_org", "other")))
        else:
            name = f"{rng.choice(tx.ORG_PREFIXES[kind])} {rng.choice(tx.ORG_PEOPLE)} di {home.name}"
            extra.update(legal_form=rng.choice(("aps", "odv", "other_ets", "unregistered")))
        return home, name[:160], extra

    def _members(self, oid: int, kind: str, created: datetime) -> int:
        """An admin of its own, officials (public bodies) or staff (schools), people for the others, a few
        join requests. Returns the active members (``members_count``)."""
        rng = self.rng
        people = [(self.next_user, "admin")]
        self.next_user += 1
        if kind in ("local_authority", "school"):
            for _ in range(rng.randint(1, 3)):
                people.append((self.next_user, "official" if kind == "local_authority" else "staff"))
                self.next_user += 1
        seen = {u for u, _ in people}
        for _ in range(rng.randint(0, 12) if kind != "local_authority" else 0):
            u = self.user()
            if u >= self.first_free_user and u not in seen:
                seen.add(u)
                people.append((u, "member"))
        pending = sorted({u for u in (self.user() for _ in range(rng.randint(0, 2))) if u not in seen and u >= self.first_free_user})
        for u, role in people:
            self.membership_id += 1
            self.put("memberships", {"id": self.membership_id, "organization_id": oid, "user_id": u, "role": role,
                                     "status": "active", "request_message": "", "created_at": created, "decided_at": created})
            self.memberships[oid].append((u, role))
        for u in pending:
            self.membership_id += 1
            self.put("memberships", {"id": self.membership_id, "organization_id": oid, "user_id": u, "role": "member",
                                     "status": "pending", "request_message": "Vorrei partecipare alle attività.",
                                     "created_at": self.ago(1, 30), "decided_at": None})
        if kind == "local_authority":
            self.officials[oid] = [u for u, r in people if r == "official"]
        return len(people)

    def _profile(self, row: dict[str, Any], home: Place, lang: str) -> None:
        """Areas, languages, served places, descriptions (original, plus Italian) and the search document."""
        rng, oid = self.rng, row["id"]
        areas = sorted(set(rng.sample(AREAS, rng.randint(1, 3))))
        for area in areas:
            self.put("organization_areas", {"organization_id": oid, "area": area})
        for code in sorted({LOCALE_OF.get(c, c) for c in ("it", lang, *rng.sample(tx.LANGUAGES, rng.randint(0, 2)))}):
            self.put("organization_languages", {"organization_id": oid, "code": code})
        for served in sorted({self.comune().id for _ in range(rng.randint(0, 2))} - {home.id}):
            self.put("organization_territories", {"organization_id": oid, "territory_id": served})
        descriptions = [(LOCALE_OF.get(lang, lang), True, self._description(lang, home))]
        if lang != "it":
            descriptions.append(("it", False, self._description("it", home)))
        for n, (code, original, body) in enumerate(descriptions):
            self.put("organization_descriptions", {"id": oid * 2 - 1 + n, "organization_id": oid, "language": code, "body": body,
                                                   "body_html": tx.html_of([body]), "is_original": original})
        self.doc("organization", oid, row["name"], "\n".join(d[2] for d in descriptions), home, language=descriptions[0][0],
                 actions=areas, organization_id=oid, url_args={"slug": row["slug"]}, dated_at=row["created_at"])

    def _description(self, lang: str, home: Place) -> str:
        if lang == "it":
            return self.text.italian(tx.ORG_DESCRIPTIONS, home.name)
        return self.text.sentence(lang, home.name)

    # ------------------------------------------------------------ forums

    def forums(self) -> list[dict[str, Any]]:
        """Regional (territorial + one per action), then provincial, then comune forums."""
        forums: list[dict[str, Any]] = []
        targets = [(r, a) for r in self.regions for a in ("", *ACTION_LIST)]
        targets += [(p, "") for p in self.provinces]
        targets += [(c, "") for c in self.comuni_by_weight]
        for place, action in targets[: max(self.spec["forums"], len(self.regions) * 5)]:
            fslug = f"{name_key(place.name).replace(' ', '-')[:50]}-{place.code.lower()}"
            if action:
                fslug += f"-{action.replace('_', '-')}"
            forums.append({"id": len(forums) + 1, "slug": fslug, "kind": "thematic" if action else "territorial",
                           "territory_id": place.id, "action": action, "place": place,
                           "created_at": self.anchor - timedelta(days=800)})
        return forums

    def discussions(self) -> None:  # noqa: PLR0915 — one pass over threads and posts keeps memory flat
        rng, spec = self.rng, self.spec
        forums = self.forums()
        # The territorial forum of the first region (Lombardia when present) is "the forum with many threads".
        weights = [30.0 if f["place"].level == "region" and not f["action"] else 6.0 if f["place"].level == "region"
                   else 2.0 if f["place"].level == "province" else 1.0 for f in forums]
        busiest = max(range(len(forums)), key=lambda i: (weights[i], -i))
        weights[busiest] *= 3
        forum_of_thread = rng.choices(range(len(forums)), weights=weights, k=spec["threads"])
        big = 1
        forum_of_thread[0] = busiest
        extra = spec["posts"] - spec["threads"] - (spec["big_thread"] - 1)
        counts = [spec["big_thread"], *[1 + c for c in allocate(extra, [rng.paretovariate(1.2) for _ in range(spec["threads"] - 1)],
                                                               spec["big_thread"] - 2)]]
        members: set[tuple[int, int]] = set()
        last_activity: dict[int, datetime] = {}
        threads_count: Counter = Counter()
        post_id = 0
        orgs_speaking = [(u, o) for o, people in self.memberships.items() for u, _ in people]
        verified_authority = {o["id"] for o in self.org_rows if o["kind"] == "local_authority" and o["verified"]}
        for tid in range(1, spec["threads"] + 1):
            forum = forums[forum_of_thread[tid - 1]]
            place = forum["place"] if forum["place"].level != "region" else self.comune_in(forum["place"].id)
            n = counts[tid - 1]
            lang = "it" if rng.random() < 0.75 else self.text.language()
            title = self.text.title(lang, place.name)
            action = forum["action"] or (rng.choice(ACTION_LIST) if rng.random() < 0.3 else "")
            created = self.ago(5, 700) if tid != big else self.ago(600, 700)
            step = (self.anchor - created) / (n + 1)
            author, org = (rng.choice(orgs_speaking) if rng.random() < 0.05 else (self.user(), None))
            pool = [self.user() for _ in range(max(3, min(n // 2, 400 if tid != big else 3000)))]
            posters: set[int] = set()
            last_at, last_user = created, author
            draw = rng.random
            for position in range(1, n + 1):
                post_id += 1
                at = created + step * (position - 1) + timedelta(seconds=int(draw() * 60))
                who, speaks_for = (author, org) if position == 1 else (pool[int(draw() * len(pool))], None)
                language = lang if draw() < 0.8 else self.text.language()
                paragraphs = self.text.paragraphs(language, place.name)
                rare = position > 1 and self.rare("post", post_id)
                if rare:
                    paragraphs.append(tx.RARE_SENTENCE)
                body = tx.body_of(paragraphs)
                hidden = position > 1 and not rare and draw() < 0.003
                self.put("posts", {
                    "id": post_id, "thread_id": tid, "position": position, "author_id": who, "organization_id": speaks_for,
                    "reply_to_position": 1 + int(draw() * (position - 1)) if position > 2 and draw() < 0.2 else None,
                    "body": body, "body_html": tx.html_of(paragraphs), "is_official": speaks_for in verified_authority,
                    "author_is_new": False, "created_at": at, "edited_at": None, "deleted_at": None, "is_hidden": hidden,
                    "hidden_reason": "Fuori tema" if hidden else "", "version": 1,
                })
                if position == 1:
                    self.doc("thread", tid, title, body, forum["place"], actions=[action], url_args={"thread_id": tid}, dated_at=created)
                elif not hidden:
                    self.doc("post", post_id, title, body, forum["place"], actions=[action],
                             url_args={"thread_id": tid, "position": position}, dated_at=at)
                posters.add(who)
                last_at, last_user = at, who
            self.put("threads", {
                "id": tid, "forum_id": forum["id"], "author_id": author, "organization_id": org, "title": title, "action": action,
                "is_pinned": rng.random() < 0.01, "is_locked": False, "is_hidden": False, "hidden_reason": "", "posts_count": n,
                "last_post_at": last_at, "last_poster_id": last_user, "created_at": created,
            })
            for who in sorted(posters):
                self.follow(who, "thread", tid, created)
            threads_count[forum["id"]] += 1
            last_activity[forum["id"]] = max(last_activity.get(forum["id"], last_at), last_at)
            if rng.random() < 0.5:
                members.add((forum["id"], author))
        # People join the territorial forum of their region, some also a thematic one.
        region_forum = {f["territory_id"]: f["id"] for f in forums if f["place"].level == "region" and not f["action"]}
        thematic = [f["id"] for f in forums if f["action"]]
        for _ in range(spec["users"] // 2):
            u = self.user()
            members.add((rng.choice(list(region_forum.values())), u))
            if rng.random() < 0.3:
                members.add((rng.choice(thematic), u))
        member_count: Counter = Counter()
        for forum_id, u in sorted(members):
            self.put("forum_members", {"forum_id": forum_id, "user_id": u, "created_at": self.anchor - timedelta(days=30)})
            self.follow(u, "forum", forum_id, self.anchor - timedelta(days=30))
            member_count[forum_id] += 1
        for f in forums:
            self.put("forums", {k: v for k, v in f.items() if k != "place"} | {
                "members_count": member_count[f["id"]], "threads_count": threads_count[f["id"]],
                "last_activity_at": last_activity.get(f["id"])})
        self.tally.big_thread = big
        self.tally.forum_threads = threads_count
        self.tally.forum_slugs = {f["id"]: f["slug"] for f in forums}
        self.forum_rows = forums

    def comune_in(self, region_id: int) -> Place:
        for _ in range(50):
            place = self.comune()
            if place.region == region_id:
                return place
        return next(p for p in self.comuni if p.region == region_id)

    # ------------------------------------------------------------ labs and proposals

    def labs(self) -> list[dict[str, Any]]:
        rng = self.rng
        labs = []
        standing_used: set[int] = set()
        for lid in range(1, self.spec["labs"] + 1):
            convener = self.authorities[(lid - 1) % len(self.authorities)]
            place = convener["home"] if convener["id"] > len(self.regions) else self.by_id[convener["home"].region]
            kind = rng.choices(("standing", "open", "deliberation", "past", "upcoming"), weights=(30, 30, 15, 20, 5))[0]
            if lid == 1:
                kind = "open"
            if kind == "standing" and place.id in standing_used:
                kind = "open"
            a = self.anchor
            dates = {
                "standing": (a - timedelta(days=400), None, None, None, None),
                "open": (a - timedelta(days=60), a + timedelta(days=30), a + timedelta(days=60), a + timedelta(days=75), None),
                "deliberation": (a - timedelta(days=120), a - timedelta(days=20), a + timedelta(days=20), a + timedelta(days=35), None),
                "past": (a - timedelta(days=400), a - timedelta(days=300), a - timedelta(days=250), a - timedelta(days=230),
                         a - timedelta(days=200)),
                "upcoming": (a + timedelta(days=20), a + timedelta(days=60), None, None, None),
            }[kind]
            if kind == "standing":
                standing_used.add(place.id)
            title = self.text.italian(tx.LAB_TITLES, place.name)[:160]
            paragraphs = self.text.paragraphs("it", place.name, (2, 4), (1, 3))
            actions = sorted(set(rng.sample(ACTION_LIST, rng.randint(1, 2))))
            lab = {
                "id": lid, "slug": slug(title, lid), "title": title, "description": tx.body_of(paragraphs),
                "description_html": tx.html_of(paragraphs), "convener_id": convener["id"], "territory_id": place.id,
                "actions": actions, "proposals_at": dates[0], "deliberation_at": dates[1], "voting_at": dates[2],
                "results_at": dates[3], "follow_up_at": dates[4], "support_threshold": 50, "votes_per_participant": 3,
                "eligibility": "residents" if kind == "standing" else "registered", "response_days": 30,
                "allow_organization_proposals": True, "standing_territory_id": place.id if kind == "standing" else None,
                "proposals_count": 0, "created_by_id": self.memberships[convener["id"]][0][0],
                "created_at": dates[0] - timedelta(days=10), "updated_at": dates[0] - timedelta(days=10), "version": 1,
                "kind": kind, "place": place,
            }
            labs.append(lab)
            self.doc("lab", lid, title, lab["description"], place, actions=actions, organization_id=convener["id"],
                     url_args={"slug": lab["slug"]}, dated_at=dates[0])
        self.tally.lab_slugs = {lab["id"]: lab["slug"] for lab in labs}
        self.tally.open_lab = 1
        return labs

    def proposals(self) -> None:  # noqa: C901, PLR0912, PLR0915 — proposals, supports, comments and answers in one pass
        rng, spec = self.rng, self.spec
        labs = self.labs()
        taking = [lab for lab in labs if lab["kind"] != "upcoming"]
        lab_of = rng.choices(taking, weights=[3.0 if lab["kind"] in ("open", "standing") else 1.0 for lab in taking], k=spec["proposals"])
        n = spec["proposals"]
        drafts = {i for i in range(1, n) if rng.random() < 0.03}  # never the first: it is the proposal with the rare word
        self.rare_targets["proposal"] = {1}
        public = [i for i in range(n) if i not in drafts]
        rng.shuffle(public)
        zipf = [1.0 / (rank + 1) ** 0.9 for rank in range(len(public))]
        supports, comments = [0] * n, [0] * n
        for i, k in zip(public, allocate(spec["supports"], zipf, max(1, int(spec["users"] * 0.7))), strict=True):
            supports[i] = k
        for i, k in zip(public, allocate(spec["comments"], [z ** 0.6 for z in zipf], 10**9), strict=True):
            comments[i] = k
        authorities = {o["id"]: o for o in self.authorities}
        # Answers go to the most supported proposals that reached the threshold.
        ranked = sorted((i for i in range(n) if supports[i] >= 50), key=lambda i: -supports[i])
        answered = set(ranked[: spec["responses"]])
        comment_id = 0
        for i in range(n):
            pid = i + 1
            lab = lab_of[i]
            place = lab["place"] if lab["place"].level == "comune" else self.comune_in(lab["place"].region)
            authority = authorities[lab["convener_id"]]
            start = lab["proposals_at"]
            end = min(self.anchor, lab["deliberation_at"] or self.anchor)
            published = self.between(start, end)
            title = self.text.italian(tx.PROPOSAL_TITLES, place.name)[:160]
            paragraphs = self.text.paragraphs("it", place.name, (2, 4), (2, 3))
            if i not in drafts and self.rare("proposal", pid):
                paragraphs.append(tx.RARE_SENTENCE)
            summary = self.text.sentence("it", place.name)[:500]
            action = rng.choice(lab["actions"])
            state, threshold_at, due_at, answered_at = "published", None, None, None
            decision = None
            if i in drafts:
                state, published = "draft", None
            elif supports[i] >= lab["support_threshold"]:
                threshold_at = self.between(published, self.anchor)
                due_at = threshold_at + timedelta(days=lab["response_days"])
                state = "awaiting_response"
                if i in answered:
                    decision = rng.choices(DECISIONS, weights=(35, 20, 20, 25))[0][0]
                    state = decision
                    answered_at = self.between(threshold_at, self.anchor) if decision != "evaluating" else None
            elif rng.random() < 0.01:
                state = "withdrawn"
            author = self.user()
            created = (published or self.anchor) - timedelta(days=1)
            self.put("proposals", {
                "id": pid, "lab_id": lab["id"], "title": title, "summary": summary, "body": tx.body_of(paragraphs),
                "body_html": tx.html_of(paragraphs), "action": action, "author_id": author, "organization_id": None,
                "authority_id": authority["id"], "state": state, "supports_count": supports[i], "votes_count": 0,
                "comments_count": comments[i], "published_at": published, "threshold_reached_at": threshold_at, "due_at": due_at,
                "answered_at": answered_at, "withdrawn_at": self.anchor - timedelta(days=1) if state == "withdrawn" else None,
                "is_hidden": False, "hidden_reason": "", "progress_percent": 0, "created_at": created,
                "updated_at": published or created, "version": 1 + supports[i],
            })
            self.follow(author, "proposal", pid, created)
            if state == "draft":
                continue
            lab["proposals_count"] += 1
            self.doc("proposal", pid, title, f"{summary}\n{tx.body_of(paragraphs)}", lab["place"], actions=[action],
                     organization_id=lab["convener_id"], url_args={"proposal_id": pid}, dated_at=published)
            if supports[i]:
                for u in sorted(rng.sample(range(1, spec["users"] + 1), supports[i])):
                    self.put("proposal_supports", {"proposal_id": pid, "user_id": u, "created_at": self.between(published, self.anchor)})
            officials = self.officials.get(authority["id"]) or [self.memberships[authority["id"]][0][0]]
            tops: list[int] = []
            for _ in range(comments[i]):
                comment_id += 1
                official = decision is not None and rng.random() < 0.1
                parent = rng.choice(tops) if tops and rng.random() < 0.3 else None
                paragraphs = self.text.paragraphs("it" if rng.random() < 0.8 else self.text.language(), place.name, (1, 2), (1, 1))
                self.put("proposal_comments", {
                    "id": comment_id, "proposal_id": pid, "parent_id": parent,
                    "author_id": rng.choice(officials) if official else self.user(),
                    "organization_id": authority["id"] if official else None, "body": tx.body_of(paragraphs),
                    "body_html": tx.html_of(paragraphs), "is_official": official, "created_at": self.between(published, self.anchor),
                    "deleted_at": None, "is_hidden": False, "hidden_reason": "",
                })
                if parent is None:
                    tops.append(comment_id)
            if decision is not None:
                text = rng.choice(tx.RESPONSE_TEXTS)
                at = answered_at or self.between(threshold_at or published, self.anchor)
                self.put("proposal_responses", {
                    "id": len(self.tally.responded) + 1, "proposal_id": pid, "organization_id": authority["id"],
                    "author_id": officials[0], "decision": decision, "text": text, "text_html": tx.html_of([text]),
                    "office": "Ufficio Immigrazione e Cittadinanza", "next_step": "Ne parliamo al prossimo forum territoriale.",
                    "contact": "Sportello stranieri, dal lunedì al venerdì 9-12", "cost_estimate_cents": None, "expected_on": None,
                    "created_at": at, "updated_at": at, "version": 1,
                })
                self.tally.responded.append((pid, comments[i]))
            if lab["kind"] == "open" and state in ("published", "awaiting_response") and len(self.tally.open_proposals) < 200:
                self.tally.open_proposals.append(pid)
        for lab in labs:
            self.put("labs", {k: v for k, v in lab.items() if k not in ("kind", "place")})
