"""Administrator pages: users (create, deactivate, site and team, passwords, API tokens), sites and teams.

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

from ect_reporting import sites, users
from ect_reporting.admin import bp
from ect_reporting.admin.forms import PasswordForm, PlaceForm, SiteForm, TeamForm, TokenForm, UserForm, set_places
from ect_reporting.extensions import db
from ect_reporting.models import ApiToken, Site, Team, User
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


def _show_error(form: Any, exc: users.UserError | sites.SiteError) -> None:
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
    set_places(form, sites.all_sites(db.session), sites.all_teams(db.session))
    if request.method == "GET":
        form.organisation.data = current_app.config["ECT_ORGANISATION"]
        form.site_id.data = _user().site_id
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
                site=_site(form.site_id.data),
                team=_team(form.team_id.data),
                must_change_password=True,
            )
        except users.UserError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(
                f"Account created for {account.full_name}. Give them their password in a secure way: "
                "they choose their own when they first sign in.",
                "success",
            )
            return redirect(url_for("admin.show_user", user_id=account.id))
    return render_template("admin/user_form.html", form=form), _status(form)


def _site(site_id: int | None) -> Site:
    """The chosen site, or the administrator's own when none was sent (404 for an id nobody has)."""
    if site_id is None:
        return _user().site
    return db.get_or_404(Site, site_id, description=f"There is no site {site_id}")


def _team(team_id: int | None) -> Team | None:
    return None if team_id is None else db.get_or_404(Team, team_id, description=f"There is no team {team_id}")


def _place_form(account: User, formdata: Any = None) -> PlaceForm:
    form = PlaceForm(formdata=formdata, data={"site_id": account.site_id, "team_id": account.team_id})
    set_places(form, sites.all_sites(db.session), sites.all_teams(db.session))
    return form


def _render_user_page(account: User, token_form: Any = None, status: int = 200, place_form: Any = None) -> Any:
    tokens = [(row, users.token_status(row)) for row in users.tokens_of(db.session, account)]
    page = render_template(
        "admin/user.html",
        account=account,
        tokens=tokens,
        token_form=token_form or TokenForm(),
        place_form=place_form or _place_form(account),
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


@bp.post("/users/<int:user_id>/place")
def place_user(user_id: int) -> Any:
    """Move an account to another site or team; what they may see changes at once."""
    account = _get_user(user_id)
    form = _place_form(account, request.form)
    if not form.validate_on_submit():
        return _render_user_page(account, place_form=form, status=422)
    try:
        sites.place_user(db.session, _user(), account, site=_site(form.site_id.data), team=_team(form.team_id.data))
    except sites.SiteError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _render_user_page(account, place_form=form, status=422)
    db.session.commit()
    flash(f"{account.full_name} now works at {account.site.name}. They were signed out everywhere.", "success")
    return redirect(url_for("admin.show_user", user_id=account.id))


def _render_sites(site_form: Any = None, team_form: Any = None, status: int = 200) -> Any:
    all_sites = sites.all_sites(db.session)
    team_form = team_form or TeamForm()
    team_form.site_id.choices = [(site.id, site.name) for site in all_sites]
    counted = db.session.execute(select(User.site_id, func.count()).group_by(User.site_id))
    people: dict[int, int] = dict(counted.all())  # type: ignore[arg-type]
    page = render_template(
        "admin/sites.html", all_sites=all_sites, people=people, site_form=site_form or SiteForm(), team_form=team_form
    )
    return page, status


@bp.get("/sites")
def list_sites() -> Any:
    """List sites with their teams, and forms to add either."""
    return _render_sites()


@bp.post("/sites")
def new_site() -> Any:
    """Add a site."""
    form = SiteForm()
    if not form.validate_on_submit():
        return _render_sites(site_form=form, status=422)
    try:
        site = sites.create_site(db.session, _user(), code=form.code.data or "", name=form.name.data or "")
    except sites.SiteError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _render_sites(site_form=form, status=422)
    db.session.commit()
    flash(f"Site {site.name} added.", "success")
    return redirect(url_for("admin.list_sites"))


@bp.post("/sites/teams")
def new_team() -> Any:
    """Add a team to a site."""
    form = TeamForm()
    form.site_id.choices = [(site.id, site.name) for site in sites.all_sites(db.session)]
    if not form.validate_on_submit():
        return _render_sites(team_form=form, status=422)
    try:
        team = sites.create_team(db.session, _user(), site=_site(form.site_id.data), name=form.name.data or "")
    except sites.SiteError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _render_sites(team_form=form, status=422)
    db.session.commit()
    flash(f"Team {team.name} added to {team.site.name}.", "success")
    return redirect(url_for("admin.list_sites"))


@bp.context_processor
def _password_rule() -> dict[str, Any]:
    return {"min_password_length": users.MIN_PASSWORD_LENGTH}
