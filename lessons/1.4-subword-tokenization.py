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
# # 1.4 Subword tokenization
#
# A language model reads integers, not text. The tokenizer decides which integers: one per
# word would need an endless vocabulary (every name, typo and new word), one per character
# makes sequences long and leaves the model to learn spelling. Every modern LLM sits in
# between: frequent words are one token, rare words are built from pieces.
#
# This lesson builds byte-pair encoding (BPE) from the bytes up, trains it on Tiny
# Shakespeare, then opens the real tokenizers of GPT-2, Llama 2, Llama 3, BERT and
# SmolLM2 (all run by our own code, `nlpjourney.tokenizers`, which the tests hold to the
# exact ids of tiktoken and Hugging Face `tokenizers`). Set `JOURNEY_QUICK=1` for a
# smaller run.

# %%
import html
import itertools
import math
import os
import tempfile
import time
from collections import Counter

import matplotlib.pyplot as plt
from IPython.display import HTML, display

from nlpjourney import data
from nlpjourney.course import check, diagrams
from nlpjourney.course.results import FullRun
from nlpjourney.tokenizers import Tokenizer, basic_bpe, load, train_bpe, train_unigram
from nlpjourney.tokenizers.byte_level import compile_pattern
from nlpjourney.tokenizers.unigram import viterbi

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("1.4")  # the full run's stored numbers, shown beside this run's own
shakespeare = data.path("tinyshakespeare").read_text(encoding="utf-8")
print(f"Tiny Shakespeare: {len(shakespeare):,} characters")
print(shakespeare[:200])

# %% [markdown]
# ## 1. Text is bytes
#
# A Python string is a sequence of Unicode *code points*; there are over a million
# possible, about 150,000 of them assigned. Stored or sent, text is *bytes*: UTF-8 writes
# ASCII as one byte each and everything else as two to four.
#
# **Predict:** how many bytes does the waving hand with a skin tone, "👋🏽", take? (It
# looks like one character.)

# %%
for text in ["hello", "héllo", "日本語", "👋🏽"]:
    encoded = text.encode("utf-8")
    print(f"{text!r:>10}: {len(text)} code points, {len(encoded)} bytes: {list(encoded)}")

# %% [markdown]
# Eight: it is two code points (the hand and a skin-tone modifier), four bytes each.
#
# Starting from bytes gives a tokenizer two gifts: a base vocabulary of exactly 256
# symbols, and no unknown input ever, because every string, in any script, with any
# emoji, is some sequence of bytes. The price is length: a byte sequence is longer than
# the text's words. BPE buys the length back by learning which byte sequences are common
# and giving each of them one id.
#
# ## 2. The merge loop, by hand
#
# BPE training repeats three steps: count every pair of neighbouring symbols, take the
# most frequent pair, and replace each of its occurrences by a new symbol. On the classic
# example "aaabdaaabac" the pair `aa` is the most frequent, so it becomes symbol 256, and
# so on. When two pairs are equally frequent we take the smaller pair (comparing ids), so
# the result never depends on the order pairs happened to be counted in.


# %%
def pair_counts(ids):
    return Counter(zip(ids, ids[1:], strict=False))


def replace_pair(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_by_recounting(text, n_merges):
    ids, merges = list(text.encode("utf-8")), []
    for step in range(n_merges):
        counts = pair_counts(ids)
        if not counts:
            break
        best = max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]))
        merges.append(best)
        ids = replace_pair(ids, best, 256 + step)
    return merges, ids


merges, ids = train_by_recounting("aaabdaaabac", 3)
print("merges:", merges, "-> ids:", ids)
assert (merges, ids[:2]) == ([(97, 97), (97, 98), (256, 257)], [258, 100])
assert pair_counts([1, 2, 3, 1, 2]) == basic_bpe.get_pair_counts([1, 2, 3, 1, 2])
assert replace_pair([1, 2, 3, 1, 2], (1, 2), 9) == basic_bpe.merge([1, 2, 3, 1, 2], (1, 2), 9)

