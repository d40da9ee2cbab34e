"""``journey train gpt|llama|char-rnn`` and ``journey sample``: options around the apps.

``journey train gpt --preset shakespeare-char-cpu`` trains a GPT on Tiny Shakespeare by
the preset's recipe into ``runs/<preset>``; ``journey train llama`` a Llama the same way
(same options, same code path) into ``runs/llama-<preset>``; ``journey sample <run
folder>`` continues a prompt with either. The work is :func:`~nlpjourney.apps.gpt.train_gpt`,
:func:`~nlpjourney.apps.gpt.load_run` and :func:`~nlpjourney.apps.gpt.generate_text`;
this module parses options, calls them and prints. ``journey train char-rnn --cell
lstm|gru|rnn`` trains a character RNN by truncated BPTT
(:func:`~nlpjourney.apps.char_rnn.train_char_rnn`), and ``journey sample`` reads its run
folder too, choosing the reader by what the checkpoint holds.

Ctrl-C (or SIGTERM) while training finishes the step under way, writes ``ckpt.pt`` and
prints the command that continues the run, then exits 130 (143 for SIGTERM).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from nlpjourney.apps.char_rnn import SIZES as CHAR_RNN_SIZES
from nlpjourney.apps.char_rnn import CharRNNRunConfig, holds_char_rnn, train_char_rnn
from nlpjourney.apps.char_rnn import generate_text as generate_chars
from nlpjourney.apps.char_rnn import load_run as load_char_rnn
from nlpjourney.apps.gpt import (
    ARCHITECTURES,
    GPTRunConfig,
    generate_text,
    load_run,
    train_gpt,
)
from nlpjourney.apps.runs import MAX_SEED, check_seed, check_threads
from nlpjourney.errors import JourneyError

if TYPE_CHECKING:
    from nlpjourney.train import TrainingInterrupted

T = TypeVar("T")

app = typer.Typer(help="Train a model from scratch.", no_args_is_help=True)


#: The ``--threads`` option of every training command.
THREADS_OPTION: Any = typer.Option(
    None,
    "--threads",
    help="CPU threads for torch (default: one per core; 1 runs faster while other "
    "programs keep the cores busy).",
)


def set_threads(threads: int | None) -> None:
    """Apply ``--threads``: torch's CPU thread count, or torch's default for None.

    Raises:
        JourneyError: fewer than 1, or more than the machine's cores.
    """
    if check_threads(threads) is None:
        return
    import torch

    torch.set_num_threads(threads)


def parse_seed(value: str) -> int:
    """``--seed``'s text as a seed: a whole number from 0 to ``MAX_SEED``.

    Parsed here rather than by the option's type, so ``--seed 1e23`` is one line saying
    what a seed is, not a usage box.

    Raises:
        JourneyError: not a whole number, or out of range.
    """
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise JourneyError(
            f"--seed must be a whole number from 0 to {MAX_SEED}, got {value!r}"
        ) from None
    return check_seed(seed)


def seed_option(help: str) -> Any:
    """The ``--seed`` option of a command, default 1337, checked by :func:`parse_seed`."""
    return typer.Option(1337, "--seed", parser=parse_seed, metavar="INTEGER", help=help)


def command_line(words: Sequence[str], options: Sequence[tuple[str, object, object]]) -> str:
    """A ``journey`` command line: ``words``, then each ``(flag, value, default)`` whose
    value is not its default (``True`` for a switch), quoted for the shell.

    >>> command_line(["journey", "sample", "runs/a b"], [("--seed", 3, 1337), ("--x", True, False)])
    "journey sample 'runs/a b' --seed 3 --x"
    """
    args = list(words)
    for flag, value, default in options:
        if value is None or value == default:
            continue
        args += [flag] if value is True else [flag, str(value)]
    return shlex.join(args)


def run_training(train: Callable[[], T], continue_command: Callable[[], str]) -> T:
    """Run ``train()`` as every training command does, and return what it returns.

    A stop signal (Ctrl-C during training, or SIGTERM) makes the trainer save the run and
    raise :class:`~nlpjourney.train.TrainingInterrupted`: this prints where it is saved and
    ``continue_command()``, the line that goes on from there, and exits 128 + signal.
    Ctrl-C before the first step leaves nothing to continue and says so.
    """
    from nlpjourney.train import TrainingInterrupted

    try:
        return train()
    except TrainingInterrupted as error:
        stopped(error, continue_command())
    except KeyboardInterrupt:
        stopped_early()


def stopped(error: TrainingInterrupted, command: str) -> NoReturn:
    """Say where a run stopped by a signal is saved and how to go on; exit 128 + signal."""
    typer.echo(
        f"journey: stopped after step {error.step}, saved in {error.checkpoint}; "
        f"continue with: {command}",
        err=True,
    )
    raise typer.Exit(error.exit_code)


def stopped_early(exit_code: int = 130) -> NoReturn:
    """Say that a command was interrupted before training began (nothing to continue)."""
    typer.echo("journey: interrupted before training began; nothing was trained", err=True)
    raise typer.Exit(exit_code)


def written(out: Path, saved_step: int | None) -> str:
    """The run files in ``out`` as a list for a message: what is there, never more."""
    names = [
        f"ckpt.pt (step {saved_step})" if name == "ckpt.pt" and saved_step is not None else name
        for name in ("ckpt.pt", "metrics.csv", "loss.png")
        if (out / name).exists()
    ]
    return f"{out}/{', '.join(names)}" if names else f"nothing in {out}"


@app.callback()
def _train() -> None:
    """Train a model from scratch (checkpoint, metrics.csv and loss.png in the run folder)."""


def train_command(model: str) -> Callable[..., None]:
    """The ``journey train <model>`` command for one architecture of
    :data:`~nlpjourney.apps.gpt.ARCHITECTURES`: one set of options, one code path."""
    recipes = ARCHITECTURES[model].recipes
    title = {"gpt": "a GPT", "llama": "a Llama"}.get(model, model)

    def command(
        preset: str = typer.Option(
            "shakespeare-char-cpu", "--preset", help=f"Model and recipe: {', '.join(recipes)}."
        ),
        tokenizer: str = typer.Option(
            "char", "--tokenizer", help="'char' (one id per character) or 'gpt2' (GPT-2's BPE)."
        ),
        max_steps: int | None = typer.Option(
            None, "--max-steps", help="Optimizer steps; the lr decays to its minimum here."
        ),
        stop_after: int | None = typer.Option(
            None, "--stop-after", help="Stop after this step (with a checkpoint); --resume goes on."
        ),
        out_dir: Path | None = typer.Option(
            None,
            "--out-dir",
            help="Run folder (runs/<preset>)."
            if model == "gpt"
            else f"Run folder (runs/{model}-<preset>).",
        ),  # fmt: skip
        resume: bool = typer.Option(False, "--resume", help="Continue the run in --out-dir."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out-dir."),
        device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:1, ..."),
        dtype: str = typer.Option(
            "auto",
            "--dtype",
            help="Autocast precision: auto (bfloat16 on GPUs and CPUs that have it), float32, "
            "bfloat16, float16.",
        ),
        eval_interval: int | None = typer.Option(
            None, "--eval-interval", help="Evaluate (and plot) every N steps."
        ),
        seed: int = seed_option("Seeds the model's init and the batches."),
        threads: int | None = THREADS_OPTION,
    ) -> None:
        config = GPTRunConfig(
            preset=preset,
            tokenizer=tokenizer,
            max_steps=max_steps,
            stop_after=stop_after,
            out_dir=out_dir,
            resume=resume,
            overwrite=overwrite,
            device=device,
            dtype=dtype,
            eval_interval=eval_interval,
            seed=seed,
            model=model,
        )
        set_threads(threads)
        trainer = run_training(
            lambda: train_gpt(config, echo=typer.echo), lambda: continue_command(config, threads)
        )
        out = config.run_dir
        typer.echo(f"wrote {written(out, trainer.saved_step)}; try: journey sample {out}")

    command.__name__ = f"train_{model}_command"
    # Typer shows the docstring as the command's help.
    command.__doc__ = (
        f"Train {title} on Tiny Shakespeare by a preset's recipe (nanoGPT's settings).\n\n"
        "Ctrl-C finishes the step under way, saves the run and prints the command that "
        "continues it."
    )
    return command


train_gpt_command = app.command("gpt")(train_command("gpt"))
train_llama_command = app.command("llama")(train_command("llama"))


def continue_command(config: GPTRunConfig, threads: int | None = None) -> str:
    """The ``journey train <model>`` command that continues ``config``'s run (``--resume``)."""
    words = ["journey", "train", config.model, "--preset", config.preset]
    return command_line(words, [
        ("--tokenizer", config.tokenizer, "char"),
        ("--max-steps", config.max_steps, None),
        ("--stop-after", config.stop_after, None),
        ("--out-dir", str(config.run_dir), None),
        ("--device", config.device, "auto"),
        ("--dtype", config.dtype, "auto"),
        ("--eval-interval", config.eval_interval, None),
        ("--seed", config.seed, 1337),
        ("--threads", threads, None),
        ("--resume", True, False),
    ])  # fmt: skip


