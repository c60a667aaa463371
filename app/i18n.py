"""Languages, locale and time-zone selection, text direction.

Choice order for the interface language: ``?lang=`` on this request → a language picked
with the switch in this browser session → the user's setting → the ``ponte_lang`` cookie →
``Accept-Language`` → Italian.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.support import NullTranslations
from flask import current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Babel
from flask_babel import get_translations as _babel_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

DEFAULT_LOCALE = "it"
COOKIE = "ponte_lang"
SESSION_KEY = "locale"


@dataclass(frozen=True)
class Language:
    code: str  # Babel/gettext code, also used in URLs
    native: str  # the language's name in its own script
    tag: str  # BCP 47 tag for lang="" and hreflang
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("it", "Italiano", "it"),
        Language("en", "English", "en"),
        Language("fr", "Français", "fr"),
        Language("ar", "العربية", "ar", rtl=True),
        Language("ro", "Română", "ro"),
        Language("sq", "Shqip", "sq"),
        Language("uk", "Українська", "uk"),
        Language("zh_Hans", "简体中文", "zh-Hans"),
        Language("es", "Español", "es"),
        Language("bn", "বাংলা", "bn"),
        Language("ur", "اردو", "ur", rtl=True),
        Language("pa_Guru", "ਪੰਜਾਬੀ", "pa-Guru"),
    )
}

# Languages whose catalogs must be complete (0 untranslated, 0 fuzzy): all twelve today.
COMPLETE_LOCALES = ("it", "en", "fr", "ar", "ro", "sq", "uk", "zh_Hans", "es", "bn", "ur", "pa_Guru")

# Accept-Language tags → our codes (browsers send zh-CN, pa-IN, …).
_ALIASES = {"zh": "zh_Hans", "zh_cn": "zh_Hans", "zh_sg": "zh_Hans", "zh_hans": "zh_Hans", "pa": "pa_Guru", "pa_in": "pa_Guru", "pa_guru": "pa_Guru"}


def normalize(code: str | None) -> str | None:
    """Map a user- or browser-supplied language code to one of ours, or None."""
    if not code or len(code) > 20:
        return None
    raw = code.strip().replace("-", "_")
    if raw in LANGUAGES:
        return raw
    low = raw.lower()
    if low in _ALIASES:
        return _ALIASES[low]
    base = low.split("_", 1)[0]
    if base in LANGUAGES:
        return base
    return _ALIASES.get(base)


def language(code: str) -> Language:
    return LANGUAGES.get(code) or LANGUAGES[DEFAULT_LOCALE]


def text_direction(code: str) -> str:
    return "rtl" if language(code).rtl else "ltr"


def best_from_accept_language(header_values: list[tuple[str, float]]) -> str | None:
    """Pick the best supported language from parsed ``Accept-Language`` values."""
    for value, _quality in header_values:
        found = normalize(value)
        if found:
            return found
    return None


def select_locale() -> str:
    """Flask-Babel locale selector (runs once per request, result cached by Babel)."""
    forced = getattr(g, "forced_locale", None)
    if forced:
        return forced
    if not has_request_context():  # CLI commands and jobs: messages in the default language
        return DEFAULT_LOCALE
    candidates: list[Any] = [
        normalize(request.args.get("lang")),
        normalize(session.get(SESSION_KEY)),
        _user_locale(),
        normalize(request.cookies.get(COOKIE)),
        best_from_accept_language(list(request.accept_languages)),
    ]
    for candidate in candidates:
        if candidate:
            return candidate
    return DEFAULT_LOCALE


def _user_locale() -> str | None:
    if g.get("db_down"):
        return None
    return normalize(current_user.locale) if current_user.is_authenticated else None


def select_timezone() -> str:
    if has_request_context() and not g.get("db_down") and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["DEFAULT_TIMEZONE"]


babel = Babel()


# ---------------------------------------------------------------- fast gettext
# Flask-Babel's gettext walks four or five context proxies on every call (get_domain,
# get_locale, _get_current_context twice…): about 60 calls per page. ``translations()`` gives
# the same catalog, remembered next to Flask-Babel's own per-context state (``g._flask_babel``)
# together with the locale and domain objects it was resolved for: ``force_locale`` and
# ``refresh`` replace those objects, so a mail rendered in the recipient's language inside a
# request, or a page after a language change, still gets the right catalog.

_NULL_TRANSLATIONS = NullTranslations()


def translations() -> Any:
    """This context's gettext catalog (``flask_babel.get_translations()``, resolved once)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return _NULL_TRANSLATIONS
    state = app_ctx.g.__dict__.get("_flask_babel")
    if state is not None:
        seen = state.__dict__
        cached = seen.get("ponte_translations")
        if cached is not None and cached[0] is seen.get("babel_locale") and cached[1] is seen.get("babel_domain"):
            return cached[2]
    found = _babel_translations()
    seen = app_ctx.g._flask_babel.__dict__
    locale = seen.get("babel_locale")
    if locale is not None:
        seen["ponte_translations"] = (locale, seen.get("babel_domain"), found)
    return found


