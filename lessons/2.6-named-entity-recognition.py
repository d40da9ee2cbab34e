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
# # 2.6 Named entity recognition: from rules to a CRF to a fine-tuned transformer
#
# A **named entity** is a stretch of text that names a particular thing: a person
# (*Peter Blackburn*), a place (*Brussels*), an organisation (*European Commission*), or
# something else with a name (*German*, *Tour de France*). Named entity recognition (NER)
# finds those stretches and says what kind each is. This lesson works on **CoNLL-2003**,
# Reuters news from 1996 tagged with four types: PER, LOC, ORG and MISC. You build:
#
# 1. entities as **spans**, and the tag schemes that write spans as one tag per token
#    (IOB1, IOB2, BIOES);
# 2. **entity-level** precision, recall and F1, and why token accuracy misleads;
# 3. a **gazetteer** (a list of names) built from the training data, and what it misses;
# 4. the **linear-chain CRF**: token features, the score of a whole tag path, the forward
#    algorithm for the normaliser, and a CRF trained on CoNLL-2003;
# 5. a **fine-tuned transformer** (all-MiniLM-L6-v2) labelling the first piece of each word;
# 6. an **error analysis** of the best model: what kinds of mistakes remain, with examples.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved.
#
# Set `JOURNEY_QUICK=1` for a fast run: the CRF trains on a slice of the training data and
# the transformer is not fine-tuned. `scripts/run_lessons.py` ran this lesson in full once
# and stored its numbers in `lessons/results/2.6/`; the cells print them beside your run's,
# and the prose quotes only numbers that a cell prints.

# %%
import itertools
import os
import time
from collections import Counter, defaultdict

import matplotlib.pyplot as plt
import numpy as np

from nlpjourney.course import check
from nlpjourney.course.ner_diagrams import entity_schemes_figure, forward_lattice_figure
from nlpjourney.course.results import FullRun
from nlpjourney.data import corpora

try:  # shows a bare matplotlib Figure in a notebook; a script prints instead
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("2.6")  # the stored full run of this lesson: its numbers, beside this run's
np.set_printoptions(precision=3, suppress=True)
TYPES = ("PER", "LOC", "ORG", "MISC")

# %% [markdown]
# ## 1. The data: CoNLL-2003
#
# Each sentence is a list of rows, one per token: the word, its part of speech, its
# syntactic chunk, and its entity tag. The training split (*eng.train*) has 14,041
# sentences; we measure on the development split (*eng.testa*, 3,250 sentences) and never
# train on it.

# %%
train_rows = corpora.conll2003("train")
dev_rows = corpora.conll2003("testa")
train_words = [[row[0] for row in s] for s in train_rows]
train_tags = [[row[3] for row in s] for s in train_rows]
dev_words = [[row[0] for row in s] for s in dev_rows]
dev_tags = [[row[3] for row in s] for s in dev_rows]
print(f"train: {len(train_words):,} sentences, {sum(map(len, train_words)):,} tokens; "
      f"testa: {len(dev_words):,} sentences, {sum(map(len, dev_words)):,} tokens")  # fmt: skip
print("tags:", sorted({t for tags in train_tags for t in tags}))
for row in train_rows[0]:
    print(f"  {row[0]:<10} {row[1]:<5} {row[2]:<6} {row[3]}")

# %% [markdown]
# ## 2. Entities are spans; tags are one way to write them
#
# What we want from a sentence is a set of **spans**: (type, first token, one past the
# last token). *EU rejects German call* holds (ORG, 0, 1) and (MISC, 2, 3). A tagger
# outputs one tag per token, so the spans must be written as tags. Three schemes:
#
# - **IOB2** (also called BIO): `B-X` begins an entity of type X, `I-X` continues it, `O`
#   is outside every entity.
# - **IOB1**, the scheme of the original CoNLL-2003 release: `I-X` for every token of an
#   entity; `B-X` only for the first token of an entity that directly follows another
#   entity of the same type (so the two stay apart).
# - **BIOES**: like IOB2, plus `E-X` for the last token of a longer entity and `S-X` for
#   an entity of a single token.
#
# Which scheme does our copy of CoNLL-2003 use? In IOB2 every entity starts with `B-`;
# in IOB1 most start with `I-`. Count the `I-` tags that open an entity (after `O` or
# after another type):

# %%
opening_i = sum(tag.startswith("I-") and before[2:] != tag[2:]
                for tags in train_tags for before, tag in zip(["O"] + tags[:-1], tags, strict=True))  # fmt: skip
print(f"I- tags that open an entity in eng.train: {opening_i}; "
      f"B- tags: {sum(t.startswith('B-') for tags in train_tags for t in tags):,}")  # fmt: skip

# %% [markdown]
# None: this copy is written in IOB2 (many copies of CoNLL-2003 in circulation are; the
# original files use IOB1). Read spans out of IOB2 tags: an entity starts at `B-X`,
# continues through the `I-X` after it, and ends at anything else. (An `I-X` that does not
# continue an X entity starts a new one, as the CoNLL scorer reads it.) Then write the
# same spans in IOB1.


# %%
def spans_iob2(tags):
    """IOB2 tags -> a list of (type, start, end), end exclusive."""
    spans, kind, start = [], None, 0
    for i, tag in enumerate(list(tags) + ["O"]):  # the extra O closes the last entity
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and label == kind
        if kind is not None and not continues:
            spans.append((kind, start, i))
            kind = None
        if prefix in ("B", "I") and not continues:
            kind, start = label, i
    return spans


