"""Datasets and packaged models, found offline.

>>> from nlpjourney import data
>>> data.path("tinyshakespeare")  # doctest: +SKIP
PosixPath('.../tinyshakespeare/input.txt')

See :mod:`nlpjourney.data.registry` for the entries and :mod:`nlpjourney.data.store`
for where they are looked for.
"""

from nlpjourney.data.registry import REGISTRY, DataFile, Dataset
from nlpjourney.data.store import (
    cache_root,
    fetch,
    get,
    locate,
    mirror_root,
    nltk_data_dir,
    path,
    verify,
)

__all__ = [
    "REGISTRY",
    "DataFile",
    "Dataset",
    "cache_root",
    "fetch",
    "get",
    "locate",
    "mirror_root",
    "nltk_data_dir",
    "path",
    "verify",
]
