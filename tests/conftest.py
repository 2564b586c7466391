"""Shared fixtures: an app on a real database, clients, users and factories.

The database is SQLite (a temporary file) by default, or PostgreSQL when
``DATABASE_URL`` is set. The schema is built once per run by the Alembic
migrations themselves, so every run also tests them; each test then
starts from empty tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event, text

from ect_reporting import create_app, sessions, users
from ect_reporting.extensions import db
from ect_reporting.models import EctSession, User
from scripts.private_db import private_postgres_database

PASSWORD = "correct-horse-battery"
# A fixed audit HMAC key for tests (64 hex digits = 32 bytes).
AUDIT_KEY = "a5" * 32


def missing_standards(reason: str) -> None:
    """Skip a test that needs ../shared/reference, unless CI demands it (ECT_REQUIRE_STANDARDS=1): then fail."""
    if os.environ.get("ECT_REQUIRE_STANDARDS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def audit_settings() -> dict[str, str]:
    """The audit key and a fresh checkpoint file per app, so checkpoints never leak between tests."""
    folder = tempfile.mkdtemp(prefix="ect-audit-")
    return {"ECT_AUDIT_KEY": AUDIT_KEY, "ECT_AUDIT_CHECKPOINT_FILE": os.path.join(folder, "checkpoints.jsonl")}


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def reset_schema(app: Flask) -> None:
    """Drop everything and rebuild the schema with the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                db.metadata.drop_all(conn)
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        with private_postgres_database(url) as private_url:
            yield private_url
    else:
        yield url


@pytest.fixture(scope="session")
def _schema(database_url: str) -> None:
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test", "TESTING": True, **audit_settings()}
    app = create_app(settings)
    reset_schema(app)


