"""A saved model folder round-trips, and every broken one gives one ModelFormatError."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpjourney.errors import ModelFormatError
from nlpjourney.saving import MODEL_JSON, WEIGHTS, load_model, save_model


def saved(folder: Path) -> Path:
    arrays = {"weights": np.arange(6, dtype=np.float32).reshape(2, 3), "ids": np.array([3, 1])}
    return save_model(folder, "Toy", {"tags": ["NOUN", "VERB"], "k1": 1.5}, arrays)


def test_saving_round_trips(tmp_path: Path) -> None:
    config, arrays = load_model(saved(tmp_path / "toy"), "Toy", required=("weights",))
    assert config == {"tags": ["NOUN", "VERB"], "k1": 1.5}
    assert arrays["weights"].dtype == np.float32
    np.testing.assert_array_equal(arrays["weights"], np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(arrays["ids"], [3, 1])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / MODEL_JSON).unlink(), "holds no model.json"),
        (lambda f: (f / MODEL_JSON).write_text("{oops"), "not valid JSON"),
        (lambda f: (f / MODEL_JSON).write_text('{"format": "x"}'), "not an nlpjourney model"),
        (lambda f: (f / WEIGHTS).unlink(), "lacks weights.npz"),
        (lambda f: (f / WEIGHTS).write_bytes(b"not a zip"), "not readable"),
    ],
)
def test_saving_damage_gives_one_clear_error(tmp_path: Path, damage, message: str) -> None:
    folder = saved(tmp_path / "toy")
    damage(folder)
    with pytest.raises(ModelFormatError, match=message):
        load_model(folder, "Toy")


def test_saving_refuses_other_kinds_versions_and_missing_arrays(tmp_path: Path) -> None:
    folder = saved(tmp_path / "toy")
    with pytest.raises(ModelFormatError, match="holds a 'Toy', not a 'CRF'"):
        load_model(folder, "CRF")
    with pytest.raises(ModelFormatError, match=r"lacks the arrays \['transitions'\]"):
        load_model(folder, "Toy", required=("transitions",))
    header = json.loads((folder / MODEL_JSON).read_text())
    (folder / MODEL_JSON).write_text(json.dumps({**header, "version": 99}))
    with pytest.raises(ModelFormatError, match="format version 99"):
        load_model(folder, "Toy")
    with pytest.raises(ModelFormatError, match="no such folder"):
        load_model(tmp_path / "absent", "Toy")
