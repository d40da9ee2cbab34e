"""Evaluation against gensim on the same vectors: same Spearman, same analogy accuracy,
same out-of-vocabulary counts; the test files come through the data registry."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimVectors

from nlpjourney.embeddings import KeyedVectors, evaluate
from nlpjourney.errors import UnknownNameError

# gensim 4.4 calls its own deprecated init_sims inside most_similar_cosmul.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`")


def test_evaluate_reads_the_registry_test_files() -> None:
    assert len(evaluate.read_word_pairs("wordsim353")) == 353
    assert len(evaluate.read_word_pairs("simlex999")) == 999
    sections = evaluate.read_analogies()
    assert len(sections) == 14
    assert sum(len(questions) for _, questions in sections) == 19544
    assert sections[0][0] == "capital-common-countries"
    assert sections[0][1][0] == ("Athens", "Greece", "Baghdad", "Iraq")
    with pytest.raises(UnknownNameError, match="wordsim353"):
        evaluate.read_word_pairs("wordsim")


def vectors_for(words: list[str], seed: int, dim: int = 16) -> KeyedVectors:
    """Vectors with a little structure (each word near a few random "topics")."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(8, dim))
    mix = rng.random((len(words), 8)) ** 4
    return KeyedVectors(words, mix @ topics + 0.3 * rng.normal(size=(len(words), dim)))


def to_gensim(wv: KeyedVectors, folder: Path) -> GensimVectors:
    wv.save_word2vec_format(folder / "v.bin", binary=True)
    return GensimVectors.load_word2vec_format(folder / "v.bin", binary=True)


