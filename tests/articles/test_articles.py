"""Tests for parsing articles from the text format and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest

from audionews.articles import (
    MAX_BYTES,
    ArticleError,
    ArticleInput,
    Link,
    is_valid_slug,
    parse_file,
    parse_json,
    parse_json_bytes,
    parse_text,
    slugify,
)

SAMPLE_NAMES = ["bahnstreik.txt", "energiepreise.txt", "000_a20df5a97d7413b8.txt"]

BASIC = (
    "Titel der Meldung\n"
    "**In Kürze:**\n"
    "Kurz gesagt.\n"
    "**Hauptartikel:**\n"
    "Erster Absatz.\n"
    "Zweiter Absatz mit **fett**.\n"
    "**Mehr Wissen:**\n"
    '![Wiki](https://de.wikipedia.org/wiki/Test "Wikipedia")\n'
)


def sample_bytes(name: str) -> bytes:
    return resources.files("audionews").joinpath("samples", name).read_bytes()


def error_of(call: Callable[..., object], *args: Any, **kwargs: Any) -> ArticleError:
    with pytest.raises(ArticleError) as info:
        call(*args, **kwargs)
    return info.value


# --- samples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "link_count"),
    [
        ("bahnstreik.txt", "Bahnverkehr: GDL kündigt neuen Warnstreik an", 1),
        (
            "energiepreise.txt",
            "Energiepreise: Bundesnetzagentur erwartet sinkende Gaspreise im Winter",
            2,
        ),
        (
            "000_a20df5a97d7413b8.txt",
            "Ukraine-Krise: Nato-Vorsitzender fordert stärkere Unterstützung für Kiew",
            1,
        ),
    ],
)
def test_samples_parse(name: str, title: str, link_count: int) -> None:
    article = parse_text(sample_bytes(name))
    assert article.title == title
    assert article.summary and "\n" not in article.summary
    assert article.body.count("\n\n") >= 3
    assert len(article.links) == link_count
    for link in article.links:
        assert link.title and link.url.startswith("https://de.wikipedia.org/")
    assert article.slug is None and article.published is None


def test_energiepreise_links() -> None:
    article = parse_text(sample_bytes("energiepreise.txt"))
    assert article.links == (
        Link("Bundesnetzagentur", "https://de.wikipedia.org/wiki/Bundesnetzagentur"),
        Link("Erdgasspeicher", "https://de.wikipedia.org/wiki/Erdgasspeicher"),
    )
    assert article.body.startswith("Die Gasspeicher in Deutschland sind gut gefüllt.")
    assert article.body.endswith("(EnWG).")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_through_parse_file_and_str(name: str) -> None:
    data = sample_bytes(name)
    assert parse_file(data, name) == parse_text(data) == parse_text(data.decode("utf-8"))


# --- text format variants --------------------------------------------------------------------


def variant(text: str) -> ArticleInput:
    return parse_text(text.encode("utf-8"))


EXPECTED_BASIC = ArticleInput(
    title="Titel der Meldung",
    summary="Kurz gesagt.",
    body="Erster Absatz.\n\nZweiter Absatz mit **fett**.",
    links=(Link("Wiki", "https://de.wikipedia.org/wiki/Test"),),
)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BASIC, id="plain"),
        pytest.param(BASIC.replace("\n", "\r\n"), id="crlf"),
        pytest.param(BASIC.replace("\n", "\r"), id="cr"),
        pytest.param("\ufeff" + BASIC, id="bom"),
        pytest.param(BASIC.replace(":**", "**"), id="no-colon"),
        pytest.param(BASIC.replace(":**", "**:"), id="colon-outside-bold"),
        pytest.param(
            BASIC.replace("**In Kürze:**", "**IN KÜRZE:**")
            .replace("**Hauptartikel:**", "**hauptartikel:**")
            .replace("**Mehr Wissen:**", "**MEHR WISSEN:**"),
            id="letter-case",
        ),
        pytest.param(
            BASIC.replace("**In Kürze:**", "   **  In Kürze:  **  ")
            .replace("**Hauptartikel:**", "\t**Hauptartikel :**")
            .replace("**Mehr Wissen:**", "**Mehr  Wissen**  "),
            id="spaces",
        ),
        pytest.param("\n\n" + BASIC.replace("\n", "\n\n\n") + "\n\n", id="extra-blank-lines"),
        pytest.param(BASIC.replace("\n", "  \n"), id="trailing-spaces"),
        pytest.param("# " + BASIC, id="heading-title"),
        pytest.param("**" + BASIC.replace("\n", "**\n", 1), id="bold-title"),
        pytest.param(
            BASIC.replace("**In Kürze:**\n", "**In Kürze:** ").replace(
                "**Hauptartikel:**\n", "**Hauptartikel:** "
            ),
            id="text-after-marker",
        ),
        pytest.param(
            BASIC.replace("**In Kürze:**", "## In Kürze").replace(
                "**Hauptartikel:**", "Hauptartikel:"
            ),
            id="heading-and-plain-markers",
        ),
        pytest.param(
            BASIC.replace("Kurz gesagt.", "Kurz\x07 gesagt.\x1b").replace("Titel", "Ti\x01tel"),
            id="control-chars",
        ),
        pytest.param(BASIC.replace("Kürze", "Ku\u0308rze"), id="nfd-marker"),
    ],
)
def test_text_variants(text: str) -> None:
    assert variant(text) == EXPECTED_BASIC


def test_sections_in_other_order() -> None:
    text = (
        "Titel der Meldung\n**Mehr Wissen:**\n[Wiki](https://de.wikipedia.org/wiki/Test)\n"
        "**Hauptartikel:**\nErster Absatz.\nZweiter Absatz mit **fett**.\n"
        "**In Kürze:**\nKurz gesagt.\n"
    )
    assert variant(text) == EXPECTED_BASIC


def test_blank_line_separated_paragraphs() -> None:
    text = "Titel\n\n**Hauptartikel:**\n\nEins.\n\n\n\nZwei.\n\nDrei.\n"
    assert variant(text).body == "Eins.\n\nZwei.\n\nDrei."


def test_nfc_normalization() -> None:
    article = variant("Fu\u0308r alle\n**Hauptartikel:**\nGro\u0308ße Scho\u0308nheit.\n")
    assert article.title == "Für alle"
    assert article.body == "Größe Schönheit."


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("# Titel", "Titel"),
        ("###   Titel  ", "Titel"),
        ("**Titel**", "Titel"),
        ("# **Titel**", "Titel"),
        ("#MeToo-Debatte geht weiter", "#MeToo-Debatte geht weiter"),
        ("**Eil:** Titel", "**Eil:** Titel"),
        ("**A** und **B**", "**A** und **B**"),
        ("Titel   mit\tLücken", "Titel mit Lücken"),
    ],
)
def test_title_decoration(line: str, title: str) -> None:
    assert variant(f"{line}\n**Hauptartikel:**\nText.\n").title == title


def test_tabs_kept_inside_lines() -> None:
    assert variant("T\n**Hauptartikel:**\nA\tB\n").body == "A\tB"


@pytest.mark.parametrize(
    "text",
    [
        "Nur ein Titel\nErster Absatz.\n\nZweiter Absatz.\n",
        "title,summary,body\nBahnstreik,Die GDL streikt.,Ab Montag fahren weniger Züge.\n",
        "T\nText.\n**Mehr Wissen:**\n[A](https://a.example/)\n",
        "Nur ein Titel\n",
    ],
    ids=["no-markers", "csv", "links-only", "title-only"],
)
def test_a_text_without_summary_or_body_header_is_refused(text: str) -> None:
    # Issue 10 item 11: a CSV went live as the article "title,summary,body".
    error = error_of(variant, text)
    assert error.field == "text"
    assert "„In Kürze“" in error.message and "„Hauptartikel“" in error.message
    assert "fehlen" in error.message


@pytest.mark.parametrize(
    ("text", "summary", "body", "link_count"),
    [
        ("T\nIntro.\n**Hauptartikel:**\nText.\n", "Intro.", "Text.", 0),
        ("T\n**In Kürze:**\nKurz.\n", "Kurz.", "", 0),
        ("T\n**Hauptartikel:**\nText.\n", "", "Text.", 0),
        ("T\n**In Kürze:**\n**Hauptartikel:**\nText.\n**Mehr Wissen:**\n", "", "Text.", 0),
        ("T\nIntro.\n**Mehr Wissen:**\n**Hauptartikel:**\nText.\n", "Intro.", "Text.", 0),
    ],
    ids=[
        "unmarked-summary",
        "summary-only",
        "body-only",
        "empty-sections",
        "unmarked-summary-before-links",
    ],
)
def test_partial_sections(text: str, summary: str, body: str, link_count: int) -> None:
    article = variant(text)
    assert (article.summary, article.body, len(article.links)) == (summary, body, link_count)


# --- links -----------------------------------------------------------------------------------


def links_of(section: str) -> tuple[Link, ...]:
    return variant(f"T\n**Hauptartikel:**\nText.\n**Mehr Wissen:**\n{section}\n").links


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ('![A](https://a.example/x "Wikipedia")', [("A", "https://a.example/x")]),
        ("[A](https://a.example/x)", [("A", "https://a.example/x")]),
        ("- [A](https://a.example/x)", [("A", "https://a.example/x")]),
        ("* [A](http://a.example/x 'Tip')", [("A", "http://a.example/x")]),
        ("1. [A](<https://a.example/a b>)", []),
        ("[A](<https://a.example/ab>)", [("A", "https://a.example/ab")]),
        (
            "[Mars](https://de.wikipedia.org/wiki/Mars_(Planet))",
            [("Mars", "https://de.wikipedia.org/wiki/Mars_(Planet)")],
        ),
        ("[](https://a.example/)", [("https://a.example/", "https://a.example/")]),
        ("- https://a.example/bare", [("https://a.example/bare", "https://a.example/bare")]),
        ("[A](javascript:alert(1))", []),
        ("[A](JavaScript:alert(1))", []),
        ("[A](data:text/html,hi)", []),
        ("[A](/relativ)", []),
        ("[A](https://)", []),
        ("[A](ftp://a.example/)", []),
        ("Nur Text ohne Link", []),
        ("[A](https://a.example/ kaputt", []),
        (
            "[A](javascript:x)\n\n[B](HTTPS://b.example/)\n[C](https://c.example/)",
            [("B", "HTTPS://b.example/"), ("C", "https://c.example/")],
        ),
        (
            "Siehe [A](https://a.example/) und [B](https://b.example/).",
            [("A", "https://a.example/"), ("B", "https://b.example/")],
        ),
    ],
)
def test_text_links(section: str, expected: list[tuple[str, str]]) -> None:
    assert links_of(section) == tuple(Link(t, u) for t, u in expected)


# --- errors in the text format ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message_part"),
    [
        (b"", "file", "leer"),
        (b"  \n\r\n\t ", "file", "leer"),
        ("\ufeff\n".encode(), "file", "leer"),
        (b"\x01\x02\n", "file", "leer"),
        (b"Titel\x00\n**Hauptartikel:**\nText", "file", "kein UTF-8-Text"),
        ("Titel\n**Hauptartikel:**\nÄrger".encode("latin-1"), "file", "kein UTF-8-Text"),
        ("Titel\n**Hauptartikel:**\nText".encode("utf-16"), "file", "kein UTF-8-Text"),
        (b"Titel\n**In K\xc3\xbcrze:**\n\n**Hauptartikel:**\n  \n", "body", "keinen Text"),
        (b"**In K\xc3\xbcrze:**\nKurz.\n", "title", "Titel fehlt"),
        (b"#\n**Hauptartikel:**\nText.\n", "title", "Titel fehlt"),
        (b"****\nText.\n", "title", "Titel fehlt"),
        (("T" * 301 + "\nText.\n").encode(), "title", "300 Zeichen"),
        (b"T\n**In K\xc3\xbcrze:**\nA\n**In K\xc3\xbcrze**\nB\n", "summary", "zweimal"),
        (b"T\n**Hauptartikel:**\nA\n**HAUPTARTIKEL:**\nB\n", "body", "zweimal"),
        (b"T\n**Mehr Wissen:**\n**Mehr Wissen:**\n", "links", "zweimal"),
        (b"T\nStreuner.\n**In K\xc3\xbcrze:**\nA\n", "text", "keinem Abschnitt"),
    ],
    ids=[
        "empty",
        "whitespace",
        "bom-only",
        "controls-only",
        "nul",
        "latin1",
        "utf16",
        "empty-sections",
        "marker-first",
        "hash-only-title",
        "bold-only-title",
        "title-too-long",
        "duplicate-summary",
        "duplicate-body",
        "duplicate-links",
        "text-before-summary",
    ],
)
def test_text_errors(data: bytes, field: str, message_part: str) -> None:
    error = error_of(parse_text, data)
    assert error.field == field
    assert message_part in error.message
    assert str(error) == error.message
    assert isinstance(error, ValueError)


def test_invalid_utf8_message() -> None:
    assert error_of(parse_text, b"\xff\xfe").message == "Die Datei ist kein UTF-8-Text."


def test_title_of_300_chars_is_fine() -> None:
    assert variant("T" * 300 + "\n**Hauptartikel:**\nText.\n").title == "T" * 300


def test_size_limit() -> None:
    text = "T\n**Hauptartikel:**\n" + "x" * (MAX_BYTES - 20)
    assert len(text.encode()) <= MAX_BYTES
    assert parse_text(text).body
    error = error_of(parse_text, text + "xy")
    assert (error.field, error.message) == ("size", "Der Text ist größer als 200 kB.")
    # The limit counts UTF-8 bytes, not characters.
    error = error_of(parse_text, "T\nIn Kürze: ÄÄÄ", max_bytes=18)
    assert (error.field, error.message) == ("size", "Der Text ist größer als 18 Bytes.")
    assert parse_text("T\nIn Kürze: ÄÄÄ", max_bytes=19).summary == "ÄÄÄ"


def test_lone_surrogate_in_str() -> None:
    assert error_of(parse_text, "T\nText \udcff").field == "file"


# --- content hash ----------------------------------------------------------------------------


def test_content_hash_ignores_formatting() -> None:
    base = variant(BASIC)
    assert len(base.content_hash()) == 64
    for text in (
        BASIC.replace("\n", "\r\n"),
        "\ufeff" + BASIC.replace("\n", "\n\n"),
        BASIC.replace(":**", "**:"),
    ):
        assert variant(text).content_hash() == base.content_hash()


def test_content_hash_ignores_slug_and_published() -> None:
    base = variant(BASIC)
    other = parse_json({**base.to_dict(), "slug": "anders", "published": False})
    assert other.content_hash() == base.content_hash()
    assert other != base


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Titel der", "Titel einer"),
        ("Kurz gesagt", "Kurz erklärt"),
        ("Erster Absatz", "Dritter Absatz"),
        ("[Wiki]", "[Wikipedia]"),
        ("wiki/Test", "wiki/Probe"),
        ("Erster Absatz.\n", "Erster Absatz. "),
    ],
)
def test_content_hash_changes_with_content(old: str, new: str) -> None:
    assert old in BASIC
    changed = variant(BASIC.replace(old, new))
    assert changed.content_hash() != variant(BASIC).content_hash()


def test_content_hash_moves_between_sections() -> None:
    a = ArticleInput(title="T", summary="A", body="", links=())
    b = ArticleInput(title="T", summary="", body="A", links=())
    assert a.content_hash() != b.content_hash()


# --- JSON ------------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    article = parse_text(sample_bytes("energiepreise.txt"))
    data = article.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert parse_json(data) == article
    assert parse_json_bytes(json.dumps(data).encode()) == article


def test_json_full() -> None:
    article = parse_json(
        {
            "title": "  # Titel\n mit Umbruch ",
            "summary": "Kurz.\r\nNoch kurz.",
            "body": "Eins.\n\n\nZwei.\x07",
            "links": [{"title": " A ", "url": "https://a.example/"}],
            "slug": "mein-slug-2",
            "published": False,
        }
    )
    assert article == ArticleInput(
        title="Titel mit Umbruch",
        summary="Kurz.\n\nNoch kurz.",
        body="Eins.\n\nZwei.",
        links=(Link("A", "https://a.example/"),),
        slug="mein-slug-2",
        published=False,
    )


def test_json_optional_fields() -> None:
    article = parse_json({"title": "T", "body": "Text."})
    assert article == ArticleInput(title="T", summary="", body="Text.", links=())
    assert parse_json({"title": "T", "summary": "S", "body": None, "links": None, "slug": None})


@pytest.mark.parametrize(
    ("obj", "field", "message_part"),
    [
        ([], None, "JSON-Objekt"),
        ("text", None, "JSON-Objekt"),
        (None, None, "JSON-Objekt"),
        ({"body": "B"}, "title", "Titel fehlt"),
        ({"title": None, "body": "B"}, "title", "Titel fehlt"),
        ({"title": "  ", "body": "B"}, "title", "Titel fehlt"),
        ({"title": 3, "body": "B"}, "title", "Text"),
        ({"title": ["T"], "body": "B"}, "title", "Text"),
        ({"title": "T" * 301, "body": "B"}, "title", "300 Zeichen"),
        ({"title": "T", "summary": 1, "body": "B"}, "summary", "Text"),
        ({"title": "T", "body": {"x": 1}}, "body", "Text"),
        ({"title": "T"}, "body", "keinen Text"),
        ({"title": "T", "summary": " ", "body": "\n"}, "body", "keinen Text"),
        ({"title": "T", "body": "B", "autor": "X"}, "autor", "unbekannt"),
        ({"title": "T", "body": "B", "links": "https://a.example/"}, "links", "Liste"),
        ({"title": "T", "body": "B", "links": {"title": "A"}}, "links", "Liste"),
        ({"title": "T", "body": "B", "links": ["https://a.example/"]}, "links[0]", "Objekt"),
        (
            {"title": "T", "body": "B", "links": [{"url": "https://a.example/"}]},
            "links[0].title",
            "title",
        ),
        ({"title": "T", "body": "B", "links": [{"title": "A"}]}, "links[0].url", "url"),
        ({"title": "T", "body": "B", "links": [{"title": "A", "url": 5}]}, "links[0].url", "url"),
        (
            {"title": "T", "body": "B", "links": [{"title": "A", "url": "https://a/", "x": 1}]},
            "links[0].x",
            "unbekannt",
        ),
        (
            {
                "title": "T",
                "body": "B",
                "links": [
                    {"title": "A", "url": "https://a.example/"},
                    {"title": "B", "url": "https://b.example/"},
                    {"title": "C", "url": "javascript:alert(1)"},
                ],
            },
            "links[2].url",
            "http",
        ),
        (
            {"title": "T", "body": "B", "links": [{"title": "A", "url": "/x"}]},
            "links[0].url",
            "http",
        ),
        (
            {"title": "T", "body": "B", "links": [{"title": "A", "url": "https://a b/"}]},
            "links[0].url",
            "http",
        ),
        ({"title": "T", "body": "B", "slug": 5}, "slug", "Text"),
        ({"title": "T", "body": "B", "slug": ""}, "slug", "Slug"),
        ({"title": "T", "body": "B", "slug": "Gross"}, "slug", "Slug"),
        ({"title": "T", "body": "B", "slug": "mit leer"}, "slug", "Slug"),
        ({"title": "T", "body": "B", "slug": "-vorne"}, "slug", "Slug"),
        ({"title": "T", "body": "B", "slug": "doppelt--strich"}, "slug", "Slug"),
        ({"title": "T", "body": "B", "slug": "ä"}, "slug", "Slug"),
        ({"title": "T", "body": "B", "slug": "a" * 81}, "slug", "80"),
        ({"title": "T", "body": "B", "published": "ja"}, "published", "true oder false"),
        ({"title": "T", "body": "B", "published": 1}, "published", "true oder false"),
        ({"title": "T", "body": "B", "published": None}, "published", "true oder false"),
    ],
)
def test_json_errors(obj: object, field: str | None, message_part: str) -> None:
    error = error_of(parse_json, obj)
    assert error.field == field
    assert message_part in error.message


@pytest.mark.parametrize(
    ("data", "field", "message_part"),
    [
        (b"", "file", "leer"),
        (b"{", "file", "kein gültiges JSON (Zeile 1, Spalte 2)"),
        (b'{"title": "T", "body": "\xff"}', "file", "UTF-8"),
        (b'{"title": "T", "title": "U", "body": "B"}', "title", "doppelt"),
        (b"[" * 100_000 + b"]" * 100_000, "file", "JSON"),
        (b"[1, 2]", None, "JSON-Objekt"),
        (b'{"title": "T", "body": "' + b"x" * MAX_BYTES + b'"}', "size", "200 kB"),
    ],
    ids=["empty", "broken", "not-utf8", "duplicate-key", "deep", "array", "too-big"],
)
def test_json_bytes_errors(data: bytes, field: str | None, message_part: str) -> None:
    error = error_of(parse_json_bytes, data)
    assert error.field == field
    assert message_part in error.message


def test_json_bytes_with_bom_and_nul_escape() -> None:
    data = b'\xef\xbb\xbf{"title": "T\\u0000itel", "body": "B"}'
    assert parse_json_bytes(data).title == "Titel"


# --- parse_file ------------------------------------------------------------------------------


JSON_DOC = json.dumps({"title": "Aus JSON", "body": "Text."}).encode()


@pytest.mark.parametrize(
    ("data", "filename", "title"),
    [
        (JSON_DOC, "artikel.json", "Aus JSON"),
        (JSON_DOC, "ARTIKEL.JSON", "Aus JSON"),
        (JSON_DOC, "", "Aus JSON"),
        (JSON_DOC, "upload", "Aus JSON"),
        (b"\xef\xbb\xbf\n  " + JSON_DOC, "", "Aus JSON"),
        (BASIC.encode(), "", "Titel der Meldung"),
        (BASIC.encode(), "artikel.txt", "Titel der Meldung"),
        ("{Klammer} im Titel\nIn Kürze: Text.\n".encode(), "artikel.txt", "{Klammer} im Titel"),
        ("{Klammer} im Titel\nIn Kürze: Text.\n".encode(), "artikel.md", "{Klammer} im Titel"),
    ],
)
def test_parse_file(data: bytes, filename: str, title: str) -> None:
    assert parse_file(data, filename).title == title


def test_parse_file_errors() -> None:
    assert error_of(parse_file, BASIC.encode(), "artikel.json").field == "file"
    assert error_of(parse_file, b"\x00\x01", "bild.png").field == "file"
    assert error_of(parse_file, BASIC.encode(), "a.txt", max_bytes=10).field == "size"


# --- slugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Bahnverkehr: GDL kündigt neuen Warnstreik an",
            "bahnverkehr-gdl-kuendigt-neuen-warnstreik-an",
        ),
        ("Größe & Maß", "groesse-mass"),
        ("Ärger über Öl", "aerger-ueber-oel"),
        ("ÄÖÜ äöü ẞ", "aeoeue-aeoeue-ss"),
        ("Gu\u0308nther", "guenther"),
        ("Café Crème in São Paulo", "cafe-creme-in-sao-paulo"),
        ("Łukasz Søren Ærø", "lukasz-soren-aero"),
        ("  --Hallo--  Welt!!  ", "hallo-welt"),
        ("92,5 % mehr", "92-5-mehr"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert is_valid_slug(slug)


@pytest.mark.parametrize("title", ["🎉🎉", "", "---", "Кириллица", "!!!", "???"])
def test_unsluggable_titles_get_distinct_hashed_slugs(title: str) -> None:
    slug = slugify(title)
    assert slug.startswith("artikel-") and is_valid_slug(slug)
    assert slugify(title) == slug


def test_unsluggable_titles_do_not_collide() -> None:
    assert len({slugify(t) for t in ["🎉🎉", "!!!", "???", "Кириллица"]}) == 4


@pytest.mark.parametrize(
    ("text", "summary", "body"),
    [
        ("T\n*In Kürze:*\nKurz.\n*Hauptartikel:*\nLang.", "Kurz.", "Lang."),
        ("T\n_Hauptartikel_\nLang.", "", "Lang."),
        (
            "T\nIn Kürze: Der Zug fällt aus.\nHauptartikel: Alles dazu.",
            "Der Zug fällt aus.",
            "Alles dazu.",
        ),
    ],
)
def test_more_marker_variants(text: str, summary: str, body: str) -> None:
    article = parse_text(text)
    assert (article.summary, article.body) == (summary, body)


def test_lone_surrogates_in_json_are_refused() -> None:
    with pytest.raises(ArticleError) as info:
        parse_json({"title": "\ud800x", "body": "y"})
    assert info.value.field == "title"
    with pytest.raises(ArticleError) as info:
        parse_json(
            {"title": "T", "body": "y", "links": [{"title": "\udfff", "url": "https://a.de"}]}
        )
    assert info.value.field == "links[0].title"


@pytest.mark.parametrize(
    "data",
    [
        b'{"\\ud800": 1}',
        b'{"title": "T", "\\udfff": 1, "\\udfff": 2}',
        b'{"links": [{"\\ud800": 1}]}',
    ],
)
def test_lone_surrogates_in_json_keys_are_refused_with_a_sentence(data: bytes) -> None:
    # Unknown or duplicate keys are named in the message, which must be writable as UTF-8.
    with pytest.raises(ArticleError) as info:
        parse_json_bytes(data)
    assert info.value.message == "Der Text enthält ungültige Zeichen (UTF-16-Ersatzzeichen)."
    info.value.message.encode("utf-8")


def test_published_is_none_unless_given() -> None:
    assert parse_json({"title": "T", "body": "y"}).published is None
    assert parse_json({"title": "T", "body": "y", "published": False}).published is False


@pytest.mark.parametrize(
    "title",
    [
        "Energiepreise: Bundesnetzagentur erwartet sinkende Gaspreise im Winter und darüber hinaus "
        "noch viel mehr",
        "Wort " * 40,
        "a" * 79 + " b",
        "a" * 80 + " b",
        "a" * 81 + " b",
        "x" * 200,
        "ab " * 27 + "cdefgh",
    ],
)
def test_slugify_long_titles(title: str) -> None:
    slug = slugify(title)
    assert 1 <= len(slug) <= 80
    assert not slug.endswith("-") and not slug.startswith("-")
    assert is_valid_slug(slug)
    full = slugify(title, max_length=10_000)
    assert full.startswith(slug)
    # Cut at a word boundary unless a single word is longer than the limit.
    if "-" in full[:81]:
        assert full == slug or full[len(slug)] == "-"


def test_slugify_word_boundary() -> None:
    assert slugify("Eins zwei drei", max_length=10) == "eins-zwei"
    assert slugify("Eins zwei drei", max_length=9) == "eins-zwei"
    assert slugify("Eins zwei drei", max_length=8) == "eins"
    assert slugify("Donaudampfschiff", max_length=5) == "donau"
    assert slugify("🎉", max_length=3) == "art"
    with pytest.raises(ValueError):
        slugify("x", max_length=0)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_slugs_are_valid(name: str) -> None:
    assert is_valid_slug(slugify(parse_text(sample_bytes(name)).title))
