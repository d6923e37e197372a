"""`carnets export tei`: TEI P5 per entry, and a round trip through `carnets ingest`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF
from test_ingest import edition

from carnets.cli import cli
from carnets.config import Settings
from carnets.ingest.run import ingest
from carnets.ingest.sources import read_document
from carnets.loading import read_graphs
from carnets.namespaces import CN, OA, SCHEMA

TEI = "{http://www.tei-c.org/ns/1.0}"


def entries_and_mentions(data: Path) -> tuple[dict, set]:
    graph: Graph = read_graphs([data / "texts.ttl", data / "mentions.ttl"])
    entries = {
        str(e): (
            graph.value(e, SCHEMA.text),
            graph.value(e, SCHEMA.dateCreated),
            graph.value(e, SCHEMA.position),
            graph.value(e, SCHEMA.inLanguage),
        )
        for e in graph.subjects(RDF.type, CN.Entry)
    }
    mentions = {
        (str(m), graph.value(m, OA.hasBody))
        for m in graph.subjects(RDF.type, CN.Mention)
        if str(m).split("#")[0] in entries
    }
    return entries, mentions


def test_export_writes_tei_with_refs(shipped: Settings, tmp_path: Path):
    result = CliRunner().invoke(cli, ["export", "tei", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = ET.parse(tmp_path / "1944-11-05.xml").getroot()
    div = document.find(f".//{TEI}div[@type='entry']")
    assert div.find(f".//{TEI}date").get("when") == "1944-11-05"
    refs = {e.get("ref"): e.tag for e in div.iter() if e.get("ref")}
    assert refs[shipped.base + "person/max-jacob"] == f"{TEI}persName"
    assert refs[shipped.base + "place/pyrenees"] == f"{TEI}placeName"


def test_tei_refs_become_mentions(shipped: Settings, tmp_path: Path):
    CliRunner().invoke(cli, ["export", "tei", "--output", str(tmp_path)])
    source = (tmp_path / "1944-11-05.xml").read_text("utf-8")
    (section,) = read_document("x.xml", source, shipped.base)
    named = {section.text[s:e]: str(r) for s, e, r in section.refs}
    assert named["Max Jacob"] == shipped.base + "person/max-jacob"


def test_round_trip_gives_the_same_entries_and_mentions(shipped: Settings, tmp_path: Path):
    exported = tmp_path / "tei"
    CliRunner().invoke(cli, ["export", "tei", "--output", str(exported)])
    settings = edition(shipped, tmp_path / "edition", sources=False)
    ingest(settings, sorted(exported.glob("*.xml")))
    assert entries_and_mentions(settings.data_dir) == entries_and_mentions(shipped.data_dir)
