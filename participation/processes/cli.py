"""``flask --app participation processes list|create|activate|archive``"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from participation.common import local_date
from participation.config import LANGUAGES
from participation.extensions import db
from participation.processes import service
from participation.processes.messages import error_message

processes_cli = AppGroup("processes", help="Participation processes.")

LANG = click.option(
    "--lang", type=click.Choice(LANGUAGES), default="nb", help="Language of the messages."
)


def _fail(error: service.ProcessError, lang: str) -> None:
    db.session.rollback()
    with force_locale(lang):
        raise click.ClickException(str(error_message(error)))


def _phase(raw: str) -> service.PhaseData:
    """``NAME|FIRST|LAST`` with ISO dates (YYYY-MM-DD)."""
    try:
        name, first, last = (part.strip() for part in raw.split("|"))
        return service.PhaseData({"nb": name}, date.fromisoformat(first), date.fromisoformat(last))
    except ValueError as error:
        raise click.BadParameter(f"{raw!r}: write NAME|YYYY-MM-DD|YYYY-MM-DD") from error


@processes_cli.command("list")
def list_command() -> None:
    """Every process: status, address, title and current phase."""
    today = local_date()
    for process in service.list_processes(db.session):
        phase = process.current_phase(today)
        click.echo(
            f"{process.status:9} {process.slug:30} {process.title_nb}"
            + (f"  [{phase.name_nb}]" if phase else "")
        )


@processes_cli.command("create")
@click.option("--slug", required=True, help="Address: /prosess/SLUG.")
@click.option("--title-nb", required=True)
@click.option("--title-nn", default="")
@click.option("--title-en", default="")
@click.option("--summary-nb", default="")
@click.option("--summary-nn", default="")
@click.option("--organisation", default="")
@click.option("--contact-email", default="")
@click.option("--phase", "phases", multiple=True, help="NAME|FIRST|LAST, ISO dates; repeatable.")
@click.option("--copy-from", default=None, help="Copy focus areas and regions of this process.")
@click.option("--activate", is_flag=True, help="Make it active at once.")
@LANG
def create_command(**options) -> None:
    """Create a process (a draft unless --activate)."""
    lang = options["lang"]
    data = service.ProcessData(
        slug=options["slug"],
        titles={k: options[f"title_{k}"] for k in ("nb", "nn", "en")},
        summaries={k: options[f"summary_{k}"] for k in ("nb", "nn")},
        organisation=options["organisation"],
        contact_email=options["contact_email"],
        phases=[_phase(raw) for raw in options["phases"]],
    )
    try:
        source = None
        if options["copy_from"]:
            source = service.get_by_slug(db.session, options["copy_from"])
            if source is None:
                raise service.ProcessNotFound()
        process = service.create_process(db.session, None, data)
        if source is not None:
            service.copy_setup(db.session, None, source.id, process.id)
        if options["activate"]:
            service.activate(db.session, None, process.id)
    except service.ProcessError as error:
        _fail(error, lang)
    db.session.commit()
    click.echo(f"{process.status} {process.slug}")


def _change(slug: str, lang: str, change) -> None:
    process = service.get_by_slug(db.session, slug)
    try:
        if process is None:
            raise service.ProcessNotFound()
        change(db.session, None, process.id)
    except service.ProcessError as error:
        _fail(error, lang)
    db.session.commit()
    click.echo(f"{process.status} {process.slug}")


@processes_cli.command("activate")
@click.argument("slug")
@LANG
def activate_command(slug: str, lang: str) -> None:
    """Make a draft process active."""
    _change(slug, lang, service.activate)


@processes_cli.command("archive")
@click.argument("slug")
@LANG
def archive_command(slug: str, lang: str) -> None:
    """Archive a process: read-only from now on (refused while a consultation is open)."""
    _change(slug, lang, service.archive)
