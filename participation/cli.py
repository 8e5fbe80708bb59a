"""``flask --app participation …`` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from participation.archive.cli import archive_cli
from participation.consultation.cli import consultation_cli
from participation.extensions import db
from participation.inputs.cli import inputs_cli
from participation.insights.cli import analysis_cli
from participation.jobs.cli import jobs_cli
from participation.processes.cli import processes_cli
from participation.reports.cli import report_cli
from participation.statements.cli import accessibility_cli


def register(app: Flask) -> None:
    """Every command group: this module's own and each area's."""
    for command in (
        seed_demo_command,
        outbox_cli,
        users_cli,
        privacy_cli,
        analysis_cli,
        consultation_cli,
        inputs_cli,
        archive_cli,
        report_cli,
        jobs_cli,
        processes_cli,
        accessibility_cli,
    ):
        app.cli.add_command(command)


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load demo regions, meetings, focus areas and an admin (idempotent)."""
    from participation.demo import seed_demo

    report = seed_demo(db.session)
    db.session.commit()
    for line in report.created:
        click.echo(f"created {line}")
    if not report.created:
        click.echo("demo data already present")
    click.echo("")
    click.echo(f"Admin login: {report.admin_email}  password: {report.admin_password}")


outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send every due message in the outbox (safe to run every minute)."""
    from participation.outbox import send_due

    report = send_due(db.session)
    click.echo(f"sent {report.sent}, failed {report.failed}, gave up {report.given_up}")


users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["admin", "reviewer"]), default="reviewer")
@click.option("--name", default="")
@click.password_option()
def users_create(email: str, role: str, name: str, password: str) -> None:
    """Create a back-office account."""
    from participation.backoffice.service import EmailTaken, PasswordTooShort, create_user

    try:
        create_user(db.session, email, password, role, name)
    except PasswordTooShort as error:
        raise click.ClickException("The password must have at least 12 characters.") from error
    except EmailTaken as error:
        raise click.ClickException(f"A user with e-mail {email} already exists.") from error
    db.session.commit()
    click.echo(f"created {role} {email}")


privacy_cli = AppGroup("privacy", help="Personal data: retention.")


@privacy_cli.command("purge")
@click.option(
    "--days",
    type=int,
    default=None,
    help="Retention in days after the meeting (default: RETENTION_DAYS, 30).",
)
def privacy_purge(days: int | None) -> None:
    """Remove registrants' personal data after the retention period (safe nightly)."""
    from flask import current_app

    from participation.privacy.service import purge_expired

    retention = days if days is not None else current_app.config["RETENTION_DAYS"]
    report = purge_expired(db.session, retention_days=retention)
    db.session.commit()
    click.echo(
        f"purged {report.registrations} registrations and {report.outbox_messages} "
        f"outbox messages (meetings ended before {report.cutoff:%Y-%m-%d %H:%M} UTC)"
    )
    if report.archived_responses:  # archive exemption
        click.echo(
            f"kept {report.archived_responses} archived consultation responses "
            "(the archive duty overrides deletion)"
        )
