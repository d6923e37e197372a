"""A release of the small test edition and an embedded store over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from carnets.config import Settings
from carnets.export import Release, prepare_release
from carnets.store.embedded import EmbeddedStore

FIXTURE = Path(__file__).parents[1] / "web" / "fixtures" / "edition"


@pytest.fixture(scope="session")
def store_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("store-edition")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    return Settings.from_env({}, root=root)


@pytest.fixture(scope="session")
def store_release(store_settings: Settings) -> Release:
    from carnets.validation import validate

    return prepare_release(store_settings, validate=validate)


@pytest.fixture(scope="session")
def pooled(store_settings: Settings, store_release: Release) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(store_release.store_path, store_settings.base, workers=2)
    yield store
    store.close()


@pytest.fixture(scope="session")
def in_process(store_settings: Settings, store_release: Release) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(store_release.store_path, store_settings.base, workers=0)
    yield store
    store.close()
