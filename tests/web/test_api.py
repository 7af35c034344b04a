"""The JSON API: creating, updating, reading, errors. Renders are queued, not run, here."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from audionews import catalog
from audionews.articles import ArticleError
from audionews.db import db
from audionews.jobs.status import AUDIO_KINDS
from audionews.models import Article, Job, JobStatus, Rendition
from tests.helpers import SHORT_ARTICLE, sample_text


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        articles = db.session.scalar(select(func.count()).select_from(Article))
        jobs = db.session.scalar(select(func.count()).select_from(Job))
        revisions = db.session.scalar(select(func.coalesce(func.sum(Article.revision), 0)))
        return int(articles or 0), int(jobs or 0), int(revisions or 0)


def test_create_json_then_unchanged_then_update(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["slug"] == "kurzmeldung-testlauf"
    assert body["revision"] == 1
    assert body["status"] == "queued"
    assert body["audio"] is None
    assert isinstance(body["job"], int)
    guid = body["guid"]

    again = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    assert again.status_code == 200
    assert again.get_json()["changed"] is False
    assert counts(app) == (1, 1, 1)  # no new revision, no new job

    changed = dict(SHORT_ARTICLE, body="Ganz neuer Text. Mit zwei Sätzen.")
    res = client.post("/api/v1/articles", json=changed, headers=auth)
    assert res.status_code == 200
    assert res.get_json()["revision"] == 2
    assert res.get_json()["guid"] == guid
    assert counts(app) == (1, 2, 2)


def test_create_from_text_format(client: FlaskClient, auth: dict) -> None:
    res = client.post(
        "/api/v1/articles",
        data=sample_text().encode(),
        headers=auth | {"Content-Type": "text/plain; charset=utf-8"},
    )
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["slug"] == "bahnverkehr-gdl-kuendigt-neuen-warnstreik-an"
    got = client.get(f"/api/v1/articles/{body['slug']}").get_json()
    for key in (
        "slug",
        "guid",
        "title",
        "revision",
        "status",
        "error",
        "engine",
        "audio",
        "duration",
    ):
        assert key in got


def test_explicit_slug_and_put(client: FlaskClient, auth: dict) -> None:
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE | {"slug": "mein-test"}, headers=auth)
    assert res.status_code == 201
    assert res.get_json()["slug"] == "mein-test"
    res = client.put(
        "/api/v1/articles/mein-test", json=SHORT_ARTICLE | {"title": "Neuer Titel"}, headers=auth
    )
    assert res.status_code == 200
    assert res.get_json()["title"] == "Neuer Titel"
    assert res.get_json()["slug"] == "mein-test"
    assert res.get_json()["revision"] == 2


def test_render_endpoint_and_job(client: FlaskClient, auth: dict) -> None:
    client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    res = client.post("/api/v1/articles/kurzmeldung-testlauf/render", headers=auth)
    assert res.status_code == 202
    job = res.get_json()
    assert job["status"] == "queued"
    got = client.get(f"/api/v1/jobs/{job['id']}")
    assert got.status_code == 200
    assert got.get_json()["article"] == "kurzmeldung-testlauf"
    assert client.get("/api/v1/jobs/999999").status_code == 404


BAD_REQUESTS = [
    ("empty text", b"", "text/plain", 400),
    ("binary", b"\x00\x01\x02PNG\x00", "text/plain", 400),
    ("invalid utf-8", "Titel\n**In Kürze:**\nÄrger".encode("latin-1"), "text/plain", 400),
    ("title only", b"Nur ein Titel\n", "text/plain", 400),
    ("huge", b"Titel\n**Hauptartikel:**\n" + b"Wort " * 50_000, "text/plain", 413),
    ("json not object", b"[1, 2]", "application/json", 400),
    ("json broken", b'{"title": ', "application/json", 400),
    (
        "json unknown field",
        json.dumps(SHORT_ARTICLE | {"foo": 1}).encode(),
        "application/json",
        400,
    ),
    ("json wrong type", json.dumps(SHORT_ARTICLE | {"title": 5}).encode(), "application/json", 400),
    (
        "json bad link",
        json.dumps(
            SHORT_ARTICLE | {"links": [{"title": "x", "url": "javascript:alert(1)"}]}
        ).encode(),
        "application/json",
        400,
    ),
    (
        "json empty",
        json.dumps({"title": "T", "summary": "", "body": ""}).encode(),
        "application/json",
        400,
    ),
    ("unsupported type", b"<xml/>", "application/xml", 415),
]


@pytest.mark.parametrize(
    ("case", "data", "ctype", "status"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_input_is_refused_and_changes_nothing(
    client: FlaskClient, auth: dict, app: Flask, case: str, data: bytes, ctype: str, status: int
) -> None:
    client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    before = counts(app)
    res = client.post("/api/v1/articles", data=data, headers=auth | {"Content-Type": ctype})
    assert res.status_code == status, (case, res.get_json())
    body = res.get_json()
    assert body["error"] and body["message"], body
    # PUT onto the existing article with the same bad body changes nothing either.
    res = client.put(
        "/api/v1/articles/kurzmeldung-testlauf", data=data, headers=auth | {"Content-Type": ctype}
    )
    assert res.status_code == status
    assert counts(app) == before


def test_bad_field_is_named(client: FlaskClient, auth: dict) -> None:
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE | {"title": 5}, headers=auth)
    assert res.get_json()["field"] == "title"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer falsch"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "wrong", "basic", "empty"],
)
def test_writes_need_a_valid_token(client: FlaskClient, app: Flask, headers: dict) -> None:
    for method, url in [
        ("post", "/api/v1/articles"),
        ("put", "/api/v1/articles/x"),
        ("post", "/api/v1/articles/x/render"),
    ]:
        res = getattr(client, method)(url, json=SHORT_ARTICLE, headers=headers)
        assert res.status_code == 401, (method, url)
        assert res.get_json()["error"] == "unauthorized"
    assert counts(app) == (0, 0, 0)


def test_unknown_slug(client: FlaskClient, auth: dict) -> None:
    assert client.get("/api/v1/articles/gibt-es-nicht").status_code == 404
    res = client.put("/api/v1/articles/gibt-es-nicht", json=SHORT_ARTICLE, headers=auth)
    assert res.status_code == 404
    assert "gibt-es-nicht" in res.get_json()["message"]
    assert client.post("/api/v1/articles/gibt-es-nicht/render", headers=auth).status_code == 404


def test_unknown_api_route_and_method_answer_json(client: FlaskClient) -> None:
    res = client.get("/api/v1/nichts")
    assert res.status_code == 404 and res.is_json
    res = client.delete("/api/v1/articles")
    assert res.status_code == 405 and res.is_json


def test_unpublished_articles_are_for_token_holders(client: FlaskClient, auth: dict) -> None:
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE | {"published": False}, headers=auth)
    assert res.status_code == 201 and res.get_json()["published"] is False
    assert client.get("/api/v1/articles/kurzmeldung-testlauf").status_code == 404
    assert client.get("/api/v1/articles").get_json()["articles"] == []
    assert client.get("/api/v1/articles/kurzmeldung-testlauf", headers=auth).status_code == 200
    assert len(client.get("/api/v1/articles", headers=auth).get_json()["articles"]) == 1


def test_publishing_on_update_needs_no_new_revision(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    res = client.put(
        "/api/v1/articles/kurzmeldung-testlauf",
        json=SHORT_ARTICLE | {"published": False},
        headers=auth,
    )
    body = res.get_json()
    assert res.status_code == 200 and body["published"] is False and body["changed"] is True
    assert body["revision"] == 1
    assert counts(app) == (1, 1, 1)  # no new job
    # Saying nothing about publishing leaves it as it is.
    res = client.put("/api/v1/articles/kurzmeldung-testlauf", json=SHORT_ARTICLE, headers=auth)
    assert res.get_json()["published"] is False


def test_huge_ids_and_lone_surrogates_are_4xx(client: FlaskClient, auth: dict) -> None:
    assert client.get("/api/v1/jobs/99999999999999999999999").status_code == 404
    res = client.post(
        "/api/v1/articles",
        data=b'{"title": "\\ud800x", "body": "y"}',
        headers=auth | {"Content-Type": "application/json"},
    )
    assert res.status_code == 400 and res.get_json()["field"] == "title"


def test_concurrent_saves_never_share_a_revision(app: Flask) -> None:
    import threading

    from audionews import catalog
    from audionews.articles import parse_json

    with app.app_context():
        catalog.save(parse_json(SHORT_ARTICLE))
    errors: list[Exception] = []

    def save(body: str) -> None:
        with app.app_context():
            try:
                catalog.save(parse_json(SHORT_ARTICLE | {"body": body}))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=save, args=(f"Fassung {i}. Ende.",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        # Every save made its own revision, and each revision got its own render job.
        revisions = db.session.scalars(select(Job.revision).order_by(Job.revision)).all()
        assert revisions == [1, 2, 3, 4, 5]
        article = db.session.scalar(select(Article))
        assert article is not None and article.revision == 5


def test_script_shows_what_will_be_said_and_when(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    from audionews.jobs import render_job

    text = SHORT_ARTICLE | {"body": "Am 3. Oktober kostete es 4.567,50 €. Die XYZQ prüft das."}
    res = client.post("/api/v1/articles", json=text, headers=auth).get_json()
    script = client.get("/api/v1/articles/kurzmeldung-testlauf/script").get_json()
    assert script["rendered"] is False and script["revision"] == 1
    first = script["segments"][0]
    assert set(first) >= {"section", "display", "spoken", "pause_ms", "flags"}
    assert first["section"] == "title" and "start" not in first
    spoken = " ".join(s["spoken"] for s in script["segments"])
    assert "dritten Oktober" in spoken and "Euro" in spoken and "4.567" not in spoken
    assert "XYZQ" in script["unsure"]

    with app.test_request_context():
        render_job.run_render(1, 1, res["job"])
    script = client.get("/api/v1/articles/kurzmeldung-testlauf/script").get_json()
    assert script["rendered"] is True
    starts = [s["start"] for s in script["segments"]]
    # the first word follows the lead-in of silence every file starts with (about 0.3 s)
    assert starts == sorted(starts) and starts[0] == pytest.approx(0.3, abs=0.02)
    assert all(s["end"] > s["start"] for s in script["segments"])


def test_status_and_audio_agree_while_a_worker_commits(
    app: Flask, client: FlaskClient, auth: dict
) -> None:
    """A worker commits job and rendition together in the middle of a status request.

    Every query of the request sees the newest commit (READ COMMITTED; SQLite outside a
    transaction), so the status must not come from one moment and the audio from another:
    "ready" always comes with its audio and engine.
    """
    res = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth)
    slug = res.get_json()["slug"]
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        assert article is not None
        article_id, revision = article.id, article.revision
        job_id = article.latest_job().id  # type: ignore[union-attr]
    worker = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def finish() -> None:
        with Session(worker) as session, session.begin():
            job = session.get(Job, job_id)
            assert job is not None
            job.status = JobStatus.READY
            session.add(
                Rendition(
                    article_id=article_id,
                    job_id=job_id,
                    revision=revision,
                    engine="espeak",
                    files={kind: f"{slug}-0123456789ab-{kind}.mp3" for kind in AUDIO_KINDS},
                    durations=dict.fromkeys(AUDIO_KINDS, 1.0),
                )
            )

    done: list[bool] = []

    def between_queries(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not done and re.search(r"\bFROM (job|rendition)\b", statement):
            done.append(True)
            finish()  # right after the request's first look at jobs or renditions

    with app.app_context():
        event.listen(db.engine, "after_cursor_execute", between_queries)
        try:
            body = client.get(f"/api/v1/articles/{slug}", headers=auth).get_json()
        finally:
            event.remove(db.engine, "after_cursor_execute", between_queries)
    worker.dispose()
    assert done
    # The request saw the job before the commit and the rendition after it: still queued,
    # with the new audio already there (never "ready" without audio).
    assert body["status"] in ("queued", "ready"), body
    assert body["engine"] == "espeak" and body["audio"] is not None, body
    after = client.get(f"/api/v1/articles/{slug}", headers=auth).get_json()
    assert after["status"] == "ready" and after["audio"]["episode"].endswith("episode.mp3")


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (ArticleError("Der Artikel wurde gerade gleichzeitig geändert.", "body"), 409),
        (catalog.NotFound("kurzmeldung-testlauf"), 404),
    ],
)
def test_a_failing_update_is_a_sentence_not_a_500(
    client: FlaskClient,
    auth: dict,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    status: int,
) -> None:
    # A save can lose against concurrent saves (ArticleError) or find its article deleted in
    # the meantime (NotFound): for PUT as for POST that is a 4xx with a sentence.
    slug = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()["slug"]

    def failing(*_: Any, **__: Any) -> None:
        raise failure

    monkeypatch.setattr(catalog, "save", failing)
    for method, path in (("put", f"/api/v1/articles/{slug}"), ("post", "/api/v1/articles")):
        res = getattr(client, method)(path, json=SHORT_ARTICLE | {"body": "Neu."}, headers=auth)
        assert res.status_code == status, (method, res.get_json())
        assert res.get_json()["message"]