def iob2_to_iob1(tags):
    """IOB2 -> IOB1: every entity's tokens are I-X, except the first token of an entity
    that directly follows an entity of the same type, which stays B-X."""
    out = ["O"] * len(tags)
    last_end, last_kind = -1, None
    for kind, start, end in spans_iob2(tags):
        out[start:end] = ["I-" + kind] * (end - start)
        if start == last_end and kind == last_kind:
            out[start] = "B-" + kind
        last_end, last_kind = end, kind
    return out


train_iob1 = [iob2_to_iob1(tags) for tags in train_tags]
print(spans_iob2(train_tags[0]))
print(train_tags[0], "->", train_iob1[0])
print(f"B- tags left in IOB1: {sum(t.startswith('B-') for tags in train_iob1 for t in tags)}")

# %% [markdown]
# Now meet the library's version, checked equal: `convert_scheme` converts between the
# schemes, on every training sentence.

# %%
from nlpjourney.tagging.ner import convert_scheme  # noqa: E402

assert all(
    convert_scheme(x, "IOB2", "IOB1") == y for x, y in zip(train_tags, train_iob1, strict=True)
)
assert all(
    convert_scheme(y, "IOB1", "IOB2") == x for x, y in zip(train_tags, train_iob1, strict=True)
)
print(
    "convert_scheme(IOB2 -> IOB1) equals ours, and back, on all",
    f"{len(train_tags):,} train sentences",
)

# %% [markdown]
# ### Exercise 1: IOB2 to BIOES
#
# Write `to_bioes(tags)`: the same spans in BIOES. A token that begins an entity is `B-X`
# if the entity goes on, `S-X` if it is a single token; a token inside an entity is `I-X`
# if the entity goes on after it, `E-X` if it is the entity's last.


# %%
def to_bioes(tags):
    """IOB2 tags -> BIOES tags (the same spans)."""
    return list(tags)  # your code


# %%
sample = [train_tags[i] for i in range(0, len(train_tags), 50)]
check("to_bioes on every 50th train sentence",
      [to_bioes(tags) for tags in sample],
      [convert_scheme(tags, "IOB2", "BIOES") for tags in sample],
      hint="a tag's BIOES letter depends on the next tag: does the entity continue "
           "there (an I- of the same type)?")  # fmt: skip

# %% [markdown]
# The picture below draws one training sentence in all three schemes, with the spans
# they agree on. (IOB1's `B-` shows up only where two entities of one type touch, which
# is rare: the count above says how rare; the sentence drawn has one.)

# %%
shown = next(i for i, tags in enumerate(train_iob1)
             if 6 <= len(tags) <= 12 and any(t.startswith("B-") for t in tags))  # fmt: skip
display(entity_schemes_figure(
    train_words[shown],
    {"IOB1": train_iob1[shown], "IOB2": train_tags[shown],
     "BIOES": convert_scheme(train_tags[shown], "IOB2", "BIOES")},
    spans_iob2(train_tags[shown]),
    title=f"train sentence {shown}: three tag schemes, one set of spans"))  # fmt: skip

# %% [markdown]
# ## 3. Scoring: entities, not tokens
#
# A predicted entity counts only if its type and both of its boundaries equal a gold
# entity's. **Precision** is the share of predicted entities that are right, **recall**
# the share of gold entities found, **F1** their harmonic mean. These are the CoNLL-2003
# shared task's measures (its `conlleval` script), summed over all sentences (micro
# average).


# %%
def entity_scores(gold, predicted):
    """Micro precision, recall and F1 over sentences of IOB2 tags."""
    right = found = wanted = 0
    for g, p in zip(gold, predicted, strict=True):
        gold_spans, pred_spans = set(spans_iob2(g)), set(spans_iob2(p))
        right += len(gold_spans & pred_spans)
        found += len(pred_spans)
        wanted += len(gold_spans)
    precision = right / found if found else 0.0
    recall = right / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def token_accuracy(gold, predicted):
    pairs = [
        (g, p) for gs, ps in zip(gold, predicted, strict=True) for g, p in zip(gs, ps, strict=True)
    ]
    return sum(g == p for g, p in pairs) / len(pairs)


# %% [markdown]
# **Predict, then run.** A "tagger" that says `O` for every token of testa. What is its
# token accuracy: about 10 %, 50 % or over 80 %? And its entity F1?

# %%
all_o = [["O"] * len(tags) for tags in dev_tags]
print(f"all-O tagger on testa: token accuracy {token_accuracy(dev_tags, all_o):.1%}, "
      f"entity F1 {entity_scores(dev_tags, all_o)[2]:.1%}")  # fmt: skip
print(f"share of testa tokens inside an entity: "
      f"{np.mean([t != 'O' for tags in dev_tags for t in tags]):.1%}")  # fmt: skip

# %% [markdown]
# Most tokens are outside every entity, so a tagger that finds nothing is right about
# most tokens. Token accuracy also gives partial credit: a tagger that finds *Blackburn*
# but not *Peter* gets one of two tokens right, yet the entity *Peter Blackburn* is
# still wrong. Entity F1 counts what a user of NER gets.
#
# Now meet the library's version, checked equal: `nlpjourney.evaluate.sequence` computes
# seqeval's numbers (the Python port of conlleval). We check it on a copy of testa with
# errors put in on purpose: every tenth entity loses its first token.

# %%
from nlpjourney.evaluate import sequence  # noqa: E402

