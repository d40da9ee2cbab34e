"""Word vectors trained on the registry's English text, evaluated, pictured and queried.

:func:`train_embeddings` trains one model (:data:`MODELS`: skip-gram, CBOW, FastText,
GloVe or PPMI-SVD) on the chosen corpora (:func:`~nlpjourney.embeddings.english_sentences`),
and writes a run folder (``runs/embeddings-<model>-<corpus>`` by default):

- ``vectors.npz`` (:meth:`~nlpjourney.embeddings.KeyedVectors.save`) and ``vectors.bin``
  (the word2vec binary format, which gensim and the C tools read);
- ``scores.json``: the settings, the training time, and the evaluation row of
  :func:`~nlpjourney.embeddings.evaluate.evaluate_all`;
- ``words.png``: a PCA picture of a few common words.

A folder that already holds vectors is refused unless ``force`` is given.
:func:`neighbours` answers "which words are closest to this one?" from a run folder or a
vectors file, by default the run trained last.

The word2vec models are looked up in :mod:`nlpjourney.embeddings` when a run asks for
them, so this module imports nothing heavy. ``journey embeddings`` calls these functions.

Example::

    result = train_embeddings(EmbeddingsRunConfig(corpus="brown", model="ppmi"), echo=print)
    neighbours("money", result.run_dir)  # [('pay', 0.71), ...]
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nlpjourney.apps.runs import check_counts, check_seed, claim_output_folder
from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.embeddings import KeyedVectors

__all__ = [
    "MODELS",
    "PLOT_WORDS",
    "EmbeddingsRunConfig",
    "EmbeddingsRunResult",
    "EnglishCorpus",
    "format_row",
    "latest_run",
    "load_vectors",
    "neighbours",
    "train_embeddings",
]

#: Where runs go unless told otherwise (the folder every ``journey train`` uses).
RUNS = Path("runs")
#: The files a run leaves.
VECTORS, BINARY, SCORES, PICTURE = "vectors.npz", "vectors.bin", "scores.json", "words.png"
#: Words the run's picture shows, those in the vocabulary: pairs and groups whose
#: arrangement a reader can judge (kin, capitals, days, colours, money).
PLOT_WORDS = (
    "king", "queen", "man", "woman", "boy", "girl", "father", "mother",
    "france", "england", "paris", "london", "monday", "friday", "week", "year",
    "money", "dollars", "good", "bad", "red", "blue", "green", "city", "country",
)  # fmt: skip


class EnglishCorpus:
    """The chosen English corpora as a restartable stream of sentences.

    Every ``iter()`` starts :func:`~nlpjourney.embeddings.english_sentences` again, so a
    model that reads the text twice (vocabulary, then training) gets it twice.
    """

    def __init__(self, sources: str | Iterable[str]) -> None:
        from nlpjourney.embeddings.corpus import parse_sources

        self.sources = parse_sources(sources)

    def __iter__(self) -> Iterator[list[str]]:
        from nlpjourney.embeddings.corpus import english_sentences

        return english_sentences(self.sources)

    def __repr__(self) -> str:
        return f"EnglishCorpus({'+'.join(self.sources)!r})"


@dataclass(frozen=True)
class EmbeddingsRunConfig:
    """One run of :func:`train_embeddings`.

    Example:
        >>> EmbeddingsRunConfig(corpus="brown+webtext", model="glove").run_dir
        PosixPath('runs/embeddings-glove-brown+webtext')
        >>> EmbeddingsRunConfig(model="bert")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.UnknownNameError: unknown model 'bert'. Choose sg, cbow, fasttext, glove or ppmi.
    """

    corpus: str = "brown+webtext"
    """Corpora joined with ``+`` (``brown``, ``webtext``, ... or ``all``)."""
    model: str = "sg"
    """``sg`` (skip-gram), ``cbow``, ``fasttext``, ``glove`` or ``ppmi``."""
    dim: int = 100
    """Dimensions of each vector."""
    window: int | None = None
    """Context words each side (None: the model's default, 10 for GloVe, else 5)."""
    min_count: int = 5
    """Ignore words seen fewer times."""
    epochs: int | None = None
    """Passes over the text or the counts (None: the model's default; PPMI has none)."""
    workers: int = 2
    """Worker threads of the word2vec models."""
    seed: int = 1
    """Seeds the initial vectors and every random draw."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/embeddings-<model>-<corpus>``)."""
    force: bool = False
    """Replace the vectors of a run already in the folder."""

    def __post_init__(self) -> None:
        from nlpjourney.embeddings.corpus import parse_sources

        try:
            parse_sources(self.corpus)
        except ValueError as error:
            raise JourneyError(f"--corpus: {error}") from None
        names = list(MODELS)
        lookup(MODELS, self.model, "model", f"Choose {', '.join(names[:-1])} or {names[-1]}.")
        check_counts(self, "dim", "window", "min_count", "epochs", "workers")
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        if self.out_dir is not None:
            return Path(self.out_dir)
        corpus = "+".join(EnglishCorpus(self.corpus).sources) if self.corpus != "all" else "all"
        return RUNS / f"embeddings-{self.model}-{corpus}"


@dataclass
class EmbeddingsRunResult:
    """What :func:`train_embeddings` leaves: the vectors, the scores and where they are."""

    wv: KeyedVectors
    run_dir: Path
    seconds: float
    scores: dict[str, float | int] = field(default_factory=dict)


# -- the models -----------------------------------------------------------------------

Trainer = Callable[[EmbeddingsRunConfig, Iterable[list[str]], "bool | None"], "KeyedVectors"]


def _model_class(name: str) -> type:
    """``nlpjourney.embeddings.<name>`` (Word2Vec or FastText), looked up when a run needs
    it, or a JourneyError saying it is not there."""
    import importlib

    model_class = getattr(importlib.import_module("nlpjourney.embeddings"), name, None)
    if model_class is None:
        raise JourneyError(
            f"this version of nlpjourney has no embeddings.{name} yet; "
            "train --model glove or --model ppmi"
        )
    return model_class


def _word2vec_family(name: str, **fixed: int) -> Trainer:
    """A trainer for ``nlpjourney.embeddings.<name>`` (Word2Vec or FastText)."""

    def train(
        config: EmbeddingsRunConfig, sentences: Iterable[list[str]], progress: bool | None
    ) -> KeyedVectors:
        settings = {"epochs": config.epochs} if config.epochs is not None else {}
        model = _model_class(name)(
            vector_size=config.dim,
            window=config.window or 5,
            min_count=config.min_count,
            workers=config.workers,
            seed=config.seed,
            **fixed,
            **settings,
        )
        return model.fit(sentences, progress=progress).wv

    return train


def _glove(
    config: EmbeddingsRunConfig, sentences: Iterable[list[str]], progress: bool | None
) -> KeyedVectors:
    from nlpjourney.embeddings.glove import GloVe

    settings = {"epochs": config.epochs} if config.epochs is not None else {}
    model = GloVe(
        vector_size=config.dim,
        window=config.window or 10,
        min_count=config.min_count,
        seed=config.seed,
        **settings,
    )
    return model.fit(sentences, progress=progress).wv


def _ppmi(
    config: EmbeddingsRunConfig, sentences: Iterable[list[str]], progress: bool | None
) -> KeyedVectors:
    from nlpjourney.embeddings.ppmi import ppmi_svd

    return ppmi_svd(
        sentences,
        vector_size=config.dim,
        window=config.window or 5,
        min_count=config.min_count,
        seed=config.seed,
        progress=progress,
    )


#: The models whose class another module provides, checked before a run folder is made.
NEEDS = {"sg": "Word2Vec", "cbow": "Word2Vec", "fasttext": "FastText"}
#: Each model by its ``--model`` name: a function (config, sentences, progress) -> vectors.
MODELS: dict[str, Trainer] = {
    "sg": _word2vec_family("Word2Vec", sg=1),
    "cbow": _word2vec_family("Word2Vec", sg=0),
    "fasttext": _word2vec_family("FastText", sg=1),
    "glove": _glove,
    "ppmi": _ppmi,
}


# -- training -------------------------------------------------------------------------


def format_row(row: dict[str, float | int]) -> str:
    """The evaluation row as one line a person reads.

    >>> format_row({"wordsim353": 0.6012, "simlex999": 0.25, "analogy_3cosadd": 0.31,
    ...             "analogy_3cosmul": 0.33, "oov_pairs": 12, "questions": 9000,
    ...             "oov_questions": 10544})
    'WordSim-353 0.601, SimLex-999 0.250 (12 pairs OOV); analogies 3CosAdd 31.0%, 3CosMul 33.0% (9,000 questions, 10,544 OOV)'
    """

    def rho(value: float | int) -> str:
        return "n/a" if isinstance(value, float) and math.isnan(value) else f"{value:.3f}"

    return (
        f"WordSim-353 {rho(row['wordsim353'])}, SimLex-999 {rho(row['simlex999'])} "
        f"({row['oov_pairs']:,} pairs OOV); analogies 3CosAdd {row['analogy_3cosadd']:.1%}, "
        f"3CosMul {row['analogy_3cosmul']:.1%} ({row['questions']:,} questions, "
        f"{row['oov_questions']:,} OOV)"
    )


def train_embeddings(
    config: EmbeddingsRunConfig,
    echo: Callable[[str], None] = print,
    progress: bool | None = None,
) -> EmbeddingsRunResult:
    """Train word vectors by ``config``, evaluate them, and write the run folder.

    Args:
        config: What to train and where.
        echo: Called with each line to show (the command passes ``typer.echo``).
        progress: Show progress bars (None: only on a terminal).

    Returns:
        The vectors, the folder, the training seconds and the evaluation row.

    Raises:
        JourneyError: The folder already holds vectors (and not ``force``), a corpus is
            missing, or the text is too small for the settings.
    """
    from nlpjourney.embeddings.evaluate import evaluate_all
    from nlpjourney.embeddings.plots import plot_words

    out = config.run_dir
    if config.model in NEEDS:
        _model_class(NEEDS[config.model])  # before any folder is made
    claim_output_folder(out, config.force, VECTORS, "vectors")
    sentences = EnglishCorpus(config.corpus)
    echo(f"training {config.model} ({config.dim} dimensions) on {config.corpus}")
    start = time.perf_counter()
    try:
        wv = MODELS[config.model](config, sentences, progress)
    except ValueError as error:  # too little text for the settings: the model says which
        raise JourneyError(f"{config.model}: {error}") from None
    seconds = time.perf_counter() - start
    echo(f"{len(wv):,} words in the vocabulary, trained in {seconds:.1f} s")
    wv.save(out / VECTORS)
    wv.save_word2vec_format(out / BINARY, binary=True)
    row = evaluate_all(wv)
    echo(format_row(row))
    shown = [w for w in PLOT_WORDS if w in wv]
    if len(shown) >= 3:
        plot_words(wv, shown, out / PICTURE, title=f"{config.model} on {config.corpus}: PCA")
    else:
        echo(f"no {PICTURE}: fewer than 3 of its words are in the vocabulary")
    scores = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
    }
    scores.update(seconds=seconds, vocabulary=len(wv), scores=row)
    (out / SCORES).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return EmbeddingsRunResult(wv, out, seconds, row)


