"""The store: one small interface, an embedded (pyoxigraph) and a remote (SPARQL 1.1) engine.

`open_store` is the only place that chooses between them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from carnets.errors import ConfigError
from carnets.store.base import QueryResult, Store

if TYPE_CHECKING:  # importing config would pull rdflib into every query worker
    from carnets.config import Settings

__all__ = ["QueryResult", "Store", "default_workers", "open_store"]


def default_workers(settings: Settings) -> int:
    """Query worker processes: one per core, at least two so one runaway query blocks nobody."""
    if settings.query_workers:
        return settings.query_workers
    return min(8, max(2, os.cpu_count() or 2))


def open_store(
    settings: Settings,
    store_path: Path | None = None,
    *,
    workers: int | None = None,
    snapshot: Path | None = None,
) -> Store:
    """The store named by settings.store.

    'embedded' needs the path of a built store directory (see carnets.export.prepare_release)
    and, to answer from memory once warm, the release's N-Quads `snapshot`; `workers=0` runs
    queries in this process. 'remote' needs settings.remote_query_url.
    """
    if settings.store == "embedded":
        from carnets.store.embedded import EmbeddedStore

        if store_path is None:
            raise ConfigError("the embedded store needs a built store directory")
        count = default_workers(settings) if workers is None else workers
        return EmbeddedStore(
            store_path,
            settings.base,
            workers=count,
            snapshot=snapshot,
            describe_timeout=max(settings.query_timeout, 10.0),
            service_allow=settings.service_allow,
            queue_wait=settings.queue_wait,
        )
    if settings.store == "remote":
        from carnets.namespaces import EDITION_GRAPHS
        from carnets.store.remote import RemoteStore

        if not settings.remote_query_url:
            raise ConfigError("CARNETS_STORE=remote needs CARNETS_REMOTE_QUERY_URL")
        return RemoteStore(
            settings.remote_query_url,
            settings.base,
            user_agent=settings.user_agent,
            timeout=settings.query_timeout,
            graphs=[settings.base + name for name in EDITION_GRAPHS],
        )
    raise ConfigError(f"CARNETS_STORE must be 'embedded' or 'remote', not {settings.store!r}")
