"""Event forms: publish or edit an event, change one date, register, manage attendees,
translations and co-organisers. Every button is a form with a CSRF token."""

from __future__ import annotations

from datetime import timedelta

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.i18n import (
    ACTION_NAMES,
    EVENT_KIND_NAMES,
    EVENT_MODE_NAMES,
    LANGUAGES,
    RECURRENCE_NAMES,
    REGISTRATION_MODE_NAMES,
    _l,
)
from app.services.events import EventDraft, SessionChange, local
from blueprints.forms_common import BaseForm, Blank, MultiCheckboxField, choices, language_choices, max_length, required
from models import Event, EventSession, Forum, Lab

MARKDOWN_HELP = _l("You can use Markdown: **bold**, _italic_, lists with -, links. HTML is shown as text.")
STEP_FREE = {"yes": True, "no": False, "unknown": None}
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the field has a step


def _date(label: object, description: object | None = None, optional: bool = False) -> DateField:
    return DateField(label, [Optional() if optional else Blank()], description=description)


def _time(label: object) -> TimeField:
    return TimeField(label, [Blank()], format=TIME_FORMATS)


def _seen(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else -1


class EventForm(BaseForm):
    # What
    title = StringField(_l("Title"), [required(), max_length(160)], description=_l("Say in a few words what happens."))
    description = TextAreaField(_l("Description"), [required(), max_length(20_000)],
                                description=MARKDOWN_HELP)
    kind = SelectField(_l("Kind of event"), choices=choices(list(EVENT_KIND_NAMES.items())), validate_choice=False)
    language = SelectField(_l("Language of the title and description"), choices=language_choices(), validate_choice=False,
                           description=_l("You can add other languages after publishing."))
    action = SelectField(_l("Action"), choices=choices([("", _l("No action")), *ACTION_NAMES.items()]), validate_choice=False)
    lab_id = SelectField(_l("Community lab"), choices=[], default="", description=_l("Link the event to a lab of your organisation, if it belongs to one."))
    forum_id = SelectField(_l("Forum"), choices=[], default="", description=_l("Link the event to a forum, for example for a forum meeting."))
    # When
    starts_on = _date(_l("Day"), _l("The first day, for a series or an event over several days."))
    all_day = BooleanField(_l("All day"))
    start_time = _time(_l("Start time"))
    end_time = _time(_l("End time"))
    ends_on = _date(_l("Last day"), _l("Only for an event over several days. Leave empty otherwise."), optional=True)
    recurrence = RadioField(_l("Repeat"), choices=choices(list(RECURRENCE_NAMES.items())), default="none", validate_choice=False)
    repeat_until = _date(_l("Repeat until"), _l("The day of the last session of the series."))
    # Where
    mode = RadioField(_l("How people take part"), choices=choices(list(EVENT_MODE_NAMES.items())), default="in_person",
                      validate_choice=False)
    venue = StringField(_l("Venue"), [max_length(200)], description=_l("For example: Biblioteca comunale, sala 2."))
    address = StringField(_l("Address"), [max_length(300)])
    territory = StringField(_l("Comune"), [required(), max_length(100)],
                            description=_l("Where it takes place. For an online event: the area it is for."))
    online_url = URLField(_l("Link of the online meeting"), [max_length(500)], description=_l("It starts with https://"))
    online_url_registrants_only = BooleanField(_l("Show the link only to registered people"))
    # Accessibility
    step_free = RadioField(_l("Step-free access"), choices=choices([("yes", _l("Yes")), ("no", _l("No")), ("unknown", _l("Not known"))]),
                           default="unknown", validate_choice=False)
    interpretation_languages = MultiCheckboxField(_l("Interpretation into"), choices=language_choices())
    childcare = BooleanField(_l("Childcare available"))
    accessibility_notes = TextAreaField(_l("Accessibility notes"), [max_length(500)],
                                        description=_l("For example: induction loop, sign language, a quiet room, the nearest bus stop."))
    languages = MultiCheckboxField(_l("Languages spoken at the event"), choices=language_choices())
    # Registration
    registration_mode = RadioField(_l("Registration"), choices=choices(list(REGISTRATION_MODE_NAMES.items())), default="open",
                                   validate_choice=False)
    capacity = IntegerField(_l("Places"), [Optional()], description=_l("For each date. Leave empty when there is no limit."))
    version = HiddenField()

    def set_labs(self, labs: list[Lab]) -> None:
        self.lab_id.choices = [SelectChoice("", _l("No lab")), *(SelectChoice(str(lab.id), lab.title) for lab in labs)]

    def set_forums(self, forums: list[Forum]) -> None:
        self.forum_id.choices = [SelectChoice("", _l("No forum")), *(
            SelectChoice(str(f.id), f.territory.name + (f" · {ACTION_NAMES[f.action]}" if f.action else "")) for f in forums)]

    def fill_defaults(self, territory_label: str, language: str) -> None:
        self.territory.data = territory_label
        self.language.data = language if language in LANGUAGES else "it"

    def fill_from(self, event: Event, territory_label: str, sessions: list[EventSession]) -> None:
        """Pre-fill from the stored event (GET of the edit page): days and times in Rome."""
        for name in ("title", "description", "kind", "language", "action", "mode", "venue", "address", "online_url",
                     "online_url_registrants_only", "childcare", "accessibility_notes", "all_day", "capacity"):
            getattr(self, name).data = getattr(event, name)
        self.kind.data, self.mode.data = event.kind.value, event.mode.value
        self.registration_mode.data, self.recurrence.data = event.registration_mode.value, event.recurrence.value
        self.lab_id.data = str(event.lab_id) if event.lab_id else ""
        self.forum_id.data = str(event.forum_id) if event.forum_id else ""
        self.territory.data = territory_label
        self.step_free.data = next(k for k, v in STEP_FREE.items() if v is event.step_free)
        self.interpretation_languages.data = list(event.interpretation_languages or [])
        self.languages.data = list(event.languages or [])
        start, end = local(event.starts_at), local(event.ends_at)
        self.starts_on.data = start.date()
        last = (end - timedelta(days=1)).date() if event.all_day else end.date()
        self.ends_on.data = last if last != start.date() else None
        if not event.all_day:
            self.start_time.data, self.end_time.data = start.time(), end.time()
        if event.is_series and sessions:
            self.repeat_until.data = local(max(s.original_start for s in sessions)).date()
        self.version.data = str(event.version)

    def to_draft(self) -> EventDraft:
        lab = self.lab_id.data or ""
        forum = self.forum_id.data or ""
        return EventDraft(
            title=self.title.data or "", description=self.description.data or "", kind=self.kind.data or "",
            starts_on=self.starts_on.data, start_time=self.start_time.data, end_time=self.end_time.data,
            language=self.language.data or "", action=self.action.data or "", mode=self.mode.data or "",
            venue=self.venue.data or "", address=self.address.data or "", territory=self.territory.data or "",
            online_url=self.online_url.data or "", online_url_registrants_only=bool(self.online_url_registrants_only.data),
            step_free=STEP_FREE.get(self.step_free.data or "unknown"), childcare=bool(self.childcare.data),
            interpretation_languages=list(self.interpretation_languages.data or []), languages=list(self.languages.data or []),
            accessibility_notes=self.accessibility_notes.data or "", all_day=bool(self.all_day.data), ends_on=self.ends_on.data,
            recurrence=self.recurrence.data or "", repeat_until=self.repeat_until.data,
            registration_mode=self.registration_mode.data or "", capacity=self.capacity.data,
            lab_id=int(lab) if lab.isdigit() else None,
            forum_id=int(forum) if forum.isdigit() else None,
        )

    @property
    def seen_version(self) -> int:
        return _seen(self.version.data)


class SessionForm(BaseForm):
    """Move one date (or add a note to it)."""

    day = _date(_l("Day"))
    start_time = _time(_l("Start time"))
    end_time = _time(_l("End time"))
    note = StringField(_l("Note for this date"), [max_length(300)], description=_l("For example: this week in room 2."))

    def fill_from(self, session: EventSession) -> None:
        start, end = local(session.starts_at), local(session.ends_at)
        self.day.data, self.start_time.data, self.end_time.data, self.note.data = start.date(), start.time(), end.time(), session.note

    def to_change(self) -> SessionChange:
        return SessionChange(day=self.day.data, start=self.start_time.data, end=self.end_time.data, note=self.note.data or "")


class CapacityForm(BaseForm):
    capacity = IntegerField(_l("Places for this date"), [Optional()],
                            description=_l("Leave empty to use the places of the event. More places go to the waiting list at once."))


class ReasonForm(BaseForm):
    """Cancel an event or one date: the reason is told to registered people."""

    reason = StringField(_l("Reason"), [max_length(300)], description=_l("Registered people will read it."))


class RegisterForm(BaseForm):
    session_id = HiddenField()


class RegistrationButtonForm(BaseForm):
    """Approve, decline, check in: the registration's date travels with the button."""

    session_id = HiddenField()


class TranslationForm(BaseForm):
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), [required(), max_length(160)])
    description = TextAreaField(_l("Description"), [max_length(20_000)], description=MARKDOWN_HELP)

    def set_languages(self, original: str) -> None:
        self.language.choices = [c for c in language_choices() if c.value != original]


class RemoveTranslationForm(BaseForm):
    language = HiddenField()


class InviteOrganizerForm(BaseForm):
    organization = StringField(_l("Organisation"), [required(), max_length(300)],
                               description=_l("The address of its page on Ponte, or its exact name."))


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
