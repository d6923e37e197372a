"""`carnets ingest`: dated headings, the shipped edition rebuilt from its text, unknown names,
idempotence, refusals, and broken files that leave data/ untouched."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from carnets.build import GENERATED, curated_files
from carnets.cli import cli
from carnets.config import Settings
from carnets.dates import DateError
from carnets.ingest.run import IngestRefused, ingest
from carnets.ingest.texts import read_heading
from carnets.loading import read_graphs
from carnets.namespaces import CN, OA, SCHEMA

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
EXCERPT = "serge-notebooks-1944-excerpt.txt"


def edition(shipped: Settings, root: Path, sources: bool = True) -> Settings:
    """A copy of the shipped edition: its curated files, and its source text if `sources`."""
    for folder in ("ontology", "shapes"):
        shutil.copytree(shipped.root / folder, root / folder)
    shutil.copy(shipped.root / "edition.toml", root)
    (root / "data" / "source").mkdir(parents=True)
    for path in curated_files(shipped):
        shutil.copy(path, root / "data" / path.name)
    shutil.copy(shipped.data_dir / "source/wikidata-verified.tsv", root / "data/source")
    if sources:
        for path in shipped.data_dir.glob("*.ttl"):
            shutil.copy(path, root / "data" / path.name)
        shutil.copy(shipped.data_dir / "source" / EXCERPT, root / "data/source")
    return Settings.from_env(environ={}, root=root)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(
    ("heading", "edtf", "first", "language"),
    [
        ("August 9, 1944", "1944-08-09", date(1944, 8, 9), "en"),
        ("## August 9, 1944", "1944-08-09", date(1944, 8, 9), "en"),
        ("9 août 1944", "1944-08-09", date(1944, 8, 9), "fr"),
        ("1er août 1944", "1944-08-01", date(1944, 8, 1), "fr"),
        ("1944-08-09", "1944-08-09", date(1944, 8, 9), ""),
        ("August 1944", "1944-08", date(1944, 8, 1), "en"),
        ("August 1944?", "1944-08?", date(1944, 8, 1), "en"),
        ("end of 1944", "1944-10/1944-12", date(1944, 10, 1), "en"),
        ("fin 1944", "1944-10/1944-12", date(1944, 10, 1), "fr"),
        ("**1944-08**", "1944-08", date(1944, 8, 1), ""),
    ],
)
def test_dated_headings(heading: str, edtf: str, first: date, language: str):
    when = read_heading(heading)
    assert (when.edtf, when.first, when.language) == (edtf, first, language)


@pytest.mark.parametrize("line", ["Read today:", "In August 1944 I wrote", "1944", ""])
def test_lines_that_are_not_headings(line: str):
    assert read_heading(line) is None


@pytest.mark.parametrize("line", ["February 30, 1944", "1944-13-01", "31 avril 1944"])
def test_impossible_days_are_errors(line: str):
    with pytest.raises(DateError):
        read_heading(line)


def test_the_shipped_edition_comes_out_of_ingest(shipped: Settings, tmp_path: Path):
    settings = edition(shipped, tmp_path, sources=False)
    links_day = date.fromisoformat(_link_day(shipped))
    outcome = ingest(settings, [shipped.data_dir / "source" / EXCERPT], today=links_day)
    assert len(outcome.added) == 5
    for name in GENERATED:
        assert isomorphic(
            read_graphs([tmp_path / "data" / name]), read_graphs([shipped.data_dir / name])
        ), name
    assert (tmp_path / "data/source" / EXCERPT).read_bytes() == (
        shipped.data_dir / "source" / EXCERPT
    ).read_bytes()


def _link_day(shipped: Settings) -> str:
    from rdflib.namespace import PROV

    return str(
        min(read_graphs([shipped.data_dir / "links.ttl"]).objects(None, PROV.generatedAtTime))
    )


@pytest.fixture(scope="module")
def ingested(shipped: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped edition with the English and the French fixtures ingested."""
    settings = edition(shipped, tmp_path_factory.mktemp("ingested"))
    ingest(settings, [FIXTURES / "english.md", FIXTURES / "french.txt"])
    return settings


