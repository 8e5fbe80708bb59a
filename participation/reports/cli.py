"""``flask --app participation report …``: the høringsnotat and the merknader sheet."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from participation.config import LANGUAGES
from participation.extensions import db

report_cli = AppGroup("report", help="The høringsnotat (Word, PDF) and the merknader sheet.")

_LANG = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the headings (default: the site's default, nb).",
)


def _output(help_text: str):
    """The file to write (``-o``/``--output``), required."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def _check_folder(output: Path) -> None:
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(f"{folder}: no such folder")


def _locale(lang: str | None) -> str:
    return lang or current_app.config.get("BABEL_DEFAULT_LOCALE", "nb")


_PROCESS = click.option(
    "--process",
    "slug",
    default=None,
    metavar="SLUG",
    help="The process reported on (default: the current process, the latest activated).",
)


def _process_id(slug: str | None, lang: str | None) -> int:
    """The process named by ``--process`` (or the current one); a translated error
    in the report's language when there is none."""
    from participation.processes import service as processes

    if slug is None:
        found = processes.current_process(db.session)
        message = _l("No process is active. Name one with --process SLUG.")
    else:
        found = processes.get_by_slug(db.session, slug) if len(slug) <= 80 else None
        message = _l("There is no process with the address %(slug)s.", slug=slug)
    if found is None:
        with force_locale(_locale(lang)):
            raise click.ClickException(str(message))
    return found.id


@report_cli.command("horingsnotat")
@_output("FILE.docx (Word) or FILE.pdf (tagged PDF/UA-1).")
@_LANG
@_PROCESS
def horingsnotat_command(output: Path, lang: str | None, slug: str | None) -> None:
    """Write the høringsnotat of a process for the political case."""
    from participation.reports import service

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in service.FORMATS:
        raise click.BadParameter("the file must end in .docx or .pdf", param_hint="-o")
    _check_folder(output)
    process_id = _process_id(slug, lang)

    def progress(fraction: float, stage: str) -> None:
        click.echo(f"{stage}: {round(fraction * 100)} %", err=True)

    try:
        service.horingsnotat(
            db.session,
            output,
            fmt,
            locale=_locale(lang),
            progress=progress,
            process_id=process_id,
        )
    except OSError as error:
        raise click.ClickException(f"{output}: {error.strerror}") from error
    db.session.commit()
    click.echo(f"{output}")


@report_cli.command("merknader")
@_output("FILE.xlsx")
@_LANG
@_PROCESS
def merknader_command(output: Path, lang: str | None, slug: str | None) -> None:
    """Write every input of a process with its assessment to an Excel workbook, one
    row per input."""
    from participation.reports import service

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("the file must end in .xlsx", param_hint="-o")
    _check_folder(output)
    process_id = _process_id(slug, lang)
    try:
        n = service.merknader(db.session, output, locale=_locale(lang), process_id=process_id)
    except OSError as error:
        raise click.ClickException(f"{output}: {error.strerror}") from error
    db.session.commit()
    click.echo(f"{output}: {n}")
