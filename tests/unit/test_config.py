"""Configuration layers and production safety."""

import pytest

from ect_reporting import create_app
from ect_reporting.config import ConfigurationError, finalise, normalise_database_url, settings_from_environment


def test_production_without_secret_key_refuses_to_start():
    with pytest.raises(ConfigurationError):
        finalise({"ENV_NAME": "production"})


def test_production_cookies_are_secure():
    settings = {
        "ENV_NAME": "production", "SECRET_KEY": "s" * 32, "ECT_AUDIT_KEY": "ab" * 32,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    }
    finalise(settings)
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_development_gets_a_random_key():
    first, second = {}, {}
    finalise(first)
    finalise(second)
    assert first["SECRET_KEY"] != second["SECRET_KEY"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_uses_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_environment_settings_are_typed():
    settings = settings_from_environment(
        {"DATABASE_URL": "postgres://u@h/db", "ECT_PULSE_WINDOW_MAX_MINUTES": "30", "ECT_ORGANISATION": "Trust"}
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["ECT_PULSE_WINDOW_MAX_MINUTES"] == 30
    assert settings["ECT_ORGANISATION"] == "Trust"


def test_test_mapping_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ECT_ORGANISATION", "From environment")
    app = create_app({"ECT_ORGANISATION": "From test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["ECT_ORGANISATION"] == "From test"


def test_organisation_code_defaults_to_ect(monkeypatch, tmp_path):
    monkeypatch.delenv("ECT_ORGANISATION_CODE", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["ECT_ORGANISATION_CODE"] == "ECT"


def test_a_bad_organisation_code_in_the_environment_stops_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("ECT_ORGANISATION_CODE", "gb-ect")
    with pytest.raises(ConfigurationError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


@pytest.mark.parametrize("code", ["RXH", "R1H01", "AB", "ABCDEFGHIJ"])
def test_valid_organisation_codes_are_accepted(code):
    settings = {"ECT_ORGANISATION_CODE": code}
    finalise(settings)
    assert settings["ECT_ORGANISATION_CODE"] == code


@pytest.mark.parametrize("code", ["rxh", "R", "ABCDEFGHIJK", "RX-H", "RX H", "", "RXH\n", 42])
def test_invalid_organisation_codes_refuse_to_start(code):
    with pytest.raises(ConfigurationError, match="ECT_ORGANISATION_CODE"):
        finalise({"ECT_ORGANISATION_CODE": code})


def test_production_refuses_per_worker_rate_limit_storage():
    """memory:// counts per worker; production must name a shared store (or choose memory:// knowingly)."""
    settings = {"ENV_NAME": "production", "SECRET_KEY": "s" * 32, "ECT_AUDIT_KEY": "ab" * 32}
    with pytest.raises(ConfigurationError, match="ECT_RATELIMIT_STORAGE_URI"):
        finalise(settings)


def test_development_rate_limit_storage_defaults_to_memory():
    settings: dict = {}
    finalise(settings)
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
