"""A character RNN, LSTM or GRU trained on Tiny Shakespeare with truncated backprop through time.

:func:`train_char_rnn` encodes Tiny Shakespeare by characters with the same cache and
the same split as :func:`nlpjourney.apps.gpt.train_gpt`'s character GPT (the last 10 %
of the text is validation; :func:`nlpjourney.train.prepare_char`), so the two families'
losses are on the same characters. It trains a :class:`~nlpjourney.models.CharRNN` with
:class:`~nlpjourney.train.Trainer` by the preset's :class:`CharRNNRecipe` and writes the
usual run folder (``ckpt.pt``, ``metrics.csv``, ``loss.png``; ``--resume``,
``--overwrite``, Ctrl-C saves).

Truncated backpropagation through time (:class:`nlpjourney.train.TBPTTStream`): each
split is cut into ``batch_size`` contiguous streams laid side by side, and each batch is
the next ``bptt`` characters of every stream; the state the model ends a chunk in starts
the next chunk, detached. The stream's position and carried states are in every
checkpoint, so a resumed run goes on bit for bit.

A recipe stops at a step count, not at a wall-clock limit, so that a run is the same
run on any machine and resumes bit for bit; the learning rate decays to its minimum
there. Each ``<cell>-15min`` count is meant to fit 15 minutes on two quiet CPU cores. At
the end, :func:`~nlpjourney.train.stream_loss` scores the WHOLE validation split, every
character once, in nats per character: the number runs and model families are compared
by.

Example::

    result = train_char_rnn(CharRNNRunConfig(cell="lstm"), echo=print)
    model, tokenizer = load_run(result.run_dir)
    print(generate_text(model, tokenizer, "ROMEO:", max_new_tokens=200))
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.apps.runs import (
    check_counts,
    check_seed,
    last_scores,
    model_for_weights,
    start_run,
)
from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.models.char_rnn import CharRNN
    from nlpjourney.tokenizers import CharTokenizer
    from nlpjourney.train import Trainer

__all__ = [
    "CELLS",
    "META_KIND",
    "RECIPES",
    "SIZES",
    "CharRNNRecipe",
    "CharRNNRunConfig",
    "CharRNNRunResult",
    "generate_text",
    "holds_char_rnn",
    "load_run",
    "train_char_rnn",
]

#: Marks a checkpoint's ``meta`` as one :func:`train_char_rnn` wrote. A stored string:
#: never change it.
META_KIND = "nlpjourney.models.char_rnn"


@dataclass(frozen=True)
class CharRNNRecipe:
    """How a preset trains: the stream's shape and :class:`~nlpjourney.train.TrainConfig` fields."""

    max_steps: int
    batch_size: int
    """Parallel streams per split."""
    bptt: int
    """Characters per chunk: how far back gradients flow."""
    lr: float
    min_lr: float
    warmup_steps: int
    eval_interval: int
    eval_steps: int
    """Chunks per split per evaluation (the val estimate reads the first this many)."""
    grad_clip: float = 1.0
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.99)


#: Each ``<cell>-15min`` recipe trains its model of
#: :data:`nlpjourney.models.char_rnn.PRESETS` for a step count meant to fit 15 minutes on
#: two quiet CPU cores (by the cost of a step; the README's records table has what a
#: measured run reached and how long it took), Adam at 2e-3 (Karpathy's char-rnn)
#: decaying to 2e-4, gradients clipped to norm 1, no weight decay. Each model has two
#: layers with dropout 0.2 between them and before the head (an LSTM of one layer of 384
#: without dropout ended at a training loss of 1.40 against 1.59 on the validation
#: split). A step of the GRU costs about three quarters of the LSTM's at the same width,
#: and the plain RNN's (512 wide) under half, so they take more steps in the same time.
#: The plain RNN takes a lower rate: its gradients explode more easily.
#: ``<cell>-tiny`` is for tests.
RECIPES: dict[str, CharRNNRecipe] = {
    "lstm-15min": CharRNNRecipe(1000, 64, 64, 2e-3, 2e-4, 50, 200, 10),
    "gru-15min": CharRNNRecipe(1250, 64, 64, 2e-3, 2e-4, 50, 250, 10),
    "rnn-15min": CharRNNRecipe(2000, 64, 64, 1e-3, 1e-4, 50, 250, 10),
    "lstm-tiny": CharRNNRecipe(30, 4, 16, 1e-2, 1e-3, 3, 10, 2),
    "gru-tiny": CharRNNRecipe(30, 4, 16, 1e-2, 1e-3, 3, 10, 2),
    "rnn-tiny": CharRNNRecipe(30, 4, 16, 1e-2, 1e-3, 3, 10, 2),
}

