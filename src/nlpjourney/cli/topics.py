"""``journey topics``: options around :func:`nlpjourney.apps.topics.find_topics`.

``journey topics --dataset state_union --k 10`` fits ten topics to the paragraphs of the
State of the Union addresses, prints each topic's top words and its coherence, and
writes ``topics.json`` and ``topics.png`` (mean topic share by year) into a run folder.
This module parses options, calls the workflow and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nlpjourney.cli.train import parse_seed


def topics(
    dataset: str = typer.Option(
        "state_union", "--dataset", help="state_union (paragraphs, by year) or brown (by genre)."
    ),
    k: int = typer.Option(10, "--k", help="How many topics (2 to 100)."),
    method: str = typer.Option(
        "nmf", "--method", help="nmf (on TF-IDF), lda (online variational Bayes) or gibbs."
    ),
    seed: int = typer.Option(
        0, "--seed", parser=parse_seed, metavar="INTEGER", help="Seeds the model."
    ),
    top: int = typer.Option(10, "--top", help="Words shown and scored per topic."),
    out: Path | None = typer.Option(None, "--out", help="Run folder (runs/topics-<dataset>)."),
    force: bool = typer.Option(False, "--force", help="Replace the topics already in --out."),
) -> None:
    """Find the topics of a corpus, print them with their coherence, and draw their spread."""
    from nlpjourney.apps.topics import TopicsRunConfig, find_topics

    config = TopicsRunConfig(
        dataset=dataset, k=k, method=method, seed=seed, top=top, out_dir=out, force=force
    )
    result = find_topics(config, echo=typer.echo)
    typer.echo(f"wrote {result.run_dir}/ (topics.json, topics.png)")
