"""Attachment scores: a hand-made case and a corrupted LinES dev counted independently."""

from __future__ import annotations

from pathlib import Path

import conllu
import pytest

from nlpjourney.data import path
from nlpjourney.parsing import evaluate
from nlpjourney.parsing.conllu import read_conllu, write_conllu
from nlpjourney.parsing.scoring import CONTENT_DEPRELS

GOLD = (
    "# text = I don't like cats.\n"
    "1\tI\tI\tPRON\tPRP\t_\t4\tnsubj\t_\t_\n"
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
    "4\tlike\tlike\tVERB\tVB\t_\t0\troot\t_\t_\n"
    "5\tcats\tcat\tNOUN\tNNS\t_\t4\tobj\t_\tSpaceAfter=No\n"
    "6\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
    "\n"
)


def test_scoring_hand_made_case_with_subtypes_and_a_multiword_token() -> None:
    [gold] = read_conllu(GOLD)
    guess = gold.with_parse(
        [-1, 4, 4, 2, 0, 4, 5],
        ["", "nsubj:pass", "aux", "advmod", "root", "iobj", "punct"],
    )
    scores = evaluate([gold], [guess])
    # Six words: "don't" counts as "do" and "n't". Heads wrong: 3 and 6 -> UAS 4/6.
    # Labels: nsubj:pass is nsubj (right); 5 iobj is wrong -> LAS 3/6 (words 1, 2, 4).
    assert (scores.words, scores.uas_correct, scores.las_correct) == (6, 4, 3)
    assert scores.uas == pytest.approx(400 / 6) and scores.las == pytest.approx(50.0)
    # Content words: gold 1 nsubj, 3 advmod, 4 root, 5 obj; predicted the same four
    # (iobj is content); right: 1 and 4.
    assert (scores.clas_gold, scores.clas_system, scores.clas_correct) == (4, 4, 2)
    assert scores.clas == pytest.approx(50.0)
    assert evaluate([gold], [gold]).las == 100.0


def _corrupt(text: str) -> str:
    """Every 7th word gets another head, every 5th another relation or a subtype."""
    sentences = read_conllu(text)
    out, count = [], 0
    for sentence in sentences:
        heads, deprels = sentence.heads, sentence.deprels
        n = len(sentence)
        for word in range(1, n + 1):
            count += 1
            if count % 7 == 0 and n > 1:
                heads[word] = next(h for h in range(n + 1) if h not in (word, heads[word]))
            if count % 5 == 0:
                deprels[word] = deprels[word] + ":sub" if count % 10 else "dep"
        out.append(sentence.with_parse(heads, deprels))
    return write_conllu(out)


def _independent_counts(gold_text: str, system_text: str) -> tuple[int, int, int, int, int, int]:
    """Words, UAS, LAS and CLAS counts from the ``conllu`` package's own parse."""
    words = uas = las = clas_gold = clas_system = clas_correct = 0
    for gold, system in zip(conllu.parse(gold_text), conllu.parse(system_text), strict=True):
        gold_words = [t for t in gold if isinstance(t["id"], int)]
        system_words = [t for t in system if isinstance(t["id"], int)]
        for g, s in zip(gold_words, system_words, strict=True):
            g_rel, s_rel = g["deprel"].split(":")[0], s["deprel"].split(":")[0]
            words += 1
            uas += g["head"] == s["head"]
            labelled = g["head"] == s["head"] and g_rel == s_rel
            las += labelled
            clas_system += s_rel in CONTENT_DEPRELS
            if g_rel in CONTENT_DEPRELS:
                clas_gold += 1
                clas_correct += labelled
    return words, uas, las, clas_gold, clas_system, clas_correct


def test_scoring_corrupted_lines_dev_equals_an_independent_count(tmp_path: Path) -> None:
    gold_file = path("ud_english_lines") / "en_lines-ud-dev.conllu"
    gold_text = gold_file.read_text(encoding="utf-8")
    system_text = _corrupt(gold_text)
    system_file = tmp_path / "system.conllu"
    system_file.write_text(system_text, encoding="utf-8")
    scores = evaluate(gold_file, system_file)
    words, uas, las, clas_gold, clas_system, clas_correct = _independent_counts(
        gold_text, system_text
    )
    assert (scores.words, scores.uas_correct, scores.las_correct) == (words, uas, las)
    assert (scores.clas_gold, scores.clas_system, scores.clas_correct) == (
        clas_gold,
        clas_system,
        clas_correct,
    )
    assert scores.uas == pytest.approx(100 * uas / words)
    assert scores.clas == pytest.approx(200 * clas_correct / (clas_gold + clas_system))
    # The corruption bites: about 1 head in 7 and 1 label in 10 go wrong.
    assert 80 < scores.uas < 90 and 70 < scores.las < scores.uas


def test_scoring_refuses_other_tokenisation_and_other_sentence_counts() -> None:
    [gold] = read_conllu(GOLD)
    other = read_conllu(GOLD.replace("\tcats\t", "\tdogs\t"))
    with pytest.raises(ValueError, match="only gold tokenisation is supported"):
        evaluate([gold], other)
    with pytest.raises(ValueError, match="gold has 1 sentences and predicted 2"):
        evaluate([gold], [gold, gold])
    with pytest.raises(TypeError, match="list of Sentence"):
        evaluate([gold], [[1, 2]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no words"):
        evaluate([], [])
