"""Tests for nlpjourney.tagging.bilstm_crf: the torch CRF layer against the NumPy CRF
(``tagging.crf``), ``decode.viterbi`` and brute force over every path, its gradients by
``torch.autograd.gradcheck``, and the BiLSTM-CRF tagger's contract (fit, predict, save,
load, errors) on a few sentences."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml import NotFittedError
from nlpjourney.tagging import BiLSTMCRF
from nlpjourney.tagging import crf as numpy_crf
from nlpjourney.tagging.bilstm_crf import CRFLayer
from nlpjourney.tagging.decode import viterbi

LENGTHS = [5, 1, 3, 4]
SENTENCES = [
    ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
    ["Peter", "Blackburn"],
    ["BRUSSELS", "1996-08-22"],
]
TAGS = [
    ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"],
    ["B-PER", "I-PER"],
    ["B-LOC", "O"],
]


def random_layer(k: int, seed: int, dtype: torch.dtype = torch.float32) -> CRFLayer:
    generator = torch.Generator().manual_seed(seed)
    layer = CRFLayer(k).to(dtype)
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=dtype))
    return layer


def padded_batch(k: int, seed: int, dtype: torch.dtype = torch.float32) -> tuple:
    """Emissions (B, T, K) with junk in the padding, the mask, and random gold tags."""
    generator = torch.Generator().manual_seed(seed)
    t = max(LENGTHS)
    emissions = 3 * torch.randn(len(LENGTHS), t, k, generator=generator, dtype=dtype)
    mask = torch.arange(t) < torch.tensor(LENGTHS).unsqueeze(1)
    tags = torch.randint(0, k, (len(LENGTHS), t), generator=generator)
    return emissions, mask, tags


def numpy_parts(layer: CRFLayer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(p.detach().double().numpy() for p in (layer.transitions, layer.start, layer.end))


def test_bilstm_crf_layer_matches_numpy_crf() -> None:
    layer = random_layer(5, seed=1)
    emissions, mask, tags = padded_batch(5, seed=2)
    transitions, start, end = numpy_parts(layer)
    log_z = layer.log_partition(emissions, mask)
    score = layer.score(emissions, tags, mask)
    paths = layer.decode(emissions, mask)
    for b, n in enumerate(LENGTHS):
        scores = emissions[b, :n].double().numpy()
        gold = tags[b, :n].numpy()
        expected_z = numpy_crf.log_partition(scores, transitions, start, end)
        expected_score = numpy_crf.sequence_score(scores, transitions, gold, start, end)
        best, _ = viterbi(scores, transitions, start, end)
        assert log_z[b].item() == pytest.approx(expected_z, abs=1e-4)
        assert score[b].item() == pytest.approx(expected_score, abs=1e-4)
        assert paths[b] == best.tolist()


def test_bilstm_crf_layer_matches_brute_force() -> None:
    k = 3
    layer = random_layer(k, seed=3, dtype=torch.float64)
    emissions, mask, _ = padded_batch(k, seed=4, dtype=torch.float64)
    log_z = layer.log_partition(emissions, mask)
    paths = layer.decode(emissions, mask)
    for b, n in enumerate(LENGTHS):
        every = torch.tensor(list(itertools.product(range(k), repeat=n)))  # (k^n, n)
        rows = emissions[b : b + 1, :n].expand(len(every), n, k)
        scores = layer.score(rows, every, torch.ones(len(every), n, dtype=torch.bool))
        assert log_z[b].item() == pytest.approx(torch.logsumexp(scores, 0).item(), abs=1e-9)
        assert paths[b] == every[scores.argmax()].tolist()


def test_bilstm_crf_layer_breaks_ties_to_the_lower_tag() -> None:
    layer = CRFLayer(3)
    emissions, mask = torch.zeros(1, 4, 3), torch.ones(1, 4, dtype=torch.bool)
    assert layer.decode(emissions, mask) == [[0, 0, 0, 0]]


class _NLL(torch.nn.Module):
    """The layer's nll as a module's forward, so functional_call can swap its parameters."""

    def __init__(self, crf: CRFLayer) -> None:
        super().__init__()
        self.crf = crf

    def forward(
        self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        return self.crf.nll(emissions, tags, mask)


def test_bilstm_crf_layer_gradients_pass_gradcheck() -> None:
    k = 3
    wrapper = _NLL(random_layer(k, seed=5, dtype=torch.float64))
    emissions, mask, tags = padded_batch(k, seed=6, dtype=torch.float64)
    names = ["crf.transitions", "crf.start", "crf.end"]
    parts = [wrapper.get_parameter(n).detach().clone().requires_grad_(True) for n in names]

    def nll(emissions: torch.Tensor, *values: torch.Tensor) -> torch.Tensor:
        params = dict(zip(names, values, strict=True))
        return torch.func.functional_call(wrapper, params, (emissions, tags, mask))

    assert torch.autograd.gradcheck(nll, (emissions.requires_grad_(True), *parts))


def test_bilstm_crf_overfits_three_sentences_and_round_trips(tmp_path: Path) -> None:
    torch.set_num_threads(1)
    tagger = BiLSTMCRF(embedding_dim=16, char_dim=8, char_filters=8, hidden=16, lr=0.03,
                       dropout=0.0, batch_size=3)  # fmt: skip
    tagger.fit(SENTENCES, TAGS, dev=(SENTENCES, TAGS), epochs=40, out=tmp_path)
    losses = [r["loss"] for r in tagger.history_]
    assert losses[-1] < losses[0] / 10
    assert tagger.predict(SENTENCES + [[]]) == [*TAGS, []]
    assert tagger.history_[tagger.best_epoch_ - 1]["dev"] == 1.0
    assert tagger.tags_ == ["B-LOC", "B-MISC", "B-ORG", "B-PER", "I-PER", "O"]
    assert (tmp_path / "loss.png").stat().st_size > 0
    unseen = [["Peter", "visits", "BRUSSELS", "!"]]
    loaded = BiLSTMCRF.load(tagger.save(tmp_path / "model"))
    assert loaded.predict(unseen) == tagger.predict(unseen)
    assert loaded.tags_ == tagger.tags_


def test_bilstm_crf_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        BiLSTMCRF().predict([["a"]])
    with pytest.raises(ValueError, match="one tag per token"):
        BiLSTMCRF().fit([["a", "b"]], [["O"]])
    with pytest.raises(TypeError, match="list of tokens"):
        BiLSTMCRF().fit(["a b"], [["O", "O"]])
    with pytest.raises(ValueError, match="hidden"):
        BiLSTMCRF(hidden=0).fit([["a"]], [["O"]])
    with pytest.raises(ModelFormatError):
        BiLSTMCRF.load(tmp_path)
    tagger = BiLSTMCRF(embedding_dim=4, char_dim=4, char_filters=4, hidden=4).fit(
        [["a"]], [["O"]], epochs=1
    )
    folder = tagger.save(tmp_path / "model")
    (folder / "weights.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError, match="weights.npz"):
        BiLSTMCRF.load(folder)
