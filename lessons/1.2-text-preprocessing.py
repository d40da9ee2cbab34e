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
# # 1.2 Text preprocessing
#
# Before a model can count words, something has to decide what a word *is*. Is "don't" one
# word or two? Is the period in "Mr." the end of a sentence? Are "Café", "cafe" and "CAFE"
# the same? This lesson builds the answers on real text (SMS messages, the Brown corpus,
# US presidential addresses): a word tokenizer in the Penn Treebank convention, a sentence
# splitter that *learns* abbreviations from raw text (Punkt), and normalization steps,
# measuring what each one does to the vocabulary.
#
# Each piece is built in cells, checked against `nlpjourney.text`, and then the library
# takes over. Set `JOURNEY_QUICK=1` for a smaller run.

# %%
import math
import os
import re
import time
from collections import Counter

import matplotlib.pyplot as plt

from nlpjourney.data import corpora
from nlpjourney.text import normalize as nz
from nlpjourney.text import tokenize as tk

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
sms = [text for text, _ in corpora.sms_spam()]
print(f"{len(sms)} SMS messages; one of them:\n  {sms[7]!r}")

# %% [markdown]
# ## 1. Splitting at spaces is not enough
#
# The simplest tokenizer splits at whitespace. Look at what it calls a word: punctuation
# sticks to the words, so "day," "day." and "day" are three different tokens.

# %%
message = "I'm gonna be home soon and i don't want to talk about this stuff anymore tonight, k? I've cried enough today."
print(message.split())
space_vocab = Counter(tok for text in sms for tok in text.split())
print(
    "'day'-like tokens:",
    sorted(t for t in space_vocab if t.lower().strip(".,!?") == "day")[:12],
)

# %% [markdown]
# ## 2. A Treebank tokenizer, rule by rule
#
# The Penn Treebank convention, which NLTK's `word_tokenize` follows, is a cascade of
# rewrite rules. Each rule only **inserts spaces** around the pieces it wants separate;
# at the end we split at spaces. The main rules, in order:
#
# 1. a period at the very end of the sentence is split off (periods inside, as in "Mr."
#    or "3.88", stay: that is the sentence splitter's job);
# 2. commas and colons are split off, unless a digit follows ("3,000", "10:30");
# 3. `? ! ; @ # $ % &` are always their own tokens, and so are runs of dots ("...");
# 4. clitics come off their word: "don't" -> "do n't", "I'm" -> "I 'm", "we'll" -> "we 'll".
#
# Let's write these four for text without quotes or brackets, and check them against the
# library on every SMS message they cover.


