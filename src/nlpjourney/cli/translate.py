"""``journey train translator`` and ``journey translate``: a Multi30k translator from scratch.

``journey train translator --pair de-en`` trains a joint BPE vocabulary on Multi30k's
training captions of both languages, builds
``Transformer(TransformerConfig.from_name("multi30k"))`` and trains it with
:class:`~nlpjourney.train.Trainer` (label-smoothed cross-entropy, length-bucketed
batches), writing ``ckpt.pt``, ``metrics.csv`` and ``loss.png`` into
``runs/translator-de-en``; then it translates the 2016 test set with beam search and
prints sacreBLEU's score. The checkpoint's ``meta`` holds the model config and the
tokenizer, so ``journey translate runs/translator-de-en "Ein Hund läuft."`` needs only
the run folder.

Measured on 2 quiet Zen 4 cores: ``journey train translator --pair de-en`` reaches BLEU
38.3 (beam 4) on the 2016 test set, 14 min 43 s for the whole command (training 861 s,
bfloat16 autocast, 2 threads). On a busy shared machine with ``--threads 1``: BLEU 38.2
in 25 CPU-minutes (48 minutes wall); ``--pair en-fr`` 54.8. See
:mod:`nlpjourney.models.transformer` for the details.

torch and the model are imported inside the commands, so ``journey`` starts fast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from nlpjourney.cli.train import THREADS_OPTION, check_run_folder, recipe_config, set_threads
from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.models.translation import Translator

#: The language pairs Multi30k holds, source-target.
PAIRS = ("de-en", "en-de", "en-fr", "fr-en")
TEST_SPLIT = "test_2016_flickr"


@dataclass(frozen=True)
class Recipe:
    """How a preset trains, as :class:`~nlpjourney.train.TrainConfig` fields plus the data's."""

    max_steps: int
    batch_size: int
    lr: float
    min_lr: float
    warmup_steps: int
    vocab_size: int
    label_smoothing: float = 0.1
    eval_interval: int = 250
    eval_steps: int = 10
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.98)


#: ``multi30k``: 8 epochs of 29,000 pairs in 128-sentence batches (~2,000 target tokens),
#: the paper's Adam betas, no weight decay, label smoothing 0.1; ``tiny``: tests.
RECIPES: dict[str, Recipe] = {
    "multi30k": Recipe(1800, 128, 1e-3, 5e-5, 200, 8000),
    "tiny": Recipe(30, 8, 3e-3, 3e-4, 3, 300, eval_interval=10, eval_steps=1),
}


