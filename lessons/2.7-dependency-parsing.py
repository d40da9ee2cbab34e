# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2.7 Dependency parsing: transition-based, neural, UAS/LAS
#
# A dependency parse says, for every word of a sentence, which other word it depends on
# (its **head**) and how (the **relation**: subject, object, determiner, ...). The result
# is a tree over the words. This lesson builds a parser that makes that tree in one pass
# from left to right, on **UD English LinES** (Universal Dependencies: English manuals and
# novels, with their trees annotated by hand), and looks at **UD English EWT** (web text:
# reviews, e-mails, forums) to see how a parser copes with text unlike its training
# data. You build each piece yourself, then meet the library's version, checked equal:
#
# 1. what a dependency tree is: heads, relations, ROOT, the CoNLL-U file format;
# 2. **projectivity**: trees whose arcs never cross, and the ones that do;
# 3. the **arc-standard** transition system by hand: a stack, a buffer, three
#    transitions, pictures of the stack and buffer step by step;
# 4. the **static oracle**: the transitions that build a given tree;
# 5. **arc-eager**, and why a **dynamic oracle** helps after a mistake;
# 6. a classifier that picks the transitions: features of a configuration, a perceptron
#    you write, the library's perceptron parser and a neural (Chen & Manning) parser;
# 7. **UAS and LAS**, by hand, and which relations the parser gets wrong.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved.
#
# Set `JOURNEY_QUICK=1` for a fast run: the parsers train on a few hundred sentences
# (200 for the library's) for one pass, and are scored on slices. Every number the prose talks about is printed by a code cell:
# `scripts/run_lessons.py` ran this lesson in full once and stored its numbers in
# `lessons/results/2.7/`, and the cells print them beside your run's.

# %%
import os
import time
from collections import Counter, defaultdict

import matplotlib.pyplot as plt
import numpy as np

from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.parsing import (
    ArcEager,
    ArcStandard,
    NeuralParser,
    PerceptronParser,
    arc_standard_oracle,
    draw_configuration,
    draw_tree,
    evaluate,
    is_projective,
    oracle_transitions,
    write_conllu,
)
from nlpjourney.parsing.conllu import ud_english

try:  # shows pictures in a notebook; a script prints a line instead
    from IPython.display import SVG, display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    SVG, display = None, print


def show(svg):
    """Show an SVG picture (``draw_tree`` and ``draw_configuration`` return SVG text)."""
    display(SVG(svg) if SVG is not None else f"(an SVG picture, {len(svg):,} characters)")


QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("2.7")  # the stored full run of this lesson: its numbers, beside this run's

# %% [markdown]
# ## 1. What a dependency tree is
#
# Each sentence of a UD treebank comes as a block of lines, one per word, ten columns
# separated by tabs: **CoNLL-U**. The columns are ID (the word's position, from 1),
# FORM (the word as written), LEMMA, UPOS (the universal part of speech: NOUN, VERB,
# ...), XPOS (the treebank's own tag), FEATS (morphology), **HEAD** (the ID of the word
# this one depends on, 0 for the word attached to ROOT), **DEPREL** (the relation to that
# head), DEPS and MISC. Lines starting with `#` carry the sentence's id and text. The
# library's reader keeps every line so that writing a file back gives the same bytes.

# %%
train = ud_english("lines", "train")
dev = ud_english("lines", "dev")
test = ud_english("lines", "test")
ewt = {"dev": ud_english("ewt", "dev"), "test": ud_english("ewt", "test")}
for name, part in [("LinES train", train), ("LinES dev", dev), ("LinES test", test),
                   ("EWT dev", ewt["dev"]), ("EWT test", ewt["test"])]:  # fmt: skip
    print(f"{name:<12} {len(part):>5,} sentences {sum(len(s.words) for s in part):>7,} words")
example = next(s for s in train if s.forms[:2] == ["ANSI-89", "describes"])
print()
print(write_conllu([example]))

# %% [markdown]
# Read the HEAD column as arrows: *describes* (word 2) has head 0, so it is the root of
# the sentence; *ANSI-89* (1) depends on *describes* as its subject (`nsubj`), *syntax*
# (7) as its object (`obj`); *the*, *traditional*, *Jet* and *SQL* all depend on
# *syntax*. Every word has exactly one head, and following heads from any word always
# ends at ROOT: the arcs form a **tree**. The library keeps the heads as a list of length
# n + 1, with a -1 in place 0 for ROOT itself, so that `heads[i]` is the head of word `i`.
# The picture draws each arc above the words, from head to dependent (the arrow head is
# at the dependent), labelled with its relation, and the UPOS under each word.

# %%
print("heads:  ", example.heads)
print("deprels:", example.deprels)
show(draw_tree(example))

# %% [markdown]
# UD has 37 universal relations; a treebank may add subtypes after a colon
# (`nmod:poss`, `obl:tmod`). The commonest in LinES train:

