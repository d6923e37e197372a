"""`carnets link`: find Wikidata candidates, accept reviewed ones, check published links.

Thin click commands over the linking modules; the group is registered on the main `carnets`
command, whose context object is the Settings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from carnets.config import Settings
from carnets.errors import CarnetsError

DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 4
DEFAULT_BATCH = 40


def _settings(ctx: click.Context) -> Settings:
    if isinstance(ctx.obj, Settings):
        return ctx.obj
    return Settings.from_env()


def _client(settings: Settings, endpoint, timeout, attempts, batch_size):
    from carnets.linking.wikidata import WikidataClient

    return WikidataClient(
        endpoint=endpoint or settings.wikidata_endpoint,
        user_agent=settings.user_agent,
        timeout=timeout,
        attempts=attempts,
        batch_size=batch_size,
    )


@contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (shown only on a terminal), as a callback taking a step size."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def endpoint_options(command):
    """The options every command that talks to Wikidata shares."""
    for option in reversed(
        [
            click.option(
                "--endpoint", help="SPARQL endpoint (default: CARNETS_WIKIDATA_ENDPOINT)."
            ),
            click.option(
                "--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
                help="Seconds to wait for each answer.",
            ),
            click.option(
                "--attempts", type=click.IntRange(1), default=DEFAULT_ATTEMPTS, show_default=True,
                help="Tries per request on 429, 5xx, timeouts and dropped connections, "
                "with back-off.",
            ),
            click.option(
                "--batch-size", type=click.IntRange(1), default=DEFAULT_BATCH, show_default=True,
                help="Resources per request (VALUES batching).",
            ),
        ]
    ):  # fmt: skip
        command = option(command)
    return command


@click.group()
def link() -> None:
    """Link the edition's people, works and places to Wikidata, with review."""


@link.command()
@endpoint_options
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(["person", "work", "place"]),
    help="Only these kinds of resources (repeatable).",
)  # fmt: skip
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Review file (default: data/review/wikidata-candidates.ttl).",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Print the review file instead of writing it.")
@click.pass_context
def wikidata(ctx, endpoint, timeout, attempts, batch_size, kinds, output, dry_run) -> None:
    """Find candidates for every resource without a link; write them for review, never publish."""
    from carnets.linking.linker import find_candidates, read_entities, unlinked
    from carnets.linking.review import REVIEW_FILE, review_turtle, write_review

    settings = _settings(ctx)
    client = _client(settings, endpoint, timeout, attempts, batch_size)
    output = output or settings.data_dir / REVIEW_FILE
    try:
        backlog = unlinked(read_entities(settings))
        entities = unlinked(backlog, kinds)
        others = {e.iri for e in backlog} - {e.iri for e in entities}
        with _progress(len(entities), f"Looking up {len(entities)} resources") as step:
            run = find_candidates(entities, client, progress=step)
        text = (
            review_turtle(run, settings.base)
            if dry_run
            else write_review(output, run, settings.base, keep=others)
        )
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error
    if dry_run:
        click.echo(text)
    proposed, rejected = run.with_status("proposed"), run.with_status("rejected")
    tied = run.with_status("tied")
    click.echo(
        f"{len(entities)} resources looked up at {client.endpoint} in {client.requests_made} "
        f"requests: {len(proposed)} proposed, {len(tied)} tied, "
        f"{len(run.with_status('alternative'))} alternatives, {len(rejected)} rejected, "
        f"{len(run.unmatched())} without a proposal.",
        err=dry_run,
    )
    for candidate in proposed:
        click.echo(
            f"  {candidate.entity.path} -> {candidate.item.qid} {candidate.item.label} "
            f"(score {candidate.score:.2f})",
            err=dry_run,
        )
    for path in dict.fromkeys(c.entity.path for c in tied):
        items = [c for c in tied if c.entity.path == path]
        click.echo(
            f"  {path}: tie at {items[0].score:.2f} between "
            + ", ".join(f"{c.item.qid} {c.item.label}" for c in items)
            + f"; nothing proposed, choose with --id {path}=QID",
            err=dry_run,
        )
    if not dry_run:
        click.echo(
            f'wrote {output}; review it, mark candidates "accepted", run `carnets link accept`'
        )


@link.command()
@click.option(
    "--id", "ids", multiple=True,
    help="Accept this candidate: person/slug (its proposed item), person/slug=Q123, or an IRI.",
)  # fmt: skip
@click.option(
    "--review", type=click.Path(dir_okay=False, path_type=Path),
    help="Review file (default: data/review/wikidata-candidates.ttl).",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Print the links it would add; write nothing.")
@click.option(
    "--force", is_flag=True,
    help='Publish candidates named by --id even if the review file marks them "rejected".',
)  # fmt: skip
@click.pass_context
def accept(ctx, ids: tuple[str, ...], review: Path | None, dry_run: bool, force: bool) -> None:
    """Publish reviewed candidates ("accepted", or named by --id) in data/links-reviewed.ttl."""
    from carnets.linking.accept import append_links, choose, current_links, links_block, links_path
    from carnets.linking.review import REVIEW_FILE, read_review

    settings = _settings(ctx)
    review = review or settings.data_dir / REVIEW_FILE
    target = links_path(settings.data_dir)
    try:
        if not review.exists():
            raise CarnetsError(f"{review}: no review file; run `carnets link wikidata` first")
        choice = choose(read_review(review), ids, settings.base, current_links(target), force)
        for candidate, reason in choice.skipped:
            click.echo(f"skipped {candidate.subject} -> {candidate.qid}: {reason}", err=True)
        for candidate in choice.forced:
            click.echo(
                f"warning: {candidate.subject} -> {candidate.qid} was rejected in the review; "
                "publishing it because of --force",
                err=True,
            )
        if not choice.accepted:
            click.echo('nothing to accept: mark candidates "accepted" or give --id', err=True)
            return
        forced = frozenset(c.iri for c in choice.forced)
        block = links_block(choice.accepted, settings.base, forced=forced)
        if dry_run:
            click.echo(block)
            click.echo(f"would add {len(choice.accepted)} links to {target}", err=True)
            return
        append_links(target, block)
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error
    for candidate in choice.accepted:
        click.echo(f"linked {candidate.subject} -> {candidate.qid}")
    click.echo(f"added {len(choice.accepted)} links to {target}")


@link.command()
@endpoint_options
@click.pass_context
def check(ctx, endpoint, timeout, attempts, batch_size) -> None:
    """Compare every published link with its Wikidata item; exit 1 if any disagrees."""
    from carnets.linking.check import check_links
    from carnets.linking.linker import read_entities

    settings = _settings(ctx)
    client = _client(settings, endpoint, timeout, attempts, batch_size)
    try:
        entities = [e for e in read_entities(settings) if e.qid]
        with _progress(len(entities), f"Checking {len(entities)} links") as step:
            checks = check_links(entities, client, progress=step)
    except CarnetsError as error:
        raise click.ClickException(str(error)) from error
    bad = [c for c in checks if not c.agrees]
    for result in bad:
        for problem in result.problems:
            click.echo(f"{result.entity.path} -> {result.item.qid}: {problem}")
    click.echo(f"{len(checks)} links checked at {client.endpoint}: {len(bad)} disagree.")
    if bad:
        sys.exit(1)
