"""TEI P5 in and out: entries as `<div type="entry">`, mentions as elements whose @ref is a URI.

Reading takes the date from `<date when|notBefore|notAfter>` and the text from the div's
`<p>`/`<ab>` (paragraphs joined by a blank line; white space kept under
`xml:space="preserve"`, collapsed otherwise), and keeps the offsets of every `persName`,
`placeName`, `orgName`, `title` or `rs` with a @ref. Writing does the reverse, so that an
exported entry read back gives the same text, date and mentions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from carnets.config import Settings
from carnets.dates import DateError, edtf_bounds
from carnets.errors import DataFileError
from carnets.files import write_atomically
from carnets.ingest.texts import EntryDate, Section, entry_titles, guess_language
from carnets.loading import EditionFiles, read_graphs
from carnets.namespaces import CN, OA, SCHEMA

TEI = "http://www.tei-c.org/ns/1.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NAMING = ("persName", "placeName", "orgName", "title", "rs", "name")
PARAGRAPHS = ("p", "ab")
# The element that marks a mention of each class, and the @type of an rs.
ELEMENTS = {
    CN.Person: ("persName", None),
    CN.Place: ("placeName", None),
    CN.Work: ("title", None),
    CN.Event: ("rs", "event"),
    CN.Organization: ("rs", "organization"),
}


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _tei_date(div: ET.Element) -> tuple[str, str] | None:
    """The EDTF value of the entry's first <date>, and its words."""
    for element in div.iter():
        if _local(element.tag) != "date":
            continue
        words = " ".join("".join(element.itertext()).split())
        when = element.get("when")
        before, after = element.get("notBefore"), element.get("notAfter")
        if when:
            return when, words or when
        if before and after:
            return f"{before}/{after}", words or f"{before}/{after}"
        if before or after:
            return f"{before or ''}/{after or ''}", words
    return None


class _Text:
    """The text of one entry being read, with the stretches its @ref elements cover."""

    def __init__(self, base: str) -> None:
        self.text = ""
        self.refs: list[tuple[int, int, URIRef]] = []
        self.base = base

    def add(self, chunk: str | None, preserve: bool) -> None:
        if not chunk:
            return
        if not preserve:
            chunk = re.sub(r"\s+", " ", chunk)
            if chunk.startswith(" ") and (not self.text or self.text.endswith((" ", "\n"))):
                chunk = chunk[1:]
        self.text += chunk

    def walk(self, element: ET.Element, preserve: bool) -> None:
        preserve = element.get(XML_SPACE, "preserve" if preserve else "default") == "preserve"
        start = len(self.text)
        self.add(element.text, preserve)
        for child in element:
            self.walk(child, preserve)
            self.add(child.tail, preserve)
        ref = element.get("ref")
        if ref and _local(element.tag) in NAMING and len(self.text) > start:
            uri = URIRef(ref if re.match(r"^[a-z][a-z0-9+.-]*:", ref) else self.base + ref)
            self.refs.append((start, len(self.text), uri))

    def paragraph(self, element: ET.Element, preserve: bool) -> None:
        if self.text:
            self.text += "\n\n"
        first = len(self.text)
        self.walk(element, preserve)
        kept = self.text[first:]
        lead = 0 if preserve else len(kept) - len(kept.lstrip())
        self.text = self.text[:first] + (kept if preserve else kept.strip())
        end = len(self.text)
        self.refs = [
            (max(first, s - lead), min(end, e - lead), r) if s >= first else (s, e, r)
            for s, e, r in self.refs
        ]


def read_tei(source: str, name: str, base: str) -> list[Section]:
    """The entries of a TEI document; a date that is missing or not a day is an error."""
    try:
        root = ET.fromstring(source)
    except ET.ParseError as error:
        raise DataFileError(name, f"not well-formed XML: {error}", error.position[0]) from error
    sections = []
    lines = _div_lines(source)
    divs = [d for d in root.iter() if _local(d.tag) == "div" and d.get("type") == "entry"]
    for number, div in enumerate(divs):
        line = lines[number] if number < len(lines) else 0
        found = _tei_date(div)
        if found is None:
            raise DataFileError(name, "an entry <div> has no <date when|notBefore|notAfter>", line)
        value, words = found
        try:
            bounds = edtf_bounds(value)
        except DateError as error:
            raise DataFileError(name, str(error), line) from error
        preserve = "preserve" in (root.get(XML_SPACE), div.get(XML_SPACE))
        text = _Text(base)
        for element in div.iter():
            if _local(element.tag) in PARAGRAPHS:
                text.paragraph(element, preserve)
        if not text.text:
            raise DataFileError(name, f'the entry "{words}" has no text', line)
        exact = bounds.earliest == bounds.latest and value[-1].isdigit()
        when = EntryDate(value, bounds.earliest, "", exact)
        en, fr = entry_titles(when, words or value)
        language = div.get(XML_LANG) or root.get(XML_LANG) or guess_language(text.text)
        sections.append(
            Section(
                f"entry/{bounds.earliest.isoformat()}",
                text.text,
                en,
                fr,
                bounds.earliest,
                language.split("-")[0],
                None if exact else value,
                tuple(text.refs),
                line,
            )
        )
    if not sections:
        raise DataFileError(name, 'no <div type="entry"> found')
    return sections


