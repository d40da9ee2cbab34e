"""An inverted index drawn by code: documents on the left, each term's postings on the right.

:func:`inverted_index_figure` draws the picture lesson 2.8 starts its search engine
from. A handful of tokenized documents on the left; in the middle the dictionary, one
row per distinct term in sorted order; on the right each term's *postings list*, one
small box per document that contains the term, reading ``d<id> ×<tf>`` (the document
and how many times it says the term)::

    d0: wing lift wing         lift  -> [d0 ×1] [d2 ×1]
    d1: flow wing              flow  -> [d1 ×1] [d2 ×2]
    d2: flow lift flow         wing  -> [d0 ×2] [d1 ×1]

The rows of the query's terms are coloured: answering the query reads those rows and
nothing else, where a scan (grep) reads every document. It uses the boxes, arrows and
colours of :mod:`nlpjourney.course.diagrams`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas

__all__ = ["inverted_index_figure", "postings_of"]

#: More rows than this do not fit at notebook width.
MAX_TERMS = 12
MAX_DOCS = 5


def postings_of(documents: Sequence[Sequence[str]]) -> dict[str, list[tuple[int, int]]]:
    """Each term's postings ``[(doc id, tf), ...]`` in document order, terms sorted.

    >>> postings_of([["wing", "lift", "wing"], ["flow", "wing"]])
    {'flow': [(1, 1)], 'lift': [(0, 1)], 'wing': [(0, 2), (1, 1)]}
    """
    postings: dict[str, list[tuple[int, int]]] = {}
    for doc_id, tokens in enumerate(documents):
        for term, tf in Counter(tokens).items():
            postings.setdefault(term, []).append((doc_id, tf))
    return dict(sorted(postings.items()))


def inverted_index_figure(
    documents: Sequence[Sequence[str]], query: Sequence[str] = (), title: str = ""
) -> Figure:
    """Tokenized documents, the dictionary of their terms, and each term's postings.

    Args:
        documents: at most :data:`MAX_DOCS` documents, each a list of tokens, with at
            most :data:`MAX_TERMS` distinct terms in all.
        query: terms whose rows are coloured (the rows a search for them reads).
        title: the figure's title (a default one says what the picture shows).

    Returns:
        A figure about 11 inches wide (fits notebook width).

    Raises:
        ValueError: too many documents or terms to draw, or no document.

    Example:
        >>> fig = inverted_index_figure([["wing", "lift", "wing"], ["flow", "wing"]], ["wing"])
        >>> texts = [t.get_text() for t in fig.axes[0].texts]
        >>> "d0 ×2" in texts and "d1 ×1" in texts and "wing" in texts
        True
    """
    if not documents:
        raise ValueError("draw at least one document")
    if len(documents) > MAX_DOCS:
        raise ValueError(f"at most {MAX_DOCS} documents fit the picture, got {len(documents)}")
    postings = postings_of(documents)
    if len(postings) > MAX_TERMS:
        raise ValueError(
            f"at most {MAX_TERMS} distinct terms fit the picture, got {len(postings)}: "
            "draw shorter documents"
        )
    wanted = set(query)
    n_rows = max(len(postings), len(documents))
    height = 0.8 * n_rows + 1.6
    figure, axes = _canvas(11.0, 11.0 * height / 22.0, (0, 22.0), (0, height))
    top = height - 1.3
    axes.text(11.0, height - 0.45, title or "An inverted index: each term's postings list",
              ha="center", va="center", fontsize=12, fontweight="bold")  # fmt: skip
    axes.text(3.6, top + 0.45, "documents (what grep scans)", ha="center", fontsize=9.5,
              style="italic")  # fmt: skip
    axes.text(10.0, top + 0.45, "dictionary", ha="center", fontsize=9.5, style="italic")
    axes.text(16.6, top + 0.45, "postings: document ×tf", ha="center", fontsize=9.5,
              style="italic")  # fmt: skip

    for doc_id, tokens in enumerate(documents):
        _box(axes, (3.6, top - 0.8 * doc_id), f"d{doc_id}: " + " ".join(tokens),
             size=(6.8, 0.6), colour=COLOURS["io"], fontsize=9, round_=False,
             family="monospace")  # fmt: skip

    for row, (term, plist) in enumerate(postings.items()):
        y = top - 0.8 * row
        colour = COLOURS["attention"] if term in wanted else "#ffffff"
        term_box = _box(axes, (10.0, y), term, size=(2.6, 0.6), colour=colour, fontsize=9.5,
                        family="monospace")  # fmt: skip
        x = 12.6
        _arrow(axes, term_box["right"], (x - 0.05, y))
        for doc_id, tf in plist:
            _box(axes, (x + 0.8, y), f"d{doc_id} ×{tf}", size=(1.5, 0.55),
                 colour=COLOURS["mlp"] if term in wanted else "#ffffff", fontsize=9,
                 round_=False)  # fmt: skip
            x += 1.7
    if wanted:
        axes.text(11.0, 0.35, "coloured: the rows the query " + " ".join(sorted(wanted))
                  + " reads; everything else is never touched", ha="center", fontsize=9.5)  # fmt: skip
    return figure
