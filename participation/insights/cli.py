"""``flask --app participation analysis …``: run the analysis from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from participation.extensions import db
from participation.models import RunKind, RunStatus

THEMES_OPTION = click.option(
    "--themes",
    "n_themes",
    type=click.IntRange(2, 100),
    default=None,
    help="Number of themes (default: chosen automatically).",
)

analysis_cli = AppGroup("analysis", help="Tag and cluster all input (focus areas and themes).")


def _echo_progress():
    last = {"stage": None}

    def echo(stage: str, fraction: float) -> None:
        if stage != last["stage"]:
            last["stage"] = stage
            click.echo(f"  {round(100 * fraction):3d} %  {stage}", err=True)

    return echo


def _run(kind: RunKind, n_themes: int | None) -> None:
    from participation.insights import runs as service

    app = current_app
    try:
        run = service.run_now(
            db.session,
            kind=kind,
            actor="cli",
            n_themes=n_themes,
            model_dir=app.config["MODEL_DIR"],
            keep_runs=app.config["ANALYSIS_KEEP_RUNS"],
            stale_after=service.stale_after(app),
            on_progress=_echo_progress(),
        )
    except service.RunInProgress as error:
        since = error.run.created_at.strftime("%Y-%m-%d %H:%M UTC") if error.run else "?"
        raise click.ClickException(
            f"An analysis run is already queued or running (run {error.run.id if error.run else '?'}, "
            f"since {since}). Wait for it to finish and try again."
        ) from error
    if run.status != RunStatus.DONE:
        raise click.ClickException(f"Analysis run {run.id} failed: {run.error}")
    _report(run)


def _report(run) -> None:
    metrics = run.metrics or {}
    tagger = metrics.get("tagger") or {}
    click.echo(
        f"run {run.id} done in {run.timings.get('total', 0):.1f} s: "
        f"{metrics.get('n_inputs', 0)} inputs ({metrics.get('n_unique', 0)} counting "
        f"near-duplicates once), {metrics.get('n_confirmed', 0)} confirmed by reviewers, "
        f"{run.n_labelled} used as training data"
    )
    if "oof_f1_micro" in tagger:
        click.echo(
            f"tagger: out-of-fold F1 micro {tagger['oof_f1_micro']:.3f}, "
            f"macro {tagger.get('oof_f1_macro', 0):.3f} on {tagger.get('n_scored', 0)} labelled texts"
        )
    if run.parameters.get("model_rebuilt"):
        click.echo(f"model rebuilt: {run.parameters['model_rebuilt']}")
    for theme in run.themes:
        dup = (
            f", {theme.size_unique} counting near-duplicates once"
            if theme.size_unique != theme.size
            else ""
        )
        click.echo(f"theme {theme.number:>3}: {theme.size:>6} inputs{dup}  {theme.label}")


@analysis_cli.command("run")
@THEMES_OPTION
def analysis_run(n_themes: int | None) -> None:
    """Analyse every input and store the run (suggestions, themes, metrics)."""
    _run(RunKind.RUN, n_themes)


@analysis_cli.command("retrain")
@THEMES_OPTION
def analysis_retrain(n_themes: int | None) -> None:
    """Train the tagger on the reviewers' confirmed tags, then analyse everything again."""
    _run(RunKind.RETRAIN, n_themes)


@analysis_cli.command("status")
def analysis_status() -> None:
    """Show the latest runs."""
    from participation.insights import runs as service

    runs = service.list_runs(db.session, limit=10)
    if not runs:
        click.echo("no analysis runs yet")
    for run in runs:
        when = run.created_at.strftime("%Y-%m-%d %H:%M")
        line = (
            f"{run.id:>5}  {when}  {run.kind:<8} {run.status:<8} {round(100 * run.progress):3d} %"
        )
        if run.error:
            line += f"  {run.error}"
        click.echo(line)