# %% [markdown]
# The same loop on real text. We keep a table from each id to its bytes, so we can read
# what every merge made. Then we check our merges against the library's `train_simple`,
# which follows the same rules.
#
# **Predict:** Shakespeare's most common words are "the", "and", "I". Will the first
# tokens BPE learns be such words, or something smaller?

# %%
sample = shakespeare[: 20_000 if QUICK else 100_000]
n_merges = 40 if QUICK else 120
start = time.perf_counter()
merges, ids = train_by_recounting(sample, n_merges)
seconds = time.perf_counter() - start
token_bytes = {i: bytes([i]) for i in range(256)}
for step, (a, b) in enumerate(merges):
    token_bytes[256 + step] = token_bytes[a] + token_bytes[b]
first_learned = [token_bytes[256 + i].decode() for i in range(20)]
print("first 20 tokens learned:", first_learned)
print(f"{len(sample.encode()):,} bytes -> {len(ids):,} tokens in {seconds:.1f} s")
full.keep("first 20 tokens, no pattern", first_learned)
print(f"BPE by recounting, {n_merges} merges")
full.table(
    {"sample bytes": len(sample.encode()), "bytes per token": len(sample.encode()) / len(ids)},
)
if QUICK:
    print("the full run's first 20 tokens:", full["first 20 tokens, no pattern"])
library_merges, _ = basic_bpe.train_simple(sample, 256 + n_merges)
assert merges == library_merges
print("our merges == nlpjourney.tokenizers.basic_bpe.train_simple")

# %% [markdown]
# Look at the first tokens (the full run's, printed last in quick mode): mostly pieces, two
# letters or a letter and a space. A pair is counted wherever it occurs, and "e" followed
# by a space ends thousands of different words; a whole word like "the " can only be made
# from pieces made before it, so words come later.
#
# **Exercise: decode.** `token_bytes` maps every id to its bytes. Write `my_decode`, which
# turns a list of ids back into text; decoding the sample's ids must give the sample.


# %%
def my_decode(ids, token_bytes):
    return None  # your code


# %%
check(
    "decoding the sample's ids gives the sample",
    my_decode(ids, token_bytes),
    sample,
    hint="join the bytes of every id first and turn bytes into text once, at the end: "
    "a character's bytes can be split across two tokens",
)

# %% [markdown]
# The cell below picks out the learned tokens that end a word with the space after it
# (like "e " or "s "): the loop merges the end of one word with the space before the next,
# because to it the text is one long string. Notice also the cost: every merge recounts
# every pair of the whole text, so training is (merges x text length). A real tokenizer
# learns 50,000 merges on gigabytes. The fix is to count once and, after each merge,
# correct only the counts of the pairs around the places that changed; exercise 1.4 asks
# you to write that, and `nlpjourney.tokenizers.train_bpe` does it at scale.


# %%
def ends_a_word(token):
    return token[-1] in " \n" and not token[:-1].isspace()


ends_words = [t for t in first_learned if ends_a_word(t)]
print("this run's first tokens that end a word:", ends_words)
if QUICK:
    full_first = full["first 20 tokens, no pattern"]
    print("the full run's:", [t for t in full_first if ends_a_word(t)])

# %% [markdown]
# ## 3. Why a split pattern
#
# Merging across spaces wastes the vocabulary on fragments like "e t" and "d, a", and
# makes the same word tokenize differently depending on what stands next to it ("dog."
# "dog!" "dog?"). GPT-2's answer: before BPE, cut the text with a regular expression into
# *pre-tokens* (a word with its leading space, a run of digits, a run of punctuation) and
# never merge across their edges. Here is GPT-2's pattern at work:

# %%
gpt2_split = compile_pattern("gpt2")
print(gpt2_split.findall("Hello world! It's 2024, and I've   3 dogs."))