# -- querying -------------------------------------------------------------------------


def latest_run(runs: Path = RUNS) -> Path:
    """The run folder under ``runs`` whose vectors were written last.

    Raises:
        JourneyError: No run folder there holds vectors.
    """
    found = sorted(Path(runs).glob(f"*/{VECTORS}"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise JourneyError(
            f"no trained vectors in {runs}/; train some with: journey embeddings train "
            "--corpus brown --model ppmi, or give --vectors DIR_or_FILE"
        )
    return found[-1].parent


def load_vectors(source: str | Path) -> KeyedVectors:
    """Vectors from a run folder, a ``.npz`` of ours, or a word2vec file (``.bin`` binary,
    anything else text).

    Raises:
        JourneyError: No such file or folder, or a file that is not vectors.
    """
    from nlpjourney.embeddings import KeyedVectors

    place = Path(source)
    if place.is_dir():
        if not (place / VECTORS).exists():
            raise JourneyError(f"{place} holds no {VECTORS}; is it a journey embeddings run?")
        place = place / VECTORS
    if not place.exists():
        raise JourneyError(f"--vectors {place}: no such file or folder")
    if place.suffix == ".npz":
        return KeyedVectors.load(place)
    return KeyedVectors.load_word2vec_format(place, binary=place.suffix == ".bin")


def neighbours(
    word: str, vectors: str | Path | None = None, topn: int = 10, runs: Path = RUNS
) -> tuple[Path, list[tuple[str, float]]]:
    """The ``topn`` words closest to ``word`` by cosine, and where the vectors came from.

    Args:
        word: The word; if it is unknown but its lower-case form is known, that is used.
        vectors: A run folder or vectors file (None: the latest run under ``runs``).
        topn: How many neighbours.
        runs: Where to look for the latest run.

    Raises:
        JourneyError: No vectors found, ``topn`` < 1, or an unknown word (the message
            names close words).
    """
    if isinstance(topn, bool) or not isinstance(topn, int) or topn < 1:
        raise JourneyError(f"--topn must be at least 1, got {topn}")
    source = Path(vectors) if vectors is not None else latest_run(runs)
    wv = load_vectors(source)
    if word not in wv and word.lower() in wv:
        word = word.lower()
    wv.index(word)  # an unknown word: one line naming close ones
    return source, wv.most_similar(word, topn=topn)
