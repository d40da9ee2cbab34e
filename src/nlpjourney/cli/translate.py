"""``journey train translator`` and ``journey translate``: options around the translator app.

``journey train translator --pair de-en`` trains a Multi30k translator into
``runs/translator-de-en`` and scores the 2016 test set with sacreBLEU;
``journey translate runs/translator-de-en "Ein Hund läuft."`` translates with it. The
work is :mod:`nlpjourney.apps.translator`; this module parses options, calls it and prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nlpjourney.apps.translator import (
    PAIRS,
    RECIPES,
    TEST_SPLIT,
    TranslatorRunConfig,
    evaluate_bleu,
    load_translator,
    train_translator,
)
from nlpjourney.cli.train import THREADS_OPTION, set_threads
from nlpjourney.errors import JourneyError


def train_translator_command(
    pair: str = typer.Option("de-en", "--pair", help=f"Source-target: {', '.join(PAIRS)}."),
    preset: str = typer.Option(
        "multi30k", "--preset", help=f"Model and recipe: {', '.join(RECIPES)}."
    ),
    max_steps: int | None = typer.Option(
        None, "--max-steps", help="Optimizer steps; the lr decays to its minimum here."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out-dir", "--out", help="Run folder (runs/translator-<pair>)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out-dir."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out-dir."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:1, ..."),
    beam_size: int = typer.Option(4, "--beam-size", help="Beams for the test-set BLEU."),
    bleu: bool = typer.Option(True, "--bleu/--no-bleu", help="Score the 2016 test set."),
    seed: int = typer.Option(1337, "--seed", help="Seeds the model's init and the batches."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Train a transformer translator on Multi30k, then score it with sacreBLEU."""
    config = TranslatorRunConfig(pair=pair, preset=preset, max_steps=max_steps, out_dir=out_dir,
                                 resume=resume, overwrite=overwrite, device=device,
                                 seed=seed)  # fmt: skip
    set_threads(threads)
    translator = train_translator(config, echo=typer.echo)
    out = config.run_dir
    if bleu:
        score, seconds = evaluate_bleu(translator, TEST_SPLIT, beam_size)
        typer.echo(
            f"BLEU {score:.2f} on Multi30k {TEST_SPLIT} {pair} (beam {beam_size}, {seconds:.0f} s)"
        )
    typer.echo(f'wrote {out}/ckpt.pt, metrics.csv, loss.png; try: journey translate {out} "..."')


def translate_command(
    run_dir: Path = typer.Argument(..., help="A run folder of journey train translator."),
    sentences: list[str] = typer.Argument(..., help="Sentences in the source language."),
    beam_size: int = typer.Option(4, "--beam-size", help="Beams (1: greedy)."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, ..."),
) -> None:
    """Translate SENTENCES with a translator trained by journey train translator."""
    if beam_size < 1:
        raise JourneyError(f"--beam-size must be at least 1, got {beam_size}")
    translator = load_translator(run_dir, device)
    for line in translator.translate(sentences, beam_size=beam_size):
        typer.echo(line)
