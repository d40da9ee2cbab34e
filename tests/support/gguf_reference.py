"""The reference GGUF writer: the ``gguf`` package's ``GGUFWriter`` given the metadata and
tensors our :func:`nlpjourney.serve.gguf_writer.write_gguf` is given, so the two files can
be compared byte for byte (tests/serve/test_gguf_writer.py, benchmarks/serve_export.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def write_with_gguf_package(
    path: Path, metadata: Mapping[str, Any], tensors: Sequence[tuple[str, np.ndarray]]
) -> Path:
    """Write ``metadata`` (in order, ``general.architecture`` first) and ``tensors`` with
    ``GGUFWriter``, each value typed as :func:`~nlpjourney.serve.gguf_writer.value_type`
    types it."""
    from gguf import GGUFValueType, GGUFWriter

    from nlpjourney.serve.gguf_writer import Typed, value_type

    first, *rest = metadata.items()
    assert first[0] == "general.architecture"
    writer = GGUFWriter(path, first[1])  # it writes general.architecture itself
    for key, value in rest:
        code, element = value_type(value)
        raw = value.value if isinstance(value, Typed) else value
        sub = None if element is None else GGUFValueType(element)
        writer.add_key_value(key, raw, GGUFValueType(code), sub_type=sub)
    for name, array in tensors:
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
