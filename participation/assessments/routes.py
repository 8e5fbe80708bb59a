"""Public pages: "Dette kom inn – og dette gjorde vi" and the receipt-code look-up.

The look-up never reads who is asking: the code is the only key, the posts are
rate-limited on the keyed client hash, and a code we cannot show (unknown, or an
input that is hidden) gets the very same page as a mistyped one.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from participation.assessments import figures, service
from participation.consultation.markdown import render_markdown
from participation.extensions import db, limiter
from participation.forms import BaseForm
from participation.models import PublicationKind

bp = Blueprint("answers", __name__, url_prefix="/svar")

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


def _published() -> bool:
    return service.publication(db.session, PublicationKind.ANSWERS) is not None


@bp.get("/")
def index():
    if not _published():
        return render_template("answers/not_published.html")
    page = max(request.args.get("side", 1, type=int) or 1, 1)
    total = figures.answered_count(db.session)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    return render_template(
        "answers/index.html",
        participation=figures.participation(db.session),
        areas=figures.by_focus_area(db.session),
        outcomes=figures.outcome_totals(db.session),
        answered=figures.answered_inputs(db.session, page=page, per_page=PER_PAGE),
        total=total,
        page=page,
        pages=pages,
        render_markdown=render_markdown,
    )


def _rate_limit() -> str:
    return current_app.config["RECEIPT_LOOKUP_RATE_LIMIT"]


@bp.route("/kvittering", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def lookup():
    form = LookupForm()
    status = None
    looked_up = False
    if form.validate_on_submit():
        looked_up = True
        status = figures.look_up(
            db.session, normalise_code(form.code.data) or "", published=_published()
        )
        # The page does not repeat the code: whatever it says is the same for every code
        # that finds nothing.
        form.code.data = ""
    code = 422 if form.errors else 200
    return (
        render_template(
            "answers/lookup.html",
            form=form,
            looked_up=looked_up,
            status=status,
            render_markdown=render_markdown,
        ),
        code,
    )
