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
# # 7.2 A specialised chatbot, end to end
#
# Lesson 6.1 ended with a chat loop: a list of messages, the model's chat template, and
# `generate`. That loop is a general chatbot, and it fails in two ways as soon as it is
# put to work for someone:
#
# - it does not know *their* facts (a company's handbook, a course's rules, a person's
#   notes): a 135-million-parameter model knows little, and nothing private;
# - it reads the whole conversation every turn, so a long conversation fills the
#   prompt: slow on a CPU, and past the context the model cannot read it at all.
#
# This lesson builds the two remedies and the rest of a chatbot around them:
#
# 1. the bare chat loop, failing at a question about the notes and at a long talk;
# 2. retrieval over the notes (2.8's BM25): cut the notes into passages, index them,
#    put the best passages with their sources into the prompt, and measure how often
#    the right passage comes back and how often the answer holds the fact;
# 3. memory: count a prompt's tokens with the chat template and, when the budget is
#    crossed, fold the oldest turns into a summary the model writes;
# 4. personas (system prompts), and conversations saved in SQLite and resumed;
# 5. the library's `Chatbot`, which does all of it, and the same bot over HTTP, through
#    `journey serve`'s OpenAI-compatible API (topic 6.2; lesson 6.3 puts a web page on it).
#
# The model is SmolLM2-135M-Instruct in full mode (minutes on a CPU). With
# `JOURNEY_QUICK=1` a *fake* model stands in for it (seconds): a small function that
# answers by copying the sentence of its prompt that shares most words with the
# question, and says "I don't know." when nothing in the prompt matches. That is a
# crude reader, but it reads only its prompt, as a language model does, so everything
# retrieval and memory put into the prompt shows in its answers. `scripts/run_lessons.py`
# ran the lesson in full mode once; its numbers and pictures are printed beside yours.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved).

# %%
import os
import re
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from nlpjourney import tokenizers
from nlpjourney.apps.chatbot import (
    PERSONAS,
    Chatbot,
    ConversationMemory,
    ConversationStore,
    FunctionChatModel,
    LlamaChatModel,
    NotesIndex,
    Persona,
    split_passages,
    with_notes,
)
from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.retrieval import BM25, InvertedIndex

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode" if QUICK else "full mode"
if QUICK:  # one thread beats several fighting over shared cores
    torch.set_num_threads(1)
full = FullRun("7.2")
WORK = Path(tempfile.mkdtemp(prefix="journey-7.2-"))  # the lesson's files: notes, SQLite

# %% [markdown]
# ## 1. The bare chat loop, and where it fails
#
# The notes this chatbot will serve: the staff handbook of a company that does not
# exist, Larkspur Robotics, written here so that no model has seen it. Five files, as a
# person's notes folder would hold them.

# %%
HANDBOOK = {
    "holidays.md": """# Holidays and leave

Everyone at Larkspur Robotics gets 27 days of paid holiday a year, on top of the public
holidays of the office they work in.

Up to five unused days carry over to the next year; the rest lapse on 31 March.

Book holiday in Tidewater, the staff portal, at least two weeks ahead for anything
longer than three days. Your team lead approves it.

Sick leave: tell your team lead before 10:00 on the first day. From the fourth day in a
row you need a note from a doctor.""",
    "expenses.md": """# Travel and expenses

The meal allowance on business trips is 40 euros a day; keep the receipts.

Expense claims go into Tidewater within 30 days of the trip, with a photo of each
receipt. Claims made later are paid only with the approval of finance.

Trains of under four hours are booked in second class. Fly only when the train takes
longer than six hours, and book through the travel desk, never yourself.""",
    "it.md": """# Laptops, badges and the network

The guest wifi is Larkspur-Guest; its password changes every Monday and reception has it.
Staff connect from home through the VPN, called Fernway.

Laptops are replaced every three years. Back up to the team drive, not to USB sticks.

A lost badge is reported at the security desk, B12, the same day. A new badge costs
15 euros.""",
    "office.md": """# The Utrecht office

The office is open from 07:00 to 20:00 on weekdays and closed at weekends.

Lunch is served in the canteen from 11:45 to 13:30. The coffee machine on the third
floor is the only one with oat milk.

Bikes go in the basement rack, never in the hall.""",
    "people.md": """# People and on-call

The HR contact is Priya Anand; write to priya.anand@larkspur.example.

Every engineer of the robot fleet team takes one on-call week in eight. An on-call
week pays 300 euros on top of the salary.

Each new starter has a buddy for the first three months.""",
}
# Questions whose answers are in the handbook: (question, what the answer must hold,
# "|" between equivalent ways to say it, the file it is in). The last one asks in other
# words than the handbook's.
QUESTIONS = [
    ("How many days of paid holiday do I get a year?", "27", "holidays.md"),
    ("What is the meal allowance on a business trip?", "40", "expenses.md"),
    ("Who is the HR contact?", "Priya", "people.md"),
    ("How much does a new badge cost?", "15", "it.md"),
    ("Which coffee machine has oat milk?", "third|3rd", "office.md"),
    ("What is the VPN called?", "Fernway", "it.md"),
    ("How much does an on-call week pay?", "300", "people.md"),
    ("Within how many days must expense claims be made?", "30", "expenses.md"),
    ("When is lunch served in the canteen?", "11:45", "office.md"),
    ("How many unused holiday days carry over?", "five|5", "holidays.md"),
    ("How much can I spend on food when I travel for work?", "40", "expenses.md"),
]


