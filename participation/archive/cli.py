"""``flask --app participation archive …``"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from participation.config import LANGUAGES
from participation.extensions import db

archive_cli = AppGroup("archive", help="Noark 5 archive exports of closed consultations.")


@archive_cli.command("export")
@click.option("--draft", "slug", required=True, help="URL name (slug) of a closed consultation.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the arkivuttrekk: new, empty, or an earlier export of it.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the messages (default: the site's default, nb).",
)
def export_command(slug: str, out_dir: Path, lang: str | None) -> None:
    """Write a Noark 5 arkivuttrekk of a closed consultation and mark its responses
    archived with their journalpost IDs (safe to run again)."""
    from participation.archive import messages, service

    with force_locale(lang or current_app.config.get("BABEL_DEFAULT_LOCALE", "nb")):

        def progress(done: int, total: int, stage: str) -> None:
            click.echo(f"{messages.stage_label(stage)}: {done}/{total}", err=True)

        try:
            summary = service.export_consultation(
                db.session,
                slug,
                out_dir,
                progress,
                upload_dir=current_app.config["UPLOAD_DIR"],
                settings=service.settings_from_config(current_app.config),
            )
        except service.ArchiveError as error:
            db.session.rollback()
            raise click.ClickException(messages.error_message(error)) from error
        db.session.commit()
        click.echo(messages.summary_message(summary))