def gettext(string: str, **variables: Any) -> str:
    """``flask_babel.gettext`` on the cached catalog."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``flask_babel.ngettext`` on the cached catalog (``num`` is always a format variable)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """``flask_babel.lazy_gettext``: translated each time it is used, in that context's language."""
    return LazyString(gettext, string, **variables)


_l = lazy_gettext


def init_app(app: Any) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["DEFAULT_TIMEZONE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


# ---------------------------------------------------------------- labels of stored codes
# One place for the translated names of enum values, used by forms (choices) and templates
# (badges, lists). Values are lazy strings: they render in the language of each request.

KIND_NAMES = {  # short, for badges
    "migrant_association": _l("Migrant association"),
    "youth_association": _l("Second-generation youth association"),
    "informal_group": _l("Informal group"),
    "local_authority": _l("Public body"),
    "school": _l("School"),
    "third_sector": _l("Third-sector body"),
}
KIND_CHOICES = {  # explained, for the profile form
    "migrant_association": _l("Migrant association"),
    "youth_association": _l("Association of young people of the second generation"),
    "informal_group": _l("Informal group (not registered yet)"),
    "local_authority": _l("Public body (Comune, Region, ASL, Prefettura, social district)"),
    "school": _l("School or adult school (CPIA)"),
    "third_sector": _l("Third-sector body (cooperative, NGO, volunteer organisation)"),
}
ACTION_NAMES = {
    "action_01": _l("Action 01: School"),
    "action_02": _l("Action 02: Local services"),
    "action_03": _l("Action 03: Information"),
    "action_04": _l("Action 04: Migrant associations"),
}
AREA_NAMES = {
    **ACTION_NAMES,
    "italian_l2": _l("Italian as a second language"),
    "peer_education": _l("Peer education"),
    "mediation": _l("Linguistic and cultural mediation"),
    "orientation": _l("Orientation"),
    "work": _l("Work"),
    "housing": _l("Housing"),
    "health": _l("Health"),
    "culture": _l("Culture"),
    "sport": _l("Sport"),
    "volunteering": _l("Volunteering"),
}
LEGAL_FORM_NAMES = {
    "aps": _l("APS: association for social promotion"),
    "odv": _l("ODV: volunteer organisation"),
    "other_ets": _l("Other third-sector body (ETS)"),
    "unregistered": _l("Not registered yet"),
}
SCHOOL_LEVEL_NAMES = {
    "primary": _l("Primary school"),
    "lower_secondary": _l("Lower secondary school"),
    "upper_secondary": _l("Upper secondary school"),
    "comprehensive": _l("Comprehensive institute (istituto comprensivo)"),
    "cpia": _l("Adult school (CPIA)"),
}
AUTHORITY_NAMES = {
    "comune": _l("Comune"),
    "regione": _l("Region"),
    "asl": _l("Local health authority (ASL)"),
    "prefettura": _l("Prefettura"),
    "district_office": _l("Social district office"),
}
THIRD_SECTOR_NAMES = {
    "cooperative": _l("Social cooperative"),
    "ngo": _l("NGO"),
    "volunteer_org": _l("Volunteer organisation"),
    "other": _l("Other"),
}
ROLE_NAMES = {"admin": _l("Admin"), "member": _l("Member"), "official": _l("Official"), "staff": _l("School staff")}
REPORT_REASON_NAMES = {
    "spam": _l("Spam or advertising"),
    "false_information": _l("False or misleading information"),
    "impersonation": _l("It pretends to be someone else"),
    "offensive": _l("Offensive or hateful content"),
    "off_topic": _l("Off topic"),
    "personal_data": _l("It shows someone's personal data"),
    "other": _l("Something else"),
}
TERRITORY_LEVEL_NAMES = {
    "region": _l("Region"),
    "province": _l("Province"),
    "district": _l("Social district"),
    "comune": _l("Comune"),
}
LAB_PHASE_NAMES = {
    "upcoming": _l("Not started yet"),
    "proposals": _l("Proposals"),
    "deliberation": _l("Discussion"),
    "voting": _l("Voting"),
    "results": _l("Results"),
    "follow_up": _l("Follow-up"),
}
ELIGIBILITY_NAMES = {
    "residents": _l("People who live in the territory of the lab"),
    "registered": _l("Everyone with a confirmed account"),
}
PROPOSAL_STATE_NAMES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "awaiting_response": _l("Waiting for an answer"),
    "evaluating": _l("Being evaluated"),
    "accepted": _l("Accepted"),
    "partially_accepted": _l("Partly accepted"),
    "rejected": _l("Not accepted"),
    "in_progress": _l("In progress"),
    "implemented": _l("Done"),
    "withdrawn": _l("Withdrawn"),
}
RESPONSE_DECISION_NAMES = {
    "evaluating": _l("We are evaluating it"),
    "accepted": _l("Accepted"),
    "partially_accepted": _l("Partly accepted"),
    "rejected": _l("Not accepted"),
}
PROGRESS_STATUS_NAMES = {"in_progress": _l("In progress"), "implemented": _l("Done")}
PROPOSAL_SORT_NAMES = {"newest": _l("Newest"), "supported": _l("Most supported"), "random": _l("Random order")}
EVENT_KIND_NAMES = {
    "assembly": _l("Assembly"),
    "workshop": _l("Workshop"),
    "training_day": _l("Training day"),
    "peer_education": _l("Peer-education lab"),
    "italian_l2": _l("Italian class"),
    "info_session": _l("Information session"),
    "festival": _l("Festival or community event"),
    "forum_meeting": _l("Forum meeting"),
    "online_meeting": _l("Online meeting"),
}
EVENT_MODE_NAMES = {"in_person": _l("In person"), "online": _l("Online"), "hybrid": _l("In person and online")}
REGISTRATION_MODE_NAMES = {
    "open": _l("Open: first come, first served"),
    "approval": _l("The organisers confirm each request"),
    "closed": _l("No registration"),
}
RECURRENCE_NAMES = {"none": _l("Only once"), "weekly": _l("Every week"), "monthly": _l("Every month")}
REGISTRATION_STATUS_NAMES = {
    "confirmed": _l("Place confirmed"),
    "waiting": _l("On the waiting list"),
    "pending": _l("Waiting for the organisers"),
    "declined": _l("Not accepted"),
    "cancelled": _l("Cancelled"),
}
INITIATIVE_KIND_NAMES = {
    "peer_education": _l("Peer education between Italian and foreign pupils"),
    "italian_l2": _l("Italian as a second language course"),
    "school_orientation": _l("Orientation when changing school"),
    "family_involvement": _l("Involving families"),
    "mediation": _l("Linguistic and cultural mediation"),
    "capacity_building": _l("Training for associations"),
    "operator_training": _l("Training for service staff"),
    "youth_volunteering": _l("Volunteering and active citizenship of young people of the second generation"),
    "local_plan": _l("Joint local plan (Comune, schools, third sector, ASL, Prefettura)"),
}
TARGET_GROUP_NAMES = {
    "primary_pupils": _l("Primary school pupils"),
    "lower_secondary_pupils": _l("Lower secondary pupils"),
    "upper_secondary_pupils": _l("Upper secondary students"),
    "families": _l("Families"),
    "association_leaders": _l("Association leaders"),
    "service_operators": _l("Staff of public services"),
    "youth_2g": _l("Young people of the second generation"),
    "women": _l("Women"),
    "newly_arrived_adults": _l("Newly arrived adults"),
}
INITIATIVE_STATUS_NAMES = {
    "draft": _l("Draft"),
    "planned": _l("Planned"),
    "running": _l("Running"),
    "completed": _l("Completed"),
}
PARTNER_ROLE_NAMES = {
    "lead": _l("Lead organisation"),
    "partner": _l("Partner"),
    "host_school": _l("Host school"),
    "supporting_authority": _l("Supporting public body"),
    "funder": _l("Funder"),
}
PARTNER_STATUS_NAMES = {"invited": _l("Invited"), "confirmed": _l("Confirmed"), "declined": _l("Declined")}
APPLICATION_STATUS_NAMES = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Not accepted"),
    "withdrawn": _l("Withdrawn"),
}
GENDER_NAMES = {"not_recorded": _l("Not recorded"), "female": _l("Women and girls"), "male": _l("Men and boys"), "other": _l("Other")}
AGE_BAND_NAMES = {
    "not_recorded": _l("Not recorded"),
    "under_11": _l("Under 11"),
    "11_13": _l("11 to 13"),
    "14_18": _l("14 to 18"),
    "19_29": _l("19 to 29"),
    "30_64": _l("30 to 64"),
    "65_plus": _l("65 and over"),
}
CASE_STATUS_NAMES = {"draft": _l("Draft"), "published": _l("Published")}
