"""The day's DAISY edition against the DAISY 2.02 specification, read back from its zip.

The rules checked (www.daisy.org/z3986/specifications/daisy_202.html, and the DAISY
Pipeline's RelaxNG/Schematron rules for 2.02): the NCC's required metadata, each exactly once
and correct; the NCC body starts with the book's title as `h1 class="title"`, every heading
links to a `par` that exists; a SMIL file is `body/seq/par+`, each `par` with `endsync="last"`,
a `text` and its audio, every element with an id; every text link resolves to an id in its
content document. And what only this book can promise: every sentence the render spoke is
there once, in order, and its clip is where the render's cues say it is, to the millisecond.
"""

from __future__ import annotations

import hashlib
import itertools
import zipfile
from collections import Counter
from typing import Any

import numpy as np
from lxml import etree
from sqlalchemy import select

from audionews.daisy.model import sentences_from_cues
from audionews.db import db
from audionews.jobs import daisy_job
from audionews.models import Article
from tests.daisy.conftest import Day
from tests.daisy.helpers_daisy import ARTICLES, LONG, NS, RATE, Edition, clock_seconds, npt_seconds

REQUIRED_ONCE = (
    "dc:title",
    "dc:date",
    "dc:format",
    "dc:identifier",
    "dc:publisher",
    "ncc:charset",
    "ncc:generator",
    "ncc:narrator",
    "ncc:totalTime",
    "ncc:files",
    "ncc:depth",
    "ncc:tocItems",
    "ncc:pageFront",
    "ncc:pageNormal",
    "ncc:pageSpecial",
    "ncc:multimediaType",
)
XHTML_PUBLIC = "-//W3C//DTD XHTML 1.0 Transitional//EN"
SMIL_PUBLIC = "-//W3C//DTD SMIL 1.0//EN"


def smil_files(edition: Edition) -> list[str]:
    """Return the SMIL files in the NCC's order."""
    order: list[str] = []
    for heading in edition.headings():
        name = heading.find("x:a", NS).get("href").split("#")[0]  # type: ignore[union-attr]
        if name not in order:
            order.append(name)
    return order


def pars(edition: Edition, smil: str) -> list[dict[str, Any]]:
    """Return every par of `smil` with its ids, its text link and its clip."""
    root = edition.xml(smil).getroot()
    (seq,) = root.findall("body/seq")
    found = []
    for par in seq:
        assert par.tag == "par" and par.get("endsync") == "last", etree.tostring(par)
        (text,) = par.findall("text")
        (audio,) = par.findall("seq/audio")
        found.append(
            {
                "id": par.get("id"),
                "text_id": text.get("id"),
                "src": text.get("src"),
                "audio_id": audio.get("id"),
                "audio": audio.get("src"),
                "begin": npt_seconds(audio.get("clip-begin")),
                "end": npt_seconds(audio.get("clip-end")),
            }
        )
    return found


def text_of(edition: Edition, link: str) -> str:
    name, fragment = link.split("#")
    element = edition.xml(name).getroot().find(f".//*[@id='{fragment}']")
    assert element is not None, link
    return "".join(element.itertext())


def durations(built: Day) -> dict[str, float]:
    """Return the decoded length of every MP3 in the book, in seconds."""
    return {
        name: len(built.edition.decoded(name, built.folder)) / RATE
        for name in built.edition.names
        if name.endswith(".mp3")
    }


