"""Transition systems for dependency parsing: arc-standard and arc-eager, with their oracles.

A transition-based parser reads a sentence left to right with a *stack* of partly
processed words and a *buffer* of words still to read. A :class:`Configuration` holds
both and the arcs built so far; a transition system says which *actions* move from one
configuration to the next, and an *oracle* says which action rebuilds a gold tree.

Words are numbered 1..n and 0 is ROOT; ``heads`` has length n + 1, ``heads[0] == -1``
and ``-1`` means "not attached yet".

**Arc-standard** (Nivre 2004; the system of Chen & Manning 2014) works on the two top
stack items: SHIFT moves the buffer's front onto the stack; LEFT-ARC makes the top
(s0) the head of the one below it (s1) and pops s1; RIGHT-ARC makes s1 the head of s0
and pops s0. Every derivation takes exactly 2n actions.

**Arc-eager** (Nivre 2003) works on the stack's top (s0) and the buffer's front (b0):
LEFT-ARC makes b0 the head of s0 and pops s0; RIGHT-ARC makes s0 the head of b0 and
pushes b0; REDUCE pops s0 once it has a head; SHIFT pushes b0. Arcs are built as early
as possible, which is what makes its dynamic oracle simple.

**Single root.** UD trees have exactly one word whose head is ROOT, so both systems
let ROOT take exactly one dependent, and never by LEFT-ARC (ROOT comes first):

- arc-standard: RIGHT-ARC from ROOT (s1 == 0) is legal only when the buffer is empty,
  which leaves the stack ``[0]``; a finished derivation is always one tree.
- arc-eager: RIGHT-ARC from ROOT (s0 == 0) is legal only while ROOT has no dependent.
  Once the buffer is empty only REDUCE is left, and it pops any word then, with a head
  or not (none can get one any more), so both systems end on the stack ``[0]`` with an
  empty buffer (:meth:`Configuration.is_terminal`). Words left without a head that way
  are attached by :meth:`ArcEager.finish` to the root word (with ``deprel="dep"``), or
  the first of them becomes the root when ROOT has none, so a parser's output is one
  tree. Those attachments are guesses: the costs count those words' gold arcs as lost,
  as Goldberg & Nivre do.

**Oracles.** ``static_oracle`` gives the one canonical action that rebuilds the gold
tree from a configuration on the gold path (projective gold trees only). ``costs`` is a
*dynamic* oracle: for each legal action, how many gold arcs it makes unreachable, from
any configuration, so a parser can be trained on its own mistakes.

- arc-eager: the closed-form costs of Goldberg & Nivre (2012), plus one arc for taking
  ROOT's only dependent while the gold root waits in the buffer; exact for projective
  gold trees (arc-eager is arc-decomposable there).
- arc-standard: arc-standard is not arc-decomposable, so its cost comes from the best
  tree still reachable, the tabular idea of Goldberg, Sartorio & Satta (2014): the
  trees a configuration can still reach are the projective trees over its stack and
  buffer words in which each stack word under the top either is a bare left dependent
  or has a subtree reaching the top (see :func:`nlpjourney.parsing.reachability.best_gain`; a characterisation the
  tests check against exhaustive search), so the best one is an
  Eisner-style maximum spanning tree with gold arcs scoring 1, O(m^3) in the m words
  left on stack and buffer (compiled). Exact for any gold tree, projective or not.

Reference: Nivre (2008) "Algorithms for deterministic incremental dependency parsing";
Goldberg & Nivre (2012) "A dynamic oracle for arc-eager dependency parsing"; Goldberg,
Sartorio & Satta (2014) "A tabular method for dynamic oracles in transition-based
parsing". Tested by rebuilding every projective LinES train tree and against exhaustive
search of all derivations on short sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlpjourney.parsing.reachability import arc_standard_loss

__all__ = [
    "ArcEager",
    "ArcStandard",
    "Configuration",
    "arc_standard_oracle",
    "oracle_transitions",
]

SHIFT = "SHIFT"
LEFT = "LEFT-ARC"
RIGHT = "RIGHT-ARC"
REDUCE = "REDUCE"


@dataclass
class Configuration:
    """The parser's state: a stack, a buffer (words ``next``..n) and the arcs so far.

    Attributes:
        stack: Word ids, bottom first; starts ``[0]`` (ROOT).
        next: The buffer's front; the buffer is ``next, next + 1, ..., n`` (empty when
            ``next > n``).
        heads: Length n + 1; ``heads[i]`` the head of word i, -1 when unattached
            (``heads[0]`` stays -1).
        labels: Length n + 1; ``labels[i]`` the relation of word i, "" when unattached.
        n: The number of words.
    """

    stack: list[int]
    next: int
    heads: list[int]
    labels: list[str]
    n: int

    @classmethod
    def initial(cls, n: int) -> Configuration:
        """The start of a parse of ``n`` words: stack ``[0]``, buffer ``1..n``, no arcs."""
        if n < 0:
            raise ValueError(f"a sentence has at least 0 words, got n={n}")
        return cls([0], 1, [-1] * (n + 1), [""] * (n + 1), n)

    def copy(self) -> Configuration:
        """An independent copy (actions change a configuration in place)."""
        return Configuration(
            list(self.stack), self.next, list(self.heads), list(self.labels), self.n
        )

    @property
    def buffer(self) -> list[int]:
        """The buffer's words, front first."""
        return list(range(self.next, self.n + 1))

    def stack_item(self, i: int) -> int:
        """The i-th word from the stack's top (0 = top), or -1 when the stack is shorter."""
        return self.stack[-1 - i] if 0 <= i < len(self.stack) else -1

    def buffer_item(self, i: int) -> int:
        """The i-th word of the buffer (0 = front), or -1 when the buffer is shorter."""
        word = self.next + i
        return word if i >= 0 and word <= self.n else -1

    def leftmost_child(self, w: int, k: int = 1) -> int:
        """The k-th leftmost dependent of ``w`` to its left (k = 1: the leftmost), or -1."""
        if w < 0:
            return -1
        for child in range(1, w):
            if self.heads[child] == w:
                k -= 1
                if k == 0:
                    return child
        return -1

    def rightmost_child(self, w: int, k: int = 1) -> int:
        """The k-th rightmost dependent of ``w`` to its right (k = 1: the rightmost), or -1."""
        if w < 0:
            return -1
        for child in range(self.n, w, -1):
            if self.heads[child] == w:
                k -= 1
                if k == 0:
                    return child
        return -1

    def root_taken(self) -> bool:
        """Whether some word already has ROOT as its head."""
        return 0 in self.heads[1:]

    def is_terminal(self) -> bool:
        """Whether the parse is over: the buffer is empty and only ROOT is on the stack."""
        return self.next > self.n and len(self.stack) == 1

    def attach(self, head: int, dependent: int, label: str) -> None:
        """Add the arc head -> dependent (internal: the systems' actions call it)."""
        assert self.heads[dependent] == -1, "a word gets one head"
        self.heads[dependent] = head
        self.labels[dependent] = label


