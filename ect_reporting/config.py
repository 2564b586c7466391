"""Settings from the environment with safe defaults.

Layers, as in Flask's tutorial: these defaults, then environment
variables (``ECT_*``, ``DATABASE_URL``, ``SECRET_KEY``), then an explicit
mapping passed to ``create_app`` (used by tests).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import tempfile
import time
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
    "ECT_CLOCK_DEFECTIVE_MEDICINE_DAYS",
    "ECT_CLOCK_DEFECTIVE_MEDICINE_URGENT_DAYS",
    "ECT_PAGE_SIZE",
    "ECT_SESSION_IDLE_MINUTES",
    "ECT_SESSION_MAX_HOURS",
    "ECT_TOKEN_DAYS",
    "ECT_MAX_REQUEST_BYTES",
    "ECT_SIGN_IN_MAX_FAILURES",
    "ECT_SIGN_IN_WINDOW_MINUTES",
    "ECT_PROXY_COUNT",
    "ECT_ACK_CHASE_DAYS",
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
        "ECT_E2B_RECEIVER_ID": "MHRA",
        "ECT_ORGANISATION_CODE": "ECT",
        "ECT_PAGE_SIZE": 20,
        # RATELIMIT_STORAGE_URI has no default here: see rate_limit_storage().
        "RATELIMIT_ENABLED": True,
        "ECT_LOGIN_RATE_LIMIT": "10 per minute",
        "ECT_SIGN_IN_MAX_FAILURES": 10,
        "ECT_SIGN_IN_WINDOW_MINUTES": 15,
        "ECT_PROXY_COUNT": 0,
        "ECT_AUDIT_CHECKPOINT_FILE": str(Path(instance_path) / "audit-checkpoints.jsonl"),
        # Development only: where the audit key is kept when ECT_AUDIT_KEY is unset.
        "ECT_AUDIT_KEY_FILE": str(Path(instance_path) / "audit_key"),
        "ECT_SESSION_IDLE_MINUTES": 30,
        "ECT_SESSION_MAX_HOURS": 12,
        "ECT_TOKEN_DAYS": 90,
        "ECT_MAX_REQUEST_BYTES": DEFAULT_MAX_REQUEST_BYTES,
        # A report sent this many days ago with no acknowledgement needs chasing ("Needs action").
        "ECT_ACK_CHASE_DAYS": 7,
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


ENVIRONMENTS = ("development", "test", "production")
MIN_PRODUCTION_KEY_BYTES = 32
SECRET_KEY_FILE = "secret_key"


def finalise(settings: dict[str, Any], instance_path: str | None = None, *, debug: bool = False) -> None:
    """Fill in derived values and refuse unsafe production settings.

    ``instance_path`` is where a development key is kept so that several
    workers share it (without it, as in unit tests, each call gets a new
    random key). ``debug`` is the app's debug flag (``FLASK_DEBUG``),
    which production refuses: the debugger runs code typed into a page.
    """
    env_name = settings.setdefault("ENV_NAME", "development")
    if env_name not in ENVIRONMENTS:
        # A typo such as "prod" must not quietly start a development server
        # with insecure cookies.
        raise ConfigurationError(f"ECT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env_name!r}")
    if env_name == "production":
        _check_production(settings, debug)
    elif not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = shared_secret_key(instance_path) if instance_path else secrets.token_hex(32)
    check_organisation_code(settings.get("ECT_ORGANISATION_CODE", "ECT"))
    settings["AUDIT_HMAC_KEY"] = audit_key(settings)
    settings["RATELIMIT_STORAGE_URI"] = rate_limit_storage(settings)
    for key in (
        "ECT_SESSION_IDLE_MINUTES", "ECT_SESSION_MAX_HOURS", "ECT_TOKEN_DAYS",
        "ECT_SIGN_IN_MAX_FAILURES", "ECT_SIGN_IN_WINDOW_MINUTES",
    ):
        if int_setting(settings, key, 1) < 1:
            raise ConfigurationError(f"{key} must be a whole number of at least 1")
    settings["MAX_CONTENT_LENGTH"] = int_setting(settings, "ECT_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
    OpcsSettings.from_mapping(settings)  # a bad ECT_OPCS_* value stops start-up
    check_e2b_settings(settings)


def rate_limit_storage(settings: Mapping[str, Any]) -> str:
    """Return the Flask-Limiter storage URI; production must name one shared by every worker.

    ``memory://`` counts in each worker's own memory, so with four workers
    an attacker gets four times the limit (issue 12: 41 of 60 guesses were
    answered before the first 429). Outside production it stays the
    default for convenience; production refuses to start without an
    explicit ``ECT_RATELIMIT_STORAGE_URI`` (``redis://...``), and a site
    that really runs one process may set ``memory://`` knowingly. The
    per-account lock-out (``sign_in_guard``) is in the database and shared
    whatever this says.
    """
    uri = settings.get("RATELIMIT_STORAGE_URI")
    if uri:
        return str(uri)
    if settings.get("ENV_NAME") == "production" and settings.get("RATELIMIT_ENABLED", True):
        raise ConfigurationError(
            "ECT_RATELIMIT_STORAGE_URI must be set when ECT_ENV=production (e.g. redis://127.0.0.1:6379): "
            "memory:// counts per worker"
        )
    return "memory://"


def check_e2b_settings(settings: Mapping[str, Any]) -> None:
    """Stop start-up when ECT_E2B_SCHEMA_DIR names a folder without the ICH schema.

    Failing here beats failing at the first export: the site asked for
    validation, and a typo in the path must not quietly switch it off.
    """
    try:
        e2b = E2bSettings.from_mapping(settings)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    if e2b.schema_file is not None and not e2b.schema_file.is_file():
        raise ConfigurationError(f"ECT_E2B_SCHEMA_DIR has no multicacheschemas/MCCI_IN200100UV01.xsd: {e2b.schema_dir}")


_HEX_KEY = re.compile(r"(?:[0-9a-fA-F]{2}){32,}")


def parse_audit_key(value: str) -> bytes:
    """Decode ``ECT_AUDIT_KEY`` (hex or base64) and insist on at least 32 bytes.

    A short key would let an attacker who can edit the database guess it
    and recompute the chain, which is exactly what the key is there to stop.
    """
    text = value.strip()
    if _HEX_KEY.fullmatch(text):
        key = bytes.fromhex(text)
    else:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigurationError("ECT_AUDIT_KEY must be hex or base64") from exc
    if len(key) < 32:
        raise ConfigurationError("ECT_AUDIT_KEY must be at least 32 bytes (64 hex digits)")
    return key


def audit_key(settings: Mapping[str, Any]) -> bytes:
    """Return the audit HMAC key: ``ECT_AUDIT_KEY``, else (development only) the key file.

    Production must set it: a key generated on the server next to the
    database would be read by whoever can edit the database.
    """
    if settings.get("ECT_AUDIT_KEY"):
        return parse_audit_key(str(settings["ECT_AUDIT_KEY"]))
    if settings.get("ENV_NAME") == "production":
        raise ConfigurationError("ECT_AUDIT_KEY must be set when ECT_ENV=production")
    if not settings.get("ECT_AUDIT_KEY_FILE"):
        return secrets.token_bytes(32)  # bare settings (unit tests): a key for this process only
    return development_key_file(Path(settings["ECT_AUDIT_KEY_FILE"]))


def development_key_file(path: Path) -> bytes:
    """Read the key file, writing it once (mode 0600) if absent, so every worker shares one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            text = path.read_text(encoding="ascii").strip()
            if text:
                return parse_audit_key(text)
            time.sleep(0.01)
        raise ConfigurationError(f"audit key file {path} is empty") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return parse_audit_key(path.read_text(encoding="ascii"))


def _check_production(settings: dict[str, Any], debug: bool) -> None:
    """Refuse a missing or short key and debug mode; make cookies TLS-only."""
    key = settings.get("SECRET_KEY")
    if not key:
        raise ConfigurationError("SECRET_KEY must be set when ECT_ENV=production")
    size = len(key.encode("utf-8") if isinstance(key, str) else bytes(key))
    if size < MIN_PRODUCTION_KEY_BYTES:
        raise ConfigurationError(
            f"SECRET_KEY must be at least {MIN_PRODUCTION_KEY_BYTES} bytes when ECT_ENV=production, not {size}"
        )
    if debug or settings.get("DEBUG"):
        raise ConfigurationError("Debug mode (FLASK_DEBUG) must be off when ECT_ENV=production")
    # Production runs behind TLS: never send the session cookie in clear.
    settings.setdefault("SESSION_COOKIE_SECURE", True)
    settings.setdefault("REMEMBER_COOKIE_SECURE", True)


def shared_secret_key(instance_path: str) -> str:
    """Return the development key in ``instance/secret_key``, writing it once (mode 0600).

    Every worker of a server started without ``SECRET_KEY`` must sign
    cookies with the same key, or a session made by one is refused by the
    next. The key is written to a private temporary file and linked into
    place, which fails if another worker got there first: then that
    worker's complete file is read instead, never a half-written one.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # created 0600
        try:
            with os.fdopen(handle, "w") as out:
                out.write(secrets.token_hex(32))
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if not key:
        raise ConfigurationError(f"{path} is empty: delete it to have a new key written")
    return key


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


@dataclass(frozen=True)
class E2bSettings:
    """Who sends and receives the E2B(R3) messages, and where the ICH schemas are (ECT_E2B_* settings).

    Why a value object: the E2B renderer is Flask-free, so the blueprint
    reads these once (``web.e2b_settings``) and passes them in.

    - ``sender_id`` (N.1.3 / N.2.r.2): ``ECT_E2B_SENDER_ID``, else ``ECT_SENDER_ID``.
    - ``receiver_id`` (N.1.4 / N.2.r.3): ``ECT_E2B_RECEIVER_ID``, default ``MHRA``.
    - ``sender_organisation`` (C.3.2): ``ECT_ORGANISATION``, the trust sending the case.
    - ``schema_dir``: ``ECT_E2B_SCHEMA_DIR``, a copy of the ICH schema set
      (holding ``multicacheschemas/MCCI_IN200100UV01.xsd``). When set, every
      message is validated before it is offered, and an invalid one is
      refused; unset, no validation (the product ships no third-party XSDs).
    """

    sender_id: str = "GB-ECTDEMO"
    receiver_id: str = "MHRA"
    sender_organisation: str = "Demo NHS Foundation Trust"
    schema_dir: Path | None = None

    def __post_init__(self) -> None:
        """Refuse empty identifiers: an acknowledgement could not be routed back."""
        for name in ("sender_id", "receiver_id"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"ECT_E2B_{name.upper()} must not be empty")

    @property
    def schema_file(self) -> Path | None:
        """The root XSD messages are validated against, or None when validation is off."""
        return None if self.schema_dir is None else self.schema_dir / "multicacheschemas" / "MCCI_IN200100UV01.xsd"

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> E2bSettings:
        """Build the settings from app config; missing keys keep the defaults."""
        default = cls()
        schema_dir = str(config.get("ECT_E2B_SCHEMA_DIR") or "").strip()
        return cls(
            sender_id=str(config.get("ECT_E2B_SENDER_ID") or config.get("ECT_SENDER_ID") or default.sender_id),
            receiver_id=str(config.get("ECT_E2B_RECEIVER_ID") or default.receiver_id),
            sender_organisation=str(config.get("ECT_ORGANISATION") or default.sender_organisation),
            schema_dir=Path(schema_dir) if schema_dir else None,
        )
