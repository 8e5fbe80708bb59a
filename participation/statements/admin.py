"""The organisation's own parts of the accessibility and privacy statements, per
language (administrators). What the law fixes is not editable here."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from participation.backoffice.blueprint import actor, admin_required, bp, tell
from participation.config import LANGUAGE_NAMES
from participation.extensions import db
from participation.statements import service
from participation.statements.forms import statement_form

FIELD_LABELS = {
    service.ACCESSIBILITY: {
        "responsible": (
            _l("Who is responsible for the solution"),
            _l("Empty: the organisation's name."),
        ),
        "known_breaches": (
            _l("Known breaches found by manual testing"),
            _l(
                "One a line: criterion | what it means for users | the alternative offered, "
                "for example: 1.2.2 | Videos have no captions | A transcript is linked "
                "below each video. The automated test's findings are added by themselves."
            ),
        ),
        "answer_time": (
            _l("Time within which feedback is answered"),
            _l("For example: 10 working days. Empty: 10 working days."),
        ),
        "other_testing": (
            _l("Other testing"),
            _l(
                "How else the solution was tested, for example manual tests with screen readers, and when."
            ),
        ),
    },
    service.PRIVACY: {
        "controller": (
            _l("Controller"),
            _l("Name, address and organisation number. Empty: the organisation's name."),
        ),
        "contact": (
            _l("Contact for privacy questions"),
            _l("Empty: the contact address of the site."),
        ),
        "dpo": (
            _l("Data protection officer"),
            _l("Name or role, and how to reach the data protection officer."),
        ),
        "recipients": (
            _l("Recipients and data processors"),
            _l(
                "Who else processes the data on the organisation's behalf, for example the hosting and e-mail providers."
            ),
        ),
    },
}
TITLES = {
    service.ACCESSIBILITY: _l("Accessibility statement"),
    service.PRIVACY: _l("Privacy statement"),
}
PUBLIC_PAGES = {
    service.ACCESSIBILITY: "statements.accessibility",
    service.PRIVACY: "main.privacy",
}


@bp.route("/erklaeringar", methods=["GET", "POST"])
@admin_required
def statement_texts():
    statement = request.args.get("erklaering", service.ACCESSIBILITY)
    if statement not in service.FIELDS:
        abort(404)
    locale = request.args.get("tekstsprak", "nb")
    if locale not in service.STATEMENT_LOCALES:
        abort(404)
    form_class = statement_form(FIELD_LABELS[statement])
    form = form_class()
    if request.method == "GET":
        for key, value in service.own_texts(db.session, statement, locale).items():
            getattr(form, key).data = value
    elif form.validate_on_submit():
        values = {key: getattr(form, key).data or "" for key in service.FIELDS[statement]}
        service.save_texts(db.session, actor(), statement, locale, values)
        db.session.commit()
        tell(_l("The statement was saved."))
        return redirect(
            url_for("backoffice.statement_texts", erklaering=statement, tekstsprak=locale), code=303
        )
    return render_template(
        "backoffice/statement_texts.html",
        form=form,
        statement=statement,
        title=TITLES[statement],
        locale=locale,
        locales=[(code, LANGUAGE_NAMES[code]) for code in service.STATEMENT_LOCALES],
        public_page=PUBLIC_PAGES[statement],
        statements=TITLES,
    ), (422 if form.errors else 200)