def holds(answer, fact):
    """Whether `answer` states `fact` (any of its "|"-separated forms, any case)."""
    return any(form.lower() in answer.lower() for form in fact.split("|"))


notes_dir = WORK / "notes"
notes_dir.mkdir()
for name, text in HANDBOOK.items():
    (notes_dir / name).write_text(text, encoding="utf-8")
print(f"{len(HANDBOOK)} note files, {sum(len(t.split()) for t in HANDBOOK.values())} words; "
      f"{len(QUESTIONS)} questions")  # fmt: skip

# %% [markdown]
# The model. A chatbot needs two things of it, and the library names them in a small
# protocol, `ChatModel`: `generate(messages, **settings)`, the reply to a list of chat
# messages, and `count_tokens(messages)`, how long those messages are once the chat
# template has rendered them. Counting is the template's job, not a word count: each
# message is wrapped in `<|im_start|>role ... <|im_end|>` markers, which cost tokens too.

# %%
tokenizer = tokenizers.load("smollm2")


def count_tokens(messages):
    """The prompt's length in tokens: rendered by the chat template, then encoded."""
    text = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True)
    return len(tokenizer.encode(text))


hello = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there!"}]
print(tokenizer.apply_chat_template(hello, add_generation_prompt=True))
print(f"{count_tokens(hello)} tokens for 4 words of content")
# The library's LlamaChatModel counts the same way (the tokenizer is all it needs for it).
assert count_tokens(hello) == LlamaChatModel(None, tokenizer).count_tokens(hello)

# %%
STOP = set("a an and are at do does for how i in is it many much my of on the to what "
           "when which who with you your me can".split())  # fmt: skip


def content_words(text):
    return {w for w in re.findall(r"[a-z0-9:@.-]+", text.lower().replace("?", "")) if w not in STOP}


