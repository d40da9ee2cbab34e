"""What an exercise may not use, found in the learner's file and guarded while checks run.

An exercise's ``checks.py`` may declare ``FORBIDDEN``, a tuple of dotted names. A name
is a module, which forbids its submodules too (``"sklearn"`` forbids
``sklearn.feature_extraction.text``), or a callable (``"torch.autograd.grad"``). The
exercise's ``REFERENCE`` module, the library's model answer, is always forbidden.

Two lines of defence, because a grader that can be fooled teaches nothing:

- :func:`find_uses` reads the learner's file without running it: imports, from-imports,
  ``importlib.import_module("x")`` and ``__import__("x")``, string constants naming a
  forbidden module, and attribute chains with import aliases resolved
  (``import torch.nn.functional as F`` makes ``F.scaled_dot_product_attention`` the
  forbidden ``torch.nn.functional.scaled_dot_product_attention``). A forbidden callable
  is also caught when called on anything (``x.scaled_dot_product_attention(...)``).
  ``journey check`` refuses such a file before any check runs.
- :class:`Guard`, active while the learner's module is imported and the checks run,
  catches what reading cannot see, a computed name (``importlib.import_module("sk" +
  "learn")``) or a callable fetched with ``getattr``: imports of forbidden modules by the
  learner's file fail, and forbidden callables raise when the learner's code calls them
  directly. The checks themselves import and call whatever they need.

Every exercise also forbids :data:`ALWAYS`, the back doors to modules that no exercise
needs: ``sys.modules`` and importlib's loaders. A forbidden callable is caught under any
module that re-exports it: reading sees its name imported or reached through the same
package (``from torch.nn.modules import MultiheadAttention``), and the guard replaces
every loaded module's attribute that holds it.

Not covered (Python cannot be sealed from inside): a door reached by a computed
attribute name (``getattr(sys, "mod" + "ules")``), or a forbidden module's contents
re-exported under another package's name and reached without naming that package.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType, TracebackType
from typing import Any

ALWAYS: tuple[str, ...] = ("sys.modules", "importlib.util", "importlib.machinery")
"""Forbidden in every exercise: the ways to load or fetch a module that skip ``import``."""


@dataclass(frozen=True)
class Use:
    """One use of a forbidden name: the file's name, the line, and the dotted name used."""

    file: str
    line: int
    name: str


class ForbiddenUseError(ImportError):
    """Raised in the learner's code when it imports or calls what its exercise forbids.

    An ImportError, so a forbidden import fails the way a missing module would.
    """


def forbidding(forbidden: Sequence[str], name: str) -> str | None:
    """The entry of ``forbidden`` that forbids ``name``, or None.

    >>> forbidding(("sklearn", "torch.autograd.grad"), "sklearn.feature_extraction.text")
    'sklearn'
    >>> forbidding(("torch.autograd.grad",), "torch.autograd") is None
    True
    """
    for entry in forbidden:
        if name == entry or name.startswith(entry + "."):
            return entry
    return None


def refusal(use: Use, topic_id: str) -> str:
    """The one line ``journey check`` prints when it refuses a file.

    >>> refusal(Use("exercise.py", 3, "sklearn.feature_extraction.text.TfidfTransformer"), "1.3")
    'exercise.py line 3 uses sklearn.feature_extraction.text.TfidfTransformer, which exercise 1.3 may not use: write that part yourself.'
    """
    return (
        f"{use.file} line {use.line} uses {use.name}, which exercise {topic_id} may not use: "
        "write that part yourself."
    )


