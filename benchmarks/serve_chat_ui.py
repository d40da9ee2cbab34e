"""Benchmark: the chat client's side, ours against the reference, in one process.

- joining a streamed answer: :func:`~nlpjourney.serve.chat_ui.join_chunks` against the
  ``openai`` client's own accumulator (``ChatCompletionStreamState``, what
  ``client.chat.completions.stream`` uses), both given the same chunks of an answer of
  ``--tokens`` pieces in ``--choices`` interleaved choices (ours as parsed JSON, the
  client's as its chunk objects, made before the timing);
- trimming a conversation: :func:`~nlpjourney.serve.chat_ui.trim_messages` against
  :meth:`nlpjourney.infer.chat.ChatSession.fit`, both counting with SmolLM2's chat
  template and tokenizer, on a 40-exchange conversation and a 448-token budget.

Before timing, both sides must give the same answer. The ratio is ours / theirs of the
best times (below 1: ours is faster).

Run it with::

    uv run python benchmarks/serve_chat_ui.py            # a few seconds
    uv run python benchmarks/serve_chat_ui.py --tokens 2000 --choices 4 --repeat 5
"""

from __future__ import annotations

import argparse
import random

from _timing import best_of
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

from nlpjourney.infer.chat import ChatSession
from nlpjourney.models import Llama, LlamaConfig
from nlpjourney.serve.chat_ui import join_chunks, trim_messages
from nlpjourney.tokenizers import load as load_tokenizer


def stream(tokens: int, choices: int, seed: int = 0) -> list[dict]:
    """The chunks of a made-up answer, the choices interleaved as a server sends them."""
    rng = random.Random(seed)
    words = ["the", " sea", " is", " wide", ",", " é", "🙂", "\n"]

    def chunk(index: int, delta: dict, reason: str | None = None) -> dict:
        return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                "model": "m", "choices": [{"index": index, "delta": delta,
                                           "finish_reason": reason, "logprobs": None}]}  # fmt: skip

    chunks = [chunk(i, {"role": "assistant", "content": ""}) for i in range(choices)]
    for _ in range(tokens):
        for i in range(choices):
            chunks.append(chunk(i, {"content": rng.choice(words)}))
    chunks += [chunk(i, {}, "length") for i in range(choices)]
    return chunks


def openai_join(chunks: list[ChatCompletionChunk]) -> list[tuple[str, str | None]]:
    state = ChatCompletionStreamState()
    for chunk in chunks:
        state.handle_chunk(chunk)
    done = state.current_completion_snapshot  # the final one refuses "length" answers
    return [(c.message.content or "", c.finish_reason) for c in done.choices]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=500, help="pieces per choice")
    parser.add_argument("--choices", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    chunks = stream(args.tokens, args.choices)
    # the client's objects are made before timing: its accumulator is what is measured
    typed = [ChatCompletionChunk.model_validate(c) for c in chunks]
    assert join_chunks(chunks) == openai_join(typed), "the two joins disagree"
    ours, theirs = best_of(args.repeat, lambda: join_chunks(chunks), lambda: openai_join(typed))
    print(f"join {len(chunks)} chunks      ours {ours * 1e3:8.2f} ms   openai {theirs * 1e3:8.2f} ms"
          f"   ratio {ours / theirs:.3f}")  # fmt: skip

    tokenizer = load_tokenizer("smollm2")
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=512)
    session = ChatSession(Llama(config), tokenizer, system="Be brief.", max_new_tokens=64)
    turns = []
    for i in range(40):
        turns += [{"role": "user", "content": f"Question {i} about the sea?"},
                  {"role": "assistant", "content": "An answer about the sea. " * 6}]  # fmt: skip
    question = "And the tides?"
    messages = [{"role": "system", "content": "Be brief."}, *turns,
                {"role": "user", "content": question}]  # fmt: skip

    def count(ms: list[dict[str, str]]) -> int:
        return len(tokenizer.encode(tokenizer.apply_chat_template(ms)))

    def fit() -> list[dict[str, str]]:
        session.turns = [dict(t) for t in turns]
        session.fit(question)
        return session.messages(question)

    assert trim_messages(messages, count, 512 - 64) == fit(), "the two trims disagree"
    ours, theirs = best_of(args.repeat, lambda: trim_messages(messages, count, 448), fit)
    print(f"trim 40 exchanges     ours {ours * 1e3:8.2f} ms   ChatSession.fit {theirs * 1e3:8.2f} ms"
          f"   ratio {ours / theirs:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
