"""Forum forms: new thread, reply, edit, report, moderation."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.i18n import ACTION_NAMES, REPORT_REASON_NAMES, _l
from app.services.forums import PostDraft, ThreadDraft
from app.services.moderation import ReportDraft
from blueprints.forms_common import BaseForm, choices, max_length, required
from models import Forum, Organization

ACTION_CHOICES = [("", _l("No action")), *ACTION_NAMES.items()]
CONTENT_REASONS = {k: REPORT_REASON_NAMES[k] for k in ("spam", "offensive", "off_topic", "personal_data", "other")}
MARKDOWN_HELP = _l("You can use Markdown: **bold**, _italic_, lists with -, links. HTML is shown as text.")


def _speaker_choices(orgs: list[Organization]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Myself")), *(SelectChoice(str(o.id), o.name) for o in orgs)]


class ThreadForm(BaseForm):
    title = StringField(_l("Title"), [required(), max_length(160)], description=_l("Say in a few words what it is about."))
    body = TextAreaField(_l("Message"), [required(), max_length(20_000)], description=MARKDOWN_HELP)
    action = SelectField(_l("Action"), choices=choices(ACTION_CHOICES), validate_choice=False)
    organization_id = SelectField(_l("Write as"), choices=[], validate_choice=False)

    def set_speakers(self, orgs: list[Organization]) -> None:
        self.organization_id.choices = _speaker_choices(orgs)

    def to_draft(self) -> ThreadDraft:
        org = self.organization_id.data or ""
        return ThreadDraft(title=self.title.data or "", body=self.body.data or "", action=self.action.data or "",
                           organization_id=int(org) if org.isdigit() else None)


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Your reply"), [required(), max_length(20_000)], description=MARKDOWN_HELP)
    reply_to = IntegerField(_l("Reply to message number"), [Optional()], widget=None)
    organization_id = SelectField(_l("Write as"), choices=[], validate_choice=False)

    def set_speakers(self, orgs: list[Organization]) -> None:
        self.organization_id.choices = _speaker_choices(orgs)

    def to_draft(self) -> PostDraft:
        org = self.organization_id.data or ""
        return PostDraft(body=self.body.data or "", reply_to=self.reply_to.data, organization_id=int(org) if org.isdigit() else None)


class EditPostForm(BaseForm):
    body = TextAreaField(_l("Message"), [required(), max_length(20_000)], description=MARKDOWN_HELP)
    version = HiddenField()

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() else -1


class ContentReportForm(BaseForm):
    reason = SelectField(_l("What is wrong?"), choices=choices(list(CONTENT_REASONS.items())))
    message = TextAreaField(_l("Details (optional)"), [Optional(), max_length(1000)])

    def to_draft(self) -> ReportDraft:
        return ReportDraft(reason=self.reason.data or "", message=self.message.data or "")


class ModerateForm(BaseForm):
    reason = StringField(_l("Reason (the author can read it)"), [Optional(), max_length(300)])


class MoveForm(BaseForm):
    forum = SelectField(_l("Move to forum"), choices=[], validate_choice=False)

    def set_forums(self, forums: list[Forum], current: Forum) -> None:
        self.forum.choices = [SelectChoice(f.slug, f.territory.name + (f" · {f.action[-2:]}" if f.action else "")) for f in forums]
        self.forum.data = current.slug


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
