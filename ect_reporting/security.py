"""Security headers on every response (Flask-Talisman) and no caching of what carries patient data.

The policy is strict because nothing in the service needs more: every
script and style sheet is a file served by the app. The one inline script
is NHS.UK frontend's template line that marks the body as JavaScript
enabled; it is allowed by a per-request nonce (the template's documented
``cspNonce`` parameter), never by ``'unsafe-inline'``. Fonts come from the
NHS.UK asset host, as nhsuk-frontend's CSS asks.

HTTPS redirection and HSTS apply only when ``ECT_ENV=production``: the
development server and the tests speak plain HTTP, and HSTS on
``localhost`` would stick in a developer's browser.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY: dict[str, str | list[str]] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "https://assets.nhs.uk"],
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# One year, as the NCSC and NHS Digital guidance for HSTS suggests.
HSTS_MAX_AGE = 365 * 24 * 60 * 60


def _no_store(response: Response) -> Response:
    """Forbid caching of every page and API body: any of them may show patient data.

    Static files (CSS, JavaScript, images) carry none and keep normal caching.
    A shared computer's browser cache or a proxy must never hold a report.
    """
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_security(app: Flask) -> None:
    """Add the security headers; call before other extensions so even their early refusals carry them.

    Talisman's own before-request hook makes the nonce; registering it
    first means a request refused by CSRF or the rate limit still gets an
    error page whose script nonce matches its policy.
    """
    production = app.config.get("ENV_NAME") == "production"
    talisman = Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
        x_content_type_options=True,
        # Talisman writes these cookie settings into app.config: pass ours back, unchanged.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE", False)),
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY", True)),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
    app.extensions["talisman"] = talisman
    app.after_request(_no_store)
