"""``journey data``: list, fetch and verify the registry's datasets."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table

from nlpjourney import data as registry
from nlpjourney.data import store
from nlpjourney.errors import JourneyError

app = typer.Typer(help="Datasets and packaged models: list, fetch, verify.", no_args_is_help=True)
console = Console()


def human_size(n: int) -> str:
    """A byte count for people, in powers of 1000.

    >>> human_size(1_115_394)
    '1.1 MB'
    """
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


@app.command("list")
def list_() -> None:
    """Every dataset: size, licence, and where it was found (or "missing")."""
    table = Table("name", "size", "licence", "found", "description", show_lines=False)
    for dataset in registry.REGISTRY.values():
        place = registry.locate(dataset)
        found = f"[green]{place.kind}[/]" if place else "[red]missing[/]"
        licence = dataset.licence + (" [dim](research use)[/]" if dataset.research_only else "")
        table.add_row(dataset.name, human_size(dataset.size), licence, found, dataset.description)
    console.print(table)
    mirror = registry.mirror_root()
    console.print(
        f"mirror: {mirror or 'not set (NLPJOURNEY_DATA_MIRROR)'}   cache: {registry.cache_root()}"
    )


@contextmanager
def shown_warnings() -> Iterator[None]:
    """Print the data warnings raised inside (a damaged copy skipped) as one yellow line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", registry.DataWarning)
        try:
            yield
        finally:
            for warning in caught:
                if issubclass(warning.category, registry.DataWarning):
                    console.print(
                        f"[yellow]![/] {warning.message}", highlight=False, soft_wrap=True
                    )
                else:
                    warnings.showwarning(
                        warning.message, warning.category, warning.filename, warning.lineno
                    )


@app.command("fetch")
def fetch(
    names: list[str] = typer.Argument(None, help="Dataset names (see `journey data list`)."),
    all_: bool = typer.Option(False, "--all", help="Fetch every dataset."),
    force: bool = typer.Option(
        False, "--force", help="Download again even if a good copy is present."
    ),
) -> None:
    """Download datasets into the cache, checksums verified.

    A dataset is marked ✓ only once every one of its files matches the registry's SHA-256;
    a damaged copy is replaced, or the line says what to reinstall or re-download.
    """
    if all_:
        names = list(registry.REGISTRY)
    if not names:
        raise JourneyError(
            "name a dataset to fetch, or pass --all; `journey data list` shows them."
        )
    for name in names:
        registry.get(name)  # fail on a typo before downloading anything
    failed = []
    for name in names:
        try:
            with shown_warnings():
                where = registry.fetch(name, force=force)
        except JourneyError as error:
            console.print(f"[red]✗[/] {name}: {error}", highlight=False, soft_wrap=True)
            failed.append(name)
            continue
        package = registry.get(name).package
        note = (
            f" (ships in package {store.distribution_name(package)}: verified, nothing to download)"
            if package
            else ""
        )
        console.print(f"[green]✓[/] {name}: {where}{note}", highlight=False, soft_wrap=True)
    if failed:
        console.print(f"{len(failed)} of {len(names)} not fetched: {', '.join(failed)}")
        raise typer.Exit(1)


@app.command("verify")
def verify(
    names: list[str] = typer.Argument(None, help="Datasets to check (default: all)."),
) -> None:
    """Hash every copy found on disk (mirror, cache, package) against the registry's SHA-256.

    Exits 1 when a dataset asked for has no good copy; a damaged copy that a good one
    elsewhere stands in for is reported with its repair, but does not fail.
    """
    for name in names or []:
        registry.get(name)  # fail on a typo before hashing anything
    checks = registry.verify(names or None)
    bad = [c for c in checks if c.status == "mismatch"]
    missing = [c for c in checks if c.status == "missing"]
    good = {(c.dataset, c.file.name) for c in checks if c.status == "ok"}
    unusable = set()
    for c in bad:
        dataset = registry.get(c.dataset)
        repair = store.repair_advice(dataset, c.kind)
        if (c.dataset, c.file.name) in good:
            console.print(
                f"[yellow]! checksum mismatch[/] {c.path} ({c.dataset}, {c.kind} copy; "
                f"a good copy elsewhere is used instead); to repair it: {repair}",
                highlight=False,
                soft_wrap=True,
            )
        else:
            unusable.add(c.dataset)
            console.print(
                f"[red]✗ checksum mismatch[/] {c.path} ({c.dataset}, {c.kind} copy); "
                f"to repair it: {repair}",
                highlight=False,
                soft_wrap=True,
            )
    if names:  # datasets asked for by name must be there
        for c in missing:
            console.print(f"[red]✗ missing[/] {c.dataset}/{c.file.name}")
    missing_sets = sorted({c.dataset for c in missing})
    ok = len(checks) - len(bad) - len(missing)
    console.print(
        f"{ok} files verified, {len(bad)} mismatched, {len(missing)} missing"
        + (f" ({', '.join(missing_sets)})" if missing_sets else "")
    )
    if unusable or (names and missing):
        raise typer.Exit(1)


@app.command("path")
def path(name: str = typer.Argument(..., help="Dataset name.")) -> None:
    """Print where a dataset is on disk (its file, or its folder when it has several)."""
    with shown_warnings():
        where = registry.path(name)
    typer.echo(str(where))