damaged = []
for k, tags in enumerate(dev_tags):
    tags = list(tags)
    for j, (_, start, _) in enumerate(spans_iob2(tags)):
        if (k + j) % 10 == 0:
            tags[start] = "O"
    damaged.append(tags)
mine = entity_scores(dev_tags, damaged)
theirs = (sequence.precision_score(dev_tags, damaged), sequence.recall_score(dev_tags, damaged),
          sequence.f1_score(dev_tags, damaged))  # fmt: skip
assert np.allclose(mine, theirs)
print("precision, recall, F1 of the damaged copy:", np.round(mine, 4), "(ours = the library's)")

# %% [markdown]
# ## 4. A gazetteer: the names we have already seen
#
# The oldest NER systems were lists of names (**gazetteers**) and hand-written rules.
# The training data gives us a list for free: every entity in eng.train, with the type it
# had most often. To tag a sentence, scan it left to right and, at each position, take the
# **longest** listed name that starts there (so *New York Stock Exchange* wins over *New
# York*); tokens that start no name are `O`.

# %%
seen_types = defaultdict(Counter)  # phrase (tuple of words) -> how often each type
for words, tags in zip(train_words, train_tags, strict=True):
    for kind, start, end in spans_iob2(tags):
        seen_types[tuple(words[start:end])][kind] += 1
# each name's most frequent type (a tie goes to the alphabetically first)
gazetteer = {
    phrase: min(types, key=lambda t: (-types[t], t)) for phrase, types in seen_types.items()
}
longest = max(map(len, gazetteer))
print(f"{len(gazetteer):,} distinct names, the longest {longest} tokens")


def gazetteer_tags(words):
    """IOB2 tags from the gazetteer: longest match first, left to right."""
    tags, i = ["O"] * len(words), 0
    while i < len(words):
        for length in range(min(longest, len(words) - i), 0, -1):
            kind = gazetteer.get(tuple(words[i : i + length]))
            if kind is not None:
                tags[i : i + length] = ["B-" + kind] + ["I-" + kind] * (length - 1)
                i += length
                break
        else:
            i += 1
    return tags


# %% [markdown]
# **Predict, then run.** On testa, will the gazetteer's precision be higher than its
# recall, about the same, or lower? Think of what makes it miss an entity, and what makes
# it tag something that is not one.

# %%
gaz_dev = [gazetteer_tags(words) for words in dev_words]
p, r, f = entity_scores(dev_tags, gaz_dev)
full.table({"gazetteer precision": p, "gazetteer recall": r, "gazetteer F1": f},
           "the gazetteer from eng.train, on testa")  # fmt: skip

# %% [markdown]
# Now meet the library's version, checked equal: `gazetteer_from` builds the same list
# from tagged sentences, and `GazetteerMatcher` tags with it, longest match first.

# %%
from nlpjourney.tagging.ner import GazetteerMatcher, gazetteer_from  # noqa: E402

matcher = GazetteerMatcher(gazetteer_from(train_words, train_tags))
assert matcher.predict(dev_words) == gaz_dev
print("GazetteerMatcher tags testa exactly as our gazetteer_tags")

# %% [markdown]
# Rules are the other old tool. The library's `RuleMatcher` has two by default: a run of
# capitalised words after a title (*Mr.*, *Mrs.*, *Dr.*...) is a person, and any other run
# of capitalised words away from the sentence start is an organisation, a guess. Scoring
# its spans twice, once with their types and once with every type replaced by one, shows
# what capitalisation finds and what it cannot say:

# %%
from nlpjourney.tagging.ner import RuleMatcher  # noqa: E402


def untyped(tag_lists):
    """Every entity type replaced by X: scores boundaries only."""
    return [[t if t == "O" else t[:2] + "X" for t in tags] for tags in tag_lists]


rules_dev = RuleMatcher().predict(dev_words)
full.table({"rules F1, with types": entity_scores(dev_tags, rules_dev)[2],
            "rules F1, spans only": entity_scores(untyped(dev_tags), untyped(rules_dev))[2],
            "gazetteer F1, spans only": entity_scores(untyped(dev_tags), untyped(gaz_dev))[2]},
           "capitalisation rules on testa")  # fmt: skip

# %% [markdown]
# Capitalisation finds the boundaries of many names, yet a type guessed from the shape
# alone is mostly wrong: the gap between the two rows is the type. The gazetteer knows
# the types of the names it lists, and nothing of the others.

# %% [markdown]
# Where do its misses come from? Split testa's entities in two: those whose exact words
# appear as an entity somewhere in eng.train (**seen**), and the rest (**unseen**).

# %%
found_by_kind = Counter()
for words, gold, pred in zip(dev_words, dev_tags, gaz_dev, strict=True):
    pred_spans = set(spans_iob2(pred))
    for span in spans_iob2(gold):
        seen = tuple(words[span[1] : span[2]]) in gazetteer
        found_by_kind[("seen" if seen else "unseen", span in pred_spans)] += 1
seen_total = found_by_kind[("seen", True)] + found_by_kind[("seen", False)]
unseen_total = found_by_kind[("unseen", True)] + found_by_kind[("unseen", False)]
full.table({"testa entities seen in train": seen_total / (seen_total + unseen_total),
            "gazetteer recall, seen": found_by_kind[("seen", True)] / seen_total,
            "gazetteer recall, unseen": found_by_kind[("unseen", True)] / unseen_total},
           "seen and unseen names")  # fmt: skip