# %% [markdown]
# Train byte-level BPE with and without the pattern on the same text and count the
# learned tokens that hold a space in the middle, i.e. that cross a word boundary:


# %%
def crosses_words(token):
    # With the pattern a space can only start a token; anywhere else it joins two words.
    return b" " in token[1:]


n_vocab = 256 + n_merges
with_pattern = train_bpe([sample], n_vocab, pattern="gpt2", progress=False)
learned = [t for t, i in with_pattern.vocab.items() if i >= 256]
without = [token_bytes[256 + i] for i in range(n_merges)]
print("Learned tokens that cross words")
full.table(
    {
        "learned tokens": len(without),
        "crossing words, no pattern": sum(map(crosses_words, without)),
        "crossing words, GPT-2 pattern": sum(map(crosses_words, learned)),
    },
)
print("tokens learned with the pattern:", sorted(t.decode() for t in learned)[:20])

# %% [markdown]
# ## 4. Training for real, and tokenizing with it
#
# `train_bpe` counts the pre-tokens once (in parallel for large inputs), then learns merges
# with incremental pair counts. Its merges are exactly those of Hugging Face's
# `BpeTrainer` (the tests check this up to 8,192 tokens). It returns a tokenizer; encoding
# applies the merges in the order they were learned, inside each pre-token.

# %%
start = time.perf_counter()
shakespeare_bpe = train_bpe(
    [shakespeare[: 200_000 if QUICK else None]], 1000, special_tokens=["<|endoftext|>"]
)
print(f"trained {shakespeare_bpe.vocab_size} tokens in {time.perf_counter() - start:.1f} s")
line = "ROMEO: Wherefore art thou, gentle Juliet?<|endoftext|>"
ids = shakespeare_bpe.encode(line)
print(ids)
print([shakespeare_bpe.id_to_token(i) for i in ids])
assert shakespeare_bpe.decode(ids) == line

# %% [markdown]
# The "Ġ" is how byte-level tokenizers *print* a space: GPT-2's files store tokens as
# text, so each of the 256 bytes has a visible stand-in character, and the space byte's
# is "Ġ". The special token `<|endoftext|>` was matched whole before any splitting, so it
# is one id, not thirteen bytes.
#
# A tokenizer is better seen than read. This helper colours each token:


# %%
def show_tokens(tokenizer, text):
    ids = tokenizer.encode(text)
    colours = itertools.cycle(["#fde2a7", "#c9e7f5", "#d7f0c4", "#f6c9d8", "#e2d6f5"])
    spans = []
    for i, colour in zip(ids, colours, strict=False):
        piece = html.escape(tokenizer.decode([i])).replace(" ", "&nbsp;")
        spans.append(f'<span title="{i}" style="background:{colour}">{piece}</span>')
    display(HTML(f"<p style='font-family:monospace'>{''.join(spans)}</p>"))
    print(f"{len(ids)} tokens for {len(text)} characters")


show_tokens(shakespeare_bpe, "ROMEO: Wherefore art thou, gentle Juliet? I am a cyberneticist.")

# %% [markdown]
# Words Shakespeare uses often are single tokens; a word he never wrote falls apart into
# pieces, but it is still encoded: nothing is unknown.
#
# ## 5. GPT-2's tokenizer and its quirks
#
# `load("gpt2")` reads OpenAI's own files (50,257 tokens: 256 bytes, 50,000 merges and
# `<|endoftext|>`). A few things every user of an LLM should know about it.
#
# **Predict:** do "hello" and " hello" (with a space in front) get the same id?

# %%
gpt2 = load("gpt2")
for text in ["hello", " hello", "Hello", " HELLO", "hello "]:
    ids = gpt2.encode(text)
    print(f"{text!r:>10} -> {ids} {[gpt2.id_to_token(i) for i in ids]}")

