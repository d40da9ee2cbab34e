"""Scoring tag sequences by the entities they mark, as seqeval counts.

A tagger for named entities is judged on whole entities, not tokens: predicting
``B-PER I-PER`` for "Jane Smith" earns one true positive, predicting ``B-PER O`` earns a
false positive (the span "Jane") and a false negative ("Jane Smith"). Precision,
recall and F1 then count entity spans per type, exactly as for classification.

Two ways to read entities out of a tag sequence:

- the **default mode** is ``conlleval.pl``'s: forgiving. Each tag is split into a
  prefix (its first letter) and a type (what follows the ``-``); a chunk ends when the
  previous tag closes it (an ``E``/``S``, a ``B``/``I`` before ``B``/``S``/``O``, or a
  change of type) and starts at ``B``/``S``, at an ``I``/``E`` after ``O``/``E``/``S``, or
  at a change of type. So a stray ``I-PER`` after ``O`` still starts a PER entity.
- the **strict mode** (``mode="strict"``, with a ``scheme``) follows one tagging scheme's
  grammar (IOB2, IOE2, IOBES, BILOU, or IOB1/IOE1): an entity must start with a start
  pattern of that scheme, continue with inside patterns, and be properly closed, or it
  does not count at all.

Several sentences are scored together by joining them with an ``O`` between them, as
seqeval does, so entity positions count across the whole corpus.

Reference: seqeval (``seqeval.metrics``: ``precision_score``, ``recall_score``,
``f1_score``, ``accuracy_score``, ``classification_report``, ``get_entities`` and the
``seqeval.scheme`` classes), held equal in ``tests/evaluate/test_sequence.py``.

Simplifications: no ``sample_weight`` (seqeval ignores it too); strict mode needs a
scheme named by string (seqeval silently falls back to the default mode without one).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlpjourney.evaluate.classification import UndefinedMetricWarning

__all__ = [
    "SCHEMES",
    "accuracy_score",
    "classification_report",
    "entities",
    "f1_score",
    "precision_score",
    "recall_score",
]

# -- the strict schemes -------------------------------------------------------------------
# A pattern (previous prefixes, current prefixes, type rule) holds between two tags when the
# previous tag's prefix is in the first set, the current one's in the second, and their
# types are the same ("same"), different ("diff") or either ("any").
_ANY = "IOBESUL"
_Pattern = tuple[str, str, str]


class _Scheme:
    """One tagging scheme's grammar: allowed prefixes and start, inside and end patterns."""

    def __init__(
        self,
        allowed: str,
        start: list[_Pattern],
        inside: list[_Pattern],
        end: list[_Pattern],
    ) -> None:
        self.allowed, self.start, self.inside, self.end = allowed, start, inside, end


SCHEMES: dict[str, _Scheme] = {
    "IOB1": _Scheme(
        "IOB",
        start=[("O", "I", "any"), ("I", "I", "diff"), ("B", "I", "any"), ("I", "B", "same"),
               ("B", "B", "same")],
        inside=[("B", "I", "same"), ("I", "I", "same")],
        end=[("I", "I", "diff"), ("I", "O", "any"), ("I", "B", "any"), ("B", "O", "any"),
             ("B", "I", "diff"), ("B", "B", "same")],
    ),
    "IOE1": _Scheme(
        "IOE",
        start=[("O", "I", "any"), ("I", "I", "diff"), ("E", "I", "any"), ("E", "E", "same")],
        inside=[("I", "I", "same"), ("I", "E", "same")],
        end=[("I", "I", "diff"), ("I", "O", "any"), ("I", "E", "diff"), ("E", "I", "same"),
             ("E", "E", "same")],
    ),
    "IOB2": _Scheme(
        "IOB",
        start=[(_ANY, "B", "any")],
        inside=[("B", "I", "same"), ("I", "I", "same")],
        end=[("I", "O", "any"), ("I", "I", "diff"), ("I", "B", "any"), ("B", "O", "any"),
             ("B", "I", "diff"), ("B", "B", "any")],
    ),
    "IOE2": _Scheme(
        "IOE",
        start=[("O", "IE", "any"), ("E", "IE", "any"), ("I", "IE", "diff")],
        inside=[("I", "IE", "same")],
        end=[("E", _ANY, "any")],
    ),
    "IOBES": _Scheme(
        "IOBES",
        start=[(_ANY, "BS", "any")],
        inside=[("BI", "IE", "same")],
        end=[("SE", _ANY, "any")],
    ),
    "BILOU": _Scheme(
        "BILOU",
        start=[(_ANY, "BU", "any")],
        inside=[("BI", "IL", "same")],
        end=[("UL", _ANY, "any")],
    ),
}  # fmt: skip


