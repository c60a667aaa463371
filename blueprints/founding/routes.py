"""The founding path: from informal group to registered association (APS or ODV)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from app.exceptions import Conflict, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import founding, organizations, uploads
from blueprints.common import apply_errors, current_actor, require_actor, send_private_file
from blueprints.founding.forms import (
    LEGAL_FORM_CHOICES,
    STATUS_LABELS,
    AnswersForm,
    ButtonForm,
    CompleteForm,
    MentorForm,
    StepForm,
)
from models import FoundingPath, MentorStatus, User

bp = Blueprint("founding", __name__)


@bp.get("/founding/")
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    return render_template(
        "founding/index.html", guide=founding.GUIDE, button=ButtonForm(), progress=founding.progress,
        paths=founding.paths_for(actor) if actor else [], groups=founding.groups_to_start(actor) if actor else [],
    )


@bp.post("/founding/start/<slug>")
@login_required
def start(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    group = organizations.get_by_slug(slug, actor)
    ensure(actor, Permission.FOUNDING_START, group)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("founding.index"))
    try:
        founding.start_path(actor, group)
    except Conflict as exc:
        flash(str(exc), "info")
    else:
        flash(_l("The founding path has started. Go through the seven steps at your own pace."), "success")
    return redirect(url_for("founding.show", slug=group.slug))


@bp.get("/founding/<slug>")
@login_required
def show(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    return _show_page(actor, founding.get_path(actor, slug))


def _show_page(actor: User, path: FoundingPath, status: int = 200, failed: str = "", form: Any = None):  # type: ignore[no-untyped-def]
    """The path page; ``form`` (named ``failed``) replaces its fresh twin to show its errors."""
    answers = AnswersForm(prefix="answers", formdata=None)
    answers.fill_from(path)
    steps = {}
    for step in path.steps:
        steps[step.key.value] = StepForm(prefix=step.key.value, formdata=None)
        steps[step.key.value].fill_from(step, path)
    manage = can(actor, Permission.FOUNDING_MANAGE, path)
    invite = MentorForm(prefix="mentor", formdata=None)
    complete_form = CompleteForm(prefix="complete", formdata=None, version=str(path.version))
    forms = {"answers": answers, "mentor": invite, "complete": complete_form, **steps}
    if form is not None:
        forms[failed] = form
    can_invite = manage and path.mentor_status in (MentorStatus.NONE, MentorStatus.DECLINED)
    forms["mentor"].set_candidates(founding.mentor_candidates(path) if can_invite else [])
    return render_template(
        "founding/show.html", path=path, guide=founding.GUIDE, forms=forms, manage=manage, can_invite=can_invite,
        progress=founding.progress(path), warnings=founding.warnings(path), button=ButtonForm(), failed=failed if form else "",
        status_labels=STATUS_LABELS, legal_labels=LEGAL_FORM_CHOICES, min_runts=founding.MIN_MEMBERS_RUNTS,
    ), status


def _managed(slug: str) -> tuple[User, FoundingPath]:
    """The actor and the path they manage (404 if they may not see it, 403 if only see it)."""
    actor = require_actor()
    path = founding.get_path(actor, slug)
    ensure(actor, Permission.FOUNDING_MANAGE, path)
    return actor, path


def _attempt(actor: User, path: FoundingPath, name: str, form: Any, *, action: Callable[[], Any], success: Any, anchor: str):  # type: ignore[no-untyped-def]
    """Validate the form and run its one service call: back to the page on success, the page
    with the form's errors otherwise (400 for invalid input, 409 when someone saved meanwhile)."""
    if form.validate_on_submit():
        try:
            action()
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            if hasattr(form, "version"):
                form.version.data = str(path.version)  # the next save is checked against the version now shown
            return _show_page(actor, path, 409, name, form)
        else:
            flash(success, "success")
            return redirect(url_for("founding.show", slug=path.organization.slug, _anchor=anchor))
    return _show_page(actor, path, 400, name, form)


@bp.post("/founding/<slug>/answers")
@login_required
def answers(slug: str):  # type: ignore[no-untyped-def]
    actor, path = _managed(slug)
    form = AnswersForm(prefix="answers")
    return _attempt(actor, path, "answers", form, action=lambda: founding.save_answers(actor, path, form.to_draft()),
                    success=_l("Your answers are saved."), anchor="answers")


def _upload(form: StepForm) -> uploads.Upload | None:
    """The document from the request, read up to the size limit plus one byte (the service refuses more)."""
    file = form.file.data
    if not file or not getattr(file, "filename", ""):
        return None
    return uploads.Upload(filename=file.filename, data=file.stream.read(uploads.settings.max_document_bytes + 1))


@bp.post("/founding/<slug>/steps/<key>")
@login_required
def step(slug: str, key: str):  # type: ignore[no-untyped-def]
    actor, path = _managed(slug)
    found = founding.get_step(path, key)
    form = StepForm(prefix=found.key.value)

    def action() -> None:
        founding.update_step(actor, path, found.key.value, form.status.data or "", form.notes.data or "", _upload(form),
                             seen_version=form.seen_version)

    return _attempt(actor, path, found.key.value, form, action=action, success=_l("The step is saved."), anchor=f"step-{found.key.value}")


@bp.post("/founding/<slug>/documents/<int:document_id>/delete")
@login_required
def delete_document(slug: str, document_id: int):  # type: ignore[no-untyped-def]
    actor, path = _managed(slug)
    if ButtonForm().validate_on_submit():
        try:
            founding.remove_document(actor, path, document_id)
        except Conflict as exc:
            flash(str(exc), "warning")
        else:
            flash(_l("The document was removed."), "info")
    return redirect(url_for("founding.show", slug=path.organization.slug))


@bp.get("/founding/<slug>/documents/<int:document_id>")
@login_required
def document(slug: str, document_id: int):  # type: ignore[no-untyped-def]
    path = founding.get_path(require_actor(), slug)
    stored = founding.get_document(path, document_id).file
    return send_private_file(stored)


@bp.post("/founding/<slug>/mentor")
@login_required
def mentor(slug: str):  # type: ignore[no-untyped-def]
    actor, path = _managed(slug)
    form = MentorForm(prefix="mentor")
    return _attempt(actor, path, "mentor", form, action=lambda: founding.invite_mentor(actor, path, form.mentor.data or ""),
                    success=_l("The invitation was sent. The association's admins will answer."), anchor="mentor")


@bp.post("/founding/<slug>/mentor/<any(accept, decline):answer>")
@login_required
def answer_mentor(slug: str, answer: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    path = founding.get_path(actor, slug)
    ensure(actor, Permission.FOUNDING_MENTOR, path)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("founding.show", slug=path.organization.slug))
    founding.answer_mentor(actor, path, answer == "accept")
    if answer == "accept":
        flash(_l("Thank you! You are now the mentor of this group."), "success")
        return redirect(url_for("founding.show", slug=path.organization.slug))
    flash(_l("You declined the invitation. The group can invite another association."), "info")
    return redirect(url_for("founding.index"))


@bp.post("/founding/<slug>/complete")
@login_required
def complete(slug: str):  # type: ignore[no-untyped-def]
    actor, path = _managed(slug)
    form = CompleteForm(prefix="complete")
    return _attempt(actor, path, "complete", form, action=lambda: founding.complete(actor, path, form.to_draft()),
                    success=_l("Congratulations! The group is now a registered association."), anchor="complete")


@bp.get("/founding/<slug>/statute")
@login_required
def statute(slug: str):  # type: ignore[no-untyped-def]
    path = founding.get_path(require_actor(), slug)
    return render_template("founding/statute.html", path=path)
