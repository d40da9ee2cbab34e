"""Tests for the recurrent translator app: nlpjourney.apps.seq2seq and apps.seq2seq_translation.

A tiny model that learns a few pairs exactly (greedy and beam), its attention weights,
BLEU by source length against sacreBLEU, the run config's checks, a tiny run read back
from its folder, and the command line's one-line errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sacrebleu
import torch
import torch.nn.functional as F
from support.cli import assert_one_clear_line, journey

from nlpjourney.apps.seq2seq import (
    Seq2SeqRunConfig,
    load_any_translator,
    load_seq2seq,
    train_seq2seq,
)
from nlpjourney.apps.seq2seq_translation import Seq2SeqTranslator, bleu_by_length
from nlpjourney.apps.translation import ParallelBatches, Translator, encode_pairs, train_joint_bpe
from nlpjourney.errors import JourneyError
from nlpjourney.seq2seq import Seq2Seq, Seq2SeqConfig

PAIRS = [
    ("A dog runs.", "Un chien court."),
    ("A cat sleeps.", "Un chat dort."),
    ("Two men play soccer.", "Deux hommes jouent au football."),
    ("A child laughs.", "Un enfant rit."),
]


@pytest.mark.slow
def test_seq2seq_translator_learns_pairs_and_shows_its_attention() -> None:
    torch.manual_seed(0)
    tok = train_joint_bpe([s for pair in PAIRS for s in pair], 300)
    ids = {"pad_id": 297, "bos_id": 298, "eos_id": 299}
    config = Seq2SeqConfig.from_name("tiny").replace(vocab_size=300, hidden_size=64,
                                                     embed_size=32, **ids)  # fmt: skip
    model = Seq2Seq(config)
    src, tgt = encode_pairs(tok, [p[0] for p in PAIRS], [p[1] for p in PAIRS], max_len=32)
    batches = ParallelBatches({"train": (src, tgt)}, len(PAIRS), ids["pad_id"])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        (s, t_in), t_out = batches("train")
        loss = F.cross_entropy(model(s, t_in).flatten(0, 1), t_out.flatten(), ignore_index=297)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    translator = Seq2SeqTranslator(model.eval(), tok, "en-fr")
    sources, targets = [p[0] for p in PAIRS], [p[1] for p in PAIRS]
    assert translator.translate(sources, beam_size=1) == targets
    assert translator.translate(sources, beam_size=3) == targets
    pieces, words, weights = translator.attention(sources[0])
    assert pieces[-1] == words[-1] == "</s>" and "".join(words[:-1]) == targets[0]
    assert weights.shape == (len(words), len(pieces))
    assert torch.allclose(weights.sum(-1), torch.ones(len(words)))
    again = Seq2SeqTranslator.from_meta(translator.meta(), model.state_dict())
    assert again.translate(sources[:2]) == targets[:2]
    with pytest.raises(JourneyError, match="not written for a seq2seq translator"):
        Seq2SeqTranslator.from_meta({"kind": "nlpjourney.models.transformer"})
    with pytest.raises(JourneyError, match="damaged"):
        Seq2SeqTranslator.from_meta(dict(translator.meta(), model_config={"layers": 2}))
    with pytest.raises(TypeError, match="Seq2Seq"):
        Seq2SeqTranslator(torch.nn.Linear(2, 2), tok)
    assert isinstance(translator, Translator)


def test_bleu_by_length_is_sacrebleu_on_each_bucket() -> None:
    sources = ["one", "one two three", "a b c d e", "a b c d e f g"]
    hyps = ["un", "un deux trois quatre", "a b c d", "a b c x e f g"]
    refs = ["un", "un deux trois", "a b c d e", "a b c d e f g"]
    rows = bleu_by_length(sources, hyps, refs, starts=(1, 2, 6))
    assert [(r["bucket"], r["sentences"]) for r in rows] == [("1-1", 1), ("2-5", 2), ("6+", 1)]
    want = sacrebleu.corpus_bleu(hyps[1:3], [refs[1:3]]).score
    assert rows[1]["bleu"] == pytest.approx(want)
    with pytest.raises(ValueError, match="increasing"):
        bleu_by_length(sources, hyps, refs, starts=(5, 2))
    with pytest.raises(ValueError, match="one of each"):
        bleu_by_length(sources, hyps[:2], refs)


def test_seq2seq_run_config_refuses_bad_settings(tmp_path: Path) -> None:
    assert Seq2SeqRunConfig(pair="en-fr").run_dir == Path("runs/seq2seq-en-fr-bahdanau")
    with pytest.raises(JourneyError, match="unknown language pair 'en-xx'"):
        Seq2SeqRunConfig(pair="en-xx")
    with pytest.raises(JourneyError, match="unknown --attention 'luong'.*luong-dot"):
        Seq2SeqRunConfig(attention="luong")
    with pytest.raises(JourneyError, match="seq2seq preset"):
        Seq2SeqRunConfig(preset="huge")
    with pytest.raises(JourneyError, match="--max-steps must be at least 1"):
        Seq2SeqRunConfig(max_steps=0)
    with pytest.raises(TypeError, match="Seq2SeqRunConfig"):
        train_seq2seq("en-fr")  # type: ignore[arg-type]
    with pytest.raises(JourneyError, match="no run folder .*journey train seq2seq"):
        load_seq2seq(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(JourneyError, match="no ckpt.pt"):
        load_seq2seq(tmp_path / "empty")


@pytest.mark.slow
def test_train_seq2seq_tiny_run_translates_from_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    config = Seq2SeqRunConfig(pair="en-fr", attention="luong-dot", cell="lstm", preset="tiny",
                              max_steps=4, out_dir=out, train_limit=200)  # fmt: skip
    first = train_seq2seq(config, progress=False)
    for name in ("ckpt.pt", "metrics.csv", "loss.png"):
        assert (out / name).exists()
    again = load_seq2seq(out)
    sentences = ["A dog.", "Two men."]
    assert again.translate(sentences, beam_size=2) == first.translate(sentences, beam_size=2)
    assert isinstance(load_any_translator(out), Seq2SeqTranslator)
    with pytest.raises(JourneyError, match="already holds a run"):
        train_seq2seq(config)
    resumed = train_seq2seq(Seq2SeqRunConfig(**{**config.__dict__, "max_steps": 6, "resume": True}))
    assert resumed.model.config == first.model.config
    result = journey("translate", str(out), "A dog runs.", "--beam-size", "2", cache=tmp_path)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1, result.stderr


def test_cli_train_seq2seq_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    result = journey("train", "seq2seq", "--attention", "luong", "--out-dir", str(tmp_path / "a"),
                     cache=tmp_path)  # fmt: skip
    assert_one_clear_line(result, "unknown --attention 'luong'", "luong-general")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "ckpt.pt").write_bytes(b"not a checkpoint")
    result = journey("translate", str(corrupt), "A dog.", cache=tmp_path)
    assert_one_clear_line(result, "corrupt")
