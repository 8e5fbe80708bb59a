"""``flask --app participation report …``: the høringsnotat and the merknader sheet."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from participation.config import LANGUAGES
from participation.extensions import db

report_cli = AppGroup("report", help="The høringsnotat (Word, PDF) and the merknader sheet.")

_LANG = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the headings (default: the site's default, nb).",
)


def _check_folder(output: Path) -> None:
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(f"{folder}: no such folder")


def _locale(lang: str | None) -> str:
    return lang or current_app.config.get("BABEL_DEFAULT_LOCALE", "nb")


@report_cli.command("horingsnotat")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.docx (Word) or FILE.pdf (tagged PDF/UA-1).",
)
@_LANG
def horingsnotat_command(output: Path, lang: str | None) -> None:
    """Write the høringsnotat for the political case."""
    from participation.reports import service

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in service.FORMATS:
        raise click.BadParameter("the file must end in .docx or .pdf", param_hint="-o")
    _check_folder(output)

    def progress(fraction: float, stage: str) -> None:
        click.echo(f"{stage}: {round(fraction * 100)} %", err=True)

    try:
        service.horingsnotat(db.session, output, fmt, locale=_locale(lang), progress=progress)
    except OSError as error:
        raise click.ClickException(f"{output}: {error.strerror}") from error
    db.session.commit()
    click.echo(f"{output}")


@report_cli.command("merknader")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx",
)
@_LANG
def merknader_command(output: Path, lang: str | None) -> None:
    """Write every input with its assessment to an Excel workbook, one row per input."""
    from participation.reports import service

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("the file must end in .xlsx", param_hint="-o")
    _check_folder(output)
    try:
        n = service.merknader(db.session, output, locale=_locale(lang))
    except OSError as error:
        raise click.ClickException(f"{output}: {error.strerror}") from error
    db.session.commit()
    click.echo(f"{output}: {n}")