def fake_reply(messages, **settings):
    """Quick mode's model: the prompt sentence sharing most words with the question.

    The question is the last user message (after "Question:" when notes come with it);
    the candidates are the sentences of everything else the prompt holds: the system
    message (and its summary), the earlier turns, and the notes.
    """
    last = messages[-1]["content"]
    notes, _, question = last.rpartition("Question:")
    context = [m["content"] for m in messages[:-1]] + [notes]
    sentences = [s.strip() for text in context for s in re.split(r"(?<=[.!?])\s+|\n", text)]
    wanted = content_words(question or last)
    score, best = max(((len(wanted & content_words(s)), s) for s in sentences if s),
                      default=(0, ""))  # fmt: skip
    if "summary of" in last.lower():  # asked to summarise: what the user said, oldest first
        earlier = re.search(r"arlier: The user said: ([^\n]*)", last)
        said = [earlier[1]] if earlier else []
        said += [" ".join(s.split()[:14]) for s in re.findall(r"User: ([^\n]*)", last)]
        words = " / ".join(said).split()[: settings.get("max_new_tokens", 48) // 2]
        return "The user said: " + " ".join(words)
    return best if score > 0 else "I don't know."


if QUICK:

    class QuickModel(FunctionChatModel):
        """fake_reply as a ChatModel, counting tokens with SmolLM2's chat template."""

        def count_tokens(self, messages):
            return count_tokens(messages)

    llm = QuickModel(fake_reply, name="fake reader")
else:
    llm = LlamaChatModel.load("smollm2-135m-instruct")
    assert llm.count_tokens(hello) == count_tokens(hello)
print(f"{MODE}: the model is {llm.name}")

# %% [markdown]
# The bare loop: a system message, the question, greedy decoding.
#
# **Predict:** asked "How many days of paid holiday do I get a year?" with nothing
# else, what does a small general model answer: "I don't know", or a number? Which
# would you rather it did?

# %%
SYSTEM = "You are a helpful assistant. Answer briefly and precisely."
SETTINGS = {"max_new_tokens": 48, "temperature": 0.0}
question, fact, source = QUESTIONS[0]
bare = llm.generate([{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                    **SETTINGS)  # fmt: skip
print(f"Q: {question}\nA: {bare}\nholds the fact {fact!r}: {holds(bare, fact)}")
full.keep("bare answer", bare)
if QUICK:
    print(f"SmolLM2's answer in the {full.label}: {full['bare answer']!r}")

# %% [markdown]
# SmolLM2 does not say it does not know: a language model writes the likely
# continuation, and a fluent, plausible answer is exactly that, whether or not it is
# true. (The fake model of quick mode can only say "I don't know.": nothing in its
# prompt matches.) Either way, the fact is not in the model; it has to be in the prompt.
#
# The second failure is the conversation's length. Every turn the whole conversation
# is sent again, so the prompt grows with every exchange:

# %%
chat = [{"role": "system", "content": SYSTEM}]
sizes = []
for turn in range(12):
    chat.append({"role": "user", "content": f"Tell me about topic number {turn} of the handbook, "
                 "in detail, with every rule it has and an example of each."})  # fmt: skip
    chat.append({"role": "assistant", "content": "Here is what it says. " * 12})
    sizes.append(count_tokens(chat))
BUDGET = 512
print("prompt tokens after each exchange:", sizes)
print(
    f"past a budget of {BUDGET} tokens after exchange {next(i for i, s in enumerate(sizes) if s > BUDGET) + 1}"
)

# %% [markdown]
# SmolLM2 reads 8,192 tokens, so this conversation would fit for a while yet; but a
# prompt of thousands of tokens takes seconds to read on a CPU before the first word of
# the answer, and every model has *some* limit. A chatbot sets itself a budget (here
# 512 tokens for the prompt and its reply) and must decide what to do when a
# conversation passes it. Dropping the oldest turns (what 6.1's `ChatSession` would have
# to do) forgets them for good: the user's name, said in the first turn, is gone.
#
# ## 2. Retrieval over the notes
#
# The fix for the first failure is to find, for each question, the few stretches of
# the notes that answer it, and to put them into the prompt. A whole note file is too
# long and mostly beside the point, so the notes are first cut into passages. The
# simplest cut is by paragraph (blank lines):

# %%
paragraphs = [(name, p.strip()) for name, text in HANDBOOK.items()
              for p in re.split(r"\n\s*\n", text) if p.strip()]  # fmt: skip
lengths = [len(p.split()) for _, p in paragraphs]
print(f"{len(paragraphs)} paragraphs, {min(lengths)} to {max(lengths)} words each")
print("the shortest:", [p for _, p in paragraphs if len(p.split()) == min(lengths)])

# %% [markdown]
# Paragraphs make uneven passages: a heading alone is a passage of three words that
# matches any question with "holiday" in it and answers none, and a long paragraph
# (in real notes) would crowd the prompt. The library's splitter evens them out:
# paragraphs are *joined* while the passage stays within `max_words`, and a paragraph
# longer than that is *cut* into pieces of `max_words` words.
#
# ### Exercise 1: the passage splitter
#
# Write it: go through the paragraphs in order, adding each one's words to the current
# passage; when a paragraph would take the passage past `max_words`, close the passage
# first; a paragraph longer than `max_words` on its own is cut into pieces of exactly
# `max_words` words (its last piece starts the next passage). Passages are the words
# joined by single spaces.


# %%
def split(text, max_words):
    """`text` cut into passages of at most `max_words` words (see above)."""
    return None  # your code


# %%
long_note = HANDBOOK["holidays.md"] + "\n\n" + " ".join(f"w{i}" for i in range(50))
for max_words in (8, 30, 50):
    check(f"split(holidays.md + a 50-word paragraph, {max_words})",
          split(long_note, max_words), split_passages(long_note, max_words),
          hint="keep a list of the current passage's words; close it before a paragraph "
               "that would not fit, and cut long paragraphs in a loop")  # fmt: skip

# %% [markdown]
# With passages of at most 40 words, every handbook file gives two or three. Each is
# indexed with 2.8's BM25 (the `InvertedIndex` with its analyzer: lower case, stop
# words out, stems), and a question's best `k` passages come back with their scores.

# %%
MAX_WORDS, K = 40, 2
passages = [(name, p) for name, text in HANDBOOK.items() for p in split_passages(text, MAX_WORDS)]
bm25 = BM25.from_index(InvertedIndex.from_texts([p for _, p in passages], progress=False))


def search(question, k=K):
    """The k best passages for `question`: (source, text, score), best first."""
    ids, scores = bm25.search(bm25.analyze(question), k)
    return [
        (*passages[i], float(s))
        for i, s in zip(ids.tolist(), scores.tolist(), strict=True)
        if s > 0
    ]


for source, text, score in search(QUESTIONS[0][0]):
    print(f"{score:5.2f}  [{source}] {text[:80]}...")
# The library's NotesIndex does the same: same passages, same order, same scores.
index = NotesIndex(max_words=MAX_WORDS).add(list(HANDBOOK.items()))
library = [(p.source, p.text, p.score) for p in index.search(QUESTIONS[0][0], K)]
assert [s[:2] for s in search(QUESTIONS[0][0])] == [s[:2] for s in library]
np.testing.assert_allclose([s[2] for s in search(QUESTIONS[0][0])], [s[2] for s in library])
print(f"{len(passages)} passages indexed")

# %% [markdown]
# The passages go into the user's message, each tagged with its file, before the
# question; a model can then cite its source, and a person can check it.


# %%
def prompt_with_notes(question, found):
    notes = "\n".join(f"[{source}] {text}" for source, text, _ in found)
    return ("Notes that may help (cite a note by its source in square brackets):\n"
            f"{notes}\n\nQuestion: {question}") if found else question  # fmt: skip


found = search(QUESTIONS[0][0])
print(prompt_with_notes(QUESTIONS[0][0], found))
assert prompt_with_notes(QUESTIONS[0][0], found) == with_notes(
    QUESTIONS[0][0], index.search(QUESTIONS[0][0], K)
)

# %% [markdown]
# **Predict:** the last question asks "How much can I spend on food when I travel for
# work?"; the handbook says "meal allowance on business trips". Will BM25 bring back
# the expenses passage? What does the answer depend on, if it does not?
#
# Now all eleven questions, with and without the notes: did the right file come back
# among the `k` passages (retrieval), and does the reply hold the fact?

# %%
NOTES_SYSTEM = PERSONAS["notes"].system_prompt
rows, answers, started = [], [], time.perf_counter()
for question, fact, source in QUESTIONS:
    found = search(question)
    hit = source in [s for s, _, _ in found]
    without = llm.generate([{"role": "system", "content": SYSTEM},
                            {"role": "user", "content": question}], **SETTINGS)  # fmt: skip
    with_ = llm.generate([{"role": "system", "content": NOTES_SYSTEM},
                          {"role": "user", "content": prompt_with_notes(question, found)}],
                         **SETTINGS)  # fmt: skip
    rows.append((question, hit, holds(without, fact), holds(with_, fact)))
    answers.append(with_)
    print(f"{'hit ' if hit else 'MISS'} {question}\n     without notes: {without[:90]!r}\n"
          f"     with notes:    {with_[:90]!r}")  # fmt: skip
seconds = time.perf_counter() - started
hits, fact_without, fact_with = (float(np.mean([r[i] for r in rows])) for i in (1, 2, 3))

# %%
full.table({"questions": len(rows),
            f"right file in the top {K} (BM25)": hits,
            "answer holds the fact, no notes": fact_without,
            "answer holds the fact, with notes": fact_with,
            "seconds for the 22 answers": seconds},
           title=f"retrieval over the handbook ({MODE}; the model: {llm.name})")  # fmt: skip
missed = [q for q, hit, _, _ in rows if not hit]
print("questions whose file BM25 missed:", missed or "none")
full.keep("answers with notes", answers)
if QUICK:
    print(f"\nSmolLM2's answers with notes, in the {full.label}:")
    for (question, fact, _), answer in zip(QUESTIONS, full["answers with notes"], strict=True):
        print(f"  {'✓' if holds(answer, fact) else '✗'} {question}  {answer[:80]!r}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.2))
labels = [f"right file in top {K}", "answer holds the fact"]
for shift, values, label in (
    (-0.2, [np.nan, fact_without], "no notes (bare chat)"),
    (0.2, [hits, fact_with], f"BM25 notes, top {K} passages"),
):
    bars = ax.bar(np.arange(2) + shift, values, 0.4, label=label)
    ax.bar_label(bars, [("" if np.isnan(v) else f"{v:.0%}") for v in values], fontsize=8)
ax.set_xticks(np.arange(2), labels)
ax.set_ylim(0, 1.15)
ax.set(ylabel=f"share of the {len(rows)} questions",
       title=f"Handbook questions, {llm.name} ({MODE})")  # fmt: skip
ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
fig.tight_layout()
full.figure(fig, "retrieval")
plt.show()
full.show_figure("retrieval", "handbook questions with SmolLM2")

# %% [markdown]
# Retrieval does most of the work: once the right passage is in the prompt, even a
# small model mostly copies the fact out of it. What is left has two sources. The
# model's reading: with the right passage in front of it, a 135M model still misreads
# some questions (look at the full run's wrong answers above: the fact was in the
# prompt). And retrieval's misses: BM25 matches *words*, and "food" and "travel for
# work" are not "meal" and "business trips"; the food question finds the expenses file
# only through a word it happens to share with it (look at its passages with
# `search(...)`). The library's `NotesIndex(dense="all-minilm-l6-v2")` fuses BM25 with
# MiniLM sentence vectors (2.8's hybrid ranker), which match meaning rather than
# spelling; it costs a model load. In the full run:

# %%
print(f"the {full.label}: right file {full[f'right file in the top {K} (BM25)']:.0%}, "
      f"fact without notes {full['answer holds the fact, no notes']:.0%}, "
      f"with notes {full['answer holds the fact, with notes']:.0%}")  # fmt: skip

# %% [markdown]
# ## 3. Memory: a summary of what no longer fits
#
# Back to the long conversation. Instead of dropping the oldest turns, the chatbot asks
# the model to *summarise* them, and keeps the summary in the system message; the most
# recent turns stay word for word, since the next answer most often needs them:
#
# ```
# system:    persona + "Summary of the conversation so far: ..."   <- the folded turns
# user / assistant / ...                                            <- recent, verbatim
# user:      the new question (with its notes)
# ```
#
# Built by hand: a summary prompt, and a loop that folds the oldest exchange (a
# question and its answer) into the summary while the prompt, plus the reply's
# `max_new_tokens`, is over the budget.

# %%
HEADING = "Summary of the conversation so far:"


def write_summary(summary, messages, max_new_tokens=48):
    """The model's new summary of the old one and `messages`."""
    said = "\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in messages)
    before = f"Earlier: {summary}\n\n" if summary else ""
    prompt = [{"role": "system", "content": "You write short summaries of conversations in the "
                                            "third person, keeping names and facts."},
              {"role": "user", "content": f'{before}"""\n{said}\n"""\n\nA summary of all of '
                                          "it, in two or three sentences:"}]  # fmt: skip
    return llm.generate(prompt, max_new_tokens=max_new_tokens, temperature=0.0).strip()


def build_prompt(system, summary, recent, question):
    if summary:
        system = f"{system}\n\n{HEADING} {summary}"
    return [{"role": "system", "content": system}, *recent, {"role": "user", "content": question}]


def fold(system, summary, recent, question, limit):
    """Fold the oldest exchanges until the prompt fits `limit`; (summary, recent, folds)."""
    folds = 0
    while count_tokens(build_prompt(system, summary, recent, question)) > limit and recent:
        summary, recent = write_summary(summary, recent[:2]), recent[2:]
        folds += 1
    return summary, recent, folds


# %% [markdown]
# A conversation to try it on: the user gives their name and team first, then asks ten
# handbook questions, each answer with its notes, then asks for their name. The budget is small (320 tokens for
# the prompt, 48 more for the reply) so that folding starts after a few turns.

# %%
LIMIT = 320
TALK = [
    "Hi! My name is Ada Lovelace and I joined the robot fleet team this week.",
    *[q for q, _, _ in QUESTIONS[:10]],
    "What is my name, and which team am I in?",
]
summary, recent, with_folding, without_folding, folds_at = "", [], [], [], []
everything = [{"role": "system", "content": SYSTEM}]
before_after = None
for turn, text in enumerate(TALK):
    question = prompt_with_notes(text, search(text)) if turn else text
    size_before = count_tokens(build_prompt(SYSTEM, summary, recent, question))
    old = (summary, list(recent))
    summary, recent, folds = fold(SYSTEM, summary, recent, question, LIMIT)
    prompt = build_prompt(SYSTEM, summary, recent, question)
    if folds and before_after is None:
        before_after = (build_prompt(SYSTEM, *old, question), prompt)
    answer = llm.generate(prompt, **SETTINGS)
    with_folding.append(count_tokens(prompt))
    without_folding.append(count_tokens([*everything, {"role": "user", "content": question}]))
    folds_at.append(folds)
    # What is remembered is what the user said; the notes were for this question only.
    exchange = [{"role": "user", "content": text}, {"role": "assistant", "content": answer}]
    recent += exchange
    everything += exchange
    print(f"turn {turn + 1}: {size_before:4d} -> {with_folding[-1]:4d} tokens, "
          f"{folds} exchange(s) folded; {answer[:70]!r}")  # fmt: skip
print(f"\nthe last answer: {answer!r}\nthe summary: {summary!r}")
full.keep("the last answer", answer)
full.keep("the summary", summary)

# %% [markdown]
# **Predict:** the first prompt to cross the budget, before and after folding: which
# messages differ, and what is in the system message afterwards?

# %%
for name, messages in zip(("BEFORE folding", "AFTER folding"), before_after, strict=True):
    print(f"--- {name}: {count_tokens(messages)} tokens, {len(messages)} messages")
    for m in messages:
        print(f"  {m['role']:>9}: {m['content'][:100]!r}")

# %% [markdown]
# The oldest exchange (Ada's introduction and its answer) left the message list and
# came back, summarised, in the system message; the newer turns are untouched. Over the whole conversation, the prompt without folding keeps growing,
# while with folding it rises to the budget and drops each time an exchange is folded:

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), width_ratios=(3, 2))
turns = np.arange(1, len(TALK) + 1)
left.plot(turns, without_folding, "o-", label="every turn kept")
left.plot(turns, with_folding, "s-", label="oldest turns folded into a summary")
left.axhline(LIMIT, color="grey", ls="--", label=f"the prompt's limit ({LIMIT})")
left.set(xlabel="turn", ylabel="tokens in the prompt", title="Prompt size over a conversation")
left.legend(fontsize=8)
parts = []
for messages in before_after:
    system_tokens = count_tokens(messages[:1])
    turns_tokens = count_tokens(messages[:-1]) - system_tokens
    parts.append(
        (system_tokens, turns_tokens, count_tokens(messages) - system_tokens - turns_tokens)
    )
bottom = np.zeros(2)
for i, label in enumerate(("system (+ summary)", "recent turns", "question + notes")):
    values = np.array([p[i] for p in parts])
    right.bar(["before", "after"], values, bottom=bottom, label=label)
    bottom += values
right.axhline(LIMIT, color="grey", ls="--")
right.set(ylabel="tokens", title="The first fold")
right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)
fig.suptitle(f"Memory with folding ({llm.name}, {MODE})", fontsize=10)
fig.tight_layout()
full.figure(fig, "memory")
plt.show()
full.show_figure("memory", "memory with SmolLM2")

# %% [markdown]
# Did the name survive? It was said in turn 1 and folded away early: the last answer
# can only get it from the summary. Whether the summary kept it decides the answer.

# %%
full.table({"turns": len(TALK),
            "exchanges folded": int(sum(folds_at)),
            "last prompt, with folding (tokens)": with_folding[-1],
            "last prompt, every turn kept (tokens)": without_folding[-1],
            "last answer names Ada": "Ada" in answer},
           title=f"memory over {len(TALK)} turns ({MODE})")  # fmt: skip
print(f"the {full.label}: the summary {full['the summary']!r}\n"
      f"the last answer {full['the last answer']!r}")  # fmt: skip

# %% [markdown]
# Read the summary SmolLM2 wrote in the full run. Asked to summarise, a 135M model
# may instead *reply* to the conversation, and then whatever the summary should have
# kept is lost, the name included: summary memory is only as good as the summaries.
# A larger model does better; so does keeping the facts that matter outside the
# summary (the user's notes, or a profile the bot updates).

# %% [markdown]
# Two costs of this memory: each fold is one more call to the model (a summary of up
# to 48 tokens, written before the answer: seconds on a CPU), and a small model's
# summary loses detail; whatever the summary leaves out is gone for the model, though
# not for the saved conversation. The loop above folds one exchange per summary; the
# library's `ConversationMemory.fit` first works out how many exchanges must go for
# the rest to fit *with room for the summary*, and folds them in one summary: fewer
# calls. That decision is this topic's exercise (`journey check 7.2`). Here the two
# on a fresh memory of the same conversation, just before its last question:

# %%
calls = []
counted = FunctionChatModel(lambda messages, **s: calls.append(1) or llm.generate(messages, **s))
counted.count_tokens = count_tokens
last_question = prompt_with_notes(TALK[-1], search(TALK[-1]))
memory = ConversationMemory(everything[1:-2])
library_folded = memory.fit(counted, SYSTEM, last_question, LIMIT, summary_tokens=48)
fitted = memory.prompt(SYSTEM, last_question)
print(f"the library folded {library_folded // 2} exchanges with {len(calls)} summary call(s); "
      f"its prompt: {count_tokens(fitted)} tokens (limit {LIMIT})")  # fmt: skip
_, _, hand_folds = fold(SYSTEM, "", everything[1:-2], last_question, LIMIT)
print(f"the loop above: {hand_folds} summary calls for the same conversation")
assert count_tokens(fitted) <= LIMIT

# %% [markdown]
# ## 4. Personas, and conversations saved in SQLite
#
# The system message decides who the bot is. A `Persona` is a named system prompt with
# the sampling that suits it; the library has three:

# %%
for persona in PERSONAS.values():
    print(f"{persona.name:>9} (temperature {persona.temperature}): {persona.system_prompt[:95]}...")
handbook_persona = Persona(
    "larkspur",
    "You are the Larkspur Robotics handbook assistant. Answer staff questions in one or two "
    "sentences, only from the notes given, and cite the file in square brackets.",
    description="answers from the staff handbook",
)

# %% [markdown]
# A conversation worth keeping is saved. The library's `ConversationStore` keeps every
# conversation in one SQLite file with two tables; here is its schema, read from a
# store the `Chatbot` wrote:

# %%
db = WORK / "chats.sqlite"
bot = Chatbot(llm, handbook_persona, notes=index, store=db, context_budget=LIMIT + 48,
              max_new_tokens=48, summary_tokens=48)  # fmt: skip
for text in TALK[:3]:
    print(f"> {text}\n{bot.reply(text)}  {[p.source for p in bot.last_sources]}")
with sqlite3.connect(db) as connection:
    for (sql,) in connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                                     "name NOT LIKE 'sqlite_%'"):  # fmt: skip
        print(sql)

