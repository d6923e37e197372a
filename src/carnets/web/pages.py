"""HTML pages: the templates over the services' views, each with its schema.org JSON-LD.

What a page shows comes from the services (carnets.services: one query per page); this module
only chooses the template, the reader's language and the links, and shows every quotation of
the translated text with the translation's rights statement.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import render_template

from carnets import conneg
from carnets.services.cookbook import Recipe, read_cookbook
from carnets.services.edition import EditionService, dataset_view
from carnets.services.indices import Index, IndexService
from carnets.services.resources import ResourceView
from carnets.web.site import reader_lang
from carnets.web.state import publisher

SCHEMA_TYPES = {
    "https://w3id.org/carnets/ontology#Person": "Person",
    "https://w3id.org/carnets/ontology#Place": "Place",
    "https://w3id.org/carnets/ontology#Event": "Event",
    "https://w3id.org/carnets/ontology#Death": "Event",
    "https://w3id.org/carnets/ontology#Organization": "Organization",
    "https://w3id.org/carnets/ontology#Work": "CreativeWork",
    "https://w3id.org/carnets/ontology#Entry": "CreativeWork",
    "https://w3id.org/carnets/ontology#EditorialText": "CreativeWork",
    "https://w3id.org/carnets/ontology#Notebook": "CreativeWork",
    "https://w3id.org/carnets/ontology#DeathReport": "Comment",
}
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def absolute(path: str) -> str:
    """The permanent address of a path of this site: under the edition's base, never the Host
    header (which the client chooses)."""
    return publisher().base + path.lstrip("/")


def resource_page(view: ResourceView, path: str) -> str:
    """The page of one resource; `path` is where it is served, without suffix or page."""
    if path == "/dataset":
        return dataset_page(view)
    return render_template(
        "resource.html",
        **vars(view),
        formats=conneg.SUFFIXES,
        path=path,
        jsonld=resource_jsonld(view, path),
    )


def resource_jsonld(view: ResourceView, path: str) -> dict:
    kind = next((SCHEMA_TYPES[t] for t in view.types if t in SCHEMA_TYPES), "Thing")
    found: dict = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": view.iri,
        "name": view.title,
        "url": absolute(path),
        "mainEntityOfPage": absolute(path),
    }
    same = [v.href for name, values in view.properties if name.href == SAME_AS for v in values]
    if same:
        found["sameAs"] = same
    if view.when and view.when.earliest and kind == "CreativeWork":
        found["dateCreated"] = view.when.earliest
    if view.text is not None:
        found["inLanguage"] = "en"
        found["mentions"] = [
            {"@id": absolute(m.href), "name": m.label}
            for m in {m.href: m for m in view.text.mentions}.values()
        ]
        if view.rights:
            found["copyrightNotice"] = view.rights
    return found


def home_page() -> str:
    carnets = publisher()
    lang = reader_lang()
    edition = _editions().edition(lang)
    jsonld = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": edition.iri,
        "name": edition.title,
        "description": edition.description,
        "url": absolute("/"),
        "license": edition.license,
        "version": edition.version,
        "dateModified": edition.modified,
        "creator": {"@type": "Organization", "name": edition.publisher or "Carnets"},
        "inLanguage": "en",
        "distribution": [
            {
                "@type": "DataDownload",
                "contentUrl": absolute(f"/download/{dump.name}"),
                "encodingFormat": dump.media_type,
            }
            for dump in (carnets.published.dumps.values() if carnets.published else [])
        ],
    }
    return render_template(
        "home.html",
        base=carnets.base,
        edition=edition,
        dumps=list(carnets.published.dumps.values()) if carnets.published else [],
        recipes=[r for r in cookbook() if not r.federated],
        jsonld=jsonld,
    )


def index_page(index: Index) -> str:
    jsonld = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": index.title,
        "url": absolute(f"/{index.path}/"),
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(index.rows),
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": row.label, "url": absolute(row.href)}
                for n, row in enumerate(index.rows[:500], start=1)
            ],
        },
    }
    return render_template("index.html", index=index, jsonld=jsonld)


def dataset_page(view: ResourceView) -> str:
    carnets = publisher()
    if carnets.void is None:
        return render_template(
            "resource.html", **vars(view), formats=conneg.SUFFIXES, path="/dataset"
        )
    found = dataset_view(carnets.void, carnets.base)
    lang = reader_lang()
    jsonld = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": found.iri,
        "name": view.title,
        "url": absolute("/dataset"),
        "license": (found.links.get("http://purl.org/dc/terms/license") or [None])[0],
    }
    return render_template(
        "dataset.html",
        view=view,
        dataset=found,
        formats=conneg.SUFFIXES,
        lang_title=view.title,
        reader=lang,
        jsonld=jsonld,
    )


def cookbook() -> list[Recipe]:
    """The questions of queries/, read once (the files do not change while the server runs)."""
    return _cookbook(publisher().settings.queries_dir)


@cache
def _cookbook(folder: Path) -> list[Recipe]:
    return read_cookbook(folder)


def indices() -> IndexService:
    carnets = publisher()
    return IndexService(carnets.store, carnets.base, timeout=carnets.settings.query_timeout * 2)


def _editions() -> EditionService:
    carnets = publisher()
    return EditionService(
        carnets.store,
        carnets.base,
        timeout=carnets.settings.query_timeout * 2,
        author=carnets.settings.edition.author_name,
    )
