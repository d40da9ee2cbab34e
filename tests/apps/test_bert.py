"""Tests for nlpjourney.apps.bert: the run config, the losses, tiny runs that learn.

Tiny BERTs (one or two layers, 32 wide) train for a few dozen steps on toy sets whose
answer is known: a classifier separates two kinds of sentence, a tagger learns a
token's label, a masked LM learns to fill in a repeated sentence. The real tasks
(MiniLM, CoNLL-2003) are too slow for the suite; their numbers are in the README.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from nlpjourney.apps.bert import (
    RECIPES,
    BertRunConfig,
    MaskedScores,
    classification_loss,
    masked_lm_loss,
    predict_classes,
    predict_tags,
    score_masked_lm,
    train_bert,
)
from nlpjourney.apps.bert_data import IGNORE_INDEX, ExampleSampler, mask_tokens
from nlpjourney.errors import JourneyError, UnknownNameError
from nlpjourney.models import (
    BertConfig,
    BertForMaskedLM,
    BertForSequenceClassification,
    BertForTokenClassification,
)
from nlpjourney.tokenizers import load as load_tokenizer
from nlpjourney.train import TrainConfig, Trainer


def tiny(vocab_size: int, num_labels: int = 2) -> BertConfig:
    return BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=1,
                      num_attention_heads=2, intermediate_size=64, max_position_embeddings=32,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                      num_labels=num_labels)  # fmt: skip


def fit(
    model: torch.nn.Module,
    sampler: ExampleSampler,
    out: Path,
    steps: int,
    loss_fn=classification_loss,
    lr: float = 3e-3,
) -> Trainer:  # noqa: ANN001
    config = TrainConfig(max_steps=steps, batch_size=sampler.batch_size, lr=lr, min_lr=lr / 10,
                         eval_interval=0, checkpoint_interval=0, checkpoint_minutes=0,
                         device="cpu", dtype="float32", out_dir=str(out))  # fmt: skip
    return Trainer(model, config, sampler, loss_fn=loss_fn, plot=False, progress=False).fit()


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [({"task": "qa"}, UnknownNameError, "mlm, polarity, ner"),
     ({"max_steps": 0}, JourneyError, "--max-steps must be at least 1"),
     ({"eval_interval": -2}, JourneyError, "--eval-interval"),
     ({"seed": -1}, JourneyError, "--seed")],
)  # fmt: skip
def test_bert_run_config_says_what_is_wrong(changes: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        BertRunConfig(**changes)


def test_bert_run_config_names_its_folder_and_recipe() -> None:
    assert BertRunConfig(task="polarity").run_dir == Path("runs/bert-polarity")
    assert BertRunConfig(out_dir="x").run_dir == Path("x")
    assert BertRunConfig(task="ner").recipe is RECIPES["ner"]
    with pytest.raises(TypeError, match="BertRunConfig"):
        train_bert("mlm")  # type: ignore[arg-type]


def test_bert_masked_scores_equal_the_full_head_at_the_chosen_positions() -> None:
    torch.manual_seed(0)
    mlm = BertForMaskedLM(tiny(50)).eval()
    ids = torch.randint(5, 50, (3, 7))
    mask = torch.ones_like(ids)
    mask[1, 5:] = 0
    labels = torch.full_like(ids, IGNORE_INDEX)
    labels[0, 2], labels[1, 4], labels[2, 0], labels[2, 6] = 1, 2, 3, 4
    picked = MaskedScores(mlm)(ids, mask, labels)
    torch.testing.assert_close(picked, mlm(ids, mask)[labels != IGNORE_INDEX])
    assert masked_lm_loss(picked, labels).item() > 0
    empty = MaskedScores(mlm)(ids, mask, torch.full_like(ids, IGNORE_INDEX))
    assert masked_lm_loss(empty, torch.full_like(ids, IGNORE_INDEX)).item() == 0.0


def test_bert_classification_loss_takes_sentences_or_tokens_and_refuses_a_mismatch() -> None:
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    assert classification_loss(logits, torch.tensor([0, 1])).item() == pytest.approx(
        0.126928, abs=1e-5
    )
    tokens = torch.zeros(1, 3, 4)
    labels = torch.tensor([[0, IGNORE_INDEX, 3]])
    assert classification_loss(tokens, labels).item() == pytest.approx(
        torch.log(torch.tensor(4.0)).item()
    )
    with pytest.raises(ValueError, match=r"expected \(B, C\) with \(B,\)"):
        classification_loss(tokens, torch.tensor([0]))


def toy_sentences(n: int, seed: int) -> list:
    """Class 1 sentences hold the id 7 somewhere, class 0 ones do not."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(n):
        words = torch.randint(8, 30, (int(torch.randint(3, 9, (1,), generator=g)),), generator=g)
        if i % 2:
            words[int(torch.randint(len(words), (1,), generator=g))] = 7
        rows.append(([1, *words.tolist(), 2], i % 2))
    return rows