def declared(checks: Path) -> tuple[str, ...]:
    """What a ``checks.py`` forbids: its ``FORBIDDEN`` names, its ``REFERENCE`` module and
    :data:`ALWAYS`.

    Read from the file's text, so the checks' own heavy imports are not paid for.

    Raises:
        ValueError: ``FORBIDDEN`` or ``REFERENCE`` is not written out as literal strings.
    """
    names: list[str] = []
    for node in ast.parse(checks.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in {"FORBIDDEN", "REFERENCE"}:
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    value = None
                values = [value] if isinstance(value, str) else value
                if not isinstance(values, list | tuple) or not all(
                    isinstance(v, str) for v in values
                ):
                    raise ValueError(
                        f"{checks}: {target.id} must be written out as dotted names in "
                        'quotes, e.g. FORBIDDEN = ("sklearn", "torch.autograd.grad")'
                    )
                names.extend(values)
    return tuple(dict.fromkeys([*names, *ALWAYS]))


def forbidden_of(checks_module: ModuleType) -> tuple[str, ...]:
    """The same as :func:`declared`, from an imported ``checks.py``."""
    names = list(getattr(checks_module, "FORBIDDEN", ()))
    reference = getattr(checks_module, "REFERENCE", None)
    if reference:
        names.append(reference)
    return tuple(dict.fromkeys([*names, *ALWAYS]))


def is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module (True) or something inside one (False).

    Decided from the installed files, importing nothing: ``torch.autograd`` is a folder,
    ``torch.autograd.grad`` is not. A name whose package is not installed counts as a
    module (nothing in it can be called anyway).

    >>> is_module("nlpjourney.course"), is_module("nlpjourney.course.forbidden.is_module")
    (True, False)
    """
    top, *rest = dotted.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return True
    if spec is None:
        return True
    locations = list(spec.submodule_search_locations or [])
    for part in rest:
        found = None
        for location in map(Path, locations):
            if (location / part).is_dir():
                found = [str(location / part)]
                break
            if any((location / (part + s)).is_file() for s in importlib.machinery.all_suffixes()):
                found = []
                break
        if found is None:
            return False
        locations = found
    return True


def callables_of(forbidden: Sequence[str]) -> dict[str, str]:
    """The forbidden names that are callables, keyed by their last part.

    >>> callables_of(("sklearn", "nlpjourney.course.forbidden.refusal"))
    {'refusal': 'nlpjourney.course.forbidden.refusal'}
    """
    return {
        name.rsplit(".", 1)[-1]: name
        for name in forbidden
        if "." in name and name not in ALWAYS and not is_module(name)
    }


class _UseFinder(ast.NodeVisitor):
    """Walks a learner's module, resolving import aliases, and collects forbidden uses."""

    def __init__(self, forbidden: Sequence[str], file: str) -> None:
        self.forbidden = tuple(forbidden)
        self.callables = callables_of(forbidden)
        self.file = file
        self.aliases: dict[str, str] = {}
        self.uses: list[Use] = []

    def found(self, node: ast.AST, name: str) -> None:
        self.uses.append(Use(self.file, getattr(node, "lineno", 0), name))

    def check(self, node: ast.AST, name: str) -> None:
        if forbidding(self.forbidden, name):
            self.found(node, name)
        elif (callable_ := self.reexported(name)) is not None:
            self.found(node, callable_)

    def reexported(self, name: str) -> str | None:
        """The forbidden callable that ``name`` may be, under another module of its package
        (``torch.nn.modules.MultiheadAttention`` for ``torch.nn.MultiheadAttention``)."""
        top, _, rest = name.partition(".")
        callable_ = self.callables.get(name.rsplit(".", 1)[-1])
        if rest and callable_ is not None and callable_.split(".", 1)[0] == top:
            return callable_
        return None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check(node, alias.name)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:  # `import a.b.c` binds `a`
                top = alias.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:  # relative: a learner's file is not in a package
            return
        for alias in node.names:
            full = node.module if alias.name == "*" else f"{node.module}.{alias.name}"
            self.check(node, full)
            if alias.name != "*":
                self.aliases[alias.asname or alias.name] = full

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts = [node.attr]
        base: ast.expr = node.value
        while isinstance(base, ast.Attribute):
            parts.append(base.attr)
            base = base.value
        if isinstance(base, ast.Name) and base.id in self.aliases:
            full = ".".join([self.aliases[base.id], *reversed(parts)])
            if forbidding(self.forbidden, full):
                self.found(node, full)
                return
            if (callable_ := self.reexported(full)) is not None:
                self.found(node, callable_)
                return
        else:
            self.visit(base)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in self.callables:
            self.found(node, self.callables[func.attr])
        is_getattr = isinstance(func, ast.Name) and func.id == "getattr"
        if is_getattr and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value in self.callables:
                self.found(node, self.callables[name.value])
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # A string naming a forbidden module: importlib.import_module("sklearn"),
        # __import__("nlpjourney.features.tfidf"), a table of names to import...
        if isinstance(node.value, str) and node.value.replace(".", "").isidentifier():
            self.check(node, node.value)


def find_uses(source: str, forbidden: Sequence[str], file: str = "exercise.py") -> list[Use]:
    """Every use of a forbidden name in a learner's source, by line; [] if it does not parse.

    Args:
        source: the text of the learner's file.
        forbidden: dotted names of forbidden modules and callables.
        file: the file's name, as the uses report it.

    >>> source = "import torch.nn.functional as F\\n\\ny = F.scaled_dot_product_attention(q, k, v)\\n"
    >>> find_uses(source, ["torch.nn.functional.scaled_dot_product_attention"])
    [Use(file='exercise.py', line=3, name='torch.nn.functional.scaled_dot_product_attention')]
    """
    if not forbidden:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:  # the checks report it, check by check
        return []
    finder = _UseFinder(forbidden, file)
    finder.visit(tree)
    return sorted(set(finder.uses), key=lambda use: (use.line, use.name))


class Guard:
    """While active: the learner's file cannot import forbidden modules or call forbidden
    callables; everything else, the checks included, works as usual.

    Each use it stops is appended to ``uses`` (and raises :class:`ForbiddenUseError` in the
    learner's code), so a learner's ``try``/``except`` cannot hide it from the grader.

    Args:
        learner_file: the learner's file, as its module was (or will be) loaded from.
        module_name: the name the learner's module is loaded under.
        forbidden: dotted names of forbidden modules and callables.
        uses: where to record what was stopped.
    """

    def __init__(
        self,
        learner_file: Path,
        module_name: str,
        forbidden: Sequence[str],
        uses: list[Use] | None = None,
    ) -> None:
        self.file = str(learner_file)
        self.module_name = module_name
        self.forbidden = tuple(forbidden)
        self.uses = [] if uses is None else uses
        self.pending = set(callables_of(self.forbidden).values())
        self.restore: list[Callable[[], None]] = []

    def is_learners(self, frame: FrameType | None, importer: dict | None = None) -> bool:
        """Whether the code at ``frame`` (or the module of ``importer`` globals) is the
        learner's, also for code the learner's file compiled and ran with ``exec``."""
        for scope in (importer, frame.f_globals if frame else None):
            if scope and (
                scope.get("__file__") == self.file or scope.get("__name__") == self.module_name
            ):
                return True
        return frame is not None and frame.f_code.co_filename == self.file

    def stop(self, frame: FrameType | None, name: str) -> ForbiddenUseError:
        use = Use(Path(self.file).name, frame.f_lineno if frame else 0, name)
        if use not in self.uses:
            self.uses.append(use)
        return ForbiddenUseError(
            f"{name} is forbidden in this exercise (line {use.line}): write that part yourself."
        )

    def forbidden_import(self, name: str, fromlist: Sequence[str] | None) -> str | None:
        for full in [name, *(f"{name}.{item}" for item in fromlist or () if item != "*")]:
            if forbidding(self.forbidden, full):
                return full
        return None

    def __enter__(self) -> Guard:
        original_import = builtins.__import__
        original_import_module = importlib.import_module

        def guarded_import(
            name: str,
            globals: dict | None = None,  # the builtin's own parameter names
            locals: dict | None = None,
            fromlist: Sequence[str] | None = (),
            level: int = 0,
        ) -> ModuleType:
            frame = sys._getframe(1)
            if level == 0 and self.is_learners(frame, globals):
                used = self.forbidden_import(name, fromlist)
                if used:
                    raise self.stop(frame, used)
            module = original_import(name, globals, locals, fromlist, level)
            if self.pending:  # a forbidden callable's module may have just been loaded
                self.wrap_callables()
            return module

        def guarded_import_module(name: str, package: str | None = None) -> ModuleType:
            frame = sys._getframe(1)
            if self.is_learners(frame):
                full = importlib.util.resolve_name(name, package) if name.startswith(".") else name
                if forbidding(self.forbidden, full):
                    raise self.stop(frame, full)
            module = original_import_module(name, package)
            if self.pending:
                self.wrap_callables()
            return module

        self.replace(builtins, "__import__", guarded_import)
        self.replace(importlib, "import_module", guarded_import_module)
        self.wrap_callables()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        while self.restore:
            self.restore.pop()()

    def replace(self, owner: Any, attr: str, value: object) -> None:
        """Set ``owner.attr`` until the guard ends (then put back exactly what was there)."""
        had = attr in vars(owner)
        old = vars(owner).get(attr)
        setattr(owner, attr, value)
        self.restore.append(lambda: setattr(owner, attr, old) if had else delattr(owner, attr))

    def wrap_callables(self) -> None:
        """Replace each forbidden callable whose module is loaded by a guarded wrapper."""
        for name in sorted(self.pending):
            found = self.resolve(name)
            if found is None:
                continue
            self.pending.discard(name)
            owner, attr, original = found
            if not callable(original):
                continue
            wrapper = self.guarded(original, name)
            try:
                self.replace(owner, attr, wrapper)
            except (AttributeError, TypeError):  # a built-in type's attribute: leave it
                continue
            # The same object under other names: its home module's
            # (F.scaled_dot_product_attention is torch._C._nn.scaled_dot_product_attention)
            # and every loaded module of its package that re-exports it.
            for other, short in self.doors(name, original):
                if other is not owner or short != attr:
                    try:
                        self.replace(other, short, wrapper)
                    except (AttributeError, TypeError):
                        pass

    @staticmethod
    def doors(name: str, original: object) -> list[tuple[ModuleType, str]]:
        """Each loaded module, with the attribute name, that holds ``original``: the modules
        of the forbidden name's package and the object's home module."""
        top = name.split(".", 1)[0]
        home = getattr(original, "__module__", None) or ""
        short = getattr(original, "__name__", None) or name.rsplit(".", 1)[-1]
        found = []
        for module_name, module in list(sys.modules.items()):
            inside = module_name == top or module_name.startswith(top + ".")
            if module is None or not (inside or module_name == home):
                continue
            names = getattr(module, "__dict__", {})
            for attr in {short, name.rsplit(".", 1)[-1]}:
                if names.get(attr) is original:
                    found.append((module, attr))
        return found

    def guarded(self, original: Callable[..., Any], name: str) -> Callable[..., Any]:
        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            frame = sys._getframe(1)
            if self.is_learners(frame):
                raise self.stop(frame, name)
            return original(*args, **kwargs)

        return wrapper

    @staticmethod
    def resolve(name: str) -> tuple[Any, str, Any] | None:
        """(owner, attribute, object) for a dotted name whose module is loaded, else None."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = sys.modules.get(".".join(parts[:cut]))
            if module is None:
                continue
            owner: Any = module
            try:
                for part in parts[cut:-1]:
                    owner = getattr(owner, part)
                return owner, parts[-1], getattr(owner, parts[-1])
            except AttributeError:
                return None
        return None
