"""The embeddings workflow: a run folder from a small corpus, the run guard, the
word2vec path through a stand-in, and neighbours from folders and files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import nlpjourney.embeddings
from nlpjourney.apps.embeddings import (
    EmbeddingsRunConfig,
    EnglishCorpus,
    latest_run,
    load_vectors,
    neighbours,
    train_embeddings,
)
from nlpjourney.embeddings import KeyedVectors
from nlpjourney.errors import JourneyError, UnknownNameError


@pytest.fixture(scope="module")
def ppmi_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("apps") / "ppmi"
    config = EmbeddingsRunConfig(corpus="inaugural", model="ppmi", dim=20, out_dir=out)
    lines: list[str] = []
    result = train_embeddings(config, echo=lines.append, progress=False)
    assert result.run_dir == out and len(result.wv) > 1000
    assert any(line.startswith("WordSim-353 ") for line in lines), lines
    return out


def test_embeddings_run_folder_holds_vectors_scores_and_picture(ppmi_run: Path) -> None:
    for name in ("vectors.npz", "vectors.bin", "scores.json", "words.png"):
        assert (ppmi_run / name).is_file(), name
    npz, binary = load_vectors(ppmi_run), load_vectors(ppmi_run / "vectors.bin")
    assert npz.index_to_key == binary.index_to_key
    np.testing.assert_array_equal(npz.vectors, binary.vectors)
    scores = json.loads((ppmi_run / "scores.json").read_text())
    assert scores["config"]["model"] == "ppmi" and scores["vocabulary"] == len(npz)
    assert scores["scores"]["questions"] + scores["scores"]["oov_questions"] == 19544


def test_embeddings_refuse_to_overwrite_a_run_without_force(ppmi_run: Path) -> None:
    config = EmbeddingsRunConfig(corpus="inaugural", model="ppmi", dim=20, out_dir=ppmi_run)
    with pytest.raises(JourneyError, match="already holds vectors; add --force"):
        train_embeddings(config, echo=lambda line: None, progress=False)


def test_embeddings_train_the_word2vec_models_through_their_interface(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[dict] = []

    class StandIn:
        """What Word2Vec promises: keyword hyper-parameters, fit(...) -> self, .wv."""

        def __init__(self, **settings: object) -> None:
            made.append(settings)

        def fit(self, sentences: object, progress: bool | None = False) -> StandIn:
            first = next(iter(sentences))
            again = next(iter(sentences))
            assert first == again  # restartable: a model may read the text twice
            words = ["fellow-citizens", "of", "the", "senate", "and", "house"]
            self.wv = KeyedVectors(words, np.random.default_rng(0).normal(size=(6, 4)))
            return self

    monkeypatch.setattr(nlpjourney.embeddings, "Word2Vec", StandIn, raising=False)
    for model, sg in (("sg", 1), ("cbow", 0)):
        config = EmbeddingsRunConfig(
            corpus="inaugural", model=model, dim=4, epochs=3, out_dir=tmp_path / model
        )
        lines: list[str] = []
        train_embeddings(config, echo=lines.append, progress=False)
        assert made[-1] == {"vector_size": 4, "window": 5, "min_count": 5, "workers": 2,
                            "seed": 1, "sg": sg, "epochs": 3}  # fmt: skip
        assert "no words.png" in lines[-1]  # too few of the picture's words
        assert (tmp_path / model / "vectors.npz").is_file()


def test_embeddings_name_what_is_missing_before_word2vec_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(nlpjourney.embeddings, "FastText", raising=False)
    config = EmbeddingsRunConfig(corpus="inaugural", model="fasttext", out_dir=tmp_path / "f")
    with pytest.raises(JourneyError, match="no embeddings.FastText"):
        train_embeddings(config, echo=lambda line: None, progress=False)


def test_embeddings_config_refuses_bad_settings() -> None:
    with pytest.raises(JourneyError, match="--corpus: unknown corpus 'wikipedia'"):
        EmbeddingsRunConfig(corpus="brown+wikipedia")
    with pytest.raises(UnknownNameError, match="Choose sg, cbow, fasttext, glove or ppmi"):
        EmbeddingsRunConfig(model="elmo")
    with pytest.raises(JourneyError, match="--dim must be at least 1"):
        EmbeddingsRunConfig(dim=0)
    with pytest.raises(JourneyError, match="--seed"):
        EmbeddingsRunConfig(seed=-1)
    assert EmbeddingsRunConfig(corpus="all", model="cbow").run_dir == Path(
        "runs/embeddings-cbow-all"
    )


def test_embeddings_corpus_restarts() -> None:
    corpus = EnglishCorpus("inaugural")
    assert next(iter(corpus)) == next(iter(corpus))


def test_embeddings_neighbours_from_the_latest_run_and_from_files(
    ppmi_run: Path, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    older, newer = runs / "a", runs / "b"
    for folder, words in ((older, ["x", "y", "z"]), (newer, ["freedom", "liberty", "tax"])):
        folder.mkdir(parents=True)
        vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
        KeyedVectors(words, vectors).save(folder / "vectors.npz")
    os.utime(older / "vectors.npz", (1, 1))
    assert latest_run(runs) == newer
    source, close = neighbours("Freedom", runs=runs, topn=1)  # lower-cased when unknown
    assert source == newer and close[0][0] == "liberty"
    source, close = neighbours("freedom", ppmi_run / "vectors.npz", topn=5)
    assert "liberty" in [w for w, _ in close]
    text = tmp_path / "v.txt"
    load_vectors(ppmi_run).save_word2vec_format(text)
    assert neighbours("freedom", text, topn=5)[1] == neighbours("freedom", ppmi_run, topn=5)[1]


def test_embeddings_neighbours_say_what_is_wrong(ppmi_run: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="unknown word 'fredom'. Did you mean freedom"):
        neighbours("fredom", ppmi_run)
    with pytest.raises(JourneyError, match="no trained vectors in"):
        neighbours("freedom", runs=tmp_path / "nothing")
    with pytest.raises(JourneyError, match="no such file or folder"):
        neighbours("freedom", tmp_path / "missing.npz")
    with pytest.raises(JourneyError, match="holds no vectors.npz"):
        neighbours("freedom", tmp_path)
    with pytest.raises(JourneyError, match="--topn must be at least 1"):
        neighbours("freedom", ppmi_run, topn=0)
