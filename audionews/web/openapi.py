"""The API described in OpenAPI 3.1, served at GET /api/v1/openapi.json.

A test compares its paths with the routes of the API blueprint, so it cannot drift from them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

SLUG = {
    "type": "string",
    "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
    "maxLength": 80,
    "description": "Kennung des Artikels in URLs (aus dem Titel, ändert sich nie).",
}
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "Maschinenlesbarer Fehlercode."},
        "message": {"type": "string", "description": "Der Grund, auf Deutsch."},
        "field": {"type": "string", "description": "Das Feld, das den Fehler verursacht."},
    },
}
LINK = {
    "type": "object",
    "required": ["title", "url"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string"},
        "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
    },
}
ARTICLE_INPUT = {
    "type": "object",
    "required": ["title"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "summary": {"type": ["string", "null"], "description": "„In Kürze“"},
        "body": {"type": ["string", "null"], "description": "„Hauptartikel“"},
        "links": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Link"}},
        "slug": {**SLUG, "description": "Eine bestehende Kennung: aktualisiert jenen Artikel."},
        "published": {
            "type": "boolean",
            "description": "false: erst nach „Veröffentlichen“ öffentlich (Voreinstellung true).",
        },
        "source_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "Die eigene Kennung des Redaktionssystems, eindeutig je Token-Inhaber; "
            "ein Schreiben mit bekannter source_id aktualisiert jenen Artikel.",
        },
    },
}
TEXT_FORMAT = {
    "type": "string",
    "description": "Das Artikel-Textformat: erste Zeile der Titel, dann **In Kürze:**, "
    "**Hauptartikel:** und **Mehr Wissen:**.",
}
MEDIA = {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}}
ARTICLE_STATUS = {
    "type": "object",
    "required": ["slug", "guid", "title", "revision", "status"],
    "properties": {
        "slug": SLUG,
        "guid": {"type": "string"},
        "title": {"type": "string"},
        "revision": {"type": "integer"},
        "published": {"type": "boolean"},
        "status": {"enum": ["queued", "rendering", "ready", "failed"]},
        "error": {
            "type": ["string", "null"],
            "description": "Warum die letzte Vertonung fehlschlug, oder warum der Auftrag "
            "wartet (etwa: kein freier Speicherplatz für Audiodateien).",
        },
        "progress": {"type": ["object", "null"]},
        "job": {"type": ["integer", "null"]},
        "engine": {"type": ["string", "null"]},
        "rendered_revision": {"type": ["integer", "null"]},
        "audio": {**MEDIA, "description": "URLs der MP3s: summary, body, episode."},
        "duration": {"type": ["object", "null"]},
        "source_id": {"type": ["string", "null"]},
        "updated_at": {"type": "string"},
    },
}
SAVED = {
    "allOf": [
        {"$ref": "#/components/schemas/ArticleStatus"},
        {
            "type": "object",
            "required": ["created", "changed"],
            "properties": {"created": {"type": "boolean"}, "changed": {"type": "boolean"}},
        },
    ]
}
JOB = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "integer"},
        "article": {"type": "string"},
        "revision": {"type": "integer"},
        "status": {"enum": ["queued", "rendering", "ready", "failed", "superseded"]},
        "done": {"type": "integer"},
        "total": {"type": "integer"},
        "phase": {"type": ["string", "null"]},
        "error": {"type": ["string", "null"]},
        "engine": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
    },
}
SEGMENT = {
    "type": "object",
    "required": ["section", "display", "spoken"],
    "properties": {
        "section": {"type": "string"},
        "display": {"type": "string"},
        "spoken": {"type": "string"},
        "pause_ms": {"type": "integer"},
        "flags": {"type": "array", "items": {"type": "string"}},
        "start": {"type": "number"},
        "end": {"type": "number"},
    },
}


def _json(schema: str | dict[str, Any]) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"application/json": {"schema": ref}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json("Error")}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Ungültige Eingabe (mit Grund und Feld).",
        401: "Token fehlt, ungültig oder widerrufen.",
        404: "Nicht gefunden.",
        409: "Konflikt mit einem bestehenden Artikel.",
        413: "Zu groß (die Grenze steht in der Meldung).",
        415: "Falsches Datenformat.",
        503: "Die Datenbank ist gerade nicht erreichbar (mit Retry-After).",
    }
    return {str(status): _error(text[status]) for status in statuses}


ARTICLE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ArticleInput"}},
        "text/plain": {"schema": TEXT_FORMAT},
    },
}
SOURCE_ID_QUERY = {
    "name": "source_id",
    "in": "query",
    "required": False,
    "description": "Die source_id für das Textformat, das kein Feld dafür hat.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
LIST_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Artikel je Seite (Voreinstellung 50, höchstens 200).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Die Seite, ab 1 (nicht zusammen mit `before`).",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    {
        "name": "before",
        "in": "query",
        "required": False,
        "description": "Nur Artikel, die älter sind als der mit dieser Kennung.",
        "schema": SLUG,
    },
]
ARTICLE_PAGE = {
    "type": "object",
    "required": ["articles", "limit", "next"],
    "properties": {
        "articles": {"type": "array", "items": {"$ref": "#/components/schemas/ArticleStatus"}},
        "limit": {"type": "integer"},
        "page": {"type": ["integer", "null"], "description": "null beim Blättern mit before."},
        "next": {
            "type": ["string", "null"],
            "description": "Adresse der nächsten Seite; null auf der letzten.",
        },
        "next_before": {
            "type": ["string", "null"],
            "description": "Der Wert für `before`, der die nächste Seite liefert.",
        },
    },
}
SLUG_PARAM = {"name": "slug", "in": "path", "required": True, "schema": SLUG}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of /api/v1."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "audionews API",
            "version": "1",
            "description": "Artikel einliefern, Vertonung verfolgen, Audio-URLs abrufen. "
            "Schreiben braucht `Authorization: Bearer <Token>`. Fehler sind JSON "
            "`{error, message, field?}` mit deutschem Grund und einem 4xx-Status; ist die "
            "Datenbank weg, 503 mit `Retry-After`.",
        },
        "paths": {
            "/api/v1/articles": {
                "get": {
                    "summary": "Artikel mit Status, seitenweise (mit Token auch unveröffentlichte)",
                    "description": "Neueste zuerst (nach Anlage). Weiterblättern mit `page` "
                    "oder, stabil auch während neue Artikel hinzukommen, mit `before` (der "
                    "`slug` des letzten Artikels der vorigen Seite, siehe `next_before`); "
                    "`next` ist die fertige Adresse der nächsten Seite.",
                    "security": OPTIONAL_BEARER,
                    "parameters": LIST_PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "Eine Seite Artikel, neueste zuerst.",
                            "content": _json(ARTICLE_PAGE),
                        },
                        **_errors(400, 503),
                    },
                },
                "post": {
                    "summary": "Artikel anlegen (oder den mit gleicher Kennung aktualisieren)",
                    "security": BEARER,
                    "parameters": [SOURCE_ID_QUERY],
                    "requestBody": ARTICLE_BODY,
                    "responses": {
                        "201": {"description": "Angelegt.", "content": _json("Saved")},
                        "200": {
                            "description": "Aktualisiert oder unverändert.",
                            "content": _json("Saved"),
                        },
                        **_errors(400, 401, 404, 409, 413, 415, 503),
                    },
                },
            },
            "/api/v1/articles/{slug}": {
                "parameters": [SLUG_PARAM],
                "get": {
                    "summary": "Status und Audio-URLs eines Artikels",
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": {"description": "Der Artikel.", "content": _json("ArticleStatus")},
                        **_errors(400, 404, 503),
                    },
                },
                "put": {
                    "summary": "Diesen Artikel aktualisieren",
                    "security": BEARER,
                    "parameters": [SOURCE_ID_QUERY],
                    "requestBody": ARTICLE_BODY,
                    "responses": {
                        "200": {"description": "Gespeichert.", "content": _json("Saved")},
                        **_errors(400, 401, 404, 409, 413, 415, 503),
                    },
                },
            },
            "/api/v1/articles/{slug}/script": {
                "parameters": [SLUG_PARAM],
                "get": {
                    "summary": "Die gesprochene Fassung, Segment für Segment",
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": {
                            "description": "Segmente mit Zeiten, wenn gerendert.",
                            "content": _json(
                                {
                                    "type": "object",
                                    "required": ["slug", "revision", "segments"],
                                    "properties": {
                                        "slug": SLUG,
                                        "revision": {"type": "integer"},
                                        "rendered": {"type": "boolean"},
                                        "unsure": {"type": "array", "items": {"type": "string"}},
                                        "segments": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Segment"},
                                        },
                                    },
                                }
                            ),
                        },
                        **_errors(400, 404, 503),
                    },
                },
            },
            "/api/v1/articles/{slug}/render": {
                "parameters": [SLUG_PARAM],
                "post": {
                    "summary": "Neu vertonen",
                    "security": BEARER,
                    "responses": {
                        "202": {"description": "Eingereiht.", "content": _json("Job")},
                        **_errors(400, 401, 404, 503),
                    },
                },
            },
            "/api/v1/jobs/{job_id}": {
                "parameters": [
                    {
                        "name": "job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                    }
                ],
                "get": {
                    "summary": "Stand eines Auftrags (ohne Token nur zu öffentlichen Artikeln)",
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": {"description": "Der Auftrag.", "content": _json("Job")},
                        **_errors(400, 404, 503),
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "Diese Beschreibung",
                    "security": [{}],
                    "responses": {"200": {"description": "OpenAPI 3.1 als JSON."}},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "API-Token aus `audionews token create NAME` "
                    "oder aus der Redaktion.",
                }
            },
            "schemas": {
                "Error": ERROR,
                "Link": LINK,
                "ArticleInput": ARTICLE_INPUT,
                "ArticleStatus": ARTICLE_STATUS,
                "Saved": SAVED,
                "Job": JOB,
                "Segment": SEGMENT,
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())
