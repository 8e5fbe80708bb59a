"""Focus areas (satsingsområde): administrators keep the list."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from participation.backoffice import bp
from participation.backoffice.access import admin_required
from participation.backoffice.forms import FocusAreaForm
from participation.backoffice.services import focus_areas as service
from participation.backoffice.util import actor, tell
from participation.extensions import db
from participation.models import FocusArea


def _data(form: FocusAreaForm) -> service.FocusAreaData:
    return service.FocusAreaData(
        name_nb=form.name_nb.data,
        name_nn=form.name_nn.data,
        name_en=form.name_en.data,
        description_nb=form.description_nb.data or "",
        description_nn=form.description_nn.data or "",
        description_en=form.description_en.data or "",
        seed_terms=service.parse_terms(form.seed_terms.data or ""),
        position=form.position.data or 0,
        active=form.active.data,
    )


@bp.get("/satsingsomrader")
@admin_required
def focus_areas():
    return render_template(
        "backoffice/focus_areas.html", areas=service.list_focus_areas(db.session)
    )


@bp.route("/satsingsomrader/ny", methods=["GET", "POST"])
@admin_required
def focus_area_new():
    form = FocusAreaForm()
    if form.validate_on_submit():
        try:
            area = service.create_focus_area(db.session, actor(), form.key.data, _data(form))
        except service.KeyTaken:
            db.session.rollback()
            form.key.errors.append(_l("A focus area with this key already exists."))
        else:
            db.session.commit()
            tell(_l("The focus area %(name)s was created.", name=area.name_nb))
            return redirect(url_for("backoffice.focus_areas"), code=303)
    return render_template("backoffice/focus_area_form.html", form=form, area=None), (
        422 if form.errors else 200
    )


@bp.route("/satsingsomrader/<int:focus_area_id>", methods=["GET", "POST"])
@admin_required
def focus_area_edit(focus_area_id: int):
    area = db.session.get(FocusArea, focus_area_id) or abort(404)
    form = FocusAreaForm(obj=area)
    if request.method == "GET":
        form.seed_terms.data = "\n".join(area.seed_terms or [])
    # The key is fixed once created: the analysis and exports refer to it.
    form.key.data = area.key
    if form.validate_on_submit():
        service.update_focus_area(db.session, actor(), area.id, _data(form))
        db.session.commit()
        tell(_l("The focus area %(name)s was saved.", name=area.name_nb))
        return redirect(url_for("backoffice.focus_areas"), code=303)
    return render_template("backoffice/focus_area_form.html", form=form, area=area), (
        422 if form.errors else 200
    )