def test_the_ncc_carries_the_metadata_daisy_202_requires(built: Day) -> None:
    edition = built.edition
    names = [m.get("name") for m in edition.ncc.iterfind(".//x:meta[@name]", NS)]
    counts = Counter(names)
    for name in REQUIRED_ONCE:
        assert counts[name] == 1, name
    assert counts["dc:creator"] >= 1 and counts["dc:language"] >= 1
    assert edition.one("dc:format") == "Daisy 2.02"
    assert edition.one("dc:language") == "de"
    assert edition.one("ncc:charset") == "utf-8"
    assert edition.one("ncc:multimediaType") == "audioFullText"
    assert edition.one("dc:date") == built.day.isoformat()
    assert edition.one("dc:identifier").startswith("urn:uuid:")
    assert edition.one("ncc:generator").startswith("audionews")
    assert "eSpeak" in edition.one("ncc:narrator")
    for name in ("ncc:pageFront", "ncc:pageNormal", "ncc:pageSpecial"):
        assert edition.one(name) == "0"
    title = edition.ncc.findtext("x:head/x:title", namespaces=NS)
    assert title == edition.one("dc:title") == daisy_job.edition_title(built.day)
    assert title.startswith("Die Nachrichten vom ") and title.endswith(f" {built.day.year}")
    # ncc:files counts every file of the book, the NCC too; all are in the archive.
    assert int(edition.one("ncc:files")) == len(edition.names) == 1 + 3 * 4
    headings = edition.headings()
    assert int(edition.one("ncc:tocItems")) == len(headings) == 1 + 3 + 2 + 3
    assert int(edition.one("ncc:depth")) == max(int(h.tag[-1]) for h in headings) == 2
    assert built.row.toc_items == len(headings) and built.row.files == len(edition.names)


def test_total_time_is_the_sum_of_the_audio(built: Day) -> None:
    edition = built.edition
    lengths = durations(built)
    total = sum(lengths.values())
    assert clock_seconds(edition.one("ncc:totalTime")) == round(total)
    assert abs(built.row.duration - total) < 0.005
    elapsed = 0.0
    for smil in smil_files(edition):
        root = edition.xml(smil).getroot()
        (seq,) = root.findall("body/seq")
        dur = float(seq.get("dur", "").removesuffix("s"))
        audio = {par["audio"] for par in pars(edition, smil)}
        (mp3,) = audio
        # The time in a SMIL file is its whole MP3 (to the millisecond, rounded down).
        assert lengths[mp3] - 0.001 <= dur <= lengths[mp3]
        meta = {m.get("name"): m.get("content") for m in root.iterfind("head/meta")}
        assert clock_seconds(meta["ncc:timeInThisSmil"]) == round(dur)
        assert clock_seconds(meta["ncc:totalElapsedTime"]) == round(elapsed)
        elapsed += dur


def test_documents_are_xhtml_10_and_smil_10(built: Day) -> None:
    edition = built.edition
    for name in edition.names:
        if name.endswith(".mp3"):
            continue
        tree = edition.xml(name)
        raw = edition.raw(name)
        assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
        doctype = raw.split(b"\n")[1].decode()
        if name.endswith(".html"):
            assert f'PUBLIC "{XHTML_PUBLIC}"' in doctype, name
            assert tree.getroot().tag == "{http://www.w3.org/1999/xhtml}html"
            assert tree.getroot().get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
        else:
            assert f'PUBLIC "{SMIL_PUBLIC}"' in doctype, name
            root = tree.getroot()
            assert root.tag == "smil"
            metas = [m.get("name") for m in root.iterfind("head/meta")]
            assert metas.count("dc:format") == 1
            assert root.find("head/layout/region").get("id")  # type: ignore[union-attr]
    ids = Counter(
        element.get("id")
        for name in edition.names
        if not name.endswith(".mp3")
        for element in edition.xml(name).iter()
        if element.get("id") and element.tag != "region"  # every SMIL's layout: "txtView"
    )
    assert ids and max(ids.values()) == 1  # unique in the whole book