def _check_gold(config: Configuration, gold_heads: Sequence[int]) -> None:
    if len(gold_heads) != config.n + 1:
        raise ValueError(
            f"gold_heads must have length n + 1 = {config.n + 1} (index 0 is ROOT), "
            f"got {len(gold_heads)}"
        )


class _System:
    """What both transition systems share: the initial state and a checked ``apply``."""

    actions: tuple[str, ...] = ()

    def initial(self, n: int) -> Configuration:
        """The initial configuration for ``n`` words."""
        return Configuration.initial(n)

    def is_terminal(self, config: Configuration) -> bool:
        """Whether no action is left to take."""
        return config.is_terminal()

    def legal(self, config: Configuration) -> list[str]:
        raise NotImplementedError

    def _do(self, config: Configuration, action: str, label: str) -> None:
        raise NotImplementedError

    def apply(self, config: Configuration, action: str, label: str = "") -> None:
        """Take ``action`` (with arc label ``label``) in place; ValueError if it is illegal."""
        if action not in self.legal(config):
            raise ValueError(
                f"{action!r} is not legal here (stack top {config.stack_item(0)}, buffer "
                f"front {config.buffer_item(0)}); legal: {self.legal(config)}"
            )
        self._do(config, action, label)

    def finish(self, config: Configuration) -> None:
        """Attach any word left without a head, so the result is one tree (see the module)."""
        leftovers = [w for w in range(1, config.n + 1) if config.heads[w] == -1]
        if not leftovers:
            return
        roots = [w for w in range(1, config.n + 1) if config.heads[w] == 0]
        if roots:
            root = roots[0]
        else:
            root = leftovers.pop(0)
            config.attach(0, root, "root")
        for word in leftovers:
            config.attach(root, word, "dep")


