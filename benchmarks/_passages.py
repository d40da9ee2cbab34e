"""A large passage corpus from the registry's English text, for the retrieval benchmarks.

The benchmarks run as scripts, so this folder is on ``sys.path``: ``from _passages import
passages``. Every source is read whole, its words are joined into one stream per source,
and the stream is cut into consecutive passages of 50 to 130 words (lengths drawn by a
seeded generator, so the corpus is the same on every machine). Sources, in order: Brown,
movie reviews, State of the Union, Cranfield abstracts, SMS messages, Multi30k captions,
sentence polarity, inaugural addresses, web text, Tiny Shakespeare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from nlpjourney import data
from nlpjourney.data import corpora


def _cranfield() -> Iterator[str]:
    text = (data.path("cranfield") / "cran.all.1400").read_text("utf-8", errors="replace")
    for record in text.split("\n.I ")[1:]:
        yield record.split("\n.W\n", 1)[-1]


def _sources() -> list[tuple[str, Callable[[], Iterator[str]]]]:
    return [
        ("brown", lambda: (" ".join(words) for _, _, words in corpora.brown_documents())),
        ("movie_reviews", lambda: (text for text, _ in corpora.movie_reviews())),
        ("state_union", lambda: (text for _, _, text in corpora.state_union())),
        ("cranfield", _cranfield),
        ("sms_spam", lambda: (text for text, _ in corpora.sms_spam())),
        ("multi30k", lambda: iter(corpora.multi30k("train", "en"))),
        ("sentence_polarity", lambda: (text for text, _ in corpora.sentence_polarity())),
        ("inaugural", lambda: iter(corpora.plain_texts("inaugural").values())),
        ("webtext", lambda: iter(corpora.plain_texts("webtext").values())),
        ("tinyshakespeare", lambda: iter([(data.path("tinyshakespeare")).read_text("utf-8")])),
    ]


def passages(n: int = 50_000, seed: int = 0) -> list[str]:
    """Up to ``n`` passages of 50-130 words, the same list on every run."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for _, texts in _sources():
        words = " ".join(texts()).split()
        start = 0
        while start < len(words) and len(out) < n:
            length = int(rng.integers(50, 131))
            out.append(" ".join(words[start : start + length]))
            start += length
        if len(out) >= n:
            break
    return out
