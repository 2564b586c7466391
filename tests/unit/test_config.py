"""Configuration layers and production safety."""

import pytest

from ect_reporting import create_app
from ect_reporting.config import ConfigurationError, finalise, normalise_database_url, settings_from_environment


def test_production_without_secret_key_refuses_to_start():
    with pytest.raises(ConfigurationError):
        finalise({"ENV_NAME": "production"})


def test_production_cookies_are_secure():
    settings = {"ENV_NAME": "production", "SECRET_KEY": "s" * 32}
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