# %%
relations = Counter(rel for s in train for rel in s.deprels[1:])
print(f"{len(relations)} relations (with subtypes) in LinES train; the 12 commonest:")
for rel, count in relations.most_common(12):
    print(f"  {rel:<10} {count:>6,}  {count / relations.total():6.1%}")

# %% [markdown]
# ## 2. Projectivity: do the arcs cross?
#
# Draw every arc above the sentence, ROOT's arc included (from a point left of the first
# word). A tree is **projective** when no two arcs cross. Two arcs, each written as the
# pair (left end, right end), cross when one starts strictly inside the other and ends
# strictly outside it: `a < c < b < e` for arcs (a, b) and (c, e). The transition
# systems of this lesson can only build projective trees, so how many trees are not
# projective matters.


# %%
def spans(heads):
    """Each arc as (left end, right end), ROOT's arc from 0 included."""
    return [(min(h, d), max(h, d)) for d, h in enumerate(heads) if d > 0]


def crossing_pairs(heads):
    """Every pair of arcs that cross, each arc as (head, dependent)."""
    arcs = [(h, d) for d, h in enumerate(heads) if d > 0]
    out = []
    for i, (h1, d1) in enumerate(arcs):
        a, b = min(h1, d1), max(h1, d1)
        for h2, d2 in arcs[i + 1 :]:
            c, e = min(h2, d2), max(h2, d2)
            if a < c < b < e or c < a < e < b:
                out.append(((h1, d1), (h2, d2)))
    return out


print("crossing arcs in the example:", crossing_pairs(example.heads))

# %% [markdown]
# **Predict, then run.** LinES holds manuals and novels, written with care. What share of
# its training sentences has at least one pair of crossing arcs: under 1 %, about 5 %,
# or over 20 %? Are longer sentences more often non-projective?

# %%
crossing = [len(crossing_pairs(s.heads)) for s in train]
non_projective = [s for s, c in zip(train, crossing, strict=True) if c]
lengths = np.array([len(s.words) for s in train])
np_mask = np.array([c > 0 for c in crossing])
full.table({
    "LinES train sentences": len(train),
    "non-projective sentences": len(non_projective),
    "non-projective share (%)": 100 * len(non_projective) / len(train),
    "mean length, projective": float(lengths[~np_mask].mean()),
    "mean length, non-projective": float(lengths[np_mask].mean()),
})  # fmt: skip

# %% [markdown]
# The shortest non-projective sentence of LinES train, drawn: find the two arcs that
# cross.

# %%
shortest = min(non_projective, key=lambda s: len(s.words))
print(" ".join(shortest.forms))
print("crossing:", [(f"{shortest.forms[h - 1] if h else 'ROOT'} -> {shortest.forms[d - 1]}",
                     f"{shortest.forms[h2 - 1] if h2 else 'ROOT'} -> {shortest.forms[d2 - 1]}")
                    for (h, d), (h2, d2) in crossing_pairs(shortest.heads)])  # fmt: skip
show(draw_tree(shortest))

# %% [markdown]
# ### Exercise 1: projective, by spans
#
# There is a second way to say the same thing. The **subtree** of a word is the word and
# everything below it (its dependents, their dependents, ...). A tree is projective
# exactly when every word's subtree covers a gapless run of positions: no word from
# outside sits between two words of the subtree. Write `projective_by_spans(heads)` with
# that test: for each word, collect the positions of its subtree and check that they
# form a run (the largest minus the smallest equals the count minus one). The check
# compares it with `crossing_pairs` on every sentence of LinES train, and with the
# library's `is_projective`.


# %%
def projective_by_spans(heads):
    """True when every word's subtree covers a gapless run of positions."""
    return None  # your code


# %%
mine = [projective_by_spans(s.heads) for s in train]
check("projective_by_spans on LinES train, against crossing arcs", mine,
      [not c for c in crossing],
      hint="walk up from each word to ROOT, adding the word to the subtree of every "
           "ancestor it passes; then compare each subtree's size with its span")  # fmt: skip
check(
    "the library's is_projective agrees with crossing arcs",
    [is_projective(s.heads) for s in train] == [not c for c in crossing],
)

# %% [markdown]
# ## 3. Arc-standard, by hand
#
# A **transition parser** reads the words once, left to right. It keeps a **stack** of
# words it has started on (ROOT, written 0, at the bottom) and a **buffer** of the words
# still to read. A **configuration** is the stack, the buffer, and the arcs made so far.
# **Arc-standard** (Nivre 2004) has three transitions; `s0` is the top of the stack and
# `s1` the item under it:
#
# - **SHIFT**: move the first word of the buffer onto the stack;
# - **LEFT-ARC**: make `s0` the head of `s1`, and take `s1` off the stack;
# - **RIGHT-ARC**: make `s1` the head of `s0`, and take `s0` off the stack.
#
# An arc is only made between the two top items, and the dependent leaves the stack: it
# can take no more dependents after that. Each word is shifted once and attached once,
# so a sentence of n words takes exactly 2n transitions. The parse ends when the buffer
# is empty and only ROOT is left on the stack.


