"""``journey embeddings train|neighbours``: options around :mod:`nlpjourney.apps.embeddings`.

``journey embeddings train --corpus brown+webtext --model sg`` trains word vectors on the
registry's English text (progress bars with words/s and ETA on a terminal), writes a run
folder (``vectors.npz``, ``vectors.bin``, ``scores.json``, ``words.png``) and prints the
evaluation row; ``journey embeddings neighbours money`` lists the closest words in the
latest run. The work is :func:`~nlpjourney.apps.embeddings.train_embeddings` and
:func:`~nlpjourney.apps.embeddings.neighbours`; this module parses options, calls them
and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nlpjourney.cli.train import parse_seed, stopped_early

app = typer.Typer(help="Word embeddings: train, evaluate and query word vectors.")


@app.callback()
def _embeddings() -> None:
    """Word embeddings (topic 1.5): train word2vec, FastText, GloVe or PPMI-SVD vectors."""


@app.command("train")
def train_command(
    corpus: str = typer.Option(
        "brown+webtext",
        "--corpus",
        help="Corpora joined with '+': brown, webtext, inaugural, state_union, "
        "movie_reviews, tinyshakespeare, multi30k, or all.",
    ),
    model: str = typer.Option("sg", "--model", help="sg, cbow, fasttext, glove or ppmi."),
    dim: int = typer.Option(100, "--dim", help="Dimensions of each vector."),
    window: int | None = typer.Option(
        None, "--window", help="Context words each side (default: 10 for glove, else 5)."
    ),
    min_count: int = typer.Option(5, "--min-count", help="Ignore words seen fewer times."),
    epochs: int | None = typer.Option(
        None, "--epochs", help="Passes over the text or counts (default: the model's)."
    ),
    workers: int = typer.Option(2, "--workers", help="Worker threads (word2vec models)."),
    seed: int = typer.Option(
        1, "--seed", parser=parse_seed, metavar="INTEGER", help="Seeds every random draw."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Run folder (runs/embeddings-<model>-<corpus>)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the vectors already in --out."),
) -> None:
    """Train word vectors, evaluate them (WordSim-353, SimLex-999, analogies) and save them."""
    from nlpjourney.apps.embeddings import EmbeddingsRunConfig, train_embeddings

    config = EmbeddingsRunConfig(
        corpus=corpus,
        model=model,
        dim=dim,
        window=window,
        min_count=min_count,
        epochs=epochs,
        workers=workers,
        seed=seed,
        out_dir=out,
        force=force,
    )
    try:
        result = train_embeddings(config, echo=typer.echo)
    except KeyboardInterrupt:
        stopped_early()
    typer.echo(
        f"wrote {result.run_dir}/ (vectors.npz, vectors.bin, scores.json, words.png); "
        f"try: journey embeddings neighbours WORD --vectors {result.run_dir}"
    )


@app.command("neighbours")
def neighbours_command(
    word: str = typer.Argument(..., help="The word whose neighbours to list."),
    vectors: Path | None = typer.Option(
        None,
        "--vectors",
        help="A run folder, a vectors.npz, or a word2vec file (.bin binary, else text); "
        "default: the latest run under runs/.",
    ),
    topn: int = typer.Option(10, "--topn", help="How many neighbours."),
) -> None:
    """List the words closest to WORD by cosine similarity."""
    from nlpjourney.apps.embeddings import neighbours

    source, close = neighbours(word, vectors, topn)
    typer.echo(f"closest to {word!r} in {source}:")
    for other, similarity in close:
        typer.echo(f"  {similarity:6.3f}  {other}")