#: The cells ``--cell`` names: :data:`nlpjourney.models.char_rnn.CELLS`, repeated here so
#: that reading it imports no torch (a test holds the two equal).
CELLS = ("lstm", "gru", "rnn")

#: The preset sizes ``--preset`` names; with ``--cell`` they pick ``<cell>-<size>``.
SIZES = ("15min", "tiny")


@dataclass(frozen=True)
class CharRNNRunConfig:
    """One run of :func:`train_char_rnn`: which cell and preset, how long, where, on what.

    Example:
        >>> CharRNNRunConfig(cell="gru").run_dir
        PosixPath('runs/char-gru-15min')
        >>> CharRNNRunConfig(cell="tree")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: --cell must be one of lstm, gru, rnn, got 'tree'
    """

    cell: str = "lstm"
    """``"lstm"``, ``"gru"`` or ``"rnn"``."""
    preset: str = "15min"
    """The size (:data:`SIZES`): the model ``<cell>-<preset>`` and its recipe."""
    text: str | Path | None = None
    """A UTF-8 file to train on instead of Tiny Shakespeare (its last 10 % validates)."""
    max_steps: int | None = None
    """Optimizer steps (default: the recipe's); the learning rate decays to its minimum here."""
    stop_after: int | None = None
    """Stop after this step, with a checkpoint; a run resumed later goes on to ``max_steps``."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/char-<cell>-<preset>``)."""
    resume: bool = False
    """Continue the run in the folder."""
    overwrite: bool = False
    """Replace the run in the folder."""
    device: str = "auto"
    """``auto``, ``cpu``, ``cuda``, ``cuda:1``, ..."""
    eval_interval: int | None = None
    """Evaluate, plot and checkpoint every this many steps (default: the recipe's)."""
    seed: int = 1337
    """Seeds the model's initial weights (and dropout)."""

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise JourneyError(f"--cell must be one of {', '.join(CELLS)}, got {self.cell!r}")
        lookup(dict.fromkeys(SIZES), self.preset, "char-rnn preset", f"Known: {', '.join(SIZES)}.")
        if self.text is not None and not Path(self.text).is_file():
            raise JourneyError(f"--text {self.text}: no such file; give a UTF-8 text file")
        check_counts(self, "max_steps", "stop_after", "eval_interval")
        check_seed(self.seed)

    @property
    def model_preset(self) -> str:
        """The model's preset and recipe name, ``<cell>-<preset>``."""
        return f"{self.cell}-{self.preset}"

    @property
    def run_dir(self) -> Path:
        """Where the run's files go: ``runs/char-<cell>-<preset>`` unless ``out_dir``."""
        if self.out_dir is not None:
            return Path(self.out_dir)
        return Path("runs") / f"char-{self.model_preset}"

    @property
    def recipe(self) -> CharRNNRecipe:
        """The preset's :class:`CharRNNRecipe`."""
        return RECIPES[self.model_preset]


@dataclass(frozen=True)
class CharRNNRunResult:
    """What :func:`train_char_rnn` ends with."""

    trainer: Trainer
    """The Trainer after training: ``.model``, ``.history``, ``.step``."""
    val_loss: float | None
    """The whole validation split's loss in nats per character (:func:`~nlpjourney.train.stream_loss`);
    None when the run stopped before ``max_steps`` (``stop_after``)."""
    run_dir: Path
    """The run folder."""


