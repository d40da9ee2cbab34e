"""The Chen & Manning (2014) features of a parser configuration, as integer ids.

A greedy transition parser decides each step from a few words around the top of the
stack and the front of the buffer. Chen & Manning read 18 positions:

- ``s0, s1, s2`` (the top three of the stack) and ``b0, b1, b2`` (the first three of the
  buffer);
- the first and second leftmost and rightmost children of ``s0`` and of ``s1``
  (``lc1, rc1, lc2, rc2``: 8 positions);
- the leftmost child of the leftmost child and the rightmost child of the rightmost
  child of ``s0`` and of ``s1`` (4 positions);

and take the word and the POS tag at each (18 + 18 features), and the arc label of the
12 children (12 features): 48 ids in all. A position that does not exist is ``NULL``,
word 0 is ``ROOT``, and a word the vocabulary has not seen is ``UNKNOWN``
(:data:`NULL`, :data:`ROOT`, :data:`UNKNOWN` are the first three ids of every
vocabulary).

:func:`feature_positions` finds the 18 word numbers of one configuration (the tree
walk, which cannot be vectorised); :func:`extract_features` turns a batch of
configurations into one ``(B, 48)`` int array with a single NumPy gather over the
sentences' id arrays. The neural parser reads positions and labels separately
(:func:`positions_and_labels`), so that it can look words up in a sentence encoding.

Reference: Chen & Manning, "A Fast and Accurate Dependency Parser using Neural
Networks" (EMNLP 2014), section 3.1 and their released feature extractor (the same 18
positions in the same order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nlpjourney.parsing.conllu import Sentence
    from nlpjourney.parsing.transitions import Configuration

__all__ = [
    "N_FEATURES",
    "N_LABELS",
    "N_POSITIONS",
    "NULL",
    "POSITION_NAMES",
    "ROOT",
    "UNKNOWN",
    "FeatureVocabulary",
    "TransitionClasses",
    "extract_features",
    "feature_positions",
    "positions_and_labels",
]

#: Ids every vocabulary starts with: an absent position, the root, an unseen entry.
NULL, ROOT, UNKNOWN = 0, 1, 2
SPECIALS = ("<null>", "<root>", "<unk>")

#: The two arc actions, which carry a label.
ARCS = ("LEFT-ARC", "RIGHT-ARC")

#: The 18 positions, in Chen & Manning's order.
POSITION_NAMES = (
    "s0", "s1", "s2", "b0", "b1", "b2",
    "lc1(s0)", "rc1(s0)", "lc2(s0)", "rc2(s0)",
    "lc1(s1)", "rc1(s1)", "lc2(s1)", "rc2(s1)",
    "lc1(lc1(s0))", "rc1(rc1(s0))", "lc1(lc1(s1))", "rc1(rc1(s1))",
)  # fmt: skip
N_POSITIONS = len(POSITION_NAMES)
#: The positions 6..17 (the children) also give their arc label.
N_LABELS = N_POSITIONS - 6
N_FEATURES = 2 * N_POSITIONS + N_LABELS


def feature_positions(config: Configuration) -> list[int]:
    """The word numbers at the 18 positions of ``config`` (-1 where there is none).

    Args:
        config: A parser configuration (stack, buffer and the arcs so far).

    Returns:
        18 ints in the order of :data:`POSITION_NAMES`; 0 is ROOT, -1 an absent position.

    Example: with ``stack = [0, 1, 3]`` and ``next = 4`` (buffer ``4, 5`` of 5 words),
    where word 2 hangs from 3: ``s0 = 3, s1 = 1, s2 = 0, b0 = 4, b1 = 5, b2 = -1`` and
    ``lc1(s0) = 2``.
    """
    s0, s1, s2 = config.stack_item(0), config.stack_item(1), config.stack_item(2)
    positions = [s0, s1, s2, config.buffer_item(0), config.buffer_item(1), config.buffer_item(2)]
    for s in (s0, s1):
        if s < 0:
            positions += [-1, -1, -1, -1]
        else:
            positions += [
                config.leftmost_child(s, 1),
                config.rightmost_child(s, 1),
                config.leftmost_child(s, 2),
                config.rightmost_child(s, 2),
            ]
    for left, right in ((positions[6], positions[7]), (positions[10], positions[11])):
        positions.append(config.leftmost_child(left, 1) if left >= 0 else -1)
        positions.append(config.rightmost_child(right, 1) if right >= 0 else -1)
    return positions


def positions_and_labels(
    configs: Sequence[Configuration], label_ids: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The 18 positions and the 12 child-arc label ids of each configuration.

    Args:
        configs: B configurations (of any sentences).
        label_ids: The label vocabulary (:attr:`FeatureVocabulary.label_ids`); a label it lacks
            is :data:`UNKNOWN`.

    Returns:
        ``(positions, labels)``: int64 arrays.

    Shapes:
        positions: (B, 18), -1 where absent; labels: (B, 12), :data:`NULL` where absent.
    """
    positions = np.full((len(configs), N_POSITIONS), -1, dtype=np.int64)
    labels = np.full((len(configs), N_LABELS), NULL, dtype=np.int64)
    for row, config in enumerate(configs):
        found = feature_positions(config)
        positions[row] = found
        for column, word in enumerate(found[6:]):
            if word > 0:
                labels[row, column] = label_ids.get(config.labels[word], UNKNOWN)
    return positions, labels