def _split(tag: str, suffix: bool, strict: bool) -> tuple[str, str]:
    """A tag's (prefix, type): ``"B-PER" -> ("B", "PER")``, ``"O" -> ("O", "_")``.

    subtle: the two modes cut the type differently (seqeval's quirks, kept for parity):
    the default mode takes what follows the first ``-`` after the prefix letter, the
    strict mode strips ``-`` from both ends of what follows the prefix letter.
    """
    if not tag:
        raise ValueError("an empty string is not a tag; use 'O' for tokens outside entities")
    prefix, rest = (tag[-1], tag[:-1]) if suffix else (tag[0], tag[1:])
    if strict:
        return prefix, rest.strip("-") or "_"
    if suffix:
        return prefix, rest.rsplit("-", maxsplit=1)[0] or "_"
    return prefix, rest.split("-", maxsplit=1)[-1] or "_"


def _holds(patterns: list[_Pattern], prev: tuple[str, str], cur: tuple[str, str]) -> bool:
    """Whether any pattern joins the previous and current (prefix, type) pairs."""
    for prev_prefixes, cur_prefixes, rule in patterns:
        if prev[0] in prev_prefixes and cur[0] in cur_prefixes:
            if rule == "any" or (rule == "same") == (prev[1] == cur[1]):
                return True
    return False


def _strict_entities(tags: Sequence[str], scheme: str, suffix: bool) -> list[tuple[str, int, int]]:
    """Entities under one scheme's grammar; a badly formed span is no entity at all."""
    grammar = SCHEMES[scheme]
    parts = [_split(tag, suffix, strict=True) for tag in tags] + [("O", "_")]
    for tag, (prefix, _) in zip(tags, parts, strict=False):
        if prefix not in grammar.allowed + "O":
            raise ValueError(
                f"tag {tag!r} has prefix {prefix!r}, which {scheme} does not allow "
                f"(allowed: {', '.join(sorted(grammar.allowed + 'O'))}); pick the right scheme"
            )
    found = []
    i, prev = 0, ("O", "_")
    while i < len(parts):
        if _holds(grammar.start, prev, parts[i]):
            end = i + 1
            while _holds(grammar.inside, parts[end - 1], parts[end]):
                end += 1  # the closing ("O", "_") is never inside, so this stops
            if _holds(grammar.end, parts[end - 1], parts[end]):
                found.append((parts[i][1], i, end))
            i = end
        else:
            i += 1
        prev = parts[i - 1]
    return found


def _chunk_ends(prev: tuple[str, str], cur: tuple[str, str]) -> bool:
    """conlleval: whether a chunk ended between the previous tag and this one."""
    (p, p_type), (c, c_type) = prev, cur
    if p in "ES" or (p in "BI" and c in "BSO"):
        return True
    return p not in "O." and p_type != c_type


def _chunk_starts(prev: tuple[str, str], cur: tuple[str, str]) -> bool:
    """conlleval: whether a chunk started at this tag."""
    (p, p_type), (c, c_type) = prev, cur
    if c in "BS" or (p in "ESO" and c in "EI"):
        return True
    return c not in "O." and p_type != c_type


def _loose_entities(tags: Sequence[str], suffix: bool) -> list[tuple[str, int, int]]:
    """Entities as conlleval.pl chunks them (the default mode)."""
    found = []
    prev, begin = ("O", ""), 0
    for i, tag in enumerate([*tags, "O"]):
        cur = _split(tag, suffix, strict=False)
        if _chunk_ends(prev, cur):
            found.append((prev[1], begin, i))
        if _chunk_starts(prev, cur):
            begin = i
        prev = cur
    return found


