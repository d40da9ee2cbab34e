"""Topic models: LDA (collapsed Gibbs sampling, online variational Bayes), NMF, and topic
coherence.

References: scikit-learn's ``LatentDirichletAllocation`` and ``NMF``, gensim's ``LdaModel``
and ``CoherenceModel``.
"""

from __future__ import annotations

from nlpjourney.topics.coherence import CoherenceCounts, coherence, coherences
from nlpjourney.topics.lda import LDA, gibbs_sweep
from nlpjourney.topics.nmf import NMF

__all__: list[str] = ["LDA", "NMF", "CoherenceCounts", "coherence", "coherences", "gibbs_sweep"]
