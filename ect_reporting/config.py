"""Settings from the environment with safe defaults.

Layers, as in Flask's tutorial: these defaults, then environment
variables (``ECT_*``, ``DATABASE_URL``, ``SECRET_KEY``), then an explicit
mapping passed to ``create_app`` (used by tests).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Settings read from ECT_* variables, with the type each is parsed as.
_INT_SETTINGS = (
    "ECT_BLEOMYCIN_IU_PER_M2_STANDARD",
    "ECT_PULSE_WINDOW_MIN_MINUTES",
    "ECT_PULSE_WINDOW_MAX_MINUTES",
    "ECT_BLEOMYCIN_LIFETIME_LIMIT_IU",
    "ECT_CLOCK_MEDICINE_SERIOUS_DAYS",
    "ECT_CLOCK_MEDICINE_NON_SERIOUS_DAYS",
    "ECT_CLOCK_DEVICE_PUBLIC_HEALTH_THREAT_DAYS",
    "ECT_CLOCK_DEVICE_DEATH_OR_DETERIORATION_DAYS",
    "ECT_CLOCK_DEVICE_OTHER_DAYS",
    "ECT_CLOCK_DEVICE_UNCLASSIFIED_DAYS",
    "ECT_CLOCK_DUE_SOON_DAYS",
    "ECT_PAGE_SIZE",
)


class ConfigurationError(RuntimeError):
    """Raised when the app is started with an unsafe configuration."""


# E2B C.1.1 case ids are GB-<organisation code>-<number>: the code goes into
# file names and the regulator's systems, so only a short plain token will do.
_ORGANISATION_CODE = re.compile(r"[A-Z0-9]{2,10}")


def check_organisation_code(value: Any) -> str:
    """Return ``value`` if it is a valid organisation code, else raise ``ConfigurationError``."""
    if not isinstance(value, str) or not _ORGANISATION_CODE.fullmatch(value):
        raise ConfigurationError(
            f"ECT_ORGANISATION_CODE must be 2 to 10 capital letters or digits, not {value!r}"
        )
    return value


def default_settings(instance_path: str) -> dict[str, Any]:
    """Return the built-in defaults; SQLite under ``instance/``."""
    db_file = Path(instance_path) / "ect_reporting.sqlite3"
    return {
        "ENV_NAME": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "ECT_ORGANISATION": "Demo NHS Foundation Trust",
        "ECT_SENDER_ID": "GB-ECTDEMO",
        "ECT_ORGANISATION_CODE": "ECT",
        "ECT_PAGE_SIZE": 20,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "ECT_LOGIN_RATE_LIMIT": "10 per minute",
    }


def settings_from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read the settings the environment sets, converting types."""
    env = dict(os.environ if environ is None else environ)
    settings: dict[str, Any] = {}
    if env.get("SECRET_KEY"):
        settings["SECRET_KEY"] = env["SECRET_KEY"]
    if env.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env["DATABASE_URL"])
    if env.get("ECT_ENV"):
        settings["ENV_NAME"] = env["ECT_ENV"]
    if env.get("ECT_RATELIMIT_STORAGE_URI"):
        settings["RATELIMIT_STORAGE_URI"] = env["ECT_RATELIMIT_STORAGE_URI"]
    for key, value in env.items():
        if not key.startswith("ECT_") or key in ("ECT_ENV", "ECT_RATELIMIT_STORAGE_URI"):
            continue
        settings[key] = int(value) if key in _INT_SETTINGS else value
    return settings


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgres(ql)://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def finalise(settings: dict[str, Any]) -> None:
    """Fill in derived values and refuse unsafe production settings."""
    if not settings.get("SECRET_KEY"):
        if settings.get("ENV_NAME") == "production":
            raise ConfigurationError("SECRET_KEY must be set when ECT_ENV=production")
        # A random key per process: sessions do not survive a restart,
        # which is the safe failure for a development server.
        settings["SECRET_KEY"] = secrets.token_hex(32)
    check_organisation_code(settings.get("ECT_ORGANISATION_CODE", "ECT"))
    if settings.get("ENV_NAME") == "production":
        # Production runs behind TLS: never send the session cookie in clear.
        settings.setdefault("SESSION_COOKIE_SECURE", True)
        settings.setdefault("REMEMBER_COOKIE_SECURE", True)


def int_setting(config: Mapping[str, Any], key: str, default: int) -> int:
    """Read an integer setting that may arrive as an int or a numeric string."""
    value = config.get(key)
    if value is None or value == "":
        return default
    if value is True or value is False:  # bool is an int subclass: reject it
        raise ValueError(f"{key} must be a number, not {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{key} must be an integer, got {value!r}") from exc
    if number != float(value):
        raise ValueError(f"{key} must be a whole number, got {value!r}")
    return number