# %% [markdown]
# Each message is a row of `messages`, numbered by its `position` in its conversation;
# the conversation's row holds its persona, title, times, and its memory: the
# `summary` and how many messages it stands for (`folded`). Every save is one
# transaction, so a crash leaves the file as it was before or after, never half written.
#
# ### Exercise 2: listing the saved conversations
#
# `journey chat --list` shows each conversation with its title and how many messages it
# has. Write the SQL: one row per conversation, `(id, title, number of messages)`,
# ordered by id. (A conversation with no messages yet counts 0.)

# %%
bot.reset()
bot.reply("Where do bikes go?")  # a second conversation, saved
LIST_SQL = None  # your SQL, a string

# %%
with sqlite3.connect(db) as connection:
    listed = connection.execute(LIST_SQL).fetchall() if LIST_SQL else None
store = ConversationStore(db)
check("the conversations listed by LIST_SQL", listed,
      sorted((c.id, c.title, c.messages) for c in store.list()),
      hint="join conversations to messages on the conversation's id, group by conversation, "
           "count the messages; a left join keeps conversations without any")  # fmt: skip

# %% [markdown]
# **Predict:** the first conversation is resumed from the file by a *new* `Chatbot`,
# and asked "What is my name?". It never saw the conversation; where does its answer
# come from?

