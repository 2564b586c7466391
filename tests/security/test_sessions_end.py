"""Browser sessions end when they should: sign-out, new password, deactivation, role change, idle, lifetime.

The session is a signed cookie, so "ending" it means the server refusing
a cookie it once issued. Each test copies the cookie before the event and
replays it in a fresh client, as someone who captured it would.
"""

from __future__ import annotations

from sqlalchemy import select

from ect_reporting import users
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.integration.test_forms import sign_in

PAGE = "/sessions/new"  # any page that needs sign-in


def _signed_in_cookie(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    assert client.get(PAGE).status_code == 200
    return client, client.get_cookie("session").value


def _replay(app, cookie_value):
    replayer = app.test_client()
    replayer.set_cookie("session", cookie_value)
    return replayer.get(PAGE)


def _is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_cookie_copied_before_sign_out_is_refused_after_it(app, clinician):
    client, cookie = _signed_in_cookie(app, clinician)
    assert _replay(app, cookie).status_code == 200  # the copy works while signed in
    client.post("/sign-out")
    assert _is_sign_in_redirect(_replay(app, cookie))
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == clinician.id)).all()
    assert "sign_out" in actions


def test_signing_in_again_after_sign_out_works(app, clinician):
    client, _ = _signed_in_cookie(app, clinician)
    client.post("/sign-out")
    sign_in(client, clinician)
    assert client.get(PAGE).status_code == 200


def test_admin_password_reset_ends_the_old_cookie_and_token(app, admin_client, clinician, token_for):
    headers = token_for(clinician)
    _, cookie = _signed_in_cookie(app, clinician)
    new = "another-long-password"
    response = admin_client.post(
        f"/admin/users/{clinician.id}/password", data={"password": new, "confirm_password": new}
    )
    assert response.status_code == 302
    replayed = _replay(app, cookie)
    assert _is_sign_in_redirect(replayed)
    assert "Sign in" in app.test_client().get(replayed.headers["Location"]).get_data(as_text=True)
    refused = app.test_client().get("/api/v1/sessions/999999", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"].startswith("The bearer token is not valid")


def test_admin_can_keep_tokens_when_setting_a_password(app, admin_client, clinician, token_for):
    headers = token_for(clinician)
    new = "another-long-password"
    admin_client.post(
        f"/admin/users/{clinician.id}/password", data={"password": new, "confirm_password": new, "keep_tokens": "y"}
    )
    assert app.test_client().get("/api/v1/sessions/999999", headers=headers).status_code == 404  # token works
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_password")).all()
    assert event.details["tokens_kept"] is True


def test_keep_tokens_box_is_unticked_by_default(admin_client, clinician):
    page = admin_client.get(f"/admin/users/{clinician.id}/password").get_data(as_text=True)
    box = page[page.index('name="keep_tokens"') - 200 : page.index('name="keep_tokens"') + 200]
    assert "Keep their API tokens working" in page
    assert "checked" not in box


def test_deactivation_ends_the_session_and_reactivation_does_not_revive_it(app, admin_client, clinician):
    _, cookie = _signed_in_cookie(app, clinician)
    admin_client.post(f"/admin/users/{clinician.id}/deactivate")
    admin_client.post(f"/admin/users/{clinician.id}/reactivate")
    assert _is_sign_in_redirect(_replay(app, cookie))


def test_role_change_ends_sessions_and_is_audited(app, admin, clinician):
    _, cookie = _signed_in_cookie(app, clinician)
    users.change_role(db.session, admin, clinician, "governance_lead")
    db.session.commit()
    assert _is_sign_in_redirect(_replay(app, cookie))
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change_role")).all()
    assert (event.actor_id, event.details) == (admin.id, {"from": "clinician", "to": "governance_lead"})


def test_another_users_sign_out_leaves_my_session_alone(app, clinician, other_clinician):
    _, my_cookie = _signed_in_cookie(app, clinician)
    theirs, _ = _signed_in_cookie(app, other_clinician)
    theirs.post("/sign-out")
    assert _replay(app, my_cookie).status_code == 200


def test_idle_session_ends_after_the_idle_limit(app, clinician, clock):
    client, _ = _signed_in_cookie(app, clinician)
    clock.advance(minutes=29)
    assert client.get(PAGE).status_code == 200  # activity moves "last seen" forward
    clock.advance(minutes=29)
    assert client.get(PAGE).status_code == 200
    clock.advance(minutes=30)
    response = client.get(PAGE)
    assert _is_sign_in_redirect(response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "had not used the service for a while" in page


def test_busy_session_still_ends_at_the_absolute_limit(app, clinician, clock):
    client, _ = _signed_in_cookie(app, clinician)
    for _ in range(35):  # 11 h 40 min of activity every 20 minutes
        clock.advance(minutes=20)
        assert client.get(PAGE).status_code == 200
    clock.advance(minutes=20)  # 12 hours since sign-in, never idle
    response = client.get(PAGE)
    assert _is_sign_in_redirect(response)
    assert "reached its time limit" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_limits_are_settings(app, clinician, clock):
    app.config.update(ECT_SESSION_IDLE_MINUTES=5, ECT_SESSION_MAX_HOURS=1)
    client, _ = _signed_in_cookie(app, clinician)
    clock.advance(minutes=4)
    assert client.get(PAGE).status_code == 200
    clock.advance(minutes=5)
    assert _is_sign_in_redirect(client.get(PAGE))


def test_cookie_without_the_version_is_refused(app, clinician):
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(clinician.id)
        flask_session["_fresh"] = True
    assert _is_sign_in_redirect(client.get(PAGE))