def test_the_ncc_starts_with_the_title_then_each_article_in_the_editions_order(
    built: Day,
) -> None:
    edition = built.edition
    headings = edition.headings()
    first = headings[0]
    assert first.tag == "{http://www.w3.org/1999/xhtml}h1" and first.get("class") == "title"
    labels = [(h.tag[-2:], h.findtext("x:a", namespaces=NS)) for h in headings]
    by_slug = {slug: data for slug, data in zip(built.slugs, reversed(ARTICLES), strict=True)}
    expected = [("h1", edition.one("dc:title"))]
    for slug in built.slugs:
        data = by_slug[slug]
        expected.append(("h1", data["title"]))
        expected.append(("h2", "In Kürze"))
        if data["body"]:
            expected.append(("h2", "Hauptartikel"))
    assert labels == expected
    # Newest first, as the briefing: the last article saved comes first.
    assert [label for tag, label in labels[1:] if tag == "h1"] == [
        a["title"] for a in reversed(ARTICLES)
    ]
    for heading in headings:
        assert heading.get("id")
        (link,) = heading.findall("x:a", NS)
        smil, fragment = link.get("href", "").split("#")
        par = edition.xml(smil).getroot().find(f"body/seq/par[@id='{fragment}']")
        assert par is not None, link.get("href")
        (text,) = par.findall("text")
        said = text_of(edition, text.get("src", ""))
        label = link.text
        if label == "In Kürze":
            assert any(a["summary"].startswith(said) for a in ARTICLES)
        elif label == "Hauptartikel":
            assert any(a["body"].startswith(said) for a in ARTICLES)
        else:
            assert said == label  # a title's par speaks the title


def test_every_par_links_its_sentence_and_every_sentence_is_there_once(built: Day) -> None:
    edition = built.edition
    files = smil_files(edition)
    assert files[0] == "titel.smil"
    for smil, slug in zip(files[1:], built.slugs, strict=True):
        spoken = [s.text for s in sentences_from_cues(built.renditions[slug].cues)]
        found = pars(edition, smil)
        texts = [text_of(edition, par["src"]) for par in found]
        assert texts == spoken
        assert LONG not in spoken or texts.count(LONG) == 1  # one par for its pieces
    opening = pars(edition, "titel.smil")
    assert [text_of(edition, p["src"]) for p in opening] == [edition.one("dc:title")]


def test_clips_are_in_order_without_gaps_or_overlaps_and_end_within_their_mp3(
    built: Day,
) -> None:
    edition = built.edition
    lengths = durations(built)
    for smil in smil_files(edition):
        found = pars(edition, smil)
        (mp3,) = {par["audio"] for par in found}
        assert found[0]["begin"] == 0.0
        for before, after in itertools.pairwise(found):
            assert before["begin"] < before["end"] == after["begin"]  # in order, no overlap
        assert found[-1]["begin"] < found[-1]["end"] <= lengths[mp3]
        assert lengths[mp3] - found[-1]["end"] < 0.001  # the whole file is in the book


def _db(window: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(window**2))) if len(window) else 0.0
    return 20 * np.log10(max(rms, 1e-9))


def test_each_clip_is_its_sentence_where_the_cues_say(built: Day) -> None:
    """Speech inside the sentence's cue times, silence around them and at the clip's ends."""
    edition = built.edition
    ms = RATE // 1000  # for window lengths only; positions are round(seconds * RATE)
    for smil, slug in zip(smil_files(edition)[1:], built.slugs, strict=True):
        sentences = sentences_from_cues(built.renditions[slug].cues)
        found = pars(edition, smil)
        audio = edition.decoded(found[0]["audio"], built.folder)
        for number, (sentence, par) in enumerate(zip(sentences, found, strict=True)):
            start, end = round(sentence.start * 1000), round(sentence.end * 1000)
            # The clip's ends are the middles of the pauses around the sentence: exact.
            if number:
                previous = round(sentences[number - 1].end * 1000)
                assert round(par["begin"] * 1000) == (previous + start) // 2
            if number + 1 < len(sentences):
                following = round(sentences[number + 1].start * 1000)
                assert round(par["end"] * 1000) == (end + following) // 2
            assert par["begin"] * 1000 <= start < end <= par["end"] * 1000 + 1
            a, b = round(sentence.start * RATE), round(sentence.end * RATE)
            assert _db(audio[a : a + 60 * ms]) > -45, (slug, sentence.text)  # its onset
            loudest = max(_db(audio[i : i + 20 * ms]) for i in range(a, b - 20 * ms, 10 * ms))
            assert loudest > -30, (slug, sentence.text)
            if a > 40 * ms:
                assert _db(audio[a - 40 * ms : a - 2 * ms]) < -55, (slug, sentence.text)
            assert _db(audio[b + 2 * ms : b + 40 * ms]) < -50, (slug, sentence.text)
            # Silence where one clip hands over to the next: no word is cut.
            cut = round(par["end"] * RATE)
            if number + 1 < len(sentences):
                assert _db(audio[cut - 20 * ms : cut + 20 * ms]) < -50, (slug, sentence.text)