# %%
def my_treebank(sentence):
    s = re.sub(r"([^.])(\.)\s*$", r"\1 \2 ", sentence)  # 1. the final period
    s = re.sub(r"([:,])([^\d])", r" \1 \2", s)  # 2. commas and colons ...
    s = re.sub(r"([:,])$", r" \1 ", s)  # ... also at the very end
    s = re.sub(r"\.{2,}", r" \g<0> ", s)  # 3. "..." and longer
    s = re.sub(r"[;@#$%&?!]", r" \g<0> ", s)
    s = f" {s} "
    s = re.sub(r"([^' ])('[sSmMdD]) ", r"\1 \2 ", s)  # 4. clitics: 's 'm 'd ...
    s = re.sub(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", r"\1 \2 ", s)  # ... 'll n't
    return s.split()


print(my_treebank(message))

# The four rules cover messages without quotes, brackets, dashes, asterisks or a few
# multi-word forms ("cannot" -> "can not", "gonna" -> "gon na") that the library also handles.
covered = [
    t for t in sms
    if not re.search(r"[\"'`()\[\]{}<>*\u2012-\u2015\-«»“”‘’„]|\.\s*\S*\.\s*$", t)
    and not re.search(r"(?i)\b(cannot|d'ye|gimme|gonna|gotta|lemme|more'n|wanna)\b", t)
]  # fmt: skip
agree = sum(my_treebank(t) == tk.treebank_tokenize(t) for t in covered)
print(f"cell-built == library on {agree} of {len(covered)} covered messages")
assert agree == len(covered)

# %% [markdown]
# The library adds the rest: opening and closing quotes (`"` becomes ` `` ` or `''`, as
# the Treebank writes them), brackets, dashes, and the multi-word forms. Its output equals
# NLTK's `NLTKWordTokenizer` on every SMS message, Brown sentence, State of the Union line
# and webtext line (the tests check it).

# %%
for text in ["\"Don't worry,\" she said. We'll see (maybe) -- gotta go!", sms[7]]:
    print(tk.treebank_tokenize(text))
treebank_vocab = Counter(tok for text in sms for tok in tk.treebank_tokenize(text))
print(f"vocabulary: {len(space_vocab)} types split at spaces, {len(treebank_vocab)} Treebank types")

# %% [markdown]
# ## 3. Where do sentences end?
#
# The Treebank tokenizer splits off only the *final* period, so first we need sentences.
# "Split after every period" fails on "Mr. Smith", "the U.S. Army", "J. R. R. Tolkien".
# A list of abbreviations would help, but every domain has its own. **Punkt** (Kiss and
# Strunk, 2006) learns the list from raw text, unsupervised: an abbreviation is a word
# that almost always carries its period, is short, and may contain inner periods.
#
# Count, for each word, how often it occurs with and without a final period, in the
# State of the Union addresses. Then score each candidate with the log-likelihood ratio
# of "the period belongs to the word" (P = 0.99) against "periods fall at random" (P =
# the overall share of period-final tokens), and scale it: short words and inner periods
# count for, occurrences without a period count against.

# %%
union = corpora.read_members("state_union", "state_union/", "iso-8859-2")
addresses = list(union.values())[: 20 if QUICK else None]
raw_tokens = [t.lower() for text in addresses for t in tk.regexp_tokenize(text, r"[\w.'-]+")]
counts = Counter(raw_tokens)
n_tokens, n_period = len(raw_tokens), sum(t.endswith(".") for t in raw_tokens)


def abbreviation_score(word):
    with_period, without = counts[word + "."], counts[word]
    p = n_period / n_tokens
    null = with_period * math.log(p) + without * math.log(1 - p)
    alternative = with_period * math.log(0.99) + without * math.log(1 - 0.99)
    log_likelihood = -2 * (null - alternative)
    periods = word.count(".") + 1
    letters = len(word) - periods + 1
    return log_likelihood * math.exp(-letters) * periods * letters ** (-without)


candidates = {t[:-1] for t in counts if t.endswith(".") and re.search(r"[a-z]", t)}
scores = sorted(((abbreviation_score(w), w) for w in candidates), reverse=True)
print("highest scores:", [(w, round(s, 1)) for s, w in scores[:12]])
print(
    "some words:", {w: round(abbreviation_score(w), 3) for w in ["mr", "u.s", "dr", "year", "it"]}
)
cell_abbreviations = {w for s, w in scores if s >= 0.3}

# %% [markdown]
# Words scoring at least 0.3 are abbreviations. The library trains the whole of Punkt on
# the same addresses (with its own word splitter, plus the collocation, sentence-starter
# and letter-case statistics). The core abbreviations agree:

# %%
start = time.perf_counter()
splitter = tk.train_sentence_splitter(addresses)
print(f"trained in {time.perf_counter() - start:.1f} s")
print("library abbreviations:", sorted(splitter.abbreviations))
for word in ["mr", "mrs", "u.s"]:
    assert word in cell_abbreviations and word in splitter.abbreviations, word
print("sentence starters (sample):", sorted(splitter.sentence_starters)[:15])

# %% [markdown]
# At splitting time, a period-final word is a sentence end unless it is an abbreviation;
# then the next word decides. "Mr. Smith": *Smith* is seen capitalized inside sentences,
# so no break. "in the U.S. She": *She* is a frequent sentence starter, so a break after
# all. Initials before a capitalized name never seen in lower case stay joined.

# %%
text = (
    "Mr. Smith went to Washington. He met J. R. R. Tolkien at 5 p.m. in the U.S. "
    'She said "No." Then he left... Why? See No. 5 there.'
)
for sentence in tk.sentence_split(text):
    print(" |", sentence)
print(tk.word_tokenize("Mr. Smith isn't here. He left at 5 p.m. today."))

# %% [markdown]
# ## 4. Normalization, and what it does to the vocabulary
#
# Normalizing maps spellings of one word to one string. Each step below shrinks the
# vocabulary of the SMS messages; we measure by how much. The steps, in the order the
# library's `normalize` pipeline applies them: Unicode NFKC (compatibility characters
# such as "ﬁ" or "①" become "fi", "1"), expanding contractions, case folding, accents,
# punctuation.


# %%
def vocabulary(texts):
    return {tok for t in texts for tok in tk.treebank_tokenize(t)}


steps = {"raw": sms}
steps["NFKC"] = [nz.unicode_normalize(t, "NFKC") for t in steps["raw"]]
steps["contractions"] = [nz.expand_contractions(t) for t in steps["NFKC"]]
steps["casefold"] = [t.casefold() for t in steps["contractions"]]
steps["accents"] = [nz.strip_accents(t) for t in steps["casefold"]]
steps["punctuation"] = [nz.remove_punctuation(t, " ") for t in steps["accents"]]
sizes = {name: len(vocabulary(texts)) for name, texts in steps.items()}
print(sizes)
# The library's pipeline does the same steps (and tidies the spaces) in one call.
piped = [
    nz.normalize(t, contractions=True, accents=True, punctuation=True) for t in sms
]  # fmt: skip
assert all(
    p == nz.normalize_whitespace(s) for p, s in zip(piped, steps["punctuation"], strict=True)
)
assert piped == [nz.normalize(p, contractions=True, accents=True, punctuation=True) for p in piped]
print("pipeline == the steps above, and normalizing twice changes nothing")

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
bars = ax.bar(list(sizes), list(sizes.values()), color="tab:blue")
ax.bar_label(bars, fmt="%d")
ax.set_ylabel("vocabulary size (types)")
ax.set_title("SMS spam vocabulary after each normalization step")
ax.set_ylim(0, max(sizes.values()) * 1.15)
fig.tight_layout()
fig.savefig("/tmp/lesson-1.2-vocabulary.png", dpi=80)
plt.show()

# %% [markdown]
# Case folding is the big step: "Hello", "hello" and "HELLO" are one word now. Removing
# punctuation helps too, mostly by gluing emoticons and runs like "!!!" away.
#
# ## 5. Spelling correction
#
# SMS text is full of misspellings. Norvig's corrector proposes every string one edit
# away (delete, swap two neighbours, replace or insert a letter), keeps the ones seen in a
# big corpus (Brown), and picks the most frequent; if none is known, it tries two edits.


# %%
def edits1(word):
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + swaps + replaces + inserts)


corrector = nz.default_corrector()
for typo in ["tomorow", "recieve", "wat", "becos"]:
    mine = sorted(w for w in edits1(typo) if w in corrector.counts_)
    print(f"{typo!r}: {len(edits1(typo))} edits, known: {mine[:6]} -> {corrector.correct(typo)!r}")
    if mine:
        assert set(mine) == set(corrector.candidates(typo))

# %% [markdown]
# Look at "becos": one edit away lies "pecos" (a river in a Brown western), so the
# corrector never looks two edits away for "because". It knows only spellings and
# frequencies, not what the writer meant. Texting shorthand ("u", "ur", "2moro") is
# deliberate, and a corrector trained on 1960s prose has never seen it.