# %% [markdown]
# **Spaces belong to the next word.** " hello" and "hello" are different tokens, and a
# trailing space becomes its own token, which is why a prompt ending in a space makes a
# model's continuation odd. Capitals are different tokens too.
#
# **How a word becomes tokens.** Inside one pre-token, encoding starts from the bytes and
# applies merges by *rank*: of all neighbouring pairs that have a merge, the one learned
# earliest is joined first, and again, until no neighbouring pair has a merge.
#
# **Predict:** into how many of GPT-2's tokens does " tokenization" fall, and how many
# merges does it take to get there?

# %%
diagrams.bpe_merging(" tokenization", gpt2.merges, title="GPT-2 merges ' tokenization'")

# %% [markdown]
# Eleven merges make two tokens, " token" and "ization". Early merges (low rank) join
# common pairs like "␣t" and "on"; the rare joins come last. Each row's highlighted token
# is the one just made. (Pictures drawn by `nlpjourney.course.diagrams`.)
#
# **Exercise: encode a word with ranked merges.** Write `my_bpe_word(word, ranks)`: start
# from the word's bytes as one-byte `bytes` objects and apply the merges by rank, as the
# picture does. `ranks` maps a pair of byte strings to its rank in GPT-2's merge list.


# %%
def my_bpe_word(word, ranks):
    return None  # your code


# %%
ranks = {pair: rank for rank, pair in enumerate(gpt2.merges)}
check(
    "' antidisestablishment' in GPT-2's tokens",
    my_bpe_word(" antidisestablishment", ranks),
    [gpt2.decode([i]).encode() for i in gpt2.encode(" antidisestablishment")],
    hint="at each step look at every neighbouring pair, join the one with the smallest "
    "rank wherever it occurs, and stop when no neighbouring pair is in ranks",
)

# %% [markdown]

# **Numbers are cut wherever the merges happen to fall.** GPT-2 has merges for many
# digit sequences, so a long number splits into irregular chunks. Llama 3 (like GPT-4)
# cuts digits into groups of at most three before BPE, and SmolLM2 into single digits,
# which makes arithmetic far more regular for the model:

# %%
llama3 = load("llama3")
smollm2 = load("smollm2")
for name, tokenizer in [("gpt2", gpt2), ("llama3", llama3), ("smollm2", smollm2)]:
    for number in ["2024", "12345678", "3.14159"]:
        pieces = [tokenizer.decode([i]) for i in tokenizer.encode(number)]
        print(f"{name:>8} {number:>10}: {pieces}")

# %% [markdown]
# **Glitch tokens.** GPT-2's tokenizer was trained on different text from the model. Some
# strings that were common in the tokenizer's data, like the Reddit user name
# " SolidGoldMagikarp", got their own token but almost never appeared in the model's
# training text, so the model never learned what to do with them and behaved strangely
# when asked to repeat them. The longest tokens in the vocabulary show how odd that data was:

# %%
print("' SolidGoldMagikarp' ->", gpt2.encode(" SolidGoldMagikarp"))
longest = sorted(range(50_000), key=lambda i: -len(gpt2.decode([i])))[:8]
print([gpt2.decode([i]) for i in longest])

# %% [markdown]
# **Other languages cost more.** A tokenizer learns the merges of its training text. On
# the same captions in English, German and French (Multi30k), count the tokens per word:

#
# **Predict:** of English, German and French, which costs GPT-2 the most tokens per word?

# %%
from nlpjourney.data import corpora  # noqa: E402

n_lines = 300 if QUICK else 2000
captions = {lang: corpora.multi30k("train", lang)[:n_lines] for lang in ["en", "de", "fr"]}
tokenizers_to_compare = {
    "gpt2": gpt2,
    "llama3": llama3,
    "llama2": load("llama2"),
    "bert-uncased": load("bert-uncased"),
}
per_word = {}
for name, tokenizer in tokenizers_to_compare.items():
    for lang, lines in captions.items():
        words = sum(len(line.split()) for line in lines)
        tokens = sum(len(tokenizer.encode(line)) for line in lines)
        per_word[name, lang] = tokens / words
