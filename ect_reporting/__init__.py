"""ECT adverse-event reporting: Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from ect_reporting import config as config_module

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, then environment, then ``test_config``.

    ``instance_path`` defaults to ``instance/`` in the project (tests pass
    a temporary folder).
    """
    app = Flask(
        __name__,
        instance_path=instance_path or os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    configure_templates(app)
    load_config(app, test_config)
    trust_proxies(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure_templates(app: Flask) -> None:
    """Load our templates first, then the NHS.UK frontend Jinja macros.

    ``ChainableUndefined`` is what the nhsuk-frontend-jinja macros expect
    (they read nested optional parameters).
    """
    from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

    app.jinja_options = {
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [FileSystemLoader(os.path.join(PROJECT_ROOT, "templates")), PackageLoader("nhsuk_frontend_jinja")]
        ),
        "autoescape": True,
    }


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Layer the settings and make sure the instance folder exists."""
    os.makedirs(app.instance_path, exist_ok=True)
    settings = config_module.default_settings(app.instance_path)
    settings.update(config_module.settings_from_environment())
    if test_config:
        settings.update(test_config)
    config_module.finalise(settings, app.instance_path, debug=app.debug)
    app.config.update(settings)


def trust_proxies(app: Flask) -> None:
    """Take the client address from ``X-Forwarded-For`` only behind ``ECT_PROXY_COUNT`` trusted proxies.

    The rate limit and the sign-in lock-out count per client address.
    Behind a reverse proxy every request comes from the proxy, so without
    this one attacker would lock out the whole site; trusting the header
    with no proxy in front would let any client choose its address, so
    the default (0) ignores it.
    """
    count = config_module.int_setting(app.config, "ECT_PROXY_COUNT", 0)
    if count < 0:
        raise config_module.ConfigurationError("ECT_PROXY_COUNT must be 0 or more")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension instances to this app."""
    from ect_reporting import models  # noqa: F401  (register tables on the metadata)
    from ect_reporting.auth import init_login
    from ect_reporting.extensions import csrf, db, limiter, migrate
    from ect_reporting.security import init_security

    init_security(app)  # first: its headers and nonce also reach requests the others refuse
    db.init_app(app)
    register_audit_key(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)


def register_audit_key(app: Flask) -> None:
    """Give the audit module this app's HMAC key for each of its engines (the key stays out of the database)."""
    import logging

    from ect_reporting import audit
    from ect_reporting.extensions import db

    # Checkpoints are logged at INFO so the log holds a copy outside the
    # database; a site's own logging configuration may still raise the level.
    checkpoint_log = logging.getLogger("ect_reporting.audit")
    if checkpoint_log.level == logging.NOTSET:
        checkpoint_log.setLevel(logging.INFO)
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        audit.register_key(engine, app.config["AUDIT_HMAC_KEY"])
    # Touching app.logger installs Flask's default handler (the WSGI error
    # stream / stderr) unless the site configured logging, so the checkpoint
    # copy reaches a log even from the flask CLI.
    app.logger.debug("audit key registered for %d engine(s)", len(engines))


def register_converters(app: Flask) -> None:
    """Limit ``<int:...>`` URL parts to database ids, before any route is added."""
    from ect_reporting.converters import register_converters as register

    register(app)


def register_blueprints(app: Flask) -> None:
    """Attach the web and API blueprints."""
    from ect_reporting.admin import bp as admin_bp
    from ect_reporting.api import bp as api_bp
    from ect_reporting.auth import bp as auth_bp
    from ect_reporting.capture import bp as capture_bp
    from ect_reporting.extensions import csrf
    from ect_reporting.home import bp as home_bp
    from ect_reporting.report_pages import bp as reports_bp
    from ect_reporting.review import bp as review_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(capture_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    # The API authenticates with bearer tokens, not cookies, so CSRF
    # (a cookie-riding attack) does not apply to it.
    csrf.exempt(api_bp)


def register_errorhandlers(app: Flask) -> None:
    """Answer errors as JSON under /api/ and as NHS-styled pages elsewhere."""
    from ect_reporting.errors import init_errorhandlers

    init_errorhandlers(app)


def register_template_helpers(app: Flask) -> None:
    """Expose vocabularies and label helpers to templates."""
    from ect_reporting import vocab
    from ect_reporting.reference import code_and_term
    from ect_reporting.web import form_action

    app.jinja_env.globals["vocab"] = vocab
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.globals["form_action"] = form_action
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["label"] = lambda value, vocabulary: vocab.label(vocabulary, value)
    app.jinja_env.filters["coded"] = lambda term: code_and_term(term["code"], term.get("display"))


def long_date(value: Any) -> str | None:
    """Format a date (or ISO date string) as "24 November 2026", the NHS style."""
    from datetime import date

    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {value:%B %Y}"


def register_commands(app: Flask) -> None:
    """Add the ``flask`` CLI commands."""
    from ect_reporting.cli import init_cli

    init_cli(app)
