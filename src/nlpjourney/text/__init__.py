"""Text preprocessing from scratch (topic 1.2): tokenizing, normalizing, stemming,
lemmatizing, stop words and augmentation, each in its own module.

- :mod:`~nlpjourney.text.tokenize`: whitespace, character, regular-expression and
  Treebank word tokenizers;
- :mod:`~nlpjourney.text.punkt`: the Punkt sentence splitter, trained without labels;
- :mod:`~nlpjourney.text.normalize`: case folding, Unicode forms, accents, contractions,
  and :class:`SpellingCorrector`;
- :mod:`~nlpjourney.text.stem`: :class:`PorterStemmer`, with each of Porter's steps
  (``measure``, ``step1a`` ...) in the module for reading;
- :mod:`~nlpjourney.text.wordnet` and :mod:`~nlpjourney.text.lemmatize`: WordNet read
  from its files, and :class:`WordNetLemmatizer` on top of :func:`morphy`;
- :mod:`~nlpjourney.text.stopwords`: NLTK's stop-word lists;
- :mod:`~nlpjourney.text.augment`: EDA's four text augmentations;
- :mod:`~nlpjourney.text.tagged`: the checks every tagger makes of tokenized, tagged
  sentences (:func:`~nlpjourney.text.tagged.check_tagged`);
- :mod:`~nlpjourney.text.spacy_pipeline`: spaCy's English pipeline, the reference
  (spaCy itself is imported only when a pipeline is loaded; it comes with the ``spacy``
  extra).

Everything a reader calls is importable from here, e.g.
``from nlpjourney.text import PorterStemmer, WordNetLemmatizer``; the building blocks of
each algorithm stay in its module. Three functions share their module's name, so the
package's attribute stays the module: call ``normalize.normalize``,
``augment.augment`` and ``stopwords.stopwords``.
"""

from nlpjourney.text.augment import (
    random_deletion,
    random_insertion,
    random_swap,
    synonym_replacement,
    synonyms,
)
from nlpjourney.text.lemmatize import WordNetLemmatizer, morphy
from nlpjourney.text.normalize import (
    SpellingCorrector,
    casefold,
    default_corrector,
    expand_contractions,
    normalize_whitespace,
    remove_punctuation,
    strip_accents,
    unicode_normalize,
)
from nlpjourney.text.punkt import (
    SentenceSplitter,
    default_sentence_splitter,
    sentence_split,
    train_sentence_splitter,
)
from nlpjourney.text.spacy_pipeline import SpacyModelMissingError, load_english
from nlpjourney.text.stem import PorterStemmer
from nlpjourney.text.tokenize import (
    char_tokenize,
    regexp_tokenize,
    treebank_tokenize,
    whitespace_tokenize,
    word_tokenize,
)
from nlpjourney.text.wordnet import WordNet, default_wordnet

__all__ = [
    "PorterStemmer",
    "SentenceSplitter",
    "SpacyModelMissingError",
    "SpellingCorrector",
    "WordNet",
    "WordNetLemmatizer",
    "casefold",
    "char_tokenize",
    "default_corrector",
    "default_sentence_splitter",
    "default_wordnet",
    "expand_contractions",
    "load_english",
    "morphy",
    "normalize_whitespace",
    "random_deletion",
    "random_insertion",
    "random_swap",
    "regexp_tokenize",
    "remove_punctuation",
    "sentence_split",
    "strip_accents",
    "synonym_replacement",
    "synonyms",
    "train_sentence_splitter",
    "treebank_tokenize",
    "unicode_normalize",
    "whitespace_tokenize",
    "word_tokenize",
]