def test_the_mp3s_are_the_published_ones_stored_as_they_are(built: Day) -> None:
    edition = built.edition
    assert edition.names[0] == "ncc.html"
    for number, slug in enumerate(built.slugs, start=1):
        published = built.path(built.renditions[slug].files["episode"]).read_bytes()
        name = f"a{number:03d}.mp3"
        assert hashlib.sha256(edition.raw(name)).digest() == hashlib.sha256(published).digest()
        assert edition.infos[name].compress_type == zipfile.ZIP_STORED
    for name in edition.names:
        if not name.endswith(".mp3"):
            assert edition.infos[name].compress_type == zipfile.ZIP_DEFLATED


def test_the_text_documents_hold_the_text_in_paragraphs_and_the_links(built: Day) -> None:
    edition = built.edition
    number = built.slugs.index("bahnstreik-legt-den-verkehr-lahm") + 1
    root = edition.xml(f"a{number:03d}.html").getroot()
    body = root.find("x:body", NS)
    assert body is not None
    outline = [(child.tag.split("}")[1], "".join(child.itertext()).strip()) for child in body]
    first, second = ARTICLES[0]["body"].split("\n\n")
    assert outline == [
        ("h1", "Bahnstreik legt den Verkehr lahm"),
        ("h2", "In Kürze"),
        ("p", ARTICLES[0]["summary"]),
        ("h2", "Hauptartikel"),
        ("p", first),
        ("p", second),
        ("h2", "Mehr Wissen"),
        ("ul", "Fahrplan & Auskunft"),
    ]
    (link,) = body.iterfind(".//x:a", NS)
    assert link.get("href") == "https://example.org/?a=1&b=2"
    spans = body.findall(".//x:span[@id]", NS)
    assert [span.text for span in spans][-2:] == [LONG, "Die Bahn bietet Busse an."]
    other = edition.xml(f"a{built.slugs.index('preise-sinken-deutlich') + 1:03d}.html")
    assert other.findtext("x:body/x:h1/x:span", namespaces=NS) == "Preise <sinken> deutlich"


def test_an_articles_own_book_is_that_article_alone(built: Day) -> None:
    slug = "bahnstreik-legt-den-verkehr-lahm"
    with built.app.test_request_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        assert article is not None
        row = daisy_job.current_article(article.id)
        assert row is not None and row.key == daisy_job.article_key(
            article,
            article.current_rendition(),  # type: ignore[arg-type]
        )
        book = Edition(built.path(row.file).read_bytes())
    assert book.names == ["ncc.html", "a001.smil", "a001.html", "a001.mp3"]
    assert int(book.one("ncc:files")) == 4
    headings = book.headings()
    assert [h.findtext("x:a", namespaces=NS) for h in headings] == [
        ARTICLES[0]["title"],
        "In Kürze",
        "Hauptartikel",
    ]
    assert headings[0].get("class") == "title" and book.one("dc:title") == ARTICLES[0]["title"]
    number = built.slugs.index(slug) + 1
    assert book.raw("a001.mp3") == built.edition.raw(f"a{number:03d}.mp3")
    ours = [(p["begin"], p["end"]) for p in pars(book, "a001.smil")]
    theirs = [(p["begin"], p["end"]) for p in pars(built.edition, f"a{number:03d}.smil")]
    assert ours == theirs
