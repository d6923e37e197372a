"""Editions that get released twice, for the release, diff and web tests.

Release 1 has one more place (Testville); release 2 has lost it and renamed Drancy: the two
kinds of change a scholar must be told about, and what makes a URI answer 410 Gone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from carnets.config import Settings
from carnets.releases import Outcome, make_release

SHIPPED = Path(__file__).parents[1]
SMALL = Path(__file__).parent / "web" / "fixtures" / "edition"
TESTVILLE = "https://w3id.org/carnets/serge/place/testville"
EXTRA = """@prefix cn: <https://w3id.org/carnets/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/carnets/serge/place/testville> a cn:Place , schema:Place ;
    skos:prefLabel "Testville"@en .
"""


def copy_edition(source: Path, target: Path, **settings) -> Settings:
    """A copy of an edition's configuration, ontology, data and shapes in `target` (no build,
    no releases)."""
    for part in ("ontology", "data", "shapes"):
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
    shutil.copy(source / "edition.toml", target / "edition.toml")
    return Settings.from_env({}, root=target, **settings)


def release_twice(settings: Settings, **options) -> tuple[Outcome, Outcome]:
    """Release 1 with Testville, then release 2 without it and with Drancy renamed."""
    extra = settings.data_dir / "zz-extra.ttl"
    extra.write_text(EXTRA, "utf-8")
    first = make_release(settings, when="2026-11-25", environ={}, **options)
    extra.unlink()
    places = next(
        p
        for p in settings.data_dir.glob("*.ttl")
        if 'prefLabel "Drancy"@en' in p.read_text("utf-8")
    )
    places.write_text(
        places.read_text("utf-8").replace('prefLabel "Drancy"@en', 'prefLabel "Drancy (Seine)"@en'),
        "utf-8",
    )
    second = make_release(settings, when="2026-12-01", environ={}, **options)
    return first, second
