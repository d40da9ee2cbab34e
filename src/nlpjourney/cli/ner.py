"""``journey ner train|predict``: options around :mod:`nlpjourney.apps.ner`.

``journey ner train --model crf --out runs/ner-crf`` trains an entity tagger on
CoNLL-2003 (or ``--train FILE --dev FILE`` in CoNLL columns), prints the development
entity F1 and a per-type report, and saves the model folder; ``journey ner predict
runs/ner-crf FILE`` adds a predicted tag column to a file in CoNLL columns. The work is
:func:`~nlpjourney.apps.ner.train_ner` and :func:`~nlpjourney.apps.ner.predict_ner`; this
module parses options, calls them and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Named entity recognition: train a tagger and tag files.")


@app.callback()
def _ner() -> None:
    """Named entity recognition (topic 2.6): a CRF or a neural tagger on CoNLL-2003."""


@app.command("train")
def train_command(
    out: Path = typer.Option(..., "--out", help="The model folder to write."),
    model: str = typer.Option("crf", "--model", help="crf, bilstm-crf or bert."),
    train: Path | None = typer.Option(
        None, "--train", help="Training file in CoNLL columns, tag last (default: CoNLL-2003)."
    ),
    dev: Path | None = typer.Option(None, "--dev", help="Development file in CoNLL columns."),
    max_iter: int | None = typer.Option(
        None, "--max-iter", help="CRF L-BFGS iterations (default 150)."
    ),
    c2: float = typer.Option(1.0, "--c2", help="CRF L2 coefficient."),
    epochs: int | None = typer.Option(None, "--epochs", help="Neural training epochs."),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda (neural models)."),
    force: bool = typer.Option(False, "--force", help="Replace the model already in --out."),
) -> None:
    """Train an entity tagger, print its development F1 and per-type report, and save it."""
    from nlpjourney.apps.ner import NerRunConfig, train_ner

    config = NerRunConfig(
        out_dir=out, model=model, train_file=train, dev_file=dev, max_iter=max_iter, c2=c2,
        epochs=epochs, device=device, force=force,
    )  # fmt: skip
    result = train_ner(config, echo=typer.echo)
    typer.echo(f"trained in {result.seconds:.1f} s")
    if result.f1 is not None:
        typer.echo(result.report or "")
        typer.echo(f"dev entity F1: {100 * result.f1:.2f} ({result.n_dev} sentences)")
    typer.echo(
        f"wrote {result.out_dir}/; tag a file with: journey ner predict {result.out_dir} FILE"
    )


@app.command("predict")
def predict_command(
    model_dir: Path = typer.Argument(..., help="A folder written by journey ner train."),
    file: Path = typer.Argument(
        ..., help="Tokens in CoNLL columns, a blank line between sentences."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of to stdout."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
) -> None:
    """Add a predicted entity tag column to FILE."""
    from nlpjourney.apps.ner import NerPredictConfig, predict_ner

    text = predict_ner(NerPredictConfig(model_dir, file, out=out, force=force))
    if out is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote {out}")
