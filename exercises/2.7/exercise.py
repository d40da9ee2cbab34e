"""Exercise 2.7: the arc-standard static oracle.

A transition parser reads a sentence word by word, keeping a **stack** of words it has
started on and a **buffer** of words still to read. Arc-standard has three transitions:

- ``"SHIFT"``: move the buffer's front word onto the stack;
- ``"LEFT-ARC"``: the top of the stack, ``s0``, becomes the head of the word under it,
  ``s1``; ``s1`` leaves the stack;
- ``"RIGHT-ARC"``: ``s1`` becomes the head of ``s0``; ``s0`` leaves the stack.

Words are numbered 1..n and 0 is ROOT, which starts on the stack (the stack starts
``[0]``, the buffer ``[1, ..., n]``). A head array has length ``n + 1``: ``heads[i]`` is
the head of word ``i``, ``-1`` for a word not attached yet, and ``heads[0]`` is always
``-1`` (ROOT has no head). As in UD, a gold tree has exactly one word attached to ROOT,
and ROOT takes it last, once the buffer is empty. The parse is over when the stack is
``[0]`` and the buffer is empty: then every word has a head.

To train a parser we need, for each gold tree, the transitions that build it: the
**static oracle**. Write:

1. ``arc_standard_oracle(stack, buffer, gold_heads, heads)``: the one transition to take
   in a configuration, so that the gold tree is still reachable;
2. ``oracle_transitions(gold_heads)``: the whole derivation of a gold tree, from the
   first configuration to the last, and a ``ValueError`` for a tree arc-standard cannot
   build (a non-projective one: two arcs cross when drawn above the sentence).

Use plain Python (lists, loops); not ``nlpjourney`` (the model answer), ``conllu``,
``spacy``, ``stanza`` or NLTK's parsers: ``journey check`` refuses a file that uses them.
Then run ``journey check 2.7``: the checks grade your oracle on hand-made
configurations, on every sentence of UD English LinES dev (the derivation, replayed by a
simulator written in the checks, must rebuild the gold tree) and on random trees drawn
fresh each run. Each failing check gives a hint (``--hint`` shows more).

The lesson ``lessons/2.7-dependency-parsing.py`` builds the transitions and the oracle by
hand in cells.
"""

from __future__ import annotations

from collections.abc import Sequence


def arc_standard_oracle(
    stack: Sequence[int], buffer: Sequence[int], gold_heads: Sequence[int], heads: Sequence[int]
) -> str:
    """The arc-standard transition that keeps the gold tree reachable, in one configuration.

    With ``s0 = stack[-1]`` (the top) and ``s1 = stack[-2]`` (the word under it), try in
    this order:

    1. ``"LEFT-ARC"`` when the stack holds at least two items, ``s1`` is not ROOT (0) and
       ``s0`` is the gold head of ``s1``;
    2. ``"RIGHT-ARC"`` when the stack holds at least two items, ``s1`` is the gold head of
       ``s0``, and every gold dependent of ``s0`` is already attached to it (``heads``).
       A RIGHT-ARC takes ``s0`` off the stack for good: attach it before its own
       dependents, and they can never find their head again;
    3. ``"SHIFT"`` otherwise.

    (You may raise a ``ValueError`` when the buffer is empty and neither arc applies: the
    gold tree cannot be reached.) Do not change the arguments.

    Args:
        stack: word ids on the stack, bottom first (``stack[0]`` is 0, ROOT; the top is
            ``stack[-1]``).
        buffer: word ids not read yet, front first.
        gold_heads: the gold tree, length ``n + 1``: ``gold_heads[i]`` is the head of word
            ``i`` (0 for the word attached to ROOT), ``gold_heads[0] == -1``.
        heads: the arcs built so far, length ``n + 1``, ``-1`` for a word with no head yet.

    Returns:
        ``"SHIFT"``, ``"LEFT-ARC"`` or ``"RIGHT-ARC"``.

    Example: for *she saw him*, ``gold_heads = [-1, 2, 0, 2]``, nothing attached yet
    (``heads = [-1, -1, -1, -1]``), stack ``[0, 1, 2]`` and buffer ``[3]``: ``s0 = 2`` is
    the head of ``s1 = 1``, so ``"LEFT-ARC"``. Later, with stack ``[0, 2]``, buffer ``[3]``
    and ``heads = [-1, 2, -1, -1]``: word 2 still has a dependent (3) in the buffer, so
    ``"SHIFT"``, not ``"RIGHT-ARC"``.
    """
    raise NotImplementedError("write arc_standard_oracle: LEFT-ARC, then RIGHT-ARC, else SHIFT")


def oracle_transitions(gold_heads: Sequence[int]) -> list[str]:
    """The arc-standard derivation of a gold tree: the static oracle's transitions, in order.

    Start from stack ``[0]`` and buffer ``[1, ..., n]``, ask
    :func:`arc_standard_oracle` for a transition, apply it (SHIFT, LEFT-ARC and RIGHT-ARC
    as the module docstring says, recording each arc in a head array), and repeat until
    the stack is ``[0]`` and the buffer is empty. A sentence of ``n`` words takes exactly
    ``2 n`` transitions (each word is shifted once and attached once).

    Args:
        gold_heads: the gold tree, length ``n + 1``, ``gold_heads[0] == -1`` (see
            :func:`arc_standard_oracle`); ``[-1]`` is the empty sentence.

    Returns:
        The ``2 n`` transitions, each ``"SHIFT"``, ``"LEFT-ARC"`` or ``"RIGHT-ARC"``.

    Raises:
        ValueError: the tree is not projective (arc-standard cannot build it: the oracle
            asks to SHIFT with an empty buffer, or the derivation ends with arcs that
            differ from the gold tree's).

    Example: ``oracle_transitions([-1, 2, 0, 2])`` (*she saw him*) is
    ``["SHIFT", "SHIFT", "LEFT-ARC", "SHIFT", "RIGHT-ARC", "RIGHT-ARC"]``.
    """
    raise NotImplementedError("write oracle_transitions: apply the oracle's choice until done")