def test_entries_get_text_language_date_and_order(ingested: Settings):
    texts = read_graphs([ingested.data_dir / "texts.ttl"])
    base = ingested.base
    french = URIRef(base + "entry/1945-02-09")
    assert texts.value(french, SCHEMA.text).language == "fr"
    assert texts.value(french, SCHEMA.dateCreated) == Literal(date(1945, 2, 9))
    assert texts.value(french, SCHEMA.position) == Literal(6)
    english = URIRef(base + "entry/1945-03-03")
    assert str(texts.value(english, SCHEMA.text)).startswith("Wrote to Laurette.")
    assert texts.value(english, SCHEMA.position) == Literal(7)
    uncertain = URIRef(base + "entry/1945-08-01")
    assert str(texts.value(uncertain, CN.edtf)) == "1945-08?"
    late = URIRef(base + "entry/1945-10-01")
    assert str(texts.value(late, CN.edtf)) == "1945-10/1945-12"
    dates = read_graphs([ingested.data_dir / "dates.ttl"])
    assert dates.value(late, CN.latestDate) == Literal(date(1945, 12, 31))


def test_mentions_have_exact_offsets_with_diacritics(ingested: Settings):
    graph = read_graphs([ingested.data_dir / "texts.ttl", ingested.data_dir / "mentions.ttl"])
    entry = URIRef(ingested.base + "entry/1945-02-09")
    text = str(graph.value(entry, SCHEMA.text))
    found = {}
    for target in graph.subjects(OA.hasSource, entry):
        mention = graph.value(predicate=OA.hasTarget, object=target)
        start, end = (int(x) for x in str(mention).rsplit("#m", 1)[1].split("-"))
        found[text[start:end]] = graph.value(mention, OA.hasBody)
    assert found["Benjamin Crémieux"] == URIRef(ingested.base + "person/benjamin-cremieux")
    assert "Giraudoux" in " ".join(found)
    english = URIRef(ingested.base + "entry/1945-03-03")
    mentioned = set(graph.objects(english, SCHEMA.mentions))
    assert URIRef(ingested.base + "person/max-jacob") in mentioned


def test_unknown_names_go_to_the_review_file_only(ingested: Settings):
    review = (ingested.data_dir / "review/ingest-candidates.tsv").read_text("utf-8")
    assert "Émile Tarcadieu\tperson\tspacy:fr_core_news_sm" in review
    assert "\tHortensia Valdivieso\tunknown\trule:capitalised" in review
    assert "Benjamin Crémieux" not in review
    published = "".join(p.read_text("utf-8") for p in ingested.data_dir.glob("*.ttl"))
    assert 'Tarcadieu"' not in published.replace("Émile Tarcadieu.", "")
    assert "person/emile-tarcadieu" not in published


def test_the_same_text_twice_changes_nothing(ingested: Settings):
    before = snapshot(ingested.data_dir)
    outcome = ingest(ingested, [FIXTURES / "english.md"])
    assert outcome.files == [] and snapshot(ingested.data_dir) == before


def test_changed_text_is_refused_unless_replace(ingested: Settings, tmp_path: Path):
    changed = tmp_path / "english.md"
    changed.write_text(
        (FIXTURES / "english.md").read_text("utf-8").replace("at length", "briefly"), "utf-8"
    )
    before = snapshot(ingested.data_dir)
    with pytest.raises(IngestRefused, match="1945-03-03"):
        ingest(ingested, [changed])
    assert snapshot(ingested.data_dir) == before
    dry = ingest(ingested, [changed], replace=True, dry_run=True)
    assert dry.changed == ["1945-03-03"] and snapshot(ingested.data_dir) == before
    ingest(ingested, [changed], replace=True)
    texts = read_graphs([ingested.data_dir / "texts.ttl"])
    text = texts.value(URIRef(ingested.base + "entry/1945-03-03"), SCHEMA.text)
    assert "briefly" in str(text)


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [("broken-date.txt", 1, "not a real day"), ("no-heading.txt", 1, "before the first dated")],
)
def test_broken_files_leave_data_untouched(
    shipped: Settings, tmp_path: Path, fixture: str, line: int, message: str
):
    settings = edition(shipped, tmp_path)
    before = snapshot(tmp_path / "data")
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "ingest", str(FIXTURES / fixture)])
    assert result.exit_code == 2
    assert f"{FIXTURES / fixture}:{line}: " in result.output and message in result.output
    assert snapshot(settings.data_dir) == before
