"""``journey cluster``: options around :mod:`nlpjourney.apps.cluster`.

``journey cluster --dataset sms_spam --k 8`` clusters the registry's SMS messages by their
TF-IDF, prints each cluster's size, top terms and label mix, then purity, NMI and adjusted
Rand index against the ham/spam labels, and writes ``scores.json`` and ``clusters.png``
into a run folder. The work is :func:`~nlpjourney.apps.cluster.cluster_corpus`; this
module parses options, calls it and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nlpjourney.cli.train import parse_seed


def cluster(
    dataset: str = typer.Option(
        "sms-spam", "--dataset", help="sms-spam, movie-reviews or brown (_ works for -)."
    ),
    k: int = typer.Option(8, "--k", help="The number of clusters (at least 2)."),
    method: str = typer.Option(
        "kmeans", "--method", help="kmeans, spherical (cosine) or agglomerative (Ward on LSA)."
    ),
    seed: int = typer.Option(
        0, "--seed", parser=parse_seed, metavar="INTEGER", help="Seeds the k-means starts."
    ),
    max_features: int | None = typer.Option(
        None, "--max-features", help="Keep only this many most frequent terms."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Run folder (runs/cluster-<dataset>-<method>)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace a run already in --out."),
) -> None:
    """Cluster a labelled corpus by TF-IDF and score the clusters against its labels."""
    from nlpjourney.apps.cluster import ClusterRunConfig, cluster_corpus

    config = ClusterRunConfig(dataset=dataset, k=k, method=method, seed=seed,
                              max_features=max_features, out_dir=out, force=force)  # fmt: skip
    result = cluster_corpus(config, echo=typer.echo)
    typer.echo(f"wrote {result.run_dir}/ (scores.json, clusters.png)")
