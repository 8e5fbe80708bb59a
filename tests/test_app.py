def test_home_page_in_three_languages(client):
    nb = client.get("/", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    en = client.get("/", headers={"Accept-Language": "en"})
    assert nb.status_code == en.status_code == 200
    assert 'lang="nb"' in nb.text
    assert 'lang="en"' in en.text


def test_language_switcher_is_remembered(client):
    response = client.get("/sprak/nn?next=/moter/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moter/"
    page = client.get("/moter/")
    assert 'lang="nn"' in page.text


def test_language_switcher_is_not_an_open_redirect(client):
    response = client.get("/sprak/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/finnes-ikke", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_northern_sami_from_the_browser_and_the_switcher(client):
    """Accept-Language se (or its three-letter code sme) and the switcher give Sami pages."""
    for header in ("se", "sme", "se-NO,nb;q=0.5"):
        page = client.get("/", headers={"Accept-Language": header})
        assert page.status_code == 200
        assert '<html lang="se"' in page.text, header
        assert "Álgosiidu" in page.text  # "Front page"
        assert '<span aria-current="true" lang="se">Davvisámegiella</span>' in page.text
    response = client.get("/sprak/se?next=/moter/")
    assert response.status_code == 303 and response.headers["Location"] == "/moter/"
    page = client.get("/moter/", headers={"Accept-Language": "en"})
    assert '<html lang="se"' in page.text and "Cealkámuščoahkkimat" in page.text


def test_back_office_does_not_offer_sami(client):
    client.set_cookie("lang", "se")
    login = client.get("/admin/logg-inn")
    assert '<html lang="nb"' in login.text
    assert "Davvisámegiella" not in login.text
    assert client.get("/admin/logg-inn", headers={"Accept-Language": "se"}).status_code == 200
    client.delete_cookie("lang")
    page = client.get("/admin/logg-inn", headers={"Accept-Language": "se, en;q=0.5"})
    assert '<html lang="en"' in page.text


def test_every_error_page_in_sami(app, client):
    from flask import abort
    from sqlalchemy.exc import OperationalError

    def fail(code: int):
        if code == 503:
            raise OperationalError("SELECT 1", {}, Exception("down"))
        abort(code)

    app.add_url_rule("/test-error/<int:code>", "test_error", fail)
    headings = {
        400: "Boasttu jearaldat",
        404: "Siiddu ii gávdnon",
        409: "Rievdaduvvon seammá áigge",
        413: "Menddo ollu dieđut",
        429: "Menddo ollu jearaldagat",
        500: "Juoga manai boastut",
        503: "Gaskaboddosaččat ii olamuttus",
    }
    for code, heading in headings.items():
        response = client.get(f"/test-error/{code}", headers={"Accept-Language": "se"})
        assert response.status_code == code
        assert '<html lang="se"' in response.text, code
        assert heading in response.text, code
