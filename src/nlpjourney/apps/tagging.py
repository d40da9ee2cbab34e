"""Part-of-speech tagging end to end: ``journey tag train`` and ``journey tag predict``.

:func:`train_tagger` trains a tagger (:class:`~nlpjourney.tagging.PerceptronTagger` or
:class:`~nlpjourney.tagging.HMMTagger`) on one of :data:`DATASETS` or on any CoNLL-U
file (its FORM and UPOS columns), reports its accuracy on the held-out split when the
data has one, and saves it to a folder (``runs/tag-<model>`` by default) in the
:mod:`nlpjourney.saving` format. :func:`predict_tags` opens such a folder and tags a
text file (one sentence per line, tokens split on whitespace) or a CoNLL-U file (the
UPOS column filled in, every other column kept).

Example::

    result = train_tagger(TagTrainConfig(data="treebank", model="hmm"), echo=print)
    predict_tags(TagPredictConfig(result.folder, Path("sentences.txt")), echo=print)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlpjourney.apps.runs import claim_output_folder
from nlpjourney.errors import JourneyError, ModelFormatError

__all__ = [
    "DATASETS",
    "MODELS",
    "TagPredictConfig",
    "TagTrainConfig",
    "TagTrainResult",
    "load_tagger",
    "predict_tags",
    "train_tagger",
]

RUNS = Path("runs")
MARKER = "model.json"
#: The taggers ``journey tag train --model`` builds, by name.
MODELS = ("perceptron", "hmm")
#: The datasets ``journey tag train --data`` takes by name (or give a .conllu file).
DATASETS = ("ud_english_lines", "treebank")
TREEBANK_TRAIN = 3000  # the Penn Treebank sample: first 3,000 sentences train, the rest test

Tagged = tuple[list[list[str]], list[list[str]]]


@dataclass(frozen=True)
class TagTrainConfig:
    """One ``journey tag train``.

    Attributes:
        data: ``"ud_english_lines"`` (UD English LinES: train, scored on test),
            ``"treebank"`` (the Penn Treebank sample without traces: first 3,000 sentences
            train, the other 914 test) or a path to a ``.conllu`` file (all of it trains).
        model: ``"perceptron"`` or ``"hmm"``.
        out_dir: the model folder; None means ``runs/tag-<model>``.
        force: replace a tagger already in ``out_dir``.
        n_iter, beam_size: the perceptron's passes and beam (ignored by the HMM).
    """

    data: str = "ud_english_lines"
    model: str = "perceptron"
    out_dir: Path | None = None
    force: bool = False
    n_iter: int = 5
    beam_size: int = 1

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise JourneyError(
                f"no tagger model {self.model!r}; choose one of: {', '.join(MODELS)}"
            )
        if self.data not in DATASETS and not self.data.endswith(".conllu"):
            raise JourneyError(
                f"--data {self.data!r} is neither a dataset ({', '.join(DATASETS)}) nor a .conllu file"
            )
        if self.n_iter < 1 or self.beam_size < 1:
            raise JourneyError("--n-iter and --beam-size must be at least 1")

    @property
    def folder(self) -> Path:
        return self.out_dir if self.out_dir is not None else RUNS / f"tag-{self.model}"


@dataclass(frozen=True)
class TagTrainResult:
    """What :func:`train_tagger` made: the folder, and the held-out accuracy if any."""

    folder: Path
    n_train_sentences: int
    accuracy: float | None
    held_out: str | None


def _conllu_tagged(source: str | Path) -> Tagged:
    from nlpjourney.parsing.conllu import read_conllu

    sentences = read_conllu(source)
    return [s.forms for s in sentences], [s.upos for s in sentences]


def _load_data(data: str) -> tuple[Tagged, Tagged | None, str | None]:
    """Training data, held-out data (or None) and the held-out split's name."""
    if data == "ud_english_lines":
        from nlpjourney.data import path

        folder = path("ud_english_lines")
        train = _conllu_tagged(folder / "en_lines-ud-train.conllu")
        return train, _conllu_tagged(folder / "en_lines-ud-test.conllu"), "LinES test"
    if data == "treebank":
        from nlpjourney.data import corpora

        tagged = [[(w, t) for w, t in s if t != "-NONE-"] for s in corpora.treebank_tagged_sents()]
        split = [
            [[w for w, _ in s] for s in part]
            for part in (tagged[:TREEBANK_TRAIN], tagged[TREEBANK_TRAIN:])
        ]
        tags = [
            [[t for _, t in s] for s in part]
            for part in (tagged[:TREEBANK_TRAIN], tagged[TREEBANK_TRAIN:])
        ]
        return (split[0], tags[0]), (split[1], tags[1]), "treebank sentences 3001-3914"
    file = Path(data)
    if not file.is_file():
        raise JourneyError(
            f"no such file: {file}; pass a .conllu file or one of {', '.join(DATASETS)}"
        )
    try:
        train = _conllu_tagged(file)
    except ValueError as error:
        raise JourneyError(f"{file} is not valid CoNLL-U: {error}") from None
    if not any(train[0]):
        raise JourneyError(f"{file} holds no sentences to train on")
    return train, None, None


