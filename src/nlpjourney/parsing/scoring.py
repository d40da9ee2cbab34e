"""Attachment scores of a dependency parse: UAS, LAS and CLAS, as CoNLL 2018 counts them.

- **UAS** (unlabelled attachment score): the share of words whose predicted head is
  their gold head.
- **LAS** (labelled): head right *and* relation right, comparing universal relations
  only (``acl:relcl`` counts as ``acl``: the part before the first ``:``).
- **CLAS** (content-word LAS): LAS over content words only (relations such as
  ``nsubj``, ``obj``, ``amod``; not ``det``, ``case``, ``aux``, ``punct``...), an F1
  because the predicted and gold content words may differ.

Every syntactic word counts (a multiword token such as "don't" counts as its words
"do" and "n't"), punctuation included, as in the CoNLL 2018 shared task.

>>> from nlpjourney.parsing.conllu import read_conllu
>>> gold = read_conllu("1\\tDogs\\t_\\tNOUN\\t_\\t_\\t2\\tnsubj\\t_\\t_\\n"
...                    "2\\tbark\\t_\\tVERB\\t_\\t_\\t0\\troot\\t_\\t_\\n\\n")
>>> guess = [gold[0].with_parse([-1, 2, 0], ["", "obj", "root"])]
>>> scores = evaluate(gold, guess)
>>> scores.uas, scores.las
(100.0, 50.0)

Reference: the CoNLL 2018 shared task's evaluation script ``conll18_ud_eval.py``
(Zeman et al. 2018), whose UAS, LAS and CLAS F1 these equal when both files have the
same words.

Simplifications:
    - The script aligns system and gold words by their characters, so a parse of a
      differently tokenised text can be scored; here both sides must have the same
      sentences and the same words (gold tokenisation, as when a parser is given gold
      words), else a ValueError says so. With the same words, precision, recall and F1
      are all equal for UAS and LAS, so one number is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.parsing.conllu import Sentence, read_conllu

__all__ = ["CONTENT_DEPRELS", "AttachmentScores", "evaluate"]

#: The universal relations of content words, which CLAS scores (the CoNLL 2018 set).
CONTENT_DEPRELS = frozenset(
    {
        "nsubj", "obj", "iobj", "csubj", "ccomp", "xcomp", "obl", "vocative", "expl",
        "dislocated", "advcl", "advmod", "discourse", "nmod", "appos", "nummod", "acl",
        "amod", "conj", "fixed", "flat", "compound", "list", "parataxis", "orphan",
        "goeswith", "reparandum", "root", "dep",
    }
)  # fmt: skip


@dataclass(frozen=True)
class AttachmentScores:
    """UAS, LAS and CLAS in percent (0-100, as the CoNLL 2018 script prints them), with counts.

    Attributes:
        uas: Percent of words with the right head.
        las: Percent of words with the right head and universal relation.
        clas: CLAS F1 in percent: ``2 * clas_correct / (clas_gold + clas_system)``.
        words: Words scored (syntactic words, punctuation included).
        uas_correct: Words with the right head.
        las_correct: Words with the right head and universal relation.
        clas_gold: Gold words with a content relation.
        clas_system: Predicted words with a content relation.
        clas_correct: Gold content words with the right head and relation.
    """

    uas: float
    las: float
    clas: float
    words: int
    uas_correct: int
    las_correct: int
    clas_gold: int
    clas_system: int
    clas_correct: int


def _universal(deprel: str) -> str:
    return deprel.split(":")[0]


def _sentences(side: str | Path | Sequence[Sentence], name: str) -> list[Sentence]:
    if isinstance(side, str | Path):
        return read_conllu(side)
    sentences = list(side)
    for sentence in sentences:
        if not isinstance(sentence, Sentence):
            raise TypeError(
                f"{name} must be a CoNLL-U path or a list of Sentence, "
                f"got a list holding {type(sentence).__name__}"
            )
    return sentences


def evaluate(
    gold: str | Path | Sequence[Sentence], predicted: str | Path | Sequence[Sentence]
) -> AttachmentScores:
    """Score a predicted parse against the gold one, as the CoNLL 2018 script does.

    Args:
        gold: The gold CoNLL-U file (path or text) or its sentences.
        predicted: The parse of the same words, as a CoNLL-U file or sentences.

    Returns:
        The scores, in percent, and their counts.

    Raises:
        ValueError: The two sides differ in sentences or words (only gold tokenisation
            is supported), or there are no words at all.
    """
    gold_sentences = _sentences(gold, "gold")
    predicted_sentences = _sentences(predicted, "predicted")
    if len(gold_sentences) != len(predicted_sentences):
        raise ValueError(
            f"gold has {len(gold_sentences)} sentences and predicted {len(predicted_sentences)}; "
            "only gold tokenisation is supported: parse the gold sentences' words"
        )
    words = uas = las = clas_gold = clas_system = clas_correct = 0
    for number, (truth, guess) in enumerate(
        zip(gold_sentences, predicted_sentences, strict=True), start=1
    ):
        if truth.forms != guess.forms:
            raise ValueError(
                f"sentence {number}: the predicted words differ from the gold ones "
                f"({' '.join(guess.forms)[:60]!r} vs {' '.join(truth.forms)[:60]!r}); only "
                "gold tokenisation is supported: parse the gold sentences' words"
            )
        for g, p in zip(truth.words, guess.words, strict=True):
            g_rel, p_rel = _universal(g.deprel), _universal(p.deprel)
            head_right = g.head == p.head
            label_right = head_right and g_rel == p_rel
            words += 1
            uas += head_right
            las += label_right
            clas_system += p_rel in CONTENT_DEPRELS
            if g_rel in CONTENT_DEPRELS:
                clas_gold += 1
                clas_correct += label_right
    if words == 0:
        raise ValueError("no words to score: both sides are empty")
    clas = 200.0 * clas_correct / (clas_gold + clas_system) if clas_gold + clas_system else 0.0
    return AttachmentScores(
        uas=100.0 * uas / words,
        las=100.0 * las / words,
        clas=clas,
        words=words,
        uas_correct=uas,
        las_correct=las,
        clas_gold=clas_gold,
        clas_system=clas_system,
        clas_correct=clas_correct,
    )