def entities(
    tags: Sequence[str], *, mode: str | None = None, scheme: str | None = None, suffix: bool = False
) -> list[tuple[str, int, int]]:
    """The entities one tag sequence marks, as ``(type, start, end)`` with ``end`` exclusive.

    Args:
        tags: one tag per token, e.g. ``["B-PER", "I-PER", "O"]``.
        mode: ``None`` for conlleval's forgiving chunking, ``"strict"`` for ``scheme``'s.
        scheme: ``"IOB1"``, ``"IOB2"``, ``"IOE1"``, ``"IOE2"``, ``"IOBES"`` or ``"BILOU"``
            (strict mode only).
        suffix: the prefix letter comes last (``"PER-B"``).

    Returns:
        The entities in order of their start.

    Example:
        >>> entities(["B-PER", "I-PER", "O", "I-LOC"])
        [('PER', 0, 2), ('LOC', 3, 4)]
        >>> entities(["B-PER", "I-PER", "O", "I-LOC"], mode="strict", scheme="IOB2")
        [('PER', 0, 2)]
    """
    if isinstance(tags, str):
        raise TypeError("tags must be a sequence of tag strings, not one string")
    if _check_mode(mode, scheme) == "strict":
        return _strict_entities(list(tags), scheme, suffix)  # type: ignore[arg-type]
    return _loose_entities(list(tags), suffix)


def _check_mode(mode: str | None, scheme: str | None) -> str:
    if mode not in (None, "default", "strict"):
        raise ValueError(f"mode must be None or 'strict', got {mode!r}")
    if mode == "strict":
        if scheme not in SCHEMES:
            raise ValueError(
                f"strict mode needs a scheme, one of {sorted(SCHEMES)}; got {scheme!r}"
            )
        return "strict"
    return "default"


def _check_pair(y_true: Any, y_pred: Any) -> tuple[list[list[str]], list[list[str]]]:
    """Both sides as lists of tag lists, checked to have the same lengths."""
    for name, sequences in (("y_true", y_true), ("y_pred", y_pred)):
        if isinstance(sequences, str) or any(isinstance(s, str) for s in sequences):
            raise TypeError(f"{name} must be a list of tag sequences (one list per sentence)")
    y_true, y_pred = [list(s) for s in y_true], [list(s) for s in y_pred]
    if [len(s) for s in y_true] != [len(s) for s in y_pred]:
        raise ValueError(
            "y_true and y_pred must have the same number of sentences and of tags in each; "
            f"got {len(y_true)} and {len(y_pred)} sentences"
        )
    return y_true, y_pred


def _corpus_entities(
    sequences: list[list[str]], mode: str, scheme: str | None, suffix: bool
) -> dict[str, set[tuple[int, int, int]]]:
    """Every entity of a corpus, grouped by type, as (sentence, start, end) spans."""
    by_type: dict[str, set[tuple[int, int, int]]] = defaultdict(set)
    if mode == "strict":
        for k, tags in enumerate(sequences):
            for kind, start, end in _strict_entities(tags, scheme, suffix):  # type: ignore[arg-type]
                by_type[kind].add((k, start, end))
    else:
        # subtle: conlleval reads the corpus as one stream with an O between sentences,
        # so offsets are global; one stream keeps seqeval's answer in every corner case.
        stream = [tag for tags in sequences for tag in [*tags, "O"]]
        for kind, start, end in _loose_entities(stream, suffix):
            by_type[kind].add((0, start, end))
    return by_type


