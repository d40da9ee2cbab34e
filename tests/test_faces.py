"""Every package has a face: its ``__init__`` lists the public names in ``__all__``.

For each package: every name in ``__all__`` exists, none is listed twice, every public
class its modules define is exported (or named below as machinery that stays inside),
and no exported name hides a submodule of the same name (``from nlpjourney.text import
normalize`` must stay the module). The names the issue asked for import.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

SRC_ROOT = Path(__file__).resolve().parents[1] / "src" / "nlpjourney"

# The packages whose faces this test holds; `errors` and `progress` are modules with an
# `__all__` of their own.
FACES = [
    "nlpjourney.apps",
    "nlpjourney.autograd",
    "nlpjourney.autograd.nn",
    "nlpjourney.classify",
    "nlpjourney.cnn",
    "nlpjourney.cluster",
    "nlpjourney.compiled",
    "nlpjourney.configs",
    "nlpjourney.course",
    "nlpjourney.data",
    "nlpjourney.devices",
    "nlpjourney.embeddings",
    "nlpjourney.errors",
    "nlpjourney.evaluate",
    "nlpjourney.extras",
    "nlpjourney.features",
    "nlpjourney.infer",
    "nlpjourney.lm",
    "nlpjourney.ml",
    "nlpjourney.models",
    "nlpjourney.mt",
    "nlpjourney.nn",
    "nlpjourney.optim",
    "nlpjourney.parsing",
    "nlpjourney.progress",
    "nlpjourney.retrieval",
    "nlpjourney.rnn",
    "nlpjourney.saving",
    "nlpjourney.sentiment",
    "nlpjourney.seq2seq",
    "nlpjourney.serve",
    "nlpjourney.tagging",
    "nlpjourney.text",
    "nlpjourney.tokenizers",
    "nlpjourney.topics",
    "nlpjourney.train",
]

# Public classes that are machinery of their module, reached through it when needed.
STAY_INSIDE = {
    "nlpjourney.course": {"Placed", "ResultRecorder", "Guard"},
    "nlpjourney.features": {"TextAnalysisMixin"},
    "nlpjourney.ml": {"ForwardCache", "TwoLayerCache"},
    "nlpjourney.models": {"DecoderLayer"},  # a layer of the Transformer, not a model
    "nlpjourney.optim": {"ArrayOps", "Parameter"},  # Parameter: the typing Protocol
    "nlpjourney.text": {"Condition", "Rule"},
    # OpenAI's wire format: read as nlpjourney.serve.schemas.ChatCompletionRequest etc.
    "nlpjourney.serve": {
        node.name
        for node in ast.parse((SRC_ROOT / "serve" / "schemas.py").read_text()).body
        if isinstance(node, ast.ClassDef)
    },
}

# A function named like its module, as torch.autograd.gradcheck is: the face gives the
# function, and the module is imported by its full name.
SHADOWS = {
    "nlpjourney.autograd": {"gradcheck"},
    "nlpjourney.embeddings": {"ppmi"},
    "nlpjourney.infer": {"generate"},
    "nlpjourney.topics": {"coherence"},
}


@pytest.mark.parametrize("name", FACES)
def test_faces_every_listed_name_exists(name: str) -> None:
    package = importlib.import_module(name)
    exported = package.__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ lists a name twice"
    missing = [n for n in exported if not hasattr(package, n)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"


def submodules(package: types.ModuleType) -> list[str]:
    if not hasattr(package, "__path__"):
        return []
    return [info.name for info in pkgutil.iter_modules(package.__path__)]


@pytest.mark.parametrize("name", FACES)
def test_faces_no_export_hides_a_submodule(name: str) -> None:
    package = importlib.import_module(name)
    for sub in submodules(package):
        if sub in SHADOWS.get(name, set()) or sub == "__main__":
            continue
        module = importlib.import_module(f"{name}.{sub}")
        assert getattr(package, sub) is module, f"{name}.{sub} is not the module"


def public_classes(package: types.ModuleType) -> set[str]:
    """Classes defined (not imported) at the top of the package's own modules."""
    names = set()
    for sub in submodules(package):
        if hasattr(importlib.import_module(f"{package.__name__}.{sub}"), "__path__"):
            continue  # a subpackage has its own face
        source = inspect.getsource(sys.modules[f"{package.__name__}.{sub}"])
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                names.add(node.name)
    return names


# data and tokenizers hold their own faces (their lists are checked above, not completed).
@pytest.mark.parametrize(
    "name", [f for f in FACES if f.split(".")[1] not in {"data", "tokenizers"}]
)
def test_faces_export_every_public_class(name: str) -> None:
    package = importlib.import_module(name)
    if name == "nlpjourney.course":
        # checking.py is the pytest plugin (it needs pytest); its class is machinery.
        importlib.import_module("nlpjourney.course.checking")
    missing = public_classes(package) - set(package.__all__) - STAY_INSIDE.get(name, set())
    assert not missing, f"{name} defines public classes its face does not export: {missing}"


def test_faces_names_from_the_issue_import() -> None:
    from nlpjourney.lm import NgramLM
    from nlpjourney.ml import MLP
    from nlpjourney.text import PorterStemmer, WordNetLemmatizer

    assert PorterStemmer().stem("running") == "run"
    assert WordNetLemmatizer.__module__ == "nlpjourney.text.lemmatize"
    assert NgramLM.__module__ == "nlpjourney.lm.ngram"
    assert MLP.__module__ == "nlpjourney.ml.mlp"


def test_faces_modules_stay_reachable_under_their_names() -> None:
    from nlpjourney.ml import two_layer
    from nlpjourney.optim import adam_step, functional
    from nlpjourney.text import augment, normalize, stopwords

    assert isinstance(normalize, types.ModuleType) and callable(normalize.normalize)
    assert isinstance(augment, types.ModuleType) and callable(augment.augment)
    assert isinstance(stopwords, types.ModuleType) and callable(stopwords.stopwords)
    assert functional.adam_step is adam_step
    assert callable(two_layer.backward)


def test_faces_text_loads_no_heavy_reference_library() -> None:
    # A fresh interpreter: this test process has imported spaCy and NLTK long ago.
    code = (
        "import sys, nlpjourney.text, nlpjourney.course; "
        "print(sorted({'spacy', 'nltk', 'torch', 'sklearn', 'jupytext', 'pytest'} "
        "& set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
