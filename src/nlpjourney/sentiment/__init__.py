"""Sentiment analysis by rules and lexicons, sentence by sentence and aspect by aspect (topic 2.4).

- :mod:`~nlpjourney.sentiment.vader`: :class:`VaderAnalyzer`, the VADER rule-based
  analyser (lexicon valences adjusted for degree words, capitals, negation, "but",
  punctuation and emoji), equal to vaderSentiment's scores; its negation rule as the
  small public functions :func:`negated` and :func:`negation_rule`;
- :mod:`~nlpjourney.sentiment.lexicons`: word-list scorers without rules,
  :class:`AfinnScorer` (AFINN-165, equal to the ``afinn`` package) and
  :class:`OpinionLexiconScorer` (Hu & Liu's positive and negative words);
- :mod:`~nlpjourney.sentiment.reviews`: :func:`product_reviews`, Hu & Liu's product
  reviews with their annotated aspects (:class:`ReviewSentence`, :class:`AspectLabel`);
- :mod:`~nlpjourney.sentiment.aspects`: :class:`AspectSentiment`, Hu & Liu's aspect-based
  sentiment (frequent noun phrases as aspects, opinion words attached to the nearest
  one) and :func:`evaluate_aspects`, its scores against the annotations;
- :mod:`~nlpjourney.sentiment.learned`: :class:`SentimentClassifier`, learned sentiment
  (TF-IDF or counts, then naive Bayes or logistic regression), and
  :func:`accuracy_table`, lexicons and learned models cross-validated on the same folds.

Every scorer has ``label(text)`` -> "pos", "neg" or "neutral". All lexicons come from the
data registry (``vader_sentiment``, ``afinn``, ``opinion_lexicon``).
"""

from nlpjourney.sentiment.aspects import (
    AspectMention,
    AspectScores,
    AspectSentiment,
    NounLexicon,
    evaluate_aspects,
)
from nlpjourney.sentiment.learned import (
    AccuracyRow,
    SentimentClassifier,
    accuracy_table,
    format_table,
    lexicon_labels,
    lexicon_scores,
)
from nlpjourney.sentiment.lexicons import AfinnScorer, OpinionLexiconScorer
from nlpjourney.sentiment.reviews import (
    AspectLabel,
    ReviewSentence,
    parse_reviews,
    product_reviews,
    review_products,
)
from nlpjourney.sentiment.vader import NEGATION_SCALAR, VaderAnalyzer, negated, negation_rule

__all__ = [
    "NEGATION_SCALAR",
    "AccuracyRow",
    "AfinnScorer",
    "AspectLabel",
    "AspectMention",
    "AspectScores",
    "AspectSentiment",
    "NounLexicon",
    "OpinionLexiconScorer",
    "ReviewSentence",
    "SentimentClassifier",
    "VaderAnalyzer",
    "accuracy_table",
    "evaluate_aspects",
    "format_table",
    "lexicon_labels",
    "lexicon_scores",
    "negated",
    "negation_rule",
    "parse_reviews",
    "product_reviews",
    "review_products",
]
