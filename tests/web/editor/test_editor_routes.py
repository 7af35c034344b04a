"""Route audit: every back-office route and every write API route refuses strangers, and every
state-changing form refuses a missing or wrong CSRF token."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from audionews.db import db
from audionews.models import ApiToken, Article, LexiconEntry
from tests.helpers import SHORT_ARTICLE
from tests.web.editor.conftest import csrf_token, login, make_editor

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {"editor.login"}


def _url(rule: Rule, slug: str) -> str:
    """Fill a rule's parameters with an existing article's slug and small ids."""
    url = rule.rule
    url = re.sub(r"<slug>", slug, url)
    url = re.sub(r"<int(\([^)]*\))?:[a-z_]+>", "1", url)
    url = re.sub(r"<[^>]+>", "x", url)
    return url


def _rules(app: Flask, prefix: str) -> list[tuple[Rule, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule, method))
    return found


def _seed(app: Flask) -> str:
    client = app.test_client()
    make_editor(app, "seed")
    token = login(client, "seed")
    client.post(
        "/redaktion/neuer-artikel", data={**SHORT_ARTICLE, "links": "", "csrf_token": token}
    )
    client.post(
        "/redaktion/aussprache",
        data={"written": "Test", "spoken": "Täst", "whole_word": "1", "csrf_token": token},
    )
    client.post("/redaktion/tokens", data={"name": "t", "csrf_token": token})
    return "kurzmeldung-testlauf"


def test_every_back_office_route_refuses_anonymous_requests(app: Flask) -> None:
    slug = _seed(app)
    client = app.test_client()
    token = csrf_token(client)  # a valid CSRF token, so only the missing login can refuse
    routes = _rules(app, "/redaktion/")
    assert len(routes) >= 20
    checked = 0
    for rule, method in routes:
        if rule.endpoint in PUBLIC:
            continue
        url = _url(rule, slug)
        data = {"csrf_token": token, "published": "1", "umfang": "alle"}
        response = client.open(url, method=method, data=data if method != "GET" else None)
        if url.endswith((".json", ".mp3")):
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/redaktion/anmelden"), url
        checked += 1
    assert checked == len(routes) - 2  # login GET and POST
    # Nothing was changed by the refused requests: article, lexicon entry and token are intact.
    editor = app.test_client()
    login(editor, "seed")
    assert "kurzmeldung-testlauf" in editor.get("/redaktion/").get_data(as_text=True)
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert article is not None and article.revision == 1 and not article.published
        assert db.session.scalar(select(func.count()).select_from(LexiconEntry)) == 1
        assert db.session.scalar(select(ApiToken).where(ApiToken.revoked_at.is_(None)))


def test_every_write_api_route_refuses_anonymous_requests(app: Flask) -> None:
    slug = _seed(app)
    client = app.test_client()
    routes = [(r, m) for r, m in _rules(app, "/api/") if m in WRITE_METHODS]
    assert len(routes) >= 3
    for rule, method in routes:
        url = _url(rule, slug)
        for headers in ({}, {"Authorization": "Bearer falsch"}):
            response = client.open(url, method=method, json=SHORT_ARTICLE, headers=headers)
            assert response.status_code == 401, (method, url, headers)
            assert response.get_json()["error"] == "unauthorized"


def test_every_state_changing_form_refuses_missing_or_wrong_csrf(sqlite_app: Flask) -> None:
    app = sqlite_app
    slug = _seed(app)
    make_editor(app)
    client = app.test_client()
    login(client)
    routes = [(r, m) for r, m in _rules(app, "/redaktion/") if m in WRITE_METHODS]
    assert len(routes) >= 12
    for rule, method in routes:
        url = _url(rule, slug)
        for data in ({}, {"csrf_token": "falsch"}):
            payload = {**data, "published": "1", "umfang": "alle", "name": "anna"}
            response = client.open(url, method=method, data=payload)
            assert response.status_code == 400, (method, url, data, response.status_code)
            assert "Sicherheitsprüfung" in response.get_data(as_text=True)
    # The article, the lexicon entry and the token are all still there and unchanged.
    page = client.get(f"/redaktion/artikel/{slug}").get_data(as_text=True)
    assert "<dd>1</dd>" in page and "<dd>Nein</dd>" in page
    assert "Täst" in client.get("/redaktion/aussprache").get_data(as_text=True)
    assert "gültig" in client.get("/redaktion/tokens").get_data(as_text=True)


def test_huge_numbers_in_urls_are_404_not_500(sqlite_app: Flask) -> None:
    make_editor(sqlite_app)
    client = sqlite_app.test_client()
    token = login(client)
    huge = "99999999999999999999"
    assert (
        client.post(f"/redaktion/tokens/{huge}/widerrufen", data={"csrf_token": token}).status_code
        == 404
    )
    assert client.get(f"/redaktion/aussprache/{huge}").status_code == 404
    assert client.get(f"/redaktion/aussprache/vorhoeren.mp3?id={huge}").status_code in (400, 404)
    assert client.get(f"/redaktion/protokoll?seite={huge}").status_code == 200
    assert client.get(f"/api/v1/jobs/{huge}").status_code == 404
