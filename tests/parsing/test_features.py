"""The Chen & Manning features: the 18 positions of a hand-made configuration, and the
batched gather equal to a plain per-configuration lookup on real LinES derivations."""

from __future__ import annotations

import numpy as np
import pytest

from nlpjourney.parsing import ArcStandard, read_conllu
from nlpjourney.parsing._greedy import oracle_derivation
from nlpjourney.parsing.conllu import ud_english
from nlpjourney.parsing.features import (
    N_FEATURES,
    NULL,
    ROOT,
    UNKNOWN,
    FeatureVocabulary,
    TransitionClasses,
    extract_features,
    feature_positions,
)

# "She quickly read the old book": read <- She, read <- quickly, book <- the, book <- old.
SMALL = (
    "".join(
        f"{i}\t{form}\t_\t{tag}\t_\t_\t{head}\t{rel}\t_\t_\n"
        for i, form, tag, head, rel in [
            (1, "She", "PRON", 3, "nsubj"),
            (2, "quickly", "ADV", 3, "advmod"),
            (3, "read", "VERB", 0, "root"),
            (4, "the", "DET", 6, "det"),
            (5, "old", "ADJ", 6, "amod"),
            (6, "book", "NOUN", 3, "obj"),
        ]
    )
    + "\n"
)


def test_features_positions_of_a_hand_made_configuration() -> None:
    system = ArcStandard()
    config = system.initial(6)
    for action, label in [("SHIFT", ""), ("SHIFT", ""), ("SHIFT", ""),
                          ("LEFT-ARC", "advmod"), ("LEFT-ARC", "nsubj"), ("SHIFT", "")]:  # fmt: skip
        system.apply(config, action, label)
    # stack [0, 3, 4], buffer 5 6; word 3 has the left children 1 and 2.
    positions = feature_positions(config)
    assert positions[:6] == [4, 3, 0, 5, 6, -1]
    assert positions[6:10] == [-1, -1, -1, -1]  # s0 = 4 has no children yet
    assert positions[10:14] == [1, -1, 2, -1]  # lc1(s1) = 1, lc2(s1) = 2
    assert positions[14:] == [-1, -1, -1, -1]


def test_features_extract_equals_a_plain_lookup_on_real_derivations() -> None:
    sentences = ud_english("lines", "dev")[:40]
    vocabulary = FeatureVocabulary.build(sentences[:20])  # the rest has unknown words
    system = ArcStandard()
    configs, words, tags, expected = [], [], [], []
    for sentence in sentences:
        word_ids, tag_ids = vocabulary.encode(sentence)
        for config, _, _ in oracle_derivation(system, sentence):
            positions = feature_positions(config)
            row = [word_ids[p] if p >= 0 else NULL for p in positions]
            row += [tag_ids[p] if p >= 0 else NULL for p in positions]
            row += [vocabulary.label_ids.get(config.labels[p], UNKNOWN) if p > 0 else NULL
                    for p in positions[6:]]  # fmt: skip
            expected.append(row)
            # A snapshot: the derivation changes the configuration in place.
            configs.append(_copy(config))
            words.append(word_ids)
            tags.append(tag_ids)
    features = extract_features(configs, words, tags, vocabulary.label_ids)
    assert features.shape == (len(configs), N_FEATURES) and features.dtype == np.int64
    np.testing.assert_array_equal(features, np.array(expected))
    assert (features[:, 0] == ROOT).any() and (features[:, :18] == UNKNOWN).any()
    assert (features[:, 36:] > UNKNOWN).any()  # real labels were read


def _copy(config):  # noqa: ANN001, ANN202
    import copy

    return copy.deepcopy(config)


def test_features_vocabulary_and_transition_classes() -> None:
    sentence = read_conllu(SMALL)[0]
    vocabulary = FeatureVocabulary.build([sentence])
    words, tags = vocabulary.encode(sentence)
    assert words[0] == ROOT and vocabulary.words[words[3]] == "read" and len(words) == 7
    assert vocabulary.tags[tags[1]] == "PRON"
    assert FeatureVocabulary(**vocabulary.to_config()).word_ids == vocabulary.word_ids
    with pytest.raises(ValueError, match="must start with"):
        FeatureVocabulary(words=["a"])
    classes = TransitionClasses(ArcStandard().actions, ["nsubj", "obj"])
    assert classes.classes[0] == ("SHIFT", "") and len(classes) == 5
    assert classes.class_of("RIGHT-ARC", "obj") == 4
    assert classes.legal_mask(["SHIFT"]).tolist() == [True, False, False, False, False]


def test_features_extract_refuses_mismatched_batches() -> None:
    config = ArcStandard().initial(2)
    with pytest.raises(ValueError, match="one word-id and one tag-id array per configuration"):
        extract_features([config], [], [], {})
