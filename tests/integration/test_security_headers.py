"""Security headers (issue 12 item 3) on a page, an API body, an export, an error page and a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from ect_reporting.extensions import db
from ect_reporting.reports import services
from tests.conftest import PASSWORD


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def csp_directives(response: Any) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_secure_headers(response: Any) -> None:
    headers = response.headers
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["default-src"] == "default-src 'self'"
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[directive]
        assert "'unsafe-eval'" not in directives[directive]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_page(client, clinician):
    client.post("/sign-in", data={"email": clinician.email, "password": PASSWORD})
    response = client.get("/sessions")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_sign_in_page_inline_script_only_with_the_nonce(client):
    response = client.get("/sign-in")
    assert_secure_headers(response)
    nonce = csp_directives(response)["script-src"].split("'nonce-")[1].rstrip("'")
    html = response.get_data(as_text=True)
    assert html.count("<script") == html.count(f'nonce="{nonce}"') + html.count(" src=")
    assert "style=" not in html and "<style" not in html


def test_api_body(client, auth, make_session):
    session = make_session()
    response = client.get(f"/api/v1/sessions/{session.id}", headers=auth)
    assert response.status_code == 200
    assert_secure_headers(response)


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_export(client, auth, clinician, make_session, fmt):
    report = services.create_report(db.session, clinician, make_session(), "medicine")
    db.session.commit()
    response = client.get(f"/api/v1/reports/{report.id}/export.{fmt}", headers=auth)
    assert response.status_code == 200
    assert_secure_headers(response)


def test_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_secure_headers(response)


def test_api_error(client):
    response = client.get("/api/v1/sessions/1")
    assert response.status_code == 401
    assert_secure_headers(response)


def test_static_files_may_be_cached(client):
    response = client.get("/static/app.css")
    try:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        response.close()


def test_hsts_and_https_in_production(extra_app):
    app = extra_app(ENV_NAME="production", SECRET_KEY="p" * 40, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    assert client.get("/sign-in").status_code == 302  # plain HTTP is sent to HTTPS
    response = client.get("/sign-in", base_url="https://localhost")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_cookie_settings_are_left_alone(app):
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert not app.config.get("SESSION_COOKIE_SECURE")
