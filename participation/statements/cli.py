"""``flask --app participation accessibility …``"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from participation.extensions import db

accessibility_cli = AppGroup("accessibility", help="The accessibility statement's test record.")


@accessibility_cli.command("record")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def record_command(path: Path) -> None:
    """Record an axe-core run (the JSON the browser tests write with
    INNSPILL_AXE_RECORD=FILE) for the accessibility statement."""
    from participation.statements import service

    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        test = service.record_accessibility_test(db.session, record)
    except (ValueError, service.InvalidRecord) as error:
        raise click.ClickException(
            f"{path} is not an accessibility test record ({error})"
        ) from error
    db.session.commit()
    summary = service.summarise(test)
    click.echo(
        f"recorded {test.page_count} page scans ({len(summary.urls)} addresses) of "
        f"{test.tested_at:%Y-%m-%d} with {test.tool}: {len(summary.violations)} kinds of violation"
    )
