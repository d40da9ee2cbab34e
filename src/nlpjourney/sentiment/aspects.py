"""Aspect-based sentiment: which product features a review sentence rates, and how.

"The picture quality is great but the battery dies fast" is neither positive nor negative
as a whole: it praises one *aspect* and blames another. Hu & Liu (2004) found aspects and
their polarity in three steps, which :class:`AspectSentiment` follows:

1. **Candidate aspects are nouns and noun phrases.** People name features with nouns
   ("battery", "picture quality"). Each run of consecutive nouns in a sentence gives its
   contiguous sub-phrases of up to ``max_words`` words as candidates.
2. **Aspects are the frequent candidates.** A candidate named in at least ``min_support``
   of a product's sentences (Hu & Liu's 1 %; singular and plural count as one) is an
   aspect, unless it is a single word that is rarely named on its own: its *pure support* (sentences naming it outside a longer
   aspect, "life" outside "battery life") must reach ``min_pure_support`` (their 3).
3. **Opinion words are attached to the nearest aspect.** Each word of Hu & Liu's
   opinion lexicon in the sentence counts +1 or -1, flipped when a negation
   ("not", "n't", "never", ... see :func:`nlpjourney.sentiment.vader.negated`) is among
   the three words before it, and goes to the aspect nearest to it in the sentence. An
   aspect's polarity is the sign of its sum; with no opinion word of its own it takes the
   sign of the whole sentence's sum (0 when that is 0 too).

**Finding nouns without a trained tagger.** The library has no part-of-speech tagger
yet (topic 2.5 builds one), and a heavy one (spaCy) would be a dependency for one step.
:class:`NounLexicon` decides per word instead: a word seen in the Penn Treebank sample
(100,676 tagged tokens, in the registry) is a noun when at least half of its occurrences
are tagged NN, NNS, NNP or NNPS; a word the Treebank never saw (product vocabulary such
as "lcd", "zoom", "menu") is a noun when WordNet knows its singular form as a noun. Stop
words and a few generic nouns ("something", "a lot", "time": :data:`GENERIC_NOUNS`) are
never taken for nouns. Out of context "use" or "look" count by their majority tag, the
price of having no tagger; frequency (step 2) filters most mistakes out.

:func:`evaluate_aspects` scores the extracted aspects against the annotations of
:mod:`nlpjourney.sentiment.reviews` (precision, recall and F1 of the aspects named in
each sentence, and the accuracy of the polarity given to the correctly found ones).

Reference: Hu & Liu, "Mining and Summarizing Customer Reviews" (KDD 2004); no library
does this, so the tests check the steps on hand-made sentences and the scores on the
real annotations.

Simplifications: no association-rule mining over non-adjacent words (candidates are
contiguous noun runs, which makes their compactness pruning unnecessary); no
"infrequent feature" step (nouns near opinion words in sentences without a frequent
aspect); aspects not named in the sentence (``[u]``, ``[p]``) cannot be found and are
left out of the scores; opinion strength is not predicted, only its sign.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from nlpjourney.data.corpora import stopword_list, treebank_tagged_words
from nlpjourney.sentiment.lexicons import opinion_words
from nlpjourney.sentiment.reviews import ReviewSentence
from nlpjourney.sentiment.vader import negated
from nlpjourney.text.lemmatize import WordNetLemmatizer
from nlpjourney.text.tokenize import treebank_tokenize
from nlpjourney.text.wordnet import default_wordnet

_WORD = re.compile(r"[a-z][a-z0-9\-]*")
_NOUN_TAGS = ("NN", "NNS", "NNP", "NNPS")
#: Nouns that stand for no feature ("a lot", "something", "the time"): frequent in any
#: review, so frequency alone would make them aspects.
GENERIC_NOUNS = frozenset(
    """anyone anybody anything everyone everybody everything someone somebody something
    nothing nobody thing things lot lots bit way ways time times day days year years
    month months week weeks moment kind sort part""".split()
)


class NounLexicon:
    """Whether a lower-case word is a noun, from the Treebank's tags and WordNet.

    Example:
        >>> nouns = NounLexicon()
        >>> [w for w in "the lcd screen is very bright".split() if nouns.is_noun(w)]
        ['lcd', 'screen']
    """

    def __init__(self) -> None:
        tags: dict[str, Counter[str]] = defaultdict(Counter)
        for word, tag in treebank_tagged_words():
            if tag != "-NONE-":
                tags[word.lower()][tag] += 1
        self.treebank_nouns = frozenset(
            w for w, c in tags.items() if 2 * sum(c[t] for t in _NOUN_TAGS) >= c.total()
        )
        self.treebank_words = frozenset(tags)
        self.stop_words = frozenset(stopword_list("english"))
        self._wordnet_nouns = default_wordnet().lemmas("n")
        self._lemmatizer = WordNetLemmatizer()
        self._cache: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"NounLexicon({len(self.treebank_nouns)} Treebank nouns + WordNet)"

    def is_noun(self, word: str) -> bool:
        """Whether ``word`` (lower case) is taken for a noun."""
        known = self._cache.get(word)
        if known is None:
            known = self._cache[word] = self._decide(word)
        return known

    def _decide(self, word: str) -> bool:
        if word in self.stop_words or word in GENERIC_NOUNS or not _WORD.fullmatch(word):
            return False
        if word in self.treebank_words:
            return word in self.treebank_nouns
        return self.lemma(word) in self._wordnet_nouns

    def lemma(self, word: str) -> str:
        """The word's singular form, by WordNet ("batteries" -> "battery")."""
        return self._lemmatizer.lemmatize(word, "n")


