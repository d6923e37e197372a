"""The Flask application factory: `create_app` builds the publisher from settings and a store.

Nothing here runs at import time. `create_app()` with no arguments reads CARNETS_* settings,
prepares the validated release (see carnets.export) and opens the store it names; tests and
tools pass their own settings, store and release instead. The routes reach the publisher
through carnets.web.state, so no module of the web layer imports this one.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from carnets.config import Settings
from carnets.export import Release, prepare_release
from carnets.services.publisher import Publisher
from carnets.store import Store, open_store
from carnets.web import admission, dumps, errors, health, reconcile, resources, sparql, vocabulary
from carnets.web.state import EXTENSION


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
    app.extensions[EXTENSION] = Publisher(settings, store, release, context, owns_store)
    app.extensions["carnets.store"] = store  # the reconciliation blueprint looks here

    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    errors.init_app(app)
    admission.init_app(app)
    for blueprint in (health.bp, sparql.bp, dumps.bp, vocabulary.bp, reconcile.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(resources.bp)  # last: it answers every other path under the base
    return app
