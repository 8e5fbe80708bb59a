"""Back-office pages of processes: the switcher (and, as they come, the process pages)."""

from __future__ import annotations

from flask import abort, redirect, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from participation.backoffice.blueprint import actor, bp, safe_next, staff_required, tell
from participation.extensions import db
from participation.forms import PostForm
from participation.processes import service


@bp.post("/prosess")
@staff_required
def process_switch():
    """Show the back office for another process; remembered on the account."""
    if not PostForm().validate_on_submit():
        abort(400)
    raw = request.form.get("process", "")
    if not raw.isdigit():
        abort(400)
    try:
        chosen = service.switch_process(db.session, actor(), int(raw))
    except service.ProcessError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    tell(_l("Now showing %(title)s.", title=chosen.text("title", str(get_locale()))), "info")
    return redirect(safe_next(request.form.get("next")), code=303)
