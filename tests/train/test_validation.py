"""Tests for nlpjourney.train.validation: every token of a stream scored once, by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nlpjourney.models.gpt import GPT, GPTConfig
from nlpjourney.train import validation_loss


def test_validation_loss_scores_every_token_of_the_split_once() -> None:
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=1, n_head=1, n_embd=32))
    tokens = np.random.default_rng(0).integers(0, 20, size=100)  # 6 windows of 16, 3 left
    ids = torch.from_numpy(tokens.astype(np.int64))
    with torch.no_grad():
        by_hand = [F.cross_entropy(model(ids[i : i + 16][None])[0], ids[i + 1 : i + 17])
                   for i in range(0, 96, 16)]  # fmt: skip
    expected = float(torch.stack(by_hand).mean())
    assert validation_loss(model, tokens, 16, batch_size=4) == pytest.approx(expected, rel=1e-6)


def test_validation_loss_needs_one_whole_window() -> None:
    model = GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=1, n_head=1, n_embd=32))
    with pytest.raises(ValueError, match="do not fill one window"):
        validation_loss(model, np.zeros(16, dtype=np.int64), 16)
