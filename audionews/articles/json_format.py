"""The JSON format: {title, summary, body, links, slug?, published?, source_id?}, validated."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from .model import (
    MAX_BYTES,
    MAX_SLUG_LENGTH,
    ArticleError,
    ArticleInput,
    Link,
    _build,
    _check_title,
    _clean_text,
    _clean_title,
    _decode,
    _link_title,
    _paragraphs,
    _valid_url,
    check_source_id,
)
from .slugs import is_valid_slug

_JSON_FIELDS = ("title", "summary", "body", "links", "slug", "published", "source_id")
_LINK_FIELDS = ("title", "url")


def parse_json(obj: object) -> ArticleInput:
    """Validate already-decoded JSON (an object) into an article."""
    if not isinstance(obj, dict):
        raise ArticleError(
            "Erwartet wird ein JSON-Objekt mit den Feldern title, summary, body und links.", None
        )
    for key in obj:
        if key not in _JSON_FIELDS:
            raise ArticleError(
                f"Das Feld „{key}“ ist unbekannt. Erlaubt sind: {', '.join(_JSON_FIELDS)}.",
                str(key),
            )
    if "title" not in obj or obj["title"] is None:
        raise ArticleError("Der Titel fehlt.", "title")
    title = _check_title(_clean_title(_json_str(obj, "title")))
    summary = _paragraphs(_clean_text(_json_str(obj, "summary")).split("\n"))
    body = _paragraphs(_clean_text(_json_str(obj, "body")).split("\n"))
    links = _links_from_json(obj.get("links", []))

    slug = obj.get("slug")
    if slug is not None:
        if not isinstance(slug, str):
            raise ArticleError("Der Slug muss ein Text sein.", "slug")
        if not is_valid_slug(slug):
            raise ArticleError(
                "Der Slug darf nur Kleinbuchstaben a–z, Ziffern und einzelne Bindestriche "
                f"enthalten, nicht mit einem Bindestrich beginnen oder enden und höchstens "
                f"{MAX_SLUG_LENGTH} Zeichen lang sein.",
                "slug",
            )
    published = obj.get("published")
    if "published" in obj and not isinstance(published, bool):
        raise ArticleError("Das Feld „published“ muss true oder false sein.", "published")
    source_id = obj.get("source_id")
    if source_id is not None:
        source_id = check_source_id(source_id)
    article = _build(
        title=title, summary=summary, body=body, links=links, slug=slug, published=published
    )
    return dataclasses.replace(article, source_id=source_id) if source_id else article


def parse_json_bytes(data: bytes, *, max_bytes: int = MAX_BYTES) -> ArticleInput:
    """Decode UTF-8 JSON and validate it into an article."""
    text = _decode(data, max_bytes)
    try:
        obj = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ArticleError(
            f"Die Datei ist kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}).", "file"
        ) from exc
    except _DuplicateKeyError as exc:
        raise ArticleError(f"Das Feld „{exc.key}“ kommt doppelt vor.", exc.key) from exc
    except ArticleError:
        raise
    except (RecursionError, ValueError) as exc:
        # Deep nesting or huge numbers: not JSON an article could be made of.
        raise ArticleError("Die Datei ist kein gültiges JSON.", "file") from exc
    return parse_json(obj)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        _check_encodable(key, "file")  # every key may end up in an error message
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


_JSON_LABELS = {"title": "Der Titel", "summary": "Die Kurzfassung", "body": "Der Haupttext"}


def _json_str(obj: dict[Any, Any], key: str) -> str:
    """Return the optional string field `key` ("" when missing or null)."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ArticleError(f"{_JSON_LABELS[key]} („{key}“) muss ein Text sein.", key)
    _check_encodable(value, key)
    return value


def _check_encodable(value: str, field: str) -> None:
    """Refuse lone UTF-16 surrogates (JSON "\\ud800"): no UTF-8 text can hold them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(
            "Der Text enthält ungültige Zeichen (UTF-16-Ersatzzeichen).", field
        ) from None


def _links_from_json(value: object) -> tuple[Link, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ArticleError(
            "Das Feld „links“ muss eine Liste von Objekten mit title und url sein.", "links"
        )
    links = []
    for index, item in enumerate(value):
        field = f"links[{index}]"
        label = f"Link Nr. {index + 1}"
        if not isinstance(item, dict):
            raise ArticleError(f"{label} muss ein Objekt mit title und url sein.", field)
        for key in item:
            if key not in _LINK_FIELDS:
                raise ArticleError(
                    f"{label}: Das Feld „{key}“ ist unbekannt. Erlaubt sind: title, url.",
                    f"{field}.{key}",
                )
        for key in _LINK_FIELDS:
            if not isinstance(item.get(key), str):
                raise ArticleError(f"{label}: „{key}“ fehlt oder ist kein Text.", f"{field}.{key}")
            _check_encodable(item[key], f"{field}.{key}")
        url = _clean_text(item["url"]).strip()
        if not _valid_url(url):
            raise ArticleError(
                f"{label}: Nur vollständige Adressen mit http:// oder https:// sind erlaubt.",
                f"{field}.url",
            )
        links.append(Link(title=_link_title(_clean_text(item["title"]), url), url=url))
    return tuple(links)
