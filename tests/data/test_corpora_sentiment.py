"""The sentiment corpora readers give what NLTK's corpus readers give."""

from __future__ import annotations

from nltk.corpus import opinion_lexicon, sentence_polarity

from nlpjourney.data import corpora


def test_corpora_sentiment_sentence_polarity_matches_nltk() -> None:
    rows = corpora.sentence_polarity()
    assert len(rows) == 10662
    assert [label for _, label in rows] == ["neg"] * 5331 + ["pos"] * 5331
    # NLTK splits each line on spaces; ours keeps the line whole.
    for file, start in (("rt-polarity.neg", 0), ("rt-polarity.pos", 5331)):
        nltk_sents = sentence_polarity.sents(file)
        assert [text.split() for text, _ in rows[start : start + 200]] == list(nltk_sents[:200])
    assert "clichés" in " ".join(text for text, _ in rows)


def test_corpora_sentiment_opinion_lexicon_matches_nltk() -> None:
    positive, negative = corpora.opinion_lexicon()
    assert (len(positive), len(negative)) == (2006, 4783)
    assert positive == list(opinion_lexicon.positive())
    # The files are UTF-8; NLTK reads them as ISO-8859-2, which garbles the one non-ASCII word.
    assert "naïve" in negative
    assert [w for w in negative if w.isascii()] == [
        w for w in opinion_lexicon.negative() if w.isascii()
    ]