def test_bert_tiny_classifier_learns_a_separable_toy_set(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = BertForSequenceClassification(tiny(30))
    train, test = toy_sentences(256, seed=1), toy_sentences(128, seed=2)
    before = predict_classes(model, test)
    fit(model.train(), ExampleSampler({"train": train, "val": test}, 16, seed=0), tmp_path, 120)
    right = sum(
        p == label for p, (_, label) in zip(predict_classes(model, test), test, strict=True)
    )
    wrong_before = sum(p != label for p, (_, label) in zip(before, test, strict=True))
    assert right / len(test) >= 0.95 and wrong_before >= 32  # it learned, it did not start there


def test_bert_tiny_tagger_learns_labels_at_the_first_pieces(tmp_path: Path) -> None:
    # A token's label is its id's parity; continuation positions (-100) are never scored.
    rows = []
    g = torch.Generator().manual_seed(3)
    for _ in range(200):
        ids = torch.randint(4, 24, (6,), generator=g).tolist()
        labels = [x % 2 for x in ids]
        labels[2] = IGNORE_INDEX  # a "##piece"
        rows.append(([1, *ids, 2], [IGNORE_INDEX, *labels, IGNORE_INDEX]))
    torch.manual_seed(0)
    model = BertForTokenClassification(tiny(24))
    fit(
        model.train(),
        ExampleSampler({"train": rows[:160], "val": rows[160:]}, 16, 0),
        tmp_path,
        100,
    )
    predicted = predict_tags(model, rows[160:])
    gold = [[y for y in labels if y != IGNORE_INDEX] for _, labels in rows[160:]]
    assert all(len(p) == 6 - 1 for p in predicted)
    right = sum(
        p == y for ps, ys in zip(predicted, gold, strict=True) for p, y in zip(ps, ys, strict=True)
    )
    assert right / sum(map(len, gold)) >= 0.95


def test_bert_tiny_masked_lm_learns_to_fill_in_its_sentences(tmp_path: Path) -> None:
    tok = load_tokenizer("bert-uncased")
    texts = ["the cat sat on the mat", "a dog ran in the park", "birds sing in the morning"]
    rows = [(tok.prefix_ids + tok.encode(t) + tok.suffix_ids, 0) for t in texts] * 30
    torch.manual_seed(0)
    mlm = BertForMaskedLM(tiny(tok.vocab_size).replace(num_hidden_layers=2))
    before = score_masked_lm(mlm, rows, tok, seed=4, mask_prob=0.3)
    sampler = ExampleSampler({"train": rows, "val": rows}, 16, seed=0,
                             masker=lambda ids, g: mask_tokens(ids, tok, 0.3, generator=g))  # fmt: skip
    fit(MaskedScores(mlm).train(), sampler, tmp_path, 60, loss_fn=masked_lm_loss, lr=1e-2)
    after = score_masked_lm(mlm, rows, tok, seed=4, mask_prob=0.3)
    assert before["masked"] == after["masked"]  # the same questions, seeded
    assert before["accuracy"] < 0.05 and after["accuracy"] > 0.5
    assert after["loss"] < before["loss"] / 3


@pytest.mark.slow
def test_bert_train_bert_mlm_runs_scores_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "mlm"
    lines: list[str] = []
    config = BertRunConfig(task="mlm", max_steps=4, stop_after=2, out_dir=out, device="cpu")
    assert train_bert(config, echo=lines.append).scores == {}  # stopped early: no scores
    assert (out / "ckpt.pt").is_file() and not (out / "scores.json").exists()
    result = train_bert(BertRunConfig(task="mlm", max_steps=4, out_dir=out, resume=True,
                                      device="cpu"), echo=lines.append)  # fmt: skip
    assert result.trainer.step == 4
    scores = json.loads((out / "scores.json").read_text())
    assert scores["untrained_loss"] == pytest.approx(result.scores["untrained_loss"])
    assert scores["loss"] < scores["untrained_loss"] and scores["steps"] == 4
    assert (out / "loss.png").is_file() and any("Multi30k" in line for line in lines)


@pytest.mark.slow  # two processes that import torch
def test_bert_cli_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    for args, fragment in [(["--task", "qa"], "unknown task 'qa'"),
                           (["--max-steps", "0"], "--max-steps must be at least 1")]:  # fmt: skip
        result = subprocess.run([sys.executable, "-m", "nlpjourney.cli", "train", "bert", *args,
                                 "--out-dir", str(tmp_path / "run")], capture_output=True,
                                text=True, env=env, timeout=120)  # fmt: skip
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert fragment in result.stderr
