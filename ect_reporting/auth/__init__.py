"""Sign-in and sign-out for the web pages, and role checks."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo

from ect_reporting import session_policy, sign_in_guard, users
from ect_reporting.audit import record_event
from ect_reporting.extensions import db, limiter, login_manager
from ect_reporting.models import User

bp = Blueprint("auth", __name__)

def init_login(app: Flask) -> None:
    """Configure Flask-Login for the browser session."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user for a request, or None when their session has ended.

    The cookie is signed, not stored on the server, so a copy of it would
    otherwise work until the key changed. Checking the user's session
    version and the session's age here, on every request, is what makes
    sign-out, a new password, deactivation, a role change, the idle
    timeout and the absolute lifetime actually end it.
    """
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        user = None
    moment = session_policy.now()
    reason = "revoked" if user is None or not user.is_active_user else None
    reason = reason or session_policy.end_reason(session, user.session_version, _policy(), moment)  # type: ignore[union-attr]
    if reason is not None:
        session.clear()
        flash(session_policy.ENDED_MESSAGES[reason], "info")
        return None
    if session_policy.needs_touch(session, moment):
        session[session_policy.SEEN_KEY] = int(moment.timestamp())
    return user


def _policy() -> session_policy.SessionPolicy:
    config = current_app.config
    return session_policy.SessionPolicy.from_settings(
        int(config["ECT_SESSION_IDLE_MINUTES"]), int(config["ECT_SESSION_MAX_HOURS"])
    )


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@nhs.net"),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


def _safe_next(target: str | None) -> str | None:
    """Return ``target`` only when it is a local path (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _audit_rate_limited(_limit: RequestLimit) -> None:
    """Audit each sign-in the rate limit refuses (every failure is audited); the 429 page follows."""
    sign_in_guard.record_rate_limited(db.session, str(request.form.get("email") or "")[:254], request.remote_addr)
    db.session.commit()


@bp.route("/sign-in", methods=["GET", "POST"])
# Every POST counts, atomically before the view runs: counting only failures
# after the response (deduct_when) would let parallel guesses all pass first.
@limiter.limit(lambda: _login_limit(), methods=["POST"], on_breach=_audit_rate_limited)
def login() -> Any:
    """Show the sign-in form and sign the user in, through the per-address lock-out (``sign_in_guard``)."""
    if current_user.is_authenticated:
        return redirect(url_for("capture.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form)
    outcome = sign_in_guard.attempt(
        db.session, form.email.data or "", form.password.data or "", request.remote_addr,
        _lockout_policy(), session_policy.now(),
    )
    user = outcome.user
    if user is None:
        db.session.commit()  # the failure count and its audit row
        if outcome.locked:
            minutes = max(1, math.ceil(outcome.retry_after.total_seconds() / 60))
            form.password.errors = [*form.password.errors, _LOCKED_MESSAGE.format(minutes=minutes)]
            return render_template("auth/sign_in.html", form=form), 429, {"Retry-After": str(minutes * 60)}
        form.password.errors = [*form.password.errors, "Email address or password is not correct"]
        return render_template("auth/sign_in.html", form=form)
    login_user(user)
    session.update(session_policy.start_values(user.session_version, session_policy.now()))
    record_event(
        db.session, actor=user, action="sign_in", object_type="user", object_id=user.id,
        details={"client_address": request.remote_addr},
    )
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")) or url_for("capture.home"))


_LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in to this account from this device. "
    "Try again in {minutes} minutes, or sign in from another device."
)


def _lockout_policy() -> sign_in_guard.LockoutPolicy:
    config = current_app.config
    return sign_in_guard.LockoutPolicy.from_settings(
        int(config["ECT_SIGN_IN_MAX_FAILURES"]), int(config["ECT_SIGN_IN_WINDOW_MINUTES"])
    )


def _login_limit() -> str:
    return str(current_app.config["ECT_LOGIN_RATE_LIMIT"])


class ChangePasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password")])
    password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[DataRequired("Enter the new password again"), EqualTo("password", "The passwords do not match")],
    )


# What someone who must choose a password may still reach: the form itself and signing out.
_ALLOWED_BEFORE_NEW_PASSWORD = frozenset({"auth.change_password", "auth.confirm_logout", "auth.logout", "static"})


@bp.before_app_request
def _require_own_password() -> Any:
    """Send a person whose password an administrator chose to choose their own, before anything else.

    Pages only: the API authenticates tokens, not this browser session.
    """
    if request.endpoint in _ALLOWED_BEFORE_NEW_PASSWORD or request.blueprint == "api":
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Choose a new password; required at first sign-in to an account an administrator created or reset."""
    user: User = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_own_password(db.session, user, form.current_password.data or "", form.password.data or "")
        except users.UserError as exc:
            db.session.rollback()
            target = form._fields.get(exc.field or "", form.password)
            target.errors = [*target.errors, str(exc)]
        else:
            db.session.commit()
            # Every other session ended; this browser carries on with the new version.
            session.update(session_policy.start_values(user.session_version, session_policy.now()))
            flash("Your new password is saved. Other browsers you were signed in on have been signed out.", "success")
            return redirect(url_for("capture.home"))
    status = 422 if request.method == "POST" and form.errors else 200
    page = render_template("auth/change_password.html", form=form, forced=user.must_change_password,
                           min_length=users.MIN_PASSWORD_LENGTH)
    return page, status


@bp.get("/sign-out")
@login_required
def confirm_logout() -> Any:
    """Ask to confirm signing out (the header can only link, not post)."""
    return render_template("auth/sign_out.html")


@bp.post("/sign-out")
@login_required
def logout() -> Any:
    """Sign out (POST with CSRF so a link cannot sign people out) and end every session of the user."""
    users.sign_out(db.session, current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
