"""``flask`` commands: users, tokens, demo data, audit verification and checkpoints."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ect_reporting import users, vocab
from ect_reporting.audit import chain_head, walk_database
from ect_reporting.audit_checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_problem,
    last_checkpoint,
    make_checkpoint,
    write_checkpoint,
)
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


def _checkpoint_file() -> Path:
    return Path(current_app.config["ECT_AUDIT_CHECKPOINT_FILE"])


def _last_checkpoint_or_fail(key: bytes) -> Checkpoint | None:
    """Read the newest checkpoint; a bad file stops the command (it is evidence of tampering)."""
    try:
        return last_checkpoint(_checkpoint_file(), key)
    except CheckpointError as exc:
        raise click.ClickException(f"Audit checkpoints cannot be trusted: {exc}") from exc


def _record_checkpoint(key: bytes, rows: int, head_hash: str) -> Checkpoint:
    checkpoint = make_checkpoint(key, rows, head_hash)
    write_checkpoint(_checkpoint_file(), checkpoint)
    return checkpoint


@audit_cli.command("verify")
def audit_verify_command() -> None:
    """Verify the keyed chain and the last checkpoint; exit 1 naming the problem; then write a checkpoint.

    No checkpoint is written when verification fails, so a tampered state
    is never anchored.
    """
    key = current_app.config["AUDIT_HMAC_KEY"]
    state = walk_database(db.session, key)
    if state.broken is not None:
        raise click.ClickException(f"Audit chain broken at row {state.broken.event_id}: {state.broken.reason}")
    previous = _last_checkpoint_or_fail(key)
    if previous is not None:
        problem = checkpoint_problem(db.session, previous, rows_now=state.rows)
        if problem is not None:
            raise click.ClickException(f"Audit trail truncated: {problem}")
    checkpoint = _record_checkpoint(key, state.rows, state.head_hash)
    click.echo(
        "Audit chain verified: every row links to the one before"
        + (", and the last checkpoint is still in the chain." if previous is not None else ".")
    )
    click.echo(f"Checkpoint written: {checkpoint.rows} rows ending in {checkpoint.head_hash} at {checkpoint.at}")


@audit_cli.command("checkpoint")
def audit_checkpoint_command() -> None:
    """Record a signed checkpoint (row count + head hash) outside the database; run it on a schedule.

    Cheaper than ``verify`` (no walk of the chain): it checks only that the
    previous checkpoint is still in the chain, and refuses to write a new one
    if not, so truncation is never papered over.
    """
    key = current_app.config["AUDIT_HMAC_KEY"]
    previous = _last_checkpoint_or_fail(key)
    rows, head_hash = chain_head(db.session)
    if previous is not None:
        problem = checkpoint_problem(db.session, previous, rows_now=rows)
        if problem is not None:
            raise click.ClickException(f"Audit trail truncated: {problem}")
    checkpoint = _record_checkpoint(key, rows, head_hash)
    click.echo(f"Checkpoint written: {checkpoint.rows} rows ending in {checkpoint.head_hash} at {checkpoint.at}")
