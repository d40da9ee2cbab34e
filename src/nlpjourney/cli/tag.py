"""``journey tag``: options around :mod:`nlpjourney.apps.tagging`.

``journey tag train --data ud_english_lines --model perceptron`` trains a part-of-speech
tagger, prints its held-out accuracy and saves it (``runs/tag-perceptron``);
``journey tag predict runs/tag-perceptron sentences.txt`` prints ``word/TAG`` lines (or,
for a ``.conllu`` file, the file with its UPOS column filled in). This module parses
options, calls the workflow and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Part-of-speech taggers: train one, tag text with it.", no_args_is_help=True)


@app.command("train")
def train_command(
    data: str = typer.Option(
        "ud_english_lines",
        "--data",
        help="ud_english_lines, treebank, or a FILE.conllu (FORM and UPOS).",
    ),
    model: str = typer.Option("perceptron", "--model", help="perceptron or hmm."),
    out: Path | None = typer.Option(None, "--out", help="Model folder (runs/tag-<model>)."),
    force: bool = typer.Option(False, "--force", help="Replace the tagger already in --out."),
    n_iter: int = typer.Option(5, "--n-iter", help="Perceptron passes over the data."),
    beam_size: int = typer.Option(1, "--beam-size", help="Perceptron beam (1: greedy)."),
) -> None:
    """Train a tagger, print its held-out accuracy, and save it."""
    from nlpjourney.apps.tagging import TagTrainConfig, train_tagger

    config = TagTrainConfig(
        data, model, out_dir=out, force=force, n_iter=n_iter, beam_size=beam_size
    )
    result = train_tagger(config, echo=typer.echo)
    typer.echo(f"wrote {result.folder}/; tag with: journey tag predict {result.folder} FILE")


@app.command("predict")
def predict_command(
    model_dir: Path = typer.Argument(..., help="A folder made by `journey tag train`."),
    file: Path = typer.Argument(
        ..., help="One sentence per line (tokens split by spaces), or a .conllu file."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of printing."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
) -> None:
    """Tag a file with a saved tagger."""
    from nlpjourney.apps.tagging import TagPredictConfig, predict_tags

    text = predict_tags(TagPredictConfig(model_dir, file, out=out, force=force), echo=typer.echo)
    if out is None:
        typer.echo(text, nl=False)
