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

from collections.abc import Iterable, Sequence

from nlpjourney.evaluate.sequence import entities

__all__ = [
    "convert_scheme",
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