print(f"Tokens per word on {n_lines:,} Multi30k captions")
full.table(
    {f"{name} {lang}": value for (name, lang), value in per_word.items()},
)
costliest = max(captions, key=lambda lang: per_word["gpt2", lang])
print(f"costliest for GPT-2: {costliest}, {per_word['gpt2', costliest]:.2f} tokens per word")

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
width = 0.25
for k, lang in enumerate(captions):
    values = [per_word[name, lang] for name in tokenizers_to_compare]
    xs = [j + (k - 1) * width for j in range(len(tokenizers_to_compare))]
    bars = ax.bar(xs, values, width, label=lang)
    ax.bar_label(bars, fmt="%.2f", fontsize=7)
ax.set_xticks(range(len(tokenizers_to_compare)), list(tokenizers_to_compare))
ax.set_xlabel("tokenizer")
ax.set_ylabel("tokens per word")
ax.set_title("The same captions (Multi30k) in three languages")
ax.set_ylim(0, max(per_word.values()) * 1.3)
ax.legend(title="language", ncol=3, loc="upper center")
fig.tight_layout()
fig.savefig(os.path.join(tempfile.gettempdir(), "lesson-1.4-tokens-per-word.png"), dpi=80)
plt.show()

# %% [markdown]
# GPT-2 learned its merges on English web text: German and French captions cost it more
# tokens per word, so they fill the context window faster and cost more per request.
# Llama 3's 128,000-token vocabulary, trained on more languages, narrows the gap. The cell
# below prints that gap from the full run's numbers (the table above has this run's too).

# %%
for name in ["gpt2", "llama3"]:
    costs = {lang: full[f"{name} {lang}"] for lang in ["en", "de", "fr"]}
    ratios = ", ".join(f"{lang} {costs[lang] / costs['en']:.2f}x" for lang in ["de", "fr"])
    print(f"full run, {name}: {costs['en']:.2f} tokens per English word; {ratios} English")
#
# ## 6. WordPiece and Unigram, side by side
#
# BPE is one answer to "which pieces?". Two others are in wide use:
#
# - **WordPiece** (BERT): lower-cases and splits words at spaces and punctuation first,
#   then cuts each word greedily, longest known piece first, marking pieces that continue
#   a word with `##`. A word it cannot spell becomes `[UNK]`.
# - **SentencePiece-style** tokenizers (Llama 2) treat the space as a visible character
#   "▁" instead of a boundary, so the text can be rebuilt exactly; Llama 2 uses BPE with
#   a *byte fallback*: a character outside the vocabulary is spelled as `<0xNN>` bytes.
# - **Unigram** (T5, ALBERT, many SentencePiece models) scores pieces instead of merging
#   them: each piece has a log probability, and the tokenizer picks the segmentation with
#   the highest total.

# %%
sentence = "Tokenizers aren't magic: naïve café owners in 日本 say 👋"
for name in ["gpt2", "llama2", "bert-uncased"]:
    tokenizer = tokenizers_to_compare[name]
    print(f"{name:>12}: {[tokenizer.id_to_token(i) for i in tokenizer.encode(sentence)]}")

# %% [markdown]
# BERT lower-cased, stripped the accents ("naive", "cafe"), split the Chinese characters
# apart, and gave up on the emoji (`[UNK]`): it is not in its vocabulary, and WordPiece
# has no bytes to fall back on. Llama 2 kept everything, spelling the emoji
# in bytes. GPT-2's pieces print oddly because they are byte stand-ins, but it too keeps
# everything.
#
# Now Unigram. We train one on Shakespeare: it starts from many candidate pieces and, with
# EM, learns their probabilities, pruning the least useful until the vocabulary is small
# enough.

