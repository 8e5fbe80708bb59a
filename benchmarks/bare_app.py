"""The floor for benchmarks/load.py: a bare Flask app with the same URLs, no
database, no templates, no extensions. Our figures are read as a ratio to this."""

from flask import Flask, redirect

app = Flask(__name__)
PAGE = "<!doctype html><title>x</title>" + "<p>innspill</p>" * 200
FORM = PAGE + '<input name="csrf_token" type="hidden" value="bare-token">'


@app.get("/")
@app.get("/moter/")
@app.get("/moter/region/<slug>")
@app.get("/moter/<int:meeting_id>")
@app.get("/horing/")
@app.get("/horing/<slug>")
@app.get("/horing/<slug>/horingssvar")
@app.get("/healthz")
def page(**_):
    return PAGE


@app.route("/moter/<int:meeting_id>/pamelding", methods=["GET", "POST"])
@app.route("/innspill/", methods=["GET", "POST"])
@app.route("/horing/<slug>/svar", methods=["GET", "POST"])
def form(**_):
    from flask import request

    if request.method == "POST":
        return redirect("/", code=303)
    return FORM
