"""Tests for nlpjourney.apps.bert_data: masking, the datasets, alignment, span F1, batches.

The masking rates are checked on a large batch, where the binomial spread is well under
the tolerances; the readers against the corpora's known counts (the mirror's files);
the alignment and the F1 on hand-made examples whose answers are worked out in the test.
"""

from __future__ import annotations

import pytest
import torch

from nlpjourney.apps.bert_data import (
    CONLL_TAGS,
    IGNORE_INDEX,
    ExampleSampler,
    align_labels,
    conll2003,
    entity_spans,
    iob1_to_iob2,
    mask_tokens,
    sentence_polarity,
    span_f1,
    split_examples,
)
from nlpjourney.tokenizers import CharTokenizer
from nlpjourney.tokenizers import load as load_tokenizer


@pytest.fixture(scope="module")
def tok():  # noqa: ANN201 - a WordPieceTokenizer
    return load_tokenizer("bert-uncased")


def batch_with_specials(tok, rows: int = 400, width: int = 100) -> torch.Tensor:  # noqa: ANN001
    """[CLS] words [SEP] [PAD]...: ordinary ids, then the specials BERT must never mask."""
    ids = torch.randint(1000, 29000, (rows, width), generator=torch.Generator().manual_seed(1))
    ids[:, 0], ids[:, 60] = tok.special_tokens["[CLS]"], tok.special_tokens["[SEP]"]
    ids[:, 61:] = tok.special_tokens["[PAD]"]
    return ids


def test_bert_data_mask_tokens_rates_are_15_and_80_10_10(tok) -> None:  # noqa: ANN001
    ids = batch_with_specials(tok)
    inputs, labels = mask_tokens(ids, tok, generator=torch.Generator().manual_seed(0))
    chosen = labels != IGNORE_INDEX
    real = ids[:, 1:60].numel()  # the ordinary tokens
    assert abs(int(chosen.sum()) / real - 0.15) < 0.01
    n = int(chosen.sum())
    masked = (inputs[chosen] == tok.special_tokens["[MASK]"]).float().sum() / n
    kept = (inputs[chosen] == ids[chosen]).float().sum() / n
    assert abs(float(masked) - 0.8) < 0.02
    assert abs(float(kept) - 0.1) < 0.015
    assert abs(1 - float(masked) - float(kept) - 0.1) < 0.015  # the random ones
    # The labels are the originals where chosen; nothing else changed.
    assert torch.equal(labels[chosen], ids[chosen])
    assert torch.equal(inputs[~chosen], ids[~chosen])


def test_bert_data_mask_tokens_never_chooses_or_inserts_specials(tok) -> None:  # noqa: ANN001
    ids = batch_with_specials(tok)
    inputs, labels = mask_tokens(ids, tok, 0.9, generator=torch.Generator().manual_seed(2))
    assert (labels[:, 0] == IGNORE_INDEX).all() and (labels[:, 60:] == IGNORE_INDEX).all()
    assert torch.equal(inputs[:, 60:], ids[:, 60:])
    chosen = labels != IGNORE_INDEX
    swapped = chosen & (inputs != ids) & (inputs != tok.special_tokens["[MASK]"])
    specials = torch.tensor(list(tok.special_tokens.values()))
    assert swapped.any() and not torch.isin(inputs[swapped], specials).any()


def test_bert_data_mask_tokens_is_seeded_and_takes_one_sequence(tok) -> None:  # noqa: ANN001
    ids = batch_with_specials(tok, rows=4)
    first = mask_tokens(ids, tok, generator=torch.Generator().manual_seed(5))
    again = mask_tokens(ids, tok, generator=torch.Generator().manual_seed(5))
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    inputs, labels = mask_tokens(ids[0], tok, 0.5)
    assert inputs.shape == labels.shape == ids[0].shape


