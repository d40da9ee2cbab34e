"""``journey train bert``: options around :mod:`nlpjourney.apps.bert`.

``journey train bert --task mlm`` pretrains a tiny BERT from scratch by masked-token
prediction; ``--task polarity`` and ``--task ner`` fine-tune the real all-MiniLM-L6-v2
(sentence polarity, CoNLL-2003 named entities). Each run folder (``runs/bert-<task>``)
gets ``ckpt.pt``, ``metrics.csv``, ``loss.png`` and ``scores.json``. The work is
:func:`~nlpjourney.apps.bert.train_bert`; this module parses options, calls it and prints.
The app imports torch, so it is imported when the command runs, not for its help.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from nlpjourney.cli.train import (
    THREADS_OPTION,
    command_line,
    run_training,
    seed_option,
    set_threads,
    written,
)

if TYPE_CHECKING:
    from nlpjourney.apps.bert import BertRunConfig


def train_bert_command(
    task: str = typer.Option(
        "mlm", "--task", help="mlm (pretrain from scratch), polarity or ner (fine-tune MiniLM)."
    ),
    max_steps: int | None = typer.Option(
        None, "--max-steps", help="Optimizer steps (default: the task's recipe)."
    ),
    stop_after: int | None = typer.Option(
        None, "--stop-after", help="Stop after this step (with a checkpoint); --resume goes on."
    ),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Run folder (runs/bert-<task>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out-dir."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out-dir."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:1, ..."),
    eval_interval: int | None = typer.Option(
        None, "--eval-interval", help="Estimate the losses (and plot) every N steps."
    ),
    seed: int = seed_option("Seeds the split, the new weights, the batches and the masks."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Pretrain a tiny BERT (--task mlm) or fine-tune MiniLM (--task polarity | ner).

    Scores on held-out data at the end: masked-token accuracy against the untrained
    model (mlm), test accuracy (polarity), entity-level F1 on eng.testa (ner).
    """
    from nlpjourney.apps.bert import BertRunConfig, train_bert

    config = BertRunConfig(
        task=task,
        max_steps=max_steps,
        stop_after=stop_after,
        out_dir=out_dir,
        resume=resume,
        overwrite=overwrite,
        device=device,
        eval_interval=eval_interval,
        seed=seed,
    )
    set_threads(threads)
    result = run_training(
        lambda: train_bert(config, echo=typer.echo), lambda: continue_bert_command(config, threads)
    )
    out = config.run_dir
    scores = ", scores.json" if result.scores else ""
    typer.echo(f"wrote {written(out, result.trainer.saved_step)}{scores}")


def continue_bert_command(config: BertRunConfig, threads: int | None = None) -> str:
    """The ``journey train bert`` command that continues ``config``'s run (``--resume``)."""
    words = ["journey", "train", "bert", "--task", config.task]
    return command_line(words, [
        ("--max-steps", config.max_steps, None),
        ("--out-dir", str(config.run_dir), None),
        ("--device", config.device, "auto"),
        ("--eval-interval", config.eval_interval, None),
        ("--seed", config.seed, 1337),
        ("--threads", threads, None),
        ("--resume", True, False),
    ])  # fmt: skip