# %%
class State:
    """A configuration: the stack (ROOT = 0 at the bottom), the buffer, the arcs so far."""

    def __init__(self, n):
        self.stack = [0]
        self.buffer = list(range(1, n + 1))
        self.heads = [-1] * (n + 1)  # -1: no head yet
        self.labels = [""] * (n + 1)

    def done(self):
        return not self.buffer and self.stack == [0]


def shift(state, label=""):  # label unused: SHIFT makes no arc
    state.stack.append(state.buffer.pop(0))


def left_arc(state, label=""):
    s0, s1 = state.stack[-1], state.stack[-2]
    assert s1 != 0, "ROOT never gets a head"
    state.heads[s1], state.labels[s1] = s0, label
    del state.stack[-2]


def right_arc(state, label=""):
    s0, s1 = state.stack[-1], state.stack[-2]
    state.heads[s0], state.labels[s0] = s1, label
    state.stack.pop()


APPLY = {"SHIFT": shift, "LEFT-ARC": left_arc, "RIGHT-ARC": right_arc}

# %% [markdown]
# Parse *she saw him* by hand: SHIFT *she*, SHIFT *saw*, LEFT-ARC (*saw* takes *she*),
# SHIFT *him*, RIGHT-ARC (*saw* takes *him*), RIGHT-ARC (ROOT takes *saw*).

# %%
state = State(3)
for action in ["SHIFT", "SHIFT", "LEFT-ARC", "SHIFT", "RIGHT-ARC", "RIGHT-ARC"]:
    APPLY[action](state)
    print(f"{action:<10} stack {state.stack!s:<10} buffer {state.buffer!s:<10} heads {state.heads}")
print("done:", state.done())

# %% [markdown]
# ## 4. The static oracle: which transitions build a given tree?
#
# To train a parser we need, for every tree of the treebank, the transitions that build
# it: then each configuration on the way is a training example, labelled with the right
# transition. The rule that finds them is the **static oracle**. In a configuration,
# looking at the gold tree:
#
# 1. LEFT-ARC if `s0` is the gold head of `s1` (and `s1` is not ROOT);
# 2. RIGHT-ARC if `s1` is the gold head of `s0` **and** `s0` already has all its gold
#    dependents: once popped, `s0` can take no more;
# 3. SHIFT otherwise.
#
# The second condition is where a first try usually goes wrong: attach `s0` as soon as
# its head is under it, and a dependent still in the buffer loses its head for good.


# %%
def oracle(state, gold_heads):
    """The static arc-standard oracle's transition in ``state`` for the tree ``gold_heads``."""
    if len(state.stack) >= 2:
        s0, s1 = state.stack[-1], state.stack[-2]
        if s1 != 0 and gold_heads[s1] == s0:
            return "LEFT-ARC"
        if gold_heads[s0] == s1 and all(
            state.heads[d] == s0 for d in range(1, len(gold_heads)) if gold_heads[d] == s0
        ):
            return "RIGHT-ARC"
    return "SHIFT"


def derivation(gold_heads, gold_labels=None):
    """The oracle's transitions for a tree, and the state they end in."""
    state = State(len(gold_heads) - 1)
    actions = []
    while not state.done():
        action = oracle(state, gold_heads)
        if action == "SHIFT" and not state.buffer:
            raise ValueError("no transition builds this tree: it is not projective")
        label = ""
        if gold_labels is not None and action != "SHIFT":
            dependent = state.stack[-2] if action == "LEFT-ARC" else state.stack[-1]
            label = gold_labels[dependent]
        APPLY[action](state, label)
        actions.append(action)
    return actions, state


actions, final = derivation(example.heads, example.deprels)
print(" ".join(example.forms))
print(len(actions), "transitions:", ", ".join(actions))
print("rebuilt heads equal the gold heads:", final.heads == example.heads)
print("rebuilt labels equal the gold labels:", final.labels == example.deprels)

# %% [markdown]
# The library's `ArcStandard` applies the same transitions to its own `Configuration`,
# and `draw_configuration` pictures one: the stack (top at the right), the buffer, and
# the arcs made so far. Here is the example after a few of its transitions:

# %%
system = ArcStandard()
config = system.initial(len(example.words))
steps_to_draw = {3, 6, 10, len(actions)}
for step, action in enumerate(actions, start=1):
    dependent = config.stack_item(1) if action == "LEFT-ARC" else config.stack_item(0)
    system.apply(config, action, example.deprels[dependent] if action != "SHIFT" else "")
    if step in steps_to_draw:
        print(f"after transition {step} ({action}): stack {config.stack}, "
              f"buffer starts at word {config.next}")  # fmt: skip
        show(draw_configuration(config, example))
