"""A GPT or a Llama trained on Tiny Shakespeare by a named recipe, and read back from its run folder.

:func:`train_gpt` encodes Tiny Shakespeare by characters (or with GPT-2's BPE), builds
the run's model (:data:`ARCHITECTURES`: ``GPT(GPTConfig.from_name(preset))``, or
``Llama(LlamaConfig.from_name(preset))`` for ``model="llama"``) with the data's
vocabulary size and trains it with :class:`~nlpjourney.train.Trainer` by the preset's
:class:`GPTRecipe`, writing ``ckpt.pt``, ``metrics.csv`` and ``loss.png`` into the run
folder. The two models take one code path: both map ids (B, T) to logits (B, T, V), so
only the classes, the recipes and the name of the context field differ. The
checkpoint's ``meta`` holds the model's kind, config and tokenizer, so :func:`load_run`
rebuilds both from the folder alone and :func:`generate_text` continues a prompt with
them.

``journey train gpt``, ``journey train llama`` and ``journey sample`` are these three
functions behind options. The recipes and the config need no torch, and the functions
import it when called, so the command line starts fast and lists the presets in its help.

Example::

    trainer = train_gpt(GPTRunConfig(preset="shakespeare-char-cpu"), echo=print)
    model, tokenizer = load_run(Path("runs/shakespeare-char-cpu"))
    print(generate_text(model, tokenizer, "ROMEO:", max_new_tokens=200))
    train_gpt(GPTRunConfig(model="llama"), echo=print)  # into runs/llama-shakespeare-char-cpu
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
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
    import torch
    from torch import Tensor, nn

    from nlpjourney.models import GPT, Llama
    from nlpjourney.tokenizers import Tokenizer
    from nlpjourney.train import Trainer

__all__ = [
    "ARCHITECTURES",
    "LLAMA_RECIPES",
    "META_KIND",
    "RECIPES",
    "Architecture",
    "GPTRunConfig",
    "GPTRecipe",
    "generate_text",
    "load_run",
    "train_gpt",
]

#: Marks a checkpoint's ``meta`` as one :func:`train_gpt` wrote (the scaling sweep writes
#: it too, so its runs load alike). A stored string: never change it.
META_KIND = "nlpjourney.models.gpt"


@dataclass(frozen=True)
class GPTRecipe:
    """How a preset trains: nanoGPT's settings, as :class:`~nlpjourney.train.TrainConfig` fields."""

    max_steps: int
    batch_size: int
    lr: float
    min_lr: float
    warmup_steps: int
    eval_interval: int
    eval_steps: int
    grad_accum_steps: int = 1
    betas: tuple[float, float] = (0.9, 0.99)


#: ``shakespeare-char`` is nanoGPT's ``config/train_shakespeare_char.py`` (GPU);
#: ``shakespeare-char-cpu`` the CPU command of nanoGPT's README (block 64, batch 12,
#: 2,000 steps, 100 warm-up steps, eval every 250) with one change of ours: lr 2e-3
#: decaying to 2e-4 where nanoGPT has 1e-3 to 1e-4, because a model this small trains
#: faster at the higher rate. ``shakespeare-char-15min`` trains that model's size with
#: block 128 and dropout 0.1 on 16M tokens (4,000 steps of 32 x 128, about 16 epochs):
#: at this compute a small model fed more tokens beats a bigger one. ``gpt2`` uses
#: GPT-2's lr 6e-4 and beta2 0.95 at a batch that fits one GPU; ``tiny`` is for tests.
#: What each reaches is in the README's records table, with its command.
RECIPES: dict[str, GPTRecipe] = {
    "shakespeare-char": GPTRecipe(5000, 64, 1e-3, 1e-4, 100, 250, 200),
    "shakespeare-char-cpu": GPTRecipe(2000, 12, 2e-3, 2e-4, 100, 250, 20),
    "shakespeare-char-15min": GPTRecipe(4000, 32, 2e-3, 2e-4, 100, 500, 20),
    "gpt2": GPTRecipe(5000, 8, 6e-4, 6e-5, 100, 250, 20, grad_accum_steps=4, betas=(0.9, 0.95)),
    "tiny": GPTRecipe(100, 4, 1e-3, 1e-4, 10, 25, 2),
}

