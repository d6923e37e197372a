"""Settings: every option declared once, with its default, environment variable and help."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path

from carnets.edition import EditionConfig
from carnets.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _setting(default, env: str, help: str):
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of the edition, the store and the server; read by from_env()."""

    root: Path = _setting(PROJECT_ROOT, "CARNETS_ROOT", "Folder holding ontology/, data/, shapes/")
    base: str = _setting(
        "", "CARNETS_BASE", "Base URI of the edition's resources (empty: `base` in edition.toml)"
    )
    editions: tuple[Path, ...] = _setting(
        (),
        "CARNETS_EDITIONS",
        "Space-separated roots of further editions that `carnets serve` publishes beside the "
        "one in CARNETS_ROOT, each at /{name}/ (see 'Serving several editions')",
    )
    store: str = _setting("embedded", "CARNETS_STORE", "'embedded' (pyoxigraph) or 'remote'")
    remote_query_url: str = _setting(
        "", "CARNETS_REMOTE_QUERY_URL", "SPARQL endpoint URL when store is 'remote'"
    )
    host: str = _setting("127.0.0.1", "CARNETS_HOST", "Address the server listens on")
    port: int = _setting(8000, "CARNETS_PORT", "Port the server listens on")
    threads: int = _setting(
        32, "CARNETS_THREADS", "Threads of the WSGI server (most wait on a query worker)"
    )
    connection_limit: int = _setting(
        1000,
        "CARNETS_CONNECTION_LIMIT",
        "Connections the server holds open at once (a slow client holds one)",
    )
    channel_timeout: int = _setting(
        30, "CARNETS_CHANNEL_TIMEOUT", "Seconds an idle connection is kept open"
    )
    request_timeout: int = _setting(
        10,
        "CARNETS_REQUEST_TIMEOUT",
        "Seconds a client may take to send one request (headers and body) before it is cut off",
    )
    max_header: int = _setting(
        65_536,
        "CARNETS_MAX_HEADER",
        "Largest request line and headers, in bytes (431 beyond; a longer GET query must POST)",
    )
    max_body: int = _setting(
        1_048_576, "CARNETS_MAX_BODY", "Largest request body, in bytes (413 beyond)"
    )
    max_query: int = _setting(
        262_144, "CARNETS_MAX_QUERY", "Largest SPARQL query, in bytes of UTF-8 (413 beyond)"
    )
    public_url: str = _setting(
        "",
        "CARNETS_PUBLIC_URL",
        "URL of the server's root as clients reach it, naming the endpoint in the service "
        "description (empty: {base}sparql, as the VoID description names it)",
    )
    trust_host: bool = _setting(
        False,
        "CARNETS_TRUST_HOST",
        "Name the endpoint after the request's Host header when CARNETS_PUBLIC_URL is empty "
        "(local development)",
    )
    query_workers: int = _setting(
        0, "CARNETS_QUERY_WORKERS", "Query worker processes (0: one per core, at least 2)"
    )
    build_dir: Path | None = _setting(
        None, "CARNETS_BUILD_DIR", "Folder of validated releases (default: {root}/build/publish)"
    )
    releases_dir: Path | None = _setting(
        None,
        "CARNETS_RELEASES",
        "Folder of the versioned, published releases (default: {root}/releases)",
    )
    query_timeout: float = _setting(
        5.0, "CARNETS_QUERY_TIMEOUT", "Seconds a SPARQL query may run before it is stopped"
    )
    max_rows: int = _setting(
        100_000, "CARNETS_MAX_ROWS", "Largest number of result rows served (clients are told)"
    )
    light_budget: float = _setting(
        0.5,
        "CARNETS_LIGHT_BUDGET",
        "Seconds a query may take in the light lane before it is rerun with the slow ones (0: off)",
    )
    result_cache: int = _setting(
        64,
        "CARNETS_RESULT_CACHE",
        "Megabytes of query answers kept for repeated queries (embedded store only; 0: off)",
    )
    queue_wait: float = _setting(
        2.0, "CARNETS_QUEUE_WAIT", "Seconds a query waits for a busy worker before a 503"
    )
    rate_limit: float = _setting(
        30.0, "CARNETS_RATE_LIMIT", "Requests a second per client before a 429 (0: no limit)"
    )
    rate_burst: int = _setting(90, "CARNETS_RATE_BURST", "Requests a client may send at once")
    client_queries: int = _setting(
        2, "CARNETS_CLIENT_QUERIES", "SPARQL queries a client may have running at once (0: any)"
    )
    trusted_proxies: int = _setting(
        0,
        "CARNETS_TRUSTED_PROXIES",
        "Reverse proxies in front whose X-Forwarded-For names the client (0: none)",
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

    @cached_property
    def edition(self) -> EditionConfig:
        """The edition's own configuration (edition.toml in the root)."""
        return EditionConfig.load(self.root)

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
        if not settings.base:
            settings = replace(settings, base=settings.edition.base)
        if not settings.base.endswith(("/", "#")):
            raise ConfigError(f"CARNETS_BASE must end with '/' or '#': {settings.base!r}")
        return settings

    def for_edition(self, root: Path) -> Settings:
        """These settings for the edition in `root`: its own base, the server's the same."""
        edition = EditionConfig.load(root)
        build_dir = self.build_dir / edition.name if self.build_dir else None
        settings = replace(self, root=root, base=edition.base, editions=(), build_dir=build_dir)
        settings.__dict__["edition"] = edition  # read once
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
        if type_name == "tuple[Path, ...]":
            return tuple(Path(part) for part in raw.split())
        if type_name.startswith("tuple"):
            return tuple(raw.split())
        if type_name == "bool":
            return _boolean(raw)
    except ValueError as error:
        raise ConfigError(f"setting {name}: cannot read {raw!r}: {error}") from error
    return raw


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false (1/0, yes/no, on/off)")