# %%
first = min(store.list(), key=lambda c: c.id)  # Ada's
resumed = Chatbot.resume(db, first.id, llm, context_budget=LIMIT + 48, max_new_tokens=48,
                         summary_tokens=48)  # fmt: skip
print(f"resumed #{first.id} {first.title!r}: persona {resumed.persona.name}, "
      f"{len(resumed.memory.messages)} messages, {resumed.memory.folded} folded")  # fmt: skip
print(f"> What is my name?\n{resumed.reply('What is my name?')}")

# %% [markdown]
# From the file: `resume` loads the persona, every message, the summary and `folded`,
# so the new bot's prompt is the one the old bot would have built. Nothing lives only
# in memory; a process can stop between any two turns.
#
# ## 5. The library's `Chatbot`, and the same bot served
#
# `Chatbot` is everything above in one object: each `reply` (or `stream`) searches the
# notes, builds the prompt, folds the oldest turns when the budget is crossed, calls
# the model, remembers the exchange and saves it. From the shell, the same bot is
#
# ```
# journey chat --persona notes --notes ~/notes --db ~/chats.sqlite   # --resume ID, --list
# ```
#
# Last, the model need not be in this process. `journey serve` (topic 6.2) serves a
# model behind OpenAI's HTTP API, batching many clients together; lesson 6.3's web lab
# is a page on the same server. Any `ChatModel` will do for the bot, so one that calls
# the server through the official `openai` client makes the same chatbot a client of
# the service. Here the server runs in a thread of this process, on a free port: in
# full mode serving SmolLM2, in quick mode a tiny *random* Llama with SmolLM2's
# tokenizer (the wire is the same; the words are noise).

