"""Our archive readers give what NLTK's corpus readers give, on the mirror's real files."""

from __future__ import annotations

import itertools

import pytest
from nltk.corpus import brown, movie_reviews, stopwords, treebank

from nlpjourney.data import corpora


@pytest.mark.slow
def test_corpora_brown_matches_nltk() -> None:
    ours = corpora.brown_tagged_sents()
    assert len(ours) == len(brown.sents()) == 57340
    assert ours[:200] == [list(s) for s in brown.tagged_sents()[:200]]
    assert corpora.brown_words("news") == list(brown.words(categories="news"))
    assert corpora.brown_categories() == brown.categories()


def test_corpora_brown_rejects_unknown_genre() -> None:
    with pytest.raises(ValueError, match="unknown Brown categories"):
        corpora.brown_sents("poetry")


def test_corpora_movie_reviews_match_nltk() -> None:
    ours = corpora.movie_reviews()
    assert len(ours) == 2000
    assert [label for _, label in ours] == [
        movie_reviews.categories(f)[0] for f in movie_reviews.fileids()
    ]
    assert ours[7][0] == movie_reviews.raw(movie_reviews.fileids()[7])


def test_corpora_sms_spam_has_every_message() -> None:
    rows = corpora.sms_spam()
    assert len(rows) == 5574
    assert {label for _, label in rows} == {"ham", "spam"}
    assert sum(label == "spam" for _, label in rows) == 747


def test_corpora_treebank_words_match_nltk() -> None:
    ours = corpora.treebank_tagged_words()
    assert ours == list(treebank.tagged_words())


def test_corpora_stopwords_match_nltk() -> None:
    for language in corpora.stopword_languages():
        assert corpora.stopword_list(language) == stopwords.words(language), language
    # NLTK also lists "english-extended", which is no file of the archive; it holds 29 lists.
    assert len(corpora.stopword_languages()) == 29
    assert set(corpora.stopword_languages()) <= set(stopwords.fileids())
    with pytest.raises(ValueError, match="no stop word list"):
        corpora.stopword_list("klingon")


@pytest.mark.parametrize("name", ["inaugural", "state_union", "webtext"])
def test_corpora_plain_texts_decode_like_nltk(name: str) -> None:
    import nltk.corpus

    reader = getattr(nltk.corpus, name)
    ours = corpora.plain_texts(name)
    assert sorted(ours) == sorted(reader.fileids())
    for fileid in reader.fileids():
        assert ours[fileid] == reader.raw(fileid), fileid


def test_corpora_multi30k_splits_are_aligned_across_languages() -> None:
    sizes = {"train": 29_000, "val": 1_014, "test_2016_flickr": 1_000}
    for split, size in sizes.items():
        assert [len(corpora.multi30k(split, lang)) for lang in ("en", "de", "fr")] == [size] * 3
    assert corpora.multi30k("val", "en")[0].startswith("A group of men")
    with pytest.raises(ValueError, match="splits .* and languages"):
        corpora.multi30k("test", "en")


def test_corpora_mixed_lines_takes_limit_lines_from_each_source() -> None:
    lines = corpora.mixed_lines(10)
    assert len(lines) == 50 and all(isinstance(line, str) for line in lines)
    kept = corpora.mixed_lines(10, keepends=True)
    assert [line.rstrip("\n") for line in kept] == lines
    assert kept[0].endswith("\n") and kept[25].endswith("\n")  # Shakespeare, Multi30k


@pytest.mark.slow
def test_corpora_brown_documents_are_nltks_files() -> None:
    documents = corpora.brown_documents()
    assert [fileid for fileid, _, _ in documents] == brown.fileids()
    assert all(genre == brown.categories(fileid)[0] for fileid, genre, _ in documents)
    assert documents[7][2] == list(brown.words(documents[7][0]))
    assert [d[0] for d in corpora.brown_documents(["humor", "news"])] == brown.fileids(
        ["humor", "news"]
    )


def test_corpora_state_union_years_and_presidents() -> None:
    speeches = corpora.state_union()
    assert len(speeches) == 65
    assert speeches[0][:2] == (1945, "Truman") and speeches[-1][:2] == (2006, "GWBush")
    assert [year for year, _, _ in speeches] == sorted(year for year, _, _ in speeches)
    assert "heavy heart" in speeches[0][2]


def test_corpora_treebank_tagged_sents_match_nltk() -> None:
    ours = corpora.treebank_tagged_sents()
    assert len(ours) == 3914
    assert ours == [list(sentence) for sentence in treebank.tagged_sents()]


def test_corpora_conll2003_has_every_sentence() -> None:
    train, testa = corpora.conll2003("train"), corpora.conll2003("testa")
    # The published sizes of the English train and development sets.
    assert (len(train), sum(map(len, train))) == (14041, 203621)
    assert (len(testa), sum(map(len, testa))) == (3250, 51362)
    assert train[0][:2] == [("EU", "NNP", "B-NP", "B-ORG"), ("rejects", "VBZ", "B-VP", "O")]
    assert {row[3] for sentence in train for row in sentence} == {
        "O",
        "I-PER",
        "I-ORG",
        "I-LOC",
        "I-MISC",
        "B-PER",
        "B-ORG",
        "B-LOC",
        "B-MISC",
    }
    # The registry's copy is in IOB2: no I- tag opens an entity (the 2003 release's IOB1
    # would open most with I-).
    for sentence in train + testa:
        tags = ["O"] + [row[3] for row in sentence]
        assert not any(
            tag.startswith("I-") and before[2:] != tag[2:]
            for before, tag in itertools.pairwise(tags)
        )


def test_corpora_conll2003_rejects_unknown_split() -> None:
    with pytest.raises(ValueError, match="no CoNLL-2003 split 'test'"):
        corpora.conll2003("test")