#: The name this function had when only GPTs were trained.
continue_gpt_command = continue_command


def train_char_rnn_command(
    cell: str = typer.Option("lstm", "--cell", help="The recurrent cell: lstm, gru or rnn."),
    preset: str = typer.Option(
        "15min", "--preset", help=f"Model size and recipe: {', '.join(CHAR_RNN_SIZES)}."
    ),
    text: Path | None = typer.Option(
        None, "--text", help="A UTF-8 file to train on instead of Tiny Shakespeare."
    ),
    max_steps: int | None = typer.Option(
        None, "--max-steps", help="Optimizer steps; the lr decays to its minimum here."
    ),
    stop_after: int | None = typer.Option(
        None, "--stop-after", help="Stop after this step (with a checkpoint); --resume goes on."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out-dir", help="Run folder (runs/char-<cell>-<preset>)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out-dir."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out-dir."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:1, ..."),
    eval_interval: int | None = typer.Option(
        None, "--eval-interval", help="Evaluate (and plot) every N steps."
    ),
    seed: int = seed_option("Seeds the model's init and dropout."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Train a character-level RNN, LSTM or GRU on Tiny Shakespeare (truncated BPTT).

    At the end it scores the whole validation split, in nats per character. Ctrl-C
    finishes the step under way, saves the run and prints the command that continues it.
    """
    config = CharRNNRunConfig(
        cell=cell,
        preset=preset,
        text=text,
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
        lambda: train_char_rnn(config, echo=typer.echo),
        lambda: continue_char_rnn_command(config, threads),
    )
    out = config.run_dir
    typer.echo(f"wrote {written(out, result.trainer.saved_step)}; try: journey sample {out}")


app.command("char-rnn")(train_char_rnn_command)


def continue_char_rnn_command(config: CharRNNRunConfig, threads: int | None = None) -> str:
    """The ``journey train char-rnn`` command that continues ``config``'s run (``--resume``)."""
    words = ["journey", "train", "char-rnn", "--cell", config.cell, "--preset", config.preset]
    return command_line(words, [
        ("--text", None if config.text is None else str(config.text), None),
        ("--max-steps", config.max_steps, None),
        ("--stop-after", config.stop_after, None),
        ("--out-dir", str(config.run_dir), None),
        ("--device", config.device, "auto"),
        ("--eval-interval", config.eval_interval, None),
        ("--seed", config.seed, 1337),
        ("--threads", threads, None),
        ("--resume", True, False),
    ])  # fmt: skip


def sample(
    run_dir: Path = typer.Argument(
        ..., help="A run folder of journey train gpt, llama or char-rnn (runs/<preset>)."
    ),
    prompt: str = typer.Option(
        "\n", "--prompt", "-p", help="Text to continue.", show_default="a newline"
    ),
    max_new_tokens: int = typer.Option(500, "--max-new-tokens", "-n", help="Tokens to add."),
    temperature: float = typer.Option(
        0.8, "--temperature", help="0 greedy, <1 sharper, >1 flatter."
    ),
    top_k: int | None = typer.Option(200, "--top-k", help="Sample among the k likeliest tokens."),
    seed: int = seed_option("The same seed gives the same text."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, ..."),
) -> None:
    """Continue PROMPT with a model trained by journey train gpt, llama or char-rnn."""
    from nlpjourney.devices import resolve_device

    resolve_device(device)  # a bad option is reported before anything is read
    if not run_dir.is_dir():
        raise JourneyError(
            f"no run folder {run_dir}; train one with: journey train gpt, journey train llama "
            "or journey train char-rnn"
        )
    if holds_char_rnn(run_dir):  # what the checkpoint holds decides the reader
        rnn, chars = load_char_rnn(run_dir, device)
        text = generate_chars(rnn, chars, prompt, max_new_tokens, temperature, top_k, seed)
    else:
        model, tokenizer = load_run(run_dir, device)
        text = generate_text(model, tokenizer, prompt, max_new_tokens, temperature, top_k, seed)
    typer.echo(text)


@app.command("seq2seq")
def train_seq2seq_command(
    pair: str = typer.Option("en-fr", "--pair", help="Source-target: de-en, en-de, en-fr, fr-en."),
    attention: str = typer.Option(
        "bahdanau", "--attention", help="bahdanau, luong-dot, luong-general or none."
    ),
    cell: str = typer.Option("gru", "--cell", help="gru or lstm."),
    preset: str = typer.Option("multi30k", "--preset", help="Model and recipe: multi30k, tiny."),
    max_steps: int | None = typer.Option(
        None, "--max-steps", help="Optimizer steps; the lr decays to its minimum here."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out-dir", "--out", help="Run folder (runs/seq2seq-<pair>-<attention>)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out-dir."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out-dir."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:1, ..."),
    beam_size: int = typer.Option(4, "--beam-size", help="Beams for the test-set BLEU."),
    bleu: bool = typer.Option(True, "--bleu/--no-bleu", help="Score the 2016 test set."),
    seed: int = seed_option("Seeds the model's init and the batches."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Train a recurrent encoder-decoder with attention on Multi30k, then score it with sacreBLEU.

    Ctrl-C finishes the step under way, saves the run and prints the command that
    continues it.
    """
    from nlpjourney.apps.seq2seq import (
        RECIPES,
        Seq2SeqRunConfig,
        check_seq2seq_beam_size,
        train_seq2seq,
    )
    from nlpjourney.apps.translator import TEST_SPLIT, evaluate_bleu

    config = Seq2SeqRunConfig(pair=pair, attention=attention, cell=cell, preset=preset,
                              max_steps=max_steps, out_dir=out_dir, resume=resume,
                              overwrite=overwrite, device=device, seed=seed)  # fmt: skip
    set_threads(threads)
    if bleu:  # checked before training, not after it
        from nlpjourney.seq2seq import Seq2SeqConfig

        model_config = Seq2SeqConfig.from_name(preset).replace(
            vocab_size=RECIPES[preset].vocab_size
        )
        check_seq2seq_beam_size(beam_size, model_config, 1000)
    continue_seq2seq = partial(command_line, ["journey", "train", "seq2seq"], [
        ("--pair", pair, "en-fr"), ("--attention", attention, "bahdanau"),
        ("--cell", cell, "gru"), ("--preset", preset, "multi30k"),
        ("--max-steps", max_steps, None), ("--out-dir", str(config.run_dir), None),
        ("--device", device, "auto"), ("--beam-size", beam_size, 4),
        ("--no-bleu", not bleu, False), ("--seed", seed, 1337),
        ("--threads", threads, None), ("--resume", True, False),
    ])  # fmt: skip
    translator = run_training(lambda: train_seq2seq(config, echo=typer.echo), continue_seq2seq)
    out = config.run_dir
    if bleu:
        score, seconds = evaluate_bleu(translator, TEST_SPLIT, beam_size)
        typer.echo(
            f"BLEU {score:.2f} on Multi30k {TEST_SPLIT} {pair} (beam {beam_size}, {seconds:.0f} s)"
        )
    typer.echo(f'wrote {written(out, None)}; try: journey translate {out} "..."')
