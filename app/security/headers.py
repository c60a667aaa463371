"""Security headers on every response: nonce CSP, nosniff, no framing, referrer policy,
HSTS in production, and no caching of private pages."""

from __future__ import annotations

import secrets

from flask import Flask, g
from flask.globals import _cv_app, _cv_request
from flask_login import current_user

PRIVATE_PREFIXES = ("/me", "/auth", "/admin", "/moderation", "/dashboard")


def csp_nonce() -> str:
    """The nonce for this response's inline scripts (there should be almost none)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


# The policy with a placeholder for the nonce, joined once.
_POLICY_TEMPLATE = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)


def _policy(nonce: str) -> str:
    return _POLICY_TEMPLATE.replace("{nonce}", nonce)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_headers(response):  # type: ignore[no-untyped-def]
        # Every response: the request and g are read once, not through their proxies.
        request = _cv_request.get().request
        seen = _cv_app.get().g.__dict__
        h = response.headers
        h.setdefault("Content-Security-Policy", _policy(csp_nonce()))
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        path = request.path
        if path.startswith("/static/"):
            if request.args.get("v"):
                h["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        # The open data API answers the same to everyone: public even for a logged-in reader.
        private = path.startswith(PRIVATE_PREFIXES) or (
            not seen.get("db_down") and not path.startswith("/api/") and current_user.is_authenticated
        )
        if private:
            h["Cache-Control"] = "no-store"
        elif "Cache-Control" not in h:
            h["Cache-Control"] = "no-cache"
        h.add("Vary", "Cookie")
        h.add("Vary", "Accept-Language")
        return response
