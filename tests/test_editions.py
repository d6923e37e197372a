"""Several editions on one server, and the edition configuration file.

The shipped edition and a second, synthetic one (tests/fixtures/editions/vautrin: an invented
writer, French entries, another base) are built, validated and served together by the real
app over one real pyoxigraph store.
"""

from __future__ import annotations

import re
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client

from carnets.build import build_edition
from carnets.config import PROJECT_ROOT, Settings
from carnets.edition import EditionConfig
from carnets.editions import create_site, edition_settings
from carnets.errors import ConfigError

FIXTURE = Path(__file__).parent / "fixtures" / "editions" / "vautrin"
SERGE = "https://w3id.org/carnets/serge/"
VAUTRIN = "https://example.org/carnets/vautrin/"
PERSON = "<https://w3id.org/carnets/ontology#Person>"


def second_edition(root: Path) -> Path:
    """The synthetic edition with the project's ontology and shapes, built."""
    shutil.copytree(FIXTURE, root)
    for folder in ("ontology", "shapes"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    build_edition(Settings.from_env({}, root=root))
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    tmp = tmp_path_factory.mktemp("editions")
    vautrin = second_edition(tmp / "vautrin")
    settings = Settings.from_env(
        {"CARNETS_EDITIONS": str(vautrin)},
        root=PROJECT_ROOT,
        build_dir=tmp / "build",
        rate_limit=0,
        client_queries=0,
    )
    app, store, lease = create_site(settings, workers=0)  # validates both editions
    yield Client(app)
    store.close()
    lease.close()


def get(client: Client, path: str, accept: str = "text/html") -> tuple[int, str]:
    response = client.get(path, headers={"Accept": accept})
    return response.status_code, response.get_data(as_text=True)


def select(client: Client, endpoint: str, query: str) -> list[str]:
    status, body = get(client, f"{endpoint}?query={urllib.parse.quote(query)}", "text/csv")
    assert status == 200, body
    return body.splitlines()[1:]


def test_the_second_editions_resources_dereference_under_its_name(site: Client):
    status, turtle = get(site, "/vautrin/person/helene-brule", "text/turtle")
    assert status == 200
    assert f"<{VAUTRIN}person/helene-brule>" in turtle and "Hélène Brûlé" in turtle
    status, page = get(site, "/vautrin/person/helene-brule")
    assert status == 200 and "Hélène Brûlé" in page
    # The first edition is where it was, and neither answers for the other's resources.
    assert get(site, "/person/max-jacob", "text/turtle")[0] == 200
    assert get(site, "/person/helene-brule", "text/turtle")[0] == 404
    assert get(site, "/vautrin/person/max-jacob", "text/turtle")[0] == 404


def test_its_pages_carry_its_title_author_rights_and_links(site: Client):
    status, home = get(site, "/vautrin/")
    assert status == 200
    assert "Lucie Vautrin, Carnets (1952)" in home  # the dataset's title, in French first
    assert '<span class="tagline">Lucie Vautrin, 1952</span>' in home
    assert "Serge" not in home
    status, entry = get(site, "/vautrin/entry/1952-03-12")
    assert status == 200
    assert "invented for the tests of Carnets" in entry  # the rights of its texts
    assert 'lang="fr"' in entry  # its first language is French
    assert "/vautrin/person/lucie-vautrin" in entry or "Lucie Vautrin" in entry
    links = re.findall(r'href="(/[^"]*)"', entry)
    assert links and all(link.startswith("/vautrin/") for link in links), links
    # The first edition's pages are its own.
    status, home = get(site, "/")
    assert '<span class="tagline">Victor Serge, 1944</span>' in home and "Vautrin" not in home


def test_its_void_describes_it_alone(site: Client):
    status, void = get(site, "/vautrin/dataset", "text/turtle")
    assert status == 200
    assert "Lucie Vautrin, Notebooks (1952)" in void
    assert f'void:uriSpace "{VAUTRIN}"' in void
    assert f"<{VAUTRIN}notebooks>" in void and f"<{VAUTRIN}person/helene-brule>" in void
    assert SERGE not in void
    status, catalog = get(site, "/catalog", "text/turtle")
    assert status == 200
    assert f"<{SERGE}dataset>" in catalog and f"<{VAUTRIN}dataset>" in catalog


def test_the_union_endpoint_sees_both_and_each_edition_its_own(site: Client):
    query = f"SELECT DISTINCT ?p WHERE {{ ?p a {PERSON} }}"
    union = select(site, "/sparql", query)
    assert any(p.startswith(SERGE) for p in union) and any(p.startswith(VAUTRIN) for p in union)
    own = select(site, "/vautrin/sparql", query)
    assert sorted(own) == [
        f"{VAUTRIN}person/{n}" for n in ("helene-brule", "lucie-vautrin", "octave-marchand")
    ]
    status, description = get(site, "/sparql", "text/turtle")
    assert "union of the named graphs of every edition" in description
    # The first edition's indices list its own people only.
    status, index = get(site, "/person/")
    assert status == 200 and "Max Jacob" in index and "Hélène Brûlé" not in index


def test_each_editions_graphs_hold_only_its_own_data(site: Client):
    for base, other in ((SERGE, VAUTRIN), (VAUTRIN, SERGE)):
        rows = select(
            site,
            "/sparql",
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{base}graph/edition> {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?s), "{other}") || STRSTARTS(STR(?o), "{other}")) }}',
        )
        assert rows == ["0"]
        graphs = select(site, "/sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert f"{base}graph/edition" in graphs


# ---------------------------------------------------------------- the configuration file


def test_the_shipped_configuration_reads(shipped: Settings):
    edition = shipped.edition
    assert edition.base == shipped.base == SERGE
    assert edition.languages == ("en", "fr") and edition.author == "person/victor-serge"
    assert [e.path for e in edition.editorial][:2] == [
        "note/introduction",
        "note/translation-credit",
    ]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda t: t.replace('name = "vautrin"', ""), "name"),
        (
            lambda t: t.replace('base = "https://example.org/carnets/vautrin/"', 'base = "x"'),
            "base",
        ),
        (lambda t: t.replace('languages = ["fr", "en"]', 'languages = ["de"]'), "languages"),
        (lambda t: t.replace("[author]\n", "[author]\nresource = 3\n", 1), None),
        (
            lambda t: t.replace("[rights]", '[translation]\nlanguage = "fr"\n[rights]'),
            "rights.translation",
        ),
        (lambda t: t + "\n[broken", None),
    ],
)
def test_a_bad_configuration_names_the_file_and_the_key(tmp_path: Path, change, key):
    text = (FIXTURE / "edition.toml").read_text("utf-8")
    (tmp_path / "edition.toml").write_text(change(text), "utf-8")
    with pytest.raises(ConfigError) as raised:
        EditionConfig.load(tmp_path)
    assert str(tmp_path / "edition.toml") in str(raised.value)
    if key:
        assert f": {key}:" in str(raised.value)


