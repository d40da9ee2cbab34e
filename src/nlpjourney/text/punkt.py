"""Kiss and Strunk's Punkt sentence splitter, learned from raw text.

Punkt (Kiss and Strunk, 2006) is unsupervised: it reads running text and decides which
period-final words are abbreviations ("mr.", "u.s."), which word pairs around a period
belong together ("j. r." initials, "no. 5"), which words often start sentences, and in
which letter case each word is seen at the start or inside of sentences. A period then
ends a sentence unless those statistics say otherwise.
:func:`train_sentence_splitter` learns a :class:`SentenceSplitter` from texts;
:func:`sentence_split` uses one trained once (per process) on the State of the Union and
inaugural addresses.

Reference: NLTK's ``nltk.tokenize.punkt.PunktTrainer`` and ``PunktSentenceTokenizer``
trained on the same text as ours: the same abbreviations, collocations, sentence starters
and case contexts, and the same sentences on held-out text.

Simplifications:
    - No incremental training and no frequency thresholding (``freq_threshold``).
    - Only the English language variables (sentence-end characters ``.?!``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

# subtle: the ``regex`` engine, as NLTK uses, not ``re``. Their classes differ: to ``re``
# the separators U+001C..U+001F are spaces and a combining accent is no word character.
import regex as re

from nlpjourney.errors import check_str

__all__ = [
    "NUMBER_SIGNS",
    "SentenceSplitter",
    "default_sentence_splitter",
    "sentence_split",
    "train_sentence_splitter",
    "training_texts",
]

# Letter-case contexts a word type is seen in, as bit flags: at a sentence start, inside a
# sentence, or at a position we cannot tell (after an abbreviation, at a line start).
_START_UPPER, _INSIDE_UPPER, _UNKNOWN_UPPER = 1 << 1, 1 << 2, 1 << 3
_START_LOWER, _INSIDE_LOWER, _UNKNOWN_LOWER = 1 << 4, 1 << 5, 1 << 6
_ANY_UPPER = _START_UPPER | _INSIDE_UPPER | _UNKNOWN_UPPER
_ANY_LOWER = _START_LOWER | _INSIDE_LOWER | _UNKNOWN_LOWER
_CASE_FLAG = {
    ("start", "upper"): _START_UPPER,
    ("inside", "upper"): _INSIDE_UPPER,
    ("unknown", "upper"): _UNKNOWN_UPPER,
    ("start", "lower"): _START_LOWER,
    ("inside", "lower"): _INSIDE_LOWER,
    ("unknown", "lower"): _UNKNOWN_LOWER,
}

# Thresholds from Kiss and Strunk (2006), as NLTK sets them.
_ABBREV_SCORE = 0.3  # least scaled log-likelihood of an abbreviation
_RARE_ABBREV_COUNT = 5  # a word seen fewer times may be a "rare" abbreviation
_COLLOCATION_SCORE = 7.88  # least log-likelihood of a collocation (chi-square, p < 0.005)
_STARTER_SCORE = 30.0  # least log-likelihood of a frequent sentence starter

_NUMBER = "##number##"
NUMBER_SIGNS = frozenset({"no", "nos", "vol", "vols", "p", "pp", "fig", "figs", "art", "ch", "sec"})
_NUMERIC = re.compile(r"^-?[.,]?\d[\d,.-]*\.?$")
_INITIAL = re.compile(r"[^\W\d]\.$")
_ALPHABETIC = re.compile(r"[^\W\d]+$")
_HAS_LETTER = re.compile(r"[^\W\d]")
_ELLIPSIS = re.compile(r"\.\.+$")

# Punkt's own word splitter: it splits off punctuation except periods, keeps "--" and
# "..." (or ". . .") whole, and a comma only at a word's end.
_NOT_IN_WORD = r"""(?:[)";}\]*:@'({\[‘’“”«»?!])"""
_MULTI_PUNCT = r"(?:-{2,}|\.{2,}|(?:\.\s){2,}\.)"
_PUNKT_WORD = re.compile(
    rf"""(
        {_MULTI_PUNCT}
        | (?=[^("`{{\[:;&\#*@)}}\]\-,])\S+?
          (?=\s|$|{_NOT_IN_WORD}|{_MULTI_PUNCT}|,(?=$|\s|{_NOT_IN_WORD}|{_MULTI_PUNCT}))
        | \S
    )""",
    re.VERBOSE,
)
# A candidate sentence end: . ? or ! followed by punctuation, or by spaces and a token.
_END_CANDIDATE = re.compile(rf"[.?!](?=(?P<after>{_NOT_IN_WORD}|\s+(?P<next>\S+)))")
# Closing punctuation after a sentence end that belongs to the sentence before it.
_CLOSERS = re.compile(r"""["')\]}‘’“”«»]+?(?:\s+|(?=--)|$)""", re.MULTILINE)


@dataclass(slots=True)
class _Token:
    """A word with what Punkt knows about it."""

    text: str
    para_start: bool = False
    line_start: bool = False
    sentbreak: bool = False
    abbr: bool = False
    ellipsis: bool = False
    type: str = field(init=False)

    def __post_init__(self) -> None:
        # The type: lower case, with any number written as one symbol.
        self.type = _NUMERIC.sub(_NUMBER, self.text.lower())

    @property
    def period_final(self) -> bool:
        return self.text.endswith(".")

    @property
    def type_no_period(self) -> str:
        return self.type[:-1] if len(self.type) > 1 and self.type.endswith(".") else self.type

    @property
    def type_no_sentperiod(self) -> str:
        """The type without its final period when that period ends a sentence."""
        return self.type_no_period if self.sentbreak else self.type

    @property
    def case(self) -> str:
        first = self.text[0]
        return "lower" if first.islower() else "upper" if first.isupper() else "none"

    @property
    def is_initial(self) -> bool:
        return _INITIAL.match(self.text) is not None

    @property
    def is_number(self) -> bool:
        return self.type.startswith(_NUMBER)


def _punkt_words(text: str) -> Iterator[_Token]:
    """Punkt's tokens, each marked when it starts a line or (after a blank line) a paragraph."""
    para_start = False
    for line in text.split("\n"):
        if not line.strip():
            para_start = True
            continue
        words = _PUNKT_WORD.findall(line)
        if not words:
            continue
        yield _Token(words[0], para_start=para_start, line_start=True)
        para_start = False
        yield from (_Token(word) for word in words[1:])


def _pairs(tokens: Iterable[_Token]) -> Iterator[tuple[_Token, _Token | None]]:
    """Each token with the one after it (None after the last)."""
    tokens = iter(tokens)
    previous = next(tokens, None)
    if previous is None:
        return
    for token in tokens:
        yield previous, token
        previous = token
    yield previous, None


def _dunning_abbrev(count_a: int, count_b: int, count_ab: int, n: int) -> float:
    """Kiss and Strunk's modified log-likelihood that word ``a`` and a period go together.

    Compares ``P(period | a) = P(period)`` (independence) with ``P(period | a) = 0.99``.
    """
    p_null = count_b / n
    null = count_ab * math.log(p_null + 1e-8) + (count_a - count_ab) * math.log(1 - p_null + 1e-8)
    # subtle: 1 - 0.99 is not the float 0.01; keep the subtraction so scores match NLTK's.
    alternative = count_ab * math.log(0.99) + (count_a - count_ab) * math.log(1.0 - 0.99)
    return -2.0 * (null - alternative)


def _xlogy_sum(k: float, n_minus_k: float, p: float) -> float:
    """``k log p + (n - k) log(1 - p)``, the binomial log-likelihood (without the binomial)."""
    return k * math.log(p) + n_minus_k * math.log(1 - p)


def _dunning_collocation(count_a: int, count_b: int, count_ab: int, n: int) -> float:
    """Dunning's (1993) log-likelihood ratio that ``b`` follows ``a`` more often than chance."""
    p = count_b / n
    p1 = count_ab / count_a
    p2 = (count_b - count_ab) / (n - count_a) if n != count_a else 1.0
    rest = n - count_a - count_b + count_ab
    # subtle: a log of 0 (p of 0 or 1) makes that summand 0, as in NLTK's version.
    try:
        null1 = _xlogy_sum(count_ab, count_a - count_ab, p)
    except ValueError:
        null1 = 0.0
    try:
        null2 = _xlogy_sum(count_b - count_ab, rest, p)
    except ValueError:
        null2 = 0.0
    alt1 = (
        0.0
        if count_a == count_ab or not 0 < p1 < 1
        else _xlogy_sum(count_ab, count_a - count_ab, p1)
    )
    alt2 = (
        0.0 if count_b == count_ab or not 0 < p2 < 1 else _xlogy_sum(count_b - count_ab, rest, p2)
    )
    return -2.0 * (null1 + null2 - alt1 - alt2)


@dataclass
class SentenceSplitter:
    """A trained Punkt model, and the splitting that uses it.

    Attributes:
        abbreviations: period-final word types (lower case, period removed) that are
            abbreviations, e.g. ``"mr"``, ``"u.s"``.
        collocations: ``(word, next word)`` type pairs whose period is not a sentence end,
            e.g. ``("j", "r")`` for initials.
        sentence_starters: types that often start a sentence (``"however"``).
        case_contexts: type -> bit flags of the letter-case contexts it was seen in.
        number_signs: our addition to Punkt: types that, with a period and before a
            number, are never a sentence end ("No. 5", "vol. 2", "p. 14"). Punkt cannot
            learn "no" as an abbreviation, since "no" is common without a period. Empty it
            for plain Punkt (as NLTK has it).
    """

    abbreviations: set[str] = field(default_factory=set)
    collocations: set[tuple[str, str]] = field(default_factory=set)
    sentence_starters: set[str] = field(default_factory=set)
    case_contexts: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    number_signs: frozenset[str] = NUMBER_SIGNS

    def split(self, text: str) -> list[str]:
        """The sentences of ``text``, each a stripped slice of it (see :func:`sentence_split`)."""
        check_str(text)
        return [text[start:stop] for start, stop in self.spans(text)]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, stop)`` offsets of the sentences in ``text``."""
        rough = []
        start = 0
        for match, context in self._candidates(text):
            if self._context_breaks(context):
                rough.append((start, match.end()))
                start = match.start("next") if match.group("next") else match.end()
        rough.append((start, len(text.rstrip())))
        return self._attach_closers(text, rough)

    # -- finding candidates

    def _candidates(self, text: str) -> Iterator[tuple[re.Match[str], str]]:
        """Each candidate end with its context: the word it ends, the mark, what follows.

        When several marks end the same word ("acting!!!"), only the last is a candidate.
        """
        held: tuple[re.Match[str], int, int] | None = None  # match, word start, word stop
        for match in _END_CANDIDATE.finditer(text):
            if held is None:
                word_start = _last_space_after(text, 0, match.start(), fallback=0)
            else:
                word_start = _last_space_after(text, held[2], match.start(), fallback=held[1])
                if held[2] <= word_start:
                    yield held[0], _context(text, *held)
            held = (match, word_start, match.start())
        if held is not None:
            yield held[0], _context(text, *held)

    def _context_breaks(self, context: str) -> bool:
        """Whether Punkt puts a sentence end anywhere before the context's last token."""
        tokens = list(_punkt_words(context))
        self._mark_by_type(tokens)
        for token, following in _pairs(tokens):
            if following is None:
                return False
            self._mark_by_context(token, following)
            if token.sentbreak:
                return True
        return False

    @staticmethod
    def _attach_closers(text: str, rough: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Move closing quotes and brackets after a sentence end into that sentence."""
        spans, shift = [], 0
        for i, (start, stop) in enumerate(rough):
            start += shift
            if i + 1 == len(rough):
                if stop > start:
                    spans.append((start, stop))
                continue
            next_start, next_stop = rough[i + 1]
            closers = _CLOSERS.match(text[next_start:next_stop])
            if closers:
                spans.append((start, next_start + len(closers.group().rstrip())))
                shift = closers.end()
            else:
                shift = 0
                if stop > start:
                    spans.append((start, stop))
        return spans

    # -- annotation

    def _mark_by_type(self, tokens: Iterable[_Token]) -> None:
        """First pass: every . ? ! or period-final non-abbreviation ends a sentence."""
        for token in tokens:
            text = token.text
            if text in (".", "?", "!"):
                token.sentbreak = True
            elif _ELLIPSIS.match(text):
                token.ellipsis = True
            elif token.period_final and not text.endswith(".."):
                word = text[:-1].lower()
                # "anti-U.S." counts as an abbreviation when its last part does.
                if word in self.abbreviations or word.split("-")[-1] in self.abbreviations:
                    token.abbr = True
                else:
                    token.sentbreak = True

    def _mark_by_context(self, token: _Token, following: _Token) -> None:
        """Second pass: revise one period-final token's marks from the word after it."""
        if not token.period_final:
            return
        word, next_word = token.type_no_period, following.type_no_sentperiod
        initial = token.is_initial
        if word in self.number_signs and following.is_number:
            token.sentbreak, token.abbr = False, True
            return
        if (word, next_word) in self.collocations:
            token.sentbreak, token.abbr = False, True
            return
        if (token.abbr or token.ellipsis) and not initial:
            starts = self._starts_sentence(following)
            if starts is True:
                token.sentbreak = True
                return
            if following.case == "upper" and next_word in self.sentence_starters:
                token.sentbreak = True
                return
        if initial or word == _NUMBER:
            starts = self._starts_sentence(following)
            if starts is False:
                token.sentbreak, token.abbr = False, True
            elif (
                starts is None
                and initial
                and following.case == "upper"
                and not self.case_contexts[next_word] & _ANY_LOWER
            ):
                # An initial before a word never seen in lower case: "J. Bach".
                token.sentbreak, token.abbr = False, True

    def _starts_sentence(self, token: _Token) -> bool | None:
        """The orthographic evidence: True, False, or None when the case says nothing."""
        if token.text in (";", ":", ",", ".", "!", "?"):
            return False
        seen = self.case_contexts[token.type_no_sentperiod]
        case = token.case
        if case == "upper" and seen & _ANY_LOWER and not seen & _INSIDE_UPPER:
            return True
        if case == "lower" and (seen & _ANY_UPPER or not seen & _START_LOWER):
            return False
        return None


def _last_space_after(text: str, lo: int, hi: int, fallback: int) -> int:
    """One past the last whitespace in ``text[lo:hi]``, or ``fallback`` if there is none.

    subtle: whitespace at ``lo`` itself counts as none, as in NLTK's version.
    """
    for i in range(hi - 1, lo, -1):
        if text[i] in " \t\n\r\x0b\x0c":
            return i + 1
    return fallback


def _context(text: str, match: re.Match[str], word_start: int, word_stop: int) -> str:
    return text[word_start:word_stop] + match.group() + match.group("after")


class _Trainer:
    """Collects Punkt's statistics from text and turns them into a :class:`SentenceSplitter`."""

    def __init__(self) -> None:
        self.model = SentenceSplitter()
        self.type_counts: Counter[str] = Counter()
        self.tokens = 0  # type_counts.total(), kept as it grows (total() sums every count)
        self.period_tokens = 0
        self.pair_counts: Counter[tuple[str, str]] = Counter()
        self.starter_counts: Counter[str] = Counter()
        self.sentbreaks = 0

    def add(self, text: str) -> None:
        tokens = list(_punkt_words(text))
        self.tokens += len(tokens)
        for token in tokens:
            self.type_counts[token.type] += 1
            self.period_tokens += token.period_final
        self._update_abbreviations({token.type for token in tokens})
        self.model._mark_by_type(tokens)
        self._record_case_contexts(tokens)
        self.sentbreaks += sum(token.sentbreak for token in tokens)
        for token, following in _pairs(tokens):
            if following is None or not token.period_final:
                continue
            if self._is_rare_abbreviation(token, following):
                self.model.abbreviations.add(token.type_no_period)
            if token.sentbreak and not (token.is_number or token.is_initial):
                if _ALPHABETIC.match(following.text):
                    self.starter_counts[following.type] += 1
            if (
                token.sentbreak
                and (token.is_number or token.is_initial)
                and _HAS_LETTER.search(token.type)
                and _HAS_LETTER.search(following.type)
            ):
                self.pair_counts[(token.type_no_period, following.type_no_sentperiod)] += 1

    def _abbreviation_score(self, word: str) -> float:
        """Kiss and Strunk's scaled log-likelihood that ``word`` + "." is an abbreviation."""
        periods = word.count(".") + 1
        letters = len(word) - periods + 1
        with_period, without = self.type_counts[word + "."], self.type_counts[word]
        score = _dunning_abbrev(with_period + without, self.period_tokens, with_period, self.tokens)
        # Long words are rarely abbreviations, inner periods ("u.s") make one likelier, and
        # every time the word is seen without a period counts against it.
        return score * math.exp(-letters) * periods * math.pow(letters, -without)

    def _update_abbreviations(self, types: Iterable[str]) -> None:
        for typ in types:
            if not _HAS_LETTER.search(typ) or typ == _NUMBER:
                continue
            if typ.endswith("."):
                if typ in self.model.abbreviations:
                    continue
                if self._abbreviation_score(typ[:-1]) >= _ABBREV_SCORE:
                    self.model.abbreviations.add(typ[:-1])
            elif typ in self.model.abbreviations:
                if self._abbreviation_score(typ) < _ABBREV_SCORE:
                    self.model.abbreviations.remove(typ)

    def _record_case_contexts(self, tokens: list[_Token]) -> None:
        where = "inside"
        for token in tokens:
            if token.para_start and where != "unknown":
                where = "start"
            if token.line_start and where == "inside":
                where = "unknown"
            flag = _CASE_FLAG.get((where, token.case), 0)
            if flag:
                self.model.case_contexts[token.type_no_sentperiod] |= flag
            if token.sentbreak:
                where = "unknown" if token.is_number or token.is_initial else "start"
            elif token.ellipsis or token.abbr:
                where = "unknown"
            else:
                where = "inside"

    def _is_rare_abbreviation(self, token: _Token, following: _Token) -> bool:
        """Mikheev's test for a rare word that still behaves like an abbreviation."""
        if token.abbr or not token.sentbreak:
            return False
        typ = token.type_no_sentperiod
        # subtle: NLTK adds the count of the type minus its last letter, not minus a period.
        count = self.type_counts[typ] + self.type_counts[typ[:-1]]
        if typ in self.model.abbreviations or count >= _RARE_ABBREV_COUNT:
            return False
        if following.text[:1] in ",:;":
            return True
        if following.case == "lower":
            seen = self.model.case_contexts[following.type_no_sentperiod]
            return bool(seen & _START_UPPER) and not seen & _INSIDE_UPPER
        return False

    def finish(self) -> SentenceSplitter:
        n = self.tokens
        model = self.model
        model.sentence_starters = set()
        for typ, at_break in self.starter_counts.items():
            count = self.type_counts[typ] + self.type_counts[typ + "."]
            if count < at_break:
                continue
            score = _dunning_collocation(self.sentbreaks, count, at_break, n)
            if score >= _STARTER_SCORE and n / self.sentbreaks > count / at_break:
                model.sentence_starters.add(typ)
        model.collocations = set()
        for (first, second), together in self.pair_counts.items():
            if second in model.sentence_starters:
                continue
            count1 = self.type_counts[first] + self.type_counts[first + "."]
            count2 = self.type_counts[second] + self.type_counts[second + "."]
            if count1 > 1 and count2 > 1 and 1 < together <= min(count1, count2):
                score = _dunning_collocation(count1, count2, together, n)
                if score >= _COLLOCATION_SCORE and n / count1 > count2 / together:
                    model.collocations.add((first, second))
        return model


def train_sentence_splitter(
    texts: str | Iterable[str], number_signs: Iterable[str] = NUMBER_SIGNS
) -> SentenceSplitter:
    """Learn a Punkt model (abbreviations, collocations, sentence starters) from raw text.

    Args:
        texts: one text or several; each is read in turn, and what earlier ones taught
            (abbreviations found so far) shapes how later ones are read, as in NLTK's
            ``PunktTrainer.train(text, finalize=False)`` called once per text.
        number_signs: words that before a number never end a sentence ("No. 5"); pass
            ``()`` for exactly NLTK's Punkt.

    Returns:
        The trained :class:`SentenceSplitter`.
    """
    if isinstance(texts, str):
        texts = [texts]
    trainer = _Trainer()
    seen = 0
    for text in texts:
        trainer.add(check_str(text, "each training text"))
        seen += 1
    if seen == 0 or trainer.sentbreaks == 0:
        raise ValueError(
            "the training texts hold no sentence ends; give Punkt some running text "
            "with periods, e.g. corpora.read_members('state_union')"
        )
    model = trainer.finish()
    model.number_signs = frozenset(word.lower().rstrip(".") for word in number_signs)
    return model


def training_texts() -> list[str]:
    """The default training text: the State of the Union and inaugural addresses."""
    from nlpjourney.data import corpora

    return list(corpora.read_members("state_union", "state_union/", "iso-8859-2").values()) + list(
        corpora.read_members("inaugural", "inaugural/", "latin-1").values()
    )


@lru_cache(maxsize=1)
def default_sentence_splitter() -> SentenceSplitter:
    """A splitter trained (once per process, a few seconds) on :func:`training_texts`."""
    return train_sentence_splitter(training_texts())


def sentence_split(text: str, splitter: SentenceSplitter | None = None) -> list[str]:
    """The sentences of ``text``, Punkt-style.

    A sentence ends at ``?``, ``!``, or a period that the model does not take for an
    abbreviation ("Mr.", "U.S."), an initial before a name ("J. R. R. Tolkien"), or a number
    before a lower-case word; closing quotes and brackets after the end stay with it. The
    sentences are slices of ``text`` with the whitespace between them dropped.

    Args:
        text: the text.
        splitter: a trained model; by default :func:`default_sentence_splitter`.

    Example: ``sentence_split("Mr. Smith went to Washington. He saw No. 5.")`` ->
    ``['Mr. Smith went to Washington.', 'He saw No. 5.']``.
    """
    check_str(text)
    if splitter is None:
        splitter = default_sentence_splitter()
    elif not isinstance(splitter, SentenceSplitter):
        raise TypeError(
            f"splitter must be a SentenceSplitter (from train_sentence_splitter), "
            f"got {type(splitter).__name__}"
        )
    return splitter.split(text)
