"""Several editions on one server: each its own release, one store holding them all.

The first edition (CARNETS_ROOT) is served at `/` exactly as when it is alone; each further
edition (CARNETS_EDITIONS, or `carnets serve --edition ROOT`) is served under `/{name}/`,
`name` being the one its edition.toml gives, so that a resource `{base}{path}` of that edition
answers at `/{name}/{path}` (a deployment sends its base there, as w3id.org sends the first's
to `/`).

Each edition is validated and released on its own (carnets.export.prepare_release): its own
named graphs under its own base, dumps, VoID and JSON-LD context. A union release then loads
every edition's N-Quads dump into one pyoxigraph store, and the server runs one pool of query
workers over it. Each edition's pages, indices, descriptions and `/{name}/sparql` see a view
of that store whose default graph is the union of the edition's own graphs; the first
edition's `/sparql` sees the union of every edition's graphs (its service description says
so), and `/catalog` lists the editions as a DCAT catalog.

The further editions are separate Flask apps mounted with werkzeug's DispatcherMiddleware; the
site's links are absolute paths (`/person/x`), so a mounted app's HTML and SVG links and its
Link and Content-Location headers are put under its mount on the way out (`_under_mount`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from carnets import integrity
from carnets.config import Settings
from carnets.errors import ConfigError
from carnets.export import KEEP_RELEASES, Release, prepare_release, release_root
from carnets.namespaces import EDITION_GRAPHS

log = logging.getLogger(__name__)

UNION_FOLDER = "union"  # under the first edition's release root
# Paths the first edition's site answers itself: a further edition may not be named so.
RESERVED = frozenset(
    {
        *("catalog", "context.jsonld", "dataset", "download", "health", "ontology"),
        *("pictures", "reconcile", "sparql", "static", "workbench", "graph", "link", "source"),
        *("entry", "person", "place", "work", "event", "organization", "death", "note"),
    }
)


@dataclass(frozen=True)
class Served:
    """One edition of the server: its settings, its validated release, where it is served."""

    settings: Settings
    release: Release
    mount: str  # "" for the first edition, "/{name}" for the others

    @property
    def graphs(self) -> tuple[str, ...]:
        return tuple(self.settings.base + name for name in EDITION_GRAPHS)


def edition_settings(settings: Settings) -> list[Settings]:
    """The settings of every edition the server publishes, the first being `settings`'s own.

    ConfigError when two editions share a name or a base, or a name is a path of the site."""
    found = [settings, *(settings.for_edition(root.resolve()) for root in settings.editions)]
    names, bases = {}, {}
    for each in found:
        name = each.edition.name
        if name in names:
            raise ConfigError(
                f"{each.edition.path}: name: {name!r} is also the name of {names[name]}"
            )
        if each.base in bases:
            raise ConfigError(
                f"{each.edition.path}: base: {each.base} is also the base of {bases[each.base]}"
            )
        if each is not settings and name in RESERVED:
            raise ConfigError(
                f"{each.edition.path}: name: {name!r} is a path of the site; choose another"
            )
        names[name], bases[each.base] = each.edition.path, each.edition.path
    return found


def prepare_editions(settings: Settings, validate: Callable | None = None) -> list[Served]:
    """Every edition validated and released (each reused if its files have not changed)."""
    served = []
    for i, each in enumerate(edition_settings(settings)):
        release = prepare_release(each, validate=validate)
        served.append(Served(each, release, "" if i == 0 else "/" + each.edition.name))
    return served


def prepare_union(served: list[Served], root: Path | None = None) -> Path:
    """The folder of a store holding every edition's graphs (and its N-Quads snapshot).

    Keyed by the editions' release fingerprints, so that it is reused while none changes;
    built in a scratch folder renamed into place when complete, as releases are."""
    root = (root or release_root(served[0].settings) / UNION_FOLDER).resolve()
    key = hashlib.sha256(
        "\n".join(f"{s.settings.base} {s.release.fingerprint}" for s in served).encode()
    ).hexdigest()[:24]
    target = root / key
    if (target / "manifest.json").exists() and (target / "union.nq").exists():
        return target

    def build(scratch: Path) -> str:
        _build_union(served, key, scratch)
        return key

    target = integrity.build_folder(root, key, build, "build the union store")
    integrity.prune(root, keep=target, newest=KEEP_RELEASES)
    return target


def _build_union(served: list[Served], key: str, folder: Path) -> None:
    writer = ox.Store(str(folder / "store"))
    with (folder / "union.nq").open("wb") as snapshot:
        for each in served:
            dump = each.release.dump_path("carnets.nq")
            writer.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
            snapshot.write(dump.read_bytes())
    writer.flush()
    writer.optimize()
    del writer
    manifest = {
        "fingerprint": key,
        "built": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "editions": [
            {
                "name": s.settings.edition.name,
                "base": s.settings.base,
                "release": s.release.path.name,
            }
            for s in served
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")


def create_site(
    settings: Settings, *, validate: Callable | None = None, workers: int | None = None
):
    """The WSGI application publishing every edition, and the one store under it.

    Returns (application, store, lease): closing the store stops its workers; the lease keeps
    the union store from being pruned while the server runs."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from carnets.services.publisher import Mounted
    from carnets.store import open_store
    from carnets.web import create_app

    if settings.store != "embedded":
        raise ConfigError("serving several editions needs CARNETS_STORE=embedded")
    served = prepare_editions(settings, validate)
    union = prepare_union(served)
    store = open_store(settings, union / "store", workers=workers, snapshot=union / "union.nq")
    lease = integrity.hold(union)
    try:
        mounted = tuple(
            Mounted(
                s.settings.edition.name,
                s.settings.base,
                s.mount,
                sum(s.release.triple_counts.values()),
            )
            for s in served
        )
        apps = [
            create_app(
                s.settings,
                store.scoped(s.settings.base, s.graphs),
                s.release,
                owns_store=False,
                query_store=store if not s.mount else None,
                editions=mounted,
            )
            for s in served
        ]
        for s, app in zip(served[1:], apps[1:], strict=True):
            _under_mount(app, s.mount)
        mounts = {s.mount: app for s, app in zip(served[1:], apps[1:], strict=True)}
        site = DispatcherMiddleware(apps[0], mounts)
    except BaseException:
        store.close()
        lease.close()
        raise
    return site, store, lease


_LINK_ATTRIBUTE = re.compile(rb'(\s(?:href|src|action)=")/(?!/)')
_LINK_HEADER = re.compile(r"<(/(?!/))")


def _under_mount(app, mount: str) -> None:
    """Put the site-absolute links of a mounted edition's answers under its mount."""
    prefix = mount.encode()

    @app.after_request
    def links_under_mount(response):
        if response.mimetype in ("text/html", "image/svg+xml") and not response.direct_passthrough:
            response.set_data(_LINK_ATTRIBUTE.sub(rb"\1" + prefix + b"/", response.get_data()))
        if "Link" in response.headers:
            response.headers["Link"] = _LINK_HEADER.sub("<" + mount + "/", response.headers["Link"])
        location = response.headers.get("Content-Location", "")
        if location.startswith("/") and not location.startswith("//"):
            response.headers["Content-Location"] = mount + location
        return response
