"""A Multi30k translator trained from scratch by a recipe, scored with sacreBLEU.

:func:`train_translator` trains a joint BPE vocabulary on Multi30k's training captions of
both languages, builds ``Transformer(TransformerConfig.from_name(preset))`` and trains it
with :class:`~nlpjourney.train.Trainer` (label-smoothed cross-entropy, length-bucketed
batches from :mod:`nlpjourney.apps.translation`), writing ``ckpt.pt``, ``metrics.csv``
and ``loss.png`` into the run folder. :func:`evaluate_bleu` translates a test split with
beam search and scores it; :func:`load_translator` reads a run folder back. The
checkpoint's ``meta`` holds the model config and the tokenizer, so a run folder is all a
translator needs.

``journey train translator`` and ``journey translate`` are these functions behind
options. The recipes and the config need no torch, so the command line starts fast.

Example::

    translator = train_translator(TranslatorRunConfig(pair="de-en"), echo=print)
    bleu, seconds = evaluate_bleu(translator)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.apps.runs import (
    MEMORY_SHARE,
    available_memory,
    check_counts,
    check_fits,
    check_seed,
    start_run,
)
from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.apps.translation import Translator
    from nlpjourney.models.transformer import TransformerConfig

__all__ = [
    "PAIRS",
    "RECIPES",
    "TEST_SPLIT",
    "TranslatorRecipe",
    "TranslatorRunConfig",
    "beam_search_bytes",
    "check_beam_size",
    "evaluate_bleu",
    "fit_translator",
    "load_translator",
    "train_translator",
]

#: The language pairs Multi30k holds, source-target.
PAIRS = ("de-en", "en-de", "en-fr", "fr-en")
#: The split :func:`evaluate_bleu` scores by default.
TEST_SPLIT = "test_2016_flickr"
#: Sentences :meth:`~nlpjourney.apps.translation.Translator.translate` decodes at once.
TRANSLATE_BATCH = 100


@dataclass(frozen=True)
class TranslatorRecipe:
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
#: What ``multi30k`` reaches is in the README's records table, with its command.
RECIPES: dict[str, TranslatorRecipe] = {
    "multi30k": TranslatorRecipe(1800, 128, 1e-3, 5e-5, 200, 8000),
    "tiny": TranslatorRecipe(30, 8, 3e-3, 3e-4, 3, 300, eval_interval=10, eval_steps=1),
}


@dataclass(frozen=True)
class TranslatorRunConfig:
    """One run of :func:`train_translator`.

    Example:
        >>> TranslatorRunConfig(pair="en-fr").run_dir
        PosixPath('runs/translator-en-fr')
        >>> TranslatorRunConfig(pair="de-xx")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: unknown language pair 'de-xx'; Multi30k has de-en, en-de, en-fr, fr-en
    """

    pair: str = "de-en"
    """Source and target language, one of :data:`PAIRS`."""
    preset: str = "multi30k"
    """A key of :data:`RECIPES` and of the transformer presets."""
    max_steps: int | None = None
    """Optimizer steps (default: the recipe's); the learning rate decays to its minimum here."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/translator-<pair>``)."""
    train_limit: int | None = None
    """Train on only the first this many sentence pairs (quick runs, tests)."""
    resume: bool = False
    """Continue the run in the folder."""
    overwrite: bool = False
    """Replace the run in the folder."""
    device: str = "auto"
    """``auto``, ``cpu``, ``cuda``, ..."""
    dtype: str = "auto"
    """Autocast precision (``auto``: bfloat16 where the device multiplies it fast)."""
    seed: int = 1337
    """Seeds the model's initial weights and the batches."""

    def __post_init__(self) -> None:
        if self.pair not in PAIRS:
            raise JourneyError(
                f"unknown language pair {self.pair!r}; Multi30k has {', '.join(PAIRS)}"
            )
        lookup(RECIPES, self.preset, "translator preset", f"Known: {', '.join(RECIPES)}.")
        check_counts(self, "max_steps", "train_limit")
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return (
            Path(self.out_dir) if self.out_dir is not None else Path(f"runs/translator-{self.pair}")
        )


def train_translator(
    config: TranslatorRunConfig,
    echo: Callable[[str], None] | None = None,
    progress: bool | None = None,
) -> Translator:
    """Train a Multi30k translator by ``config``'s recipe; returns it (weights in the run folder).

    Args:
        config: the run.
        echo: called with a few lines saying what is trained and how it ended.
        progress: show a progress bar (None: on a terminal).

    Raises:
        JourneyError: a run in the way, a dataset missing, bad settings.
        TrainingInterrupted: SIGINT or SIGTERM stopped the run after a whole step, with
            a checkpoint (``--resume`` goes on from it).
    """
    if not isinstance(config, TranslatorRunConfig):
        raise TypeError(f"config must be a TranslatorRunConfig, got {type(config).__name__}")
    from nlpjourney.apps.translation import Translator

    def build(tokenizer: Any) -> Translator:
        from nlpjourney.apps.translation import special_ids
        from nlpjourney.models.transformer import Transformer, TransformerConfig

        model_config = TransformerConfig.from_name(config.preset).replace(
            vocab_size=tokenizer.vocab_size, **special_ids(tokenizer)
        )
        return Translator(Transformer(model_config), tokenizer, config.pair)

    return fit_translator(
        config, RECIPES[config.preset], Translator, build, config.preset, echo, progress
    )


def fit_translator(
    config: Any,
    recipe: TranslatorRecipe,
    kind: type[Translator],
    build: Callable[[Any], Translator],
    describe: str,
    echo: Callable[[str], None] | None = None,
    progress: bool | None = None,
) -> Translator:
    """Train a Multi30k translator of any model: the recipe the transformer and seq2seq share.

    A joint BPE vocabulary of the training captions (or, on resume, the checkpoint's),
    ``build(tokenizer)`` after seeding (so the same seed gives the same init), the pairs
    encoded to the model's ``max_len``, length-bucketed batches, the label-smoothed loss
    and :class:`~nlpjourney.train.Trainer` writing the run folder.

    Args:
        config: a run config with ``pair``, ``train_limit``, ``seed``, ``dtype`` and the
            fields :func:`~nlpjourney.apps.runs.start_run` reads.
        recipe: how it trains.
        kind: the translator class, whose ``from_meta`` reads a checkpoint's tokenizer back.
        build: makes the translator (its model untrained) for a tokenizer.
        describe: the model as the first line names it.
        echo: called with a few lines saying what is trained and how it ended.
        progress: show a progress bar (None: on a terminal).
    """
    say = echo or (lambda line: None)
    out = config.run_dir
    run = start_run(config, recipe, say, dtype=config.dtype)
    device, resume = run.device, run.resume

    from nlpjourney.apps.translation import (
        ParallelBatches,
        encode_pairs,
        label_smoothed_loss,
        train_joint_bpe,
    )
    from nlpjourney.data.corpora import multi30k
    from nlpjourney.train import Trainer, load_checkpoint, seed_everything

    source, target = config.pair.split("-")
    train_src = multi30k("train", source)[: config.train_limit]
    train_tgt = multi30k("train", target)[: config.train_limit]
    if resume:  # the vocabulary must be the one the weights were trained with
        meta = load_checkpoint(out / "ckpt.pt").get("meta") or {}
        tokenizer = kind.from_meta(meta).tokenizer
    else:
        tokenizer = train_joint_bpe(train_src + train_tgt, recipe.vocab_size)
    seed_everything(config.seed)  # before building the model: the same seed, the same init
    translator = build(tokenizer)
    model = translator.model
    max_len, pad_id = model.config.max_len, model.config.pad_id
    splits = {
        "train": encode_pairs(tokenizer, train_src, train_tgt, max_len),
        "val": encode_pairs(tokenizer, multi30k("val", source), multi30k("val", target), max_len),
    }
    batches = ParallelBatches(splits, recipe.batch_size, pad_id, config.seed, device)

    def loss_fn(logits, targets):  # noqa: ANN001, ANN202
        return label_smoothed_loss(logits, targets, pad_id, recipe.label_smoothing)

    epochs = run.steps / batches.epoch_batches()
    say(
        f"{config.pair} {describe}: {model.num_parameters() / 1e6:.2f}M parameters, joint "
        f"BPE vocab {tokenizer.vocab_size}, {len(splits['train'][0]):,} training pairs, "
        f"{run.steps} steps ({epochs:.1f} epochs) on {device}"
    )
    started = time.perf_counter()
    trainer = Trainer(model, run.train_config, batches, loss_fn=loss_fn, resume=resume,
                      overwrite=run.overwrite, meta=translator.meta(),
                      progress=progress)  # fmt: skip
    trainer.fit()
    last = trainer.history[-1] if trainer.history else None
    losses = (
        f": train loss {last['train_loss']:.3f}, val loss {last['val_loss']:.3f}" if last else ""
    )
    say(f"trained {trainer.step} steps in {time.perf_counter() - started:.0f} s{losses}")
    model.eval()
    return translator


def beam_search_bytes(model_config: TransformerConfig, sentences: int, beam_size: int) -> int:
    """About how many bytes beam search takes for ``sentences`` sentences at once.

    Every beam is a row of the decoder's batch: it holds its logits and their
    log-probabilities over the vocabulary (and the candidates ranked from them), its
    cached keys and values in every decoder layer (its own, up to ``max_len`` tokens, and
    the source's), and its copy of the encoder's output; all float32.

    >>> from nlpjourney.models.transformer import TransformerConfig
    >>> beam_search_bytes(TransformerConfig(), 1, 100_000) > 2**40  # more than a TiB
    True
    """
    c = model_config
    length = c.max_len  # the source and the output are each at most max_len tokens
    per_row = 3 * c.vocab_size + c.n_decoder_layers * 4 * length * c.d_model
    per_row += length * c.d_model
    return 4 * per_row * min(sentences, TRANSLATE_BATCH) * beam_size


def check_beam_size(
    beam_size: int, model_config: TransformerConfig, sentences: int, device: str = "cpu"
) -> None:
    """Refuse a beam size below 1, or one whose search would not fit in memory.

    Called before any work (before training, before loading), so a bad ``--beam-size``
    is one clear line at the start, never a run that fails at its end or a process the
    kernel kills.

    Raises:
        JourneyError: ``beam_size`` is not a whole number >= 1, or needs more memory
            than this machine can spare; the message gives the largest that fits.
    """
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
        raise JourneyError(f"--beam-size must be at least 1 (1: greedy), got {beam_size}")
    one_beam = beam_search_bytes(model_config, sentences, 1)
    free = available_memory(device)
    largest = max(1, int(MEMORY_SHARE * free // one_beam)) if free is not None else beam_size
    count = min(sentences, TRANSLATE_BATCH)
    check_fits(
        one_beam * beam_size,
        f"--beam-size {beam_size} for {count} sentence{'s' if count > 1 else ''} at once",
        f"give at most --beam-size {largest}",
        device,
    )


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


def load_translator(run_dir: str | Path, device: str = "cpu") -> Translator:
    """The translator of a :func:`train_translator` run folder.

    Raises:
        JourneyError: no run there, an unknown device, a corrupt checkpoint, one another
            workflow wrote, or metadata that does not match the weights.
    """
    from nlpjourney.apps.translation import Translator
    from nlpjourney.train import load_checkpoint, resolve_device

    target = resolve_device(device)
    if not Path(run_dir).is_dir():
        raise JourneyError(
            f"no run folder {run_dir}; train one with: journey train translator --pair de-en"
        )
    path = Path(run_dir) / "ckpt.pt"
    if not path.is_file():
        raise JourneyError(
            f"{run_dir} has no ckpt.pt (its run stopped before its first checkpoint); "
            f"train it with: journey train translator --out-dir {run_dir}"
        )
    checkpoint = load_checkpoint(path)  # CheckpointError: JourneyError
    try:
        translator = Translator.from_meta(checkpoint.get("meta") or {}, checkpoint["model"])
    except RuntimeError as error:
        raise JourneyError(
            f"the weights in {path} do not fit its config "
            f"({str(error).splitlines()[0]}); the checkpoint is damaged"
        ) from None
    translator.model.to(target)
    return translator
