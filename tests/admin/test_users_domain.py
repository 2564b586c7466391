"""users.py account functions: rules, audit rows, and no commits of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ect_reporting import users
from ect_reporting.extensions import db
from ect_reporting.models import ApiToken, AuditEvent
from tests.conftest import PASSWORD


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "root"}, "role"),
        ({"password": "short"}, "password"),
        ({"email": "no-at-sign"}, "email"),
        ({"full_name": "   "}, "full_name"),
    ],
)
def test_user_errors_name_their_field(app, change, field):
    values = {"email": "a@nhs.net", "full_name": "A Person", "role": "clinician", "password": "long-enough-pass"}
    with pytest.raises(users.UserError) as caught:
        users.create_user(db.session, **(values | change))
    assert caught.value.field == field


def test_duplicate_email_names_the_email_field(app, clinician):
    with pytest.raises(users.UserError) as caught:
        users.create_user(
            db.session, email=f"  {clinician.email.upper()} ", full_name="B", role="clinician", password=PASSWORD
        )
    assert caught.value.field == "email"


@pytest.mark.parametrize(
    "change",
    [
        lambda admin, user: users.set_active(db.session, admin, user, False),
        lambda admin, user: users.reset_password(db.session, admin, user, "a-brand-new-password"),
        lambda admin, user: users.issue_token(db.session, user, "x", actor=admin),
        lambda admin, user: users.create_user(
            db.session, email="new@nhs.net", full_name="New", role="clinician", password=PASSWORD, actor=admin
        ),
    ],
)
def test_changes_and_their_audit_rows_share_one_uncommitted_transaction(admin, clinician, change):
    before = audit_count()
    change(admin, clinician)
    assert audit_count() == before + 1
    db.session.rollback()  # the caller decides: nothing was committed behind its back
    assert audit_count() == before
    db.session.refresh(clinician)
    assert clinician.is_active_user
    assert users.authenticate(db.session, clinician.email, PASSWORD) is not None
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
    assert users.find_user_by_email(db.session, "new@nhs.net") is None


def test_admin_cannot_deactivate_themselves_but_may_reactivate_others(admin, make_user):
    with pytest.raises(users.UserError, match="cannot deactivate your own account"):
        users.set_active(db.session, admin, admin, False)
    other_admin = make_user("admin")
    users.set_active(db.session, admin, other_admin, False)
    users.set_active(db.session, admin, other_admin, True)
    assert other_admin.is_active_user


def test_inactive_users_tokens_are_refused(admin, clinician):
    token = users.issue_token(db.session, clinician)
    users.set_active(db.session, admin, clinician, False)
    assert users.user_for_token(db.session, token) is None
    users.set_active(db.session, admin, clinician, True)
    assert users.user_for_token(db.session, token) == clinician


def test_audit_rows_never_hold_passwords_or_tokens(admin, clinician):
    token = users.issue_token(db.session, clinician, actor=admin)
    users.reset_password(db.session, admin, clinician, "a-brand-new-password")
    users.create_user(
        db.session, email="n@nhs.net", full_name="N", role="clinician", password="yet-another-password", actor=admin
    )
    text = repr([e.details for e in db.session.scalars(select(AuditEvent))])
    for secret in (token, "a-brand-new-password", "yet-another-password"):
        assert secret not in text


def test_qualification_is_stored_and_prefills_the_reporter(app, make_session):
    from ect_reporting import users
    from ect_reporting.extensions import db
    from ect_reporting.reports import services

    user = users.create_user(db.session, email="pharm@example.nhs.uk", full_name="P Harm", role="clinician",
                             password="a-long-password-2026", qualification="pharmacist")
    report = services.create_report(db.session, user, make_session(user=user), "medicine")
    assert report.reporter_qualification == "pharmacist"


def test_unknown_qualification_is_refused(app):
    import pytest

    from ect_reporting import users
    from ect_reporting.extensions import db

    with pytest.raises(users.UserError) as caught:
        users.create_user(db.session, email="x@example.nhs.uk", full_name="X", role="clinician",
                          password="a-long-password-2026", qualification="vet")
    assert caught.value.field == "qualification"
