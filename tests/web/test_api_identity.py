"""Which article a write updates (issue 10, item 1) and who may see a job (item 9).

An article is updated only when the request names it: the URL of a PUT, an explicit `slug`,
the identical title, or the integrator's `source_id`. Different titles are different articles,
however alike their slugs; slugs never change.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audionews import catalog
from audionews.articles import parse_json, slugify
from audionews.db import db
from audionews.models import Article, Job
from tests.conftest import make_token
from tests.helpers import SHORT_ARTICLE

# The two titles from the issue: the same first 80 characters of slug.
UKRAINE = (
    "Ukraine-Krise: Nato-Vorsitzender fordert stärkere Unterstützung für Kiew und weitere Hilfen"
)
TITLE_A = f"{UKRAINE} – Teil A über Panzer"
TITLE_B = f"{UKRAINE} – Teil B über Geld"


def article(title: str, body: str = "Der Text. Er hat zwei Sätze.", **extra: Any) -> dict:
    return SHORT_ARTICLE | {"title": title, "body": body} | extra


def rows(app: Flask) -> list[tuple[str, str, int, str]]:
    with app.app_context():
        found = db.session.execute(
            select(Article.slug, Article.title, Article.revision, Article.body).order_by(Article.id)
        ).all()
        return [tuple(row) for row in found]  # type: ignore[misc]


def test_titles_that_slugify_alike_are_two_articles(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    assert slugify(TITLE_A) == slugify(TITLE_B), "the issue's reproduction needs one slug"
    first = client.post("/api/v1/articles", json=article(TITLE_A, "Panzer. Viele."), headers=auth)
    second = client.post("/api/v1/articles", json=article(TITLE_B, "Geld. Viel."), headers=auth)
    assert first.status_code == 201, first.get_json()
    # Before: 200 created:false changed:true — the second overwrote the first.
    assert second.status_code == 201, second.get_json()
    a, b = first.get_json(), second.get_json()
    assert b["created"] is True and a["slug"] != b["slug"] and a["guid"] != b["guid"]
    assert a["slug"] == slugify(TITLE_A)
    assert b["slug"].startswith(a["slug"][:60]) and len(b["slug"]) <= 80
    assert rows(app) == [
        (a["slug"], TITLE_A, 1, "Panzer. Viele."),
        (b["slug"], TITLE_B, 1, "Geld. Viel."),
    ]
    # Each keeps its own slug and its own job.
    assert client.get(f"/api/v1/articles/{a['slug']}").get_json()["title"] == TITLE_A
    assert client.get(f"/api/v1/articles/{b['slug']}").get_json()["title"] == TITLE_B
    assert a["job"] != b["job"]


def test_the_identical_title_updates_and_slugs_never_change(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    a = client.post("/api/v1/articles", json=article(TITLE_A), headers=auth).get_json()
    b = client.post("/api/v1/articles", json=article(TITLE_B), headers=auth).get_json()
    # The identical title names the article: an update, not a new one.
    res = client.post("/api/v1/articles", json=article(TITLE_B, "Neu. Ganz neu."), headers=auth)
    assert res.status_code == 200
    assert (res.get_json()["slug"], res.get_json()["revision"]) == (b["slug"], 2)
    # A PUT renames A; its slug stays (published URLs and guids stay).
    res = client.put(
        f"/api/v1/articles/{a['slug']}", json=article("Ganz anderer Titel"), headers=auth
    )
    assert res.status_code == 200 and res.get_json()["slug"] == a["slug"]
    assert res.get_json()["guid"] == a["guid"]
    # Its new title names it now; its old title names nothing any more.
    res = client.post("/api/v1/articles", json=article("Ganz anderer Titel", "X. Y."), headers=auth)
    assert res.status_code == 200 and res.get_json()["slug"] == a["slug"]
    res = client.post("/api/v1/articles", json=article(TITLE_A), headers=auth)
    assert res.status_code == 201 and res.get_json()["slug"] not in (a["slug"], b["slug"])
    assert len(rows(app)) == 3


def test_an_explicit_slug_names_the_article(client: FlaskClient, auth: dict, app: Flask) -> None:
    a = client.post("/api/v1/articles", json=article(TITLE_A), headers=auth).get_json()
    res = client.post(
        "/api/v1/articles", json=article(TITLE_B, "Korrigiert. Ja.", slug=a["slug"]), headers=auth
    )
    assert res.status_code == 200
    assert (res.get_json()["slug"], res.get_json()["title"]) == (a["slug"], TITLE_B)
    assert len(rows(app)) == 1


def test_source_id_names_the_article_per_token_name(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    first = client.post(
        "/api/v1/articles", json=article(TITLE_A, source_id="cms-4711"), headers=auth
    )
    assert first.status_code == 201 and first.get_json()["source_id"] == "cms-4711"
    slug = first.get_json()["slug"]
    # The CMS corrects the title: its id names the article, the slug stays.
    res = client.post(
        "/api/v1/articles", json=article("Neuer Titel", source_id="cms-4711"), headers=auth
    )
    assert res.status_code == 200
    assert (res.get_json()["slug"], res.get_json()["title"], res.get_json()["revision"]) == (
        slug,
        "Neuer Titel",
        2,
    )
    # A rotated token of the same name is the same owner.
    rotated = {"Authorization": f"Bearer {make_token(app, 'test')}"}
    res = client.post(
        "/api/v1/articles", json=article("Dritter Titel", source_id="cms-4711"), headers=rotated
    )
    assert res.status_code == 200 and res.get_json()["slug"] == slug
    # Another integrator's id 4711 is another article, even with the same title.
    other = {"Authorization": f"Bearer {make_token(app, 'anderes-system')}"}
    res = client.post(
        "/api/v1/articles", json=article("Dritter Titel", source_id="cms-4711"), headers=other
    )
    assert res.status_code == 201 and res.get_json()["slug"] != slug
    # A new id is a new article, even with a title an article already has.
    res = client.post(
        "/api/v1/articles", json=article("Dritter Titel", source_id="cms-4712"), headers=auth
    )
    assert res.status_code == 201
    assert len({row[0] for row in rows(app)}) == 3
    # Two articles with this title now: the title alone no longer says which.
    res = client.post("/api/v1/articles", json=article("Dritter Titel"), headers=auth)
    assert res.status_code == 409 and res.get_json()["field"] == "title"
    assert "slug" in res.get_json()["message"]


def test_source_id_in_the_text_format_and_its_errors(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    text = f"{TITLE_A}\n**Hauptartikel:**\nText. Mehr Text.\n".encode()
    headers = auth | {"Content-Type": "text/plain; charset=utf-8"}
    res = client.post("/api/v1/articles?source_id=42", data=text, headers=headers)
    assert res.status_code == 201 and res.get_json()["source_id"] == "42"
    slug = res.get_json()["slug"]
    changed = text.replace(TITLE_A.encode(), b"Korrigierter Titel")
    res = client.post("/api/v1/articles?source_id=42", data=changed, headers=headers)
    assert res.status_code == 200 and res.get_json()["slug"] == slug

    before = rows(app)
    for bad in ("", "a\nb", "x" * 201):
        res = client.post("/api/v1/articles", json=article("T", source_id=bad), headers=auth)
        assert res.status_code == 400 and res.get_json()["field"] == "source_id", bad
    res = client.post("/api/v1/articles", json=article("T", source_id=7), headers=auth)
    assert res.status_code == 400 and res.get_json()["field"] == "source_id"
    res = client.post(
        "/api/v1/articles?source_id=1", json=article("T", source_id="2"), headers=auth
    )
    assert res.status_code == 400 and res.get_json()["field"] == "source_id"
    assert rows(app) == before, "a refused request changes nothing"
    # Naming an article by slug with another article's source_id is a conflict.
    other = client.post("/api/v1/articles", json=article("Zweiter"), headers=auth).get_json()
    res = client.put(
        f"/api/v1/articles/{other['slug']}", json=article("Zweiter", "Neu. Neu."), headers=auth
    )
    assert res.get_json()["revision"] == 2
    res = client.put(
        f"/api/v1/articles/{other['slug']}",
        json=article("Zweiter", "Anders. Anders.", source_id="42"),
        headers=auth,
    )
    assert res.status_code == 409 and res.get_json()["field"] == "source_id"
    assert "42" in res.get_json()["message"] and slug in res.get_json()["message"]
    with app.app_context():
        row = db.session.scalar(select(Article).where(Article.slug == other["slug"]))
        assert row is not None and (row.revision, row.source_id) == (2, None)


def test_a_put_attaches_a_source_id_once(client: FlaskClient, auth: dict, app: Flask) -> None:
    slug = client.post("/api/v1/articles", json=article(TITLE_A), headers=auth).get_json()["slug"]
    res = client.put(f"/api/v1/articles/{slug}", json=article(TITLE_A, source_id="9"), headers=auth)
    assert res.status_code == 200 and res.get_json()["source_id"] == "9"
    assert res.get_json()["revision"] == 1, "an id alone is no new content to render"
    res = client.put(
        f"/api/v1/articles/{slug}", json=article(TITLE_A, source_id="10"), headers=auth
    )
    assert res.status_code == 409


def _concurrently(app: Flask, payloads: list[dict]) -> list[Any]:
    barrier = threading.Barrier(len(payloads))
    results: list[Any] = [None] * len(payloads)

    def save(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                result = catalog.save(parse_json(payloads[index]))
                results[index] = (result.article.slug, result.created)
            except Exception as exc:
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_saves_of_alike_titles_make_distinct_articles(app: Flask) -> None:
    titles = [f"{UKRAINE} – Teil {letter}" for letter in "ABCD"]
    results = _concurrently(app, [article(title) for title in titles])
    assert not [r for r in results if isinstance(r, Exception)], results
    slugs = [slug for slug, _ in results]
    assert len(set(slugs)) == 4 and all(created for _, created in results)
    with app.app_context():
        stored = dict(db.session.execute(select(Article.slug, Article.title)).all())
        assert {stored[slug] for slug in slugs} == set(titles)
        assert db.session.scalar(select(func.count()).select_from(Job)) == 4


def test_concurrent_saves_of_one_new_title_make_one_article(app: Flask) -> None:
    # Round 2 and 3: the title's own slug is taken by another title, so the new article
    # gets a suffixed slug while its twins race for the same one.
    for rounds, title in enumerate((TITLE_B, f"{UKRAINE} – Teil C", f"{UKRAINE} – Teil D"), 1):
        results = _concurrently(app, [article(title)] * 6)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({slug for slug, _ in results}) == 1
        assert sorted(created for _, created in results) == [False] * 5 + [True]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Article)) == rounds
            assert db.session.scalar(select(func.count()).select_from(Job)) == rounds


# Item 9: job status and unpublished articles ---------------------------------------------


@pytest.mark.parametrize("published", [False, True])
def test_job_status_tells_anonymous_callers_nothing_about_unpublished_articles(
    client: FlaskClient, auth: dict, published: bool
) -> None:
    body = article("Geheime Übernahme: Firma X kauft Firma Y", published=published)
    job = client.post("/api/v1/articles", json=body, headers=auth).get_json()["job"]
    anonymous = client.get(f"/api/v1/jobs/{job}")
    missing = client.get(f"/api/v1/jobs/{job + 1000}")
    if published:
        assert anonymous.status_code == 200
        assert anonymous.get_json()["article"] == "geheime-uebernahme-firma-x-kauft-firma-y"
    else:
        # Exactly the answer for an id that does not exist (ids are sequential).
        assert anonymous.status_code == 404
        assert anonymous.get_json() == {
            **missing.get_json(),
            "message": missing.get_json()["message"].replace(str(job + 1000), str(job)),
        }
        assert b"geheime" not in anonymous.data and b"Firma" not in anonymous.data
    bad_token = client.get(f"/api/v1/jobs/{job}", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == (200 if published else 404)
    with_token = client.get(f"/api/v1/jobs/{job}", headers=auth)
    assert with_token.status_code == 200 and with_token.get_json()["status"] == "queued"


# Item 11: a text that is no article -------------------------------------------------------


def test_a_csv_posted_as_text_is_refused_with_a_sentence(
    client: FlaskClient, auth: dict, app: Flask
) -> None:
    csv = b"title,summary,body\nBahnstreik,Die GDL streikt.,Ab Montag fahren weniger Zuege.\n"
    res = client.post(
        "/api/v1/articles", data=csv, headers=auth | {"Content-Type": "text/plain; charset=utf-8"}
    )
    assert res.status_code == 400
    body = res.get_json()
    assert body["field"] == "text" and body["error"] == "invalid_article"
    assert "„In Kürze“" in body["message"] and "„Hauptartikel“" in body["message"]
    assert rows(app) == []
