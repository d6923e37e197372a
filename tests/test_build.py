"""The generated files are what the build makes of the source text and the curated files."""

from datetime import date
from pathlib import Path

from rdflib import URIRef
from rdflib.compare import isomorphic

from carnets.build import build_edition, generate, split_source
from carnets.config import Settings
from carnets.loading import read_graphs
from carnets.namespaces import OWL, WD


def test_committed_generated_files_are_up_to_date(shipped: Settings):
    assert build_edition(shipped, write=False) == []


def test_the_source_has_five_entries_and_five_editorial_texts(shipped: Settings):
    source = (shipped.data_dir / "source/serge-notebooks-1944-excerpt.txt").read_text("utf-8")
    sections = split_source(source, shipped.edition.editorial)
    entries = [s for s in sections if s.day]
    assert [s.day for s in entries] == [
        date(1944, 8, 9),
        date(1944, 8, 10),
        date(1944, 9, 10),
        date(1944, 10, 2),
        date(1944, 11, 5),
    ]
    assert entries[0].text.startswith("Read today:")
    assert entries[-1].text.endswith(
        "Death of old Maillol in an auto accident on a road in the Pyrenees. Suspicious."
    )
    assert entries[2].text.startswith("Herbert Lenhoff, seeing me at work on the novel")
    notes = {s.path: s.text for s in sections if not s.day}
    assert notes["note/biography"].startswith("Victor Serge (1890–1947) was born")
    assert notes["note/translation-credit"] == (
        "—Translated from the French by Mitchell Abidor and Richard Greeman"
    )
    assert "Greeman is the author of the website" in notes["note/translators"]
    # every character of the entries is in exactly one section
    assert sum(len(s.text) for s in entries) < len(source)


def test_links_come_only_from_the_verified_list(shipped: Settings):
    links = generate(shipped, today=date(2026, 1, 1))["links.ttl"]
    items = set(links.objects(None, OWL.sameAs))
    verified = (shipped.data_dir / "source/wikidata-verified.tsv").read_text("utf-8")
    assert items and all(str(item).removeprefix(str(WD)) in verified for item in items)
    # Q148 is the People's Republic of China: never linked to a 1944 mention.
    assert WD.Q148 not in items
    # A person with no verified row (here one Wikidata does not know) gets no link.
    assert "Léon Dennen" not in verified
    assert (URIRef(shipped.base + "person/leon-dennen"), OWL.sameAs, None) not in links


def test_build_rewrites_a_stale_file_and_then_leaves_it(shipped: Settings, tmp_path: Path):
    root = tmp_path / "edition"
    for folder in ("ontology", "shapes"):
        (root / folder).mkdir(parents=True)
        for path in (shipped.root / folder).glob("*.ttl"):
            (root / folder / path.name).write_bytes(path.read_bytes())
    (root / "data" / "source").mkdir(parents=True)
    (root / "edition.toml").write_bytes((shipped.root / "edition.toml").read_bytes())
    for path in (shipped.data_dir).rglob("*"):
        if path.is_file():
            target = root / "data" / path.relative_to(shipped.data_dir)
            target.parent.mkdir(parents=True, exist_ok=True)  # source/, review/
            target.write_bytes(path.read_bytes())
    settings = Settings.from_env(environ={}, root=root)
    (root / "data" / "mentions.ttl").write_text("", "utf-8")
    assert build_edition(settings) == [root / "data" / "mentions.ttl"]
    assert isomorphic(
        read_graphs([root / "data" / "mentions.ttl"]),
        read_graphs([shipped.data_dir / "mentions.ttl"]),
    )
    assert build_edition(settings) == []
