"""Hu & Liu's annotated product reviews: sentences with the aspects they rate.

Hu & Liu (2004) collected Amazon reviews of 14 products (a camera, a phone, an mp3
player, a router, ...) and marked, sentence by sentence, each product *aspect* (feature)
the sentence gives an opinion on and how strong that opinion is. The registry's
``product_reviews_1`` (5 products) and ``product_reviews_2`` (9 products) hold one text
file per product in this line format::

    *****  header lines starting with "*" (who annotated, the product)  *****
    [t]excellent picture quality / color          <- "[t]" starts a review: its title
    canon powershot g3[+3]##i recently purchased the canon powershot g3 and ...
    use[+2]##the camera is very easy to use , in fact on a recent trip ...
    ##after i took their picture with their camera , they offered ...
    size[+2][u], design[-1]##it is much smaller than it looks on the web ...

Each sentence line is ``annotations##sentence``; the annotations are a comma-separated
list of ``aspect[±n]`` where ``n`` (1 weakest to 3 strongest) is the opinion's strength,
optionally followed by marks:

- ``[u]``: the aspect is not named in the sentence (implied: "it fits in my pocket" for size);
- ``[p]``: not named, a pronoun refers to it (pronoun resolution is needed);
- ``[s]``: a suggestion or recommendation;
- ``[cc]`` / ``[cs]``: a comparison with a competing product of a different / the same brand.

A sentence with no annotation (``##...``) expresses no opinion on an aspect.

Reading is lenient where the hand annotation slips: ``{+2]`` and ``[+2}`` count as
``[+2]``, ``[+]`` as ``[+1]``; an annotation without a sign (``[2]``, 8 of them) gives no
polarity and is left out; lines without ``##`` (17 malformed ones) are skipped, as NLTK's
reader skips them.

Reference: NLTK's ``ReviewsCorpusReader`` (``nltk.corpus.product_reviews_1``), which
reads the same files (stricter: it keeps only ``aspect[±n]`` annotations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlpjourney.data.corpora import read_members

#: The two archives holding the reviews.
ARCHIVES = ("product_reviews_1", "product_reviews_2")

MARKS = ("u", "p", "s", "cc", "cs")

# "aspect[+2]", tolerating a brace for either bracket and a missing strength.
_ASPECT = re.compile(r"([^,\[\]{}#]*?)\s*[\[{]\s*([+-]?)\s*(\d?)\s*[\]}]")
_MARK = re.compile(r"\[(u|p|s|cc|cs)\]")


@dataclass(frozen=True)
class AspectLabel:
    """One annotated aspect of a sentence.

    Attributes:
        aspect: the aspect as annotated, lower-cased ("picture quality").
        score: the opinion's signed strength, -3 .. -1 or 1 .. 3.
        marks: the aspect's marks among ``MARKS`` ("u": not named in the sentence, ...).
    """

    aspect: str
    score: int
    marks: tuple[str, ...] = ()

    @property
    def polarity(self) -> int:
        """+1 for a positive opinion, -1 for a negative one."""
        return 1 if self.score > 0 else -1

    @property
    def explicit(self) -> bool:
        """Whether the aspect is named in the sentence (neither ``[u]`` nor ``[p]``)."""
        return "u" not in self.marks and "p" not in self.marks


@dataclass(frozen=True)
class ReviewSentence:
    """One sentence of a product review with its annotated aspects.

    Attributes:
        product: the product's file name without ".txt" ("Canon_G3").
        review: the review's number within the product's file (0 for lines before any
            ``[t]`` title).
        title: the review's title ("" if none).
        text: the sentence, as written (the annotators' tokenization, mostly lower case).
        aspects: the aspects it rates, in annotation order.
    """

    product: str
    review: int
    title: str
    text: str
    aspects: tuple[AspectLabel, ...] = ()


def parse_annotations(annotations: str) -> tuple[AspectLabel, ...]:
    """The aspects of one line's annotation part (what comes before ``##``).

    Example:
        >>> parse_annotations("size[+2][u], design{-1]")
        (AspectLabel(aspect='size', score=2, marks=('u',)), AspectLabel(aspect='design', score=-1, marks=()))
    """
    labels = []
    matches = list(_ASPECT.finditer(annotations))
    for k, match in enumerate(matches):
        name, sign, strength = match.group(1).strip(" ,").lower(), match.group(2), match.group(3)
        if not name or not sign:
            continue  # a mark such as "[u]", or a strength without a sign
        end = matches[k + 1].start() if k + 1 < len(matches) else len(annotations)
        following = annotations[match.end() : end]
        # A mark is read like an aspect by _ASPECT when written "[u]" right after the tag,
        # so look at the marks between this tag and the next aspect's name.
        marks = tuple(_MARK.findall(following))
        score = int(strength or 1) * (1 if sign == "+" else -1)
        labels.append(AspectLabel(name, score, marks))
    return tuple(labels)


def parse_reviews(text: str, product: str) -> list[ReviewSentence]:
    """Every sentence of one product's review file (see the module docstring's format).

    Example:
        >>> rows = parse_reviews("[t]great\\nzoom[+2]##the zoom is great .\\n##i got it .", "cam")
        >>> [(r.review, r.title, r.text, [a.aspect for a in r.aspects]) for r in rows]
        [(1, 'great', 'the zoom is great .', ['zoom']), (1, 'great', 'i got it .', [])]
    """
    rows = []
    review, title = 0, ""
    for line in text.splitlines():
        if line.startswith("[t]"):
            review, title = review + 1, line[3:].strip()
            continue
        annotations, hashes, sentence = line.partition("##")
        if not hashes or line.startswith("*"):
            continue
        rows.append(
            ReviewSentence(product, review, title, sentence.strip(), parse_annotations(annotations))
        )
    return rows


def review_products() -> list[str]:
    """The 14 products' names, in archive then file order."""
    names = []
    for archive in ARCHIVES:
        texts = read_members(archive, f"{archive}/")
        names += [
            m.split("/", 1)[1].removesuffix(".txt") for m in texts if not m.endswith("README.txt")
        ]
    return names


def product_reviews(products: str | list[str] | None = None) -> list[ReviewSentence]:
    """The annotated sentences of some or all of the 14 products.

    Args:
        products: a product name or names from :func:`review_products`; None reads all.

    Returns:
        The sentences, product by product, in file order.

    Raises:
        ValueError: an unknown product name.
    """
    wanted = [products] if isinstance(products, str) else products
    rows: list[ReviewSentence] = []
    seen = []
    for archive in ARCHIVES:
        # The files are plain ASCII apart from a few stray bytes: Latin-1 reads every byte.
        for member, text in read_members(archive, f"{archive}/", encoding="latin-1").items():
            if member.endswith("README.txt"):
                continue
            product = member.split("/", 1)[1].removesuffix(".txt")
            seen.append(product)
            if wanted is None or product in wanted:
                rows += parse_reviews(text, product)
    unknown = sorted(set(wanted or ()) - set(seen))
    if unknown:
        raise ValueError(f"no product reviews for {unknown}; choose from {seen}")
    return rows
