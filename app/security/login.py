"""Flask-Login wiring: the session cookie carries a server-side session id, never the user id.

Logging out deletes that session row, so a cookie copied before logout is refused afterwards;
changing the password or suspending the account deletes the other sessions too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g
from flask_login import LoginManager

from app.i18n import _l

login_manager = LoginManager()


def init_app(app: Flask, load_session: Callable[[str], Any]) -> None:
    """Wire Flask-Login; ``load_session`` (from the accounts service) maps a session id to a user."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load(session_id: str):  # type: ignore[no-untyped-def]
        if g.get("db_down"):
            return None
        return load_session(session_id)