def train_char_rnn(
    config: CharRNNRunConfig, echo: Callable[[str], None] | None = None
) -> CharRNNRunResult:
    """Train a character RNN/LSTM/GRU by ``config``'s recipe, then score the whole val split.

    Args:
        config: the run.
        echo: called with a few lines saying what is trained and how it ended (e.g.
            ``print``); None says nothing.

    Returns:
        The :class:`CharRNNRunResult`: the Trainer, the whole-split validation loss.

    Raises:
        JourneyError: a run in the way, a dataset missing, bad settings.
        TrainingInterrupted: SIGINT or SIGTERM stopped the run after a whole step, with
            a checkpoint (``--resume`` goes on from it).
    """
    if not isinstance(config, CharRNNRunConfig):
        raise TypeError(f"config must be a CharRNNRunConfig, got {type(config).__name__}")
    say = echo or (lambda line: None)
    recipe = config.recipe
    # float32 and no torch.compile: the recurrence is a Python loop of small steps.
    run = start_run(config, recipe, say, config.eval_interval, dtype="float32", compile=False)
    device = run.device

    from nlpjourney import data
    from nlpjourney.models.char_rnn import CharRNN, CharRNNConfig
    from nlpjourney.train import (
        TBPTTStream,
        Trainer,
        prepare_char,
        seed_everything,
        stream_loss,
    )

    text = Path(config.text) if config.text is not None else data.path("tinyshakespeare")
    with warnings.catch_warnings(record=True) as caught:  # a damaged cache, rebuilt
        warnings.simplefilter("always")
        dataset = prepare_char(text)  # the character GPT's split: the last 10 % validates
    for warning in caught:
        say(str(warning.message))
    model_config = CharRNNConfig.from_name(config.model_preset).replace(
        vocab_size=dataset.vocab_size
    )
    train_config = run.train_config
    seed_everything(config.seed)  # before building the model: the same seed, the same init
    model = CharRNN(model_config)
    state_shape = (model_config.state_size, model_config.num_layers, model_config.hidden_size)
    stream = TBPTTStream({"train": dataset.train, "val": dataset.val}, recipe.batch_size,
                         recipe.bptt, state_shape, device,
                         chunks={"val": train_config.eval_steps})  # fmt: skip
    meta = {
        "kind": META_KIND,
        "preset": config.model_preset,
        "model_config": model_config.to_dict(),
        "tokenizer": dataset.meta["tokenizer"],
        "bptt": recipe.bptt,
    }
    say(
        f"char-{config.model_preset}: {model.num_parameters() / 1e6:.2f}M parameters, vocab "
        f"{dataset.vocab_size}, {len(dataset.train):,} training characters in "
        f"{recipe.batch_size} streams, chunks of {recipe.bptt}, {run.steps} steps on {device}"
    )
    trainer = Trainer(model, train_config, stream, loss_fn=stream.loss, resume=run.resume,
                      overwrite=run.overwrite, meta=meta, unit="char")  # fmt: skip
    trainer.fit(until=config.stop_after)
    ended = last_scores(trainer.history, unit="chars")
    if ended:
        say(ended)
    val_loss = None
    if trainer.step >= train_config.max_steps:
        val_loss = stream_loss(model, dataset.val, device=device)
        say(
            f"validation loss over the whole split ({len(dataset.val):,} characters): "
            f"{val_loss:.4f} nats/char"
        )
    return CharRNNRunResult(trainer, val_loss, config.run_dir)


def _checkpoint(run_dir: Path) -> dict[str, Any]:
    """The run's checkpoint, or a JourneyError that says what to do."""
    from nlpjourney.train import load_checkpoint

    if not run_dir.is_dir():
        raise JourneyError(f"no run folder {run_dir}; train one with: journey train char-rnn")
    path = run_dir / "ckpt.pt"
    if not path.is_file():
        raise JourneyError(
            f"{run_dir} has no ckpt.pt (its run stopped before its first checkpoint); "
            f"train it with: journey train char-rnn --out-dir {run_dir}"
        )
    return load_checkpoint(path)  # CheckpointError is a JourneyError