#: Llama's recipes are GPT's at the same budget, so the two train on the same data for the
#: same steps, batch and block (the Llama presets in :data:`nlpjourney.models.llama.PRESETS`
#: match GPT's sizes): what differs between the two runs is the architecture alone.
LLAMA_RECIPES: dict[str, GPTRecipe] = {
    "shakespeare-char-cpu": RECIPES["shakespeare-char-cpu"],
    "tiny": RECIPES["tiny"],
}

#: The tokenizers :func:`train_gpt` can encode Tiny Shakespeare with.
TOKENIZERS = ("char", "gpt2")


@dataclass(frozen=True)
class Architecture:
    """A model family :func:`train_gpt` trains: where its classes live, and its recipes.

    Named by strings, not classes, so that reading the table imports no torch.
    """

    module: str
    """The module of the model and its config; also the ``kind`` stored in a checkpoint's
    ``meta`` (a stored string: never change it)."""
    model_class: str
    """The model's class name in ``module`` (called with a config)."""
    config_class: str
    """Its config's class name (``from_name``, ``from_dict``, ``to_dict``, ``replace``)."""
    context_field: str
    """The config field that holds the context length: windows are this long."""
    recipes: Mapping[str, GPTRecipe]
    """The presets this family trains by, each a model preset of ``config_class``."""

    def classes(self) -> tuple[type[nn.Module], Any]:
        """The model class and the config class (imports torch)."""
        module = importlib.import_module(self.module)
        return getattr(module, self.model_class), getattr(module, self.config_class)


#: The models a run trains, by the name ``journey train <name>`` gives them.
ARCHITECTURES: dict[str, Architecture] = {
    "gpt": Architecture(META_KIND, "GPT", "GPTConfig", "block_size", RECIPES),
    "llama": Architecture(
        "nlpjourney.models.llama", "Llama", "LlamaConfig", "max_seq_len", LLAMA_RECIPES
    ),
}


@dataclass(frozen=True)
class GPTRunConfig:
    """One run of :func:`train_gpt`: which recipe, how long, where, on what.

    Example:
        >>> GPTRunConfig(preset="tiny").run_dir
        PosixPath('runs/tiny')
        >>> GPTRunConfig(model="llama").run_dir
        PosixPath('runs/llama-shakespeare-char-cpu')
        >>> GPTRunConfig(tokenizer="words")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: --tokenizer must be 'char' or 'gpt2', got 'words'
    """

    preset: str = "shakespeare-char-cpu"
    """The model's preset (e.g. :data:`~nlpjourney.models.gpt.PRESETS`) and its recipe
    (the architecture's, e.g. :data:`RECIPES`)."""
    tokenizer: str = "char"
    """``"char"`` (one id per character) or ``"gpt2"`` (GPT-2's BPE)."""
    max_steps: int | None = None
    """Optimizer steps (default: the recipe's); the learning rate decays to its minimum here."""
    stop_after: int | None = None
    """Stop after this step, with a checkpoint; a run resumed later goes on to ``max_steps``."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/<preset>``)."""
    resume: bool = False
    """Continue the run in the folder."""
    overwrite: bool = False
    """Replace the run in the folder."""
    device: str = "auto"
    """``auto``, ``cpu``, ``cuda``, ``cuda:1``, ..."""
    dtype: str = "auto"
    """Autocast precision (``auto``: bfloat16 where the device multiplies it fast)."""
    eval_interval: int | None = None
    """Evaluate, plot and checkpoint every this many steps (default: the recipe's)."""
    seed: int = 1337
    """Seeds the model's initial weights and the batches."""
    model: str = "gpt"
    """The architecture (:data:`ARCHITECTURES`): ``"gpt"`` or ``"llama"``."""

    def __post_init__(self) -> None:
        known = ", ".join(ARCHITECTURES)
        recipes = lookup(ARCHITECTURES, self.model, "model", f"Known: {known}.").recipes
        lookup(recipes, self.preset, "preset", f"Known for {self.model}: {', '.join(recipes)}.")
        if self.tokenizer not in TOKENIZERS:
            raise JourneyError(f"--tokenizer must be 'char' or 'gpt2', got {self.tokenizer!r}")
        check_counts(self, "max_steps", "stop_after", "eval_interval")
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go: ``runs/<preset>``, ``runs/llama-<preset>`` for a Llama."""
        if self.out_dir is not None:
            return Path(self.out_dir)
        return Path("runs") / (
            self.preset if self.model == "gpt" else f"{self.model}-{self.preset}"
        )

    @property
    def architecture(self) -> Architecture:
        """The model family trained (:data:`ARCHITECTURES`)."""
        return ARCHITECTURES[self.model]

    @property
    def recipe(self) -> GPTRecipe:
        """The preset's :class:`GPTRecipe`."""
        return self.architecture.recipes[self.preset]