def _accuracy(predicted: list[list[str]], gold: list[list[str]]) -> float:
    pairs = [
        (p, g) for ps, gs in zip(predicted, gold, strict=True) for p, g in zip(ps, gs, strict=True)
    ]
    return sum(p == g for p, g in pairs) / max(len(pairs), 1)


def train_tagger(config: TagTrainConfig, echo: Callable[[str], Any] = print) -> TagTrainResult:
    """Train the configured tagger, score it on held-out data if there is some, and save it.

    Returns:
        The model folder and the held-out accuracy (a fraction; None without held-out data).
    """
    from nlpjourney.tagging import HMMTagger, PerceptronTagger

    folder = config.folder
    claim_output_folder(folder, config.force, MARKER, "a saved model")
    (sentences, tags), held_out, held_out_name = _load_data(config.data)
    n_tokens = sum(map(len, sentences))
    echo(f"training a {config.model} tagger on {len(sentences):,} sentences ({n_tokens:,} tokens)")
    if config.model == "perceptron":
        tagger: Any = PerceptronTagger(n_iter=config.n_iter, beam_size=config.beam_size)
    else:
        tagger = HMMTagger()
    tagger.fit(sentences, tags)
    accuracy = None
    if held_out is not None:
        accuracy = _accuracy(tagger.predict(held_out[0]), held_out[1])
        echo(f"held-out accuracy ({held_out_name}): {100 * accuracy:.2f}%")
    tagger.save(folder)
    return TagTrainResult(folder, len(sentences), accuracy, held_out_name)


def load_tagger(folder: str | Path) -> Any:
    """The tagger saved in ``folder``, whatever its class in :mod:`nlpjourney.tagging`."""
    import json

    import nlpjourney.tagging as tagging

    header = Path(folder) / MARKER
    if not Path(folder).is_dir():
        raise ModelFormatError(
            f"no such folder: {folder}; pass a folder made by `journey tag train`"
        )
    try:
        kind = json.loads(header.read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        raise ModelFormatError(
            f"{folder} is not a saved tagger (no readable {MARKER}); train one first"
        ) from None
    cls = getattr(tagging, kind, None) if isinstance(kind, str) else None
    if cls is None or not hasattr(cls, "load") or not hasattr(cls, "predict"):
        raise ModelFormatError(
            f"{folder} holds a {kind!r}, which is not a tagger of nlpjourney.tagging"
        )
    return cls.load(folder)


@dataclass(frozen=True)
class TagPredictConfig:
    """One ``journey tag predict``.

    Attributes:
        model_dir: a folder written by :func:`train_tagger` (or any tagger's ``save``).
        file: a text file (one sentence per line, whitespace tokens) or a ``.conllu`` file.
        out: where to write the result (None: return it for printing).
        force: replace ``out`` if it exists.
    """

    model_dir: Path
    file: Path
    out: Path | None = None
    force: bool = False


def predict_tags(config: TagPredictConfig, echo: Callable[[str], Any] = print) -> str:
    """Tag a file with a saved tagger.

    Returns:
        The tagged text: ``word/TAG`` tokens, one sentence per line, for a text file;
        CoNLL-U with the UPOS column filled in for a ``.conllu`` file. Also written to
        ``config.out`` when given.
    """
    if not config.file.is_file():
        raise JourneyError(f"no such file: {config.file}")
    if config.out is not None and config.out.exists() and not config.force:
        raise JourneyError(
            f"{config.out} already exists; add --force to replace it, or choose another --out"
        )
    tagger = load_tagger(config.model_dir)
    if config.file.suffix == ".conllu":
        from nlpjourney.parsing.conllu import read_conllu, write_conllu

        try:
            sentences = read_conllu(config.file)
        except ValueError as error:
            raise JourneyError(f"{config.file} is not valid CoNLL-U: {error}") from None
        if not sentences:
            raise JourneyError(f"{config.file} holds no sentences to tag")
        predicted = tagger.predict([s.forms for s in sentences])
        tagged = [
            dataclasses.replace(
                s,
                words=[dataclasses.replace(w, upos=t) for w, t in zip(s.words, tags, strict=True)],
            )
            for s, tags in zip(sentences, predicted, strict=True)
        ]
        text = write_conllu(tagged)
    else:
        try:
            lines = config.file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise JourneyError(
                f"{config.file} is not UTF-8 text; give one sentence per line"
            ) from None
        sentences_ = [line.split() for line in lines if line.strip()]
        if not sentences_:
            raise JourneyError(
                f"{config.file} is empty: give one sentence per line, tokens split by spaces"
            )
        predicted = tagger.predict(sentences_)
        text = "".join(
            " ".join(f"{w}/{t}" for w, t in zip(words, tags, strict=True)) + "\n"
            for words, tags in zip(sentences_, predicted, strict=True)
        )
    if config.out is not None:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        config.out.write_text(text, encoding="utf-8")
        echo(f"wrote {config.out}")
    return text
