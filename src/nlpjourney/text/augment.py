"""Easy data augmentation (EDA): four cheap edits that make new training sentences.

Wei and Zou's EDA (2019) grows a small labelled set by editing each sentence a little,
trusting that the label survives:

- **synonym replacement**: pick ``n`` distinct non-stop words and replace every
  occurrence of each with one of its WordNet synonyms;
- **random insertion**: ``n`` times, put a synonym of a random non-stop word at a random
  place;
- **random swap**: ``n`` times, swap two random positions;
- **random deletion**: drop each token with probability ``p`` (never all of them).

Every function takes a token list and a ``seed`` and draws only from its own
``random.Random(seed)``, so the same seed gives the same output on any run, and the
caller's ``random`` module state is never touched (``seed=None`` means fresh randomness).

>>> synonym_replacement("the quick dog ran home".split(), n=1, seed=3)  # doctest: +SKIP
['the', 'quick', 'dog', 'ran', 'household']

:func:`synonyms` reads WordNet's files through :mod:`nlpjourney.text.wordnet`: the word's
lemmas (by :func:`~nlpjourney.text.lemmatize.morphy`, for each part of speech), their
synsets, and the words of those synsets.

Reference: ``nltk.corpus.wordnet.synsets(word, pos)`` and their ``lemma_names()`` for the
synonyms (the tests compare them); Wei & Zou, "EDA: Easy Data Augmentation Techniques for
Boosting Performance on Text Classification Tasks" (EMNLP 2019) and their ``eda.py`` for
the four operations and how :func:`augment` mixes them.

Simplifications:
    - Back-translation (translate to another language and back) is not built: it needs a
      translation model, and faking it with a word list would teach the wrong thing.
    - Synonyms pool every sense of every part of speech, as EDA does: no word-sense or
      part-of-speech disambiguation, so "bank" may become "depository financial
      institution" in a sentence about rivers.
    - A multi-word synonym ("motor vehicle") is kept as one token, so replacement keeps
      the length and insertion adds exactly ``n`` tokens; EDA re-splits the sentence.
    - Text is split on whitespace and neither lower-cased nor stripped of punctuation
      (EDA cleans to lower-case letters first); insertion draws its words from the input
      tokens only, not from tokens it has already inserted.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from functools import lru_cache

from nlpjourney.text.lemmatize import morphy
from nlpjourney.text.stopwords import stopwords
from nlpjourney.text.wordnet import check_pos, default_wordnet

__all__ = [
    "augment",
    "random_deletion",
    "random_insertion",
    "random_swap",
    "synonym_replacement",
    "synonyms",
]

_POS_ORDER = ("n", "v", "a", "r")  # the order NLTK's wordnet.synsets(word) visits


@lru_cache(maxsize=65536)
def _synonyms(word: str, pos: str | None) -> tuple[str, ...]:
    wn = default_wordnet()
    lemma = word.lower()
    names: dict[str, None] = {}  # an ordered set
    for p in _POS_ORDER if pos is None else (pos,):
        for form in morphy(lemma, p):
            for offset in wn.offsets(form, p):
                for name in wn.lemma_names(offset, p):
                    names.setdefault(name.replace("_", " "), None)
    return tuple(n for n in names if n.lower() != lemma)


def synonyms(word: str, pos: str | None = None) -> list[str]:
    """WordNet synonyms of ``word``: the other words of its synsets, in sense order.

    Args:
        word: any word form ("dogs", "ran"); it is lower-cased and lemmatized by morphy,
            as NLTK's ``wordnet.synsets`` does.
        pos: ``"n" "v" "a" "r" "s"`` for one part of speech; ``None`` for all four.

    Returns:
        Each synonym once, as WordNet spells it with spaces for ``_``
        (``"domestic dog"``, ``"Canis familiaris"``), without ``word`` itself; empty for a
        word WordNet does not know.

    Raises:
        TypeError: ``word`` is not a str.
        ValueError: ``pos`` is not a WordNet part of speech.
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    if pos is not None:
        check_pos(pos)
    return list(_synonyms(word, pos))


def _tokens(tokens: object) -> list[str]:
    if isinstance(tokens, str):
        raise TypeError("pass a list of tokens, not a str: e.g. text.split()")
    if not isinstance(tokens, Sequence) or not all(isinstance(t, str) for t in tokens):
        raise TypeError("tokens must be a list (or tuple) of str")
    return list(tokens)


