"""Property-based fuzzing (#10) of the API (schemathesis, from /api/v1/openapi.json) and of
every back-office form and query (Hypothesis), on SQLite and PostgreSQL: no 5xx, no traceback.

The budget is small by default; AUDIONEWS_FUZZ_EXAMPLES raises it (examples per operation and
mode, default 15). The answers are counted by status and printed (`pytest -s`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.helpers import SHORT_ARTICLE, sample_text
from tests.web.editor.conftest import login, make_editor

EXAMPLES = int(os.environ.get("AUDIONEWS_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TRACE = re.compile(r"Traceback|File \"|sqlalchemy\.|psycopg|Werkzeug Debugger")

# Any text a browser or a script could send: NULs, controls, RTL marks, astral characters.
# (No lone surrogates: no client can encode them into a request.)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
LONG_TEXT = st.one_of(TEXT, st.text(max_size=3000).map(lambda s: s * 50))
NUMBERISH = st.one_of(
    st.integers().map(str), st.sampled_from(["", "-1", "0", "1", "9" * 40, "1e9", "0x10"]), TEXT
)


def check(response: Any, what: str, counts: Counter[int]) -> None:
    status = int(response.status_code)
    counts[status] += 1
    body = response.content if hasattr(response, "content") else response.get_data()
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    assert status < 500, (what, status, text[:500])
    assert not TRACE.search(text), (what, text[:500])


def report(name: str, counts: Counter[int]) -> None:
    line = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
    print(f"\n{name}: {sum(counts.values())} requests ({line})")


@pytest.fixture
def seeded(app: Flask, auth: dict[str, str]) -> dict[str, Any]:
    """An article, a job and an editor, so that fuzzed ids and slugs sometimes hit."""
    client = app.test_client()
    created = client.post("/api/v1/articles", json=SHORT_ARTICLE, headers=auth).get_json()
    make_editor(app)
    return {"slug": created["slug"], "job": created["job"]}


def test_fuzz_the_api(app: Flask, auth: dict[str, str], seeded: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    counts: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7  # (the loader leaves out the document's own path)
    for operation in operations:
        known = {}
        if "{slug}" in operation.path:
            known = {"slug": seeded["slug"]}
        elif "{job_id}" in operation.path:
            known = {"job_id": seeded["job"]}
        variants = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        if known:
            variants.append(
                operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE, path_parameters=known
                )
            )
        for strategy in variants:

            @FUZZ
            @given(case=strategy, with_token=st.booleans())
            def run(case: Any, with_token: bool) -> None:
                headers = auth if with_token else {}
                response = case.call(headers=headers)
                check(response, f"{case.method} {case.formatted_path}", counts)

            # A negative variant of an operation with nothing to make invalid is unsatisfiable.
            with contextlib.suppress(Unsatisfiable):
                run()
    report(f"API fuzzing ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})", counts)
    assert counts  # something was sent


def editor_for(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.csrf = login(client)  # type: ignore[attr-defined]
    return client


def form_cases(slug: str) -> dict[str, st.SearchStrategy[dict[str, str]]]:
    """Every back-office form, with each field drawn from any text."""

    def fields(*names: str, **fixed: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, str]]:
        drawn = {name: LONG_TEXT for name in names} | fixed
        extra = st.dictionaries(TEXT, TEXT, max_size=3)
        return st.tuples(st.fixed_dictionaries(drawn), extra).map(lambda t: t[1] | t[0])

    return {
        "/redaktion/anmelden": fields("name", "password"),
        "/redaktion/neuer-artikel": fields("title", "summary", "body", "links"),
        "/redaktion/neuer-artikel/einfuegen": fields(
            text=st.one_of(LONG_TEXT, st.just(sample_text()), TEXT.map(lambda t: sample_text() + t))
        ),
        f"/redaktion/artikel/{slug}": fields(
            "title", "summary", "body", "links", revision=NUMBERISH
        ),
        f"/redaktion/artikel/{slug}/veroeffentlichen": fields(published=NUMBERISH),
        f"/redaktion/artikel/{slug}/vertonen": fields(),
        "/redaktion/vertonen": fields(
            umfang=st.one_of(TEXT, st.sampled_from(["alle", "auswahl", "fehlgeschlagen"])),
            slug=TEXT,
        ),
        "/redaktion/aussprache": fields(
            "written", "spoken", "note", whole_word=NUMBERISH, case_sensitive=NUMBERISH
        ),
        "/redaktion/aussprache/1": fields("written", "spoken", "note"),
        "/redaktion/tokens": fields("name"),
        "/redaktion/tokens/1/widerrufen": fields(),
        "/redaktion/nachrichten-des-tages/2026-01-05": fields(
            "automatisch", **{"position-1": NUMBERISH}
        ),
        f"/redaktion/artikel/{slug}/loeschen": fields(),
    }


def fuzz_form(
    client: FlaskClient,
    path: str,
    strategy: st.SearchStrategy[dict[str, str]],
    csrf: str,
    counts: Counter[int],
) -> None:
    @FUZZ
    @given(data=strategy, with_csrf=st.booleans(), query=st.dictionaries(TEXT, TEXT, max_size=2))
    def run(data: dict[str, str], with_csrf: bool, query: dict[str, str]) -> None:
        form = data | ({"csrf_token": csrf} if with_csrf else {})
        response = client.post(path, data=form, query_string=query)
        check(response, f"POST {path}", counts)

    run()


def test_fuzz_every_back_office_form(app: Flask, seeded: dict[str, Any]) -> None:
    editor = editor_for(app)
    counts: Counter[int] = Counter()
    for path, strategy in form_cases(seeded["slug"]).items():
        client = app.test_client() if path.endswith("anmelden") else editor
        fuzz_form(client, path, strategy, editor.csrf, counts)  # type: ignore[attr-defined]
    # Uploads: any bytes under any file name.
    upload = st.lists(st.tuples(st.binary(max_size=2000), TEXT), max_size=3)

    @FUZZ
    @given(files=upload)
    def run_upload(files: list[tuple[bytes, str]]) -> None:
        data: dict[str, Any] = {"csrf_token": editor.csrf}  # type: ignore[attr-defined]
        data["files"] = [(io.BytesIO(content), name or "x.txt") for content, name in files]
        response = editor.post(
            "/redaktion/neuer-artikel/hochladen", data=data, content_type="multipart/form-data"
        )
        check(response, "POST upload", counts)

    run_upload()
    report(f"Back-office forms ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})", counts)


def fuzz_get(
    client: FlaskClient, template: str, segment: st.SearchStrategy[str], counts: Counter[int]
) -> None:
    @FUZZ
    @given(value=segment)
    def run(value: str) -> None:
        url = template.replace("{}", quote(value, safe="%"))
        check(client.get(url), f"GET {url[:80]}", counts)

    run()


def test_fuzz_pages_and_queries(app: Flask, seeded: dict[str, Any]) -> None:
    """Path segments and query strings of every page: public, feeds, media, back office."""
    editor = editor_for(app)
    public = app.test_client()
    counts: Counter[int] = Counter()
    segment = st.one_of(TEXT, st.just(seeded["slug"]), NUMBERISH).map(
        lambda s: "".join(c if c not in "/?#" else "%2F" for c in s) or "x"
    )
    templates = [
        ("public", "/artikel/{}"),
        ("public", "/media/{}"),
        ("public", "/api/v1/articles/{}"),
        ("public", "/api/v1/jobs/{}"),
        ("public", "/feed.xml?x={}"),
        ("public", "/?{}"),
        ("editor", "/redaktion/artikel/{}"),
        ("editor", "/redaktion/artikel/" + seeded["slug"] + "/satz/{}.mp3"),
        ("editor", "/redaktion/?status={}"),
        ("editor", "/redaktion/protokoll?seite={}"),
        ("editor", "/redaktion/aussprache/{}"),
        ("editor", "/redaktion/aussprache/vorhoeren.mp3?id={}"),
        ("editor", "/redaktion/aussprache/vorhoeren.mp3?written={}&spoken={}"),
        ("editor", "/redaktion/anmelden?next={}"),
        ("editor", "/redaktion/nachrichten-des-tages?tag={}"),
        ("editor", "/redaktion/nachrichten-des-tages/{}"),
        ("public", "/feed/briefing.xml?{}"),
        ("public", "/daisy/{}.zip"),
        ("public", "/daisy/artikel/{}.zip"),
        ("public", "/suche?q={}"),
        ("public", "/suche?q=Test&seite={}"),
        ("public", "/archiv/{}"),
        ("public", "/archiv/?jahr={}"),
        ("public", "/api/v1/articles?limit={}&page={}"),
        ("public", "/api/v1/articles?before={}"),
        ("editor", "/redaktion/?q={}&tag={}&seite={}"),
        ("editor", "/redaktion/status.json?q={}&status={}"),
    ]
    for who, template in templates:
        fuzz_get(editor if who == "editor" else public, template, segment, counts)
    report(f"Pages and queries ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})", counts)
