"""The publisher: what every request needs, built once by the app factory.

It holds the settings, the store, the release it was built from and the services over them.
The web layer keeps it in `app.extensions["carnets"]` (see carnets.web.state); nothing here
imports Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from carnets.config import Settings
from carnets.export import Release, publish_engine, release_root
from carnets.services.admission import Admission
from carnets.services.answers import Answers
from carnets.services.queries import QueryService
from carnets.services.resources import ResourceService
from carnets.store import Store


@dataclass(frozen=True)
class Mounted:
    """One edition a server publishes: its name, base, and the path it is served under."""

    name: str
    base: str
    mount: str  # "" for the first edition, "/{name}" for the others
    triples: int


@dataclass
class Publisher:
    """Settings, the store, the release it was built from, and the services over them.

    When a server publishes several editions (carnets.editions), each has its publisher: its
    `store` is a view of the one store restricted to its graphs, and the first edition's
    `/sparql` queries `query_store`, the union of them all; `editions` lists them all."""

    settings: Settings
    store: Store
    release: Release | None
    context: dict = field(default_factory=dict)
    owns_store: bool = False
    # What a check of the release's dumps found wrong (filled in the background at start-up).
    damage: list[str] = field(default_factory=list)
    query_store: Store | None = None  # what /sparql asks (default: `store`)
    editions: tuple[Mounted, ...] = ()  # every edition of the server, when it has several
    # Over a remote engine: the dumps and VoID written from what the engine holds (filled in the
    # background at start-up), or why they could not be.
    engine_release: Release | None = None
    engine_problem: str | None = None

    def __post_init__(self) -> None:
        # A shared lock on the release: another build on the same root never prunes it.
        self._lease = self.release.hold() if self.release is not None else None
        self._engine_lease = None
        self._void: tuple[Release, ox.Store] | None = None

    def verify_release(self) -> None:
        """Check every dump against the manifest's checksums; what is wrong goes to `damage`."""
        if self.release is not None:
            self.damage = self.release.damage()

    def publish_engine(self) -> None:
        """Over a remote engine, write the dumps and VoID from the engine itself.

        The engine may have been loaded from another build, or changed since: what /download/
        and /dataset offer must be what /sparql answers from.
        """
        if not self.store.remote:
            return
        try:
            published = publish_engine(
                self.settings, self.store, release_root(self.settings) / "engine"
            )
        except Exception as error:  # the engine's, the disk's or pyoxigraph's: /health says it
            self.engine_problem = f"the dumps could not be written from the remote engine: {error}"
            return
        self._engine_lease = published.hold()
        self.engine_release = published

    @property
    def published(self) -> Release | None:
        """The release whose dumps and VoID this server offers: the engine's over a remote store."""
        return self.engine_release if self.store.remote else self.release

    @property
    def base(self) -> str:
        return self.settings.base

    @cached_property
    def admission(self) -> Admission:
        return Admission(
            rate=self.settings.rate_limit,
            burst=self.settings.rate_burst,
            concurrent=self.settings.client_queries,
        )

    @cached_property
    def queries(self) -> QueryService:
        return QueryService(
            self.query_store or self.store,
            service_allow=self.settings.service_allow,
            max_rows=self.settings.max_rows,
            timeout=self.settings.query_timeout,
            admission=self.admission,
            light_budget=self.settings.light_budget,
            answers=self.answers,
        )

    @cached_property
    def answers(self) -> Answers | None:
        """Answers kept for repeated queries: only where the data cannot change under us."""
        if self.store.remote or self.settings.result_cache <= 0:
            return None
        return Answers(self.settings.result_cache << 20)

    @cached_property
    def resources(self) -> ResourceService:
        return ResourceService(
            self.store,
            self.base,
            page_size=self.settings.page_size,
            timeout=max(self.settings.query_timeout, 10.0),
        )

    @cached_property
    def graph_names(self) -> frozenset[str]:
        """The named graphs; fixed for the life of the app, as the store is read-only."""
        return frozenset(self.triple_counts)

    @property
    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, as the published files count them (the store's without)."""
        published = self.published or self.release
        if published is not None:
            return dict(published.triple_counts)
        return self._store_counts

    @cached_property
    def _store_counts(self) -> dict[str, int]:
        return self.store.triple_counts()

    @cached_property
    def endpoint_counts(self) -> dict[str, int]:
        """The named graphs /sparql answers from, with their sizes (all editions' for a union)."""
        if self.query_store is not None:
            return self.query_store.triple_counts()
        return self.triple_counts

    @property
    def void(self) -> ox.Store | None:
        """The published VoID/DCAT graph as a small pyoxigraph store (None until there is one)."""
        published = self.published
        if published is None:
            return None
        if self._void is None or self._void[0] is not published:
            store = ox.Store()
            store.load(published.void_turtle(), ox.RdfFormat.TURTLE)
            self._void = (published, store)
        return self._void[1]

    @cached_property
    def releases(self):
        """The published releases (carnets.releases.Shelf), re-read when their folder changes."""
        from carnets.releases import Shelf, releases_root

        return Shelf(releases_root(self.settings))

    def describe_from_void(self, iri: str, media_type: str) -> bytes | None:
        """What the VoID says of `iri`: the named graphs as subsets and linkset, the dumps."""
        if self.void is None:
            return None
        triples = [q.triple for q in self.void.quads_for_pattern(ox.NamedNode(iri), None, None)]
        if not triples:
            return None
        return ox.serialize(triples, format=ox.RdfFormat.from_media_type(media_type))

    def close(self) -> None:
        if self.owns_store:
            self.store.close()
        for lease in (self._lease, self._engine_lease):
            if lease is not None:
                lease.close()