@cache
def default_nouns() -> NounLexicon:
    """The one shared :class:`NounLexicon`."""
    return NounLexicon()


def words(text: str) -> list[str]:
    """A sentence's lower-cased Treebank tokens."""
    return [token.lower() for token in treebank_tokenize(text)]


@dataclass(frozen=True)
class AspectMention:
    """An aspect named in a sentence, with the polarity of the opinions attached to it.

    Attributes:
        aspect: the aspect phrase ("picture quality").
        start: its first token's position in the sentence's tokens.
        stop: one past its last token.
        polarity: +1, -1, or 0 when no opinion is found.
    """

    aspect: str
    start: int
    stop: int
    polarity: int


class AspectSentiment:
    """Hu & Liu's aspect-based sentiment for one product's review sentences.

    Args:
        min_support: a candidate named in at least this share of the sentences is an
            aspect (and in at least 2 of them).
        min_pure_support: a single-word aspect must be named on its own (outside a
            longer aspect) in at least this many sentences.
        max_words: the longest aspect phrase, in words.
        opinion_sentences_only: report aspects only in sentences holding an opinion word
            (Hu & Liu's "opinion sentences"); a sentence that only names a feature
            ("i bought it for the zoom") rates nothing.
        nouns: the noun test; None uses :func:`default_nouns`.

    Example:
        >>> reviews = ["the battery life is great ."] * 3 + ["the zoom is not good ."] * 3
        >>> model = AspectSentiment(min_support=0.3).fit(reviews)
        >>> model.aspects_
        ['battery life', 'zoom']
        >>> model.analyze("great zoom , but the battery life is poor .")
        [('zoom', 1), ('battery life', -1)]
    """

    def __init__(
        self,
        min_support: float = 0.01,
        min_pure_support: int = 3,
        max_words: int = 3,
        opinion_sentences_only: bool = True,
        nouns: NounLexicon | None = None,
    ) -> None:
        if not 0 < min_support <= 1:
            raise ValueError(f"min_support is a share of sentences in (0, 1]; got {min_support}")
        if max_words < 1:
            raise ValueError(f"max_words must be at least 1; got {max_words}")
        self.min_support = min_support
        self.min_pure_support = min_pure_support
        self.max_words = max_words
        self.opinion_sentences_only = opinion_sentences_only
        self.nouns = nouns or default_nouns()
        self.positive, self.negative = opinion_words()

    def noun_runs(self, tokens: Sequence[str]) -> list[tuple[int, int]]:
        """The ``(start, stop)`` spans of the maximal runs of consecutive nouns.

        Opinion words ("problem", "noise", "fun") never count as nouns here: they carry
        the opinion, not the feature it is about.
        """
        runs, start = [], None
        for i, token in enumerate([*tokens, ""]):
            noun = (
                bool(token)
                and self.nouns.is_noun(token)
                and token not in self.positive
                and token not in self.negative
            )
            if noun and start is None:
                start = i
            elif not noun and start is not None:
                runs.append((start, i))
                start = None
        return runs

    def phrase(self, tokens: Sequence[str]) -> str:
        """An aspect's name: its words with the last one in the singular ("lcd screen")."""
        return " ".join([*tokens[:-1], self.nouns.lemma(tokens[-1])])

    def candidates(self, tokens: Sequence[str]) -> set[str]:
        """Every contiguous noun phrase of up to ``max_words`` words in the sentence.

        Phrases are named by :meth:`phrase`, so "pictures" and "picture" count as one.
        """
        found = set()
        for start, stop in self.noun_runs(tokens):
            for i in range(start, stop):
                for j in range(i + 1, min(stop, i + self.max_words) + 1):
                    found.add(self.phrase(tokens[i:j]))
        return found

    def fit(self, texts: Iterable[str]) -> AspectSentiment:
        """Learn the aspects (``aspects_``) of one product from its review sentences."""
        sentences = [words(text) for text in texts]
        if not sentences:
            raise ValueError("fit needs at least one sentence")
        support: Counter[str] = Counter()
        for tokens in sentences:
            support.update(self.candidates(tokens))
        least = max(2.0, self.min_support * len(sentences))
        frequent = {phrase for phrase, count in support.items() if count >= least}
        # Pure support: how often a single word is an aspect by itself, matched as the
        # extractor will match it (longest aspect first).
        self._aspects = frozenset(frequent)
        pure: Counter[str] = Counter()
        for tokens in sentences:
            pure.update({phrase for phrase, _, _ in self._match(tokens) if " " not in phrase})
        kept = {p for p in frequent if " " in p or pure[p] >= self.min_pure_support}
        self._aspects = frozenset(kept)
        self.aspects_ = sorted(kept)
        self.support_ = {phrase: support[phrase] for phrase in self.aspects_}
        return self

    def _match(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """Aspects named in ``tokens``: in each noun run, the longest aspect first, left to right."""
        found = []
        for start, stop in self.noun_runs(tokens):
            i = start
            while i < stop:
                for j in range(min(stop, i + self.max_words), i, -1):
                    phrase = self.phrase(tokens[i:j])
                    if phrase in self._aspects:
                        found.append((phrase, i, j))
                        i = j
                        break
                else:
                    i += 1
        return found

    def opinions(self, tokens: Sequence[str]) -> list[tuple[int, int]]:
        """``(position, ±1)`` of each opinion word, negated by a negation up to 3 words before."""
        found = []
        for i, token in enumerate(tokens):
            sign = 1 if token in self.positive else -1 if token in self.negative else 0
            if sign:
                found.append((i, -sign if negated(tokens[max(0, i - 3) : i]) else sign))
        return found

    def mentions(self, text: str) -> list[AspectMention]:
        """The aspects named in ``text`` with their polarity (call :meth:`fit` first)."""
        if not hasattr(self, "aspects_"):
            raise RuntimeError("this AspectSentiment is not fitted yet: call fit(texts) first")
        tokens = words(text)
        matches = self._match(tokens)
        inside = {i for _, start, stop in matches for i in range(start, stop)}
        opinions = [(i, sign) for i, sign in self.opinions(tokens) if i not in inside]
        if not matches or (self.opinion_sentences_only and not opinions):
            return []
        sums = [0] * len(matches)
        for position, sign in opinions:
            # Distance from the opinion word to each aspect's span; ties go to the first.
            distances = [max(start - position, position - stop + 1) for _, start, stop in matches]
            sums[distances.index(min(distances))] += sign
        overall = _sign(sum(sign for _, sign in opinions))
        return [
            AspectMention(phrase, start, stop, _sign(total) or overall)
            for (phrase, start, stop), total in zip(matches, sums, strict=True)
        ]

    def analyze(self, text: str) -> list[tuple[str, int]]:
        """``(aspect, polarity)`` for each aspect named in ``text``, in sentence order."""
        return [(m.aspect, m.polarity) for m in self.mentions(text)]


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


@dataclass(frozen=True)
class AspectScores:
    """How well the extracted aspects and their polarities match the annotations.

    Attributes:
        precision: share of the extracted (sentence, aspect) pairs that are annotated.
        recall: share of the annotated (sentence, named aspect) pairs that are extracted.
        f1: the harmonic mean of precision and recall.
        polarity_accuracy: share of the correctly extracted aspects given the annotated
            polarity (a polarity of 0 counts as wrong).
        annotated: annotated (sentence, named aspect) pairs.
        extracted: extracted pairs.
        matched: pairs in both.
        list_precision: share of the aspects mined per product (the aspect list, Hu &
            Liu's measure) that are annotated somewhere in that product's sentences.
        list_recall: share of each product's distinct annotated named aspects that the
            mined list holds.
    """

    precision: float
    recall: float
    f1: float
    polarity_accuracy: float
    annotated: int
    extracted: int
    matched: int
    list_precision: float
    list_recall: float


def evaluate_aspects(
    sentences: Sequence[ReviewSentence],
    min_support: float = 0.01,
    min_pure_support: int = 3,
    max_words: int = 3,
) -> AspectScores:
    """Fit :class:`AspectSentiment` on each product's sentences and score it on them.

    As Hu & Liu did, aspects are mined from each product's own (unlabelled) sentences,
    then compared with the hand annotations. An extracted aspect matches an annotated
    one of the same sentence when both read the same after lower-casing and putting
    their last word in the singular ("batteries" = "battery"). Only the annotated aspects
    named in the sentence count (not those marked ``[u]`` or ``[p]``).

    Args:
        sentences: review sentences, e.g. :func:`nlpjourney.sentiment.reviews.product_reviews`.
        min_support, min_pure_support, max_words: as in :class:`AspectSentiment`.

    Returns:
        The scores, summed over all products (micro-averaged).
    """
    if not sentences:
        raise ValueError("evaluate_aspects needs at least one review sentence")
    nouns = default_nouns()
    by_product: dict[str, list[ReviewSentence]] = defaultdict(list)
    for sentence in sentences:
        by_product[sentence.product].append(sentence)
    annotated = extracted = matched = agreed = 0
    listed = list_annotated = list_matched = 0
    for rows in by_product.values():
        model = AspectSentiment(min_support, min_pure_support, max_words, nouns=nouns)
        model.fit(row.text for row in rows)
        mined = {_key(aspect, nouns) for aspect in model.aspects_}
        named = {_key(a.aspect, nouns) for row in rows for a in row.aspects if a.explicit}
        listed, list_annotated = listed + len(mined), list_annotated + len(named)
        list_matched += len(mined & named)
        for row in rows:
            gold: dict[str, int] = {}
            for label in row.aspects:
                if label.explicit:
                    gold.setdefault(_key(label.aspect, nouns), label.polarity)
            guessed = {}
            for aspect, polarity in model.analyze(row.text):
                guessed.setdefault(_key(aspect, nouns), polarity)
            annotated += len(gold)
            extracted += len(guessed)
            both = gold.keys() & guessed.keys()
            matched += len(both)
            agreed += sum(gold[k] == guessed[k] for k in both)
    precision = matched / extracted if extracted else 0.0
    recall = matched / annotated if annotated else 0.0
    f1 = 2 * precision * recall / (precision + recall) if matched else 0.0
    return AspectScores(
        precision=precision,
        recall=recall,
        f1=f1,
        polarity_accuracy=agreed / matched if matched else 0.0,
        annotated=annotated,
        extracted=extracted,
        matched=matched,
        list_precision=list_matched / listed if listed else 0.0,
        list_recall=list_matched / list_annotated if list_annotated else 0.0,
    )


def _key(aspect: str, nouns: NounLexicon) -> str:
    parts = aspect.lower().split()
    if not parts:
        return ""
    return " ".join([*parts[:-1], nouns.lemma(parts[-1])])
