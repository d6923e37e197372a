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
from carnets.export import Release
from carnets.services.admission import Admission
from carnets.services.queries import QueryService
from carnets.services.resources import ResourceService
from carnets.store import Store


@dataclass
class Publisher:
    """Settings, the store, the release it was built from, and the services over them."""

    settings: Settings
    store: Store
    release: Release | None
    context: dict = field(default_factory=dict)
    owns_store: bool = False
    # What a check of the release's dumps found wrong (filled in the background at start-up).
    damage: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A shared lock on the release: another build on the same root never prunes it.
        self._lease = self.release.hold() if self.release is not None else None

    def verify_release(self) -> None:
        """Check every dump against the manifest's checksums; what is wrong goes to `damage`."""
        if self.release is not None:
            self.damage = self.release.damage()

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
            self.store,
            service_allow=self.settings.service_allow,
            max_rows=self.settings.max_rows,
            timeout=self.settings.query_timeout,
            admission=self.admission,
            light_budget=self.settings.light_budget,
        )

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

    @cached_property
    def triple_counts(self) -> dict[str, int]:
        if self.release is not None:
            return dict(self.release.triple_counts)
        return self.store.triple_counts()

    @cached_property
    def void(self) -> ox.Store | None:
        """The release's VoID/DCAT graph as a small pyoxigraph store (None without a release)."""
        if self.release is None:
            return None
        store = ox.Store()
        store.load(self.release.void_turtle(), ox.RdfFormat.TURTLE)
        return store

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
        if self._lease is not None:
            self._lease.close()
