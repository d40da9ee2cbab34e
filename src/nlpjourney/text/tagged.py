"""Checks every tagger shares: tagged training data and sentences to tag."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["check_sentences", "check_tagged"]


def check_sentences(sentences: Sequence[Sequence[str]]) -> list[list[str]]:
    """The sentences as lists of token strings, or a clear error for anything else."""
    if isinstance(sentences, str):
        raise TypeError(
            "sentences must be a list of token lists, not one string; split it into tokens first"
        )
    checked = []
    for k, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            raise TypeError(
                f"sentence {k} is a string; each sentence must be a list of tokens (e.g. text.split())"
            )
        tokens = list(sentence)
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(f"sentence {k} holds {token!r}, which is not a token string")
        checked.append(tokens)
    return checked


def check_tagged(
    sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """Training sentences and their tags, checked to line up one tag per token."""
    sentences = check_sentences(sentences)
    tags = check_sentences(tags)
    if len(sentences) != len(tags):
        raise ValueError(
            f"got {len(sentences)} sentences but {len(tags)} tag sequences; give one per sentence"
        )
    for k, (words, labels) in enumerate(zip(sentences, tags, strict=True)):
        if len(words) != len(labels):
            raise ValueError(
                f"sentence {k} has {len(words)} tokens but {len(labels)} tags; give one tag per token"
            )
    if not any(sentences):
        raise ValueError("no tagged tokens to learn from; pass at least one non-empty sentence")
    return sentences, tags