class ArcStandard(_System):
    """Arc-standard: SHIFT, LEFT-ARC (s0 -> s1) and RIGHT-ARC (s1 -> s0).

    Example:
        >>> system = ArcStandard()
        >>> config = system.initial(2)
        >>> for action in ["SHIFT", "SHIFT", "LEFT-ARC", "RIGHT-ARC"]:
        ...     system.apply(config, action)
        >>> config.heads, config.is_terminal()
        ([-1, 2, 0], True)
    """

    actions = (SHIFT, LEFT, RIGHT)

    def legal(self, config: Configuration) -> list[str]:
        """The actions allowed in ``config`` (single-root policy: see the module)."""
        out = []
        if config.next <= config.n:
            out.append(SHIFT)
        if len(config.stack) >= 2:
            if config.stack[-2] != 0:
                out += [LEFT, RIGHT]
            elif config.next > config.n:
                out.append(RIGHT)  # ROOT takes its one dependent, last of all
        return out

    def _do(self, config: Configuration, action: str, label: str) -> None:
        if action == SHIFT:
            config.stack.append(config.next)
            config.next += 1
        elif action == LEFT:
            top = config.stack.pop()
            config.attach(top, config.stack.pop(), label)
            config.stack.append(top)
        else:
            top = config.stack.pop()
            config.attach(config.stack[-1], top, label)

    def static_oracle(
        self, config: Configuration, gold_heads: Sequence[int], gold_labels: Sequence[str]
    ) -> tuple[str, str]:
        """The canonical action (and its label) towards the gold tree; projective gold only.

        LEFT-ARC when s1's gold head is s0; RIGHT-ARC when s0's gold head is s1 and s0 has
        all its gold dependents; SHIFT otherwise.
        """
        _check_gold(config, gold_heads)
        action = arc_standard_oracle(config.stack, config.buffer, gold_heads, config.heads)
        if action == LEFT:
            return action, gold_labels[config.stack[-2]]
        if action == RIGHT:
            return action, gold_labels[config.stack[-1]]
        return action, ""

    def costs(self, config: Configuration, gold_heads: Sequence[int]) -> dict[str, int]:
        """For each legal action, how many gold arcs it makes unreachable (exact).

        The loss of a configuration is the number of gold arcs it can no longer build
        (wrong or impossible heads); an action's cost is how much it raises that loss.
        The best reachable tree comes from
        :func:`nlpjourney.parsing.reachability.best_gain` (see the module).

        Args:
            config: Any configuration (not changed).
            gold_heads: Length n + 1, the gold heads (``gold_heads[0]`` ignored).

        Returns:
            ``{action: cost}`` for the legal actions; 0 means the action keeps the best
            reachable tree as good as it was.
        """
        _check_gold(config, gold_heads)
        before = arc_standard_loss(config, gold_heads)
        out = {}
        for action in self.legal(config):
            after = config.copy()
            self._do(after, action, "")
            out[action] = arc_standard_loss(after, gold_heads) - before
        return out


