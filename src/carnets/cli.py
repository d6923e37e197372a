"""The `carnets` command: thin click commands over the library modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from carnets import __version__
from carnets.config import Settings
from carnets.errors import CarnetsError, ValidationFailed
from carnets.linking.commands import link
from carnets.web.serve import serve


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj


@contextmanager
def _exits(invalid: str) -> Iterator[None]:
    """Exit 1 with the validation report when the data is invalid, 2 on any other error."""
    try:
        yield
    except ValidationFailed as error:
        click.echo(f"error: {invalid}\n{error}", err=True)
        sys.exit(1)
    except CarnetsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


@click.group()
@click.version_option(__version__, prog_name="carnets")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding ontology/, data/, shapes/ (env CARNETS_ROOT).",
)
@click.option("--base", help="Base URI of the edition (env CARNETS_BASE).")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, base: str | None) -> None:
    """Build, validate, publish and link a notebook edition."""
    try:
        ctx.obj = Settings.from_env(root=root, base=base)
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--reference",
    is_flag=True,
    help="Validate with pySHACL, the reference engine, instead of the gate (slow on big editions).",
)
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], reference: bool) -> None:
    """Check the edition (or the given data files) against the shapes; exit 1 on violations."""
    from carnets.validation import validate as run_validation

    try:
        report = run_validation(_settings(ctx), extra=paths, reference=reference)
    except CarnetsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(report.text())
    if report.note:
        click.echo(f"note: {report.note}", err=True)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Counts per class, mentions, Wikidata links and the linking backlog."""
    from carnets.stats import edition_stats

    try:
        click.echo(edition_stats(_settings(ctx)).text())
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.option("--check", is_flag=True, help="Only report whether the built files are up to date.")
@click.pass_context
def build(ctx: click.Context, check: bool) -> None:
    """Regenerate data/texts.ttl, mentions.ttl and links.ttl from the sources."""
    from carnets.build import build_edition

    try:
        changed = build_edition(_settings(ctx), write=not check)
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error
    for path in changed:
        click.echo(f"{'out of date' if check else 'wrote'}: {path}")
    if check and changed:
        sys.exit(1)


@cli.command()
@click.option(
    "--into",
    required=True,
    metavar="URL",
    help="The engine's SPARQL Update endpoint (Oxigraph /update, Virtuoso /sparql-auth).",
)
@click.option(
    "--graph-store",
    metavar="URL",
    help="Its Graph Store Protocol endpoint, used first (Oxigraph /store, "
    "Virtuoso /sparql-graph-crud-auth).",
)
@click.option("--user", help="User for the engine's HTTP authentication (Digest or Basic).")
@click.option(
    "--password",
    envvar="CARNETS_LOAD_PASSWORD",
    help="Password for --user (or env CARNETS_LOAD_PASSWORD, kept out of the process list).",
)
@click.option(
    "--chunk",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Triples per request.",
)
@click.pass_context
def load(
    ctx: click.Context,
    into: str,
    graph_store: str | None,
    user: str | None,
    password: str | None,
    chunk: int,
) -> None:
    """Load the validated release into a remote SPARQL engine, replacing each of its graphs."""
    from carnets.export import prepare_release
    from carnets.store.load import RemoteEngine, load_dump

    try:
        release = prepare_release(_settings(ctx))
        engine = RemoteEngine(user=user, password=password, user_agent=_settings(ctx).user_agent)
        loads = load_dump(
            release.dump_path("carnets.nq"),
            into,
            graph_store=graph_store,
            engine=engine,
            chunk=chunk,
        )
    except ValidationFailed as error:
        raise click.ClickException(
            "the edition does not validate (see carnets validate); nothing was loaded"
        ) from error
    except CarnetsError as error:
        raise click.ClickException(str(error).splitlines()[0]) from error
    for graph in loads:
        click.echo(
            f"{graph.graph}: {graph.triples} triples in {graph.requests} requests ({graph.method})"
        )


# Commands that live with their modules: publishing and linking.
@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Replace entries whose text has changed.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.pass_context
def ingest(ctx: click.Context, files: tuple[Path, ...], replace: bool, dry_run: bool) -> None:
    """Add notebook text (plain text, Markdown or TEI P5) to the edition, validated first."""
    from carnets.ingest.run import ingest as run_ingest

    def progress(sections):
        with click.progressbar(sections, label="looking for unknown names", file=sys.stderr) as bar:
            yield from bar

    with _exits("the edition would not be valid; nothing was written"):
        outcome = run_ingest(
            _settings(ctx), files, replace=replace, dry_run=dry_run, progress=progress
        )
    click.echo(outcome.text())


@cli.group()
def export() -> None:
    """Export the edition in other formats."""


@export.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the TEI files (default: build/tei under the root).",
)
@click.pass_context
def tei(ctx: click.Context, output: Path | None) -> None:
    """Write each entry as TEI P5, its mentions as elements whose @ref is the resource URI."""
    from carnets.tei import export_tei

    settings = _settings(ctx)
    try:
        written = export_tei(settings, output or settings.root / "build" / "tei")
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error
    for path in written:
        click.echo(f"wrote: {path}")


@cli.command()
@click.option("--version", "version", metavar="V", help="Version name (default: the next number).")
@click.option(
    "--date",
    "when",
    metavar="DATE",
    help="Release date, YYYY-MM-DD or 'today' (default: SOURCE_DATE_EPOCH, else the dataset's "
    "dcterms:modified).",
)
@click.pass_context
def release(ctx: click.Context, version: str | None, when: str | None) -> None:
    """Publish the validated edition as a versioned release (dumps, checksums, DCAT, changelog)."""
    from carnets.releases import make_release

    with _exits("the edition does not validate; no release was made"):
        outcome = make_release(_settings(ctx), version, when)
    click.echo(outcome.text())


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "output",
    type=click.Choice(["words", "patch"]),
    default="words",
    show_default=True,
    help="Words for a reader, or an RDF Patch for a machine.",
)
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, output: str) -> None:
    """What changed from release OLD to release NEW (version names or release folders)."""
    from carnets.releases import diff_releases

    try:
        found = diff_releases(_settings(ctx), old, new)
    except CarnetsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if output == "patch":
        sys.stdout.buffer.write(found.patch())
    else:
        click.echo(found.words(heading_level=1), nl=False)


cli.add_command(serve)
cli.add_command(link)