# %% [markdown]
# An unseen name is never found: the list cannot grow by itself. A seen name is found
# most of the time but not always, for two reasons. A longer listed name can swallow it
# or cut it wrongly, and a name can have more than one type. The training data shows how
# often a name is ambiguous:

# %%
ambiguous = {phrase: types for phrase, types in seen_types.items() if len(types) > 1}
print(f"{len(ambiguous):,} of {len(seen_types):,} names have more than one type in train")
for phrase in sorted(ambiguous, key=lambda p: -sum(ambiguous[p].values()))[:6]:
    print(f"  {' '.join(phrase):<14} {dict(ambiguous[phrase].most_common())}")
print("  Washington    ", dict(seen_types[("Washington",)].most_common()))

# %% [markdown]
# *Washington* is a place (LOC) in most sentences, but also a person (PER, the name of
# players in sports results) and part of team names; the gazetteer always says its most
# frequent type. Telling them apart needs the context: the words around the name, and
# the tags the model gives them. That is what the next model uses.

# %% [markdown]
# ## 5. The linear-chain CRF
#
# ### Features of a token
#
# A feature-based tagger sees each token as a bag of **attributes**, strings that say
# what the token looks like and what surrounds it: `lower=blackburn`, `shape=Xxxxx`,
# `w[-1]=peter`. The model learns one weight per attribute and tag (so `shape=Xxxxx`
# can push towards B-PER and away from O) and adds a token's weights up into one score
# per tag: its **emission** scores. Here are a few attributes by hand:


# %%
def shape(word):
    """Capitals to X, small letters to x, digits to d, the rest kept."""
    return "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
                   for c in word)  # fmt: skip


def my_attributes(words, i):
    word = words[i]
    out = [f"lower={word.lower()}", f"shape={shape(word)}", f"s3={word[-3:].lower()}"]
    out.append(f"w[-1]={words[i - 1].lower()}" if i else "BOS")
    out.append(f"w[+1]={words[i + 1].lower()}" if i + 1 < len(words) else "EOS")
    return out


example = train_words[3]
print(" ".join(example))
for i in range(3):
    print(f"  {example[i]:<10} {my_attributes(example, i)}")

# %% [markdown]
# The library's `ner_features` writes the classic CoNLL-2003 set (word, shape, prefixes
# and suffixes of 1 to 4 letters, case flags, the part-of-speech and chunk columns, the
# words two either side, and a few more). Now meet it; ours name their attributes the
# same way, and the cell checks which of ours it has too.

# %%
from nlpjourney.tagging.features import ner_features  # noqa: E402

theirs = ner_features(train_rows[3])
print(f"ner_features gives token 0 {len(theirs[0])} attributes, e.g. {theirs[0][:8]}")
for i in range(3):
    missing = [a for a in my_attributes(example, i) if a not in theirs[i]]
    print(f"  {example[i]:<10} ours not in theirs: {missing}")

# %% [markdown]
# ### The score of a whole tag path
#
# A per-token classifier picks each token's best tag alone. A **linear-chain CRF** scores
# a whole path of tags `y` at once:
#
# $$\text{score}(y) = \text{start}[y_0] + \sum_t \text{emit}[t, y_t] + \sum_{t \ge 1} T[y_{t-1}, y_t] + \text{end}[y_{n-1}]$$
#
# where `T[i, j]` scores tag `i` followed by tag `j`. The transitions are what a
# per-token classifier lacks: with a large negative `T[O, I-PER]` the model can learn that
# an entity never starts with `I-`. The CRF turns scores into probabilities over all
# paths, $p(y) = \exp(\text{score}(y)) / Z$, where $Z$ sums $\exp(\text{score})$ over every
# path. Training maximises the log-probability of the gold paths, so it needs $\log Z$.
#
# A toy first: three tokens, three tags, scores written by hand.

# %%
toy_tags = ["O", "B-PER", "I-PER"]
toy_words = ["Peter", "Blackburn", "said"]
emit = np.array([[0.5, 2.0, 1.0],    # Peter: looks like a name
                 [0.8, 0.6, 1.2],    # Blackburn: a name, or the town
                 [2.5, 0.0, -1.0]])  # said: not a name  # fmt: skip
T = np.array([[0.5, 0.0, -4.0],      # O -> I-PER is (nearly) forbidden
              [0.0, -1.0, 2.0],      # B-PER -> I-PER is common
              [0.3, -1.0, 0.5]])  # fmt: skip
start, end = np.array([0.2, 0.0, -4.0]), np.zeros(3)


def path_score(emit, T, path, start, end):
    score = start[path[0]] + end[path[-1]]
    for t, tag in enumerate(path):
        score += emit[t, tag] + (T[path[t - 1], tag] if t else 0.0)
    return float(score)


paths = list(itertools.product(range(3), repeat=len(toy_words)))
scores = np.array([path_score(emit, T, p, start, end) for p in paths])
log_z_brute = float(np.log(np.exp(scores).sum()))  # fine here: 27 small numbers
probabilities = np.exp(scores - log_z_brute)
for k in np.argsort(-scores)[:4]:
    print(f"{' '.join(toy_tags[j] for j in paths[k]):<20} score {scores[k]:5.2f}  "
          f"p = {probabilities[k]:.3f}")  # fmt: skip
print(
    f"{len(paths)} paths, log Z = {log_z_brute:.4f}, probabilities sum to {probabilities.sum():.6f}"
)

