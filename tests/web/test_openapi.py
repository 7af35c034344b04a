"""GET /api/v1/openapi.json describes every API route, and nothing else (#10)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def routes(app: Flask) -> set[tuple[str, str]]:
    """Return (method, OpenAPI path) of every route under /api/v1."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = _CONVERTER.sub(lambda m: "{" + m.group(1) + "}", rule.rule)
        for method in rule.methods or ():
            if method not in {"HEAD", "OPTIONS"}:
                found.add((method.lower(), path))
    return found


def test_the_document_lists_every_api_route(sqlite_app: Flask) -> None:
    response = sqlite_app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    described = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert described == routes(sqlite_app)
    for path, item in document["paths"].items():
        for name in re.findall(r"{([^}]+)}", path):
            declared = item.get("parameters", []) + [
                p for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])
            ]
            assert any(p["name"] == name and p["in"] == "path" for p in declared), (path, name)


def test_writes_need_the_bearer_token_and_errors_have_one_shape(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"] and "field" in error["properties"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"post", "put"}:
                assert operation["security"] == [{"bearer": []}], (method, path)
                assert "401" in operation["responses"]
    article = document["components"]["schemas"]["ArticleInput"]
    assert "source_id" in article["properties"]
    body = document["paths"]["/api/v1/articles"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/plain"} <= set(body)


def test_an_error_answer_matches_the_documented_shape(client: FlaskClient) -> None:
    error = client.post("/api/v1/articles", json={}).get_json()
    assert set(error) <= {"error", "message", "field"} and error["message"]


def test_the_article_list_documents_its_paging(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    listing = document["paths"]["/api/v1/articles"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"limit", "page", "before"}
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"articles", "next", "next_before", "limit", "page"} <= set(page["properties"])
