"""Tests for the translator app: nlpjourney.apps.translation and apps.translator.

The data pieces (joint BPE, length-bucketed batches, padding), the label-smoothed loss
by hand, BLEU equal to sacreBLEU's, a tiny transformer that learns a few pairs exactly,
and the workflow: its config's checks, and a tiny run read back from its folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from nlpjourney.apps.translation import (
    ParallelBatches,
    Translator,
    corpus_bleu,
    encode_pairs,
    label_smoothed_loss,
    pad_batch,
    train_joint_bpe,
)
from nlpjourney.apps.translator import TranslatorRunConfig, load_translator, train_translator
from nlpjourney.errors import JourneyError
from nlpjourney.models.transformer import Transformer, TransformerConfig

TINY = TransformerConfig.from_name("tiny")  # vocab 64, pad 0, bos 1, eos 2


# --- data, loss, BLEU --------------------------------------------------------------------

PAIRS = [
    ("Ein Hund läuft.", "A dog runs."),
    ("Eine Katze schläft.", "A cat sleeps."),
    ("Zwei Männer spielen Fußball.", "Two men play soccer."),
    ("Ein Kind lacht.", "A child laughs."),
    ("Eine Frau liest ein Buch.", "A woman reads a book."),
    ("Der Hund schläft.", "The dog sleeps."),
]


def test_parallel_batches_shift_targets_and_bucket_by_length() -> None:
    tok = train_joint_bpe([s for pair in PAIRS for s in pair], 300)
    src, tgt = encode_pairs(tok, [p[0] for p in PAIRS], [p[1] for p in PAIRS], max_len=32)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    assert tgt[0][0] == bos and tgt[0][-1] == eos and src[0][-1] == eos
    pad = tok.token_to_id("<pad>")
    batches = ParallelBatches({"train": (src, tgt), "val": (src, tgt)}, 2, pad, seed=0)
    seen = []
    for _ in range(3):  # one epoch: 6 pairs in batches of 2
        (s, t_in), t_out = batches("train")
        assert s.shape[0] == t_in.shape[0] == 2 and t_in.shape == t_out.shape
        assert (t_in[:, 0] == bos).all()
        assert s.shape[1] % 8 == 0 and t_in.shape[1] % 8 == 0  # few shapes for oneDNN
        seen += [tuple(row[row != pad].tolist()) for row in s]
    assert sorted(seen) == sorted(tuple(row) for row in src)
    # resumable: the state gives the same next batches
    state = batches.state_dict()
    first = batches("train")
    batches.load_state_dict(state)
    assert torch.equal(batches("train")[1], first[1])


def test_pad_batch_rounds_lengths_up() -> None:
    assert pad_batch([[5] * 5, [6] * 11], 0, multiple=8).shape == (2, 16)
    assert pad_batch([[5] * 5, [6] * 11], 0, multiple=8, extra=1).shape == (2, 17)
    assert pad_batch([[5] * 9], 0, multiple=8, extra=1).shape == (1, 9)
    assert pad_batch([[5, 6], [7]], 0).tolist() == [[5, 6], [7, 0]]


def test_label_smoothed_loss_by_hand() -> None:
    logits = torch.randn(2, 3, 5)
    targets = torch.tensor([[1, 2, 0], [3, 0, 0]])  # 0 = pad
    logp = torch.log_softmax(logits, dim=-1)
    keep = targets != 0
    nll = -logp.gather(-1, targets[..., None])[..., 0]
    smooth = -logp.mean(dim=-1)
    want = ((0.9 * nll + 0.1 * smooth)[keep]).mean()
    assert_close(label_smoothed_loss(logits, targets, pad_id=0, epsilon=0.1), want)


def test_corpus_bleu_is_sacrebleus() -> None:
    import sacrebleu

    hyps = ["A dog runs in the snow .", "The cat sleeps"]
    refs = ["A dog runs through the snow.", "The cat sleeps."]
    assert corpus_bleu(hyps, refs) == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert corpus_bleu(refs, refs) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        corpus_bleu(hyps, refs[:1])


@pytest.mark.slow
def test_tiny_transformer_overfits_a_few_pairs_and_translates_them_exactly() -> None:
    torch.manual_seed(0)
    tok = train_joint_bpe([s for pair in PAIRS for s in pair], 300)
    ids = {"pad_id": 297, "bos_id": 298, "eos_id": 299}
    assert [tok.token_to_id(t) for t in ("<pad>", "<s>", "</s>")] == list(ids.values())
    config = TINY.replace(vocab_size=300, d_model=64, d_ff=128, **ids)
    model = Transformer(config)
    src, tgt = encode_pairs(tok, [p[0] for p in PAIRS], [p[1] for p in PAIRS], max_len=32)
    batches = ParallelBatches({"train": (src, tgt)}, len(PAIRS), ids["pad_id"])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(150):
        (s, t_in), t_out = batches("train")
        loss = F.cross_entropy(model(s, t_in).flatten(0, 1), t_out.flatten(), ignore_index=297)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    translator = Translator(model.eval(), tok, "de-en")
    sources, targets = [p[0] for p in PAIRS], [p[1] for p in PAIRS]
    assert translator.translate(sources, beam_size=1) == targets
    assert translator.translate(sources, beam_size=3) == targets
    assert translator.bleu(sources, targets) == pytest.approx(100.0)
    # the meta rebuilds the same translator
    again = Translator.from_meta(translator.meta(), model.state_dict())
    assert again.translate(sources[:2]) == targets[:2]


# --- the workflow ---------------------------------------------------------------------------


def test_train_translator_refuses_an_unknown_pair_or_preset(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="unknown language pair 'de-xx'.*de-en"):
        TranslatorRunConfig(pair="de-xx", out_dir=tmp_path)
    with pytest.raises(JourneyError, match="translator preset"):
        TranslatorRunConfig(pair="de-en", preset="huge", out_dir=tmp_path)
    with pytest.raises(JourneyError, match="--max-steps must be at least 1"):
        TranslatorRunConfig(max_steps=0)
    with pytest.raises(TypeError, match="TranslatorRunConfig"):
        train_translator("de-en")  # type: ignore[arg-type]


def test_load_translator_says_when_the_run_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="no run folder .*journey train translator"):
        load_translator(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(JourneyError):
        load_translator(tmp_path / "empty")


@pytest.mark.slow
def test_train_translator_tiny_run_translates_from_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    config = TranslatorRunConfig(pair="de-en", preset="tiny", max_steps=4, out_dir=out,
                                 train_limit=200)  # fmt: skip
    first = train_translator(config, progress=False)
    assert (out / "ckpt.pt").exists() and (out / "metrics.csv").exists()
    again = load_translator(out)
    sentences = ["Ein Hund.", "Zwei Männer."]
    assert again.translate(sentences, beam_size=2) == first.translate(sentences, beam_size=2)
    with pytest.raises(JourneyError, match="already holds a run"):
        train_translator(config)