def extract_features(
    configs: Sequence[Configuration],
    word_ids: Sequence[np.ndarray],
    tag_ids: Sequence[np.ndarray],
    label_ids: Mapping[str, int],
) -> np.ndarray:
    """The Chen & Manning feature ids of a batch of configurations.

    Args:
        configs: B configurations; ``configs[i]`` parses sentence ``i``.
        word_ids: For each sentence, the word ids of words 0..n (index 0 the
            :data:`ROOT` id), as `FeatureVocabulary.encode` gives them.
        tag_ids: The same for the POS tags.
        label_ids: The label vocabulary.

    Returns:
        An int64 array: columns 0-17 the words at the 18 positions, 18-35 their tags,
        36-47 the arc labels of positions 6-17; :data:`NULL` where a position is absent.

    Shapes:
        (B, 48).
    """
    if not (len(configs) == len(word_ids) == len(tag_ids)):
        raise ValueError(
            f"extract_features needs one word-id and one tag-id array per configuration, "
            f"got {len(configs)} configurations, {len(word_ids)} and {len(tag_ids)} arrays"
        )
    positions, labels = positions_and_labels(configs, label_ids)
    # One flat table per kind: slot 0 is NULL, then each sentence's words 0..n, so a
    # position becomes a row of the table by adding its sentence's offset.
    sizes = np.array([len(ids) for ids in word_ids], dtype=np.int64)
    offsets = 1 + np.concatenate(([0], np.cumsum(sizes)[:-1]))
    flat = np.where(positions >= 0, positions + offsets[:, None], 0)
    words = np.concatenate([[NULL], *word_ids]).astype(np.int64)
    tags = np.concatenate([[NULL], *tag_ids]).astype(np.int64)
    return np.concatenate([words[flat], tags[flat], labels], axis=1)


