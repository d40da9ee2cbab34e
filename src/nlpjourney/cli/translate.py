"""``journey train translator`` and ``journey translate``: options around the translator app.

``journey train translator --pair de-en`` trains a Multi30k translator into
``runs/translator-de-en`` and scores the 2016 test set with sacreBLEU;
``journey translate runs/translator-de-en "Ein Hund läuft."`` translates with it (or with
a run folder of ``journey train seq2seq``, :mod:`nlpjourney.apps.seq2seq`). The
work is :mod:`nlpjourney.apps.translator`; this module parses options, calls it and prints.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer

from nlpjourney.apps.translator import (
    PAIRS,
    RECIPES,
    TEST_SPLIT,
    TranslatorRunConfig,
    check_beam_size,
    evaluate_bleu,
    train_translator,
)
from nlpjourney.cli.train import (
    THREADS_OPTION,
    command_line,
    run_training,
    seed_option,
    set_threads,
    written,
)
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
    seed: int = seed_option("Seeds the model's init and the batches."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Train a transformer translator on Multi30k, then score it with sacreBLEU.

    Ctrl-C finishes the step under way, saves the run and prints the command that
    continues it.
    """
    config = TranslatorRunConfig(pair=pair, preset=preset, max_steps=max_steps, out_dir=out_dir,
                                 resume=resume, overwrite=overwrite, device=device,
                                 seed=seed)  # fmt: skip
    set_threads(threads)
    if bleu:  # checked before training, not after it
        from nlpjourney.models.transformer import TransformerConfig

        model_config = TransformerConfig.from_name(preset).replace(
            vocab_size=RECIPES[preset].vocab_size
        )
        check_beam_size(beam_size, model_config, 1000, _memory_device(device))
    continue_translator = partial(command_line, ["journey", "train", "translator"], [
        ("--pair", pair, "de-en"), ("--preset", preset, "multi30k"),
        ("--max-steps", max_steps, None), ("--out-dir", str(config.run_dir), None),
        ("--device", device, "auto"), ("--beam-size", beam_size, 4),
        ("--no-bleu", not bleu, False), ("--seed", seed, 1337),
        ("--threads", threads, None), ("--resume", True, False),
    ])  # fmt: skip
    translator = run_training(
        lambda: train_translator(config, echo=typer.echo), continue_translator
    )
    out = config.run_dir
    if bleu:
        score, seconds = evaluate_bleu(translator, TEST_SPLIT, beam_size)
        typer.echo(
            f"BLEU {score:.2f} on Multi30k {TEST_SPLIT} {pair} (beam {beam_size}, {seconds:.0f} s)"
        )
    typer.echo(f'wrote {written(out, None)}; try: journey translate {out} "..."')


def _memory_device(device: str) -> str:
    """The device whose memory a run on ``device`` uses (``auto``: the GPU if any)."""
    from nlpjourney.train import resolve_device

    return str(resolve_device(device))


def translate_command(
    run_dir: Path = typer.Argument(
        ..., help="A run folder of journey train translator or journey train seq2seq."
    ),
    sentences: list[str] = typer.Argument(..., help="Sentences in the source language."),
    beam_size: int = typer.Option(4, "--beam-size", help="Beams (1: greedy)."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, ..."),
) -> None:
    """Translate SENTENCES with a translator trained by journey train translator or seq2seq."""
    if beam_size < 1:
        raise JourneyError(f"--beam-size must be at least 1 (1: greedy), got {beam_size}")
    from nlpjourney.apps.seq2seq import check_seq2seq_beam_size, load_any_translator
    from nlpjourney.apps.seq2seq_translation import Seq2SeqTranslator

    translator = load_any_translator(run_dir, device)
    check = (
        check_seq2seq_beam_size if isinstance(translator, Seq2SeqTranslator) else check_beam_size
    )
    check(beam_size, translator.model.config, len(sentences), device)
    for line in translator.translate(sentences, beam_size=beam_size):
        typer.echo(line)
