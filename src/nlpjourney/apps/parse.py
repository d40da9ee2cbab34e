"""Dependency parsing end to end: ``journey parse train|predict|eval``.

- :func:`train_parser` trains a :class:`~nlpjourney.parsing.PerceptronParser` or a
  :class:`~nlpjourney.parsing.NeuralParser` on UD English LinES (``ud_english_lines``:
  its train split, scored on its dev split) or on a CoNLL-U file, and writes a model
  folder: the parser (``model.json`` + ``weights.npz``), ``scores.json`` (the dev UAS and
  LAS) and, for the neural parser, ``loss.png``.
- :func:`predict_parse` parses a CoNLL-U file (its FORM and UPOS columns are read; HEAD
  and DEPREL are replaced) with a saved parser and returns the CoNLL-U text, optionally
  drawing one tree picture per sentence.
- :func:`evaluate_parse` scores a predicted CoNLL-U file against a gold one (UAS and LAS
  as the CoNLL 2018 shared task counts them, :func:`nlpjourney.parsing.evaluate`).

Input is CoNLL-U with UPOS tags, or, given a tagger folder (``journey tag train``), plain
text, one sentence a line with its tokens split by spaces, which the tagger tags first.

Example::

    result = train_parser(ParseTrainConfig(model="perceptron", out_dir=Path("runs/p")))
    text = predict_parse(ParsePredictConfig(Path("runs/p"), Path("my.conllu")))
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.apps.runs import claim_output_folder
from nlpjourney.errors import JourneyError

if TYPE_CHECKING:
    from nlpjourney.parsing.conllu import Sentence

__all__ = [
    "MODELS",
    "ParsePredictConfig",
    "ParseTrainConfig",
    "ParseTrainResult",
    "evaluate_parse",
    "predict_parse",
    "train_parser",
]

MODELS = ("perceptron", "neural")
BUILTIN = "ud_english_lines"
SCORES = "scores.json"
MODEL_JSON = "model.json"
KINDS = {"PerceptronParser": "perceptron", "NeuralParser": "neural"}


@dataclass(frozen=True)
class ParseTrainConfig:
    """One ``journey parse train``.

    Attributes:
        model: "perceptron" or "neural".
        data: ``ud_english_lines`` or a CoNLL-U training file.
        out_dir: The model folder.
        dev: A CoNLL-U dev file (default: LinES dev for ``ud_english_lines``, none for a
            file).
        epochs: Training passes (the perceptron's ``n_iter``); None: the model's default.
        force: Replace a parser already in ``out_dir``.
        device: "cpu" or "cuda" (the neural parser).
        lstm: The neural parser's BiLSTM size per direction (0: plain Chen & Manning
            features); None: the parser's default.
        progress: Show a progress bar (None: only on a terminal).
    """

    model: str = "neural"
    data: str = BUILTIN
    out_dir: Path = Path("runs/parse")
    dev: Path | None = None
    epochs: int | None = None
    force: bool = False
    device: str = "cpu"
    lstm: int | None = None
    progress: bool | None = None

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise JourneyError(f"--model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.epochs is not None and (not isinstance(self.epochs, int) or self.epochs < 1):
            raise JourneyError(f"--epochs must be at least 1, got {self.epochs}")
        if self.lstm is not None and (not isinstance(self.lstm, int) or self.lstm < 0):
            raise JourneyError(f"--lstm must be 0 (no BiLSTM) or a size, got {self.lstm}")
        if self.lstm is not None and self.model != "neural":
            raise JourneyError("--lstm is for --model neural only")


@dataclass(frozen=True)
class ParseTrainResult:
    """What :func:`train_parser` made: the folder, the dev scores (percent, None without a
    dev set), the number of training sentences and the training time in seconds."""

    folder: Path
    dev_uas: float | None
    dev_las: float | None
    n_train: int
    seconds: float


@dataclass(frozen=True)
class ParsePredictConfig:
    """One ``journey parse predict``: the model folder, the input, where to write (None:
    return the text only), where to draw trees (None: no pictures), whether to replace
    existing output, and a tagger folder (None: the input is CoNLL-U with UPOS; else a
    ``.conllu`` input is re-tagged and any other file is plain text to tag)."""

    model_dir: Path
    input: Path
    out: Path | None = None
    draw: Path | None = None
    force: bool = False
    tagger: Path | None = None


def read_treebank(source: str | Path, what: str) -> list[Sentence]:
    """The sentences of a CoNLL-U file, or a one-line error naming ``what`` and the problem."""
    from nlpjourney.parsing.conllu import read_conllu

    path = Path(source)
    if not path.is_file():
        hint = f" (or {BUILTIN})" if what == "DATA" else ""
        raise JourneyError(f"{what}: no such file {path}; give a CoNLL-U file{hint}")
    try:
        sentences = read_conllu(path)
    except UnicodeDecodeError:
        raise JourneyError(f"{what}: {path} is not UTF-8 text; give a CoNLL-U file") from None
    except ValueError as error:
        raise JourneyError(f"{what}: {path} is not valid CoNLL-U: {error}") from None
    if not sentences:
        raise JourneyError(f"{what}: {path} holds no sentences; give a CoNLL-U file")
    return sentences


def _check_tags(sentences: list[Sentence], path: Path | str, what: str) -> None:
    """Refuse a file whose UPOS column is empty ("_"): the parsers read the tags."""
    if all(tag == "_" for s in sentences for tag in s.upos):
        raise JourneyError(
            f"{what}: {path} has no UPOS tags (column 4 is '_'); the parser needs them"
        )


def train_parser(config: ParseTrainConfig, echo: Callable[[str], None] = print) -> ParseTrainResult:
    """Train a parser, score it on the dev set and save it to ``config.out_dir``.

    Raises:
        JourneyError: a bad file, a model already in the folder (without ``force``), a
            device this machine lacks.
    """
    from nlpjourney.parsing import NeuralParser, PerceptronParser, evaluate

    out = Path(config.out_dir)
    claim_output_folder(out, config.force, MODEL_JSON, "a trained parser")
    if config.data.strip().lower().replace("-", "_") == BUILTIN:
        from nlpjourney.parsing.conllu import ud_english

        train, dev = ud_english("lines", "train"), ud_english("lines", "dev")
        if config.dev is not None:
            dev = read_treebank(config.dev, "--dev")
    else:
        train = read_treebank(config.data, "DATA")
        dev = read_treebank(config.dev, "--dev") if config.dev is not None else None
    _check_tags(train, config.data, "DATA")
    echo(f"training a {config.model} parser on {len(train):,} sentences")
    started = time.perf_counter()
    parser: Any
    try:
        if config.model == "perceptron":
            options = {} if config.epochs is None else {"n_iter": config.epochs}
            parser = PerceptronParser(**options).fit(train, progress=config.progress)
        else:
            options = {} if config.epochs is None else {"epochs": config.epochs}
            if config.lstm is not None:
                options["lstm"] = config.lstm
            parser = NeuralParser(**options, device=config.device)
            parser.fit(train, dev=dev, out_dir=out, progress=config.progress)
    except ValueError as error:
        raise JourneyError(f"cannot train on {config.data}: {error}") from None
    seconds = time.perf_counter() - started
    uas = las = None
    if dev:
        scores = evaluate(dev, parser.parse(dev))
        uas, las = scores.uas, scores.las
    parser.save(out)
    summary = {"model": config.model, "data": str(config.data), "n_train": len(train),
               "dev_uas": uas, "dev_las": las, "seconds": seconds}  # fmt: skip
    (out / SCORES).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return ParseTrainResult(out, uas, las, len(train), seconds)


def load_parser(folder: Path) -> Any:
    """The parser saved in ``folder``, whichever kind it is.

    Raises:
        ModelFormatError: not a saved parser, or damaged.
    """
    from nlpjourney.errors import ModelFormatError
    from nlpjourney.parsing import NeuralParser, PerceptronParser

    header = Path(folder) / MODEL_JSON
    kind = None
    if header.is_file():
        try:
            kind = json.loads(header.read_text(encoding="utf-8")).get("kind")
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            kind = None
    if kind == "NeuralParser":
        return NeuralParser.load(folder)
    if kind == "PerceptronParser" or not header.is_file():
        return PerceptronParser.load(folder)  # its message names what is missing
    raise ModelFormatError(
        f"{folder} holds a {kind!r}, not a parser; train one with journey parse train"
    )


def predict_parse(config: ParsePredictConfig) -> str:
    """Parse a CoNLL-U file with a saved parser; the parsed CoNLL-U text.

    Writes the text to ``config.out`` and one ``<n>.svg`` tree per sentence into
    ``config.draw`` when given.

    Raises:
        JourneyError: a bad model folder or input file, output in the way.
    """
    from nlpjourney.parsing.conllu import write_conllu

    if config.out is not None:
        if config.out.is_dir():
            raise JourneyError(f"--out {config.out} is a folder; give a file name")
        if config.out.exists() and not config.force:
            raise JourneyError(
                f"{config.out} already exists; add --force to replace it, or choose another --out"
            )
    if config.draw is not None:
        claim_output_folder(config.draw, config.force, "1.svg", "tree pictures")
    parser = load_parser(config.model_dir)
    sentences = _input_sentences(config)
    parsed = parser.parse(sentences)
    text = write_conllu(parsed)
    if config.out is not None:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        config.out.write_text(text, encoding="utf-8")
    if config.draw is not None:
        from nlpjourney.parsing import draw_tree

        for number, sentence in enumerate(parsed, 1):
            draw_tree(sentence, config.draw / f"{number}.svg", format="svg")
    return text


def _input_sentences(config: ParsePredictConfig) -> list[Sentence]:
    """The sentences to parse: CoNLL-U as it is, or tagged by ``config.tagger`` first."""
    import dataclasses

    from nlpjourney.parsing.conllu import Sentence

    path = config.input
    if config.tagger is None:
        if path.is_file() and path.suffix != ".conllu" and not _looks_like_conllu(path):
            raise JourneyError(
                f"FILE: {path} is not CoNLL-U; give a CoNLL-U file with UPOS, or plain text "
                "with --tagger DIR (a folder from journey tag train) to tag it first"
            )
        sentences = read_treebank(path, "FILE")
        _check_tags(sentences, path, "FILE")
        return sentences
    from nlpjourney.apps.tagging import load_tagger

    tagger = load_tagger(config.tagger)
    if path.suffix == ".conllu":
        sentences = read_treebank(path, "FILE")
        tags = tagger.predict([s.forms for s in sentences])
        return [
            dataclasses.replace(
                s, words=[dataclasses.replace(w, upos=t) for w, t in zip(s.words, row, strict=True)]
            )
            for s, row in zip(sentences, tags, strict=True)
        ]
    if not path.is_file():
        raise JourneyError(f"FILE: no such file {path}; give a text or CoNLL-U file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise JourneyError(f"FILE: {path} is not UTF-8 text; give one sentence a line") from None
    tokens = [line.split() for line in lines if line.strip()]
    if not tokens:
        raise JourneyError(
            f"FILE: {path} is empty; give one sentence a line, tokens split by spaces"
        )
    tags = tagger.predict(tokens)
    return [Sentence.from_forms(words, row) for words, row in zip(tokens, tags, strict=True)]


def _looks_like_conllu(path: Path) -> bool:
    """Whether the first non-comment line has CoNLL-U's 10 tab-separated columns."""
    try:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip() and not line.startswith("#"):
                    return line.count("\t") == 9
    except (OSError, UnicodeDecodeError):
        return False
    return False


def evaluate_parse(gold: Path, predicted: Path) -> dict[str, float]:
    """UAS and LAS (percent) of a predicted CoNLL-U file against a gold one.

    Raises:
        JourneyError: a missing or malformed file, or files whose words differ.
    """
    from nlpjourney.parsing import evaluate

    gold_sentences = read_treebank(gold, "GOLD")
    predicted_sentences = read_treebank(predicted, "PRED")
    try:
        scores = evaluate(gold_sentences, predicted_sentences)
    except ValueError as error:
        raise JourneyError(f"cannot compare {gold} and {predicted}: {error}") from None
    return {"uas": scores.uas, "las": scores.las}
