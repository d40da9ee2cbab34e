"""Dependency parsing: CoNLL-U files, transition systems, parsers and their evaluation.

Reference: the conllu package and the CoNLL 2018 shared task's evaluation script (see
each module).
"""

from __future__ import annotations

__all__: list[str] = []
