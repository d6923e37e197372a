"""`carnets serve`: the publisher on waitress, with one log line per request.

Start-up prepares the validated release (reused when the input files have not changed) and
refuses to serve if the edition does not validate, printing the report instead.

Slow clients are bounded here, where the connections are: waitress reads every connection in
one event loop and hands only whole requests to its threads, so a client that sends its
headers a byte at a time holds a connection, not a thread. The server holds up to
CARNETS_CONNECTION_LIMIT of them (polled with poll(2), which has no 1024-descriptor ceiling),
closes a connection idle for CARNETS_CHANNEL_TIMEOUT seconds, and closes one whose request has
been arriving for longer than CARNETS_REQUEST_TIMEOUT seconds however steadily it trickles.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import click
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer

from carnets.config import Settings
from carnets.errors import CarnetsError, ValidationFailed

log = logging.getLogger("carnets.access")


class RequestLog:
    """WSGI middleware: `METHOD path status bytes ms` for every request, once it is answered."""

    def __init__(self, app: Callable, logger: logging.Logger = log) -> None:
        self.app = app
        self.logger = logger

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, str] = {}

        def recording_start(status: str, headers: list, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            query = environ.get("QUERY_STRING")
            # SCRIPT_NAME: the mount of a further edition (carnets.editions), "" otherwise.
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            path += f"?{query[:200]}" if query else ""
            self.logger.info(
                '%s "%s %s" %s %d %.1fms',
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD"),
                path,
                seen.get("status", "-"),
                size,
                (time.perf_counter() - started) * 1000,
            )


class TimedRequestParser(HTTPRequestParser):
    """waitress's request parser, knowing when the first byte of its request arrived."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.time()  # waitress's maintenance clock is time.time()


class TimedChannel(HTTPChannel):
    parser_class = TimedRequestParser


class Server(TcpWSGIServer):
    """waitress's TCP server, which also cuts off a request that takes too long to arrive.

    waitress closes a connection only once it has been silent for `channel_timeout`, so a
    client that sends a byte every few seconds keeps its connection for ever.
    """

    channel_class = TimedChannel

    def __init__(self, application: Callable, request_timeout: float, **adjustments) -> None:
        self.request_timeout = request_timeout
        super().__init__(application, adj=Adjustments(**adjustments))

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - self.request_timeout
        for channel in list(self.active_channels.values()):
            arriving = channel.request
            if arriving is not None and not channel.requests and arriving.started < cutoff:
                channel.will_close = True


class CannotListen(CarnetsError):
    """The server's address or port cannot be had (taken, reserved, not this machine's)."""


def make_server(app: Callable, settings: Settings) -> Server:
    """A waitress server for a WSGI app, logging each request and bounding every connection;
    bound to its port (OSError if it is taken) but not yet running."""
    return Server(
        RequestLog(app),
        settings.request_timeout,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="carnets",
        connection_limit=settings.connection_limit,
        asyncore_use_poll=True,
        channel_timeout=settings.channel_timeout,
        cleanup_interval=max(1, min(settings.channel_timeout, settings.request_timeout) // 5),
        max_request_header_size=settings.max_header,
        max_request_body_size=settings.max_body,
        clear_untrusted_proxy_headers=not settings.trusted_proxies,
    )


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Let glibc keep `arenas` malloc arenas rather than one per busy thread (up to 8 a core).

    Each arena keeps the high-water mark of what its threads allocated, so 32 threads that
    each once read a large body hold hundreds of megabytes for good (the load test saw the
    server grow by 300 MB). Python allocates under its lock, so fewer arenas cost nothing.
    Must run before the threads start; a no-op where libc is not glibc.
    """
    name = ctypes.util.find_library("c")
    if sys.platform != "linux" or name is None:
        return
    m_arena_max = -8  # from glibc's malloc.h
    ctypes.CDLL(name).mallopt(m_arena_max, arenas)


def allow_open_files(connections: int) -> None:
    """Raise this process's limit on open files to hold `connections` (and some to spare)."""
    wanted = connections + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
    if raised < wanted:
        log.warning("open files are limited to %d: fewer than %d connections", raised, connections)


def check_can_listen(settings: Settings) -> None:
    """Bind the server's address once before anything starts, so that a port in use is one
    line of error rather than a store and its workers started for nothing."""
    if settings.port == 0:
        return
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
            probe.bind(address)
    except OSError as error:
        raise CannotListen(_cannot_listen(error, settings)) from None


def build_server(settings: Settings):
    """The production server for `settings`: validated release, store, app, waitress.

    The store comes first so that its query workers start while Flask is being imported.
    """
    from carnets.export import prepare_release
    from carnets.store import open_store

    check_can_listen(settings)
    if settings.editions:  # several editions: one store, the first at /, the others at /{name}/
        from carnets.editions import create_site

        site, store, lease = create_site(settings)
        try:
            server = make_server(site, settings)
        except OSError as error:
            store.close()
            raise CannotListen(_cannot_listen(error, settings)) from None
        server.carnets_lease = lease  # the union store is not pruned while the server runs
        return server
    release = prepare_release(settings)
    store = open_store(settings, release.store_path, snapshot=release.dump_path("carnets.nq"))
    try:
        from carnets.web import create_app

        app = create_app(settings, store, release, owns_store=True)
        try:
            return make_server(app, settings)
        except OSError as error:
            raise CannotListen(_cannot_listen(error, settings)) from None
    except BaseException:
        store.close()
        raise


@click.command()
@click.option("--host", help="Address to listen on (env CARNETS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (env CARNETS_PORT, default 8000).")
@click.option("--threads", type=int, help="Threads (env CARNETS_THREADS, default 32).")
@click.option("--base", help="Base URI of the resources (env CARNETS_BASE).")
@click.option(
    "--edition",
    "editions",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Root of a further edition to serve at /{name}/ (repeatable; env CARNETS_EDITIONS).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    threads: int | None,
    base: str | None,
    editions: tuple[Path, ...],
) -> None:
    """Serve the validated edition(s): SPARQL endpoint, resource pages, dumps (waitress)."""
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()
    overrides = {
        "host": host,
        "port": port,
        "threads": threads,
        "base": base,
        "editions": (*settings.editions, *editions) if editions else None,
    }
    settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    allow_open_files(settings.connection_limit)
    limit_malloc_arenas()
    try:
        server = build_server(settings)
    except ValidationFailed as failure:
        report = failure.report
        click.echo(report.text() if hasattr(report, "text") else str(report), err=True)
        click.echo("error: the edition does not validate; nothing is served", err=True)
        sys.exit(1)
    except CarnetsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(
        f"Carnets serving {settings.base} at http://{settings.host}:{server.effective_port}/ "
        f"(SPARQL at /sparql)",
        err=True,
    )
    for root in settings.editions:
        further = settings.for_edition(root)
        click.echo(f"  and {further.base} at /{further.edition.name}/", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _cannot_listen(error: OSError, settings: Settings) -> str:
    """One line saying why the server cannot listen, instead of waitress's traceback."""
    where = f"port {settings.port} on {settings.host}"
    if error.errno == errno.EADDRINUSE:
        return f"{where} is in use by another program; choose another with --port"
    if error.errno == errno.EACCES:
        return f"{where} is reserved for the administrator; choose a port above 1023"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{settings.host} is not an address of this machine; see --host"
    return f"cannot listen on {where}: {error.strerror or error}"
