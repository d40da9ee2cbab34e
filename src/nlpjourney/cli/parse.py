"""``journey parse train|predict|eval``: options around :mod:`nlpjourney.apps.parse`.

``journey parse train --model neural --out runs/parser`` trains a dependency parser on UD
English LinES and prints its dev UAS and LAS; ``journey parse predict runs/parser
my.conllu`` writes the parsed CoNLL-U (stdout, or ``--out``; ``--draw DIR`` pictures each
tree; ``--tagger DIR`` tags plain text first); ``journey parse eval gold.conllu pred.conllu`` prints UAS and LAS. This module
parses options, calls the workflow and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Dependency parsing: train a parser, parse CoNLL-U, score a parse.")


@app.callback()
def _parse() -> None:
    """Dependency parsing (topic 2.7): transition parsers trained and used."""


@app.command("train")
def train_command(
    model: str = typer.Option("neural", "--model", help="perceptron or neural."),
    data: str = typer.Option(
        "ud_english_lines", "--data", help="ud_english_lines or a CoNLL-U training file."
    ),
    dev: Path | None = typer.Option(
        None, "--dev", help="A CoNLL-U dev file (default: LinES dev for ud_english_lines)."
    ),
    out: Path = typer.Option(..., "--out", help="The model folder."),
    epochs: int | None = typer.Option(None, "--epochs", help="Training passes."),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda (neural parser)."),
    lstm: int | None = typer.Option(
        None, "--lstm", help="Neural parser: BiLSTM size per direction (0: plain C&M features)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the parser already in --out."),
) -> None:
    """Train a parser, print its dev UAS/LAS and save it to --out."""
    from nlpjourney.apps.parse import ParseTrainConfig, train_parser

    config = ParseTrainConfig(model=model, data=data, out_dir=out, dev=dev, epochs=epochs,
                              force=force, device=device, lstm=lstm)  # fmt: skip
    result = train_parser(config, echo=typer.echo)
    if result.dev_uas is not None:
        typer.echo(f"dev UAS {result.dev_uas:.2f}  LAS {result.dev_las:.2f}")
    typer.echo(f"trained in {result.seconds:.0f} s; wrote {result.folder}/")


@app.command("predict")
def predict_command(
    model_dir: Path = typer.Argument(..., help="A folder written by journey parse train."),
    file: Path = typer.Argument(
        ..., help="CoNLL-U with UPOS, or (with --tagger) text: one sentence a line."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the CoNLL-U here (not stdout)."),
    draw: Path | None = typer.Option(None, "--draw", help="Draw each tree as DIR/<n>.svg."),
    force: bool = typer.Option(False, "--force", help="Replace --out and --draw's pictures."),
    tagger: Path | None = typer.Option(
        None, "--tagger", help="A folder from `journey tag train`: tag FILE's words first."
    ),
) -> None:
    """Parse FILE with a saved parser and print (or write) the CoNLL-U."""
    from nlpjourney.apps.parse import ParsePredictConfig, predict_parse

    config = ParsePredictConfig(model_dir, file, out=out, draw=draw, force=force, tagger=tagger)
    text = predict_parse(config)
    if out is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote {out}")
    if draw is not None:
        typer.echo(f"drew the trees in {draw}/")


@app.command("eval")
def eval_command(
    gold: Path = typer.Argument(..., help="The gold CoNLL-U file."),
    predicted: Path = typer.Argument(..., help="The predicted CoNLL-U file (same words)."),
) -> None:
    """Print the UAS and LAS of PREDICTED against GOLD (CoNLL 2018 counting)."""
    from nlpjourney.apps.parse import evaluate_parse

    scores = evaluate_parse(gold, predicted)
    typer.echo(f"UAS {scores['uas']:.2f}  LAS {scores['las']:.2f}")
