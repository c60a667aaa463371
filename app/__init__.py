"""Ponte's composition root."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import force_locale
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module
from app import diagnostics, errors, i18n, logs, templating
from app.config import ROOT
from app.db import db, expect_writes, make_engine
from app.security import headers, login, passwords, ratelimit
from app.services import accounts, forums, mail, notifications, uploads

csrf = CSRFProtect()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build a configured Ponte application.

    ``overrides`` win over ``PONTE_*`` environment variables, which win over defaults.
    Nothing here touches the database: the schema comes only from migrations.
    """
    app = Flask(
        __name__,
        root_path=str(ROOT),
        instance_path=str(ROOT / "instance"),
        static_folder="static",
        template_folder="templates",
    )
    config_module.load_config(app, overrides)
    config_module.check(app)
    passwords.use_profile(app.config["PASSWORD_HASHING"])
    app.debug = bool(app.config.get("DEBUG"))
    logs.init_app(app)  # first: its after_request hook runs last, after the commit

    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]

    db.configure(make_engine(app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"]))
    accounts.configure(
        accounts.Settings(
            min_password_length=app.config["PASSWORD_MIN_LENGTH"],
            privacy_version=app.config["PRIVACY_NOTICE_VERSION"],
            confirm_max_age=app.config["TOKEN_MAX_AGE_CONFIRM"],
            reset_max_age=app.config["TOKEN_MAX_AGE_RESET"],
        )
    )
    mail.mailer.configure(dict(app.config), _mail_renderer(app))
    forums.configure(forums.Settings(new_member_days=app.config["FORUM_NEW_MEMBER_DAYS"]))
    notifications.configure_count_cache(app.config["REDIS_URL"])  # shared by every process when set
    uploads.configure(
        uploads.Settings(
            directory=app.config["UPLOAD_DIR"],
            max_image_bytes=app.config["UPLOAD_MAX_IMAGE_BYTES"],
            max_document_bytes=app.config["UPLOAD_MAX_DOCUMENT_BYTES"],
        )
    )

    csrf.init_app(app)
    i18n.init_app(app)
    login.init_app(app, accounts.load_session)
    ratelimit.init_app(app)
    headers.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    _unit_of_work(app)
    _register_blueprints(app)
    diagnostics.init_app(app)  # X-Ponte-Queries when PONTE_DIAGNOSTICS=1 (bench/)

    from app import cli

    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from blueprints.admin import bp as admin_bp
    from blueprints.api import bp as api_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.calendars import bp as calendars_bp
    from blueprints.case_histories import bp as case_histories_bp
    from blueprints.dashboard import bp as dashboard_bp
    from blueprints.events import bp as events_bp
    from blueprints.forums import bp as forums_bp
    from blueprints.founding import bp as founding_bp
    from blueprints.initiatives import bp as initiatives_bp
    from blueprints.labs import bp as labs_bp
    from blueprints.main import bp as main_bp
    from blueprints.me import bp as me_bp
    from blueprints.moderation import bp as moderation_bp
    from blueprints.notifications import bp as notifications_bp
    from blueprints.opendata import bp as opendata_bp
    from blueprints.organizations import bp as organizations_bp
    from blueprints.outputs import bp as outputs_bp
    from blueprints.practices import bp as practices_bp
    from blueprints.privacy import bp as privacy_bp
    from blueprints.proposals import bp as proposals_bp
    from blueprints.search import bp as search_bp
    from blueprints.territories import bp as territories_bp
    from blueprints.volunteers import bp as volunteers_bp

    for bp in (main_bp, auth_bp, me_bp, territories_bp, organizations_bp, founding_bp, forums_bp, labs_bp, proposals_bp,
               events_bp, calendars_bp, initiatives_bp, volunteers_bp, outputs_bp, practices_bp, case_histories_bp, dashboard_bp,
               moderation_bp, admin_bp, notifications_bp, opendata_bp, api_bp, privacy_bp, search_bp):
        app.register_blueprint(bp)


def _unit_of_work(app: Flask) -> None:
    """One transaction per request: commit below 400, roll back otherwise."""

    def declare_writes() -> None:
        expect_writes(request.method not in ("GET", "HEAD", "OPTIONS"))

    # First of all hooks, before anything opens the transaction (the login loader does).
    app.before_request_funcs.setdefault(None, []).insert(0, declare_writes)

    @app.after_request
    def finish_transaction(response):  # type: ignore[no-untyped-def]
        if response.status_code < 400:
            session_obj = db.session()
            callbacks = session_obj.info.pop("ponte_after_commit", [])
            session_obj.commit()
            if callbacks:
                _run_after_response(response, callbacks)
        else:
            db.rollback()
        return response

    @app.teardown_request
    def close_session(exc: BaseException | None) -> None:
        if exc is not None:
            db.rollback()
        db.session.remove()
        expect_writes(False)


def _run_after_response(response: Any, callbacks: list) -> None:
    """Run effects (mail) once the response is on its way: slow SMTP never delays the page,
    and answers take the same time whether or not a mail was sent (no enumeration by timing)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("TESTING"):
        for fn in callbacks:
            fn()
        return

    def run() -> None:
        with app.app_context():
            for fn in callbacks:
                try:
                    fn()
                except Exception:  # logged; the user's write is already committed
                    logging.getLogger(__name__).exception("after-commit callback failed")
            db.session.remove()

    response.call_on_close(run)


def _mail_renderer(app: Flask):  # type: ignore[no-untyped-def]
    """Render ``templates/mail/<name>.txt`` (+ ``.html``) in the recipient's language.

    Uses a fresh application context only (no request context): rendering a mail inside a
    request must not run that request's teardown (which would close its database session).
    """
    from flask import render_template

    def base() -> tuple[str, str]:
        return app.config.get("PREFERRED_URL_SCHEME", "https"), app.config.get("SERVER_NAME") or "127.0.0.1:5000"

    def external(endpoint: str, values: dict[str, Any]) -> str:
        scheme, host = base()
        return app.url_map.bind(host, url_scheme=scheme).build(endpoint, values, force_external=True)

    def render(template: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str | None]:
        ctx = dict(context)
        if "link" in ctx:
            endpoint, values = ctx["link"]
            ctx["link"] = external(endpoint, values)
        scheme, host = base()
        ctx["site_url"] = f"{scheme}://{host}/"
        with app.app_context(), force_locale(locale):
            g.forced_locale = locale
            g.db_down = False
            text = render_template(f"mail/{template}.txt", **ctx)
            html = render_template(f"mail/{template}.html", **ctx)
        subject, _, body = text.partition("\n\n")
        return subject.removeprefix("Subject:").strip(), body.strip() + "\n", html

    return render
