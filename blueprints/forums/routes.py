"""Forums, threads and posts; moderators' actions on them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.exceptions import Conflict, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import forums, memberships, moderation, territories
from blueprints.common import apply_errors, current_actor, flash_outcome, page_arg, require_actor
from blueprints.forums.forms import (
    ButtonForm,
    ContentReportForm,
    EditPostForm,
    ModerateForm,
    MoveForm,
    ReplyForm,
    ThreadForm,
)

bp = Blueprint("forums", __name__)


def _speakers(form: ThreadForm | ReplyForm) -> None:
    actor = current_actor()
    form.set_speakers(memberships.acting_organizations(actor) if actor else [])


@bp.get("/forums/")
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    return render_template("forums/index.html", regional=forums.regional_forums(), mine=forums.my_forums(actor) if actor else [])


@bp.get("/territories/<code>/forum")
def territory_forum(code: str):  # type: ignore[no-untyped-def]
    forum = forums.forum_for(territories.get_by_code(code))
    return redirect(url_for("forums.show", slug=forum.slug))


@bp.get("/forums/<slug>")
def show(slug: str):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    view = forums.open_forum(viewer, slug)
    action = request.args.get("action", "")
    try:
        threads = forums.list_threads(viewer, view.forum, action, page_arg(), after=request.args.get("after"),
                                      before=request.args.get("before"))
    except ValidationFailed:
        return render_template("errors/400.html"), 400
    return render_template(
        "forums/show.html", forum=view.forum, threads=threads, action=action, button=ButtonForm(),
        member=view.is_member, following=view.is_following, moderators=forums.moderators_of(view.forum),
    )


@bp.post("/forums/<slug>/<any(join, leave):choice>")
@login_required
def membership(slug: str, choice: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    forum = forums.get_forum(slug)
    if ButtonForm().validate_on_submit():
        if choice == "join":
            forums.join(actor, forum)
            flash(_l("You joined the forum."), "success")
        else:
            forums.leave(actor, forum)
            flash(_l("You left the forum."), "info")
    return redirect(url_for("forums.show", slug=forum.slug))


@bp.route("/forums/<slug>/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new_thread(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    forum = forums.get_forum(slug)
    ensure(actor, Permission.FORUM_POST, forum)
    form = ThreadForm()
    _speakers(form)
    if request.method == "GET":
        form.action.data = forum.action
    preview = forums.preview(form.body.data or "") if "preview" in request.form else None
    if preview is None and form.validate_on_submit():
        try:
            thread = forums.create_thread(actor, forum, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("forums.thread", thread_id=thread.id))
    return render_template("forums/new_thread.html", forum=forum, form=form, preview=preview)


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    item = forums.get_thread(viewer, thread_id)
    form = ReplyForm()
    _speakers(form)
    return _thread_page(item, form, page_arg(5000))


def _thread_page(item, form, page: int, preview: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    return render_template(
        "forums/thread.html", thread=item, posts=forums.list_posts(item, page), form=form, preview=preview,
        button=ButtonForm(), moderate_form=ModerateForm(), following=forums.is_following(viewer, item),
        move_form=_move_form(item) if can(viewer, Permission.FORUM_MODERATE, item) else None,
    ), status


def _move_form(item) -> MoveForm:  # type: ignore[no-untyped-def]
    form = MoveForm()
    form.set_forums(forums.move_targets(require_actor(), item), item.forum)
    return form


@bp.get("/threads/<int:thread_id>/posts/<int:position>")
def post_link(thread_id: int, position: int):  # type: ignore[no-untyped-def]
    forums.get_thread(current_actor(), thread_id)
    return redirect(url_for("forums.thread", thread_id=thread_id, page=forums.page_of(position), _anchor=f"post-{position}"))


@bp.post("/threads/<int:thread_id>/reply")
@login_required
@per_user("RATELIMIT_POST")
def reply(thread_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    form = ReplyForm()
    _speakers(form)
    last_page = forums.page_of(max(item.posts_count, 1))
    if "preview" in request.form:
        return _thread_page(item, form, last_page, preview=forums.preview(form.body.data or ""))
    if form.validate_on_submit():
        try:
            post = forums.reply(actor, item, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("forums.post_link", thread_id=item.id, position=post.position))
    return _thread_page(item, form, last_page, status=400 if form.errors else 200)


@bp.route("/threads/<int:thread_id>/posts/<int:position>/edit", methods=["GET", "POST"])
@login_required
def edit_post(thread_id: int, position: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    post = forums.get_post(item, position)
    ensure(actor, Permission.POST_EDIT, post)
    form = EditPostForm(data={"body": post.body, "version": str(post.version)} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            forums.edit_post(actor, post, form.body.data or "", form.seen_version)
        except (ValidationFailed, Conflict) as exc:
            _edit_problem(form, exc, post)
        else:
            return redirect(url_for("forums.post_link", thread_id=item.id, position=post.position))
    preview = forums.preview(form.body.data or "")
    return render_template("forums/edit_post.html", thread=item, post=post, form=form, preview=preview)


def _edit_problem(form: EditPostForm, exc: Exception, post) -> None:  # type: ignore[no-untyped-def]
    if isinstance(exc, ValidationFailed):
        apply_errors(form, exc)
    else:
        form.form_errors.append(str(exc))
        form.version.data = str(post.version)


@bp.post("/threads/<int:thread_id>/posts/<int:position>/delete")
@login_required
def delete_post(thread_id: int, position: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    post = forums.get_post(item, position)
    if ButtonForm().validate_on_submit():
        forums.delete_post(actor, post)
        flash(_l("Your message was deleted."), "info")
    return redirect(url_for("forums.post_link", thread_id=item.id, position=post.position))


@bp.get("/threads/<int:thread_id>/posts/<int:position>/history")
@login_required
def post_history(thread_id: int, position: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    post = forums.get_post(item, position)
    return render_template("forums/history.html", thread=item, post=post, revisions=forums.revisions(actor, post))


@bp.post("/threads/<int:thread_id>/<any(follow, unfollow):choice>")
@login_required
def follow(thread_id: int, choice: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    if ButtonForm().validate_on_submit():
        forums.set_follow(actor, item, choice == "follow")
    return redirect(url_for("forums.thread", thread_id=item.id))


@bp.route("/threads/<int:thread_id>/report", methods=["GET", "POST"], defaults={"position": None})
@bp.route("/threads/<int:thread_id>/posts/<int:position>/report", methods=["GET", "POST"])
@login_required
def report(thread_id: int, position: int | None):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    target = forums.get_post(item, position) if position else item
    form = ContentReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_content(actor, target, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(str(exc), "info")
            return redirect(url_for("forums.thread", thread_id=item.id))
        else:
            flash(_l("Thank you. The moderators will look at your report."), "success")
            return redirect(url_for("forums.thread", thread_id=item.id))
    return render_template("forums/report.html", thread=item, post=target if position else None, form=form)


@bp.post("/threads/<int:thread_id>/<any(hide, restore, lock, unlock, pin, unpin):action>")
@login_required
def moderate_thread(thread_id: int, action: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    form = ModerateForm()
    if form.validate_on_submit():
        flag = {"hide": "hidden", "restore": "hidden", "lock": "locked", "unlock": "locked", "pin": "pinned", "unpin": "pinned"}[action]
        on = action in ("hide", "lock", "pin")
        flash_outcome(lambda: forums.set_thread_flag(actor, item, flag, on, form.reason.data or ""), _l("Done."))
    return redirect(url_for("forums.thread", thread_id=item.id))


@bp.post("/threads/<int:thread_id>/move")
@login_required
def move(thread_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    form = MoveForm()
    if form.validate_on_submit():
        flash_outcome(lambda: forums.move_thread(actor, item, form.forum.data or ""), _l("The discussion was moved."))
    return redirect(url_for("forums.thread", thread_id=item.id))


@bp.post("/threads/<int:thread_id>/posts/<int:position>/<any(hide, restore):action>")
@login_required
def moderate_post(thread_id: int, position: int, action: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    item = forums.get_thread(actor, thread_id)
    post = forums.get_post(item, position)
    form = ModerateForm()
    if form.validate_on_submit():
        flash_outcome(lambda: forums.set_post_hidden(actor, post, action == "hide", form.reason.data or ""), _l("Done."))
    return redirect(url_for("forums.post_link", thread_id=item.id, position=position))