@pytest.mark.parametrize(
    ("ids", "prob", "error", "message"),
    [(torch.zeros(3), 0.15, TypeError, "integer torch tensor"),
     ([1, 2, 3], 0.15, TypeError, "integer torch tensor"),
     (torch.zeros(2, 2, 2, dtype=torch.long), 0.15, ValueError, r"\(T,\) or \(B, T\)"),
     (torch.ones(3, dtype=torch.long), 0.0, ValueError, "mask_prob"),
     (torch.ones(3, dtype=torch.long), 1.0, ValueError, "mask_prob"),
     (torch.tensor([1, 40000]), 0.15, ValueError, r"\[0, 30522\)")],
)  # fmt: skip
def test_bert_data_mask_tokens_bad_input_says_what(tok, ids, prob, error, message) -> None:  # noqa: ANN001
    with pytest.raises(error, match=message):
        mask_tokens(ids, tok, prob)


def test_bert_data_mask_tokens_needs_a_mask_token() -> None:
    chars = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match=r"no \[MASK\] token.*bert-uncased"):
        mask_tokens(torch.tensor([0, 1]), chars)


def test_bert_data_polarity_has_its_10662_sentences_and_a_seeded_split() -> None:
    rows = sentence_polarity()
    assert len(rows) == 10662 and sum(label for _, label in rows) == 5331
    assert rows[0] == ("simplistic , silly and tedious .", 0)
    train, test = split_examples(rows, 0.1, seed=7)
    assert (len(train), len(test)) == (9596, 1066)
    assert split_examples(rows, 0.1, seed=7)[1] == test != split_examples(rows, 0.1, seed=8)[1]
    assert sorted(train + test) == sorted(rows)
    with pytest.raises(ValueError, match="test_fraction"):
        split_examples(rows, 1.0, seed=0)


def test_bert_data_conll2003_reads_sentences_in_iob2() -> None:
    train, dev = conll2003("train"), conll2003("testa")
    assert (len(train), len(dev)) == (14041, 3250)
    words, tags = train[0]
    assert words[:3] == ["EU", "rejects", "German"] and tags[:3] == ["B-ORG", "O", "B-MISC"]
    assert {t for _, ts in train for t in ts} == set(CONLL_TAGS)
    # IOB2: no entity starts with I- (the file's IOB1 does, nearly always).
    assert all(not (t.startswith("I-") and (i == 0 or ts[i - 1] == "O"))
               for _, ts in train for i, t in enumerate(ts))  # fmt: skip
    with pytest.raises(ValueError, match="no CoNLL-2003 split 'testb'"):
        conll2003("testb")


def test_bert_data_iob1_to_iob2_opens_each_entity_with_b() -> None:
    # IOB1 marks B- only between two adjacent entities of one type.
    assert iob1_to_iob2(["I-ORG", "I-ORG", "B-ORG", "O", "I-PER", "I-LOC"]) == [
        "B-ORG", "I-ORG", "B-ORG", "O", "B-PER", "B-LOC"
    ]  # fmt: skip


def test_bert_data_align_labels_puts_the_tag_on_the_first_piece(tok) -> None:  # noqa: ANN001
    ids, labels = align_labels(["Gandalf", "visited", "Hobbiton"], [1, 0, 5], tok)
    pieces = [tok.id_to_token(i) for i in ids]
    assert pieces[0] == "[CLS]" and pieces[-1] == "[SEP]" and len(ids) == len(labels)
    firsts = [p for p, label in zip(pieces, labels, strict=True) if label != IGNORE_INDEX]
    assert firsts == ["gan", "visited", tok.id_to_token(tok.encode("Hobbiton")[0])]
    assert [label for label in labels if label != IGNORE_INDEX] == [1, 0, 5]
    assert all(p.startswith("##") for p, label in zip(pieces[1:-1], labels[1:-1], strict=True)
               if label == IGNORE_INDEX)  # fmt: skip


def test_bert_data_align_labels_cuts_long_sentences_at_a_word(tok) -> None:  # noqa: ANN001
    ids, labels = align_labels(["Gandalf", "visited", "Hobbiton"], [1, 0, 5], tok, max_length=6)
    assert len(ids) == 6 and ids[-1] == tok.special_tokens["[SEP]"]
    assert [label for label in labels if label != IGNORE_INDEX] == [1, 0]  # gan ##dal ##f visited
    with pytest.raises(ValueError, match="3 words but 2 labels"):
        align_labels(["a", "b", "c"], [0, 0], tok)
    with pytest.raises(ValueError, match="no room"):
        align_labels(["a"], [0], tok, max_length=2)


