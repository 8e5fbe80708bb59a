"""``flask --app participation consultation …``"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from participation.common import LOCAL_TIMEZONE
from participation.extensions import db

consultation_cli = AppGroup("consultation", help="The consultation on the draft strategy.")


def parse_oslo(value: str, *, end_of_day: bool = False) -> datetime:
    """'2026-03-01' or '2026-03-01 12:00' in Europe/Oslo, as aware UTC."""
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            local = datetime.combine(
                day, time(23, 59) if end_of_day else time(0, 0), LOCAL_TIMEZONE
            )
        else:
            local = datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=LOCAL_TIMEZONE)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r}: write YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Europe/Oslo)"
        ) from error
    return local.astimezone(ZoneInfo("UTC"))


@consultation_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="Title of the draft (default: the file's # heading).")
@click.option("--slug", help="URL name (default: made from the title).")
@click.option("--opens", help="Opening, Europe/Oslo: YYYY-MM-DD [HH:MM]. Default: now.")
@click.option(
    "--closes", help="Deadline, Europe/Oslo: YYYY-MM-DD [HH:MM]. Default: six weeks after opening."
)
def import_command(
    file: Path, title: str | None, slug: str | None, opens: str | None, closes: str | None
) -> None:
    """Create a draft strategy from a Markdown FILE (headings become sections)."""
    from participation.consultation import service
    from participation.consultation.markdown import DraftFormatError
    from participation.models import utcnow

    opens_at = parse_oslo(opens) if opens else utcnow().replace(microsecond=0)
    if closes:
        closes_at = parse_oslo(closes, end_of_day=True)
    else:
        last_day = (opens_at + timedelta(weeks=6)).astimezone(LOCAL_TIMEZONE).date()
        closes_at = datetime.combine(last_day, time(23, 59), LOCAL_TIMEZONE).astimezone(
            ZoneInfo("UTC")
        )
    try:
        source = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file} is not UTF-8 text.") from error
    try:
        draft = service.import_markdown(
            db.session, source, opens_at=opens_at, closes_at=closes_at, title=title, slug=slug
        )
    except DraftFormatError as error:
        raise click.ClickException(str(error)) from error
    except service.MissingTitle as error:
        raise click.ClickException(
            "The file has no single # title heading; give one with --title."
        ) from error
    except service.BadPeriod as error:
        raise click.ClickException("The consultation must close after it opens.") from error
    except service.SlugTaken as error:
        raise click.ClickException(
            f"A draft with the URL name {error.args[0]!r} already exists; choose another --slug."
        ) from error
    db.session.commit()
    click.echo(
        f"created draft {draft.title!r} (/horing/{draft.slug}) with {len(draft.sections)} sections,"
        f" open {opens_at.astimezone(LOCAL_TIMEZONE):%Y-%m-%d %H:%M} – {closes_at.astimezone(LOCAL_TIMEZONE):%Y-%m-%d %H:%M}"
        " Europe/Oslo"
    )
