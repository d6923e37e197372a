"""`carnets serve`: the publisher on waitress, with one log line per request.

Start-up prepares the validated release (reused when the input files have not changed) and
refuses to serve if the edition does not validate, printing the report instead.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

import click

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
            path = environ.get("PATH_INFO", "") + (f"?{query[:200]}" if query else "")
            self.logger.info(
                '%s "%s %s" %s %d %.1fms',
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD"),
                path,
                seen.get("status", "-"),
                size,
                (time.perf_counter() - started) * 1000,
            )


def make_server(app: Callable, settings: Settings):
    """A waitress server for a WSGI app, logging each request; not yet running."""
    import waitress

    return waitress.create_server(
        RequestLog(app),
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="carnets",
        channel_timeout=max(30, int(settings.query_timeout * 4)),
        clear_untrusted_proxy_headers=True,
    )


def build_server(settings: Settings):
    """The production server for `settings`: validated release, store, app, waitress.

    The store comes first so that its query workers start while Flask is being imported.
    """
    from carnets.export import prepare_release
    from carnets.store import open_store

    release = prepare_release(settings)
    store = open_store(settings, release.store_path, snapshot=release.dump_path("carnets.nq"))
    from carnets.web import create_app

    return make_server(create_app(settings, store, release, owns_store=True), settings)


@click.command()
@click.option("--host", help="Address to listen on (env CARNETS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (env CARNETS_PORT, default 8000).")
@click.option("--threads", type=int, help="Worker threads (env CARNETS_THREADS, default 8).")
@click.option("--base", help="Base URI of the resources (env CARNETS_BASE).")
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, threads: int | None, base: str | None
) -> None:
    """Serve the validated edition: SPARQL endpoint, resource pages, dumps (waitress)."""
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()
    overrides = {"host": host, "port": port, "threads": threads, "base": base}
    settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
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
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
