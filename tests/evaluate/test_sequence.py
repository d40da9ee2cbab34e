"""Entity-level sequence metrics held equal to seqeval on CoNLL-2003 and drawn sequences."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.evaluate import sequence
from nlpjourney.tagging.ner import convert_scheme

seqeval_metrics = pytest.importorskip("seqeval.metrics")
seqeval_scheme = pytest.importorskip("seqeval.scheme")

SCHEMES = ["IOB1", "IOB2", "IOE2", "IOBES", "BILOU"]
TARGET = {"IOB1": "IOB1", "IOB2": "IOB2", "IOE2": "IOE2", "IOBES": "BIOES", "BILOU": "BILOU"}
FUNCTIONS = ["precision_score", "recall_score", "f1_score"]


@pytest.fixture(scope="module")
def testa():
    """CoNLL-2003 testa gold tags and a systematically corrupted copy."""
    from nlpjourney.data import corpora

    gold = [[row[3] for row in sentence] for sentence in corpora.conll2003("testa")]
    rng = random.Random(0)
    kinds = ["PER", "LOC", "ORG", "MISC"]
    predicted = []
    for tags in gold:
        new = list(tags)
        for i, tag in enumerate(new):
            roll = rng.random()
            if roll < 0.04 and tag != "O":
                new[i] = f"{tag[:2]}{rng.choice(kinds)}"  # wrong type
            elif roll < 0.07:
                new[i] = "O" if tag != "O" else f"I-{rng.choice(kinds)}"  # missed or stray
            elif roll < 0.09 and tag.startswith("I-"):
                new[i] = "B" + tag[1:]  # split an entity
        predicted.append(new)
    return gold, predicted


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _assert_same(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_sequence_default_mode_matches_seqeval_on_conll(testa, name):
    # Per-type scores and the other averages are held equal by the report test below.
    gold, predicted = testa
    _assert_same(
        _quiet(getattr(sequence, name), gold, predicted),
        _quiet(getattr(seqeval_metrics, name), gold, predicted),
    )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_sequence_strict_mode_matches_seqeval_on_conll(testa, scheme):
    # A slice of testa keeps seqeval's slow strict reader within a second per scheme.
    gold = [convert_scheme(tags, "IOB2", TARGET[scheme]) for tags in testa[0][:700]]
    predicted = [convert_scheme(tags, "IOB2", TARGET[scheme]) for tags in testa[1][:700]]
    predicted = [[t if i % 7 else _swap(t) for i, t in enumerate(tags)] for tags in predicted]
    reference = getattr(seqeval_scheme, scheme)
    options = {"mode": "strict", "digits": 4}
    ours = _quiet(sequence.classification_report, gold, predicted, scheme=scheme, **options)
    theirs = _quiet(
        seqeval_metrics.classification_report, gold, predicted, scheme=reference, **options
    )
    assert ours == theirs
    ours = _quiet(
        sequence.classification_report, gold, predicted, scheme=scheme, output_dict=True, **options
    )
    theirs = _quiet(
        seqeval_metrics.classification_report,
        gold,
        predicted,
        scheme=reference,
        output_dict=True,
        **options,
    )
    _assert_same_report(ours, theirs)
    for name in FUNCTIONS:
        ours = _quiet(getattr(sequence, name), gold, predicted, mode="strict", scheme=scheme)
        theirs = _quiet(
            getattr(seqeval_metrics, name), gold, predicted, mode="strict", scheme=reference
        )
        assert ours == pytest.approx(theirs)


def _swap(tag):
    """Break the scheme's grammar on some tokens: an inside letter where a boundary was."""
    if tag == "O":
        return tag
    return "I" + tag[1:]


def test_sequence_classification_report_text_and_dict_match_seqeval(testa):
    gold, predicted = testa[0][:1500], testa[1][:1500]
    assert _quiet(sequence.classification_report, gold, predicted) == _quiet(
        seqeval_metrics.classification_report, gold, predicted
    )
    ours = _quiet(sequence.classification_report, gold, predicted, output_dict=True)
    theirs = _quiet(seqeval_metrics.classification_report, gold, predicted, output_dict=True)
    _assert_same_report(ours, theirs)