@contextmanager
def audit_guard_lifted() -> Iterator[None]:
    """Let the cleanup (or a test that tampers on purpose) change audit rows despite migration 0004.

    PostgreSQL: the append-only triggers are disabled (as the table owner
    could). SQLite cannot disable triggers, so they are dropped and
    recreated from their stored SQL. Runs in ``db.session``'s transaction;
    the caller commits.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        # Transactional DDL: a rollback after an error re-enables them too.
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        yield
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        return
    triggers = db.session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")
    ).all()
    for name, _ in triggers:
        db.session.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:  # pysqlite runs DDL outside the transaction: restore even after an error
        for _, sql in triggers:
            db.session.execute(text(sql))


def empty_tables() -> None:
    """Delete all rows, children first, so each test starts clean."""
    with audit_guard_lifted():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


@contextmanager
def running_test_app(database_url: str, **settings: Any) -> Iterator[Flask]:
    """Yield an app on empty tables inside its app context; dispose its engine after.

    ``settings`` override the test defaults (CSRF and rate limiting off).
    """
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        **audit_settings(),
    }
    config.update(settings)
    app = create_app(config)

    @app.before_request
    def _forget_cached_user() -> None:
        # The fixture's app context spans the whole test, so Flask's ``g``
        # (where Flask-Login caches the user) would outlive a request.
        # In production every request gets a fresh app context; mirror that.
        g.pop("_login_user", None)

    with app.app_context():
        empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, _schema: None) -> Iterator[Flask]:
    with running_test_app(database_url) as app:
        yield app


@pytest.fixture
def extra_app(database_url: str, _schema: None) -> Iterator[Callable[..., Flask]]:
    """Factory for a second app on the same database with other settings.

    Its engine is disposed afterwards so no pooled connection outlives the test.
    """
    made: list[Flask] = []

    def factory(**settings: Any) -> Flask:
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "extra", "TESTING": True, **audit_settings()}
        config.update(settings)
        new_app = create_app(config)
        made.append(new_app)
        return new_app

    yield factory
    for made_app in made:
        with made_app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: make_user(role="clinician", email=None) -> committed User."""
    counter = {"n": 0}

    def factory(role: str = "clinician", email: str | None = None, full_name: str | None = None) -> User:
        counter["n"] += 1
        user = users.create_user(
            db.session,
            email=email or f"{role}{counter['n']}@example.nhs.uk",
            full_name=full_name or f"Test {role.replace('_', ' ').title()} {counter['n']}",
            role=role,
            password=PASSWORD,
            profession="Consultant" if role == "clinician" else "Governance lead",
            organisation="Test NHS Trust",
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def clinician(make_user: Callable[..., User]) -> User:
    return make_user("clinician")


@pytest.fixture
def governance_lead(make_user: Callable[..., User]) -> User:
    return make_user("governance_lead")


@pytest.fixture
def token_for(app: Flask) -> Callable[[User], dict[str, str]]:
    """Factory: token_for(user) -> Authorization headers with a fresh token."""

    def factory(user: User) -> dict[str, str]:
        token = users.issue_token(db.session, user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return factory


def session_payload(**overrides: Any) -> dict[str, Any]:
    """A realistic bleomycin IV ECT session as the API takes it."""
    body: dict[str, Any] = {
        "procedure_date": (date.today() - timedelta(days=3)).isoformat(),
        "site_name": "St Elsewhere Hospital, Dermatology",
        "nation": "england",
        "care_setting": "day_case",
        "operator_name": "Dr R Hughes",
        "patient": {
            "initials": "MK",
            "sex": "female",
            "age": 71,
            "weight_kg": 68.0,
            "height_cm": 165.0,
            "local_reference": "SEH123456",
        },
        "tumour": {
            "histology": "breast",
            "lesion_count": 12,
            "largest_lesion_mm": 25,
            "location": "Chest wall",
            "laterality": "right",
            "previous_irradiation": True,
        },
        "anaesthesia": "general",
        "drug": {
            "name": "bleomycin",
            "product": "Bleomycin 15,000 IU",
            "batch": "BX4471",
            "route": "intravenous",
            "dose": 25500,
            "dose_unit": "IU",
            "administered_at": "09:40",
            "first_pulse_at": "09:52",
        },
        "generator": {
            "manufacturer": "IGEA",
            "model": "Cliniporator VITAE",
            "serial_number": "CV-001122",
            "software_version": "2.4.1",
        },
        "electrode": {
            "type": "hexagonal_needle_array",
            "model": "N-HEX-30",
            "lot_number": "LOT8812",
            "udi": "(01)08033891610020(10)LOT8812",
        },
        "pulses_delivered": 144,
    }
    for key, value in overrides.items():
        body[key] = value
    return body


@pytest.fixture
def make_session(app: Flask, clinician: User) -> Callable[..., EctSession]:
    """Factory: make_session(user=None, **values) -> committed EctSession (values by model attribute)."""

    def factory(user: User | None = None, **values: Any) -> EctSession:
        base: dict[str, Any] = {
            "procedure_date": date.today() - timedelta(days=1),
            "site_name": "Test Hospital",
            "nation": "england",
            "care_setting": "day_case",
            "operator_name": "Dr Test",
            "patient_initials": "AB",
            "patient_sex": "male",
            "patient_age": 60,
            "patient_weight_kg": 80.0,
            "patient_height_cm": 180.0,
            "local_reference": "H0001",
            "laterality": "left",
            "drug": "bleomycin",
            "drug_batch": "B1",
            "route": "intravenous",
            "dose": 30000.0,
            "dose_unit": "IU",
            "drug_time": time(10, 0),
            "first_pulse_time": time(10, 10),
            "generator_manufacturer": "IGEA",
            "generator_model": "Cliniporator",
            "generator_serial": "S1",
            "electrode_type": "plate",
            "electrode_model": "P-30",
            "electrode_lot": "L1",
            "electrode_udi": "(01)08033891610020(10)L1",
        }
        base.update(values)
        session = sessions.create_session(db.session, user or clinician, base)
        db.session.commit()
        return session

    return factory


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Context manager counting SQL statements sent to the database."""
    from contextlib import contextmanager

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counter


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Use minimal argon2 cost in tests; production keeps the library defaults."""
    from argon2 import PasswordHasher

    from ect_reporting import users as users_module

    original = users_module._hasher
    users_module._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users_module._hasher = original


# The ICH E2B(R3) schema set is third-party material kept beside the
# checkout (../shared/reference, as CI has it), never inside the product.
E2B_SCHEMA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "e2b-r3-schemas"


@pytest.fixture(scope="session")
def e2b_schema_dir() -> Path:
    """Return the ICH schema folder; skip (saying why) only when it is not beside the checkout."""
    if not (E2B_SCHEMA_DIR / "multicacheschemas" / "MCCI_IN200100UV01.xsd").is_file():
        missing_standards(f"ICH E2B(R3) schemas not found at {E2B_SCHEMA_DIR} (CI has ../shared/reference beside it)")
    return E2B_SCHEMA_DIR