# %% [markdown]
# **Predict, then run.** CoNLL-2003 in IOB2 has 9 tags, and its sentences run to 40
# tokens and more. How many tag paths does a 40-token sentence have? Could a computer
# list them all to get $Z$?

# %%
print(f"9 ** 40 = {9**40:.2e} paths; at a billion paths a second that is "
      f"{9**40 / 1e9 / 3.15e7:.1e} years")  # fmt: skip

# %% [markdown]
# ### The forward algorithm
#
# The paths share their beginnings, so the sum can be built left to right. Let
# `alpha[t, j]` be the log of the sum of $\exp(\text{score})$ of every path **prefix**
# that ends with tag `j` at position `t`. The first column is `start + emit[0]`. Every
# prefix ending in `j` at `t` is a prefix ending in some `i` at `t - 1`, plus the step
# `T[i, j]` and the emission `emit[t, j]`, so
#
# $$\alpha[t, j] = \log \sum_i \exp(\alpha[t-1, i] + T[i, j]) + \text{emit}[t, j]$$
#
# and $\log Z = \log \sum_j \exp(\alpha[n-1, j] + \text{end}[j])$: $n K^2$ steps instead
# of $K^n$ paths. The picture shows one step, into `alpha[2, 0]`:

# %%
display(forward_lattice_figure(toy_words, toy_tags, step=2, target=0))

# %% [markdown]
# A log of a sum of exponentials is computed **stably** by first taking out the largest
# term, $m = \max_i x_i$: $\log\sum_i e^{x_i} = m + \log\sum_i e^{x_i - m}$. Every
# exponent is then at most 0, so nothing overflows. A trained CRF's path scores reach the
# hundreds; `exp(1000)` is already infinite in float64:

# %%
x = np.array([1000.0, 999.0, 990.0])
with np.errstate(over="ignore"):
    print(
        "naive:", np.log(np.exp(x).sum()), "  stable:", x.max() + np.log(np.exp(x - x.max()).sum())
    )


def logsumexp(x, axis=None):
    m = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.exp(x - m).sum(axis=axis))


# %% [markdown]
# ### Exercise 2: one forward step
#
# Write `forward_step(alpha_prev, T, emit_row)`: given the (K,) column `alpha[t-1]`, the
# (K, K) transitions and the (K,) emissions of position `t`, return the (K,) column
# `alpha[t]`. Use `logsumexp` from the cell above (it takes an `axis`).


# %%
def forward_step(alpha_prev, T, emit_row):
    """alpha[t] from alpha[t-1]: log-sum over the previous tag, plus the emissions."""
    return np.zeros_like(emit_row)  # your code


# %%
alpha0 = start + emit[0]
# brute force: alpha[1, j] sums over the 3 prefixes (i, j) of length 2
want = np.array([np.log(sum(np.exp(start[i] + emit[0, i] + T[i, j] + emit[1, j]) for i in range(3)))
                 for j in range(3)])  # fmt: skip
check("forward_step: alpha[1] of the toy", forward_step(alpha0, T, emit[1]), want,
      hint="make a (K, K) table whose row i, column j is alpha_prev[i] + T[i, j], "
           "log-sum-exp it down the rows (over i), then add the emissions")  # fmt: skip

# %% [markdown]
# The whole forward pass repeats the step; its $\log Z$ equals the brute force's. Now
# meet the library's version, checked equal: `nlpjourney.tagging.crf.log_partition`.

# %%
from nlpjourney.tagging import crf as crf_math  # noqa: E402


def forward(emit, T, start, end):
    alpha = np.empty_like(emit)
    alpha[0] = start + emit[0]
    for t in range(1, len(emit)):
        alpha[t] = logsumexp(alpha[t - 1][:, None] + T, axis=0) + emit[t]
    return alpha, float(logsumexp(alpha[-1] + end))


alpha, log_z = forward(emit, T, start, end)
assert np.isclose(log_z, log_z_brute)
assert np.isclose(log_z, crf_math.log_partition(emit, T, start, end))
assert np.allclose(alpha, crf_math.forward_log_alphas(emit, T, start, end))
print(f"log Z: forward {log_z:.6f}, brute force {log_z_brute:.6f}, library "
      f"{crf_math.log_partition(emit, T, start, end):.6f}")  # fmt: skip

# %% [markdown]
# ### Training a CRF on CoNLL-2003
#
# The library's `CRF` learns the weights: one per (attribute, tag) pair, the transitions,
# and start and end scores, by maximising the log-probability of the gold paths (with the
# forward algorithm for $\log Z$, and its mirror image, the backward algorithm, for the
# gradient) minus an L2 penalty, with L-BFGS. It tags by Viterbi decoding (topic 2.5),
# the best path under the same scores. Quick mode trains on a slice of eng.train for a
# few iterations; the full run on all of it.

# %%
from nlpjourney.tagging.crf import CRF  # noqa: E402

if QUICK:
    crf_train, crf_iterations = slice(0, 1000), 20
else:
    crf_train, crf_iterations = slice(None), 100
started = time.perf_counter()
crf = CRF(c2=0.1, max_iter=crf_iterations).fit(train_rows[crf_train], train_tags[crf_train])
crf_seconds = time.perf_counter() - started
crf_dev = crf.predict(dev_rows)
p, r, f = entity_scores(dev_tags, crf_dev)
print(f"trained on {len(train_rows[crf_train]):,} sentences, {crf_iterations} iterations, "
      f"in {crf_seconds:.0f} s; {len(crf.attributes_):,} attributes, {len(crf.tags_)} tags")  # fmt: skip
