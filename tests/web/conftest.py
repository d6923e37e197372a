"""Fixtures for the publisher: a small edition, its release, the app, and a real waitress server."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carnets.config import Settings
from carnets.export import Release, prepare_release
from carnets.store import Store, open_store
from carnets.web import create_app
from carnets.web.serve import make_server

FIXTURE = Path(__file__).parent / "fixtures" / "edition"
BASE = "https://w3id.org/carnets/serge/"


@dataclass
class Report:
    """A validation report as carnets.validation gives one; the fixture edition has no shapes."""

    conforms: bool
    message: str = "Conforms: True"

    def text(self) -> str:
        return self.message


def conforming(settings: Settings) -> Report:
    return Report(True)


@pytest.fixture(scope="session")
def edition_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("edition")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="session")
def settings(edition_root: Path) -> Settings:
    # A short time limit keeps the runaway-query tests quick; a low row cap lets them bite.
    return Settings.from_env({}, root=edition_root, query_timeout=1.5, max_rows=50)


@pytest.fixture(scope="session")
def release(settings: Settings) -> Release:
    return prepare_release(settings, validate=conforming)


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