def test_bert_data_entity_spans_read_as_conlleval_does() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG", "B-MISC"]
    assert entity_spans(tags) == {
        ("PER", 0, 2), ("LOC", 3, 5), ("LOC", 5, 6), ("ORG", 6, 7), ("MISC", 7, 8)
    }  # fmt: skip


def test_bert_data_span_f1_counts_whole_entities_on_a_hand_example() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "B-MISC", "I-MISC"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O", "B-MISC", "I-MISC"]]
    # gold: 4 entities; predicted: PER(0,1) wrong end, LOC, ORG, MISC right -> 3 of 4 each way.
    scores = span_f1(gold, pred)
    assert scores == pytest.approx({"precision": 0.75, "recall": 0.75, "f1": 0.75})
    extra = span_f1([["O", "B-LOC"]], [["B-PER", "B-LOC"]])  # p 1/2, r 1/1
    assert extra == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3})
    assert span_f1([["O"]], [["O"]]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    with pytest.raises(ValueError, match="2 gold tags but 1 predicted"):
        span_f1([["O", "O"]], [["O"]])


def test_bert_data_sampler_reads_each_example_once_an_epoch_and_resumes() -> None:
    rows = [([101, i, 102], i % 2) for i in range(10)]
    sampler = ExampleSampler({"train": rows, "val": rows[:3]}, batch_size=5, seed=3)
    (ids, mask), labels = sampler("train")
    (ids2, _), _ = sampler("train")
    seen = sorted(ids[:, 1].tolist() + ids2[:, 1].tolist())
    assert seen == list(range(10)) and mask.shape == (5, 3) and labels.shape == (5,)
    state = sampler.state_dict()
    after = [sampler("train")[0][0] for _ in range(3)]
    sampler.load_state_dict(state)
    assert all(torch.equal(a, sampler("train")[0][0]) for a in after)
    with pytest.raises(ValueError, match="'val' split"):
        ExampleSampler({"train": rows, "val": []}, 2, 0)


def test_bert_data_sampler_pads_per_token_labels_and_masks(tok) -> None:  # noqa: ANN001
    rows = [([101, 2000, 2001, 2002, 102], [IGNORE_INDEX, 0, 1, 0, IGNORE_INDEX]),
            ([101, 2003, 102], [IGNORE_INDEX, 2, IGNORE_INDEX])]  # fmt: skip
    (ids, mask), labels = ExampleSampler({"train": rows, "val": rows}, 2, 0)("train")
    assert labels.shape == ids.shape == mask.shape == (2, 5)
    short = int((mask.sum(1) == 3).nonzero())
    assert labels[short, 3:].eq(IGNORE_INDEX).all() and ids[short, 3:].eq(0).all()
    masked = ExampleSampler({"train": rows, "val": rows}, 2, 0,
                            masker=lambda x, g: mask_tokens(x, tok, 0.5, generator=g))  # fmt: skip
    (inputs, _, given), labels = masked("train")
    assert given is labels and (labels[inputs == 0] == IGNORE_INDEX).all()


def test_bert_data_span_f1_equals_seqeval_on_random_tags() -> None:
    import random

    from seqeval import metrics

    rng = random.Random(0)
    for _ in range(300):
        gold = [[rng.choice(CONLL_TAGS) for _ in range(rng.randint(1, 12))]
                for _ in range(rng.randint(1, 6))]  # fmt: skip
        pred = [[rng.choice(CONLL_TAGS) if rng.random() < 0.5 else t for t in s] for s in gold]
        ours = span_f1(gold, pred)
        assert ours["precision"] == pytest.approx(metrics.precision_score(gold, pred))
        assert ours["recall"] == pytest.approx(metrics.recall_score(gold, pred))
        assert ours["f1"] == pytest.approx(metrics.f1_score(gold, pred))
