"""Named entities: tagging schemes and a rule-and-gazetteer baseline.

An entity tagger labels each token with a prefix that says where it sits in an entity
and a type (``B-PER``). Datasets disagree on the prefixes:

- **IOB1** (CoNLL-2003 as first published): ``I-X`` everywhere inside, ``B-X`` only on
  the first token of an entity that directly follows another entity of the same type;
- **IOB2**: ``B-X`` on every entity's first token, ``I-X`` after it;
- **IOE2**: ``E-X`` on every entity's last token, ``I-X`` before it;
- **BIOES** (also called IOBES): ``S-X`` for one-token entities, ``B-X ... I-X ... E-X``
  for longer ones; **BILOU** is the same with ``U`` and ``L`` for ``S`` and ``E``.

:func:`convert_scheme` reads the entities out of one scheme (conlleval's chunking, so a
stray ``I-X`` after ``O`` still opens an entity) and writes them in another.

The baseline before any learning: :class:`GazetteerMatcher` tags the phrases of a list
of known names (a gazetteer, e.g. built from training data by :func:`gazetteer_from`),
:class:`RuleMatcher` tags what token-shape rules find (capitalised runs, a name after
"Mr."). Both match the longest phrase first and produce IOB2 tags.

Reference: seqeval's entity chunking (``seqeval.metrics.sequence_labeling.get_entities``)
and its scheme classes, used in ``tests/tagging/test_ner.py``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nlpjourney.evaluate.sequence import entities

__all__ = [
    "GazetteerMatcher",
    "Rule",
    "RuleMatcher",
    "convert_scheme",
    "gazetteer_from",
    "spans_to_tags",
]

_PREFIXES = {"IOB1": "IOB", "IOB2": "IOB", "IOE2": "IOE", "BIOES": "BIOES", "BILOU": "BILOU"}
_ALIASES = {"IOBES": "BIOES", "BIO": "IOB2"}


def _scheme_name(scheme: str, role: str) -> str:
    name = _ALIASES.get(scheme.upper(), scheme.upper()) if isinstance(scheme, str) else scheme
    if name not in _PREFIXES:
        raise ValueError(f"{role} scheme must be one of {sorted(_PREFIXES)}, got {scheme!r}")
    return name


def spans_to_tags(n: int, spans: Iterable[tuple[str, int, int]], scheme: str = "IOB2") -> list[str]:
    """Tags for ``n`` tokens marking the given ``(type, start, end)`` spans (end exclusive).

    Args:
        n: the number of tokens.
        spans: non-overlapping entity spans.
        scheme: the scheme to write: ``"IOB1"``, ``"IOB2"``, ``"IOE2"``, ``"BIOES"`` or ``"BILOU"``.

    Returns:
        One tag per token.

    Example:
        >>> spans_to_tags(4, [("PER", 0, 2), ("LOC", 3, 4)], "BIOES")
        ['B-PER', 'E-PER', 'O', 'S-LOC']
    """
    scheme = _scheme_name(scheme, "target")
    tags = ["O"] * n
    last_end, last_kind = -1, ""
    for kind, start, end in sorted(spans, key=lambda span: span[1]):
        if not 0 <= start < end <= n or any(tag != "O" for tag in tags[start:end]):
            raise ValueError(
                f"span ({kind!r}, {start}, {end}) is empty, out of 0..{n} or overlaps another"
            )
        inside = "I"
        first = "B"
        if scheme == "IOB1":
            # IOB1 marks a beginning only where two same-type entities touch.
            first = "B" if (start == last_end and kind == last_kind) else "I"
        tags[start:end] = [f"{inside}-{kind}"] * (end - start)
        if scheme in ("IOB1", "IOB2", "BIOES", "BILOU"):
            tags[start] = f"{first}-{kind}"
        if scheme in ("IOE2", "BIOES", "BILOU"):
            tags[end - 1] = f"{'L' if scheme == 'BILOU' else 'E'}-{kind}"
        if end - start == 1 and scheme in ("BIOES", "BILOU"):
            tags[start] = f"{'U' if scheme == 'BILOU' else 'S'}-{kind}"
        last_end, last_kind = end, kind
    return tags


def convert_scheme(tags: Sequence[str], source: str, target: str) -> list[str]:
    """The same entities written in another tagging scheme.

    Args:
        tags: one sentence's tags in the ``source`` scheme.
        source: ``"IOB1"``, ``"IOB2"``, ``"IOE2"``, ``"BIOES"`` (or ``"IOBES"``) or ``"BILOU"``.
        target: the scheme to write, from the same list.

    Returns:
        One tag per token in ``target``.

    Raises:
        ValueError: for an unknown scheme or a tag whose prefix the source scheme does
            not use (e.g. ``S-PER`` in IOB2).

    Example:
        >>> convert_scheme(["I-PER", "I-PER", "B-PER", "O", "I-LOC"], "IOB1", "IOB2")
        ['B-PER', 'I-PER', 'B-PER', 'O', 'B-LOC']
        >>> convert_scheme(["B-PER", "I-PER", "O", "B-LOC"], "IOB2", "BIOES")
        ['B-PER', 'E-PER', 'O', 'S-LOC']
    """
    source, target = _scheme_name(source, "source"), _scheme_name(target, "target")
    allowed = _PREFIXES[source] + "O"
    for tag in tags:
        if not tag or tag[0] not in allowed or (tag != "O" and tag[1:2] != "-"):
            raise ValueError(
                f"tag {tag!r} is not a {source} tag (prefixes {', '.join(allowed)}, then '-TYPE'); "
                "check the source scheme"
            )
    if source == "BILOU":
        # conlleval's chunking knows S and E, not U and L: read BILOU as BIOES.
        tags = [{"U": "S", "L": "E"}.get(tag[0], tag[0]) + tag[1:] for tag in tags]
    return spans_to_tags(len(tags), entities(list(tags)), target)


# -- matchers ---------------------------------------------------------------------------
def _check_tokens(sentences: Sequence[Sequence[str]]) -> list[list[str]]:
    if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a list of token lists (e.g. [text.split()])")
    return [list(s) for s in sentences]


class GazetteerMatcher:
    """Tags the phrases of a gazetteer (a list of known names), longest match first.

    Args:
        gazetteer: either ``{phrase: type}`` or ``{type: [phrases]}``; a phrase is its
            tokens joined by single spaces ("New York").
        case_sensitive: match the case exactly (the default: "Bush" the name is not
            "bush" the plant); False compares lower-cased tokens.

    Example:
        >>> matcher = GazetteerMatcher({"LOC": ["New York", "York"], "PER": ["Smith"]})
        >>> matcher.predict([["Smith", "left", "New", "York"]])
        [['B-PER', 'O', 'B-LOC', 'I-LOC']]
    """

    def __init__(
        self,
        gazetteer: Mapping[str, str] | Mapping[str, Iterable[str]],
        case_sensitive: bool = True,
    ) -> None:
        if not isinstance(gazetteer, Mapping) or not gazetteer:
            raise ValueError(
                "gazetteer must be a non-empty {phrase: type} or {type: [phrases]} mapping"
            )
        self.case_sensitive = case_sensitive
        pairs: list[tuple[str, str]] = []
        for key, value in gazetteer.items():
            if isinstance(value, str):
                pairs.append((key, value))
            else:
                pairs += [(phrase, key) for phrase in value]
        self.phrases_: dict[tuple[str, ...], str] = {}
        for phrase, kind in pairs:
            tokens = tuple(self._norm(token) for token in phrase.split())
            if not tokens or not kind:
                raise ValueError(
                    f"gazetteer entry {phrase!r} -> {kind!r} needs a phrase and a type"
                )
            self.phrases_.setdefault(tokens, kind)  # the first listing of a phrase wins
        self.longest_ = max(len(tokens) for tokens in self.phrases_)

    def _norm(self, token: str) -> str:
        return token if self.case_sensitive else token.lower()

    def spans(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """The ``(type, start, end)`` matches in one sentence, left to right, longest first."""
        words = [self._norm(token) for token in tokens]
        found, i = [], 0
        while i < len(words):
            for n in range(min(self.longest_, len(words) - i), 0, -1):
                kind = self.phrases_.get(tuple(words[i : i + n]))
                if kind is not None:
                    found.append((kind, i, i + n))
                    i += n
                    break
            else:
                i += 1
        return found

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """IOB2 tags for each sentence."""
        return [
            spans_to_tags(len(tokens), self.spans(tokens)) for tokens in _check_tokens(sentences)
        ]


def gazetteer_from(
    sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], min_count: int = 1
) -> dict[str, str]:
    """A ``{phrase: type}`` gazetteer of every entity tagged in training data.

    Each phrase gets the type it carries most often (ties: the alphabetically first).

    Args:
        sentences: tokenised sentences.
        tags: their entity tags in any IOB-style scheme (read by conlleval's chunking).
        min_count: keep phrases tagged at least this many times.

    Example:
        >>> gazetteer_from([["Jane", "Smith", "visited", "Paris"]], [["B-PER", "I-PER", "O", "B-LOC"]])
        {'Jane Smith': 'PER', 'Paris': 'LOC'}
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for tokens, labels in zip(_check_tokens(sentences), _check_tokens(tags), strict=True):
        if len(tokens) != len(labels):
            raise ValueError("every sentence needs one tag per token")
        for kind, start, end in entities(labels):
            counts[" ".join(tokens[start:end])][kind] += 1
    gazetteer = {}
    for phrase, kinds in counts.items():
        if sum(kinds.values()) >= min_count:
            gazetteer[phrase] = min(kinds, key=lambda kind: (-kinds[kind], kind))
    return gazetteer


@dataclass(frozen=True)
class Rule:
    """A token-shape rule: a run of tokens matching ``body``, after tokens matching ``before``.

    Attributes:
        label: the entity type the run gets.
        body: a regular expression every token of the run must match in full.
        before: expressions the tokens just before the run must match (not tagged).
        not_first: the run may not start the sentence (a capital there proves nothing).
        max_length: the longest run taken.
    """

    label: str
    body: str
    before: tuple[str, ...] = ()
    not_first: bool = False
    max_length: int = 6

    def match(self, tokens: Sequence[str], i: int) -> int:
        """The length of the run this rule matches at ``i`` (0 for none)."""
        if self.not_first and i == 0:
            return 0
        if i < len(self.before) or not all(
            re.fullmatch(pattern, tokens[i - len(self.before) + k])
            for k, pattern in enumerate(self.before)
        ):
            return 0
        n = 0
        while (
            i + n < len(tokens) and n < self.max_length and re.fullmatch(self.body, tokens[i + n])
        ):
            n += 1
        return n


_NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
DEFAULT_RULES = (
    Rule("PER", _NAME, before=(r"(?:Mr|Mrs|Ms|Dr|Prof|Sir)\.?",)),
    Rule("ORG", r"[A-Z]{2,}|[A-Z][a-z]+", not_first=True, max_length=4),
)


class RuleMatcher:
    """Tags what token-shape rules find, longest match first (the first rule wins a tie).

    The default rules: capitalised names after a title ("Mr.", "Mrs.", "Dr.", ...) are
    PER; other runs of capitalised words away from the sentence start are ORG (a crude
    guess, which is the lesson: rules find names, but not their type).

    Args:
        rules: the rules, in priority order.

    Example:
        >>> RuleMatcher().predict([["Yesterday", "Mr.", "Smith", "joined", "Acme", "Corp"]])
        [['O', 'O', 'B-PER', 'O', 'B-ORG', 'I-ORG']]
    """

    def __init__(self, rules: Sequence[Rule] = DEFAULT_RULES) -> None:
        if not rules or not all(isinstance(rule, Rule) for rule in rules):
            raise TypeError("rules must be a non-empty sequence of Rule objects")
        self.rules = tuple(rules)

    def spans(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """The ``(type, start, end)`` matches in one sentence."""
        found, i = [], 0
        while i < len(tokens):
            best, label = 0, ""
            for rule in self.rules:
                n = rule.match(tokens, i)
                if n > best:
                    best, label = n, rule.label
            if best:
                found.append((label, i, i + best))
                i += best
            else:
                i += 1
        return found

    def predict(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """IOB2 tags for each sentence."""
        return [
            spans_to_tags(len(tokens), self.spans(tokens)) for tokens in _check_tokens(sentences)
        ]
