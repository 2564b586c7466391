"""``flask`` commands: users, tokens, demo data and audit verification."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ect_reporting import users, vocab
from ect_reporting.extensions import db

audit_cli = AppGroup("audit", help="Check the audit trail.")


def init_cli(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(issue_token_command)
    app.cli.add_command(list_tokens_command)
    app.cli.add_command(revoke_token_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_cli)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(list(vocab.ROLES)), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--profession", default=None)
@click.option("--organisation", default=None)
@click.option("--qualification", type=click.Choice(list(vocab.QUALIFICATIONS)), default=None)
def create_user_command(
    email: str,
    full_name: str,
    role: str,
    password: str,
    profession: str | None,
    organisation: str | None,
    qualification: str | None,
) -> None:
    """Create a user account."""
    try:
        user = users.create_user(
            db.session,
            email=email,
            full_name=full_name,
            role=role,
            password=password,
            profession=profession,
            organisation=organisation,
            qualification=qualification,
        )
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@click.command("issue-token")
@click.option("--email", required=True)
@click.option("--label", default=None)
def issue_token_command(email: str, label: str | None) -> None:
    """Issue an API bearer token for a user (printed once)."""
    user = users.find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}")
    try:
        token = users.issue_token(db.session, user, label, days=int(current_app.config["ECT_TOKEN_DAYS"]))
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(token)


@click.command("list-tokens")
@click.option("--email", required=True)
def list_tokens_command(email: str) -> None:
    """List a user's API tokens (id, status, label, dates) - never the tokens themselves."""
    user = users.find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}")
    rows = users.tokens_of(db.session, user)
    if not rows:
        click.echo(f"{user.email} has no API tokens.")
    for row in rows:
        last_used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(
            f"{row.id}\t{users.token_status(row)}\t{row.label or '-'}\tcreated {row.created_at:%Y-%m-%d}"
            f"\tlast used {last_used}\texpires {row.expires_at:%Y-%m-%d}"
        )


@click.command("revoke-token")
@click.option("--id", "token_id", type=click.IntRange(1, 2**31 - 1), required=True)
def revoke_token_command(token_id: int) -> None:
    """Revoke one API token by its id (from list-tokens); audited."""
    from ect_reporting.models import ApiToken

    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise click.ClickException(f"No API token {token_id}")
    if not users.revoke_token(db.session, row):
        click.echo(f"Token {token_id} was already revoked.")
        return
    db.session.commit()
    click.echo(f"Revoked token {token_id} of {row.user.email}.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create demo users (one per role) and a demo session; print the logins.

    Refused in production: the demo passwords are published in the README.
    """
    from ect_reporting.demo import seed_demo

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("seed-demo is refused when ECT_ENV=production: demo passwords are public")

    for line in seed_demo(db.session):
        click.echo(line)
    db.session.commit()


@audit_cli.command("verify")
def audit_verify_command() -> None:
    """Verify the hash chain; exit 1 naming the first broken row."""
    from ect_reporting.audit import verify_database

    broken = verify_database(db.session)
    if broken is not None:
        raise click.ClickException(f"Audit chain broken at row {broken.event_id}: {broken.reason}")
    click.echo("Audit chain verified: every row links to the one before.")
