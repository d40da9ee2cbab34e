"""Real text for the retrieval tests: the Cranfield abstracts and queries from the registry."""

from __future__ import annotations

import re
from functools import cache

from nlpjourney import data


def _records(text: str) -> list[str]:
    """The ``.W`` (body) section of each ``.I`` record of a Cranfield file, in file order."""
    bodies = []
    for record in re.split(r"^\.I .*$", text, flags=re.M)[1:]:
        body = record.split("\n.W\n", 1)[1] if "\n.W\n" in record else ""
        bodies.append(" ".join(body.split()))
    return bodies


@cache
def cranfield_texts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the 1,400 abstracts, the 225 queries) as plain strings."""
    folder = data.path("cranfield")
    docs = _records((folder / "cran.all.1400").read_text("utf-8", errors="replace"))
    queries = _records((folder / "cran.qry").read_text("utf-8", errors="replace"))
    return tuple(docs), tuple(queries)