def train_gpt(config: GPTRunConfig, echo: Callable[[str], None] | None = None) -> Trainer:
    """Train a GPT (or a Llama: ``config.model``) on Tiny Shakespeare by ``config``'s
    recipe; the Trainer holds the model.

    Args:
        config: the run.
        echo: called with a few lines saying what is trained and how it ended (e.g.
            ``print``); None says nothing.

    Returns:
        The :class:`~nlpjourney.train.Trainer` after training: ``.model``, ``.history``.

    Raises:
        JourneyError: a run in the way, a dataset missing, bad settings.
        TrainingInterrupted: SIGINT or SIGTERM stopped the run after a whole step, with
            a checkpoint (``--resume`` goes on from it).
    """
    if not isinstance(config, GPTRunConfig):
        raise TypeError(f"config must be a GPTRunConfig, got {type(config).__name__}")
    say = echo or (lambda line: None)
    recipe = config.recipe
    run = start_run(config, recipe, say, config.eval_interval, dtype=config.dtype)
    device = run.device

    from nlpjourney import data
    from nlpjourney.train import (
        Trainer,
        autocast_dtype,
        prepare_bpe,
        prepare_char,
        seed_everything,
    )

    text = data.path("tinyshakespeare")
    with warnings.catch_warnings(record=True) as caught:  # a damaged cache, rebuilt
        warnings.simplefilter("always")
        dataset = prepare_char(text) if config.tokenizer == "char" else prepare_bpe(text, "gpt2")
    for warning in caught:
        say(str(warning.message))
    architecture = config.architecture
    model_class, config_class = architecture.classes()
    model_config = config_class.from_name(config.preset).replace(vocab_size=dataset.vocab_size)
    context = getattr(model_config, architecture.context_field)
    steps, train_config = run.steps, run.train_config
    seed_everything(config.seed)  # before building the model: the same seed, the same init
    model = model_class(model_config)
    sampler = dataset.sampler(recipe.batch_size, context, config.seed, device)
    meta = {
        "kind": architecture.module,
        "preset": config.preset,
        "model_config": model_config.to_dict(),
        "tokenizer": dataset.meta["tokenizer"],
    }
    amp = autocast_dtype(train_config.dtype, device)
    precision = "float32" if amp is None else f"{str(amp).removeprefix('torch.')} autocast"
    name = config.preset if config.model == "gpt" else f"{config.model} {config.preset}"
    say(
        f"{name}: {model.num_parameters() / 1e6:.2f}M parameters, vocab "
        f"{dataset.vocab_size} ({config.tokenizer}), {len(dataset.train):,} training tokens, "
        f"{steps} steps on {device} ({precision})"
    )
    trainer = Trainer(model, train_config, sampler, resume=run.resume, overwrite=run.overwrite,
                      meta=meta)  # fmt: skip
    trainer.fit(until=config.stop_after)
    ended = last_scores(trainer.history)
    if ended:
        say(ended)
    return trainer


