"""Benchmark: our CoNLL-U reader and writer against the ``conllu`` package, in one process.

Both sides read the same text (UD English LinES train, 3,457 sentences, 3.9 MB, already
in memory, so disk time is not timed) into sentences and write them back. Printed: the
best of ``--repeat`` runs of each side, taking turns, sentences per second and the
ratio (ours / theirs: below 1.0 means ours is faster); and whether each side's output
equals the input byte for byte (``conllu`` rewrites some lines, so it may not).

Run it with::

    uv run python benchmarks/parsing_conllu.py
    uv run python benchmarks/parsing_conllu.py --repeat 5 --file en_lines-ud-dev.conllu
"""

from __future__ import annotations

import argparse
from importlib.metadata import version

import conllu
from _timing import best_of

from nlpjourney.data import path
from nlpjourney.parsing import read_conllu, write_conllu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    parser.add_argument(
        "--file", default="en_lines-ud-train.conllu", help="a file of the ud_english_lines folder"
    )
    args = parser.parse_args()
    text = (path("ud_english_lines") / args.file).read_text(encoding="utf-8")

    ours = read_conllu(text)
    theirs = conllu.parse(text)
    n = len(ours)
    print(f"{args.file}: {n:,} sentences, {len(text) / 1e6:.1f} MB; conllu {version('conllu')}")

    read_ours, read_theirs = best_of(
        args.repeat, lambda: read_conllu(text), lambda: conllu.parse(text)
    )

    def write_theirs() -> str:
        return "".join(sentence.serialize() for sentence in theirs)

    write_ours, write_theirs_s = best_of(args.repeat, lambda: write_conllu(ours), write_theirs)

    print(f"\n{'step':<8}{'ours s':>10}{'conllu s':>10}{'ours sent/s':>14}{'ratio':>8}")
    for step, mine, peer in (
        ("read", read_ours, read_theirs),
        ("write", write_ours, write_theirs_s),
    ):
        print(f"{step:<8}{mine:>10.3f}{peer:>10.3f}{n / mine:>14,.0f}{mine / peer:>8.2f}")
    print(
        f"\nbyte-exact round trip: ours {write_conllu(ours) == text}, "
        f"conllu {write_theirs() == text}"
    )


if __name__ == "__main__":
    main()