# %%
import openai  # noqa: E402
import uvicorn  # noqa: E402

from nlpjourney.serve.app import create_app  # noqa: E402
from nlpjourney.serve.engine import BatchEngine  # noqa: E402
from nlpjourney.serve.models import ChatModel as ServedChat  # noqa: E402

if QUICK:
    from nlpjourney.models import Llama, LlamaConfig

    torch.manual_seed(0)
    tiny = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=512)
    served_model, served_id = Llama(tiny).eval(), "tiny-random-llama"
    with torch.no_grad():  # larger random weights: varied noise rather than one token
        for param in served_model.parameters():
            param.normal_(0.0, 0.3)
else:
    served_model, served_id = llm.model.eval(), "smollm2-135m-instruct"
engine = BatchEngine(served_model, tokenizer, max_batch=4, context=512)
served = ServedChat(served_id, served_model, tokenizer, engine)
server = uvicorn.Server(uvicorn.Config(create_app(served), host="127.0.0.1", port=0,
                                       log_level="warning"))  # fmt: skip
threading.Thread(target=server.run, daemon=True).start()
while not server.started:
    time.sleep(0.05)
url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/v1"
client = openai.OpenAI(base_url=url, api_key="none")
print(f"serving {[m.id for m in client.models.list().data]} at {url}")


