"""Named entity recognition end to end: ``journey ner train`` and ``journey ner predict``.

:func:`train_ner` trains an entity tagger on CoNLL-2003 English (the registry's
``eng.train``, scored on ``eng.testa``) or on files in CoNLL columns, prints the
development entity F1 with a per-type report, and writes a model folder:

- ``model/``: the tagger, saved by its own ``save`` (:mod:`nlpjourney.saving`);
- ``loss.png``: the training loss after each iteration (the CRF) or epoch (neural);
- ``ner.json``: what :func:`predict_ner` needs besides the weights (the model kind, how
  many input columns the features read, the tag scheme of the training file) and the
  development scores; written last, so a folder without it holds no finished model.

The models (``--model``): ``crf`` (:class:`~nlpjourney.tagging.crf.CRF` over
:func:`~nlpjourney.tagging.features.ner_features`, which reads the POS and chunk
columns when the data has them), ``bilstm-crf`` and ``bert`` (the neural taggers of
:mod:`nlpjourney.tagging`, on words only). Tags are trained in IOB2 (CoNLL-2003's IOB1
is converted: IOB2 marks every entity's start, which the taggers learn more easily)
and written back in the training file's scheme.

CoNLL columns: one token per line, whitespace-separated columns with the token first,
a blank line between sentences, ``-DOCSTART-`` lines skipped. For training the last
column is the gold tag.

Example::

    result = train_ner(NerRunConfig(out_dir=Path("runs/ner-crf"), max_iter=100), echo=print)
    text = predict_ner(NerPredictConfig(Path("runs/ner-crf"), Path("sentences.conll")))
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpjourney.apps.runs import claim_output_folder
from nlpjourney.data import corpora
from nlpjourney.errors import DataNotFoundError, JourneyError, ModelFormatError

__all__ = [
    "MODELS",
    "NerPredictConfig",
    "NerRunConfig",
    "NerRunResult",
    "predict_ner",
    "read_conll_columns",
    "train_ner",
]

#: ``--model`` name -> the tagger class in :mod:`nlpjourney.tagging` (imported when used).
MODELS = {"crf": "CRF", "bilstm-crf": "BiLSTMCRF", "bert": "BertTagger"}
MARKER, MODEL_FOLDER = "ner.json", "model"
CRF_MAX_ITER = 150  # L-BFGS iterations when --max-iter is not given
DEVICES = ("cpu", "cuda")


@dataclass(frozen=True)
class NerRunConfig:
    """One training run of ``journey ner train``.

    Args:
        out_dir: The model folder to write.
        model: ``crf``, ``bilstm-crf`` or ``bert``.
        train_file: Training sentences in CoNLL columns (None: CoNLL-2003 ``eng.train``).
        dev_file: Development sentences in CoNLL columns (None: CoNLL-2003 ``eng.testa``
            with the registry's training data, else no development scores).
        max_iter: CRF L-BFGS iterations (default :data:`CRF_MAX_ITER`).
        c2: CRF L2 coefficient.
        epochs: Neural training epochs (None: the tagger's default).
        device: ``cpu`` or ``cuda`` (neural taggers).
        force: Replace a model already in ``out_dir``.
        progress: Show progress bars (None: only on a terminal).
    """

    out_dir: Path
    model: str = "crf"
    train_file: Path | None = None
    dev_file: Path | None = None
    max_iter: int | None = None
    c2: float = 1.0
    epochs: int | None = None
    device: str = "cpu"
    force: bool = False
    progress: bool | None = None

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise JourneyError(f"--model must be one of {', '.join(MODELS)}, got {self.model!r}")
        for name in ("max_iter", "epochs"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise JourneyError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if self.c2 < 0:
            raise JourneyError(f"--c2 must be >= 0, got {self.c2}")
        if self.device.split(":")[0] not in DEVICES:
            raise JourneyError(f"--device must be cpu or cuda, got {self.device!r}")
        if self.dev_file is not None and self.train_file is None:
            raise JourneyError("--dev needs --train too (the default data has its own dev set)")


@dataclass(frozen=True)
class NerRunResult:
    """What :func:`train_ner` made: the folder, the dev scores, the sizes and the time."""

    out_dir: Path
    f1: float | None
    report: str | None
    n_train: int
    n_dev: int
    seconds: float


@dataclass(frozen=True)
class NerPredictConfig:
    """One ``journey ner predict`` call: the model folder, the input file, where to write."""

    model_dir: Path
    file: Path
    out: Path | None = None
    force: bool = False


def read_conll_columns(file: Path, what: str = "FILE") -> list[list[list[str]]]:
    """The sentences of a file in CoNLL columns: for each token, its columns.

    Raises:
        JourneyError: the file is missing, not UTF-8 text, or holds no token.
    """
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JourneyError(f"{what} {file} does not exist; give a file in CoNLL columns") from None
    except IsADirectoryError:
        raise JourneyError(f"{what} {file} is a folder; give a file in CoNLL columns") from None
    except UnicodeDecodeError:
        raise JourneyError(
            f"{what} {file} is not UTF-8 text; give a file in CoNLL columns"
        ) from None
    sentences = corpora.conll_sentences(text)
    if not sentences:
        raise JourneyError(f"{what} {file} holds no token; one token per line, columns after it")
    return sentences


def _tagged(sentences: list[list[list[str]]], file: Path, what: str) -> tuple[list, list]:
    """Split training rows into input columns and gold tags; every line needs the same width."""
    width = len(sentences[0][0])
    for sentence in sentences:
        for row in sentence:
            if len(row) != width:
                raise JourneyError(
                    f"{what} {file}: the line {' '.join(row)!r} has {len(row)} columns, the "
                    f"first has {width}; every line needs the same columns"
                )
    if width < 2:
        raise JourneyError(
            f"{what} {file} has one column; training needs the token first and the tag last"
        )
    return [[row[:-1] for row in s] for s in sentences], [[row[-1] for row in s] for s in sentences]


def _scheme(tags: list[list[str]]) -> str | None:
    """``"IOB1"`` if some entity opens with ``I-``, ``"IOB2"`` if all open with ``B-``, else None."""
    flat = {tag for sentence in tags for tag in sentence}
    if not all(tag == "O" or tag[:2] in ("B-", "I-") for tag in flat):
        return None
    for sentence in tags:
        previous = "O"
        for tag in sentence:
            if tag.startswith("I-") and (previous == "O" or previous[2:] != tag[2:]):
                return "IOB1"
            previous = tag
    return "IOB2"


def _to_iob2(tags: list[list[str]], scheme: str | None) -> list[list[str]]:
    from nlpjourney.tagging.ner import convert_scheme

    return tags if scheme != "IOB1" else [convert_scheme(t, "IOB1", "IOB2") for t in tags]


def _from_iob2(tags: list[list[str]], scheme: str | None) -> list[list[str]]:
    from nlpjourney.tagging.ner import convert_scheme

    return tags if scheme != "IOB1" else [convert_scheme(t, "IOB2", "IOB1") for t in tags]


def _data(config: NerRunConfig) -> tuple[list, list, list, list]:
    """Training and development columns and tags, from the files or the registry."""
    if config.train_file is None:
        from nlpjourney.data import corpora

        try:
            train, dev = corpora.conll2003("train"), corpora.conll2003("testa")
        except DataNotFoundError as error:
            raise JourneyError(f"{error} (or give --train FILE in CoNLL columns)") from None
        pairs = [[list(row) for row in s] for s in train], [[list(row) for row in s] for s in dev]
        train_rows, train_tags = _tagged(pairs[0], Path("eng.train"), "CoNLL-2003")
        dev_rows, dev_tags = _tagged(pairs[1], Path("eng.testa"), "CoNLL-2003")
        return train_rows, train_tags, dev_rows, dev_tags
    train_rows, train_tags = _tagged(
        read_conll_columns(config.train_file, "--train"), config.train_file, "--train"
    )
    if config.dev_file is None:
        return train_rows, train_tags, [], []
    dev_rows, dev_tags = _tagged(
        read_conll_columns(config.dev_file, "--dev"), config.dev_file, "--dev"
    )
    if len(dev_rows[0][0]) != len(train_rows[0][0]):
        raise JourneyError(
            f"--dev {config.dev_file} has {len(dev_rows[0][0]) + 1} columns, --train "
            f"{len(train_rows[0][0]) + 1}; give both the same columns"
        )
    return train_rows, train_tags, dev_rows, dev_tags


def _tagger_class(model: str) -> Any:
    """The tagger class for ``--model``, imported only now (the neural ones import torch)."""
    name = MODELS[model]
    tagging = importlib.import_module("nlpjourney.tagging")
    if not hasattr(tagging, name):
        raise JourneyError(
            f"--model {model} needs nlpjourney.tagging.{name}, which this install lacks"
        )
    return getattr(tagging, name)


def _inputs(rows: list[list[list[str]]], columns: int) -> list[list[Any]]:
    """What the tagger reads: CoNLL rows cut to ``columns`` (the CRF), or the words alone."""
    if columns == 1:
        return [[row[0] for row in sentence] for sentence in rows]
    return [[tuple(row[:columns]) for row in sentence] for sentence in rows]


def train_ner(config: NerRunConfig, echo: Callable[[str], None] = print) -> NerRunResult:
    """Train an entity tagger, score it on the development set and save it.

    Returns:
        The folder, the dev entity F1 (as seqeval's default mode counts it) and report.

    Raises:
        JourneyError: bad options, missing or malformed data, a model in the way.
    """
    out = Path(config.out_dir)
    claim_output_folder(out, config.force, MARKER, "a trained NER model")
    train_rows, train_tags, dev_rows, dev_tags = _data(config)
    scheme = _scheme(train_tags)
    cls = _tagger_class(config.model)
    # The CRF reads up to the POS and chunk columns; the neural taggers read words.
    columns = min(len(train_rows[0][0]), 3) if config.model == "crf" else 1
    train_x, dev_x = _inputs(train_rows, columns), _inputs(dev_rows, columns)
    train_y, dev_y = _to_iob2(train_tags, scheme), _to_iob2(dev_tags, _scheme(dev_tags))
    echo(
        f"training {config.model} on {len(train_x)} sentences ({sum(map(len, train_x))} tokens, "
        f"{columns} input column{'s' if columns > 1 else ''}, tags {scheme or 'as given'})"
    )
    started = time.perf_counter()
    if config.model == "crf":
        tagger = cls(c2=config.c2, max_iter=config.max_iter or CRF_MAX_ITER, features="ner")
        tagger.fit(train_x, train_y, progress=config.progress)
    else:
        options: dict[str, Any] = {"device": config.device, "progress": config.progress}
        if config.epochs is not None:
            options["epochs"] = config.epochs
        if dev_x:
            options["dev"] = (dev_x, dev_y)
        tagger = cls().fit(train_x, train_y, **options)
    seconds = time.perf_counter() - started
    f1 = report = None
    if dev_x:
        from nlpjourney.evaluate.sequence import classification_report, f1_score

        predicted = tagger.predict(dev_x)
        # An entity type never predicted scores 0, as conlleval reports it, without a warning.
        f1 = f1_score(dev_y, predicted, zero_division=0)
        report = classification_report(dev_y, predicted, digits=4, zero_division=0)
    tagger.save(out / MODEL_FOLDER)
    # The CRF records its objective per L-BFGS iteration, the neural taggers one record per epoch.
    if getattr(tagger, "loss_history_", None):
        _plot_loss(tagger.loss_history_, config.model, "iteration", out / "loss.png")
    elif losses := [r["loss"] for r in getattr(tagger, "history_", []) if "loss" in r]:
        _plot_loss(losses, config.model, "epoch", out / "loss.png")
    settings = {
        "model": config.model,
        "columns": columns,
        "scheme": scheme,
        "dev_f1": f1,
        "train_seconds": round(seconds, 1),
        "n_train": len(train_x),
    }
    (out / MARKER).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return NerRunResult(out, f1, report, len(train_x), len(dev_x), seconds)


def _plot_loss(history: list[float], model: str, step: str, path: Path) -> None:
    """A picture of the training loss, ``step`` (iteration or epoch) by step."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    axes.plot(range(1, len(history) + 1), history, marker="." if len(history) < 30 else None,
              label=f"{model} training loss")  # fmt: skip
    axes.set_yscale("log")
    axes.set_xlabel(step)
    axes.set_ylabel("training loss (-log-likelihood + penalty for the CRF)")
    axes.set_title(f"NER {model} training")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def _open_model(folder: Path) -> tuple[dict[str, Any], Any]:
    """The settings and the tagger of a folder written by :func:`train_ner`."""
    marker = Path(folder) / MARKER
    if not Path(folder).is_dir():
        raise JourneyError(f"no such model folder: {folder}; train one with journey ner train")
    try:
        settings = json.loads(marker.read_text(encoding="utf-8"))
        model, columns = settings["model"], int(settings["columns"])
    except FileNotFoundError:
        raise JourneyError(
            f"{folder} holds no {MARKER}, so no finished NER model; train one with journey ner train"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise JourneyError(f"{marker} is damaged; train the model again") from None
    if model not in MODELS or columns < 1:
        raise JourneyError(f"{marker} names no known model ({model!r}); train the model again")
    try:
        tagger = _tagger_class(model).load(Path(folder) / MODEL_FOLDER)
    except ModelFormatError as error:
        raise JourneyError(f"{folder}: {error}") from None
    return settings, tagger


def predict_ner(config: NerPredictConfig) -> str:
    """Tag a file in CoNLL columns; returns the text written (to ``config.out`` when given).

    Each output line is the input line's columns and the predicted tag, a blank line
    between sentences.

    Raises:
        JourneyError: the model folder or file is bad, a line has too few columns, or
            ``out`` exists and ``force`` is not set.
    """
    if config.out is not None and config.out.exists() and not config.force:
        raise JourneyError(f"--out {config.out} exists; add --force to replace it")
    settings, tagger = _open_model(config.model_dir)
    sentences = read_conll_columns(config.file)
    columns = settings["columns"]
    for sentence in sentences:
        for row in sentence:
            if len(row) < columns:
                raise JourneyError(
                    f"{config.file}: the line {' '.join(row)!r} has {len(row)} column(s); "
                    f"this model reads {columns} (token, POS, chunk)"
                )
    predicted = _from_iob2(tagger.predict(_inputs(sentences, columns)), settings.get("scheme"))
    blocks = [
        "\n".join(" ".join([*row, tag]) for row, tag in zip(s, tags, strict=True))
        for s, tags in zip(sentences, predicted, strict=True)
    ]
    text = "\n\n".join(blocks) + "\n"
    if config.out is not None:
        try:
            config.out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise JourneyError(f"cannot write --out {config.out}: {error.strerror}") from None
    return text