def train_translator(
    pair: str = "de-en",
    preset: str = "multi30k",
    *,
    max_steps: int | None = None,
    out_dir: str | Path | None = None,
    train_limit: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    device: str = "auto",
    dtype: str = "auto",
    seed: int = 1337,
    progress: bool | None = None,
    echo: bool = True,
) -> Translator:
    """Train a Multi30k translator by a preset's recipe; returns it (weights in ``out_dir``).

    Args:
        pair: ``"de-en"``, ``"en-fr"``, ... (source-target).
        preset: a key of :data:`RECIPES` and of the transformer presets.
        max_steps: optimizer steps (default: the recipe's); the lr decays to its minimum here.
        out_dir: the run folder (default ``runs/translator-<pair>``).
        train_limit: train on only the first this many pairs (quick runs, tests).
        resume: continue the run in ``out_dir``.
        overwrite: replace the run in ``out_dir``.
        device: ``auto``, ``cpu``, ``cuda``, ...
        dtype: autocast precision (``auto``: bfloat16 where the device multiplies it fast).
        seed: seeds the model's init and the batches.
        progress: show a progress bar (None: on a terminal).
        echo: print what happens.

    Raises:
        JourneyError: an unknown pair or preset, a run in the way, bad numbers.
    """
    if pair not in PAIRS:
        raise JourneyError(f"unknown language pair {pair!r}; Multi30k has {', '.join(PAIRS)}")
    recipe = lookup(RECIPES, preset, "translator preset", f"Known: {', '.join(RECIPES)}.")
    if max_steps is not None and max_steps < 1:
        raise JourneyError(f"--max-steps must be at least 1, got {max_steps}")
    out = Path(out_dir) if out_dir is not None else Path("runs") / f"translator-{pair}"
    check_run_folder(out, resume, overwrite)

    from nlpjourney.data.corpora import multi30k
    from nlpjourney.models.transformer import Transformer, TransformerConfig
    from nlpjourney.models.translation import (
        ParallelBatches,
        Translator,
        encode_pairs,
        label_smoothed_loss,
        special_ids,
        train_joint_bpe,
    )
    from nlpjourney.train import (
        Trainer,
        load_checkpoint,
        resolve_device,
        seed_everything,
    )

    source, target = pair.split("-")
    train_src = multi30k("train", source)[:train_limit]
    train_tgt = multi30k("train", target)[:train_limit]
    if resume:  # the vocabulary must be the one the weights were trained with
        translator = Translator.from_meta(load_checkpoint(out / "ckpt.pt")["meta"])
        tokenizer = translator.tokenizer
    else:
        tokenizer = train_joint_bpe(train_src + train_tgt, recipe.vocab_size)
    model_config = TransformerConfig.from_name(preset).replace(
        vocab_size=tokenizer.vocab_size, **special_ids(tokenizer)
    )
    splits = {
        "train": encode_pairs(tokenizer, train_src, train_tgt, model_config.max_len),
        "val": encode_pairs(
            tokenizer, multi30k("val", source), multi30k("val", target), model_config.max_len
        ),
    }
    steps = recipe.max_steps if max_steps is None else max_steps
    config = recipe_config(recipe, steps, seed=seed, device=device, dtype=dtype,
                           out_dir=str(out))  # fmt: skip
    torch_device = resolve_device(device)
    seed_everything(seed)  # before building the model: the same seed, the same init
    model = Transformer(model_config)
    batches = ParallelBatches(splits, recipe.batch_size, model_config.pad_id, seed, torch_device)
    translator = Translator(model, tokenizer, pair)
    pad_id = model_config.pad_id

    def loss_fn(logits, targets):  # noqa: ANN001, ANN202
        return label_smoothed_loss(logits, targets, pad_id, recipe.label_smoothing)

    if echo:
        epochs = steps / batches.epoch_batches()
        typer.echo(
            f"{pair} {preset}: {model.num_parameters() / 1e6:.2f}M parameters, joint BPE "
            f"vocab {tokenizer.vocab_size}, {len(splits['train'][0]):,} training pairs, "
            f"{steps} steps ({epochs:.1f} epochs) on {torch_device}"
        )
    started = time.perf_counter()
    trainer = Trainer(
        model,
        config,
        batches,
        loss_fn=loss_fn,
        resume=resume,
        overwrite=overwrite,
        meta=translator.meta(),
        progress=progress,
    )
    trainer.fit()
    if echo:
        last = trainer.history[-1] if trainer.history else None
        losses = (
            f": train loss {last['train_loss']:.3f}, val loss {last['val_loss']:.3f}"
            if last
            else ""
        )
        typer.echo(f"trained {trainer.step} steps in {time.perf_counter() - started:.0f} s{losses}")
    model.eval()
    return translator


def evaluate_bleu(
    translator: Translator, split: str = TEST_SPLIT, beam_size: int = 4, limit: int | None = None
) -> tuple[float, float]:
    """sacreBLEU of ``translator`` on a Multi30k split of its pair, and the seconds it took."""
    from nlpjourney.data.corpora import multi30k

    source, target = translator.pair.split("-")
    sources = multi30k(split, source)[:limit]
    references = multi30k(split, target)[:limit]
    started = time.perf_counter()
    score = translator.bleu(sources, references, beam_size=beam_size)
    return score, time.perf_counter() - started


def load_translator(run_dir: Path, device: str = "cpu") -> Translator:
    """The translator of a ``journey train translator`` run folder.

    Raises:
        JourneyError: no run there, a corrupt checkpoint, or one another command wrote.
    """
    if not Path(run_dir).is_dir():
        raise JourneyError(
            f"no run folder {run_dir}; train one with: journey train translator --pair de-en"
        )
    from nlpjourney.models.translation import Translator
    from nlpjourney.train import load_checkpoint, resolve_device

    checkpoint = load_checkpoint(Path(run_dir) / "ckpt.pt")  # CheckpointError: JourneyError
    try:
        translator = Translator.from_meta(checkpoint.get("meta") or {}, checkpoint["model"])
    except RuntimeError as error:
        raise JourneyError(
            f"the weights in {run_dir}/ckpt.pt do not fit its config "
            f"({str(error).splitlines()[0]}); the checkpoint is damaged"
        ) from None
    translator.model.to(resolve_device(device))
    return translator


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
    set_threads(threads)
    translator = train_translator(
        pair,
        preset,
        max_steps=max_steps,
        out_dir=out_dir,
        resume=resume,
        overwrite=overwrite,
        device=device,
        seed=seed,
    )
    out = out_dir if out_dir is not None else Path("runs") / f"translator-{pair}"
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