def test_a_root_without_configuration_is_refused_with_its_path(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"edition\.toml: no such file"):
        Settings.from_env({}, root=tmp_path)


def test_two_editions_may_not_share_a_name_or_take_a_sites_path(tmp_path: Path):
    for name, message in (("serge", "is also the name"), ("person", "is a path of the site")):
        root = tmp_path / name
        root.mkdir()
        text = (FIXTURE / "edition.toml").read_text("utf-8")
        (root / "edition.toml").write_text(text.replace('"vautrin"', f'"{name}"', 1), "utf-8")
        settings = Settings.from_env({}, root=PROJECT_ROOT, editions=(root,))
        with pytest.raises(ConfigError, match=message):
            edition_settings(settings)


# ---------------------------------------------------------------- nothing of one edition in code

# Words that belong to the shipped edition; the code must get them from its edition.toml.
EDITION_WORDS = re.compile(
    r"serge|abidor|greeman|kibalchich|new york review|nyrb|w3id\.org/carnets/serge"
    r"|notebooks-1936|max-jacob|1944-excerpt",
    re.IGNORECASE,
)
# The ontology's own terms keep their names (a published URI never changes meaning).
ALLOWED = ("cn:relationToSerge", "relationToSerge")


def test_no_edition_specific_string_remains_in_the_code():
    found = []
    for path in sorted((PROJECT_ROOT / "src").rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".html", ".js", ".css", ".txt", ".rq"):
            continue
        if path.name.endswith(".min.js"):
            continue  # vendored YASGUI
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            for allowed in ALLOWED:
                line = line.replace(allowed, "")
            if EDITION_WORDS.search(line):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert found == []