full.table({"CRF precision": p, "CRF recall": r, "CRF F1": f},
           "the CRF on testa")  # fmt: skip

# %% [markdown]
# Unlike the gazetteer, the CRF can find names it has never seen: their shape, their
# suffixes and the words around them give them away. The cell measures its recall on the
# testa entities that are not in the gazetteer, and counts what it makes of every
# *Washington* in testa (the gazetteer says LOC every time):

# %%
unseen_found = Counter()
for words, gold, pred in zip(dev_words, dev_tags, crf_dev, strict=True):
    pred_spans = set(spans_iob2(pred))
    for span in spans_iob2(gold):
        if tuple(words[span[1] : span[2]]) not in gazetteer:
            unseen_found[span in pred_spans] += 1
washington = Counter()
for words, gold, pred in zip(dev_words, dev_tags, crf_dev, strict=True):
    for i, word in enumerate(words):
        if word == "Washington" and gold[i] != "O":
            washington[(gold[i][2:], pred[i][2:] or "O")] += 1
full.table({"CRF recall, unseen names": unseen_found[True] / sum(unseen_found.values())},
           "names the gazetteer cannot find")  # fmt: skip
print("'Washington' in testa, (gold type, CRF type): count", dict(washington))
people = sum(n for (gold, _), n in washington.items() if gold == "PER")
print(f"the CRF tags {washington[('PER', 'PER')]} of the {people} Washingtons that are people as PER; "
      f"the gazetteer none")  # fmt: skip

# %% [markdown]
# ### The real model, by hand
#
# The trained weights are plain arrays: `state_weights_` (attributes x tags),
# `transitions_`, `start_` and `end_`. A sentence's emissions are the sums of its
# attributes' rows; with them, our `forward` gives $\log Z$ of a real sentence, the
# probability of the CRF's own path, and the library's functions agree.

# %%
attribute_row = {a: i for i, a in enumerate(crf.attributes_)}


def emissions_of(model, rows):
    """(n, K): each token's summed attribute weights."""
    out = np.zeros((len(rows), len(model.tags_)))
    for t, attributes in enumerate(ner_features(rows)):
        known = [attribute_row[a] for a in attributes if a in attribute_row]
        out[t] = model.state_weights_[known].sum(axis=0)
    return out


s = next(i for i, words in enumerate(dev_words) if 12 <= len(words) <= 20)
E = emissions_of(crf, dev_rows[s])
best = [crf.tags_.index(tag) for tag in crf_dev[s]]
alpha, log_z = forward(E, crf.transitions_, crf.start_, crf.end_)
assert np.isclose(log_z, crf_math.log_partition(E, crf.transitions_, crf.start_, crf.end_))
best_score = path_score(E, crf.transitions_, best, crf.start_, crf.end_)
print(" ".join(dev_words[s]))
print(f"{len(dev_words[s])} tokens, {len(crf.tags_)} ** {len(dev_words[s])} = "
      f"{len(crf.tags_) ** len(dev_words[s]):.1e} paths; log Z = {log_z:.2f}")  # fmt: skip
print(f"the CRF's path: {' '.join(crf_dev[s])}")
print(f"its score {best_score:.2f}, probability {np.exp(best_score - log_z):.3f}")

# %% [markdown]
# **Predict, then run.** Use the same trained weights but pick each token's tag on its
# own, by its emissions alone (no transitions). How many times will that produce an
# `I-X` that does not continue an `X` entity (after `O`, or after another type)? And how
# many times does the CRF's Viterbi path do it?


# %%
def broken_starts(tag_lists):
    """How many I-X tags do not follow B-X or I-X: impossible in IOB2."""
    count = 0
    for tags in tag_lists:
        for before, tag in zip(["O"] + list(tags[:-1]), tags, strict=True):
            count += tag.startswith("I-") and before[2:] != tag[2:]
    return count


compared = slice(0, 1000) if QUICK else slice(None)  # quick: the first 1,000 testa sentences
per_token = [[crf.tags_[j] for j in emissions_of(crf, rows).argmax(axis=1)]
             for rows in dev_rows[compared]]  # fmt: skip
full.table({"I- starts, per-token argmax": broken_starts(per_token),
            "I- starts, CRF (Viterbi)": broken_starts(crf_dev[compared]),
            "F1, per-token argmax": entity_scores(dev_tags[compared], per_token)[2],
            "F1, CRF (Viterbi)": entity_scores(dev_tags[compared], crf_dev[compared])[2]},
           "the same weights, decoded token by token or as a path")  # fmt: skip

# %% [markdown]
# Token by token, some entities start with `I-` (scorers start a new entity there, often
# with the wrong boundary) or switch type in the middle. The transitions make such paths
# score badly, and Viterbi picks the best whole path. (These weights were trained for the
# path model; a classifier trained token by token would learn different weights, but it
# would still have no way to see its neighbours' tags.)

# %% [markdown]
# ## 6. A fine-tuned transformer
#
# The CRF's attributes were chosen by people. A pretrained transformer (topic 4.3) has
# learned from a large amount of text a vector for every token in its context. **Fine-
# tuning for token classification** puts a linear layer on top of the encoder's last layer
# that turns each vector into one score per tag, and trains the whole network on the
# tagged sentences with cross-entropy.
#
# One detail: the transformer reads **WordPiece** pieces, not words, and a rare word
# becomes several pieces. The tags belong to words, so each word's tag goes on its
# **first** piece; the other pieces get the label -100, which the loss skips, and a
# prediction is read at each word's first piece. Here is a sentence through the tokenizer
# of all-MiniLM-L6-v2, the small encoder we fine-tune (it lower-cases its input: the
# library's `BertTagger` gives the network each word's case as an extra input, since
# case is a strong clue for names).

