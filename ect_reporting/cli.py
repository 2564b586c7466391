"""``flask`` commands: users, tokens, demo data and audit verification."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ect_reporting import users, vocab
from ect_reporting.extensions import db

audit_cli = AppGroup("audit", help="Check the audit trail.")


def init_cli(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(issue_token_command)
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
    token = users.issue_token(db.session, user, label)
    db.session.commit()
    click.echo(token)


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create demo users (one per role) and a demo session; print the logins."""
    from ect_reporting.demo import seed_demo

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
