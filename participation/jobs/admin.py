"""The back office's job pages: a job's progress (page and JSON for the poller),
cancelling it, and downloading what it produced.

A job is shown to the staff member who started it and to administrators; for anyone
else it does not exist (404), since an export's file holds personal data.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation import labels
from participation.backoffice.blueprint import bp, safe_next, staff_required, tell
from participation.extensions import db
from participation.forms import PostForm
from participation.jobs import engine, service
from participation.models import Job, JobStatus, utcnow

MAX_ID = 2**31 - 1


def visible_job(job_id: int) -> Job:
    job = service.get_job(db.session, job_id)
    if job is None or not (current_user.is_admin or job.created_by_id == current_user.id):
        abort(404)
    return job


def title_of(job: Job) -> str:
    found = engine.KINDS.get(job.kind)
    return str(found.title) if found is not None else job.kind


def return_url(job: Job) -> str | None:
    found = engine.KINDS.get(job.kind)
    if found is None or found.return_url is None:
        return None
    return found.return_url(job)


def status_of(job: Job) -> dict[str, Any]:
    """What the page and the progress poller show (JSON; the same keys as an analysis
    run's status, so one script follows both)."""
    percent = int(round(100 * float(job.progress or 0.0)))
    ready = service.download_ready(job)
    return {
        "id": job.id,
        "kind": job.kind,
        "title": title_of(job),
        "status": job.status,
        "status_label": str(labels.JOB_STATUS_LABELS.get(job.status, job.status)),
        "stage": job.stage,
        "stage_label": str(
            labels.JOB_STAGE_LABELS.get(job.stage, labels.JOB_STAGE_LABELS["running"])
        ),
        "progress": round(float(job.progress or 0.0), 4),
        "percent": percent,
        "active": job.is_active,
        "cancel_requested": job.cancel_requested,
        "error": job.error if job.status == JobStatus.FAILED else None,
        "download_url": url_for("backoffice.job_download", job_id=job.id) if ready else None,
        "download_name": job.result_name if ready else None,
        "expired": job.result_name is not None and not ready,
        "result_url": return_url(job) if job.status == JobStatus.DONE else None,
    }


@bp.get("/jobbar")
@staff_required
def jobs():
    found = service.list_jobs(db.session, user=None if current_user.is_admin else current_user)
    return render_template(
        "jobs/list.html", jobs=found, statuses={j.id: status_of(j) for j in found}
    )


@bp.get(f"/jobbar/<int(max={MAX_ID}):job_id>")
@staff_required
def job(job_id: int):
    found = visible_job(job_id)
    return render_template(
        "jobs/job.html",
        job=found,
        status=status_of(found),
        back_url=return_url(found),
        form=PostForm(),
    )


@bp.get(f"/jobbar/<int(max={MAX_ID}):job_id>/status")
@staff_required
def job_status(job_id: int):
    return jsonify(status_of(visible_job(job_id)))


@bp.post(f"/jobbar/<int(max={MAX_ID}):job_id>/avbryt")
@staff_required
def job_cancel(job_id: int):
    if not PostForm().validate_on_submit():
        abort(400)
    found = visible_job(job_id)
    try:
        engine.cancel(found.id)
    except service.JobNotCancellable:
        tell(_l("The job has already ended."), "info")
    else:
        tell(_l("The job is being cancelled."), "info")
    target = request.form.get("next")
    if target:
        return redirect(safe_next(target), code=303)
    return redirect(url_for("backoffice.job", job_id=found.id), code=303)


@bp.get(f"/jobbar/<int(max={MAX_ID}):job_id>/fil")
@staff_required
def job_download(job_id: int):
    found = visible_job(job_id)
    if not service.download_ready(found, utcnow()) or found.result_data is None:
        tell(_l("The file is no longer available. Start the job again."), "warning")
        return redirect(url_for("backoffice.job", job_id=found.id), code=303)
    return Response(
        found.result_data,
        mimetype=found.result_mimetype or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{found.result_name}"',
            "Content-Length": str(found.result_size or len(found.result_data)),
        },
    )