def _div_lines(source: str) -> list[int]:
    return [source.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<div\b[^>]*entry", source)]


# ------------------------------------------------------------------ writing


def entry_tei(graph: Graph, entry: URIRef) -> str:
    """One entry as a TEI P5 document, its mentions marked where they nest."""
    text = str(graph.value(entry, SCHEMA.text))
    language = graph.value(entry, SCHEMA.text).language or "en"
    edtf = graph.value(entry, CN.edtf)
    day = str(graph.value(entry, SCHEMA.dateCreated))
    labels = [label for label in graph.objects(entry, SKOS.prefLabel) if label.language == "en"]
    title = str(labels[0]) if labels else str(entry)
    if edtf is None:
        date = f'<date when="{day}">{_escape(title.removeprefix("Entry of "))}</date>'
    elif "/" in str(edtf):
        before, after = str(edtf).split("/")
        date = f'<date notBefore="{before}" notAfter="{after}">{_escape(str(edtf))}</date>'
    else:
        date = f'<date when="{edtf}">{_escape(str(edtf))}</date>'
    spans = _mentions(graph, entry)
    paragraphs, offset = [], 0
    for chunk in text.split("\n\n"):
        inside = [s for s in spans if offset <= s[0] and s[1] <= offset + len(chunk)]
        paragraphs.append(f"<p>{_marked(chunk, offset, inside)}</p>")
        offset += len(chunk) + 2
    body = "\n        ".join(paragraphs)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="{TEI}" xml:lang="{language}">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>{_escape(title)}</title></titleStmt>
      <publicationStmt><p>Exported by Carnets from {_escape(str(entry))}</p></publicationStmt>
      <sourceDesc><p>{_escape(str(graph.value(entry, DCTERMS.rights) or ""))}</p></sourceDesc>
    </fileDesc>
  </teiHeader>
  <text>
    <body>
      <div type="entry" xml:id="{_xml_id(entry)}" xml:space="preserve"><head>{date}</head>
        {body}
      </div>
    </body>
  </text>
</TEI>
"""


def _xml_id(entry: URIRef) -> str:
    return "entry-" + str(entry).rsplit("/", 1)[-1]


def _mentions(graph: Graph, entry: URIRef) -> list[tuple[int, int, str, str | None, URIRef]]:
    """Non-overlapping-or-nested spans (start, end, element, type, resource), outermost first."""
    found = []
    for target in graph.subjects(OA.hasSource, entry):
        for mention in graph.subjects(OA.hasTarget, target):
            body = graph.value(mention, OA.hasBody)
            start = end = None
            for selector in graph.objects(target, OA.hasSelector):
                if (selector, RDF.type, OA.TextPositionSelector) in graph:
                    start = int(graph.value(selector, OA.start))
                    end = int(graph.value(selector, OA.end))
            kinds = [ELEMENTS[c] for c in graph.objects(body, RDF.type) if c in ELEMENTS]
            element, kind = kinds[0] if kinds else ("rs", None)
            found.append((start, end, element, kind, body))
    found.sort(key=lambda s: (s[0], -s[1], str(s[4])))
    kept: list[tuple[int, int, str, str | None, URIRef]] = []
    for span in found:
        if all(
            span[1] <= k[0] or span[0] >= k[1] or (k[0] <= span[0] and span[1] <= k[1])
            for k in kept
        ):
            kept.append(span)  # a span that crosses another's edge cannot be marked in XML
    return kept


def _marked(chunk: str, offset: int, spans: list) -> str:
    out, position = [], offset
    open_ends: list[tuple[int, str]] = []
    events = sorted(spans, key=lambda s: (s[0], -s[1]))
    for start, end, element, kind, body in events:
        while open_ends and open_ends[-1][0] <= start:
            close_at, tag = open_ends.pop()
            out.append(_escape(chunk[position - offset : close_at - offset]) + f"</{tag}>")
            position = close_at
        out.append(_escape(chunk[position - offset : start - offset]))
        kind_attr = f' type="{kind}"' if kind else ""
        out.append(f'<{element}{kind_attr} ref="{_escape(str(body))}">')
        position = start
        open_ends.append((end, element))
    while open_ends:
        close_at, tag = open_ends.pop()
        out.append(_escape(chunk[position - offset : close_at - offset]) + f"</{tag}>")
        position = close_at
    out.append(_escape(chunk[position - offset :]))
    return "".join(out)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def export_tei(settings: Settings, output: Path) -> list[Path]:
    """Write every entry of the edition as TEI P5 into output, one file per entry."""
    files = EditionFiles.find(settings)
    graph = read_graphs(files.edition)
    written = []
    for entry in sorted(graph.subjects(RDF.type, CN.Entry), key=str):
        if not isinstance(graph.value(entry, SCHEMA.text), Literal):
            continue
        path = output / f"{str(entry).rsplit('/', 1)[-1]}.xml"
        write_atomically(path, entry_tei(graph, entry))
        written.append(path)
    return written
