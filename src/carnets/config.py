"""Settings: every option declared once, with its default, environment variable and help."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from carnets.errors import ConfigError
from carnets.namespaces import DEFAULT_BASE

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _setting(default, env: str, help: str):
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of the edition, the store and the server; read by from_env()."""

    root: Path = _setting(PROJECT_ROOT, "CARNETS_ROOT", "Folder holding ontology/, data/, shapes/")
    base: str = _setting(DEFAULT_BASE, "CARNETS_BASE", "Base URI of the edition's resources")
    store: str = _setting("embedded", "CARNETS_STORE", "'embedded' (pyoxigraph) or 'remote'")
    remote_query_url: str = _setting(
        "", "CARNETS_REMOTE_QUERY_URL", "SPARQL endpoint URL when store is 'remote'"
    )
    host: str = _setting("127.0.0.1", "CARNETS_HOST", "Address the server listens on")
    port: int = _setting(8000, "CARNETS_PORT", "Port the server listens on")
    threads: int = _setting(8, "CARNETS_THREADS", "Worker threads of the WSGI server")
    query_workers: int = _setting(
        0, "CARNETS_QUERY_WORKERS", "Query worker processes (0: one per core, at least 2)"
    )
    build_dir: Path | None = _setting(
        None, "CARNETS_BUILD_DIR", "Folder of validated releases (default: {root}/build/publish)"
    )
    query_timeout: float = _setting(
        5.0, "CARNETS_QUERY_TIMEOUT", "Seconds a SPARQL query may run before it is stopped"
    )
    max_rows: int = _setting(
        100_000, "CARNETS_MAX_ROWS", "Largest number of result rows served (clients are told)"
    )
    page_size: int = _setting(
        100, "CARNETS_PAGE_SIZE", "Mentions on one page of a resource's description and page"
    )
    service_allow: tuple[str, ...] = _setting(
        (), "CARNETS_SERVICE_ALLOW", "Space-separated SERVICE endpoint URLs queries may call"
    )
    wikidata_endpoint: str = _setting(
        "https://query.wikidata.org/sparql",
        "CARNETS_WIKIDATA_ENDPOINT",
        "Wikidata SPARQL endpoint the linker queries",
    )
    user_agent: str = _setting(
        "Carnets/0.1 (https://w3id.org/carnets/; linked-data edition of writers' notebooks)",
        "CARNETS_USER_AGENT",
        "User-Agent sent to remote endpoints",
    )

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Build settings from CARNETS_* variables; explicit overrides win."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if not settings.base.endswith(("/", "#")):
            raise ConfigError(f"CARNETS_BASE must end with '/' or '#': {settings.base!r}")
        return settings

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting: the README's table."""
        return [(f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(cls)]


def _convert(name: str, type_name: str, raw: str):
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name in ("Path", "Path | None"):
            return Path(raw)
        if type_name.startswith("tuple"):
            return tuple(raw.split())
    except ValueError as error:
        raise ConfigError(f"setting {name}: cannot read {raw!r}: {error}") from error
    return raw
