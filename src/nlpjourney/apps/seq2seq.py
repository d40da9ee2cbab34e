"""A recurrent Multi30k translator with attention, trained by a recipe, scored with sacreBLEU.

The same workflow as :mod:`nlpjourney.apps.translator` (the transformer's), with
:class:`~nlpjourney.seq2seq.Seq2Seq` as the model: :func:`train_seq2seq` trains a joint
BPE vocabulary on the training captions of both languages
(:func:`~nlpjourney.apps.translation.train_joint_bpe`), builds the model with the chosen
attention (``bahdanau``, ``luong-dot``, ``luong-general`` or ``none``, the fixed-vector
baseline) and cell, and trains it with :class:`~nlpjourney.train.Trainer` on
length-bucketed batches (:class:`~nlpjourney.apps.translation.ParallelBatches`) and the
label-smoothed loss, writing ``ckpt.pt``, ``metrics.csv`` and ``loss.png`` into the run
folder. The translator it returns
(:class:`~nlpjourney.apps.seq2seq_translation.Seq2SeqTranslator`) translates, scores BLEU
(:func:`~nlpjourney.apps.translator.evaluate_bleu` scores either kind) and shows its
attention; :func:`load_seq2seq` reads a run folder back, and :func:`load_any_translator`
a run folder of either kind (``journey translate``). The recipes and the config need no
torch, so the command line starts fast.

Example::

    translator = train_seq2seq(Seq2SeqRunConfig(pair="en-fr"), echo=print)
    bleu, seconds = evaluate_bleu(translator)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from nlpjourney.apps.runs import check_counts, check_fits, check_seed
from nlpjourney.apps.translator import PAIRS, TranslatorRecipe, fit_translator
from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.apps.seq2seq_translation import Seq2SeqTranslator
    from nlpjourney.apps.translation import Translator
    from nlpjourney.seq2seq import Seq2SeqConfig

__all__ = [
    "ATTENTION_CHOICES",
    "RECIPES",
    "Seq2SeqRunConfig",
    "check_seq2seq_beam_size",
    "load_any_translator",
    "load_seq2seq",
    "search_bytes",
    "train_seq2seq",
]

#: ``multi30k``: batches of 64 pairs, Adam (the transformer's betas), no weight decay,
#: label smoothing 0.1; ``tiny``: tests. What ``multi30k`` reaches is in the README's
#: records table, with its command.
RECIPES: dict[str, TranslatorRecipe] = {
    "multi30k": TranslatorRecipe(6000, 64, 2e-3, 1e-4, 200, 4000),
    "tiny": TranslatorRecipe(30, 8, 3e-3, 3e-4, 3, 300, eval_interval=10, eval_steps=1),
}
#: The attention switch, as the command line spells it.
ATTENTION_CHOICES = ("bahdanau", "luong-dot", "luong-general", "none")


@dataclass(frozen=True)
class Seq2SeqRunConfig:
    """One run of :func:`train_seq2seq`.

    Example:
        >>> Seq2SeqRunConfig(pair="en-fr", attention="none").run_dir
        PosixPath('runs/seq2seq-en-fr-none')
        >>> Seq2SeqRunConfig(cell="rnn")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: unknown --cell 'rnn'; choose gru or lstm
    """

    pair: str = "en-fr"
    """Source and target language, one of Multi30k's pairs."""
    attention: str = "bahdanau"
    """``bahdanau``, ``luong-dot``, ``luong-general`` or ``none`` (the fixed-vector baseline)."""
    cell: str = "gru"
    """``gru`` or ``lstm``."""
    preset: str = "multi30k"
    """A key of :data:`RECIPES` and of the seq2seq presets."""
    max_steps: int | None = None
    """Optimizer steps (default: the recipe's); the learning rate decays to its minimum here."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/seq2seq-<pair>-<attention>``)."""
    train_limit: int | None = None
    """Train on only the first this many sentence pairs (quick runs, tests)."""
    resume: bool = False
    """Continue the run in the folder."""
    overwrite: bool = False
    """Replace the run in the folder."""
    device: str = "auto"
    """``auto``, ``cpu``, ``cuda``, ..."""
    dtype: str = "float32"
    """Autocast precision; recurrent layers on a CPU are fastest in float32."""
    seed: int = 1337
    """Seeds the model's initial weights and the batches."""

    def __post_init__(self) -> None:
        if self.pair not in PAIRS:
            raise JourneyError(
                f"unknown language pair {self.pair!r}; Multi30k has {', '.join(PAIRS)}"
            )
        if self.attention not in ATTENTION_CHOICES:
            raise JourneyError(
                f"unknown --attention {self.attention!r}; choose {', '.join(ATTENTION_CHOICES)}"
            )
        if self.cell not in ("gru", "lstm"):
            raise JourneyError(f"unknown --cell {self.cell!r}; choose gru or lstm")
        lookup(RECIPES, self.preset, "seq2seq preset", f"Known: {', '.join(RECIPES)}.")
        check_counts(self, "max_steps", "train_limit")
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        if self.out_dir is not None:
            return Path(self.out_dir)
        return Path(f"runs/seq2seq-{self.pair}-{self.attention}")