class ArcEager(_System):
    """Arc-eager: SHIFT, LEFT-ARC (b0 -> s0), RIGHT-ARC (s0 -> b0) and REDUCE.

    Example:
        >>> system = ArcEager()
        >>> config = system.initial(3)  # "dogs bark loudly": 1 <- 2 -> 3, ROOT -> 2
        >>> for action in ["SHIFT", "LEFT-ARC", "RIGHT-ARC", "RIGHT-ARC", "REDUCE", "REDUCE"]:
        ...     system.apply(config, action)
        >>> config.heads, config.is_terminal()
        ([-1, 2, 0, 2], True)
    """

    actions = (SHIFT, LEFT, RIGHT, REDUCE)

    def legal(self, config: Configuration) -> list[str]:
        """The actions allowed in ``config`` (single-root policy: see the module)."""
        if config.next > config.n:
            # The buffer is empty: nothing can get a head any more; pop what is left.
            return [REDUCE] if len(config.stack) > 1 else []
        top = config.stack[-1]
        out = [SHIFT]
        if top != 0 and config.heads[top] == -1:
            out.append(LEFT)
        if top != 0 or not config.root_taken():
            out.append(RIGHT)
        if top != 0 and config.heads[top] != -1:
            out.append(REDUCE)
        return out

    def _do(self, config: Configuration, action: str, label: str) -> None:
        if action == SHIFT:
            config.stack.append(config.next)
            config.next += 1
        elif action == LEFT:
            config.attach(config.next, config.stack.pop(), label)
        elif action == RIGHT:
            config.attach(config.stack[-1], config.next, label)
            config.stack.append(config.next)
            config.next += 1
        else:
            config.stack.pop()

    def static_oracle(
        self, config: Configuration, gold_heads: Sequence[int], gold_labels: Sequence[str]
    ) -> tuple[str, str]:
        """The canonical action (and its label) towards the gold tree; projective gold only.

        LEFT-ARC when s0's gold head is b0; RIGHT-ARC when b0's gold head is s0; REDUCE
        when b0 has its gold head or a gold dependent deeper in the stack, or the buffer
        is empty; SHIFT otherwise.
        """
        _check_gold(config, gold_heads)
        if config.is_terminal():
            raise ValueError("the configuration is terminal: no action is left")
        if config.next > config.n:
            return REDUCE, ""
        top, front = config.stack[-1], config.next
        if top != 0 and gold_heads[top] == front:
            return LEFT, gold_labels[top]
        if gold_heads[front] == top:
            return RIGHT, gold_labels[front]
        below = config.stack[:-1]
        if config.heads[top] != -1 and any(
            gold_heads[front] == k or gold_heads[k] == front for k in below
        ):
            return REDUCE, ""
        return SHIFT, ""

    def costs(self, config: Configuration, gold_heads: Sequence[int]) -> dict[str, int]:
        """For each legal action, how many reachable gold arcs it loses (Goldberg & Nivre 2012).

        A gold arc h -> d (d still unattached) is reachable while d is in the buffer and h
        in the stack or buffer (ROOT only while it has no dependent), or d is on the stack
        and h in the buffer. Exact for projective gold trees.

        Args:
            config: Any non-terminal configuration (not changed).
            gold_heads: Length n + 1, the gold heads (``gold_heads[0]`` ignored).

        Returns:
            ``{action: cost}`` for the legal actions.
        """
        _check_gold(config, gold_heads)
        top, front, n = config.stack[-1], config.next, config.n
        heads = config.heads
        root_free = not config.root_taken()

        def in_buffer(w: int) -> bool:
            return front <= w <= n

        def head_on_stack_reachable(h: int) -> bool:
            # A buffer word can still get stack word h as head (ROOT only while free).
            return h in config.stack and (h != 0 or root_free)

        # Unattached stack words whose gold head is ``front``; they need b0 to stay in the
        # buffer (LEFT-ARC only reaches down from b0).
        stack_deps_of_front = sum(
            1 for k in config.stack if k != 0 and heads[k] == -1 and gold_heads[k] == front
        )
        buffer_deps_of_top = sum(1 for d in range(front, n + 1) if gold_heads[d] == top)
        out = {}
        for action in self.legal(config):
            if action == LEFT:
                cost = buffer_deps_of_top + int(
                    gold_heads[top] != front and in_buffer(gold_heads[top])
                )
            elif action == RIGHT:
                head = gold_heads[front]
                cost = stack_deps_of_front + int(
                    head != top and (in_buffer(head) or head_on_stack_reachable(head))
                )
                gold_root = next((w for w in range(front + 1, n + 1) if gold_heads[w] == 0), -1)
                if top == 0 and gold_root != -1:
                    cost += 1  # ROOT's only dependent goes to front; the gold root waits
            elif action == REDUCE:
                cost = buffer_deps_of_top
            else:
                cost = stack_deps_of_front + int(head_on_stack_reachable(gold_heads[front]))
            out[action] = cost
        return out


