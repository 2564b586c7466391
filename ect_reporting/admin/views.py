"""Administrator pages: list, create, deactivate and reactivate users, set passwords, issue API tokens.

Every view here is for administrators only: one ``before_request`` check
answers 403 to any other role, so a new view cannot forget it. Views
stay thin: parse the form, call one function in ``users.py`` (which
writes the audit row), commit, redirect or render.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ect_reporting import users
from ect_reporting.admin import bp
from ect_reporting.admin.forms import PasswordForm, TokenForm, UserForm
from ect_reporting.extensions import db
from ect_reporting.models import ApiToken, User
from ect_reporting.web import role_required


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


@bp.before_request
@role_required("admin")
def _admins_only() -> None:
    """Let only signed-in administrators in (sign-in redirect, else 403)."""


def _status(form: Any) -> int:
    """Answer 422 when a posted form has errors, so tools see the failure."""
    return 422 if request.method == "POST" and form.errors else 200


def _show_error(form: Any, exc: users.UserError) -> None:
    """Put a ``UserError`` beside the field it is about, or above the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id, description=f"There is no user {user_id}")


@bp.get("/users")
def list_users() -> Any:
    """List every account, by name."""
    accounts = db.session.scalars(select(User).order_by(func.lower(User.full_name), User.id)).all()
    return render_template("admin/users.html", accounts=accounts)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Any:
    """Create an account; on errors the form comes back with what was typed (not the passwords)."""
    form = UserForm()
    if request.method == "GET":
        form.organisation.data = current_app.config["ECT_ORGANISATION"]
    if form.validate_on_submit():
        try:
            account = users.create_user(
                db.session,
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=form.role.data or "",
                password=form.password.data or "",
                profession=form.profession.data,
                organisation=form.organisation.data,
                qualification=form.qualification.data,
                actor=_user(),
            )
        except users.UserError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Account created for {account.full_name}. Give them their password in a secure way.", "success")
            return redirect(url_for("admin.show_user", user_id=account.id))
    return render_template("admin/user_form.html", form=form), _status(form)


def _render_user_page(account: User, token_form: Any = None, status: int = 200) -> Any:
    tokens = [(row, users.token_status(row)) for row in users.tokens_of(db.session, account)]
    page = render_template(
        "admin/user.html",
        account=account,
        tokens=tokens,
        token_form=token_form or TokenForm(),
        is_self=account.id == _user().id,
    )
    return page, status


@bp.get("/users/<int:user_id>")
def show_user(user_id: int) -> Any:
    """Show one account with its API tokens and what can be done to it."""
    return _render_user_page(_get_user(user_id))


def _change_active(user_id: int, active: bool) -> Any:
    account = _get_user(user_id)
    try:
        users.set_active(db.session, _user(), account, active)
    except users.UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        if active:
            flash(f"{account.full_name} can sign in again. Their API tokens work again.", "success")
        else:
            flash(f"{account.full_name} can no longer sign in, and their API tokens no longer work.", "success")
    return redirect(url_for("admin.show_user", user_id=account.id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int) -> Any:
    """Stop an account signing in or using the API (not your own)."""
    return _change_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int) -> Any:
    """Let a deactivated account sign in again."""
    return _change_active(user_id, active=True)


@bp.post("/users/<int:user_id>/tokens")
def issue_token(user_id: int) -> Any:
    """Issue an API token and show it once; it is never stored, logged or shown again."""
    account = _get_user(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _render_user_page(account, form, 422)
    try:
        token = users.issue_token(
            db.session, account, form.label.data, actor=_user(), days=int(current_app.config["ECT_TOKEN_DAYS"])
        )
    except users.UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.show_user", user_id=account.id))
    db.session.commit()
    # Rendered in answer to the POST (no redirect), so the token never
    # travels in a URL, a flash message or the session cookie.
    response = make_response(render_template("admin/token.html", account=account, token=token))
    response.headers["Cache-Control"] = "no-store"
    return response


def _get_token(user_id: int, token_id: int) -> tuple[User, ApiToken]:
    account = _get_user(user_id)
    row = db.session.get(ApiToken, token_id) if token_id < 2**31 else None
    if row is None or row.user_id != account.id:
        abort(404, description=f"{account.full_name} has no API token {token_id}")
    return account, row


@bp.get("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def confirm_revoke_token(user_id: int, token_id: int) -> Any:
    """Ask to confirm revoking a token (a page, not a script: works without JavaScript)."""
    account, row = _get_token(user_id, token_id)
    if row.revoked:
        flash("That token was already revoked.", "info")
        return redirect(url_for("admin.show_user", user_id=account.id))
    return render_template("admin/revoke_token.html", account=account, token=row)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token(user_id: int, token_id: int) -> Any:
    """Revoke one token now (audited); the other tokens keep working."""
    account, row = _get_token(user_id, token_id)
    if users.revoke_token(db.session, row, actor=_user()):
        db.session.commit()
        flash(f"Token \u201c{row.label or row.id}\u201d revoked: it no longer works.", "success")
    return redirect(url_for("admin.show_user", user_id=account.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def set_password(user_id: int) -> Any:
    """Give an account a new password."""
    account = _get_user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            users.reset_password(
                db.session, _user(), account, form.password.data or "", keep_tokens=bool(form.keep_tokens.data)
            )
        except users.UserError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            kept = "Their API tokens still work." if form.keep_tokens.data else "Their API tokens were revoked."
            flash(
                f"New password set for {account.full_name}. Give it to them in a secure way. "
                f"They were signed out everywhere. {kept}",
                "success",
            )
            return redirect(url_for("admin.show_user", user_id=account.id))
    return render_template("admin/password.html", form=form, account=account), _status(form)


@bp.context_processor
def _password_rule() -> dict[str, Any]:
    return {"min_password_length": users.MIN_PASSWORD_LENGTH}