def train_seq2seq(
    config: Seq2SeqRunConfig,
    echo: Callable[[str], None] | None = None,
    progress: bool | None = None,
) -> Seq2SeqTranslator:
    """Train a recurrent Multi30k translator by ``config``'s recipe (weights in the run folder).

    Args:
        config: the run.
        echo: called with a few lines saying what is trained and how it ended.
        progress: show a progress bar (None: on a terminal).

    Raises:
        JourneyError: a run in the way, a dataset missing, bad settings.
        TrainingInterrupted: SIGINT or SIGTERM stopped the run after a whole step, with
            a checkpoint (``--resume`` goes on from it).
    """
    if not isinstance(config, Seq2SeqRunConfig):
        raise TypeError(f"config must be a Seq2SeqRunConfig, got {type(config).__name__}")
    from nlpjourney.apps.seq2seq_translation import Seq2SeqTranslator

    def build(tokenizer: Any) -> Seq2SeqTranslator:
        from nlpjourney.apps.translation import special_ids
        from nlpjourney.seq2seq import Seq2Seq, Seq2SeqConfig

        model_config = Seq2SeqConfig.from_name(config.preset).replace(
            vocab_size=tokenizer.vocab_size, attention=config.attention, cell=config.cell,
            **special_ids(tokenizer),
        )  # fmt: skip
        return Seq2SeqTranslator(Seq2Seq(model_config), tokenizer, config.pair)

    describe = f"seq2seq ({config.cell}, attention {config.attention})"
    recipe = RECIPES[config.preset]
    translator = fit_translator(config, recipe, Seq2SeqTranslator, build, describe, echo, progress)
    return cast("Seq2SeqTranslator", translator)


def search_bytes(model_config: Seq2SeqConfig, sentences: int, beam_size: int) -> int:
    """About how many bytes a search takes for ``sentences`` sentences at once.

    Every beam is a row: its logits and log-probabilities over the vocabulary (and the
    candidates ranked from them), its copy of the encoder's memory and of its projected
    keys, its attention weights and its tokens at each output step; all float32.

    >>> from nlpjourney.seq2seq import Seq2SeqConfig
    >>> search_bytes(Seq2SeqConfig(), 1, 100_000) > 2**35  # more than 32 GiB
    True
    """
    from nlpjourney.apps.translator import TRANSLATE_BATCH

    c = model_config
    per_row = 3 * c.vocab_size + c.max_len * (2 * c.hidden_size + c.attention_size)
    per_row += c.max_len * (c.max_len + 2)
    return 4 * per_row * min(sentences, TRANSLATE_BATCH) * beam_size


def check_seq2seq_beam_size(
    beam_size: int, model_config: Seq2SeqConfig, sentences: int, device: str = "cpu"
) -> None:
    """Refuse a beam size below 1, or one whose search would not fit in memory.

    Raises:
        JourneyError: ``beam_size`` is not a whole number >= 1, or needs more memory
            than this machine can spare.
    """
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
        raise JourneyError(f"--beam-size must be at least 1 (1: greedy), got {beam_size}")
    count = min(sentences, 100)
    check_fits(
        search_bytes(model_config, sentences, beam_size),
        f"--beam-size {beam_size} for {count} sentence{'s' if count > 1 else ''} at once",
        "give a smaller --beam-size",
        device,
    )


def _read_run(run_dir: str | Path, command: str) -> dict[str, Any]:
    """The checkpoint of a run folder, or one clear error."""
    from nlpjourney.train import load_checkpoint

    if not Path(run_dir).is_dir():
        raise JourneyError(f"no run folder {run_dir}; train one with: {command}")
    path = Path(run_dir) / "ckpt.pt"
    if not path.is_file():
        raise JourneyError(
            f"{run_dir} has no ckpt.pt (its run stopped before its first checkpoint); "
            f"train it with: {command} --out-dir {run_dir}"
        )
    return load_checkpoint(path)  # CheckpointError: JourneyError


def load_seq2seq(run_dir: str | Path, device: str = "cpu") -> Seq2SeqTranslator:
    """The translator of a :func:`train_seq2seq` run folder.

    Raises:
        JourneyError: no run there, an unknown device, a corrupt checkpoint, one another
            workflow wrote, or metadata that does not match the weights.
    """
    from nlpjourney.apps.seq2seq_translation import Seq2SeqTranslator
    from nlpjourney.train import resolve_device

    target = resolve_device(device)
    checkpoint = _read_run(run_dir, "journey train seq2seq --pair en-fr")
    try:
        translator = Seq2SeqTranslator.from_meta(checkpoint.get("meta") or {}, checkpoint["model"])
    except RuntimeError as error:
        raise JourneyError(
            f"the weights in {run_dir}/ckpt.pt do not fit its config "
            f"({str(error).splitlines()[0]}); the checkpoint is damaged"
        ) from None
    translator.model.to(target)
    return translator


def load_any_translator(run_dir: str | Path, device: str = "cpu") -> Translator:
    """The translator of a run folder of ``journey train translator`` or ``seq2seq``.

    Raises:
        JourneyError: as :func:`load_seq2seq` and
            :func:`~nlpjourney.apps.translator.load_translator`.
    """
    from nlpjourney.apps.seq2seq_translation import META_KIND
    from nlpjourney.apps.translator import load_translator

    if Path(run_dir).is_dir() and (Path(run_dir) / "ckpt.pt").is_file():
        meta = _read_run(run_dir, "journey train seq2seq").get("meta") or {}
        if isinstance(meta, dict) and meta.get("kind") == META_KIND:
            return load_seq2seq(run_dir, device)
    return load_translator(run_dir, device)
