"""The Flask application factory: `create_app` builds the publisher from settings and a store.

Nothing here runs at import time. `create_app()` with no arguments reads CARNETS_* settings,
prepares the validated release (see carnets.export) and opens the store it names; tests and
tools pass their own settings, store and release instead. The routes reach the publisher
through carnets.web.state, so no module of the web layer imports this one.
"""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from carnets.config import Settings
from carnets.export import Release, prepare_release
from carnets.services.publisher import Mounted, Publisher
from carnets.store import Store, open_store
from carnets.web import (
    admission,
    catalog,
    dumps,
    error_pages,
    errors,
    health,
    indices,
    pictures,
    reconcile,
    releases,
    resources,
    site,
    sparql,
    vocabulary,
    workbench,
)
from carnets.web.state import EXTENSION


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    release: Release | None = None,
    *,
    owns_store: bool | None = None,
    query_store: Store | None = None,
    editions: tuple[Mounted, ...] = (),
) -> Flask:
    """The WSGI application serving `store` (or the validated release of `settings`).

    When a server publishes several editions (carnets.editions), `store` is a view of one
    store holding them all, `query_store` is that whole store (for the first edition's
    /sparql, whose default graph is then their union) and `editions` lists them all."""
    settings = settings or Settings.from_env()
    owns_store = store is None if owns_store is None else owns_store
    if store is None:
        release = release or prepare_release(settings)
        store = open_store(settings, release.store_path, snapshot=release.dump_path("carnets.nq"))
    context = release.context()["@context"] if release is not None else {}

    app = Flask(__name__)
    app.config["JSON_AS_ASCII"] = False
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body  # werkzeug answers 413 beyond
    publisher = Publisher(
        settings, store, release, context, owns_store, query_store=query_store, editions=editions
    )
    app.extensions[EXTENSION] = publisher
    # Read every dump once, in the background: a damaged one makes /health and /download 503.
    threading.Thread(target=publisher.verify_release, daemon=True, name="carnets-verify").start()
    if store.remote:  # the dumps and VoID are written from the engine, also in the background
        threading.Thread(
            target=publisher.publish_engine, daemon=True, name="carnets-engine"
        ).start()
    app.extensions["carnets.store"] = store  # the reconciliation blueprint looks here

    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    errors.init_app(app)
    error_pages.init_app(app)  # HTML error pages for browsers; plain text for everyone else
    admission.init_app(app)
    for blueprint in (health.bp, sparql.bp, dumps.bp, vocabulary.bp, reconcile.bp):
        app.register_blueprint(blueprint)
    if query_store is not None and editions:
        app.register_blueprint(catalog.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(indices.bp)
    app.register_blueprint(pictures.bp)
    app.register_blueprint(workbench.bp)
    app.register_blueprint(releases.bp)
    app.register_blueprint(resources.bp)  # last: it answers every other path under the base
    return app
