"""Flask-Login wiring: the session cookie carries a server-side session id, never the user id.

Logging out deletes that session row, so a cookie copied before logout is refused afterwards;
changing the password or suspending the account deletes the other sessions too.
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import AnonymousUserMixin, LoginManager

from app.i18n import _l

login_manager = LoginManager()


class Anonymous(AnonymousUserMixin):
    locale = None
    timezone = None
    roles: list = []


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load(session_id: str):  # type: ignore[no-untyped-def]
        from app.services import accounts  # services may not be imported by security at import time

        if g.get("db_down"):
            return None
        return accounts.load_session(session_id)