@pytest.mark.parametrize("benchmark", ["wordsim353", "simlex999"])
def test_evaluate_word_similarity_matches_gensim(benchmark: str, tmp_path: Path) -> None:
    pairs = evaluate.read_word_pairs(benchmark)
    words = sorted({w.lower() for a, b, _ in pairs for w in (a, b)})
    rng = np.random.default_rng(1)
    dropped = set(rng.choice(words, size=len(words) // 8, replace=False))
    vocab = [w for w in words if w not in dropped]
    # Upper-case twins later in the vocabulary: the lower-case (more frequent) row wins.
    vocab += [w.upper() for w in vocab[:20]] + ["filler1", "filler2"]
    wv = vectors_for(vocab, seed=2)
    ours = evaluate.word_similarity(wv, benchmark)
    file = evaluate._test_file(evaluate.BENCHMARKS[benchmark])
    pearson, spearman, oov_ratio = to_gensim(wv, tmp_path).evaluate_word_pairs(file)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours.oov_pairs > 0
    assert ours.pairs + ours.oov_pairs == len(pairs)
    assert 100 * ours.oov_pairs / len(pairs) == pytest.approx(oov_ratio)


def test_evaluate_word_similarity_restricts_the_vocabulary(tmp_path: Path) -> None:
    words = sorted({w.lower() for a, b, _ in evaluate.read_word_pairs() for w in (a, b)})
    wv = vectors_for(words, seed=3)
    ours = evaluate.word_similarity(wv, restrict_vocab=200)
    file = evaluate._test_file("wordsim353.tsv")
    _, spearman, _ = to_gensim(wv, tmp_path).evaluate_word_pairs(file, restrict_vocab=200)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert ours.oov_pairs > 100
    with pytest.raises(ValueError, match="out of vocabulary"):
        evaluate.word_similarity(KeyedVectors(["zzz", "yyy"], np.eye(2)))


def analogy_setup(tmp_path: Path) -> tuple[KeyedVectors, Path]:
    """A question file of every 8th question and vectors in which many analogies hold:
    each pair's second word is its first word plus the section's offset, plus noise."""
    sections = evaluate.read_analogies()
    lines = []
    for name, questions in sections:
        lines.append(f": {name}")
        lines += [" ".join(q) for q in questions[::8]]
    file = tmp_path / "questions.txt"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = np.random.default_rng(5)
    dim = 24
    words = sorted({w.lower() for _, qs in sections for q in qs for w in q})
    vectors = {w: rng.normal(size=dim) for w in words}
    for _, questions in sections:
        offset = rng.normal(size=dim)
        for a, b, _, _ in questions[:: max(1, len(questions) // 60)]:
            vectors[b.lower()] = vectors[a.lower()] + offset + 0.6 * rng.normal(size=dim)
    keep = [w for w in words if rng.random() > 0.1]  # about a tenth out of vocabulary
    rng.shuffle(keep)  # a frequency order unrelated to the questions
    fillers = [f"filler{i}" for i in range(300)]
    order = keep[:400] + fillers + keep[400:] + ["ATHENS", "Greece"]
    matrix = [vectors[w] if w in vectors else rng.normal(size=dim) for w in order]
    return KeyedVectors(order, np.array(matrix)), file


def test_evaluate_analogies_3cosadd_matches_gensim(tmp_path: Path) -> None:
    wv, file = analogy_setup(tmp_path)
    gensim_vectors = to_gensim(wv, tmp_path)
    for restrict in (len(wv), 900):
        ours = evaluate.analogies(wv, "3cosadd", restrict_vocab=restrict, file=file)
        score, sections = gensim_vectors.evaluate_word_analogies(file, restrict_vocab=restrict)
        assert ours.accuracy == score
        assert 0.1 < ours.accuracy < 0.9  # a test that could fail either way
        theirs = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                  for s in sections[:-1]}  # fmt: skip
        assert ours.sections == theirs
        total = sum(1 for line in file.read_text().splitlines() if not line.startswith(":"))
        assert ours.questions == sum(n for _, n in theirs.values())
        assert ours.oov_questions == total - ours.questions > 0
    assert ours.restrict_vocab == 900


def test_evaluate_analogies_3cosmul_matches_gensims_most_similar_cosmul(tmp_path: Path) -> None:
    wv, file = analogy_setup(tmp_path)
    # gensim's most_similar_cosmul ignores restrict_vocab, so compare on the whole
    # vocabulary, lower-cased (its answers are words, compared as gensim's rule does).
    wv = KeyedVectors([w.lower() for w in wv.index_to_key[:-2]], wv.vectors[:-2])
    gensim_vectors = to_gensim(wv, tmp_path)
    ours = evaluate.analogies(wv, "3cosmul", restrict_vocab=len(wv), file=file)
    right = answered = 0
    for _, questions in evaluate.read_analogies(file):
        for question in questions:
            a, b, c, d = (w.lower() for w in question)
            if not all(w in wv for w in (a, b, c, d)):
                continue
            found = gensim_vectors.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            words = [w for w, _ in found]
            answer = next((w for w in words if w not in (a, b, c)), words[-1])
            right += answer == d
            answered += 1
    assert ours.questions == answered
    assert ours.accuracy == right / answered
    assert ours.accuracy != evaluate.analogies(wv, "3cosadd", len(wv), file).accuracy


def test_evaluate_analogies_refuses_unknown_methods() -> None:
    wv = KeyedVectors(["a", "b"], np.eye(2))
    with pytest.raises(ValueError, match="3cosadd or 3cosmul"):
        evaluate.analogies(wv, "3cosdiv")
    with pytest.raises(ValueError, match="restrict_vocab"):
        evaluate.analogies(wv, restrict_vocab=0)


def test_evaluate_all_makes_one_row_and_reports_what_it_could_not_score() -> None:
    pairs = evaluate.read_word_pairs("wordsim353")
    words = sorted({w.lower() for a, b, _ in pairs for w in (a, b)})
    row = evaluate.evaluate_all(vectors_for(words, seed=4))
    assert set(row) == {"wordsim353", "simlex999", "analogy_3cosadd", "analogy_3cosmul",
                        "oov_pairs", "questions", "oov_questions"}  # fmt: skip
    assert -1 <= row["wordsim353"] <= 1 and not math.isnan(row["wordsim353"])
    assert row["questions"] + row["oov_questions"] == 19544
    assert row["oov_pairs"] > 0  # SimLex's words are mostly not WordSim's
    tiny = evaluate.evaluate_all(KeyedVectors(["zzz", "yyy", "xxx"], np.eye(3)))
    assert math.isnan(tiny["wordsim353"]) and tiny["oov_pairs"] == 353 + 999
    assert tiny["questions"] == 0 and tiny["analogy_3cosadd"] == 0.0
