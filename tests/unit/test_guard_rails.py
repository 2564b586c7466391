"""Production guard rails: known environments only, a real key, no debugger, no demo accounts."""

from __future__ import annotations

import os
import stat

import pytest

from ect_reporting import create_app
from ect_reporting.config import ConfigurationError, finalise
from tests.conftest import AUDIT_KEY

LONG_KEY = "k" * 32


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in ("SECRET_KEY", "ECT_ENV", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("name", ["prod", "Production", "staging", "", None])
def test_unknown_environment_refuses_to_start(name):
    with pytest.raises(ConfigurationError, match="ECT_ENV must be one of"):
        finalise({"ENV_NAME": name, "SECRET_KEY": LONG_KEY, "ECT_AUDIT_KEY": AUDIT_KEY,
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})


@pytest.mark.parametrize("name", ["development", "test", "production"])
def test_known_environments_start(name):
    finalise({"ENV_NAME": name, "SECRET_KEY": LONG_KEY, "ECT_AUDIT_KEY": AUDIT_KEY,
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})


def test_environment_typo_from_the_environment_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("ECT_ENV", "prod")
    with pytest.raises(ConfigurationError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}, instance_path=str(tmp_path))


@pytest.mark.parametrize("key", ["x", "k" * 31, "é" * 15])
def test_production_refuses_a_short_key(key):
    with pytest.raises(ConfigurationError, match="at least 32 bytes"):
        finalise({"ENV_NAME": "production", "SECRET_KEY": key})


def test_production_refuses_debug_mode(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("ECT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", LONG_KEY)
    with pytest.raises(ConfigurationError, match="Debug mode"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}, instance_path=str(tmp_path))
    with pytest.raises(ConfigurationError, match="Debug mode"):
        finalise({"ENV_NAME": "production", "SECRET_KEY": LONG_KEY, "DEBUG": True})


def test_development_without_a_key_shares_one_written_once_with_mode_0600(tmp_path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    first = create_app(config, instance_path=str(tmp_path / "instance"))
    second = create_app(config, instance_path=str(tmp_path / "instance"))
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert [p.name for p in key_file.parent.iterdir() if p.name.startswith(".secret_key")] == []


def test_an_explicit_key_is_never_written(tmp_path):
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "mine"},
               instance_path=str(tmp_path / "instance"))
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize("key", ["ECT_SESSION_IDLE_MINUTES", "ECT_SESSION_MAX_HOURS", "ECT_TOKEN_DAYS"])
def test_lifetimes_must_be_positive(key):
    with pytest.raises(ConfigurationError, match=key):
        finalise({"SECRET_KEY": "x", key: 0})


def test_seed_demo_is_refused_in_production(extra_app):
    from ect_reporting.extensions import db
    from ect_reporting.models import User

    app = extra_app(
        ENV_NAME="production", SECRET_KEY=LONG_KEY, ECT_AUDIT_KEY=AUDIT_KEY, RATELIMIT_STORAGE_URI="memory://"
    )
    with app.app_context():
        before = db.session.query(User).filter(User.email == "admin@example.nhs.uk").count()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code != 0
        assert "refused when ECT_ENV=production" in result.output
        assert db.session.query(User).filter(User.email == "admin@example.nhs.uk").count() == before
