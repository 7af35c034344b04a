"""Hostile input gets a 4xx with a German reason everywhere, on SQLite and PostgreSQL (#10).

Each of these answered 500 before: NUL characters (PostgreSQL refuses them in text), ids beyond
the database's integers, Host headers Flask cannot build URLs with.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import base_settings, worker_env
from tests.helpers import SHORT_ARTICLE, sample_text
from tests.services import free_port, wait_http
from tests.web.editor.conftest import PASSWORD, csrf_token, login, make_editor

LONG_LABEL_HOST = "a" * 64 + ".example.org"
BIG_IDS = ("2147483648", "9223372036854775807", "9223372036854775808", "1" + "0" * 40)


def assert_refused(response: Any, status: int | set[int] = 400) -> str:
    """Assert a 4xx with a German reason and no traceback; return the body."""
    body = response.get_data(as_text=True)
    wanted = status if isinstance(status, set) else {status}
    assert response.status_code in wanted, (response.status_code, body[:500])
    assert "Traceback" not in body
    if response.mimetype == "application/json":
        error = response.get_json()
        assert error["error"] and error["message"], error
    else:
        assert 'lang="de"' in body
    return body


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    make_editor(app)
    client = app.test_client()
    client.csrf = login(client)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def slug(app: Flask, auth: dict[str, str]) -> str:
    response = app.test_client().post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    assert response.status_code == 201
    return str(response.get_json()["slug"])


# NUL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/artikel/a%00b",
        "/api/v1/articles/a%00b",
        "/api/v1/articles/a%00b/script",
        "/media/a%00b.mp3",
        "/?seite=%00",
        "/feed.xml?x=%00",
        "/api/v1/articles?%00=1",
    ],
)
def test_nul_in_paths_and_query_strings(client: FlaskClient, path: str) -> None:
    body = assert_refused(client.get(path))
    assert "Nullzeichen" in body


def test_nul_in_the_login_form_before_login(app: Flask) -> None:
    make_editor(app)
    client = app.test_client()
    token = csrf_token(client)
    for data in (
        {"name": "anna\x00", "password": PASSWORD},
        {"name": "anna", "password": "x\x00y"},
        {"name\x00": "anna", "password": PASSWORD},
    ):
        response = client.post("/redaktion/anmelden", data=data | {"csrf_token": token})
        assert "Nullzeichen" in assert_refused(response)
    response = client.get("/redaktion/anmelden?next=/redaktion/%00")
    assert "Nullzeichen" in assert_refused(response)


def test_nul_in_every_back_office_form(app: Flask, editor: FlaskClient, slug: str) -> None:
    csrf = editor.csrf  # type: ignore[attr-defined]
    forms = {
        "/redaktion/neuer-artikel": {
            "title": "Titel\x00",
            "summary": "Kurz.",
            "body": "Lang.",
            "links": "",
        },
        "/redaktion/neuer-artikel/einfuegen": {"text": sample_text().replace("\n", "\x00\n", 1)},
        f"/redaktion/artikel/{slug}": {
            "title": "Neu",
            "summary": "Kurz\x00.",
            "body": "Lang.",
            "links": "",
            "revision": "1",
        },
        f"/redaktion/artikel/{slug}/veroeffentlichen": {"published": "1\x00"},
        "/redaktion/aussprache": {"written": "Macron", "spoken": "Makrong\x00", "note": ""},
        "/redaktion/tokens": {"name": "CMS\x00"},
        "/redaktion/vertonen": {"slugs": f"{slug}\x00"},
    }
    for path, data in forms.items():
        response = editor.post(path, data=data | {"csrf_token": csrf})
        assert "Nullzeichen" in assert_refused(response), path
    # A NUL in the upload's file name (a form part), too.
    upload = editor.post(
        "/redaktion/neuer-artikel/hochladen",
        data={"csrf_token": csrf, "files\x00": (b"x", "a.txt")},
        content_type="multipart/form-data",
    )
    assert_refused(upload)
    with app.app_context():
        from audionews.db import db
        from audionews.models import Article, LexiconEntry

        assert db.session.query(Article).count() == 1  # nothing stored
        assert db.session.query(LexiconEntry).count() == 0


def test_nul_in_api_bodies(client: FlaskClient, auth: dict[str, str], slug: str) -> None:
    for field in ("title", "summary", "body"):
        response = client.post(
            "/api/v1/articles", json=SHORT_ARTICLE | {field: "a\x00b"}, headers=auth
        )
        assert "Nullzeichen" in assert_refused(response)
    response = client.post(
        "/api/v1/articles",
        json=SHORT_ARTICLE | {"links": [{"title": "x\x00", "url": "https://example.org/"}]},
        headers=auth,
    )
    assert_refused(response)
    response = client.put(
        f"/api/v1/articles/{slug}", json=SHORT_ARTICLE | {"slug": "a\x00"}, headers=auth
    )
    assert_refused(response)
    text = sample_text().replace("**In Kürze:**", "**In Kürze:**\x00")
    response = client.post(
        "/api/v1/articles", data=text.encode(), content_type="text/plain", headers=auth
    )
    assert_refused(response)
    assert client.get(f"/api/v1/articles/{slug}").get_json()["revision"] == 1


def test_nul_in_a_header(client: FlaskClient) -> None:
    response = client.get("/api/v1/articles", headers={"Authorization": "Bearer an_\x00"})
    assert_refused(response)


# Ids beyond the database's integers -----------------------------------------------------------


@pytest.mark.parametrize("number", BIG_IDS)
def test_ids_beyond_the_columns(app: Flask, editor: FlaskClient, slug: str, number: str) -> None:
    csrf = editor.csrf  # type: ignore[attr-defined]
    assert_refused(app.test_client().get(f"/api/v1/jobs/{number}"), 404)
    assert_refused(editor.get(f"/redaktion/artikel/{slug}/satz/{number}.mp3"), 404)
    assert_refused(
        editor.post(f"/redaktion/tokens/{number}/widerrufen", data={"csrf_token": csrf}), 404
    )
    assert_refused(editor.get(f"/redaktion/aussprache/{number}"), 404)
    # Werkzeug says 405 when the GET route's pattern matched but the POST route's number did
    # not convert: a 4xx all the same.
    assert_refused(
        editor.post(f"/redaktion/aussprache/{number}", data={"csrf_token": csrf}), {404, 405}
    )
    assert_refused(
        editor.post(f"/redaktion/aussprache/{number}/loeschen", data={"csrf_token": csrf}), 404
    )


def test_the_largest_id_still_routes(client: FlaskClient) -> None:
    body = assert_refused(client.get("/api/v1/jobs/2147483647"), 404)
    assert "Auftrag 2147483647" in body  # the view ran and looked


# Host --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", [LONG_LABEL_HOST, "a..b", "", "exa mple.org", "[::1", "example.org:99999", "ä.de"]
)
@pytest.mark.parametrize("path", ["/", "/feed.xml", "/feed/kurz.xml", "/api/v1/articles"])
def test_bad_host_header(client: FlaskClient, host: str, path: str) -> None:
    response = client.get(path, headers={"Host": host})
    assert "Host" in assert_refused(response)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "host",
    ["example.org", "EXAMPLE.org.", "127.0.0.1:5000", "[::1]:80", "my_host:8080", "localhost:"],
)
def test_good_host_headers_pass(client: FlaskClient, host: str) -> None:
    assert client.get("/feed.xml", headers={"Host": host}).status_code == 200


def test_served_process_answers_bad_host_with_400_and_headers(tmp_path: Path) -> None:
    """Through waitress (`audionews serve`): its own 500 had no security headers."""
    port = free_port()
    settings = base_settings(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "audionews", "serve", "--port", str(port)],
        env=worker_env(settings),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(port, proc)
        for path in ("/", "/feed.xml", "/feed/kurz.xml"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", LONG_LABEL_HOST)
            conn.endheaders()
            response = conn.getresponse()
            body = response.read().decode()
            conn.close()
            assert response.status == 400, body
            assert "Host-Kopf" in body
            assert response.getheader("Content-Security-Policy")
            assert response.getheader("X-Content-Type-Options") == "nosniff"
    finally:
        proc.terminate()
        proc.wait(30)


def test_an_error_while_answering_gives_a_german_500_with_headers(sqlite_app: Flask) -> None:
    """Whatever escapes Flask (here a failing teardown) is answered by the last resort."""

    def broken_teardown(_exc: BaseException | None) -> None:
        raise RuntimeError("kaputt")

    sqlite_app.teardown_request(broken_teardown)
    sqlite_app.config["TESTING"] = False  # the test client would re-raise it otherwise
    response = sqlite_app.test_client().get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Ein interner Fehler ist aufgetreten." in body and "kaputt" not in body
    assert response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


# Encoding and Range -----------------------------------------------------------------------------


def test_invalid_utf8_and_percent_encoding(client: FlaskClient, auth: dict[str, str]) -> None:
    for path in (
        "/artikel/%ff%fe",
        "/artikel/%",
        "/artikel/%zz",
        "/api/v1/articles/%C3%28",
        "/media/%ff.mp3",
        "/api/v1/jobs/%ff",
    ):
        assert_refused(client.get(path), 404)
    assert client.get("/?%ff=%fe").status_code == 200
    response = client.post(
        "/api/v1/articles",
        data=b'{"title": "\xff"}',
        content_type="application/json",
        headers=auth,
    )
    assert "UTF-8" in assert_refused(response)
    response = client.post(
        "/api/v1/articles", data=b"Titel \xc3\x28\n", content_type="text/plain", headers=auth
    )
    assert_refused(response)


def test_login_with_broken_encodings(app: Flask) -> None:
    make_editor(app)
    client = app.test_client()
    response = client.post(
        "/redaktion/anmelden",
        data=b"name=%ff%fe&password=%c3",
        content_type="application/x-www-form-urlencoded",
    )
    assert_refused(response)
    response = client.post(
        "/redaktion/anmelden", data=b"garbage", content_type="multipart/form-data"
    )
    assert_refused(response)


def test_huge_and_malformed_ranges(sqlite_app: Flask) -> None:
    media = Path(sqlite_app.config["AUDIONEWS"]["MEDIA_DIR"])
    media.mkdir(parents=True, exist_ok=True)
    (media / "x-0123456789ab-episode.mp3").write_bytes(b"\xff\xfb" * 5000)
    client = sqlite_app.test_client()
    ranges = [
        "bytes=0-" + "9" * 40,
        "bytes=" + "9" * 40 + "-",
        "bytes=-" + "9" * 40,
        "bytes=-0",
        "bytes=5-1",
        "bytes=" + ",".join(f"{i}-{i}" for i in range(3000)),
        "items=0-1",
        "bytes=a-b",
        "bytes=\x00",
        "bytes=" + "0" * 100000 + "-1",
    ]
    for value in ranges:
        response = client.get("/media/x-0123456789ab-episode.mp3", headers={"Range": value})
        assert response.status_code in {200, 206, 400, 416}, (value[:40], response.status_code)
