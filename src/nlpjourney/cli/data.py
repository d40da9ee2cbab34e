"""``journey data``: list, fetch and verify the registry's datasets."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from nlpjourney import data as registry
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


@app.command("fetch")
def fetch(
    names: list[str] = typer.Argument(None, help="Dataset names (see `journey data list`)."),
    all_: bool = typer.Option(False, "--all", help="Fetch every dataset."),
    force: bool = typer.Option(False, "--force", help="Download again even if present."),
) -> None:
    """Download datasets into the cache, checksums verified."""
    if all_:
        names = list(registry.REGISTRY)
    if not names:
        raise JourneyError(
            "name a dataset to fetch, or pass --all; `journey data list` shows them."
        )
    for name in names:
        registry.get(name)  # fail on a typo before downloading anything
    for name in names:
        where = registry.fetch(name, force=force)
        console.print(f"[green]✓[/] {name}: {where}")


@app.command("verify")
def verify(
    names: list[str] = typer.Argument(None, help="Datasets to check (default: all)."),
) -> None:
    """Check every file found on disk against the registry's SHA-256."""
    checks = registry.verify(names or None)
    bad = [c for c in checks if c.status == "mismatch"]
    missing = [c for c in checks if c.status == "missing"]
    for c in bad:
        console.print(
            f"[red]✗ checksum mismatch[/] {c.path} ({c.dataset}); fetch it again with "
            f"`journey data fetch {c.dataset} --force`"
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
    if bad or (names and missing):
        raise typer.Exit(1)


@app.command("path")
def path(name: str = typer.Argument(..., help="Dataset name.")) -> None:
    """Print where a dataset is on disk (its file, or its folder when it has several)."""
    typer.echo(str(registry.path(name)))