# %%
start = time.perf_counter()
unigram_lines = shakespeare[: 40_000 if QUICK else 300_000].splitlines()
unigram = train_unigram(unigram_lines, 400 if QUICK else 1000)
print(f"trained {unigram.vocab_size} pieces in {time.perf_counter() - start:.1f} s")
pieces = {p: s for p, s in unigram.scores.items() if p not in unigram.special_tokens}
best_pieces = sorted(pieces.items(), key=lambda kv: -kv[1])[:12]
print("most probable pieces:", [piece for piece, _ in best_pieces])

# %% [markdown]
# To tokenize a word, Unigram considers every way of cutting it into known pieces and
# keeps the most probable. For a short word we can simply list them all:


# %%
def segmentations(word, scores):
    if not word:
        yield []
        return
    for end in range(1, len(word) + 1):
        if word[:end] in scores:
            for rest in segmentations(word[end:], scores):
                yield [word[:end], *rest]


word = "▁thousand"
options = sorted(
    ((sum(unigram.scores[p] for p in cut), cut) for cut in segmentations(word, unigram.scores)),
    reverse=True,
)
for score, cut in options[:5]:
    print(f"{score:8.2f}  {cut}")
print(f"... {len(options)} ways in all")

# %% [markdown]
# The number of ways grows exponentially with the word's length, so the library does not
# list them: Viterbi's algorithm keeps, for each position, only the best way to reach it,
# and gets the same answer in time proportional to (length x longest piece).

# %%
spans = viterbi(word, unigram.scores, max(map(len, unigram.scores)), -math.inf)
assert [word[a:b] for a, b, _ in spans] == options[0][1]
print("Viterbi:", [word[a:b] for a, b, _ in spans], "== the best of the list")
print([unigram.id_to_token(i) for i in unigram.encode("Wherefore art thou Romeo?")])

# %% [markdown]
# ## 7. Chat templates
#
# A chat model was fine-tuned on conversations laid out in one exact format, with special
# tokens marking who speaks. Feeding it a conversation in any other layout hurts its
# answers. The format ships with the model as a small Jinja template; the tokenizer
# renders it. SmolLM2 uses the `<|im_start|>` / `<|im_end|>` layout:

# %%
messages = [
    {"role": "system", "content": "You answer in one short sentence."},
    {"role": "user", "content": "What is a token?"},
]
prompt = smollm2.apply_chat_template(messages, add_generation_prompt=True)
print(prompt)
ids = smollm2.encode(prompt)
print(
    "special tokens in the prompt:",
    [smollm2.id_to_token(i) for i in ids if i in smollm2.special_tokens.values()],
)

# %% [markdown]
# `add_generation_prompt=True` ends the text with the header of the assistant's turn, so
# the model's next tokens are its answer. Llama 3's template is different, with its own
# special tokens, though the conversation is the same:

# %%
print(llama3.apply_chat_template(messages, add_generation_prompt=True))

# %% [markdown]
# ## 8. Saving a tokenizer
#
# Our tokenizers save in Hugging Face's `tokenizer.json` format, so the tokenizer you train
# here can be loaded by the `tokenizers` library (the tests check that it gives the same
# ids), and read back by ours:

# %%
path = shakespeare_bpe.save(os.path.join(tempfile.mkdtemp(), "tokenizer.json"))
reloaded = Tokenizer.from_file(path)
assert reloaded.encode(line) == shakespeare_bpe.encode(line)
print(f"saved {path.stat().st_size:,} bytes, reloaded: {reloaded}")

# %% [markdown]
# ## What you built
#
# - the BPE merge loop by hand, equal to the library's `train_simple`, and its decoder;
# - why byte-level BPE needs a split pattern, measured;
# - encoding a word by ranked merges, as GPT-2 does, step by step;
# - a Unigram segmentation by listing every cut, equal to Viterbi.
#
# Exercise 1.4 (`journey check 1.4`) asks you to write `get_pair_counts`, `merge` and a
# training loop, then a trainer fast enough that it cannot recount the corpus for every
# merge. Next, topic 1.5 gives tokens meaning: word embeddings.
