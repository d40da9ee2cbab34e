"""The Penn Treebank sample split the tagger tests share, and token accuracy."""

from __future__ import annotations

from functools import cache

from nlpjourney.data import corpora


@cache
def treebank_split() -> tuple[list, list]:
    """The sample without -NONE- traces: the first 3,000 sentences train, the rest test."""
    sentences = [[(w, t) for w, t in s if t != "-NONE-"] for s in corpora.treebank_tagged_sents()]
    return sentences[:3000], sentences[3000:]


def words_and_tags(tagged: list) -> tuple[list[list[str]], list[list[str]]]:
    """``(word, tag)`` sentences as parallel word and tag lists."""
    return [[w for w, _ in s] for s in tagged], [[t for _, t in s] for s in tagged]


def token_accuracy(predicted: list[list[str]], gold: list[list[str]]) -> float:
    """The share of tokens whose predicted tag is the gold one."""
    pairs = [
        (p, g) for ps, gs in zip(predicted, gold, strict=True) for p, g in zip(ps, gs, strict=True)
    ]
    return sum(p == g for p, g in pairs) / len(pairs)
