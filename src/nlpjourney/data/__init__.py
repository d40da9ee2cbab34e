"""Datasets and packaged models, found offline.

>>> from nlpjourney import data
>>> data.path("tinyshakespeare")  # doctest: +SKIP
PosixPath('.../tinyshakespeare/input.txt')

See :mod:`nlpjourney.data.registry` for the entries, :mod:`nlpjourney.data.store`
for where they are looked for, and :mod:`nlpjourney.data.checksums` for how every file
is checked against its SHA-256 before it is used.
"""

from nlpjourney.data.registry import REGISTRY, DataFile, Dataset
from nlpjourney.data.store import (
    DataWarning,
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
    "DataWarning",
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
