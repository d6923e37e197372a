"""The Flask application factory: `create_app` builds the publisher from settings and a store.

Nothing here runs at import time. `create_app()` with no arguments reads CARNETS_* settings,
prepares the validated release (see carnets.export) and opens the store it names; tests and
tools pass their own settings, store and release instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask import Flask, current_app

from carnets.config import Settings
from carnets.export import Release, prepare_release
from carnets.store import Store, open_store


@dataclass
class Publisher:
    """What every request needs: settings, the store, and the release it was built from."""

    settings: Settings
    store: Store
    release: Release | None
    context: dict = field(default_factory=dict)
    owns_store: bool = False

    @property
    def base(self) -> str:
        return self.settings.base

    @cached_property
    def graph_names(self) -> frozenset[str]:
        """The named graphs; fixed for the life of the app, as the store is read-only."""
        if self.release is not None:
            return frozenset(self.release.triple_counts)
        return frozenset(self.store.graph_names())

    @cached_property
    def void(self):
        """The release's VoID/DCAT graph as a small pyoxigraph store (None without a release)."""
        if self.release is None:
            return None
        import pyoxigraph as ox

        store = ox.Store()
        store.load(self.release.void_turtle(), ox.RdfFormat.TURTLE)
        return store

    def describe_from_void(self, iri: str, media_type: str) -> bytes | None:
        """What the VoID says of `iri`: the named graphs as subsets and linkset, the dumps."""
        if self.void is None:
            return None
        import pyoxigraph as ox

        triples = list(self.void.quads_for_pattern(ox.NamedNode(iri), None, None))
        if not triples:
            return None
        return ox.serialize(
            (q.triple for q in triples), format=ox.RdfFormat.from_media_type(media_type)
        )

    @cached_property
    def triple_counts(self) -> dict[str, int]:
        if self.release is not None:
            return dict(self.release.triple_counts)
        return self.store.triple_counts()


def publisher() -> Publisher:
    return current_app.extensions["carnets"]


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    release: Release | None = None,
    *,
    owns_store: bool | None = None,
) -> Flask:
    """The WSGI application serving `store` (or the validated release of `settings`)."""
    settings = settings or Settings.from_env()
    owns_store = store is None if owns_store is None else owns_store
    if store is None:
        release = release or prepare_release(settings)
        store = open_store(settings, release.store_path, snapshot=release.dump_path("carnets.nq"))
    context = release.context()["@context"] if release is not None else {}

    app = Flask(__name__)
    app.config["JSON_AS_ASCII"] = False
    app.extensions["carnets"] = Publisher(settings, store, release, context, owns_store)
    app.extensions["carnets.store"] = store  # the reconciliation blueprint looks here

    from carnets.web import dumps, errors, health, reconcile, resources, sparql, vocabulary

    errors.init_app(app)
    for blueprint in (health.bp, sparql.bp, dumps.bp, vocabulary.bp, reconcile.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(resources.bp)  # last: it answers every other path under the base
    return app
