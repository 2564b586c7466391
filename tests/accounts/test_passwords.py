"""Password rules per NCSC guidance, and choosing your own password at first sign-in (issue 11)."""

from __future__ import annotations

import pytest

from ect_reporting import passwords, users
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.conftest import PASSWORD

NEW = "kettle orbit meadow"


@pytest.mark.parametrize(
    "password",
    [
        "Password2026!",
        "password1234",
        "qwertyuiop123",
        "Liverpool1990",
        "123456789012",
        "aaaaaaaaaaaaa",
        "NHSNHS2026!!",
    ],
)
def test_common_passwords_and_decorated_common_words_are_refused(password):
    assert passwords.password_problem(password) == passwords.TOO_COMMON


@pytest.mark.parametrize("password", ["kettle orbit meadow", "correct-horse-battery", "all lower case words here"])
def test_long_uncommon_passwords_need_no_capitals_digits_or_symbols(password):
    assert passwords.password_problem(password) is None


def test_length_limits_and_own_email():
    assert passwords.password_problem("short words") == passwords.TOO_SHORT
    assert passwords.password_problem("x" * 300 + "yz") == passwords.TOO_LONG
    assert passwords.password_problem("sam.patel rocks on", email="sam.patel@nhs.net") == passwords.CONTAINS_EMAIL


def test_the_deny_list_ships_as_package_data():
    assert len(passwords.deny_list()) > 10_000
    assert "password" in passwords.deny_list()


def test_an_administrator_created_account_must_choose_its_own_password_first(client, make_user):
    admin = make_user("admin")
    user = users.create_user(
        db.session,
        email="new@example.nhs.uk",
        full_name="New Person",
        role="clinician",
        password=PASSWORD,
        actor=admin,
        must_change_password=True,
    )
    db.session.commit()
    signed_in = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    for url in ("/", "/sessions", "/needs-attention", "/sessions/new"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/password", url
    page = client.get("/account/password").get_data(as_text=True)
    assert "Choose your own password" in page

    weak = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "Password2026!", "confirm_password": "Password2026!"},
    )
    assert weak.status_code == 422 and "harder to guess" in weak.get_data(as_text=True)
    wrong = client.post(
        "/account/password", data={"current_password": "not it at all", "password": NEW, "confirm_password": NEW}
    )
    assert wrong.status_code == 422 and "current password is not correct" in wrong.get_data(as_text=True)

    done = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW, "confirm_password": NEW}
    )
    assert done.status_code == 302
    assert client.get("/sessions").status_code == 200  # still signed in, and free to go on
    db.session.refresh(user)
    assert user.must_change_password is False
    assert users.authenticate(db.session, user.email, NEW) is not None
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "change_password"))
    assert event.details == {"required_by_administrator": True}


def test_a_password_reset_by_an_administrator_must_be_replaced(app, make_user):
    admin, user = make_user("admin"), make_user("clinician")
    users.reset_password(db.session, admin, user, "fresh temporary words")
    db.session.commit()
    assert user.must_change_password is True


def test_the_api_is_not_held_up_by_the_browser_rule(client, make_user, token_for, make_session):
    user = make_user("clinician")
    user.must_change_password = True
    db.session.commit()
    assert client.get(f"/api/v1/sessions/{make_session(user=user).id}", headers=token_for(user)).status_code == 200