@dataclass
class FeatureVocabulary:
    """Word, tag and label ids for the features: :data:`NULL`, :data:`ROOT`,
    :data:`UNKNOWN`, then the entries in order of first appearance.

    Attributes:
        words, tags, labels: The entries, specials first (``words[ROOT] == "<root>"``).
        word_counts: How often each word id was seen in training (specials 0), for word
            dropout.
        lowercase: Whether forms are lower-cased before lookup.
    """

    words: list[str] = field(default_factory=lambda: list(SPECIALS))
    tags: list[str] = field(default_factory=lambda: list(SPECIALS))
    labels: list[str] = field(default_factory=lambda: list(SPECIALS))
    word_counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    lowercase: bool = False

    def __post_init__(self) -> None:
        for name in ("words", "tags", "labels"):
            entries = getattr(self, name)
            if tuple(entries[:3]) != SPECIALS:
                raise ValueError(f"a vocabulary's {name} must start with {SPECIALS}")
        self.word_ids = {w: i for i, w in enumerate(self.words)}
        self.tag_ids = {t: i for i, t in enumerate(self.tags)}
        self.label_ids = {lab: i for i, lab in enumerate(self.labels)}

    @classmethod
    def build(
        cls, sentences: Iterable[Sentence], min_count: int = 1, lowercase: bool = False
    ) -> FeatureVocabulary:
        """The vocabulary of training sentences (forms, UPOS tags and DEPRELs).

        Args:
            sentences: Parsed sentences.
            min_count: Words seen fewer times are left out (they read as UNKNOWN).
            lowercase: Whether word forms are lower-cased (then :meth:`encode` too).
        """
        counts: Counter[str] = Counter()
        tags: dict[str, None] = {}
        labels: dict[str, None] = {}
        for sentence in sentences:
            counts.update(form.lower() if lowercase else form for form in sentence.forms)
            tags.update(dict.fromkeys(sentence.upos))
            labels.update(dict.fromkeys(sentence.deprels[1:]))
        kept = [w for w, c in counts.items() if c >= min_count and w not in SPECIALS]
        return cls(
            words=[*SPECIALS, *kept],
            tags=[*SPECIALS, *(t for t in tags if t not in SPECIALS)],
            labels=[*SPECIALS, *(lab for lab in labels if lab not in SPECIALS)],
            word_counts=[0, 0, 0, *(counts[w] for w in kept)],
            lowercase=lowercase,
        )

    def encode(self, sentence: Sentence) -> tuple[np.ndarray, np.ndarray]:
        """The word and tag ids of words 0..n (index 0: :data:`ROOT`).

        Shapes:
            Two int64 arrays of length n + 1.
        """
        forms = [f.lower() for f in sentence.forms] if self.lowercase else sentence.forms
        words = [ROOT, *(self.word_ids.get(f, UNKNOWN) for f in forms)]
        tags = [ROOT, *(self.tag_ids.get(t, UNKNOWN) for t in sentence.upos)]
        return np.array(words, dtype=np.int64), np.array(tags, dtype=np.int64)

    def to_config(self) -> dict[str, object]:
        """The vocabulary as JSON-ready lists (for :func:`nlpjourney.saving.save_model`)."""
        return {
            "words": self.words,
            "tags": self.tags,
            "labels": self.labels,
            "word_counts": self.word_counts,
            "lowercase": self.lowercase,
        }


class TransitionClasses:
    """The labelled transitions of a system, numbered: unlabelled actions first, then
    ``LEFT-ARC`` and ``RIGHT-ARC`` with each label.

    Example: arc-standard with labels ``["nsubj", "obj"]`` has the classes
    ``SHIFT, LEFT-ARC:nsubj, LEFT-ARC:obj, RIGHT-ARC:nsubj, RIGHT-ARC:obj``.
    """

    def __init__(self, actions: Sequence[str], labels: Sequence[str]) -> None:
        plain = [a for a in actions if a not in ARCS]
        self.labels = list(labels)
        self.classes: list[tuple[str, str]] = [(a, "") for a in plain]
        self.classes += [(arc, label) for arc in ARCS for label in self.labels]
        self.index = {c: i for i, c in enumerate(self.classes)}
        self._by_action = {a: [i for i, c in enumerate(self.classes) if c[0] == a] for a in actions}
        self.mask_of: dict[tuple[str, ...], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.classes)

    def legal_mask(self, legal: Sequence[str]) -> np.ndarray:
        """A bool row over the classes, True for those whose action is in ``legal``."""
        key = tuple(legal)
        mask = self.mask_of.get(key)
        if mask is None:
            mask = np.zeros(len(self.classes), dtype=bool)
            for action in key:
                mask[self._by_action[action]] = True
            self.mask_of[key] = mask
        return mask

    def class_of(self, action: str, label: str) -> int:
        """The class of ``action`` (with ``label`` for an arc)."""
        return self.index[(action, label if action in ARCS else "")]