# %%
from nlpjourney.tokenizers import load as load_tokenizer  # noqa: E402

wordpiece = load_tokenizer("bert-uncased")  # all-MiniLM-L6-v2's vocabulary
s = next(i for i, words in enumerate(train_words) if 8 <= len(words) <= 14
         and any(len(wordpiece.encode(w)) > 2 for w in words)
         and sum(t != "O" for t in train_tags[i]) >= 3)  # fmt: skip
print(f"{'piece':<14} {'word':<14} label")
for word, tag in zip(train_words[s], train_tags[s], strict=True):
    for k, piece in enumerate(wordpiece.encode(word)):
        print(f"{wordpiece.id_to_token(piece):<14} {word if k == 0 else '':<14} "
              f"{tag if k == 0 else '-100 (not scored)'}")  # fmt: skip

# %% [markdown]
# In full mode the next cell fine-tunes the library's `BertTagger` (all-MiniLM-L6-v2,
# six layers) for one epoch on the first 4,000 sentences of eng.train (several minutes
# on a laptop CPU): a short run that shows how far a pretrained encoder gets from little
# data, not the full training, which takes all of eng.train and several epochs. Quick
# mode skips it and prints the stored full run's numbers.

# %%
if not QUICK:
    import torch

    from nlpjourney.tagging.bert import BertTagger

    bert_train = slice(0, 4000)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.perf_counter()
    bert = BertTagger(epochs=1, seed=0, device=device).fit(
        train_words[bert_train], train_tags[bert_train], progress=True
    )
    bert_seconds = time.perf_counter() - started
    bert_dev = bert.predict(dev_words)
    p, r, f = entity_scores(dev_tags, bert_dev)
    full.keep("bert", {"precision": p, "recall": r, "f1": f, "seconds": bert_seconds,
                       "sentences": len(train_words[bert_train]), "epochs": 1})  # fmt: skip
stored_bert = full["bert"]
print(f"BertTagger, {stored_bert['epochs']} epoch on {stored_bert['sentences']:,} sentences "
      f"({full.label}): testa precision {stored_bert['precision']:.3f}, recall "
      f"{stored_bert['recall']:.3f}, F1 {stored_bert['f1']:.3f}")  # fmt: skip

# %% [markdown]
# The models side by side, with what each was trained on. (Each row is this lesson's
# full run; the library's own benchmarks train longer.)

# %%
if not QUICK:
    full.keep("models", {
        "gazetteer (all of eng.train)": entity_scores(dev_tags, gaz_dev)[2],
        f"CRF ({crf_iterations} L-BFGS iterations, all of eng.train)": entity_scores(dev_tags, crf_dev)[2],
        f"BertTagger (1 epoch, {stored_bert['sentences']:,} sentences)": stored_bert["f1"],
    })  # fmt: skip
for name, f1 in full["models"].items():
    print(f"{name:<58} testa entity F1 {f1:.3f}")

# %% [markdown]
# ## 7. Error analysis: what the best model still gets wrong
#
# One F1 number hides what kind of mistakes a model makes. Sort every error into one of
# four kinds, by comparing each sentence's predicted spans with its gold spans:
#
# - **wrong type**: the right boundaries, the wrong type (*Washington* as LOC, gold PER);
# - **wrong boundary**: a predicted entity that overlaps a gold one without matching its
#   boundaries (*Blackburn* found, *Peter Blackburn* gold);
# - **missed**: a gold entity that no predicted entity touches;
# - **spurious**: a predicted entity that touches no gold entity.
#
# The best model of this run is analysed (in quick mode, the CRF trained on a slice);
# the stored table is the full run's best model.


# %%
def error_kinds(words_list, gold_list, pred_list, examples_per_kind=3):
    """Counts of the four error kinds, and a few examples of each (sentence order)."""
    counts, examples = Counter(), defaultdict(list)

    def text(words, span):
        return " ".join(words[span[1] : span[2]])

    for words, gold, pred in zip(words_list, gold_list, pred_list, strict=True):
        gold_spans, pred_spans = set(spans_iob2(gold)), set(spans_iob2(pred))

        def overlapping(span, others):
            return [o for o in others if o[1] < span[2] and span[1] < o[2]]

        for span in sorted(pred_spans - gold_spans, key=lambda x: x[1]):
            touched = overlapping(span, gold_spans)
            if not touched:
                kind, detail = "spurious", f"{text(words, span)!r} tagged {span[0]}"
            elif any(g[1:] == span[1:] for g in touched):
                g = next(g for g in touched if g[1:] == span[1:])
                kind, detail = "wrong type", f"{text(words, span)!r}: {span[0]}, gold {g[0]}"
            else:
                kind = "wrong boundary"
                detail = (f"{text(words, span)!r} ({span[0]}), gold "
                          f"{' / '.join(repr(text(words, g)) + ' (' + g[0] + ')' for g in touched)}")  # fmt: skip
            counts[kind] += 1
            if len(examples[kind]) < examples_per_kind:
                examples[kind].append(detail)
        for span in sorted(gold_spans - pred_spans, key=lambda x: x[1]):
            if not overlapping(span, pred_spans):
                counts["missed"] += 1
                if len(examples["missed"]) < examples_per_kind:
                    examples["missed"].append(f"{text(words, span)!r} ({span[0]})")
    return dict(counts), dict(examples)


