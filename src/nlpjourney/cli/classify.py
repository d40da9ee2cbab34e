"""``journey classify train|predict``: options around :mod:`nlpjourney.apps.classify`.

``journey classify train sms-spam --model complement --features tfidf`` trains a naive
Bayes spam filter on the registry's SMS messages, prints the classification report, the
accuracy and the words that most mark spam and ham, and writes a run folder (``model/``,
``scores.json``, ``confusion.png``); ``journey classify predict "WIN a FREE prize"``
labels texts with the model trained last. The work is
:func:`~nlpjourney.apps.classify.train_classifier` and
:func:`~nlpjourney.apps.classify.classify_texts`; this module parses options, calls them
and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nlpjourney.cli.train import parse_seed

#: A text to try on each dataset's model.
EXAMPLES = {
    "sms-spam": "Congratulations, you won a prize! Call now",
    "movie-reviews": "a moving film with a wonderful cast",
}

app = typer.Typer(help="Text classification: train a naive Bayes classifier and use it.")


@app.callback()
def _classify() -> None:
    """Text classification (topic 2.1): a naive Bayes spam filter, trained and used."""


@app.command("train")
def train_command(
    dataset: str = typer.Argument(..., help="sms-spam or movie-reviews."),
    model: str = typer.Option(
        "multinomial", "--model", help="multinomial, bernoulli or complement naive Bayes."
    ),
    features: str = typer.Option("counts", "--features", help="counts or tfidf."),
    ngrams: int = typer.Option(1, "--ngrams", help="1: words; 2: words and word pairs."),
    alpha: float = typer.Option(1.0, "--alpha", help="Additive smoothing (1.0: Laplace)."),
    test_size: float = typer.Option(
        0.2, "--test-size", help="The share of texts held out for testing."
    ),
    seed: int = typer.Option(
        0, "--seed", parser=parse_seed, metavar="INTEGER", help="Seeds the train/test split."
    ),
    out: Path | None = typer.Option(None, "--out", help="Run folder (runs/classify-<dataset>)."),
    force: bool = typer.Option(False, "--force", help="Replace the model already in --out."),
) -> None:
    """Train a classifier on DATASET, print its test report and save it."""
    from nlpjourney.apps.classify import ClassifyRunConfig, train_classifier

    config = ClassifyRunConfig(
        dataset=dataset,
        model=model,
        features=features,
        ngrams=ngrams,
        alpha=alpha,
        test_size=test_size,
        seed=seed,
        out_dir=out,
        force=force,
    )
    result = train_classifier(config, echo=typer.echo)
    example = EXAMPLES.get(dataset, "some text")
    typer.echo(
        f"wrote {result.run_dir}/ (model/, scores.json, confusion.png); try: journey "
        f'classify predict "{example}" --model {result.run_dir}'
    )


@app.command("predict")
def predict_command(
    texts: list[str] = typer.Argument(..., help="The texts to label, each in quotes."),
    model: Path | None = typer.Option(
        None, "--model", help="A run or model folder; default: the latest run under runs/."
    ),
) -> None:
    """Label each text with a trained classifier and show the label's probability."""
    from nlpjourney.apps.classify import classify_texts

    folder, labelled = classify_texts(texts, model)
    typer.echo(f"labels from {folder}:")
    width = max(len(str(label)) for label, _ in labelled)
    for text, (label, probability) in zip(texts, labelled, strict=True):
        shown = text if len(text) <= 60 else text[:57] + "..."
        typer.echo(f"  {label!s:<{width}}  {probability:6.1%}  {shown}")
