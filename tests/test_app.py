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
