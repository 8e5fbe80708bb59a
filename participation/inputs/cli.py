"""``flask --app participation inputs …``"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from participation.extensions import db

inputs_cli = AppGroup("inputs", help="The common inbox of inputs.")


@inputs_cli.command("import-notes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--meeting", "meeting_id", type=int, help="Meeting id for rows without one.")
def import_notes(file: Path, meeting_id: int | None) -> None:
    """Import workshop notes from a CSV FILE: all rows or, on any error, none.

    Columns: text, and meeting_id or region (unless --meeting); optional
    category, focus_areas (keys separated by ;) and date.
    """
    from participation.inputs.notes import decode_csv_bytes, import_workshop_notes

    report = import_workshop_notes(
        db.session, decode_csv_bytes(file.read_bytes()), default_meeting_id=meeting_id
    )
    if not report.ok:
        db.session.rollback()
        with force_locale("en"):
            for error in report.errors:
                detail = f" ({error.value})" if error.value else ""
                click.echo(f"line {error.line}: {error.message}{detail}", err=True)
        raise click.ClickException(f"nothing imported: {len(report.errors)} error(s)")
    db.session.commit()
    duplicates = sum(1 for item in report.created if item.is_duplicate)
    click.echo(f"imported {len(report.created)} workshop notes ({duplicates} marked as duplicates)")