def _counts(
    y_true: Any, y_pred: Any, mode: str | None, scheme: str | None, suffix: bool
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The entity types and, per type, true positives, predicted and true counts."""
    mode = _check_mode(mode, scheme)
    y_true, y_pred = _check_pair(y_true, y_pred)
    gold = _corpus_entities(y_true, mode, scheme, suffix)
    found = _corpus_entities(y_pred, mode, scheme, suffix)
    names = sorted(set(gold) | set(found))
    tp = np.array([len(gold[t] & found[t]) for t in names], dtype=np.int64)
    predicted = np.array([len(found[t]) for t in names], dtype=np.int64)
    true = np.array([len(gold[t]) for t in names], dtype=np.int64)
    return names, tp, predicted, true


def _divide(top: np.ndarray, bottom: np.ndarray, zero_division: Any, what: str) -> np.ndarray:
    """top / bottom, with ``zero_division`` (0 or 1) where bottom is 0 ("warn": 0, warned)."""
    empty = bottom == 0
    result = top / np.where(empty, 1, bottom)
    if empty.any():
        result[empty] = 1.0 if zero_division == 1 else 0.0
        if zero_division == "warn":
            warnings.warn(
                f"{what} is ill-defined for some entity types and set to 0.0; "
                "use zero_division=0 or 1 to choose the value and silence this",
                UndefinedMetricWarning,
                stacklevel=4,
            )
    return result


def _prfs(
    y_true: Any,
    y_pred: Any,
    average: str | None,
    mode: str | None,
    scheme: str | None,
    suffix: bool,
    zero_division: Any,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F1 and support, per type (``average=None``) or averaged."""
    _, tp, predicted, true = _counts(y_true, y_pred, mode, scheme, suffix)
    return _scores(tp, predicted, true, average, zero_division)


def _scores(
    tp: np.ndarray, predicted: np.ndarray, true: np.ndarray, average: str | None, zero_division: Any
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F1 and support from the per-type counts."""
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(f"average must be None, 'micro', 'macro' or 'weighted', got {average!r}")
    if zero_division not in ("warn", 0, 1):
        raise ValueError(f"zero_division must be 'warn', 0 or 1, got {zero_division!r}")
    if average == "micro":
        tp, predicted, true = (
            tp.sum(keepdims=True),
            predicted.sum(keepdims=True),
            true.sum(keepdims=True),
        )
    precision = _divide(tp, predicted, zero_division, "precision")
    recall = _divide(tp, true, zero_division, "recall")
    denominator = precision + recall
    f1 = 2 * precision * recall / np.where(denominator == 0, 1, denominator)
    if average is None:
        return precision, recall, f1, true
    weights = None
    if average == "weighted":
        if true.sum() == 0:
            # no true entities at all: seqeval's (and scikit-learn's) special case
            value = 1.0 if zero_division == 1 else 0.0
            none_predicted = predicted.sum() == 0
            return (value if none_predicted else 0.0, value, value if none_predicted else 0.0, 0)
        weights = true
    if len(tp) == 0:
        # subtle: no entity of any type on either side leaves macro's mean over no types
        # undefined; seqeval answers NaN there, and so do we.
        return float("nan"), float("nan"), float("nan"), 0
    return (
        float(np.average(precision, weights=weights)),
        float(np.average(recall, weights=weights)),
        float(np.average(f1, weights=weights)),
        int(true.sum()),
    )


def precision_score(
    y_true: Sequence[Sequence[str]],
    y_pred: Sequence[Sequence[str]],
    *,
    average: str | None = "micro",
    mode: str | None = None,
    scheme: str | None = None,
    suffix: bool = False,
    zero_division: Any = "warn",
) -> Any:
    """Entity precision: the share of predicted entities that are exactly right.

    Args:
        y_true: the gold tags, one list per sentence.
        y_pred: the predicted tags, the same shape.
        average: ``"micro"`` (count all entities together), ``"macro"`` (mean over types),
            ``"weighted"`` (mean weighted by each type's true count) or ``None`` (one
            value per type, types in sorted order).
        mode: ``None`` (conlleval chunking) or ``"strict"`` (the ``scheme``'s grammar).
        scheme: the tagging scheme for strict mode, e.g. ``"IOB2"``.
        suffix: tags carry their prefix last (``"PER-B"``).
        zero_division: the value (0 or 1) of a score divided by zero; ``"warn"`` gives 0
            and warns.

    Returns:
        A float, or an array of floats for ``average=None``.

    Example:
        >>> y_true = [["O", "B-MISC", "I-MISC", "B-MISC", "O"], ["B-PER", "I-PER", "O"]]
        >>> y_pred = [["O", "B-MISC", "I-MISC", "B-MISC", "I-MISC"], ["B-PER", "I-PER", "O"]]
        >>> precision_score(y_true, y_pred)
        0.6666666666666666
    """
    return _prfs(y_true, y_pred, average, mode, scheme, suffix, zero_division)[0]


def recall_score(
    y_true: Sequence[Sequence[str]],
    y_pred: Sequence[Sequence[str]],
    *,
    average: str | None = "micro",
    mode: str | None = None,
    scheme: str | None = None,
    suffix: bool = False,
    zero_division: Any = "warn",
) -> Any:
    """Entity recall: the share of true entities found exactly (arguments as :func:`precision_score`)."""
    return _prfs(y_true, y_pred, average, mode, scheme, suffix, zero_division)[1]


def f1_score(
    y_true: Sequence[Sequence[str]],
    y_pred: Sequence[Sequence[str]],
    *,
    average: str | None = "micro",
    mode: str | None = None,
    scheme: str | None = None,
    suffix: bool = False,
    zero_division: Any = "warn",
) -> Any:
    """Entity F1, the harmonic mean of precision and recall (arguments as :func:`precision_score`).

    Example:
        >>> y_true = [["O", "B-MISC", "I-MISC", "B-MISC", "O"], ["B-PER", "I-PER", "O"]]
        >>> y_pred = [["O", "B-MISC", "I-MISC", "B-MISC", "I-MISC"], ["B-PER", "I-PER", "O"]]
        >>> f1_score(y_true, y_pred, average="macro")
        0.75
    """
    return _prfs(y_true, y_pred, average, mode, scheme, suffix, zero_division)[2]


def accuracy_score(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> float:
    """The share of tokens whose tag is right (every token counts, ``O`` included).

    Example:
        >>> accuracy_score([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]])
        0.6666666666666666
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    flat_true = [tag for tags in y_true for tag in tags]
    flat_pred = [tag for tags in y_pred for tag in tags]
    if not flat_true:
        raise ValueError("accuracy needs at least one tag; both sides are empty")
    return sum(a == b for a, b in zip(flat_true, flat_pred, strict=True)) / len(flat_true)


def classification_report(
    y_true: Sequence[Sequence[str]],
    y_pred: Sequence[Sequence[str]],
    *,
    digits: int = 2,
    output_dict: bool = False,
    mode: str | None = None,
    scheme: str | None = None,
    suffix: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per entity type, then micro, macro and weighted averages.

    Args:
        y_true, y_pred, mode, scheme, suffix, zero_division: as :func:`precision_score`.
        digits: decimals shown in the text table.
        output_dict: return ``{row: {"precision", "recall", "f1-score", "support"}}``
            instead of the text table.

    Returns:
        The table as seqeval prints it, or the same numbers as a dict.
    """
    names, *counts = _counts(y_true, y_pred, mode, scheme, suffix)
    per_type = _scores(*counts, None, zero_division)
    rows: list[tuple[str, float, float, float, int]] = [
        (name, float(p), float(r), float(f), int(s))
        for name, p, r, f, s in zip(names, *per_type, strict=True)
    ]
    averages = [
        (f"{average} avg", *_scores(*counts, average, zero_division))
        for average in ("micro", "macro", "weighted")
    ]
    if output_dict:
        return {
            name: {"precision": p, "recall": r, "f1-score": f, "support": s}
            for name, p, r, f, s in [*rows, *averages]
        }
    width = max([len(name) for name in names] + [len("weighted avg"), digits])
    header = f"{'':>{width}s} " + "".join(
        f" {h:>9}" for h in ("precision", "recall", "f1-score", "support")
    )
    lines = [f"{name:>{width}s} " + "".join(f" {v:>9.{digits}f}" for v in (p, r, f)) + f" {s:>9}"
             for name, p, r, f, s in rows]  # fmt: skip
    lines.append("")
    lines += [f"{name:>{width}s} " + "".join(f" {v:>9.{digits}f}" for v in (p, r, f)) + f" {s:>9}"
              for name, p, r, f, s in averages]  # fmt: skip
    lines.append("")
    return header + "\n\n" + "\n".join(lines)
