"""A greedy transition parser scored by an averaged perceptron over sparse features.

Each configuration is described by a few dozen feature strings in the style of Zhang &
Nivre (2011): the words and UPOS tags of the top of the stack (``s0``, ``s1``), the
front of the buffer (``b0..b2``), the head of ``s0`` and the leftmost and rightmost
children of ``s0``, ``s1`` and ``b0`` with their labels, their pairs and triples, the
distance between ``s0`` and ``b0`` and the number of children (valency) on each side.
Every labelled transition (``LEFT-ARC:nsubj``...) has a weight per feature; the parser
takes the best-scoring legal transition.

Training (``oracle="dynamic"``, the default) follows Goldberg & Nivre (2012): at each
step the *zero-cost* transitions are those that lose no gold arc still reachable
(:meth:`~nlpjourney.parsing.transitions.ArcEager.costs`); when the predicted transition
is not among them, the best-scoring zero-cost one is promoted and the prediction
demoted, and from the second iteration on the parser follows its own prediction (with
probability ``explore``), so it learns to recover from its mistakes. ``oracle="static"``
trains on the static oracle's single derivation instead. Weights are averaged over all
steps (the usual lazy trick: ``w_avg = w - u / c`` with ``u`` the step-weighted updates).

Non-projective training trees are made projective first (arcs lifted by
:func:`~nlpjourney.parsing.projectivity.projectivize`), so every sentence trains; the
parser's output is always projective.

The feature table is fixed before training: the features of the static-oracle
derivations seen at least ``min_count`` times (the rest, and new ones met while
exploring, are ignored), so the weights are two dense integer matrices.

Reference: Zhang & Nivre (2011), "Transition-based Dependency Parsing with Rich
Non-local Features" (the templates, a subset); Goldberg & Nivre (2012), "A Dynamic
Oracle for Arc-Eager Dependency Parsing" (the training); tested against gold trees
(a parser that has learned a treebank reproduces it).

Simplifications: greedy (no beam), a subset of the third-order and label-set templates.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpjourney.parsing._greedy import (
    SYSTEMS,
    check_fitted,
    check_sentences,
    make_system,
    oracle_derivation,
    training_heads,
)
from nlpjourney.parsing.features import ARCS, TransitionClasses
from nlpjourney.progress import progress_bar

if TYPE_CHECKING:
    from nlpjourney.parsing.conllu import Sentence
    from nlpjourney.parsing.transitions import Configuration

__all__ = ["PerceptronParser", "configuration_features"]

ORACLES = ("static", "dynamic")
NONE = "<none>"  # the word, tag or label of an absent position
LOWEST = np.iinfo(np.int64).min  # the score of an illegal transition


def configuration_features(
    config: Configuration, forms: Sequence[str], tags: Sequence[str]
) -> list[str]:
    """The sparse feature strings of a configuration.

    Args:
        config: The configuration.
        forms: Lower-cased forms of words 0..n (``forms[0]`` the ROOT's).
        tags: UPOS tags of words 0..n.

    Returns:
        About 50 strings, one per template, each starting with the template's name.
    """
    s0, s1, b0 = config.stack_item(0), config.stack_item(1), config.buffer_item(0)
    b1, b2 = config.buffer_item(1), config.buffer_item(2)
    heads, labels = config.heads, config.labels

    def w(i: int) -> str:
        return forms[i] if i >= 0 else NONE

    def p(i: int) -> str:
        return tags[i] if i >= 0 else NONE

    def lab(i: int) -> str:
        return labels[i] if i > 0 else NONE

    s0h = heads[s0] if s0 > 0 else -1
    s0_left, s0_right = _children(heads, s0)
    s1_left, s1_right = _children(heads, s1)
    b0_left, _ = _children(heads, b0)
    s0l, s0l2, s0r, s0r2 = *_ends(s0_left, 2), *_ends(s0_right[::-1], 2)
    s1l, s1r = _ends(s1_left, 1)[0], _ends(s1_right[::-1], 1)[0]
    b0l = _ends(b0_left, 1)[0]
    s0w, s0p, s1w, s1p = w(s0), p(s0), w(s1), p(s1)
    b0w, b0p, b1w, b1p, b2w, b2p = w(b0), p(b0), w(b1), p(b1), w(b2), p(b2)
    distance = str(min(b0 - s0, 5)) if s0 >= 0 and b0 >= 0 else NONE
    s0vl, s0vr, b0vl = min(len(s0_left), 3), min(len(s0_right), 3), min(len(b0_left), 3)
    return [
        "bias",
        # single words
        f"s0wp={s0w}/{s0p}", f"s0w={s0w}", f"s0p={s0p}",
        f"b0wp={b0w}/{b0p}", f"b0w={b0w}", f"b0p={b0p}",
        f"b1wp={b1w}/{b1p}", f"b1w={b1w}", f"b1p={b1p}",
        f"b2wp={b2w}/{b2p}", f"b2w={b2w}", f"b2p={b2p}",
        f"s1wp={s1w}/{s1p}", f"s1w={s1w}", f"s1p={s1p}",
        # pairs
        f"s0wp.b0wp={s0w}/{s0p}/{b0w}/{b0p}", f"s0wp.b0w={s0w}/{s0p}/{b0w}",
        f"s0w.b0wp={s0w}/{b0w}/{b0p}", f"s0wp.b0p={s0w}/{s0p}/{b0p}",
        f"s0p.b0wp={s0p}/{b0w}/{b0p}", f"s0w.b0w={s0w}/{b0w}", f"s0p.b0p={s0p}/{b0p}",
        f"b0p.b1p={b0p}/{b1p}", f"s1p.s0p={s1p}/{s0p}", f"s1w.s0w={s1w}/{s0w}",
        f"s1wp.s0p={s1w}/{s1p}/{s0p}", f"s1p.s0wp={s1p}/{s0w}/{s0p}",
        # triples
        f"b0p.b1p.b2p={b0p}/{b1p}/{b2p}", f"s0p.b0p.b1p={s0p}/{b0p}/{b1p}",
        f"s0hp.s0p.b0p={p(s0h)}/{s0p}/{b0p}", f"s0p.s0lp.b0p={s0p}/{p(s0l)}/{b0p}",
        f"s0p.s0rp.b0p={s0p}/{p(s0r)}/{b0p}", f"s0p.b0p.b0lp={s0p}/{b0p}/{p(b0l)}",
        f"s1p.s0p.b0p={s1p}/{s0p}/{b0p}", f"s1p.s1lp.s0p={s1p}/{p(s1l)}/{s0p}",
        f"s1p.s1rp.s0p={s1p}/{p(s1r)}/{s0p}",
        # distance and valency
        f"s0w.d={s0w}/{distance}", f"s0p.d={s0p}/{distance}", f"b0w.d={b0w}/{distance}",
        f"b0p.d={b0p}/{distance}", f"s0w.b0w.d={s0w}/{b0w}/{distance}",
        f"s0p.b0p.d={s0p}/{b0p}/{distance}",
        f"s0w.vr={s0w}/{s0vr}", f"s0p.vr={s0p}/{s0vr}", f"s0w.vl={s0w}/{s0vl}",
        f"s0p.vl={s0p}/{s0vl}", f"b0w.vl={b0w}/{b0vl}", f"b0p.vl={b0p}/{b0vl}",
        # children and their labels
        f"s0hw={w(s0h)}", f"s0hp={p(s0h)}", f"s0L={lab(s0)}",
        f"s0lw={w(s0l)}", f"s0lp={p(s0l)}", f"s0lL={lab(s0l)}",
        f"s0rw={w(s0r)}", f"s0rp={p(s0r)}", f"s0rL={lab(s0r)}",
        f"b0lw={w(b0l)}", f"b0lp={p(b0l)}", f"b0lL={lab(b0l)}",
        f"s1lL={lab(s1l)}", f"s1rL={lab(s1r)}",
        f"s0p.s0lL.s0l2L={s0p}/{lab(s0l)}/{lab(s0l2)}",
        f"s0p.s0rL.s0r2L={s0p}/{lab(s0r)}/{lab(s0r2)}",
    ]  # fmt: skip


def _children(heads: list[int], word: int) -> tuple[list[int], list[int]]:
    """The dependents of ``word`` so far, to its left and to its right, in order.

    One scan of ``heads`` instead of a scan per child asked for: the features read up to
    two children on each side and the counts (valency, capped at 3: more rarely matters).
    """
    if word < 0:
        return [], []
    kids = [i for i, h in enumerate(heads) if h == word]
    split = bisect_left(kids, word)
    return kids[:split], kids[split:]


def _ends(kids: list[int], k: int) -> list[int]:
    """The first ``k`` of ``kids``, padded with -1."""
    return (kids + [-1] * k)[:k]


class PerceptronParser:
    """A greedy transition parser trained as an averaged perceptron.

    Args:
        system: "arc-eager" or "arc-standard".
        n_iter: Passes over the training sentences.
        oracle: "dynamic" (train with exploration, Goldberg & Nivre 2012) or "static".
        explore: With the dynamic oracle, the probability of following the parser's own
            prediction (from the second pass on) instead of the best zero-cost transition.
        min_count: Features seen fewer times in the oracle derivations are left out.
        seed: Seeds the shuffling and the exploration.

    Example::

        parser = PerceptronParser(n_iter=5).fit(ud_english("lines", "train"))
        parsed = parser.parse(ud_english("lines", "dev"))
    """

    def __init__(
        self,
        system: str = "arc-eager",
        n_iter: int = 5,
        oracle: str = "dynamic",
        explore: float = 0.9,
        min_count: int = 2,
        seed: int = 0,
    ) -> None:
        if system not in SYSTEMS:
            raise ValueError(f"unknown transition system {system!r}; choose one of {SYSTEMS}")
        if oracle not in ORACLES:
            raise ValueError(f"unknown oracle {oracle!r}; choose one of {ORACLES}")
        for name, value in (("n_iter", n_iter), ("min_count", min_count)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        if not 0.0 <= explore <= 1.0:
            raise ValueError(f"explore must be a probability in [0, 1], got {explore}")
        self.system, self.n_iter, self.oracle = system, n_iter, oracle
        self.explore, self.min_count, self.seed = explore, min_count, seed

    # ----------------------------------------------------------------- training

    def fit(self, sentences: Sequence[Sentence], progress: bool | None = None) -> PerceptronParser:
        """Train on parsed sentences.

        Args:
            sentences: Training sentences (forms, UPOS, heads and DEPRELs are read).
            progress: Show a progress bar (None: only on a terminal).

        Returns:
            ``self``.
        """
        sentences = [s for s in check_sentences(sentences, "PerceptronParser.fit") if s.words]
        if not sentences:
            raise ValueError("PerceptronParser.fit needs at least one non-empty sentence")
        system = make_system(self.system)
        if self.oracle == "dynamic" and not hasattr(system, "costs"):
            raise ValueError(f"{self.system} has no dynamic oracle here; use oracle='static'")
        labels = list(dict.fromkeys(lab for s in sentences for lab in s.deprels[1:]))
        self.transitions_ = TransitionClasses(system.actions, labels)
        self.features_ = self._feature_table(system, sentences)
        n_classes = len(self.transitions_)
        # Perceptron updates are whole numbers: exact integer weights, averaged at the end.
        self._weights = np.zeros((len(self.features_) + 1, n_classes), dtype=np.int32)
        self._updates = np.zeros_like(self._weights, dtype=np.int64)
        self._step = 1
        rng = np.random.default_rng(self.seed)
        with progress_bar(
            "Training the parser", total=self.n_iter * len(sentences), unit="sentences",
            enabled=progress,
        ) as bar:  # fmt: skip
            for iteration in range(self.n_iter):
                explore = self.explore if self.oracle == "dynamic" and iteration > 0 else 0.0
                for index in rng.permutation(len(sentences)):
                    self._train_sentence(system, sentences[index], explore, rng)
                    bar.advance()
        averaged = self._weights - self._updates / self._step
        self.weights_ = averaged.astype(np.float32)
        del self._weights, self._updates
        return self

    def _feature_table(self, system: Any, sentences: list[Sentence]) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for sentence in sentences:
            forms, tags = _words(sentence)
            for config, _, _ in oracle_derivation(system, sentence):
                counts.update(configuration_features(config, forms, tags))
        kept = sorted(f for f, c in counts.items() if c >= self.min_count)
        return {feature: row for row, feature in enumerate(kept, 1)}  # row 0: unknown

    def _rows(self, config: Configuration, forms: list[str], tags: list[str]) -> np.ndarray:
        rows = map(self.features_.get, configuration_features(config, forms, tags))
        return np.array([r for r in rows if r is not None], dtype=np.int64)

    def _train_sentence(
        self, system: Any, sentence: Sentence, explore: float, rng: np.random.Generator
    ) -> None:
        forms, tags = _words(sentence)
        gold_heads, gold_labels = training_heads(sentence), sentence.deprels
        classes = self.transitions_.classes
        config = system.initial(len(sentence.words))
        while not system.is_terminal(config):
            allowed = system.legal(config)
            if len(allowed) == 1 and allowed[0] not in ARCS:
                system.apply(config, allowed[0])  # no choice to learn from
                continue
            rows = self._rows(config, forms, tags)
            scores = self._weights[rows].sum(axis=0)
            legal = self.transitions_.legal_mask(allowed)
            predicted = int(np.where(legal, scores, LOWEST).argmax())
            if self.oracle == "static":
                action, label = system.static_oracle(config, gold_heads, gold_labels)
                best = self.transitions_.class_of(action, label)
                right = best == predicted
            else:
                good = self._zero_cost(system, config, gold_heads, gold_labels)
                right = bool(good[predicted])
                best = int(np.where(good, scores, LOWEST).argmax())
            if not right:
                self._weights[rows, best] += 1
                self._weights[rows, predicted] -= 1
                self._updates[rows, best] += self._step
                self._updates[rows, predicted] -= self._step
            self._step += 1
            follow = predicted if explore and rng.random() < explore else best
            system.apply(config, *classes[follow])

    def _zero_cost(
        self, system: Any, config: Configuration, heads: list[int], labels: list[str]
    ) -> np.ndarray:
        """A bool row over the classes: the transitions that lose no reachable gold arc
        (with the gold label when they make a gold arc)."""
        good = np.zeros(len(self.transitions_), dtype=bool)
        costs = system.costs(config, heads)
        least = min(costs.values())  # 0 for an exact oracle on a projective tree
        for action, cost in costs.items():
            if cost != least:
                continue
            arc = _arc(self.system, config, action)
            if arc is not None and heads[arc[1]] == arc[0]:
                good[self.transitions_.class_of(action, labels[arc[1]])] = True
            else:
                good[self.transitions_.legal_mask([action])] = True
        return good

    # ----------------------------------------------------------------- parsing

    def parse(self, sentences: Sequence[Sentence]) -> list[Sentence]:
        """Parse sentences greedily.

        Args:
            sentences: Sentences with forms and UPOS tags (their heads are ignored).

        Returns:
            Copies of ``sentences`` with HEAD and DEPREL predicted.
        """
        check_fitted(hasattr(self, "weights_"), "PerceptronParser")
        sentences = check_sentences(sentences, "PerceptronParser.parse")
        system = make_system(self.system)
        classes = self.transitions_.classes
        parsed = []
        for sentence in sentences:
            forms, tags = _words(sentence)
            config = system.initial(len(sentence.words))
            while not system.is_terminal(config):
                scores = self.weights_[self._rows(config, forms, tags)].sum(axis=0)
                legal = self.transitions_.legal_mask(system.legal(config))
                system.apply(config, *classes[int(np.where(legal, scores, -np.inf).argmax())])
            system.finish(config)  # arc-eager may leave words without a head
            parsed.append(sentence.with_parse(config.heads, config.labels))
        return parsed

    # ----------------------------------------------------------------- saving

    def save(self, folder: str | Path) -> Path:
        """Save the parser to ``folder`` (``model.json`` + ``weights.npz``).

        Feature rows whose averaged weights are all zero are left out.
        """
        from nlpjourney.saving import save_model

        check_fitted(hasattr(self, "weights_"), "PerceptronParser")
        names = sorted(self.features_, key=self.features_.__getitem__)
        rows = np.array([self.features_[f] for f in names], dtype=np.int64)
        used = np.abs(self.weights_[rows]).sum(axis=1) > 0
        kept = [f for f, u in zip(names, used, strict=True) if u]
        # Feature strings never hold a newline (CoNLL-U is one word per line).
        blob = np.frombuffer("\n".join(kept).encode("utf-8"), dtype=np.uint8)
        config = {
            "system": self.system, "n_iter": self.n_iter, "oracle": self.oracle,
            "explore": self.explore, "min_count": self.min_count, "seed": self.seed,
            "labels": self.transitions_.labels,
        }  # fmt: skip
        arrays = {"weights": self.weights_[np.concatenate([[0], rows[used]])], "features": blob}
        return save_model(folder, "PerceptronParser", config, arrays)

    @classmethod
    def load(cls, folder: str | Path) -> PerceptronParser:
        """A parser saved by :meth:`save`.

        Raises:
            ModelFormatError: the folder is not a saved PerceptronParser or is damaged.
        """
        from nlpjourney.errors import ModelFormatError
        from nlpjourney.saving import load_model

        config, arrays = load_model(folder, "PerceptronParser", required=("weights", "features"))
        try:
            labels = config.pop("labels")
            parser = cls(**config)
            text = arrays["features"].tobytes().decode("utf-8")
            names = text.split("\n") if text else []
            weights = arrays["weights"].astype(np.float32)
            parser.transitions_ = TransitionClasses(make_system(parser.system).actions, labels)
            if weights.shape != (len(names) + 1, len(parser.transitions_)):
                raise ValueError(
                    f"weights of shape {weights.shape} for {len(names)} features and "
                    f"{len(parser.transitions_)} transitions"
                )
        except (KeyError, TypeError, ValueError, UnicodeDecodeError) as error:
            raise ModelFormatError(
                f"{folder} is not a readable PerceptronParser ({error}): train the parser again"
            ) from None
        parser.features_ = {name: row for row, name in enumerate(names, 1)}
        parser.weights_ = weights
        return parser


def _words(sentence: Sentence) -> tuple[list[str], list[str]]:
    """Lower-cased forms and UPOS tags of words 0..n (0: ROOT)."""
    return ["<root>", *(f.lower() for f in sentence.forms)], ["<root>", *sentence.upos]


def _arc(system: str, config: Configuration, action: str) -> tuple[int, int] | None:
    """The (head, dependent) arc an action would make, or None for SHIFT and REDUCE."""
    s0, s1, b0 = config.stack_item(0), config.stack_item(1), config.buffer_item(0)
    if system == "arc-eager":
        return {"LEFT-ARC": (b0, s0), "RIGHT-ARC": (s0, b0)}.get(action)
    return {"LEFT-ARC": (s0, s1), "RIGHT-ARC": (s1, s0)}.get(action)
