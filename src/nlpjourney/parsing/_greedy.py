"""What the greedy transition parsers share: labelled transitions, oracle derivations, checks.

Private to :mod:`nlpjourney.parsing.perceptron` and :mod:`nlpjourney.parsing.neural`.
:func:`make_system` names the transition systems; :func:`oracle_derivation` walks a
training sentence's static-oracle derivation; :func:`training_heads` makes a
non-projective training tree projective (lifting arcs, :func:`~nlpjourney.parsing.
projectivity.projectivize`) so that every training sentence is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from nlpjourney.ml import NotFittedError

if TYPE_CHECKING:
    from nlpjourney.parsing.conllu import Sentence
    from nlpjourney.parsing.transitions import ArcEager, ArcStandard, Configuration

__all__ = [
    "SYSTEMS",
    "check_fitted",
    "check_sentences",
    "make_system",
    "oracle_derivation",
    "training_heads",
]

SYSTEMS = ("arc-standard", "arc-eager")


def make_system(name: str) -> ArcStandard | ArcEager:
    """The transition system called ``name`` ("arc-standard" or "arc-eager")."""
    from nlpjourney.parsing.transitions import ArcEager, ArcStandard

    if name == "arc-standard":
        return ArcStandard()
    if name == "arc-eager":
        return ArcEager()
    raise ValueError(f"unknown transition system {name!r}; choose one of {SYSTEMS}")


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
    while not system.is_terminal(config):
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
