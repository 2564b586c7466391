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
@click.option("--reports", type=click.IntRange(0, 10_000_000), default=0,
              help="Also add this many realistic reports (with sessions, reactions and audit rows) in bulk.")
@click.option("--seed", type=int, default=13, help="Random seed for --reports (same seed, same data).")
def seed_demo_command(reports: int, seed: int) -> None:
    """Create demo users (one per role) and a demo session; print the logins.

    ``--reports N`` adds N reports for measuring at scale (issue 13).
    Refused in production: the demo passwords are published in the README.
    """
    from ect_reporting.demo import seed_demo

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("seed-demo is refused when ECT_ENV=production: demo passwords are public")

    for line in seed_demo(db.session):
        click.echo(line)
    if reports:
        _seed_bulk(reports, seed)
    db.session.commit()


def _seed_bulk(reports: int, seed: int) -> None:
    """Add ``reports`` bulk reports and say how long it took."""
    import time

    from ect_reporting import clocks
    from ect_reporting.demo_bulk import seed_bulk, summary

    started = time.perf_counter()
    result = seed_bulk(
        db.session,
        reports,
        seed=seed,
        organisation_code=current_app.config["ECT_ORGANISATION_CODE"],
        clock_rules=clocks.ClockRules.from_mapping(current_app.config),
    )
    db.session.commit()
    for line in summary(result, time.perf_counter() - started, db.engine.dialect.name):
        click.echo(line)


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
