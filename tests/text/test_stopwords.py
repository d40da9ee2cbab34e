"""Tests for nlpjourney.text.stopwords: every list equals NLTK's, and errors help.

- For every language in the archive, ``stopwords(lang)`` is exactly the set of
  ``nltk.corpus.stopwords.words(lang)`` (phrases and trailing spaces included).
- ``languages()`` is NLTK's file list, less its code-defined "english-extended".
- An unknown language raises a ValueError that suggests the closest names.
"""

from __future__ import annotations

import pytest
from nltk.corpus import stopwords as nltk_stopwords

from nlpjourney.text.stopwords import languages, stopwords


def test_stopwords_languages_are_nltks_files() -> None:
    assert len(languages()) >= 29
    assert languages() == sorted(languages())
    assert set(languages()) == set(nltk_stopwords.fileids()) - {"english-extended"}


def test_stopwords_equal_nltk_for_every_language() -> None:
    for language in languages():
        ours, theirs = stopwords(language), nltk_stopwords.words(language)
        assert ours == set(theirs), language
        assert len(ours) == len(set(theirs)) > 0


def test_stopwords_are_a_frozenset_of_common_english_words() -> None:
    english = stopwords()
    assert isinstance(english, frozenset)
    assert {"the", "of", "and", "a", "to"} <= english
    assert "dog" not in english


def test_stopwords_keeps_phrases_and_trailing_spaces_as_nltk_does() -> None:
    # str.split() on the files would break these; the set equality above would catch it,
    # and this names the cases.
    assert "des de" in stopwords("catalan")
    for language in ("catalan", "basque", "tajik"):
        spaced = {w for w in stopwords(language) if " " in w}
        assert spaced and spaced == {w for w in nltk_stopwords.words(language) if " " in w}


def test_stopwords_name_is_case_insensitive() -> None:
    assert stopwords(" English ") == stopwords("english")


def test_stopwords_unknown_language_suggests_close_matches() -> None:
    with pytest.raises(ValueError, match=r"'englsh'.*Did you mean 'english'"):
        stopwords("englsh")
    with pytest.raises(ValueError, match="Available: arabic"):
        stopwords("klingon")


def test_stopwords_non_str_language_raises_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        stopwords(["english"])  # type: ignore[arg-type]