print("the library's configuration ends with the gold heads:", config.heads == example.heads)

# %% [markdown]
# Now every projective tree of LinES train: the oracle's derivation must rebuild it,
# heads and labels, and a non-projective tree must have no derivation. Then meet the
# library's versions, checked equal: `arc_standard_oracle(stack, buffer, gold_heads,
# heads)` (the rule above on plain lists) and `oracle_transitions(gold_heads)` (the whole
# derivation), the model answers of exercise 2.7.

# %%
started = time.perf_counter()
rebuilt = refused = 0
for s in train:
    try:
        got, end = derivation(s.heads, s.deprels)
        rebuilt += end.heads == s.heads and end.labels == s.deprels
    except ValueError:
        refused += 1
print(f"{rebuilt:,} of {len(train) - len(non_projective):,} projective trees rebuilt exactly; "
      f"{refused} of {len(non_projective)} non-projective trees refused "
      f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
projective = [s for s in train if is_projective(s.heads)]
check("oracle_transitions equals our derivation on every projective LinES train tree",
      all(oracle_transitions(s.heads) == derivation(s.heads)[0] for s in projective))  # fmt: skip
state = State(len(example.words))
same = True
while not state.done():
    ours = oracle(state, example.heads)
    same &= ours == arc_standard_oracle(list(state.stack), list(state.buffer),
                                        example.heads, list(state.heads))  # fmt: skip
    APPLY[ours](state)
check("arc_standard_oracle agrees at every configuration of the example", same)

# %% [markdown]
# **Predict, then run.** Take a right-branching chain of 20 words, where each word is the
# head of the next (*I think that you said that she knows that ...*). While the oracle
# builds it, how many words at most sit on the stack still **waiting for their head**:
# about 2, about 10, or all 20? What about a left-branching chain, where each word is
# the head of the one before?


# %%
def most_waiting(gold_heads):
    """The most words on the stack without a head, while the static oracle builds the tree."""
    state, most = State(len(gold_heads) - 1), 0
    while not state.done():
        APPLY[oracle(state, gold_heads)](state)
        most = max(most, sum(state.heads[w] == -1 for w in state.stack[1:]))
    return most


n = 20
right_chain = [-1, 0] + list(range(1, n))  # word i + 1 depends on word i
left_chain = [-1] + list(range(2, n + 1)) + [0]  # word i depends on word i + 1
print(f"right-branching chain of {n} words: at most {most_waiting(right_chain)} waiting")
print(f"left-branching chain of {n} words:  at most {most_waiting(left_chain)} waiting")

# %% [markdown]
# Right-branching structure keeps words waiting: arc-standard holds every word of the
# chain unattached until the last one has been read, because a word can only be attached
# to its head once its own dependents are done. English is mostly right-branching (verbs
# before objects, prepositions before nouns), so in arc-standard the decision to attach a
# right dependent is put off, often far from where the evidence for it was.
#
# ## 5. Arc-eager, and the dynamic oracle
#
# **Arc-eager** (Nivre 2003) makes right arcs at once. Its transitions look at `s0` and
# the front of the buffer, `b0`:
#
# - **SHIFT**: push `b0`;
# - **LEFT-ARC**: `b0` becomes the head of `s0`; pop `s0` (only if `s0` has no head yet);
# - **RIGHT-ARC**: `s0` becomes the head of `b0`; push `b0` (it may still take right
#   dependents);
# - **REDUCE**: pop `s0` (only if it already has its head): it is finished.
#
# A word is attached as soon as its head and it are side by side, and REDUCE clears it
# away later. The library's `ArcEager` has the same `initial`, `legal`, `apply` and
# `static_oracle` as `ArcStandard`. The example sentence under both:

# %%
eager = ArcEager()


def eager_derivation(gold_heads, gold_labels):
    """Arc-eager's static-oracle transitions, the most words waiting, the final config."""
    config, done, most = eager.initial(len(gold_heads) - 1), [], 0
    while not eager.is_terminal(config):  # arc-eager stops when the buffer is empty
        action, label = eager.static_oracle(config, gold_heads, gold_labels)
        eager.apply(config, action, label)
        done.append(action)
        most = max(most, sum(config.heads[w] == -1 for w in config.stack[1:]))
    return done, most, config


eager_actions, _, config = eager_derivation(example.heads, example.deprels)
print("arc-standard:", ", ".join(actions))
print("arc-eager:   ", ", ".join(eager_actions))
print("arc-eager rebuilds the tree:",
      config.heads == example.heads and config.labels == example.deprels)  # fmt: skip
print(f"right-branching chain of {n} words, arc-eager: at most "
      f"{eager_derivation(right_chain, [''] * (n + 1))[1]} waiting")  # fmt: skip

# %% [markdown]
# On real sentences: the most words waiting for their head, per sentence, under each
# system, averaged over the projective trees of LinES train.

# %%
sample = projective if not QUICK else projective[:300]
waiting = {"arc-standard": np.array([most_waiting(s.heads) for s in sample]),
           "arc-eager": np.array([eager_derivation(s.heads, s.deprels)[1] for s in sample])}  # fmt: skip
full.table({f"mean most waiting, {name}": float(w.mean()) for name, w in waiting.items()},
           title=f"{len(sample):,} projective LinES train trees:")  # fmt: skip

# %% [markdown]
# Arc-eager leaves fewer words waiting: a right dependent gets its head the moment it
# is read, so the parser commits to each attachment while the evidence is next to it.
# The price is that it must commit early, before it has seen what comes after.
#
# **A mistake, and what comes next.** A trained parser makes mistakes. After one, the
# configuration is one the static oracle never saw: from it, the gold tree is out of
# reach, and "the transition that builds the gold tree" no longer exists. Yet some
# transitions are still better than others: they lose no *more* gold arcs. The
# **dynamic oracle** (Goldberg & Nivre 2012) gives every legal transition its **cost**:
# how many gold arcs it makes unreachable. Zero-cost transitions are the best
# continuations; from the initial configuration they are exactly the gold derivations.
#
# Take the example sentence and make an early mistake on purpose: at the first step
# where the oracle wants SHIFT and a word (not ROOT) is on top of the stack, take a
# RIGHT-ARC instead, attaching the next word to the wrong head.
#
# **Predict, then run.** How many gold arcs does that one mistake cost in the end, if
# the parser continues as well as it can afterwards: 1, 2, or every arc of the words
# that follow?

# %%
config = eager.initial(len(example.words))
mistake_cost = None
while not eager.is_terminal(config):
    costs = eager.costs(config, example.heads)
    action, label = eager.static_oracle(config, example.heads, example.deprels)
    if mistake_cost is None:
        if action == "SHIFT" and config.stack[-1] != 0 and "RIGHT-ARC" in costs:
            mistake_cost, action = costs["RIGHT-ARC"], "RIGHT-ARC"
            print(f"the mistake: RIGHT-ARC {example.forms[config.stack[-1] - 1]} -> "
                  f"{example.forms[config.next - 1]} (stack {config.stack}, next word "
                  f"{config.next}); the dynamic oracle's costs here: {costs}")  # fmt: skip
    else:  # after the mistake, the cheapest transition: what dynamic training teaches
        action = min(costs, key=lambda a: (costs[a], a))
    eager.apply(config, action, label)
eager.finish(config)  # any word still without a head goes to the root word
lost = [d for d in range(1, len(example.heads)) if config.heads[d] != example.heads[d]]
print(f"gold arcs lost in the end: {len(lost)} (the mistake's cost: {mistake_cost}):",
      [f"{example.forms[d - 1]} got {example.forms[config.heads[d] - 1]}" for d in lost])  # fmt: skip

# %% [markdown]
# The loss in the end equals the cost the dynamic oracle gave the mistake: after it,
# following zero-cost transitions reaches every gold arc that was still reachable. This is what **training with a dynamic
# oracle** (with exploration) does: during training the parser sometimes follows its
# own, possibly wrong, prediction, and is taught the zero-cost transitions from wherever
# it lands. A parser trained on the static oracle only has seen gold configurations,
# and at test time, after its first mistake, it is in territory it was never taught.
# Section 6 measures the difference.
#
# ## 6. A classifier picks the transitions
#
# At parse time there is no gold tree: a classifier must predict the oracle's transition
# from the configuration alone. It sees **features** of the configuration: the words and
# tags of `s0`, `s1` and `b0`, combinations of them, and the children attached so far
# (Zhang & Nivre 2011 list many more). Here are a few templates, on the example's
# configuration after 3 transitions of its derivation:


# %%
def children(heads, w):
    return [d for d in range(1, len(heads)) if heads[d] == w]


def features(state, forms, tags):
    """Feature strings of a configuration (forms and tags have ROOT's entry at place 0)."""
    s0 = state.stack[-1]
    s1 = state.stack[-2] if len(state.stack) > 1 else -1
    b0 = state.buffer[0] if state.buffer else -1
    word = lambda i: forms[i] if i >= 0 else "<none>"  # noqa: E731
    tag = lambda i: tags[i] if i >= 0 else "<none>"  # noqa: E731
    kids = children(state.heads, s0) if s0 > 0 else []
    left = [k for k in kids if k < s0]
    right = [k for k in kids if k > s0]
    return [
        "bias",
        f"s0w={word(s0)}", f"s0t={tag(s0)}", f"s1w={word(s1)}", f"s1t={tag(s1)}",
        f"b0w={word(b0)}", f"b0t={tag(b0)}",
        f"s0w,s0t={word(s0)},{tag(s0)}", f"s1t,s0t={tag(s1)},{tag(s0)}",
        f"s0t,b0t={tag(s0)},{tag(b0)}", f"s1t,s0t,b0t={tag(s1)},{tag(s0)},{tag(b0)}",
        f"s1w,s0w={word(s1)},{word(s0)}",
        f"s0t,leftmost child t={tag(s0)},{tag(left[0]) if left else '<none>'}",
        f"s0t,rightmost child t={tag(s0)},{tag(right[-1]) if right else '<none>'}",
        f"s0t,s0 kids={tag(s0)},{len(kids)}",
        f"distance={min(s0 - s1, 5) if s1 > 0 else -1}",
        f"buffer empty={not state.buffer}",
    ]  # fmt: skip


def padded(sentence):
    """FORM and UPOS with ROOT's entry at place 0."""
    return ["<root>"] + sentence.forms, ["<root>"] + sentence.upos


state = State(len(example.words))
for action in actions[:3]:
    APPLY[action](state)
forms, tags = padded(example)
print("stack", state.stack, "buffer", state.buffer)
for f in features(state, forms, tags):
    print(" ", f)

# %% [markdown]
# The classifier: a **perceptron** with one weight vector per transition; the score of
# a transition is the sum of the weights of the configuration's features. Training walks
# through the oracle's derivations; wherever the best-scoring legal transition is not
# the oracle's, it adds 1 to the oracle's weights of those features and subtracts 1 from
# the predicted one's. This one predicts unlabelled transitions only, learns from the
# static oracle only, and keeps its last weights rather than their average; the
# library's parser, next, does each of the three the other way.

# %%
ACTIONS = ["SHIFT", "LEFT-ARC", "RIGHT-ARC"]


def legal(state):
    """Arc-standard's legal transitions; ROOT takes its one dependent at the very end."""
    out = [state.buffer != []]
    out.append(len(state.stack) > 2)  # LEFT-ARC: s1 must not be ROOT
    out.append(len(state.stack) > 2 or (len(state.stack) == 2 and not state.buffer))
    return np.array(out)


def best(weights, feats, allowed):
    scores = np.zeros(3)
    for f in feats:
        if f in weights:
            scores += weights[f]
    scores[~allowed] = -np.inf
    return int(np.argmax(scores))


def train_perceptron(sentences, epochs):
    weights = defaultdict(lambda: np.zeros(3))
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        for i in rng.permutation(len(sentences)):
            s = sentences[i]
            forms, tags = padded(s)
            state = State(len(s.words))
            while not state.done():
                gold = ACTIONS.index(oracle(state, s.heads))
                feats = features(state, forms, tags)
                guess = best(weights, feats, legal(state))
                if guess != gold:
                    for f in feats:
                        weights[f][gold] += 1
                        weights[f][guess] -= 1
                APPLY[ACTIONS[gold]](state)  # follow the oracle: static training
    return dict(weights)


def parse(weights, sentence):
    forms, tags = padded(sentence)
    state = State(len(sentence.words))
    while not state.done():
        APPLY[ACTIONS[best(weights, features(state, forms, tags), legal(state))]](state)
    return state.heads


training = projective[:300] if QUICK else projective
epochs = 1 if QUICK else 5
started = time.perf_counter()
weights = train_perceptron(training, epochs)
print(f"trained on {len(training):,} trees, {epochs} epoch(s), {len(weights):,} features, "
      f"{time.perf_counter() - started:.0f} s")  # fmt: skip

# %% [markdown]
# **Unlabelled attachment score (UAS)**: the share of words whose predicted head is the
# gold head. Every word counts, punctuation included, as the CoNLL 2018 shared task
# counts.

# %%
dev_sents = dev[:200] if QUICK else dev
predicted_heads = [parse(weights, s) for s in dev_sents]
correct = sum(p[i] == s.heads[i] for s, p in zip(dev_sents, predicted_heads, strict=True)
              for i in range(1, len(s.heads)))  # fmt: skip
total = sum(len(s.words) for s in dev_sents)
our_uas = 100 * correct / total
full.table({"our perceptron, UAS on LinES dev (%)": our_uas})
ours_as_sentences = [
    s.with_parse(p, s.deprels) for s, p in zip(dev_sents, predicted_heads, strict=True)
]
check("our UAS equals nlpjourney.parsing.evaluate's", our_uas,
      evaluate(dev_sents, ours_as_sentences).uas)  # fmt: skip

# %% [markdown]
# Now meet the library's `PerceptronParser`: it predicts labelled transitions (the
# relation comes with the arc), uses many more feature templates, averages its weights
# over training (which keeps the late, noisy updates from dominating), projectivizes
# non-projective training trees instead of skipping them, and can train with the
# dynamic oracle. It follows the parser contract: `fit(sentences)`, then
# `parse(sentences)` returns copies with HEAD and DEPREL predicted. Trained with the
# static oracle and with the dynamic one, on the same data:

# %%
fit_on = train[:200] if QUICK else train
n_iter = 1 if QUICK else 5
perceptron = {}
for oracle_kind in ("static", "dynamic"):
    started = time.perf_counter()
    parser = PerceptronParser(system="arc-eager", n_iter=n_iter, oracle=oracle_kind)
    perceptron[oracle_kind] = parser.fit(fit_on, progress=not QUICK)  # a bar in full mode
    print(f"{oracle_kind} oracle: trained in {time.perf_counter() - started:.0f} s")
dev_parsed = {k: p.parse(dev_sents) for k, p in perceptron.items()}
scores = {k: evaluate(dev_sents, parsed) for k, parsed in dev_parsed.items()}
full.table({f"perceptron, {k} oracle, LinES dev {m} (%)": getattr(score, m)
            for k, score in scores.items() for m in ("uas", "las")})  # fmt: skip
gain = {m: full[f"perceptron, dynamic oracle, LinES dev {m} (%)"]
        - full[f"perceptron, static oracle, LinES dev {m} (%)"] for m in ("uas", "las")}  # fmt: skip
print(f"the dynamic oracle's gain in the {full.label}: {gain['uas']:+.1f} UAS, "
      f"{gain['las']:+.1f} LAS points")  # fmt: skip

# %% [markdown]
# In quick mode the two are nearly the same parser: exploration starts only in the
# second pass over the data, and the quick run makes one.
#
# ### Exercise 2: labelled attachment score
#
# **LAS** counts a word as right when its head **and** its relation are both right. The
# CoNLL 2018 script compares only the universal part of a relation: `nmod:poss` and
# `nmod` are the same relation for LAS. Write `las(gold, predicted)`: the percentage of
# words, over all sentences, with the right head and the right universal relation
# (the part before any `:`). `Sentence.heads` and `Sentence.deprels` give each
# sentence's lists (place 0 is ROOT's: skip it).


# %%
def las(gold, predicted):
    """LAS in percent over the words of two lists of Sentence (the same words in each)."""
    return None  # your code


# %%
dynamic_dev = dev_parsed["dynamic"]
check("las: the dynamic-oracle perceptron on LinES dev", las(dev_sents, dynamic_dev),
      evaluate(dev_sents, dynamic_dev).las,
      hint="zip the sentences, then each sentence's heads and deprels from place 1; cut "
           "each relation at the first ':' before comparing")  # fmt: skip

# %% [markdown]
# ### The neural parser (Chen & Manning 2014)
#
# The perceptron's features are strings that either match or not: *dog* and *dogs*
# share nothing, and each combination of tags is a separate feature someone had to
# write down. Chen & Manning replace them with **embeddings**: the configuration's
# words (the top items of the stack and buffer and the children of the top two stack
# items), their tags and (for the children) their arc labels each get a learned vector; the vectors are
# concatenated and go through **one hidden layer**, which learns the combinations
# itself, then a softmax over the labelled transitions. Training is ordinary
# classification on the oracle's configurations (topic 3.2's loop). The library's
# `NeuralParser` is that model in torch:

# %%
started = time.perf_counter()
# lstm=0: the plain Chen & Manning model; the library's default first reads the whole
# sentence with a BiLSTM (Kiperwasser & Goldberg 2016), which this lesson leaves out
neural = NeuralParser(system="arc-standard", lstm=0, epochs=1 if QUICK else 4)
dev_check = None if QUICK else dev_sents[:300]  # the epoch with the best LAS here is kept
neural.fit(fit_on, dev=dev_check, progress=not QUICK)
print(f"trained in {time.perf_counter() - started:.0f} s")
neural_dev = neural.parse(dev_sents)
neural_score = evaluate(dev_sents, neural_dev)
full.table({"neural, LinES dev UAS (%)": neural_score.uas,
            "neural, LinES dev LAS (%)": neural_score.las})  # fmt: skip

# %% [markdown]
# ## 7. Which relations fail?
#
# One number hides where the errors are. LAS per relation (the gold universal relation
# of each word; a word counts as right when its head and relation are both right), for
# the relations with at least 100 words in LinES dev, in the neural parser's parse:


# %%
def per_relation(gold, predicted):
    right, seen = Counter(), Counter()
    for g, p in zip(gold, predicted, strict=True):
        for i in range(1, len(g.heads)):
            rel = g.deprels[i].split(":")[0]
            seen[rel] += 1
            right[rel] += g.heads[i] == p.heads[i] and rel == p.deprels[i].split(":")[0]
    return {rel: 100 * right[rel] / seen[rel] for rel in seen if seen[rel] >= 100}, dict(seen)


rel_las, rel_count = per_relation(dev_sents, neural_dev)
full.keep("per-relation LAS", rel_las)
full.keep("per-relation count", {r: rel_count[r] for r in rel_las})
stored_las, stored_count = full["per-relation LAS"], full["per-relation count"]
order = sorted(stored_las, key=stored_las.get)
fig, ax = plt.subplots(figsize=(9, 4.2))
x = np.arange(len(order))
ax.bar(x - 0.2, [stored_las[r] for r in order], 0.4, label=full.label)
ax.bar(x + 0.2, [rel_las.get(r, np.nan) for r in order], 0.4,
       label="this run (quick)" if QUICK else "this run")  # fmt: skip
ax.set_xticks(x, [f"{r}\n{stored_count[r]:,}" for r in order], rotation=60, fontsize=8)
ax.set_xlabel("gold relation (words in LinES dev)")
ax.set_ylabel("LAS (%)")
ax.set_ylim(0, 100)
ax.set_title("Neural parser on LinES dev: labelled attachment score per relation")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Predict, then run.** Which relation is the hardest of those above, and why? Before
# you look at the bars: think about which attachments need knowledge of the world rather
# than of grammar (*eat pizza with a fork* vs *eat pizza with anchovies*).

# %%
hardest = order[:4]
print(f"hardest in the {full.label}: " + ", ".join(f"{r} ({stored_las[r]:.0f} %)" for r in hardest))
print("easiest: " + ", ".join(f"{r} ({stored_las[r]:.0f} %)" for r in order[-4:]))

# %% [markdown]
# Relations that the tags and the word order nearly decide (a determiner attaches to the
# noun after it, a preposition to the noun it introduces) should be easy; attachments
# that need the meaning of the words, where a prepositional phrase or a clause attaches
# (`obl`, `nmod`, `advcl`, `acl`) and what a conjunction joins (`conj`), should be
# hard for a greedy parser that sees a few words around the stack's top. The two groups,
# in the full run:


# %%
def group_las(relations):
    """The LAS of the words whose gold relation is one of ``relations`` (stored counts)."""
    kept = [r for r in relations if r in stored_las]
    words = sum(stored_count[r] for r in kept)
    return sum(stored_las[r] * stored_count[r] for r in kept) / words


for group in (["det", "case", "amod"], ["obl", "nmod", "advcl", "acl", "conj"]):
    print(f"{', '.join(group):<28} {group_las(group):5.1f} % LAS")

# %% [markdown]
# A parser that reads the whole sentence before it decides (a BiLSTM, or a transformer
# as in topic 4.3) has the most to gain on the second group.
#
# ## 8. The full run's numbers
#
# The full run trained both parsers on all of LinES train. On LinES test (the same kind
# of text as training) and on EWT dev and test (web text: reviews, e-mails, forum
# posts), with gold UPOS tags:

# %%
evaluation = {"LinES test": test, "EWT dev": ewt["dev"], "EWT test": ewt["test"]}
if QUICK:  # the quick run's parsers saw 200 sentences: score them on a slice only
    evaluation = {name: part[:100] for name, part in evaluation.items()}
final = {}
for name, part in evaluation.items():
    for model, parser in (("perceptron", perceptron["dynamic"]), ("neural", neural)):
        score = evaluate(part, parser.parse(part))
        final[f"{model}, {name} UAS"] = score.uas
        final[f"{model}, {name} LAS"] = score.las
full.table(final, title="UAS and LAS (%), gold UPOS")

# %% [markdown]
# How much each parser loses when the text changes from LinES (manuals and novels) to
# EWT (reviews, e-mails, forum posts: informal, with typos, fragments and words LinES
# never shows, annotated by other people with some choices of their own), in the full
# run:

# %%
stored = {key: full[key] for key in final}
for model in ("perceptron", "neural"):
    drop = stored[f"{model}, LinES test LAS"] - stored[f"{model}, EWT test LAS"]
    print(f"{model}: LAS {stored[f'{model}, LinES test LAS']:.1f} on LinES test, "
          f"{stored[f'{model}, EWT test LAS']:.1f} on EWT test: {drop:.1f} points lower")  # fmt: skip

# %% [markdown]
# What to take away:
#
# - a dependency tree gives each word one head and one relation; CoNLL-U stores it one
#   word a line;
# - arc-standard and arc-eager build projective trees in 2n transitions; a static
#   oracle turns each gold tree into the transitions that build it, and a dynamic oracle
#   says what is best after a mistake;
# - a classifier over configurations makes a parser that runs in linear time; the
#   neural one learns its feature combinations instead of having them written down;
# - UAS and LAS count words with the right head (and relation), per word, punctuation
#   included.
#
# Exercise 2.7 (`journey check 2.7`) asks you to write the arc-standard static oracle
# and the whole derivation, graded on every LinES dev tree and on random trees.
