"""Benchmark: our LDA against scikit-learn's LatentDirichletAllocation and gensim's LdaModel.

Two corpora from the registry, each split by document into fitting and held-out parts:
State of the Union (``corpora.state_union()``, every fifth speech held out) and Brown
(``corpora.brown_documents()``, 100 of the 500 files held out, chosen by seed 0). Counts
come from our ``CountVectorizer(stop_words="english", min_df=..., max_features=5000)``
fitted on the fitting part; every side gets the same counts.

Two tables:

1. **online variational Bayes**, ours vs scikit-learn with equal settings (10 topics,
   priors 1/10, ``max_iter``, ``batch_size``, decay 0.7, offset 10, seed 0): held-out
   perplexity of each, the gap in % (the issue's bar: within 5 %), whether the fitted
   ``components_`` are equal, and the fit time, best of ``--repeat`` runs alternating
   sides, with the ratio ours / scikit-learn (the bar: at most 2).
2. **Gibbs sampling vs gensim**: our collapsed Gibbs LDA against gensim's ``LdaModel``
   (online variational Bayes; same 10 topics and symmetric priors 1/10, ``passes`` and
   ``iterations`` below). Topic quality is the mean NPMI coherence of each topic's 10 top
   words over the fitting texts, measured by gensim's
   ``CoherenceModel(coherence="c_npmi")`` for both sides (``nlpjourney.topics.coherence``
   was not merged when this was written); the bar: ours at least gensim's - 0.02. Fit
   times are one run each.

Run it with::

    uv run python benchmarks/topics_lda.py              # a few minutes
    uv run python benchmarks/topics_lda.py --repeat 1   # a quicker look
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from collections.abc import Callable
from typing import Any

import gensim
import numpy as np
import sklearn
from _timing import best_of
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel, LdaModel
from sklearn.decomposition import LatentDirichletAllocation

from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer
from nlpjourney.topics import LDA

N_TOPICS = 10


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def corpus(name: str) -> dict[str, Any]:
    """Counts of the fitting and held-out documents, the vocabulary and the fitting tokens."""
    if name == "state_union":
        texts = [text for _, _, text in corpora.state_union()]
        held_out = {i for i in range(len(texts)) if i % 5 == 4}
        min_df, batch_size = 2, 16
    else:
        texts = [" ".join(words) for _, _, words in corpora.brown_documents()]
        held_out = set(np.random.RandomState(0).permutation(len(texts))[:100].tolist())
        min_df, batch_size = 3, 128
    train = [t for i, t in enumerate(texts) if i not in held_out]
    test = [t for i, t in enumerate(texts) if i in held_out]
    vectorizer = CountVectorizer(stop_words="english", min_df=min_df, max_features=5000)
    X_train = vectorizer.fit_transform(train)
    analyse, vocabulary = vectorizer.build_analyzer(), vectorizer.vocabulary_
    tokens = [[t for t in analyse(text) if t in vocabulary] for text in train]
    return {"X_train": X_train, "X_test": vectorizer.transform(test), "tokens": tokens,
            "names": list(vectorizer.get_feature_names_out()), "batch_size": batch_size}  # fmt: skip


def variational_row(name: str, data: dict[str, Any], repeat: int, max_iter: int) -> None:
    X_train, X_test = data["X_train"], data["X_test"]
    settings = {"max_iter": max_iter, "batch_size": data["batch_size"]}
    ours = LDA(n_topics=N_TOPICS, method="online", seed=0, **settings)
    theirs = LatentDirichletAllocation(n_components=N_TOPICS, learning_method="online",
                                       random_state=0, **settings)  # fmt: skip
    ours.fit(X_train)  # compiles the kernels before any timing
    t_ours, t_sk = best_of(repeat, lambda: ours.fit(X_train), lambda: theirs.fit(X_train))
    p_ours, p_sk = ours.perplexity(X_test), theirs.perplexity(X_test)
    same = np.allclose(ours.components_, theirs.components_, rtol=1e-6)
    print(f"{name:<12} {X_train.shape[0]:>5} {X_train.shape[1]:>5} {int(X_train.sum()):>8} "
          f"{p_ours:>10.1f} {p_sk:>10.1f} {100 * (p_ours - p_sk) / p_sk:>+7.3f} "
          f"{'yes' if same else 'no':>6} {t_ours:>8.2f} {t_sk:>8.2f} {t_ours / t_sk:>6.2f}")  # fmt: skip


def npmi(topics: list[list[str]], tokens: list[list[str]], dictionary: Dictionary) -> float:
    model = CoherenceModel(topics=topics, texts=tokens, dictionary=dictionary,
                           coherence="c_npmi", topn=10)  # fmt: skip
    return float(np.mean(model.get_coherence_per_topic()))


def gibbs_row(name: str, data: dict[str, Any], n_iter: int, passes: int) -> None:
    X_train, tokens = data["X_train"], data["tokens"]
    dictionary = Dictionary(tokens)
    bows = [dictionary.doc2bow(doc) for doc in tokens]
    ours = LDA(n_topics=N_TOPICS, method="gibbs", seed=0, n_iter=n_iter, burn_in=n_iter // 2)
    ours.fit(X_train[:5], feature_names=data["names"])  # compiles the kernels before timing
    _, t_ours = timed(lambda: ours.fit(X_train, feature_names=data["names"]))
    theirs, t_gensim = timed(
        lambda: LdaModel(bows, id2word=dictionary, num_topics=N_TOPICS, alpha="symmetric",
                         eta=1.0 / N_TOPICS, passes=passes, iterations=100, random_state=0)
    )  # fmt: skip
    gensim_topics = [[w for w, _ in theirs.show_topic(k, topn=10)] for k in range(N_TOPICS)]
    c_ours = npmi(ours.top_words(10), tokens, dictionary)
    c_gensim = npmi(gensim_topics, tokens, dictionary)
    p_gibbs = ours.perplexity(data["X_test"])
    print(f"{name:<12} {c_ours:>10.4f} {c_gensim:>10.4f} {c_ours - c_gensim:>+8.4f} "
          f"{'yes' if c_ours >= c_gensim - 0.02 else 'no':>5} {p_gibbs:>10.1f} "
          f"{t_ours:>8.2f} {t_gensim:>8.2f} {t_ours / t_gensim:>6.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed variational fits per side")
    parser.add_argument("--max-iter", type=int, default=10, help="variational passes")
    parser.add_argument("--sweeps", type=int, default=500, help="Gibbs sweeps (half burn-in)")
    parser.add_argument("--passes", type=int, default=20, help="gensim LdaModel passes")
    args = parser.parse_args()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    print(f"scikit-learn {sklearn.__version__}, gensim {gensim.__version__}, "
          f"numpy {np.__version__}; {N_TOPICS} topics, priors 1/{N_TOPICS}")  # fmt: skip
    data = {name: corpus(name) for name in ("state_union", "brown")}
    print(f"\nonline variational Bayes, {args.max_iter} passes: held-out perplexity and fit "
          f"seconds (best of {args.repeat})")  # fmt: skip
    print(f"{'corpus':<12} {'docs':>5} {'words':>5} {'tokens':>8} {'ours':>10} {'sklearn':>10} "
          f"{'gap %':>7} {'same λ':>6} {'ours s':>8} {'sk s':>8} {'ratio':>6}")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, corpus_data in data.items():
            variational_row(name, corpus_data, args.repeat, args.max_iter)
        print(f"\nGibbs LDA ({args.sweeps} sweeps) vs gensim LdaModel ({args.passes} passes): "
              "mean NPMI of 10 top words (gensim's CoherenceModel), fit seconds")  # fmt: skip
        print(f"{'corpus':<12} {'ours':>10} {'gensim':>10} {'diff':>8} {'≥-0.02':>5} "
              f"{'gibbs ppl':>10} {'ours s':>8} {'gensim s':>8} {'ratio':>6}")  # fmt: skip
        for name, corpus_data in data.items():
            gibbs_row(name, corpus_data, args.sweeps, args.passes)


if __name__ == "__main__":
    main()