def per_type_f1(gold_list, pred_list):
    right, found, wanted = Counter(), Counter(), Counter()
    for gold, pred in zip(gold_list, pred_list, strict=True):
        g, p = set(spans_iob2(gold)), set(spans_iob2(pred))
        for span in g & p:
            right[span[0]] += 1
        found.update(span[0] for span in p)
        wanted.update(span[0] for span in g)
    return {
        t: 2 * right[t] / (found[t] + wanted[t]) if found[t] + wanted[t] else 0.0 for t in TYPES
    }


candidates = {"CRF": crf_dev} if QUICK else {"CRF": crf_dev, "BertTagger": bert_dev}
best_name = max(candidates, key=lambda name: entity_scores(dev_tags, candidates[name])[2])
counts, examples = error_kinds(dev_words, dev_tags, candidates[best_name])
full.keep("errors", {"model": best_name, "counts": counts, "examples": examples})
KINDS = ("wrong type", "wrong boundary", "missed", "spurious")


def print_errors(errors, label):
    print(f"errors of the {errors['model']} on testa ({label})")
    print(f"{'kind':<16}{'count':>6}  examples")
    for kind in KINDS:
        shown = errors["examples"].get(kind, [])
        print(f"{kind:<16}{errors['counts'].get(kind, 0):>6}  {shown[0] if shown else ''}")
        for line in shown[1:]:
            print(f"{'':<24}{line}")


print_errors(full["errors"], "this run" if not QUICK else full.label)
if QUICK:
    print()
    print_errors({"model": best_name, "counts": counts, "examples": examples}, "this run (quick)")

# %% [markdown]
# Per type: F1 of each entity type, for the gazetteer and the models of the run.

# %%
per_type = {"gazetteer": per_type_f1(dev_tags, gaz_dev)}
per_type.update({name: per_type_f1(dev_tags, tags) for name, tags in candidates.items()})
full.keep("per-type F1", per_type)


def plot_per_type(per_type, label):
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    width = 0.8 / len(per_type)
    for k, (name, scores) in enumerate(per_type.items()):
        xs = np.arange(len(TYPES)) + (k - (len(per_type) - 1) / 2) * width
        ax.bar(xs, [scores[t] for t in TYPES], width, label=name)
    ax.set_xticks(np.arange(len(TYPES)), TYPES)
    ax.set_xlabel("entity type")
    ax.set_ylabel("entity F1 on testa")
    ax.set_ylim(0, 1.15)  # room above the bars for the legend
    ax.set_title(f"F1 per entity type ({label})")
    ax.legend(loc="upper center", ncol=len(per_type))
    fig.tight_layout()
    plt.show()


plot_per_type(per_type, "this run (quick)" if QUICK else "this run")
if QUICK:
    plot_per_type(full["per-type F1"], full.label)
for name, scores in full["per-type F1"].items():
    print(f"{name:<12}" + "  ".join(f"{t} {scores[t]:.3f}" for t in TYPES) + f"   ({full.label})")

# %% [markdown]
# The cell below reads the full run's numbers: each model's weakest type, and the most
# common kind of error of the best model.

# %%
for name, scores in full["per-type F1"].items():
    weakest = min(TYPES, key=lambda t: scores[t])
    print(f"{name:<12} weakest type {weakest} (F1 {scores[weakest]:.3f}), "
          f"strongest {max(TYPES, key=lambda t: scores[t])}")  # fmt: skip
stored_errors = full["errors"]
ranked = sorted(KINDS, key=lambda k: -stored_errors["counts"].get(k, 0))
print(f"the {stored_errors['model']}'s errors, most common first: "
      + ", ".join(f"{k} {stored_errors['counts'].get(k, 0)}" for k in ranked))  # fmt: skip

# %% [markdown]
# Three things to look for in the examples and the bars:
#
# - Many **wrong type** errors are names that the text uses for different kinds of
#   thing: in sports results a county or a country is the name of a team (ORG), and
#   elsewhere the place (LOC). Only the context decides, and the context of a results
#   table says little. *Washington* above was one such name.
# - **Wrong boundary** errors take a piece of a longer name for the whole, or a name and
#   its neighbour for one name. Where a name stops is decided by the annotation
#   guidelines (is the possessive *'s* part of *Lord 's*?) as much as by the language.
# - For the models, **ORG** and **MISC** are harder than PER and LOC: ORG shares its names
#   with LOC, and MISC gathers nationalities, events, titles and more. The gazetteer is
#   the other way round: many MISC entities are nationality words (*German*,
#   *British*) from a short list that eng.train covers, while people's names are the most
#   varied, so PER is its weakest type.
#
# ## Where next
#
# The library holds every piece for any tagged data: `convert_scheme` and the sequence
# scorer (`nlpjourney.evaluate.sequence`, equal to seqeval), `GazetteerMatcher` and
# `RuleMatcher`, the `CRF` with `ner_features`, and the neural taggers `BiLSTMCRF` and
# `BertTagger`; `journey ner train --model crf|bilstm-crf|bert` trains them from the
# command line. The exercise (`journey check 2.6`) asks you to write the CRF's path score
# and its forward algorithm, graded against brute force and against python-crfsuite's
# probabilities on CoNLL-2003. Topic 2.7 moves from tags to trees: dependency parsing.