def holds_char_rnn(run_dir: str | Path) -> bool:
    """Whether ``run_dir``'s checkpoint is one :func:`train_char_rnn` wrote.

    False for anything else: another model's run, no folder, no or a corrupt checkpoint
    (whoever loads it next says what is wrong).
    """
    try:
        meta = _checkpoint(Path(run_dir)).get("meta")
    except JourneyError:
        return False
    return isinstance(meta, dict) and meta.get("kind") == META_KIND


def load_run(run_dir: str | Path, device: str = "cpu") -> tuple[CharRNN, CharTokenizer]:
    """The trained model (in eval mode) and its tokenizer from a :func:`train_char_rnn` run.

    Raises:
        JourneyError: no run there, an unknown device, a corrupt checkpoint, one another
            workflow wrote, or metadata that does not match the weights (checked before
            the model is built).
    """
    from nlpjourney.models.char_rnn import CharRNN, CharRNNConfig
    from nlpjourney.tokenizers import CharTokenizer
    from nlpjourney.train import resolve_device

    target = resolve_device(device)
    run_dir = Path(run_dir)
    path = run_dir / "ckpt.pt"
    checkpoint = _checkpoint(run_dir)
    meta = checkpoint.get("meta")
    if not isinstance(meta, dict) or meta.get("kind") != META_KIND:
        raise JourneyError(
            f"{path} was not written by journey train char-rnn; sample from a run it made "
            "(journey sample reads GPT, Llama and char-rnn runs)"
        )
    try:
        model_config = CharRNNConfig.from_dict(meta["model_config"])
        tokenizer = CharTokenizer.from_dict(meta["tokenizer"])
    except (KeyError, TypeError, ValueError) as error:
        raise JourneyError(
            f"the metadata of {path} is damaged ({error}); train the run again or use a good copy"
        ) from None
    model = model_for_weights(lambda: CharRNN(model_config), checkpoint["model"], str(path))
    try:
        model.load_state_dict(checkpoint["model"])
    except (RuntimeError, KeyError, TypeError, ValueError) as error:
        raise JourneyError(
            f"{path} is damaged ({str(error).splitlines()[0]}); train the run again or use "
            "a good copy"
        ) from None
    if tokenizer.vocab_size > model_config.vocab_size:
        raise JourneyError(
            f"the metadata of {path} is damaged: its tokenizer has {tokenizer.vocab_size} "
            f"ids, its model {model_config.vocab_size}; train the run again or use a good copy"
        )
    return model.to(target).eval(), tokenizer


def generate_text(
    model: CharRNN,
    tokenizer: CharTokenizer,
    prompt: str,
    max_new_tokens: int = 500,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed: int = 1337,
) -> str:
    """``prompt`` continued by ``max_new_tokens`` characters sampled from ``model``.

    Args:
        model: a :class:`~nlpjourney.models.CharRNN`, e.g. from :func:`load_run`.
        tokenizer: its character tokenizer.
        prompt: the text to continue, at least one character the model knows.
        max_new_tokens: characters to add.
        temperature: 0 greedy, below 1 sharper, above 1 flatter.
        top_k: sample among the ``top_k`` likeliest characters (None: all).
        seed: the same seed gives the same text.

    Raises:
        JourneyError: an empty prompt, a character the model never saw, bad settings.
    """
    import torch

    if not prompt:
        raise JourneyError(
            "--prompt is empty; give at least one character (the default is a newline)"
        )
    try:
        ids = tokenizer.encode(prompt)
    except ValueError as error:
        raise JourneyError(f"cannot encode the prompt: {error}") from None
    device = next(model.parameters()).device
    idx = torch.tensor([ids], dtype=torch.long, device=device)
    generator = torch.Generator(device=device).manual_seed(seed)
    try:
        out = model.generate(idx, max_new_tokens, temperature, top_k, generator)
    except ValueError as error:
        raise JourneyError(str(error)) from None
    return tokenizer.decode(out[0].tolist())