def _count(n: object, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {n!r}")
    return n


def _stop_set(stop_words: Collection[str] | None) -> Collection[str]:
    return stopwords("english") if stop_words is None else stop_words


def _content_words(tokens: list[str], stop: Collection[str]) -> list[str]:
    # Distinct non-stop tokens in first-seen order: a list, not a set, because set order
    # changes between runs (string hashing is salted) and would break reproducibility.
    return list(dict.fromkeys(t for t in tokens if t.lower() not in stop))


def _replace(tokens: list[str], n: int, rng: random.Random, stop: Collection[str]) -> list[str]:
    out = list(tokens)
    words = _content_words(tokens, stop)
    rng.shuffle(words)
    replaced = 0
    for word in words:
        if replaced >= n:
            break
        options = _synonyms(word, None)
        if options:
            new = rng.choice(options)
            out = [new if t == word else t for t in out]
            replaced += 1
    return out


def _insert(tokens: list[str], n: int, rng: random.Random, stop: Collection[str]) -> list[str]:
    out = list(tokens)
    pool = [w for w in _content_words(tokens, stop) if _synonyms(w, None)]
    if not pool:
        return out
    for _ in range(n):
        new = rng.choice(_synonyms(rng.choice(pool), None))
        out.insert(rng.randint(0, len(out)), new)
    return out


def _swap(tokens: list[str], n: int, rng: random.Random) -> list[str]:
    out = list(tokens)
    if len(out) < 2:
        return out
    for _ in range(n):
        i, j = rng.sample(range(len(out)), 2)
        out[i], out[j] = out[j], out[i]
    return out


def _delete(tokens: list[str], p: float, rng: random.Random) -> list[str]:
    if len(tokens) <= 1:
        return list(tokens)
    kept = [t for t in tokens if rng.random() >= p]
    # A sentence with no words left is no training example: keep one at random.
    return kept or [rng.choice(tokens)]


def synonym_replacement(
    tokens: Sequence[str],
    n: int = 1,
    seed: int | None = None,
    stop_words: Collection[str] | None = None,
) -> list[str]:
    """Replace ``n`` distinct non-stop words (every occurrence) by a WordNet synonym.

    Args:
        tokens: the sentence as tokens.
        n: how many distinct words to replace; fewer when fewer have synonyms.
        seed: seed of the private random generator (same seed, same output).
        stop_words: words never replaced, compared lower-cased; English stop words
            by default.

    Returns:
        A new list of the same length (a multi-word synonym is one token).
    """
    tokens = _tokens(tokens)
    return _replace(tokens, _count(n), random.Random(seed), _stop_set(stop_words))


def random_insertion(
    tokens: Sequence[str],
    n: int = 1,
    seed: int | None = None,
    stop_words: Collection[str] | None = None,
) -> list[str]:
    """Insert ``n`` synonyms of random non-stop words at random places.

    Args:
        tokens: the sentence as tokens.
        n: how many tokens to insert.
        seed: seed of the private random generator.
        stop_words: words whose synonyms are never inserted; English by default.

    Returns:
        A new list ``n`` tokens longer, or an unchanged copy when no non-stop token
        has a WordNet synonym.
    """
    tokens = _tokens(tokens)
    return _insert(tokens, _count(n), random.Random(seed), _stop_set(stop_words))


def random_swap(tokens: Sequence[str], n: int = 1, seed: int | None = None) -> list[str]:
    """Swap two distinct random positions, ``n`` times; the same tokens in a new order."""
    return _swap(_tokens(tokens), _count(n), random.Random(seed))


def random_deletion(tokens: Sequence[str], p: float = 0.1, seed: int | None = None) -> list[str]:
    """Drop each token with probability ``p``, keeping one at random if all would go.

    Args:
        tokens: the sentence as tokens.
        p: deletion probability in [0, 1].
        seed: seed of the private random generator.

    Returns:
        The kept tokens in order; never empty unless ``tokens`` is (a single token is
        returned as is).
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    return _delete(_tokens(tokens), float(p), random.Random(seed))


def augment(
    text_or_tokens: str | Sequence[str],
    *,
    alpha_sr: float = 0.1,
    alpha_ri: float = 0.1,
    alpha_rs: float = 0.1,
    p_rd: float = 0.1,
    num_aug: int = 9,
    seed: int | None = None,
    stop_words: Collection[str] | None = None,
) -> list[str] | list[list[str]]:
    """``num_aug`` augmented versions of a sentence, mixing the four EDA operations.

    As in EDA, each operation with a rate above 0 makes ``num_aug // 4 + 1`` versions
    (changing ``max(1, int(alpha * len))`` words; deletion uses ``p_rd``), then the pool
    is shuffled and the first ``num_aug`` are kept.

    Args:
        text_or_tokens: a str (split on whitespace) or a list of tokens.
        alpha_sr: share of words to replace by synonyms.
        alpha_ri: share of words to insert.
        alpha_rs: share of words to swap.
        p_rd: deletion probability per word.
        num_aug: how many versions to return (at most).
        seed: seed of the one private random generator behind all of them.
        stop_words: words never replaced nor inserted from; English by default.

    Returns:
        Strings (joined with spaces) for a str input, token lists for a token list;
        the original sentence is not among them.

    Raises:
        ValueError: empty input, a rate outside [0, 1], every rate 0, or ``num_aug < 1``.
    """
    as_text = isinstance(text_or_tokens, str)
    tokens = text_or_tokens.split() if as_text else _tokens(text_or_tokens)
    if not tokens:
        raise ValueError("nothing to augment: the input has no tokens")
    rates = {"alpha_sr": alpha_sr, "alpha_ri": alpha_ri, "alpha_rs": alpha_rs, "p_rd": p_rd}
    for name, rate in rates.items():
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"{name} must be in [0, 1], got {rate!r}")
    if not any(rates.values()):
        raise ValueError("every rate is 0: set at least one of alpha_sr, alpha_ri, alpha_rs, p_rd")
    if isinstance(num_aug, bool) or not isinstance(num_aug, int) or num_aug < 1:
        raise ValueError(f"num_aug must be a whole number >= 1, got {num_aug!r}")
    rng = random.Random(seed)
    stop = _stop_set(stop_words)
    per_op = num_aug // 4 + 1
    size = len(tokens)
    versions: list[list[str]] = []
    if alpha_sr > 0:
        n = max(1, int(alpha_sr * size))
        versions += [_replace(tokens, n, rng, stop) for _ in range(per_op)]
    if alpha_ri > 0:
        n = max(1, int(alpha_ri * size))
        versions += [_insert(tokens, n, rng, stop) for _ in range(per_op)]
    if alpha_rs > 0:
        n = max(1, int(alpha_rs * size))
        versions += [_swap(tokens, n, rng) for _ in range(per_op)]
    if p_rd > 0:
        versions += [_delete(tokens, float(p_rd), rng) for _ in range(per_op)]
    rng.shuffle(versions)
    versions = versions[:num_aug]
    return [" ".join(v) for v in versions] if as_text else versions
