"""Dependency parsing: CoNLL-U files, transition systems, parsers and their evaluation.

Reference: the conllu package and the CoNLL 2018 shared task's evaluation script (see
each module).
"""

from __future__ import annotations

from nlpjourney.parsing.conllu import (
    Sentence,
    Token,
    Word,
    read_conllu,
    ud_english,
    write_conllu,
)
from nlpjourney.parsing.draw import draw_configuration, draw_tree
from nlpjourney.parsing.projectivity import crossing_arcs, is_projective, projectivize
from nlpjourney.parsing.scoring import AttachmentScores, evaluate
from nlpjourney.parsing.transitions import (
    ArcEager,
    ArcStandard,
    Configuration,
    arc_standard_oracle,
    oracle_transitions,
)

__all__: list[str] = [
    "ArcEager",
    "ArcStandard",
    "AttachmentScores",
    "Configuration",
    "Sentence",
    "Token",
    "Word",
    "arc_standard_oracle",
    "crossing_arcs",
    "draw_configuration",
    "draw_tree",
    "evaluate",
    "is_projective",
    "oracle_transitions",
    "projectivize",
    "read_conllu",
    "ud_english",
    "write_conllu",
]
