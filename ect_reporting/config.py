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
from dataclasses import dataclass
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
    "ECT_MAX_REQUEST_BYTES",
)

# The largest request body accepted (413 above it). The longest report,
# every text field full, is under 400 kB of JSON; 2 MB leaves room while a
# 20 MB comment is refused before it is read into memory.
DEFAULT_MAX_REQUEST_BYTES = 2 * 1024 * 1024


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
        "ECT_MAX_REQUEST_BYTES": DEFAULT_MAX_REQUEST_BYTES,
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
    settings["MAX_CONTENT_LENGTH"] = int_setting(settings, "ECT_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
    if settings.get("ENV_NAME") == "production":
        # Production runs behind TLS: never send the session cookie in clear.
        settings.setdefault("SESSION_COOKIE_SECURE", True)
        settings.setdefault("REMEMBER_COOKIE_SECURE", True)
    OpcsSettings.from_mapping(settings)  # a bad ECT_OPCS_* value stops start-up


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


_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def bool_setting(config: Mapping[str, Any], key: str, default: bool) -> bool:
    """Read a yes/no setting that may arrive as a bool or a word from the environment.

    An unknown word raises rather than counting as "no": a typo in a coding
    switch would otherwise change codes silently.
    """
    value = config.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError(f"{key} must be true or false, got {value!r}")


def is_set(config: Mapping[str, Any], key: str) -> bool:
    """True when the site set ``key`` itself (an explicit choice, not our default)."""
    return config.get(key) not in (None, "")


@dataclass(frozen=True)
class OpcsSettings:
    """Site choices for OPCS-4 coding of a session (ECT_OPCS_* settings).

    Why settings and not rules: the coding doc marks these UNCONFIRMED until
    a clinical coder has checked PCSX27 in the current NCCS book, so each is
    a site decision. The defaults follow the doc:

    - ``x72_fourth_character`` ("3", Delivery of simple parenteral
      chemotherapy at first attendance: closest by title, R5).
    - ``inpatient_delivery_code`` (False: historical guidance says the
      delivery code is for outpatients and day cases only, R3).
    - ``procurement_code`` (None: X70/X71 are not required, PCSX27 R1; a
      site may opt in by naming one, e.g. "X70.1").
    - ``body_system_code`` (False: S10.8/S11.8 only when needed so that a
      Y or Z code is never first, R6/R8; True adds it always).

    ``*_confirmed`` say whether the site set the value itself; while a
    default stands, pages and PDFs say a clinical coder must confirm it.
    """

    x72_fourth_character: str = "3"
    x72_fourth_character_confirmed: bool = False
    inpatient_delivery_code: bool = False
    inpatient_rule_confirmed: bool = False
    procurement_code: str | None = None
    body_system_code: bool = False

    def __post_init__(self) -> None:
        """Reject values that cannot be an OPCS-4 code, so a bad setting fails at start-up."""
        if not re.fullmatch(r"[1-9]", self.x72_fourth_character):
            raise ValueError(f"ECT_OPCS_X72_FOURTH_CHARACTER must be one digit 1-9, got {self.x72_fourth_character!r}")
        if self.procurement_code is not None and not re.fullmatch(r"X7[01]\.[1-9]", self.procurement_code):
            raise ValueError(f"ECT_OPCS_PROCUREMENT_CODE must be an X70 or X71 code, got {self.procurement_code!r}")

    @property
    def needs_coder(self) -> bool:
        """True while the X72 fourth character or the inpatient rule is still our default."""
        return not (self.x72_fourth_character_confirmed and self.inpatient_rule_confirmed)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> OpcsSettings:
        """Build the settings from app config; missing keys keep the defaults."""
        default = cls()
        procurement = str(config.get("ECT_OPCS_PROCUREMENT_CODE") or "").strip().upper()
        return cls(
            x72_fourth_character=str(
                config.get("ECT_OPCS_X72_FOURTH_CHARACTER") or default.x72_fourth_character
            ).strip(),
            x72_fourth_character_confirmed=is_set(config, "ECT_OPCS_X72_FOURTH_CHARACTER"),
            inpatient_delivery_code=bool_setting(
                config, "ECT_OPCS_INPATIENT_DELIVERY_CODE", default.inpatient_delivery_code
            ),
            inpatient_rule_confirmed=is_set(config, "ECT_OPCS_INPATIENT_DELIVERY_CODE"),
            procurement_code=procurement or None,
            body_system_code=bool_setting(config, "ECT_OPCS_BODY_SYSTEM_CODE", default.body_system_code),
        )