def arc_standard_oracle(
    stack: Sequence[int], buffer: Sequence[int], gold_heads: Sequence[int], heads: Sequence[int]
) -> str:
    """The arc-standard static oracle: the action that rebuilds the gold tree.

    The model answer of exercise 2.7. With s0 the stack's top and s1 the word below:

    - LEFT-ARC if s1 is a word (not ROOT) whose gold head is s0;
    - RIGHT-ARC if s0's gold head is s1 and every gold dependent of s0 is attached
      already (else they would lose their head); ROOT's arc comes last, on an empty buffer;
    - SHIFT otherwise.

    Args:
        stack: Word ids, bottom first (``[0, ...]``).
        buffer: Word ids, front first.
        gold_heads: Length n + 1, the gold tree.
        heads: Length n + 1, the arcs built so far (-1 = none).

    Returns:
        "SHIFT", "LEFT-ARC" or "RIGHT-ARC".

    Raises:
        ValueError: No action leads to the gold tree (it is not projective).

    Example:
        >>> arc_standard_oracle([0, 1, 2], [3], [-1, 2, 0, 2], [-1, -1, -1, -1])
        'LEFT-ARC'
    """
    if len(stack) >= 2:
        s0, s1 = stack[-1], stack[-2]
        if s1 != 0 and gold_heads[s1] == s0:
            return LEFT
        if gold_heads[s0] == s1:
            dependents_done = all(
                heads[d] != -1 for d in range(1, len(gold_heads)) if gold_heads[d] == s0
            )
            if dependents_done and (s1 != 0 or not buffer):
                return RIGHT
    if buffer:
        return SHIFT
    raise ValueError("no action rebuilds this gold tree: it is not projective")


def oracle_transitions(gold_heads: Sequence[int]) -> list[str]:
    """The whole arc-standard derivation of a gold tree, by :func:`arc_standard_oracle`.

    Args:
        gold_heads: Length n + 1 with ``gold_heads[0] == -1`` (ROOT) and one word headed
            by 0.

    Returns:
        The 2n actions.

    Raises:
        ValueError: The tree is not projective, or not a tree with a single root.

    Example:
        >>> oracle_transitions([-1, 2, 0, 2])  # "dogs bark loudly"
        ['SHIFT', 'SHIFT', 'LEFT-ARC', 'SHIFT', 'RIGHT-ARC', 'RIGHT-ARC']
    """
    n = len(gold_heads) - 1
    if n < 0 or gold_heads[0] != -1:
        raise ValueError("gold_heads must have length n + 1 with gold_heads[0] == -1 (ROOT)")
    if any(not 0 <= gold_heads[w] <= n or gold_heads[w] == w for w in range(1, n + 1)):
        raise ValueError(f"every word needs a head among 0..{n} other than itself")
    if n and list(gold_heads[1:]).count(0) != 1:
        raise ValueError("a gold tree has exactly one word headed by ROOT (0)")
    stack, buffer = [0], list(range(1, n + 1))
    heads = [-1] * (n + 1)
    actions = []
    while buffer or len(stack) > 1:
        action = arc_standard_oracle(stack, buffer, gold_heads, heads)
        if action == SHIFT:
            stack.append(buffer.pop(0))
        elif action == LEFT:
            heads[stack[-2]] = stack[-1]
            del stack[-2]
        else:
            heads[stack[-1]] = stack[-2]
            stack.pop()
        actions.append(action)
    return actions
