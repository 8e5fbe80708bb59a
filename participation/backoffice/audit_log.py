"""The audit log, for administrators."""

from __future__ import annotations

from flask import render_template, request, url_for

from participation import audit
from participation.backoffice.audit_text import describe, object_label
from participation.backoffice.blueprint import admin_required, bp
from participation.extensions import db
from participation.labels import ACTION_GROUPS, ACTION_LABELS


@bp.get("/logg")
@admin_required
def audit_log():
    action = request.args.get("action", "")
    if action not in ACTION_LABELS and action not in ACTION_GROUPS:
        action = ""
    object_type = (request.args.get("object_type") or "")[:40]
    object_id = (request.args.get("object_id") or "")[:64]
    result = audit.list_entries(
        db.session,
        action=action or None,
        object_type=object_type or None,
        object_id=object_id or None,
        page=request.args.get("page", 1, type=int) or 1,
    )
    args = {
        k: v
        for k, v in (("action", action), ("object_type", object_type), ("object_id", object_id))
        if v
    }
    return render_template(
        "backoffice/audit_log.html",
        result=result,
        action=action,
        labels=ACTION_LABELS,
        groups=ACTION_GROUPS,
        describe=describe,
        object_label=object_label,
        page_url=lambda n: url_for("backoffice.audit_log", **args, page=n),
    )
