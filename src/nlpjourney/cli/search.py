"""``journey search``: options around :mod:`nlpjourney.apps.search`.

``journey search index cranfield`` builds a BM25 search folder (``runs/search-cranfield``)
over a registry dataset or a folder of text files; ``journey search query "boundary layer"``
prints the best documents with a snippet each, the matched words marked (bold on a
terminal, ``[in brackets]`` elsewhere). This module parses options, calls the workflow
and prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

app = typer.Typer(
    help="A BM25 search engine over a dataset or your own text files.", no_args_is_help=True
)


@app.command("index")
def index_command(
    source: str = typer.Argument(
        ...,
        help="A folder of .txt/.md/.rst files, or a dataset: cranfield, sms_spam, "
        "movie_reviews, state_union, brown.",
    ),
    out: Path | None = typer.Option(None, "--out", help="Search folder (runs/search-<name>)."),
    force: bool = typer.Option(False, "--force", help="Replace the index already in --out."),
    method: str = typer.Option(
        "lucene", "--method", help="BM25 variant: lucene, robertson, atire, bm25l or bm25+."
    ),
    k1: float = typer.Option(1.5, "--k1", help="Term-frequency saturation (>= 0)."),
    b: float = typer.Option(0.75, "--b", help="Length normalisation, from 0 to 1."),
) -> None:
    """Index a dataset or a folder of text files for `journey search query`."""
    from nlpjourney.apps.search import SearchIndexConfig, build_index

    config = SearchIndexConfig(source, out_dir=out, force=force, method=method, k1=k1, b=b)
    folder = build_index(config, echo=typer.echo)
    typer.echo(f'wrote {folder}/; search it with: journey search query "..."')


@app.command("query")
def query_command(
    text: str = typer.Argument(..., help="What to search for, in plain words."),
    index: str | None = typer.Option(
        None, "--index", help="A search folder or its name (default: the newest in runs/)."
    ),
    k: int = typer.Option(10, "--k", help="How many documents to show (1 to 100)."),
    color: bool | None = typer.Option(
        None, "--color/--no-color", help="Bold matches (default: on a terminal only)."
    ),
) -> None:
    """Search an index built by `journey search index` and show the best documents."""
    from nlpjourney.apps.search import SearchConfig, query_index

    hits = query_index(SearchConfig(text, index_dir=index, k=k), echo=typer.echo)
    if not hits:
        typer.echo("no document contains any of the query's words")
        return
    bold = sys.stdout.isatty() if color is None else color
    for hit in hits:
        typer.echo(f"{hit.rank:>3}. {hit.score:7.3f}  {hit.title}")
        marked = (_mark(piece, bold) if matched else piece for piece, matched in hit.snippet)
        typer.echo("       " + "".join(marked), color=bold)


def _mark(word: str, bold: bool) -> str:
    return typer.style(word, bold=True, fg="yellow") if bold else f"[{word}]"