def _assert_same_report(ours, theirs):
    assert ours.keys() == theirs.keys()
    for row in ours:
        for key in ("precision", "recall", "f1-score", "support"):
            assert ours[row][key] == pytest.approx(float(theirs[row][key]))


def test_sequence_accuracy_matches_seqeval(testa):
    gold, predicted = testa
    assert sequence.accuracy_score(gold, predicted) == seqeval_metrics.accuracy_score(
        gold, predicted
    )


def test_sequence_entities_match_seqeval_get_entities(testa):
    from seqeval.metrics.sequence_labeling import get_entities

    _, predicted = testa
    for tags in predicted[:300]:
        expected = [(kind, start, end + 1) for kind, start, end in get_entities(tags)]
        assert sequence.entities(tags) == expected


_LOOSE_TAGS = st.sampled_from(
    ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC", "I-X"]
)
_STRICT_LETTERS = {
    "IOB1": "IOB",
    "IOB2": "IOB",
    "IOE1": "IOE",
    "IOE2": "IOE",
    "IOBES": "IOBES",
    "BILOU": "IOBLU",
}


def _corpus(tags):
    return st.lists(st.lists(tags, min_size=0, max_size=8), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_sequence_default_mode_matches_seqeval_on_drawn_sequences(data):
    gold = data.draw(_corpus(_LOOSE_TAGS))
    shapes = [len(tags) for tags in gold]
    predicted = [data.draw(st.lists(_LOOSE_TAGS, min_size=n, max_size=n)) for n in shapes]
    for average in [None, "micro", "macro", "weighted"]:
        for zero_division in ["warn", 0, 1]:
            for name in FUNCTIONS:
                ours = _quiet(
                    getattr(sequence, name),
                    gold,
                    predicted,
                    average=average,
                    zero_division=zero_division,
                )
                theirs = _quiet(
                    getattr(seqeval_metrics, name),
                    gold,
                    predicted,
                    average=average,
                    zero_division=zero_division,
                )
                _assert_same(ours, theirs)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), scheme=st.sampled_from([*SCHEMES, "IOE1"]))
def test_sequence_strict_mode_matches_seqeval_on_drawn_sequences(data, scheme):
    letters = _STRICT_LETTERS[scheme]
    tags = st.sampled_from(
        ["O"] + [f"{letter}-{kind}" for letter in letters if letter != "O" for kind in "AB"]
    )
    gold = data.draw(_corpus(tags))
    predicted = [data.draw(st.lists(tags, min_size=len(t), max_size=len(t))) for t in gold]
    reference = getattr(seqeval_scheme, scheme)
    for average in [None, "micro", "macro", "weighted"]:
        for name in FUNCTIONS:
            ours = _quiet(
                getattr(sequence, name),
                gold,
                predicted,
                average=average,
                mode="strict",
                scheme=scheme,
            )
            theirs = _quiet(
                getattr(seqeval_metrics, name),
                gold,
                predicted,
                average=average,
                mode="strict",
                scheme=reference,
            )
            _assert_same(ours, theirs)
    for tags_ in gold:
        expected = [
            (e.tag, e.start, e.end) for e in seqeval_scheme.Tokens(tags_, reference).entities
        ]
        assert sequence.entities(tags_, mode="strict", scheme=scheme) == expected


def test_sequence_bad_input_raises():
    with pytest.raises(ValueError, match="same number"):
        sequence.f1_score([["O", "B-PER"]], [["O"]])
    with pytest.raises(TypeError, match="list of tag sequences"):
        sequence.f1_score(["O", "B-PER"], ["O", "B-PER"])
    with pytest.raises(ValueError, match="strict mode needs a scheme"):
        sequence.f1_score([["O"]], [["O"]], mode="strict")
    with pytest.raises(ValueError, match="does not allow"):
        sequence.entities(["S-PER"], mode="strict", scheme="IOB2")
    with pytest.raises(ValueError, match="average"):
        sequence.f1_score([["O"]], [["O"]], average="samples")
