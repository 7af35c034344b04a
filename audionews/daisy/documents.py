"""The XML of a DAISY 2.02 book: the NCC, one SMIL 1.0 file and one text document per part.

DAISY 2.02 (www.daisy.org/z3986/specifications/daisy_202.html) in the form players expect:

- `ncc.html`, XHTML 1.0: the metadata the specification requires, then one heading per
  navigation point, each a link to a `par` in a SMIL file. The first is the book's title
  (`h1 class="title"`); an article is an `h1`, its „In Kürze“ and „Hauptartikel“ are `h2`.
- `<stem>.smil`, SMIL 1.0: one `par` per sentence with the sentence in the text document
  (`text`) and its clip in the part's MP3 (`audio` in a `seq`, `clip-begin`/`clip-end` as
  `npt=…s`), and the time before it in the book (`ncc:totalElapsedTime`).
- `<stem>.html`, XHTML 1.0: the part's text, every sentence a `span` with an id, so players
  that show text can highlight it; „Mehr Wissen“ as links, text only.

Built with lxml, so any article text gives well-formed XML. Ids are unique in the whole book
(they start with the part's stem): some players look a link's fragment up in any file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

from ..render.transcripts import clean_text
from .model import LINKS_LABEL, SECTION_LABELS, Book, Clip, Part, Sentence

XHTML = "http://www.w3.org/1999/xhtml"
XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
SMIL_DOCTYPE = (
    '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" "http://www.w3.org/TR/REC-smil/SMIL10.dtd">'
)
FORMAT = "Daisy 2.02"
CHARSET = "utf-8"
NCC = "ncc.html"
MULTIMEDIA_TYPE = "audioFullText"  # audio with the whole text synchronized

H = ElementMaker(namespace=XHTML, nsmap={None: XHTML})
S = ElementMaker()


@dataclass(frozen=True)
class Heading:
    """One navigation point of the NCC."""

    level: int
    text: str
    part: Part
    par: int  # index of the sentence (and par) it starts at
    title: bool = False  # the book's title: h1 class="title"


def smil_name(part: Part) -> str:
    return f"{part.stem}.smil"


def text_name(part: Part) -> str:
    return f"{part.stem}.html"


def audio_name(part: Part) -> str:
    return f"{part.stem}.mp3"


def file_names(book: Book) -> list[str]:
    """Return every file of `book` in the order of the archive, the NCC first."""
    names = [NCC]
    for part in book.all_parts:
        names += [smil_name(part), text_name(part), audio_name(part)]
    return names


def par_id(part: Part, number: int) -> str:
    return f"{part.stem}p{number + 1}"


def sentence_id(part: Part, number: int) -> str:
    return f"{part.stem}s{number + 1}"


def headings(book: Book) -> list[Heading]:
    """Return the navigation points of `book` in reading order."""
    found: list[Heading] = []
    if book.opening is not None:
        found.append(Heading(1, book.title, book.opening, 0, title=True))
    for part in book.parts:
        found.append(Heading(1, part.heading, part, 0, title=not found))
        for section, label in SECTION_LABELS.items():
            first = next((n for n, s in enumerate(part.sentences) if s.section == section), None)
            if first is not None:
                found.append(Heading(2, label, part, first))
    return found


def clock(milliseconds: int) -> str:
    """Return a SMIL clock value "hh:mm:ss", rounded to the second (DAISY's recommended form)."""
    seconds = round(milliseconds / 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def npt(milliseconds: int) -> str:
    """Return a clip time as DAISY 2.02 writes it: "npt=12.345s"."""
    return f"npt={milliseconds // 1000}.{milliseconds % 1000:03d}s"


def _document(root: etree._Element, doctype: str, *, pretty: bool = False) -> bytes:
    """Serialize `root` as UTF-8 that is plain ASCII: other characters as references (&#228;).

    Players that guess a file's encoding instead of reading its declaration (the DAISY 2.02
    default was ISO-8859-1) still read every umlaut right.
    """
    text = etree.tostring(
        etree.ElementTree(root), encoding="us-ascii", doctype=doctype, pretty_print=pretty
    )
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + text


def _lines(*blocks: etree._Element) -> None:
    """Put each child of `blocks` on a line of its own, leaving text inside them untouched.

    (lxml's pretty printing would indent inside a heading, before its link: whitespace some
    players would read as part of the label.)
    """
    for block in blocks:
        block.text = "\n"
        for child in block:
            child.tail = "\n"


def _meta(name: str, content: str | int, scheme: str | None = None) -> etree._Element:
    attributes = {"name": name, "content": clean_text(str(content))}
    if scheme:
        attributes["scheme"] = scheme
    return H.meta(**attributes)


def _content_type() -> etree._Element:
    return H.meta(**{"http-equiv": "Content-type", "content": f"text/html; charset={CHARSET}"})


def ncc(book: Book) -> bytes:
    """Return the Navigation Control Center of `book`."""
    points = headings(book)
    depth = max(point.level for point in points)
    head = H.head(
        _content_type(),
        H.title(clean_text(book.title)),
        _meta("dc:title", book.title),
        _meta("dc:creator", book.publisher),
        _meta("dc:publisher", book.publisher),
        _meta("dc:date", book.date.isoformat(), "yyyy-mm-dd"),
        _meta("dc:format", FORMAT),
        _meta("dc:identifier", book.identifier),
        _meta("dc:language", book.language, "ISO 639"),
        _meta("ncc:charset", CHARSET),
        _meta("ncc:generator", book.generator),
        _meta("ncc:narrator", book.narrator),
        _meta("ncc:totalTime", clock(book.duration_ms), "hh:mm:ss"),
        _meta("ncc:files", len(file_names(book))),
        _meta("ncc:depth", depth),
        _meta("ncc:tocItems", len(points)),
        _meta("ncc:pageFront", 0),
        _meta("ncc:pageNormal", 0),
        _meta("ncc:pageSpecial", 0),
        _meta("ncc:maxPageNormal", 0),
        _meta("ncc:multimediaType", MULTIMEDIA_TYPE),
    )
    body = H.body()
    for number, point in enumerate(points, start=1):
        link = H.a(
            clean_text(point.text), href=f"{smil_name(point.part)}#{par_id(point.part, point.par)}"
        )
        heading = H(f"h{point.level}", link, id=f"n{number}")
        if point.title:
            heading.set("class", "title")
        body.append(heading)
    root = H.html(head, body, lang=book.language, **{_xml_lang(): book.language})
    _lines(root, head, body)
    return _document(root, XHTML_DOCTYPE)


def _xml_lang() -> str:
    return "{http://www.w3.org/XML/1998/namespace}lang"


def smil(book: Book, part: Part, elapsed_ms: int) -> bytes:
    """Return the SMIL file of `part`; `elapsed_ms` is the book's time before it."""
    clips = part.clips()
    seq = S.seq(dur=f"{npt(part.duration_ms)[4:]}")
    for number, clip in enumerate(clips):
        seq.append(_par(part, number, clip))
    head = S.head(
        S.meta(name="dc:format", content=FORMAT),
        S.meta(name="dc:title", content=clean_text(part.heading)),
        S.meta(name="dc:identifier", content=clean_text(book.identifier)),
        S.meta(name="ncc:generator", content=clean_text(book.generator)),
        S.meta(name="ncc:timeInThisSmil", content=clock(part.duration_ms)),
        S.meta(name="ncc:totalElapsedTime", content=clock(elapsed_ms)),
        S.meta(name="title", content=clean_text(part.heading)),
        S.layout(S.region(id="txtView")),
    )
    # No text in SMIL: indenting changes nothing a player reads.
    return _document(S.smil(head, S.body(seq)), SMIL_DOCTYPE, pretty=True)


def _par(part: Part, number: int, clip: Clip) -> etree._Element:
    stem, n = part.stem, number + 1
    return S.par(
        S.text(src=f"{text_name(part)}#{sentence_id(part, number)}", id=f"{stem}t{n}"),
        S.seq(
            S.audio(
                src=audio_name(part),
                **{"clip-begin": npt(clip.begin_ms), "clip-end": npt(clip.end_ms)},
                id=f"{stem}c{n}",
            )
        ),
        endsync="last",
        id=par_id(part, number),
    )


def _paragraphs(part: Part, section: str) -> Iterator[list[tuple[int, Sentence]]]:
    """Yield the sentences of `section` grouped by paragraph, with their numbers in `part`."""
    group: list[tuple[int, Sentence]] = []
    for number, sentence in enumerate(part.sentences):
        if sentence.section != section:
            continue
        if group and group[-1][1].paragraph != sentence.paragraph:
            yield group
            group = []
        group.append((number, sentence))
    if group:
        yield group


def _spans(part: Part, sentences: list[tuple[int, Sentence]]) -> list[etree._Element]:
    spans = []
    for position, (number, sentence) in enumerate(sentences):
        span = H.span(sentence.text, id=sentence_id(part, number))
        if position + 1 < len(sentences):
            span.tail = " "
        spans.append(span)
    return spans


def content(book: Book, part: Part) -> bytes:
    """Return the text document of `part`: every sentence of its SMIL file, with its id."""
    body = H.body()
    titles = [s for group in _paragraphs(part, "title") for s in group]
    if titles:
        body.append(H.h1(*_spans(part, titles)))
    elif part is book.opening or not part.sentences:
        body.append(H.h1(clean_text(part.heading)))
    for section, label in SECTION_LABELS.items():
        groups = list(_paragraphs(part, section))
        if not groups:
            continue
        body.append(H.h2(label))
        for group in groups:
            body.append(H.p(*_spans(part, group)))
    if part.links:
        body.append(H.h2(LINKS_LABEL))
        body.append(H.ul(*(H.li(H.a(clean_text(t), href=url)) for t, url in part.links)))
    head = H.head(
        _content_type(),
        H.title(clean_text(part.heading)),
        _meta("dc:title", part.heading),
        _meta("dc:identifier", book.identifier),
        _meta("dc:format", FORMAT),
        _meta("ncc:generator", book.generator),
    )
    root = H.html(head, body, lang=book.language, **{_xml_lang(): book.language})
    _lines(root, head, body, *body.iterfind(f"{{{XHTML}}}ul"))
    return _document(root, XHTML_DOCTYPE)
