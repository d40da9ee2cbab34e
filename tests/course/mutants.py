"""Seeded mutants of a model answer: one small change each, inside a graded function.

A grader is as strong as the bugs it catches. :func:`mutants` reads a module's source and
yields copies of it that differ by ONE small change inside the named functions (and the
module's own helpers that they call): an arithmetic operator swapped (``+`` and ``-``,
``*`` and ``/``), an integer or float constant moved by one (``0`` and ``1`` swapped), an
``axis=``/``dim=`` keyword changed, a comparison flipped (``<`` and ``>=``, ``==`` and
``!=``), a term of a sum dropped, a unary minus removed or a returned value negated. The
same source, names and seed give the same mutants, in the same order.

Example:
    >>> source = "def f(x):\\n    return x + 1\\n"
    >>> [m.change for m in mutants(source, ["f"])]  # doctest: +NORMALIZE_WHITESPACE
    ['line 2: negate the returned value', 'line 2: + -> -', 'line 2: drop the left term',
     'line 2: drop the right term', 'line 2: 1 -> 0', 'line 2: 1 -> 2']
"""

from __future__ import annotations

import ast
import copy
import random
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
}
FLIPS: dict[type, type] = {
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Eq: "==",
           ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
           ast.NotIn: "not in"}  # fmt: skip
AXIS_KEYWORDS = ("axis", "dim", "dims")


@dataclass(frozen=True)
class Mutant:
    """One changed copy of the module: what changed (``line N: ...``) and the new source."""

    change: str
    source: str


# A site: (node, description, edit). The edit changes the node it is given (the same
# node in a copied tree) and returns its replacement (or the node itself).
Edit = Callable[[ast.AST], ast.AST]


def _swap_op(node: ast.AST) -> ast.AST:
    node.op = SWAPS[type(node.op)]()
    return node


def _flip_compare(node: ast.AST) -> ast.AST:
    node.ops = [FLIPS[type(node.ops[0])](), *node.ops[1:]]
    return node


def _set_constant(value: int | float) -> Edit:
    def edit(node: ast.AST) -> ast.AST:
        node.value = value
        return node

    return edit


def _axis_edit(index: int, value: object) -> Edit:
    def edit(node: ast.AST) -> ast.AST:
        if value is None:  # a keyword given by name: drop it, so the default applies
            del node.keywords[index]
        else:
            node.keywords[index].value = ast.Constant(value)
        return node

    return edit


def _body_nodes(function: ast.FunctionDef) -> Iterator[ast.AST]:
    """The nodes of the function's body: not its signature's defaults or annotations."""
    for statement in function.body:
        yield from ast.walk(statement)


def _sites(function: ast.FunctionDef) -> Iterator[tuple[ast.AST, str, Edit]]:
    for node in _body_nodes(function):
        where = (node,)
        if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in SWAPS:
            old, new = SYMBOLS[type(node.op)], SYMBOLS[SWAPS[type(node.op)]]
            yield *where, f"{old} -> {new}", _swap_op
        if isinstance(node, ast.Compare) and type(node.ops[0]) in FLIPS:
            old, new = SYMBOLS[type(node.ops[0])], SYMBOLS[FLIPS[type(node.ops[0])]]
            yield *where, f"{old} -> {new}", _flip_compare
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            value = node.value
            yield *where, f"{value!r} -> {value + 1!r}", _set_constant(value + 1)
            if value in (0, 1):
                yield *where, f"{value!r} -> {type(value)(1 - value)!r}", _set_constant(1 - value)
            else:
                yield *where, f"{value!r} -> {value - 1!r}", _set_constant(value - 1)
        if isinstance(node, ast.Call):
            for i, keyword in enumerate(node.keywords):
                if keyword.arg not in AXIS_KEYWORDS:
                    continue
                value = keyword.value
                if isinstance(value, ast.UnaryOp) and isinstance(value.operand, ast.Constant):
                    current = -value.operand.value
                elif isinstance(value, ast.Constant):
                    current = value.value
                else:
                    yield *where, f"drop {keyword.arg}=", _axis_edit(i, None)
                    continue
                new = 0 if current != 0 else -1
                yield *where, f"{keyword.arg}={current} -> {new}", _axis_edit(i, new)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            yield *where, "drop the right term", lambda n: n.left
            if isinstance(node.op, ast.Add):
                yield *where, "drop the left term", lambda n: n.right
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield *where, "remove a unary minus", lambda n: n.operand
        if (
            isinstance(node, ast.Return)
            and node.value is not None
            and not isinstance(node.value, ast.Tuple | ast.Constant | ast.Dict | ast.List)
        ):

            def negate(n: ast.AST) -> ast.AST:
                n.value = ast.UnaryOp(ast.USub(), n.value)
                return n

            yield *where, "negate the returned value", negate


def _reachable(tree: ast.Module, names: Collection[str]) -> list[str]:
    """The named functions and the module's own functions they call, transitively."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    missing = [name for name in names if name not in functions]
    if missing:
        raise ValueError(f"the source defines no function {missing}")
    seen: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.append(name)
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Name) and node.id in functions and node.id not in seen:
                todo.append(node.id)
    return seen


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(item is old for item in value):
                setattr(parent, field, [new if item is old else item for item in value])
                return
    raise AssertionError("the node to replace is not in the tree")


def mutants(
    source: str,
    functions: Collection[str],
    *,
    lines: Collection[int] | None = None,
    limit: int = 25,
    seed: int = 0,
) -> Iterator[Mutant]:
    """Yield up to ``limit`` one-change copies of ``source``, changed inside ``functions``.

    Args:
        source: a module's source.
        functions: the graded functions; the module's functions they call are mutated too.
        lines: when given, only changes on these lines (e.g. the lines the model answer
            runs under the checks: a change in code the checks never reach says nothing).
        limit: the most mutants; when there are more sites, a seeded sample of them.
        seed: seeds that sample.

    Yields:
        :class:`Mutant` in source order; each source differs from the others and from
        the original.
    """
    tree = ast.parse(source)
    original = ast.unparse(tree)
    targets = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    index_of = {id(node): i for i, node in enumerate(ast.walk(tree))}
    sites = []
    for name in _reachable(tree, functions):
        for node, change, edit in _sites(targets[name]):
            line = getattr(node, "lineno", 0)
            if lines is None or line in lines:
                column = getattr(node, "col_offset", 0)
                sites.append((line, column, change, index_of[id(node)], edit))
    sites.sort(key=lambda s: s[:4])
    if len(sites) > limit:
        picked = sorted(random.Random(seed).sample(range(len(sites)), limit))
        sites = [sites[i] for i in picked]
    seen = {original}
    for line, _, change, index, edit in sites:
        copied = copy.deepcopy(tree)
        node = list(ast.walk(copied))[index]  # ast.walk visits a copy in the same order
        new = edit(node)
        if new is not node:
            _replace(copied, node, new)
        text = ast.unparse(ast.fix_missing_locations(copied))
        if text not in seen:
            seen.add(text)
            yield Mutant(f"line {line}: {change}", text)