# %%
class ServedModel:
    """A ChatModel whose replies come from an OpenAI-compatible server."""

    def __init__(self, client, model):
        self.client, self.name = client, model

    def count_tokens(self, messages):
        return count_tokens(messages)  # the same tokenizer as the server's model

    def generate(self, messages, max_new_tokens=256, temperature=0.0, **settings):
        extra = {k: v for k, v in settings.items() if k in ("top_p", "seed") and v is not None}
        response = self.client.chat.completions.create(
            model=self.name, messages=list(messages), max_tokens=max_new_tokens,
            temperature=temperature, **extra)  # fmt: skip
        return response.choices[0].message.content


remote = Chatbot(ServedModel(client, served_id), handbook_persona, notes=index,
                 context_budget=LIMIT + 48, max_new_tokens=48, summary_tokens=48)  # fmt: skip
question = QUESTIONS[5][0]
over_http = remote.reply(question)
print(f"> {question}\nover HTTP: {over_http!r}  {[p.source for p in remote.last_sources]}")
if not QUICK:  # the same model, greedy, in this process: the same words
    local = Chatbot(llm, handbook_persona, notes=index, context_budget=LIMIT + 48,
                    max_new_tokens=48, summary_tokens=48).reply(question)  # fmt: skip
    print(f"in process: {local!r}\nthe same text: {local == over_http}")
server.should_exit = True

# %% [markdown]
# ## What was built
#
# - The notes are cut into passages, indexed with BM25, and the best passages go into
#   the prompt with their sources: the model answers from facts it was never trained
#   on, and says where they came from. Retrieval's misses (other words for the same
#   thing) are now the weak point; dense retrieval narrows them.
# - The prompt's tokens are counted with the chat template; when the prompt would pass
#   its budget, the oldest exchanges are folded into a summary the model writes, so the
#   prompt stays bounded and the facts said early survive in the summary.
# - A persona is a system prompt with its sampling; conversations are saved, message by
#   message, in SQLite, and resumed with their memory.
# - `nlpjourney.apps.chatbot.Chatbot` does it all (`journey chat`), and a model behind
#   `journey serve`'s OpenAI API can stand in for the local one.
#
# Exercise: `journey check 7.2` (how many old messages to fold, on token counts).