def load_run(run_dir: str | Path, device: str = "cpu") -> tuple[GPT | Llama, Tokenizer]:
    """The trained model (in eval mode) and its tokenizer from a :func:`train_gpt` run folder.

    The model is a GPT or a Llama, as the checkpoint's ``meta`` says.

    Raises:
        JourneyError: no run there, an unknown device, a corrupt checkpoint, or one
            another workflow wrote; metadata that does not match the weights (checked
            before the model is built, so a forged size allocates nothing).
    """
    from nlpjourney.tokenizers import CharTokenizer
    from nlpjourney.tokenizers import load as load_tokenizer
    from nlpjourney.train import load_checkpoint, resolve_device

    target = resolve_device(device)
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise JourneyError(
            f"no run folder {run_dir}; train one with: journey train gpt (or journey train llama)"
        )
    path = run_dir / "ckpt.pt"
    if not path.is_file():
        raise JourneyError(
            f"{run_dir} has no ckpt.pt (its run stopped before its first checkpoint); "
            f"train it with: journey train gpt --out-dir {run_dir}"
        )
    checkpoint = load_checkpoint(path)  # CheckpointError is a JourneyError
    meta: dict[str, Any] = checkpoint.get("meta") or {}
    kind = meta.get("kind") if isinstance(meta, dict) else None
    architecture = next((a for a in ARCHITECTURES.values() if a.module == kind), None)
    if architecture is None:
        raise JourneyError(
            f"{path} was not written by journey train gpt or journey train llama (no model "
            "config in its meta); sample from a run those commands made"
        )
    model_class, config_class = architecture.classes()
    try:
        model_config = config_class.from_dict(meta["model_config"])
        spec = meta["tokenizer"]
        kind = spec["type"]
    except (KeyError, TypeError, ValueError) as error:
        raise JourneyError(
            f"the metadata of {path} is damaged ({error}); train the run again or use a good copy"
        ) from None
    model = model_for_weights(lambda: model_class(model_config), checkpoint["model"], str(path))
    try:
        model.load_state_dict(checkpoint["model"])
        tok = CharTokenizer.from_dict(spec) if kind == "char" else load_tokenizer(spec["name"])
    except (RuntimeError, KeyError, TypeError, ValueError) as error:
        raise JourneyError(
            f"{path} is damaged ({str(error).splitlines()[0]}); train the run again or use "
            "a good copy"
        ) from None
    if tok.vocab_size > model_config.vocab_size:  # ids the model has no row for
        raise JourneyError(
            f"the metadata of {path} is damaged: its tokenizer has {tok.vocab_size} ids, its "
            f"model {model_config.vocab_size}; train the run again or use a good copy"
        )
    return model.to(target).eval(), tok


def generate_text(
    model: GPT | Llama,
    tokenizer: Tokenizer,
    prompt: str,
    max_new_tokens: int = 500,
    temperature: float = 0.8,
    top_k: int | None = 200,
    seed: int = 1337,
) -> str:
    """``prompt`` continued by ``max_new_tokens`` tokens sampled from ``model``.

    Args:
        model: a GPT or a Llama, e.g. from :func:`load_run`.
        tokenizer: the tokenizer it was trained with.
        prompt: the text to continue, at least one character.
        max_new_tokens: tokens to add.
        temperature: 0 greedy, below 1 sharper, above 1 flatter.
        top_k: sample among the ``top_k`` likeliest tokens (None: all).
        seed: the same seed gives the same text.

    Returns:
        The prompt and its continuation, decoded.

    Raises:
        JourneyError: an empty prompt, one the tokenizer cannot encode, bad settings.
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
    from nlpjourney.models import GPT

    try:
        if isinstance(model, GPT):
            out = model.generate(idx, max_new_tokens, temperature, top_k, generator)
        else:
            out = _continue_llama(model, idx, max_new_tokens, temperature, top_k, generator)
    except ValueError as error:
        raise JourneyError(str(error)) from None
    return tokenizer.decode(out[0].tolist())


def _continue_llama(
    model: Llama,
    idx: Tensor,
    max_new_tokens: int,
    temperature: float,
    top_k: int | None,
    generator: torch.Generator,
) -> Tensor:
    """``idx`` (1, T) and ``max_new_tokens`` tokens sampled after it, however many.

    :func:`nlpjourney.infer.generate` stops at the model's context; a model trained on
    64-character windows should still write 500 characters, as GPT's ``generate`` does.
    So each token sees at most the last ``max_seq_len`` tokens: the KV caches fill up,
    and when full are refilled from the latest window. With RoPE a score depends only
    on the distance between positions, so the refilled window at positions
    ``0 .. max_seq_len - 1`` scores exactly as the uncached window would.
    """
    import torch

    from nlpjourney.models.sampling import check_sampling, sample_next

    check_sampling(max_new_tokens, temperature, top_k)
    window = model.config.max_seq_len
    tokens = idx
    caches = None
    was_training = model.training
    model.eval()  # no dropout while writing
    try:
        with torch.no_grad():
            for _ in range(max_new_tokens):
                if caches is None or len(caches[0]) + 1 > window:
                    caches = model.new_caches(1, window)
                    logits = model(tokens[:, -window:], caches)
                else:
                    logits = model(tokens[:, -1:], caches)  # only the newest token
                next_id = sample_next(logits[:, -1], temperature, top_k, generator)  # (1, 1)
                tokens = torch.cat([tokens, next_id], dim=1)  # (1, T + 1)
    finally:
        model.train(was_training)
    return tokens
