"""The product-review reader parses Hu & Liu's annotation format and agrees with NLTK's reader."""

from __future__ import annotations

import pytest
from nltk.corpus import product_reviews_1

from nlpjourney.sentiment.reviews import (
    AspectLabel,
    parse_annotations,
    parse_reviews,
    product_reviews,
    review_products,
)

SAMPLE = """\
*****************************************************************************
* Product name: Test camera
*****************************************************************************
[t]great little camera
canon g3[+3]##i love this canon g3 .
size[+2][u], design{-1]##it is small , the design is odd .
##i bought it in june .
battery[-2][p], lens[+]##it dies fast ; the lens is fine
zoom[2]##the zoom .
broken line without a sentence mark
[t] second review
picture quality[+1][cc]##better pictures than the nikon .
"""


def test_reviews_parse_the_line_format() -> None:
    rows = parse_reviews(SAMPLE, "test")
    assert [row.text for row in rows] == [
        "i love this canon g3 .",
        "it is small , the design is odd .",
        "i bought it in june .",
        "it dies fast ; the lens is fine",
        "the zoom .",
        "better pictures than the nikon .",
    ]
    assert [(row.review, row.title) for row in rows] == [(1, "great little camera")] * 5 + [
        (2, "second review")
    ]
    assert rows[0].aspects == (AspectLabel("canon g3", 3),)
    assert rows[1].aspects == (AspectLabel("size", 2, ("u",)), AspectLabel("design", -1))
    assert rows[2].aspects == ()
    assert rows[3].aspects == (AspectLabel("battery", -2, ("p",)), AspectLabel("lens", 1))
    assert rows[4].aspects == ()  # a strength without a sign gives no polarity
    assert rows[5].aspects == (AspectLabel("picture quality", 1, ("cc",)),)
    assert [a.explicit for a in rows[1].aspects] == [False, True]
    assert [a.polarity for a in rows[3].aspects] == [-1, 1]


def test_reviews_parse_annotations_with_several_marks() -> None:
    assert parse_annotations("player[+2][u][s],sound[-3]") == (
        AspectLabel("player", 2, ("u", "s")),
        AspectLabel("sound", -3),
    )
    assert parse_annotations("") == ()


def test_reviews_read_all_fourteen_products() -> None:
    products = review_products()
    assert len(products) == 14 and "Canon_G3" in products and "ipod" in products
    rows = product_reviews()
    assert {row.product for row in rows} == set(products)
    assert len(rows) > 8000
    aspects = [a for row in rows for a in row.aspects]
    assert len(aspects) > 4500
    assert all(a.score in (-3, -2, -1, 1, 2, 3) and a.aspect for a in aspects)
    assert sum(not a.explicit for a in aspects) > 600


def test_reviews_match_nltk_on_canon_g3() -> None:
    ours = [
        (a.aspect, f"{'+' if a.score > 0 else '-'}{abs(a.score)}")
        for row in product_reviews("Canon_G3")
        for a in row.aspects
    ]
    nltk_features = [
        feature
        for review in product_reviews_1.reviews("Canon_G3.txt")
        for line in review.review_lines
        for feature in line.features
    ]
    # NLTK keeps only "name[±n]" tags; ours also reads "[+]" and brace slips, so it can hold more.
    assert len(ours) >= len(nltk_features) > 250
    # NLTK's names are runs of \w words, so "on/off button" comes out as "off button".
    missing = [
        (name, score)
        for name, score in nltk_features
        if not any(o.endswith(name) and o_score == score for o, o_score in ours)
    ]
    assert missing == []


def test_reviews_reject_unknown_products() -> None:
    with pytest.raises(ValueError, match="no product reviews"):
        product_reviews("Tamagotchi")
