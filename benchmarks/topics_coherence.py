"""Benchmark: our topic coherence against gensim's CoherenceModel, on Brown.

Twenty topics of ten words (the top words of an NMF of Brown's TF-IDF, so real topics
whose words co-occur) are scored over Brown's 500 files (lower-cased alphabetic tokens,
English stop words removed) by each measure: ``u_mass`` over documents, ``c_npmi`` over
10-token windows, ``c_v`` over 110-token windows. Both sides score all twenty topics in
one call (ours: :func:`nlpjourney.topics.coherences`; gensim: one ``CoherenceModel``
with ``topics=`` all of them and ``processes=1``, its serial counter, which is the one
our counting follows). The table prints the time of each (best of ``--repeat``, the two
sides alternating), the ratio ours / gensim (below 1: ours is faster) and the largest
absolute difference over the twenty topics (the issue asks for at most 1e-6).

Run it with::

    uv run python benchmarks/topics_coherence.py              # about a minute
    uv run python benchmarks/topics_coherence.py --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import warnings

import gensim
import numpy as np
from _timing import best_of
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.topics import NMF, coherences


def brown_texts() -> list[list[str]]:
    stop = set(corpora.stopword_list("english"))
    return [
        [w.lower() for w in words if w.isalpha() and w.lower() not in stop]
        for _, _, words in corpora.brown_documents()
    ]


def nmf_topics(texts: list[list[str]], k: int = 20, top: int = 10) -> list[list[str]]:
    vectorizer = TfidfVectorizer(analyzer=str.split, min_df=3, max_df=0.5)
    X = vectorizer.fit_transform([" ".join(t) for t in texts])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NMF(k, random_state=0, max_iter=300).fit(X)
    return model.top_words(top, feature_names=vectorizer.get_feature_names_out())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    args = parser.parse_args()
    texts = brown_texts()
    topics = nmf_topics(texts)
    dictionary = Dictionary(texts)
    print(f"best of {args.repeat}, alternating; gensim {gensim.__version__}; Brown: "
          f"{len(texts)} files, {sum(map(len, texts)):,} tokens; 20 topics x 10 words")  # fmt: skip
    header = f"{'measure':<8} {'window':>6} {'ours (s)':>9} {'gensim (s)':>11} {'ratio':>7} {'max |diff|':>11} {'mean ours':>10}"  # fmt: skip
    print(header)
    print("-" * len(header))
    for measure in ("u_mass", "c_npmi", "c_v"):

        def ours(measure: str = measure) -> list[float]:
            return coherences(topics, texts, measure)

        def theirs(measure: str = measure) -> list[float]:
            model = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary,
                                   coherence=measure, processes=1)  # fmt: skip
            return model.get_coherence_per_topic()

        a, b = np.array(ours()), np.array(theirs())
        t_a, t_b = best_of(args.repeat, ours, theirs)
        window = {"u_mass": "doc", "c_npmi": "10", "c_v": "110"}[measure]
        print(f"{measure:<8} {window:>6} {t_a:>9.3f} {t_b:>11.3f} {t_a / t_b:>7.3f} "
              f"{np.max(np.abs(a - b)):>11.2e} {a.mean():>+10.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
