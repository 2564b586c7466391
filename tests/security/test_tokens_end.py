"""API tokens expire, record their last use (at most once a minute) and are revoked one by one."""

from __future__ import annotations

import re

from sqlalchemy import select

from ect_reporting import users
from ect_reporting.extensions import db
from ect_reporting.models import ApiToken, AuditEvent

PROBE = "/api/v1/sessions/999999"  # 404 when the token works, 401 when it does not


def _issue(user, label="Theatre system", **kwargs):
    token = users.issue_token(db.session, user, label, **kwargs)
    db.session.commit()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == ApiToken.digest(token)))
    return {"Authorization": f"Bearer {token}"}, row


def _audit(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_token_expires_after_the_set_number_of_days(client, clinician, clock):
    headers, row = _issue(clinician, days=90)
    assert (row.expires_at - row.created_at).days == 90
    clock.advance(days=89, hours=23)
    assert client.get(PROBE, headers=headers).status_code == 404
    clock.advance(hours=1)
    response = client.get(PROBE, headers=headers)
    assert response.status_code == 401
    assert set(response.get_json()) >= {"error"}


def test_admin_page_issues_tokens_for_the_configured_days(app, admin_client, clinician):
    app.config["ECT_TOKEN_DAYS"] = 7
    admin_client.post(f"/admin/users/{clinician.id}/tokens", data={"label": "Short"})
    row = db.session.scalar(select(ApiToken))
    assert (row.expires_at - row.created_at).days == 7


def test_last_used_is_written_at_most_once_a_minute(client, clinician, clock):
    headers, row = _issue(clinician)
    assert row.last_used_at is None
    client.get(PROBE, headers=headers)
    db.session.expire_all()
    first = row.last_used_at
    assert first is not None
    clock.advance(seconds=59)
    client.get(PROBE, headers=headers)
    db.session.expire_all()
    assert row.last_used_at == first
    clock.advance(seconds=1)
    client.get(PROBE, headers=headers)
    db.session.expire_all()
    assert (row.last_used_at - first).total_seconds() == 60


def test_admin_revokes_one_token_after_confirming(app, admin_client, admin, clinician):
    kept_headers, _ = _issue(clinician, "Pharmacy system")
    headers, row = _issue(clinician)
    page = admin_client.get(f"/admin/users/{clinician.id}").get_data(as_text=True)
    for heading in ("Issued", "Last used", "Expires", "Status"):
        assert heading in page
    link = f"/admin/users/{clinician.id}/tokens/{row.id}/revoke"
    assert link in page
    confirm = admin_client.get(link)
    assert confirm.status_code == 200
    assert "Revoke the token" in confirm.get_data(as_text=True)
    assert app.test_client().get(PROBE, headers=headers).status_code == 404  # nothing happens on GET
    assert admin_client.post(link).status_code == 302
    assert app.test_client().get(PROBE, headers=headers).status_code == 401
    assert app.test_client().get(PROBE, headers=kept_headers).status_code == 404
    [event] = _audit("revoke_token")
    assert (event.actor_id, event.object_id, event.details) == (
        admin.id, clinician.id, {"token_id": row.id, "label": "Theatre system"}
    )
    after = admin_client.get(f"/admin/users/{clinician.id}").get_data(as_text=True)
    assert re.search(rf'id="token-{row.id}".*?Revoked', after, re.S)
    admin_client.post(link)  # a second click changes nothing
    assert len(_audit("revoke_token")) == 1


def test_revoking_another_users_token_through_the_wrong_url_is_404(admin_client, clinician, other_clinician):
    _, row = _issue(clinician)
    url = f"/admin/users/{other_clinician.id}/tokens/{row.id}/revoke"
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url).status_code == 404
    db.session.expire_all()
    assert not row.revoked


def test_cli_lists_and_revokes_a_token(app, clinician):
    headers, row = _issue(clinician)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["list-tokens", "--email", clinician.email])
    assert listed.exit_code == 0
    assert f"{row.id}\tworks\tTheatre system" in listed.output
    assert headers["Authorization"].split()[1] not in listed.output
    revoked = runner.invoke(args=["revoke-token", "--id", str(row.id)])
    assert revoked.exit_code == 0, revoked.output
    assert app.test_client().get(PROBE, headers=headers).status_code == 401
    [event] = _audit("revoke_token")
    assert event.actor_id is None and event.details["token_id"] == row.id
    assert "revoked" in runner.invoke(args=["list-tokens", "--email", clinician.email]).output
    missing = runner.invoke(args=["revoke-token", "--id", "999999"])
    assert missing.exit_code != 0 and "No API token 999999" in missing.output


def test_expired_token_is_listed_as_expired(app, clinician, clock):
    _, row = _issue(clinician, days=1)
    clock.advance(days=2)
    assert users.token_status(row) == "expired"
