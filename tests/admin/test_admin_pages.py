"""Administrator pages: who may use them, listing, creating, (de)activating, passwords and API tokens."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from ect_reporting import users
from ect_reporting.extensions import db
from ect_reporting.models import ApiToken, AuditEvent, User
from tests.conftest import PASSWORD
from tests.integration.test_forms import sign_in

NEW_USER = {
    "email": "Priya.Shah@nhs.net",
    "full_name": "Dr Priya Shah",
    "role": "clinician",
    "profession": "Consultant plastic surgeon",
    "organisation": "Royal Infirmary",
    "password": "a-long-new-password",
    "confirm_password": "a-long-new-password",
}

# Every admin URL (method, path with {id} for the target user).
ADMIN_ROUTES = [
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{id}"),
    ("POST", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/reactivate"),
    ("POST", "/admin/users/{id}/tokens"),
    ("GET", "/admin/users/{id}/password"),
    ("POST", "/admin/users/{id}/password"),
    ("GET", "/admin/users/{id}/tokens/1/revoke"),
    ("POST", "/admin/users/{id}/tokens/1/revoke"),
    ("POST", "/admin/users/{id}/place"),
    ("GET", "/admin/sites"),
    ("POST", "/admin/sites"),
    ("POST", "/admin/sites/teams"),
]


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def error_summary(html: str) -> str:
    return html.split("nhsuk-error-summary__list")[1].split("</ul>")[0]


def form_group(html: str, field_id: str) -> str:
    """The HTML of the form group holding the input ``field_id`` (label, hint, error, input)."""
    start = html.rfind('<div class="nhsuk-form-group', 0, html.index(f'id="{field_id}"'))
    return html[start : html.index(f'id="{field_id}"')]


# --- Access -----------------------------------------------------------------


def test_every_admin_route_is_in_the_access_table(app):
    rules = {
        (method, re.sub(r"<int:user_id>", "{id}", rule.rule).replace("<int:token_id>", "1"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules == set(ADMIN_ROUTES)


@pytest.mark.parametrize("role", ["clinician", "governance_lead"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_other_roles_get_403_and_change_nothing(client, make_user, role, method, path):
    target = make_user("clinician")
    sign_in(client, make_user(role))
    data = {**NEW_USER, "label": "x"} if method == "POST" else None
    response = client.open(path.format(id=target.id), method=method, data=data)
    assert response.status_code == 403
    db.session.expire_all()
    assert target.is_active_user
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    assert users.find_user_by_email(db.session, NEW_USER["email"]) is None
    assert users.authenticate(db.session, target.email, PASSWORD) is not None


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, make_user, method, path):
    target = make_user("clinician")
    response = client.open(path.format(id=target.id), method=method)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("role", "sees_users"), [("admin", True), ("clinician", False), ("governance_lead", False)])
def test_users_navigation_item_is_for_admins_only(client, make_user, role, sees_users):
    sign_in(client, make_user(role))
    html = client.get("/sessions").get_data(as_text=True)
    assert ('href="/admin/users"' in html) is sees_users


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
    assert admin_client.post("/admin/users/999999/deactivate").status_code == 404


# --- List -------------------------------------------------------------------


def test_list_shows_each_account(admin_client, admin, make_user):
    leaver = make_user("governance_lead", full_name="Alex Leaver")
    leaver.is_active_user = False
    db.session.commit()
    html = admin_client.get("/admin/users").get_data(as_text=True)
    rows = html.split("<tbody")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 2
    leaver_row = next(r for r in rows if "Alex Leaver" in r)
    assert leaver.email in leaver_row
    assert "Governance lead" in leaver_row  # the role's label, not its stored value
    assert "Deactivated" in leaver_row and "Active" not in leaver_row
    assert f"/admin/users/{leaver.id}" in leaver_row
    created = leaver.created_at
    assert f"{created.day} {created:%B %Y}" in leaver_row
    admin_row = next(r for r in rows if "Jo Evans" in r)
    assert "Administrator" in admin_row and ">Active<" in admin_row
    assert admin.profession in admin_row


def test_list_query_count_does_not_grow_with_users(admin_client, make_user, count_queries):
    with count_queries() as few:
        assert admin_client.get("/admin/users").status_code == 200
    for _ in range(6):
        make_user("clinician")
    with count_queries() as many:
        admin_client.get("/admin/users")
    assert len(many) == len(few)


# --- Create -----------------------------------------------------------------


def test_create_user_saves_audits_and_lets_them_sign_in(admin_client, admin, app):
    form_page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert f'value="{app.config["ECT_ORGANISATION"]}"' in form_page  # organisation suggested
    response = admin_client.post("/admin/users/new", data=NEW_USER)
    assert response.status_code == 302
    created = users.find_user_by_email(db.session, "priya.shah@nhs.net")
    assert response.headers["Location"] == f"/admin/users/{created.id}"
    assert (created.full_name, created.role, created.profession, created.organisation) == (
        "Dr Priya Shah",
        "clinician",
        "Consultant plastic surgeon",
        "Royal Infirmary",
    )
    assert created.is_active_user
    [event] = [row for row in audit_rows("create") if row.object_id == created.id]
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "user", created.id)
    expected = {"email": "priya.shah@nhs.net", "role": "clinician", "site_id": created.site_id, "team_id": None}
    assert event.details == expected
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account created for Dr Priya Shah" in page
    assert users.authenticate(db.session, "priya.shah@nhs.net", NEW_USER["password"]) is not None


def test_empty_form_names_each_missing_field(admin_client):
    response = admin_client.post("/admin/users/new", data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = error_summary(html)
    for anchor, message in [
        ("#email", "Enter an email address"),
        ("#full_name", "Enter the person&#39;s full name"),
        ("#role", "Select a role"),
        ("#password", "Enter a password"),
        ("#confirm_password", "Enter the password again"),
    ]:
        assert anchor in summary and message in summary
    assert summary.index("#email") < summary.index("#role") < summary.index("#password")  # page order
    assert "<title>Error: Add a user" in html
    assert db.session.scalar(select(func.count(User.id))) == 1  # only the admin


def test_errors_keep_what_was_typed_except_passwords(admin_client):
    data = dict(NEW_USER, confirm_password="something-else-entirely")
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The passwords do not match" in form_group(html, "confirm_password")
    for value in ("Priya.Shah@nhs.net", "Dr Priya Shah", "Consultant plastic surgeon", "Royal Infirmary"):
        assert f'value="{value}"' in html
    assert re.search(r'value="clinician"\s+checked|checked[^>]*value="clinician"', html)
    assert NEW_USER["password"] not in html and "something-else-entirely" not in html
    assert users.find_user_by_email(db.session, NEW_USER["email"]) is None


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"password": "too-short", "confirm_password": "too-short"}, "password", "Password must be at least 12"),
        ({"role": "superuser"}, "role", "Unknown role"),
        ({"email": "not-an-address"}, "email", "Enter an email address in the correct format"),
        ({"email": "x" * 250 + "@nhs.net"}, "email", "254 characters or fewer"),
    ],
)
def test_account_rule_errors_are_shown_against_their_field(admin_client, change, field_id, message):
    response = admin_client.post("/admin/users/new", data=dict(NEW_USER, **change))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in error_summary(html) and f'href="#{field_id}"' in error_summary(html)
    if field_id == "role":
        group = html[html.rindex('<div class="nhsuk-form-group', 0, html.index('name="role"')) :]
        assert message in group[: group.index('name="role"')]
    else:
        assert message in form_group(html, field_id)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_existing_email_is_an_error_on_the_email_field(admin_client, clinician):
    before = len(audit_rows("create"))  # the fixtures' own accounts
    response = admin_client.post("/admin/users/new", data=dict(NEW_USER, email=clinician.email.upper()))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"A user with e-mail {clinician.email} already exists" in form_group(html, "email")
    assert len(audit_rows("create")) == before


# --- Deactivate and reactivate ----------------------------------------------


def test_deactivated_user_cannot_sign_in_browse_or_use_the_api(app, admin_client, admin, clinician, token_for):
    headers = token_for(clinician)
    their_browser = app.test_client()
    sign_in(their_browser, clinician)
    assert their_browser.get("/sessions").status_code == 200
    assert admin_client.get("/api/v1/sessions/999999", headers=headers).status_code == 404  # token works

    response = admin_client.post(f"/admin/users/{clinician.id}/deactivate")
    assert response.status_code == 302
    db.session.refresh(clinician)
    assert clinician.is_active_user is False
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "can no longer sign in" in page and "Reactivate account" in page
    [event] = audit_rows("deactivate")
    assert (event.actor_id, event.object_id) == (admin.id, clinician.id)

    # Their open browser session ends, they cannot sign in again, and the token is refused.
    assert "/sign-in" in their_browser.get("/sessions").headers["Location"]
    again = their_browser.post("/sign-in", data={"email": clinician.email, "password": PASSWORD})
    assert again.status_code == 200 and "Email address or password is not correct" in again.get_data(as_text=True)
    assert app.test_client().get("/api/v1/sessions/999999", headers=headers).status_code == 401


def test_reactivated_user_can_sign_in_and_use_their_token_again(app, admin_client, admin, clinician, token_for):
    headers = token_for(clinician)
    admin_client.post(f"/admin/users/{clinician.id}/deactivate")
    response = admin_client.post(f"/admin/users/{clinician.id}/reactivate")
    assert response.status_code == 302
    db.session.refresh(clinician)
    assert clinician.is_active_user
    assert [e.actor_id for e in audit_rows("reactivate")] == [admin.id]
    assert sign_in(app.test_client(), clinician).status_code == 302
    assert app.test_client().get("/api/v1/sessions/999999", headers=headers).status_code == 404


def test_admin_cannot_deactivate_themselves(admin_client, admin):
    page = admin_client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Deactivate account" not in page and "This is your own account" in page
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_active_user
    assert audit_rows("deactivate") == []
    assert admin_client.get("/admin/users").status_code == 200  # still signed in


def test_deactivating_twice_writes_one_audit_row(admin_client, clinician):
    admin_client.post(f"/admin/users/{clinician.id}/deactivate")
    admin_client.post(f"/admin/users/{clinician.id}/deactivate")
    assert len(audit_rows("deactivate")) == 1


# --- API tokens -------------------------------------------------------------


def test_token_is_shown_once_works_and_is_never_stored_or_logged(app, admin_client, admin, clinician, caplog):
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(f"/admin/users/{clinician.id}/tokens", data={"label": "Theatre system"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = re.search(r'<code id="api-token" class="app-token">([^<]+)</code>', html).group(1)
    assert "It will not be shown again" in html

    assert users.user_for_token(db.session, token).id == clinician.id
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/sessions/999999", headers=bearer).status_code == 404  # 404, not 401
    row = db.session.scalar(select(ApiToken))
    assert row.token_sha256 == ApiToken.digest(token) and row.label == "Theatre system"
    [event] = audit_rows("issue_token")
    assert (event.actor_id, event.object_id) == (admin.id, clinician.id)
    assert event.details == {"token_id": row.id, "label": "Theatre system"}

    assert token not in caplog.text
    assert token not in response.headers.get("Set-Cookie", "")
    user_page = admin_client.get(f"/admin/users/{clinician.id}").get_data(as_text=True)
    assert token not in user_page and "Theatre system" in user_page


def test_token_description_too_long_comes_back_as_an_error(admin_client, clinician):
    response = admin_client.post(f"/admin/users/{clinician.id}/tokens", data={"label": "x" * 81})
    assert response.status_code == 422
    assert "Description must be 80 characters or fewer" in error_summary(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_no_token_for_a_deactivated_account(admin_client, clinician):
    admin_client.post(f"/admin/users/{clinician.id}/deactivate")
    page = admin_client.get(f"/admin/users/{clinician.id}").get_data(as_text=True)
    assert "Issue an API token" not in page
    response = admin_client.post(f"/admin/users/{clinician.id}/tokens", data={}, follow_redirects=True)
    assert "Reactivate this account before issuing it an API token" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


# --- Passwords --------------------------------------------------------------


def test_set_new_password(admin_client, admin, clinician):
    new = "another-long-password"
    response = admin_client.post(
        f"/admin/users/{clinician.id}/password", data={"password": new, "confirm_password": new}
    )
    assert response.status_code == 302
    assert users.authenticate(db.session, clinician.email, PASSWORD) is None
    assert users.authenticate(db.session, clinician.email, new) is not None
    [event] = audit_rows("reset_password")
    assert (event.actor_id, event.object_id, event.details) == (
        admin.id,
        clinician.id,
        {"sessions_ended": True, "tokens_kept": False, "tokens_revoked": []},
    )


@pytest.mark.parametrize(
    ("password", "confirm", "field_id", "message"),
    [
        ("short-one", "short-one", "password", "Password must be at least 12 characters"),
        ("another-long-password", "different-password", "confirm_password", "The passwords do not match"),
    ],
)
def test_bad_new_password_is_explained_beside_the_field(admin_client, clinician, password, confirm, field_id, message):
    response = admin_client.post(
        f"/admin/users/{clinician.id}/password", data={"password": password, "confirm_password": confirm}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in form_group(html, field_id)
    assert password not in html
    assert users.authenticate(db.session, clinician.email, PASSWORD) is not None
    assert audit_rows("reset_password") == []


# --- CSRF -------------------------------------------------------------------


def test_admin_forms_need_a_csrf_token(extra_app, app, admin, clinician):
    client = extra_app(RATELIMIT_ENABLED=False).test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})

    assert client.post("/admin/users/new", data=NEW_USER).status_code == 400
    assert client.post(f"/admin/users/{clinician.id}/deactivate").status_code == 400
    assert client.post(f"/admin/users/{clinician.id}/tokens").status_code == 400
    db.session.expire_all()
    assert clinician.is_active_user and users.find_user_by_email(db.session, NEW_USER["email"]) is None

    user_page = client.get(f"/admin/users/{clinician.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', user_page).group(1)
    assert client.post(f"/admin/users/{clinician.id}/deactivate", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert clinician.is_active_user is False
