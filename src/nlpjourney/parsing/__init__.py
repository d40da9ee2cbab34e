"""Dependency parsing: CoNLL-U files, transition systems, parsers and their evaluation.

Reference: the conllu package and the CoNLL 2018 shared task's evaluation script (see
each module).
"""

from __future__ import annotations

from nlpjourney.parsing.conllu import Sentence, Token, Word, read_conllu, write_conllu

__all__: list[str] = [
    "Sentence",
    "Token",
    "Word",
    "read_conllu",
    "write_conllu",
]
