"""Benchmark: our linear-chain CRF against python-crfsuite on CoNLL-2003 English NER.

Both sides get the same attribute lists (:func:`nlpjourney.tagging.ner_features` over the
word, POS and chunk columns, made once and not timed), the same tags (IOB2), and fit the
same model: a weight for each (attribute, tag) pair seen in training, a weight for every
tag pair, no start/end scores (``boundary=False``; CRFsuite has none), minimising
``-log-likelihood + c2 * ||w||^2`` by L-BFGS with 6 correction pairs for the same number
of iterations (CRFsuite's own stopping tests are switched off).

Printed:

1. **training**: wall and CPU seconds (on a shared machine the CPU time is the fair
   measure: both sides are single-threaded), iterations, CPU seconds per iteration and
   the final objective of each side, and the ratio ours / crfsuite of CPU time (the issue
   asks for the CRF's training time to be reported against python-crfsuite on the same
   features);
2. **tagging** the development set (``eng.testa``), words per second, best of
   ``--repeat`` (attributes already made; both sides look up and score them);
3. **quality**: entity F1 on ``eng.testa`` of both, by ``nlpjourney.evaluate.sequence``
   and by seqeval (equal by construction), and the share of tokens where the two agree.

Run it with::

    OMP_NUM_THREADS=1 uv run python benchmarks/tagging_crf.py
    OMP_NUM_THREADS=1 uv run python benchmarks/tagging_crf.py --sentences 2000 --max-iter 30
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pycrfsuite  # noqa: E402
import seqeval.metrics  # noqa: E402
from _timing import best_of  # noqa: E402

from nlpjourney.data import corpora  # noqa: E402
from nlpjourney.evaluate.sequence import f1_score  # noqa: E402
from nlpjourney.tagging import CRF, ner_features  # noqa: E402
from nlpjourney.tagging.ner import convert_scheme  # noqa: E402


def load(split: str, limit: int | None = None) -> tuple[list, list]:
    """Attribute lists and IOB2 tags of a CoNLL-2003 split."""
    sentences = corpora.conll2003(split)[:limit]
    attributes = [ner_features([row[:3] for row in s]) for s in sentences]
    tags = [convert_scheme([row[3] for row in s], "IOB1", "IOB2") for s in sentences]
    return attributes, tags


def train_crfsuite(
    attributes: list, tags: list, c2: float, max_iter: int, model: Path
) -> tuple[float, float, int, float]:
    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(attributes, tags, strict=True):
        trainer.append(x, y)
    trainer.select("lbfgs")
    trainer.set_params(
        {
            "c1": 0.0,
            "c2": c2,
            "max_iterations": max_iter,
            "num_memories": 6,
            "feature.possible_transitions": True,
            "epsilon": 1e-12,  # no early stop: both sides run max_iter iterations
            "delta": 0.0,
        }
    )
    start, cpu = time.perf_counter(), time.process_time()
    trainer.train(str(model))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    last = trainer.logparser.last_iteration
    return seconds, cpu, last["num"], last["loss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=None, help="training sentences (all)")
    parser.add_argument("--max-iter", type=int, default=100, help="L-BFGS iterations")
    parser.add_argument("--c2", type=float, default=1.0, help="L2 coefficient")
    parser.add_argument("--repeat", type=int, default=3, help="timed tagging runs per side")
    args = parser.parse_args()

    train_x, train_y = load("train", args.sentences)
    dev_x, dev_y = load("testa")
    n_tokens = sum(map(len, train_x))
    n_dev = sum(map(len, dev_x))
    print(f"CoNLL-2003: {len(train_x):,} training sentences ({n_tokens:,} tokens), "
          f"{len(dev_x):,} dev sentences ({n_dev:,} tokens)")  # fmt: skip
    print(f"python-crfsuite {version('python-crfsuite')} L-BFGS, c2={args.c2}, "
          f"{args.max_iter} iterations, one thread\n")  # fmt: skip

    # Compile our kernels on a few sentences first, so no compile time is timed.
    CRF(max_iter=2, features=None).fit(train_x[:20], train_y[:20]).predict(dev_x[:5])

    ours = CRF(c2=args.c2, max_iter=args.max_iter, features=None, boundary=False)
    start, cpu = time.perf_counter(), time.process_time()
    ours.fit(train_x, train_y)
    t_ours, c_ours = time.perf_counter() - start, time.process_time() - cpu
    n_ours = len(ours.loss_history_)
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "crfsuite.model"
        t_theirs, c_theirs, n_theirs, loss_theirs = train_crfsuite(
            train_x, train_y, args.c2, args.max_iter, model
        )
        tagger = pycrfsuite.Tagger()
        tagger.open(str(model))

        def tag_theirs() -> list[list[str]]:
            return [tagger.tag(x) for x in dev_x]

        predicted_theirs = tag_theirs()
        predicted_ours = ours.predict(dev_x)
        p_ours, p_theirs = best_of(args.repeat, lambda: ours.predict(dev_x), tag_theirs)
        n_states = len(tagger.info().state_features)
        tagger.close()

    print(
        "training            wall s   CPU s  iterations  CPU s/iter   objective  ours / them (CPU)"
    )
    print(f"  ours              {t_ours:7.1f} {c_ours:7.1f}  {n_ours:10d}  {c_ours / n_ours:10.3f}"
          f"  {ours.loss_history_[-1]:10.1f}")  # fmt: skip
    print(f"  python-crfsuite   {t_theirs:7.1f} {c_theirs:7.1f}  {n_theirs:10d}"
          f"  {c_theirs / n_theirs:10.3f}  {loss_theirs:10.1f}  {c_ours / c_theirs:6.2f}x")  # fmt: skip
    ours_states = int(np.count_nonzero(ours.state_weights_))
    print(f"  state weights: ours {ours_states:,} non-zero, crfsuite {n_states:,}\n")

    print("tagging eng.testa        words/s      ours / them")
    print(f"  ours                {n_dev / p_ours:12,.0f}")
    print(f"  python-crfsuite     {n_dev / p_theirs:12,.0f}   {p_theirs / p_ours:8.2f}x\n")

    agree = np.mean(
        [
            a == b
            for s, t in zip(predicted_ours, predicted_theirs, strict=True)
            for a, b in zip(s, t, strict=True)
        ]
    )
    print("eng.testa entity F1      nlpjourney.evaluate   seqeval")
    for name, predicted in (("ours", predicted_ours), ("python-crfsuite", predicted_theirs)):
        print(f"  {name:<22} {100 * f1_score(dev_y, predicted):12.2f}"
              f"   {100 * seqeval.metrics.f1_score(dev_y, predicted):9.2f}")  # fmt: skip
    print(f"  tokens tagged alike: {100 * agree:.2f} %")


if __name__ == "__main__":
    main()
