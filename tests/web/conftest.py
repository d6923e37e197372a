"""Fixtures for the publisher: the app over the small edition's release (tests/conftest.py), and
a real waitress server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carnets.config import Settings
from carnets.export import Release
from carnets.store import Store, open_store
from carnets.web import create_app
from carnets.web.serve import make_server


@pytest.fixture(scope="session")
def store(settings: Settings, release: Release) -> Iterator[Store]:
    opened = open_store(
        settings, release.store_path, workers=2, snapshot=release.dump_path("carnets.nq")
    )
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def app(settings: Settings, store: Store, release: Release) -> Flask:
    return create_app(settings, store, release)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Flask, settings: Settings) -> Iterator[str]:
    """The production server (waitress) on 127.0.0.1 and a free port, serving the same app."""
    server = make_server(app, replace(settings, port=0, threads=6))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
