"""What the greedy transition parsers share: labelled transitions, oracle derivations, checks.

Private to :mod:`nlpjourney.parsing.perceptron` and :mod:`nlpjourney.parsing.neural`.
A parser scores *labelled* transitions (a class is ``"SHIFT"``, ``"REDUCE"``, or
``"LEFT-ARC"``/``"RIGHT-ARC"`` with a label), so :class:`Transitions` numbers them and
masks the ones a configuration does not allow; :func:`oracle_derivation` walks a
training sentence's static-oracle derivation; :func:`training_heads` makes a
non-projective training tree projective (lifting arcs, :func:`~nlpjourney.parsing.
projectivity.projectivize`) so that every training sentence is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from nlpjourney.ml import NotFittedError

if TYPE_CHECKING:
    from nlpjourney.parsing.conllu import Sentence
    from nlpjourney.parsing.transitions import ArcEager, ArcStandard, Configuration

__all__ = ["SYSTEMS", "Transitions", "check_sentences", "make_system", "oracle_derivation"]

SYSTEMS = ("arc-standard", "arc-eager")
ARCS = ("LEFT-ARC", "RIGHT-ARC")


def make_system(name: str) -> ArcStandard | ArcEager:
    """The transition system called ``name`` ("arc-standard" or "arc-eager")."""
    from nlpjourney.parsing.transitions import ArcEager, ArcStandard

    if name == "arc-standard":
        return ArcStandard()
    if name == "arc-eager":
        return ArcEager()
    raise ValueError(f"unknown transition system {name!r}; choose one of {SYSTEMS}")


class Transitions:
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


def training_heads(sentence: Sentence) -> list[int]:
    """The gold heads of a training sentence, made projective if they are not."""
    from nlpjourney.parsing.projectivity import is_projective, projectivize

    heads = list(sentence.heads)
    return heads if is_projective(heads) else list(projectivize(heads))


def oracle_derivation(
    system: ArcStandard | ArcEager, sentence: Sentence
) -> Iterator[tuple[Configuration, str, str]]:
    """The static oracle's derivation of ``sentence``: each configuration (before the
    transition is applied) with the oracle's action and label.

    subtle: the same Configuration object is yielded at every step and changed in place
    after the caller is done with it, so read what you need before asking for the next.
    """
    heads = training_heads(sentence)
    labels = list(sentence.deprels)
    config = system.initial(len(sentence.words))
    while not config.is_terminal():
        action, label = system.static_oracle(config, heads, labels)
        yield config, action, label
        system.apply(config, action, label)


def check_sentences(sentences: object, what: str) -> list[Sentence]:
    """``sentences`` as a list of Sentence, or a TypeError saying what to pass."""
    from nlpjourney.parsing.conllu import Sentence

    if isinstance(sentences, (str, bytes)) or not isinstance(sentences, Sequence):
        raise TypeError(
            f"{what} takes a list of parsing.conllu.Sentence (read_conllu gives them), "
            f"got {type(sentences).__name__}"
        )
    for sentence in sentences:
        if not isinstance(sentence, Sentence):
            raise TypeError(
                f"{what} takes a list of parsing.conllu.Sentence (read_conllu gives them), "
                f"got an item of type {type(sentence).__name__}"
            )
    return list(sentences)


def check_fitted(fitted: bool, name: str) -> None:
    """Refuse to parse with a parser that was never fitted."""
    if not fitted:
        raise NotFittedError(f"this {name} is not fitted yet: call fit(sentences) or load one")
