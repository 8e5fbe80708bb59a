"""Public pages: "Dette kom inn – og dette gjorde vi" and the receipt-code look-up.

Per process: ``/prosess/<slug>/svar/`` and ``…/svar/kvittering`` are one process's;
``/svar/`` is the current process's page (links given out earlier keep working) and
``/svar/kvittering`` finds a code of any process, answered by its own process's
publication.

The look-up never reads who is asking: the code is the only key, the posts are
rate-limited on the keyed client hash, and a code we cannot show (unknown, or an
input that is hidden) gets the very same page as a mistyped one.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from participation.assessments import figures, service
from participation.consultation.markdown import render_markdown
from participation.extensions import db, limiter
from participation.forms import BaseForm
from participation.models import Process, PublicationKind
from participation.processes import service as processes
from participation.ratelimit import configured
from participation.views import public_process_or_404

bp = Blueprint("answers", __name__)

PER_PAGE = 50
# A suggestion-box receipt code (XXXX-XXXX) or a consultation reference (H-XXXXXXXX),
# in the alphabet of ``common.CODE_ALPHABET``; case, spaces and the hyphen are forgiven.
_RECEIPT = re.compile(r"^([A-HJ-NP-Z2-9]{4})-?([A-HJ-NP-Z2-9]{4})$")
_REFERENCE = re.compile(r"^H-?([A-HJ-NP-Z2-9]{8})$")


def normalise_code(raw: str | None) -> str | None:
    """The code as stored, or None when it cannot be one."""
    code = re.sub(r"\s+", "", raw or "").upper()
    if match := _REFERENCE.match(code):
        return "H-" + match.group(1)
    if match := _RECEIPT.match(code):
        return f"{match.group(1)}-{match.group(2)}"
    return None


def _code_shape(form, field) -> None:
    if normalise_code(field.data) is None:
        raise ValidationError(
            _l(
                "A code has eight letters and digits, like ABCD-2345 (or H-ABCD2345 for a consultation response)."
            )
        )


class LookupForm(BaseForm):
    code = StringField(
        _l("Receipt code"),
        validators=[InputRequired(message=_l("Enter your receipt code.")), _code_shape],
        description=_l("The code you got after sending your input, for example ABCD-2345."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


def _published(process: Process | None) -> bool:
    return (
        process is not None
        and service.publication(db.session, PublicationKind.ANSWERS, process.id) is not None
    )


def _links(process: Process | None) -> dict[str, str]:
    if process is None:
        return {"index": url_for("answers.index"), "lookup": url_for("answers.lookup")}
    return {
        "index": url_for("answers.process_index", slug=process.slug),
        "lookup": url_for("answers.process_lookup", slug=process.slug),
    }


@bp.get("/svar/")
def index():
    return _index(processes.current_process(db.session))


@bp.get("/prosess/<slug>/svar/")
def process_index(slug: str):
    return _index(public_process_or_404(slug))


def _index(process: Process | None):
    links = _links(process)
    if not _published(process):
        return render_template("answers/not_published.html", process=process, links=links)
    page = max(request.args.get("side", 1, type=int) or 1, 1)
    total = figures.answered_count(db.session, process.id)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    return render_template(
        "answers/index.html",
        process=process,
        links=links,
        participation=figures.participation(db.session, process.id),
        areas=figures.by_focus_area(db.session, process.id),
        outcomes=figures.outcome_totals(db.session, process.id),
        answered=figures.answered_inputs(db.session, process.id, page=page, per_page=PER_PAGE),
        total=total,
        page=page,
        pages=pages,
        render_markdown=render_markdown,
    )


_rate_limit = configured("RECEIPT_LOOKUP_RATE_LIMIT")


@bp.route("/svar/kvittering", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def lookup():
    return _lookup(None)


@bp.route("/prosess/<slug>/svar/kvittering", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def process_lookup(slug: str):
    return _lookup(public_process_or_404(slug))


def _lookup(process: Process | None):
    """The look-up of one process's codes, or of any process's (``process`` None)."""
    form = LookupForm()
    status = None
    looked_up = False
    if form.validate_on_submit():
        looked_up = True
        status = figures.look_up(
            db.session,
            normalise_code(form.code.data) or "",
            process_id=process.id if process is not None else None,
        )
        # The page does not repeat the code: whatever it says is the same for every code
        # that finds nothing.
        form.code.data = ""
    code = 422 if form.errors else 200
    return (
        render_template(
            "answers/lookup.html",
            form=form,
            process=process,
            links=_links(process),
            looked_up=looked_up,
            status=status,
            render_markdown=render_markdown,
        ),
        code,
    )
