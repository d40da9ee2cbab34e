"""Benchmark: what the chatbot adds to a reply, against generate alone on the same prompt.

A reply of :class:`nlpjourney.apps.chatbot.Chatbot` is the model's
:func:`nlpjourney.infer.generate` plus the chatbot's own work: searching the notes,
counting the prompt's tokens (chat template + tokenizer) to see whether it fits, and
saving the exchange in SQLite. This script measures that work against the model's, with
SmolLM2-135M-Instruct on the same prompt, greedy, so both write the same text:

- **ours**: ``Chatbot.reply`` (notes, memory, counting, saving), a fresh chatbot each
  round so every round sends the same prompt;
- **peer**: ``generate`` on the messages the chatbot sent;

then each piece of the chatbot's own work, alone: notes search over ``--notes`` passages,
``count_tokens`` on the prompt, and one SQLite save. And the cost of a turn that folds
old turns into a summary (one more generate call, of at most ``summary_tokens``).

Run it with::

    uv run python benchmarks/apps_chatbot.py                  # 64 new tokens, 200 notes, 1 thread
    uv run python benchmarks/apps_chatbot.py --new-tokens 16 --rounds 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from _timing import best_of

from nlpjourney.apps.chatbot import Chatbot, ConversationStore, LlamaChatModel, NotesIndex
from nlpjourney.infer import generate

FACT = "My sister Ingrid lives in Trondheim, where she studies marine biology."
QUESTION = "In which city does my sister Ingrid live, and what does she study?"


def made_up_notes(n: int) -> list[tuple[str, str]]:
    """``n`` notes of filler about other things, and the one that answers the question."""
    topics = ["gardening", "bread", "bicycles", "tax forms", "violin practice", "chess openings"]
    notes = [
        (f"note-{i}.md", f"Notes on {topics[i % len(topics)]}, day {i}: " + "details " * 60)
        for i in range(n - 1)
    ]
    return [*notes, ("family.md", FACT)]


def milliseconds(work, rounds: int) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    llm = LlamaChatModel.load("smollm2-135m-instruct")
    notes = NotesIndex().add(made_up_notes(args.notes))
    folder = Path(tempfile.mkdtemp())
    settings = {"max_new_tokens": args.new_tokens, "temperature": 0.0}

    def chatbot() -> Chatbot:
        store = ConversationStore(folder / f"chats-{time.perf_counter_ns()}.sqlite")
        return Chatbot(llm, "notes", notes=notes, store=store, max_new_tokens=args.new_tokens)

    probe = chatbot()
    text = probe.reply(QUESTION)
    prompt = probe.memory.prompt(probe.system, probe.messages(QUESTION)[-1]["content"], [])
    same = generate(llm.model, llm.tokenizer, prompt, **settings) == text
    print(f"prompt: {llm.count_tokens(prompt)} tokens; the same reply both ways: {same}")
    print(f"reply: {text!r}")

    ours, theirs = best_of(
        args.rounds,
        lambda: chatbot().reply(QUESTION),
        lambda: generate(llm.model, llm.tokenizer, prompt, **settings),
    )
    print(
        f"Chatbot.reply {ours:.3f} s, generate alone {theirs:.3f} s: ratio {ours / theirs:.3f} "
        f"(+{(ours - theirs) * 1000:.0f} ms a reply)"
    )

    store = ConversationStore(folder / "save.sqlite")
    messages = probe.memory.messages
    search = milliseconds(lambda: notes.search(QUESTION, 3), 20)
    count = milliseconds(lambda: llm.count_tokens(prompt), 20)
    save = milliseconds(
        lambda: store.save(None, title="t", persona="p", system_prompt="s", messages=messages), 20
    )
    print(
        f"the chatbot's own work: notes search ({len(notes)} passages) {search:.2f} ms, "
        f"count_tokens {count:.2f} ms, SQLite save {save:.2f} ms"
    )

    # A turn that folds: a budget that the second turn's prompt passes.
    def folding_turn() -> float:
        size = llm.count_tokens(probe.messages("And where is that?"))
        bot = Chatbot(llm, "notes", notes=notes, context_budget=size + args.new_tokens - 1,
                      max_new_tokens=args.new_tokens, summary_tokens=32)  # fmt: skip
        bot.memory = type(probe.memory)(probe.memory.messages)
        start = time.perf_counter()
        bot.reply("And where is that?")
        assert bot.memory.folded > 0, "the turn did not fold"
        return time.perf_counter() - start

    fold = min(folding_turn() for _ in range(args.rounds))
    print(f"a turn that folds the first exchange into a summary: {fold:.3f} s")


if __name__ == "__main__":
    main()
