"""Checks for exercise 4.3, run by ``journey check 4.3``.

Each check calls the learner's ``mean_pool`` and ``l2_normalize`` through the ``ex``
fixture. Most draw fresh random token vectors and random padding from the run's seed
(``--seed`` replays them) and compare with the mean written out one sentence at a time
in float64. The last two grade the two functions together on the real model: the token
vectors of all-MiniLM-L6-v2 (our ``Bert`` with its weights, loaded once per run) for
registry SMS messages drawn at random, pooled and normalised by the learner, must point
the same way as the model's sentence embeddings from ``SentenceEncoder.embed`` (which
``tests/models/test_bert.py`` holds to sentence-transformers' at cosine >= 0.99999).
With ``--exercise reference`` the same checks grade the library,
``nlpjourney.models.sentence_encoder``.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from nlpjourney.data.corpora import sms_spam
from nlpjourney.models import SentenceEncoder

REFERENCE = "nlpjourney.models.sentence_encoder"
# What the learner may not use: the model answer (and the rest of the library), the
# libraries whose pooling answers it, and torch's own normalisation.
FORBIDDEN = (
    "nlpjourney",
    "sentence_transformers",
    "transformers",
    "torch.nn.functional.normalize",
)

F64 = torch.float64


@pytest.fixture(autouse=True)
def fresh_torch(seed: int, request: pytest.FixtureRequest) -> None:
    """torch's draws are fresh each run, seeded by the run's seed and the check's name."""
    torch.manual_seed(seed * 100_003 + zlib.crc32(request.node.name.encode()))


def random_batch(rng, dtype=F64) -> tuple[torch.Tensor, torch.Tensor]:
    """Token vectors (B, T, H) and a mask of random lengths 1..T, at least one row full."""
    batch, length, width = (int(n) for n in rng.integers((2, 3, 2), (6, 9, 7)))
    lengths = rng.integers(1, length + 1, size=batch)
    lengths[rng.integers(batch)] = length
    mask = torch.arange(length)[None, :] < torch.from_numpy(lengths)[:, None]
    states = torch.randn(batch, length, width, dtype=dtype) * float(rng.uniform(0.5, 5))
    return states, mask.long()


def written_out(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The masked mean, one sentence at a time, in float64."""
    rows = []
    for row, keep in zip(states.double(), mask.bool(), strict=True):
        rows.append(row[keep].mean(0) if keep.any() else torch.zeros(row.shape[-1], dtype=F64))
    return torch.stack(rows)


def test_mean_pool_worked_example(ex) -> None:
    """The example of the docstring: two real tokens and one padded.

    Hint 1: sum the real token vectors of each sentence and divide by how many there are.
    Hint 2: make the mask a float column (B, T, 1) so that it multiplies each token
    vector; sum over the token axis, and divide by the mask's own sum over that axis.
    """
    states = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]])
    got = ex.mean_pool(states, torch.tensor([[1, 1, 0]]))
    assert isinstance(got, torch.Tensor), f"return a tensor, got {type(got).__name__}"
    assert_close(got, torch.tensor([[2.0, 3.0]]))


def test_mean_pool_shape_and_dtype(ex, rng) -> None:
    """(B, T, H) and (B, T) give (B, H), in the dtype of the token vectors.

    Hint 1: one vector per sentence: the token axis (the middle one) goes away.
    Hint 2: turn the mask into the dtype of the token vectors before multiplying, so
    that a float32 input gives a float32 result.
    """
    for dtype in (torch.float32, F64):
        states, mask = random_batch(rng, dtype)
        got = ex.mean_pool(states, mask)
        assert tuple(got.shape) == (states.shape[0], states.shape[2]), (
            f"states {tuple(states.shape)} gave {tuple(got.shape)}"
        )
        assert got.dtype == dtype, f"{dtype} token vectors gave {got.dtype}"


def test_mean_pool_equals_the_mean_of_the_real_tokens(ex, rng) -> None:
    """Each row is the mean of that sentence's real token vectors, for random padding.

    Hint 1: a padded sentence's mean is over its own real tokens, not over all T.
    Hint 2: divide each sentence's masked sum by the number of ones in its own mask row,
    not by the length T of the batch.
    """
    for _ in range(3):
        states, mask = random_batch(rng)
        assert_close(ex.mean_pool(states, mask), written_out(states, mask))


def test_mean_pool_ignores_what_the_padding_holds(ex, rng) -> None:
    """Changing the vectors at padded positions changes nothing.

    Hint 1: padded positions hold junk; they must not enter the sum.
    Hint 2: multiply every token vector by its mask value (0 for padding) before summing.
    """
    states, mask = random_batch(rng)
    mask[0, -1] = 0  # at least one padded position
    junk = states.clone()
    junk[mask == 0] = 1e3 * torch.randn(int((mask == 0).sum()), states.shape[-1], dtype=F64)
    assert_close(ex.mean_pool(junk, mask), ex.mean_pool(states, mask))


def test_mean_pool_one_real_token(ex, rng) -> None:
    """A sentence with one real token pools to that token's vector.

    Hint 1: the mean of one vector is that vector.
    Hint 2: the count you divide by is exactly the number of real tokens; a floor that
    keeps it away from zero must not change a count of 1.
    """
    states, mask = random_batch(rng)
    mask[0] = 0
    mask[0, 0] = 1
    assert_close(ex.mean_pool(states, mask)[0], states[0, 0])


def test_mean_pool_all_padding_gives_zeros(ex, rng) -> None:
    """A row with no real token at all gives zeros, not nan.

    Hint 1: zero divided by zero is nan: keep the count from being zero.
    Hint 2: clamp the count to a small positive floor before dividing; the sum of an
    all-padded row is zero already.
    """
    states, mask = random_batch(rng)
    mask[-1] = 0
    got = ex.mean_pool(states, mask)
    assert torch.isfinite(got).all(), "an all-padding row gave nan or inf"
    assert_close(got[-1], torch.zeros(states.shape[-1], dtype=F64))
    assert_close(got[:-1], written_out(states, mask)[:-1])


def test_mean_pool_bool_mask_equals_int_mask(ex, rng) -> None:
    """A mask of True/False gives the same result as one of 1/0.

    Hint 1: a bool tensor has to become numbers before you multiply or sum with it.
    Hint 2: convert the mask to the dtype of the token vectors first.
    """
    states, mask = random_batch(rng)
    assert_close(ex.mean_pool(states, mask.bool()), written_out(states, mask))


def test_mean_pool_rejects_wrong_shapes(ex, rng) -> None:
    """A mask of the wrong shape, or token vectors without a batch axis, raise ValueError.

    Hint 1: check the shapes first and say what was expected.
    Hint 2: the token vectors must have three axes and the mask must have exactly the
    shape of their first two; raise ValueError otherwise.
    """
    states, mask = random_batch(rng)
    with pytest.raises(ValueError):
        ex.mean_pool(states, mask[:, :-1])
    with pytest.raises(ValueError):
        ex.mean_pool(states, mask[:1])
    with pytest.raises(ValueError):
        ex.mean_pool(states[0], mask[0])


def test_l2_normalize_unit_length_same_direction(ex, rng) -> None:
    """Every row comes out with length 1, pointing the same way, whatever its length.

    Hint 1: divide each row by its own Euclidean length.
    Hint 2: the length is the square root of the sum of squares over the last axis;
    keep that axis (size 1) so that the division lines up row by row.
    """
    scales = torch.from_numpy(10.0 ** rng.uniform(-3, 3, size=(7, 1)))
    vectors = torch.randn(7, int(rng.integers(2, 9)), dtype=F64) * scales
    got = ex.l2_normalize(vectors)
    assert_close(got, vectors / vectors.square().sum(-1, keepdim=True).sqrt())
    assert_close(got.norm(dim=-1), torch.ones(7, dtype=F64))


def test_l2_normalize_any_leading_axes(ex, rng) -> None:
    """(..., H) in, the same shape out: a (B, T, H) tensor is normalised token by token.

    Hint 1: normalise along the last axis only, whatever comes before it.
    Hint 2: use the last axis by a negative index, not a fixed position like 1.
    """
    vectors = torch.randn(2, 3, int(rng.integers(2, 6)), dtype=F64)
    got = ex.l2_normalize(vectors)
    assert tuple(got.shape) == tuple(vectors.shape)
    assert_close(got, vectors / vectors.norm(dim=-1, keepdim=True))


def test_l2_normalize_zero_and_tiny_rows(ex, rng) -> None:
    """A zero row stays zero; a row shorter than eps is divided by eps.

    Hint 1: the length you divide by is never smaller than eps.
    Hint 2: clamp the lengths from below at eps before dividing; with the default eps a
    zero row gives 0 / eps = 0.
    """
    width = int(rng.integers(2, 6))
    vectors = torch.randn(3, width, dtype=F64)
    vectors[0] = 0.0
    vectors[1] *= 1e-14 / vectors[1].norm()  # length 1e-14, below the default eps
    got = ex.l2_normalize(vectors)
    assert torch.isfinite(got).all(), "a zero row gave nan or inf"
    assert_close(got[0], torch.zeros(width, dtype=F64))
    assert_close(got[1], vectors[1] / 1e-12)
    assert_close(got[2], vectors[2] / vectors[2].norm())
    eps = float(rng.uniform(0.5, 2.0))
    small = vectors[2:] * (0.1 / vectors[2].norm())  # length 0.1, below this eps
    assert_close(ex.l2_normalize(small, eps=eps), small / eps)


@functools.cache
def minilm() -> SentenceEncoder:
    """all-MiniLM-L6-v2, loaded once per run."""
    return SentenceEncoder.from_pretrained("all-minilm-l6-v2")


@functools.cache
def messages() -> list[str]:
    return [text for text, _ in sms_spam()]


def real_token_states(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """MiniLM's token vectors (B, T, 384) for ``texts`` padded into one batch, and the mask."""
    encoder = minilm()
    ids = [encoder.encode(text) for text in texts]
    longest = max(len(row) for row in ids)
    batch = torch.full((len(ids), longest), encoder.model.config.pad_token_id)
    mask = torch.zeros(len(ids), longest, dtype=torch.long)
    for r, row in enumerate(ids):
        batch[r, : len(row)] = torch.tensor(row)
        mask[r, : len(row)] = 1
    with torch.inference_mode():
        return encoder.model(batch, mask), mask


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_real_minilm_sentence_vectors(ex, rng) -> None:
    """MiniLM's token vectors, pooled and normalised by you, are the model's embeddings.

    Hint 1: the sentence embedding is the mean over real tokens, then the division by
    the length; padding in the batch must not move any sentence's vector.
    Hint 2: if the random checks above pass and this one fails, look at the dtype (the
    model's vectors are float32) and at the axis you average over (the tokens, axis 1).
    """
    picks = rng.choice(len(messages()), size=6, replace=False)
    texts = [messages()[int(i)] for i in picks]
    states, mask = real_token_states(texts)
    got = ex.l2_normalize(ex.mean_pool(states, mask))
    assert tuple(got.shape) == (len(texts), 384), f"got {tuple(got.shape)}"
    want = minilm().embed(texts)
    got = got.detach().float().numpy()
    cosine = cosines(got, want)
    worst = int(cosine.argmin())
    assert cosine.min() >= 0.99999, f"message {texts[worst]!r}: cosine {cosine[worst]:.6f}"
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5), "rows are not unit length"


def test_real_minilm_similarity_ranking(ex, rng) -> None:
    """The cosine similarities between messages, by your vectors, are the model's.

    Hint 1: with unit vectors, a dot product is the cosine similarity.
    Hint 2: if the vectors are right but the ranking is not, check that every row was
    divided by its own length, not by one length for the whole batch.
    """
    picks = rng.choice(len(messages()), size=8, replace=False)
    texts = [messages()[int(i)] for i in picks]
    states, mask = real_token_states(texts)
    got = ex.l2_normalize(ex.mean_pool(states, mask)).detach().float().numpy()
    want = minilm().embed(texts)
    assert np.allclose(got @ got.T, want @ want.T, atol=1e-4), (
        "the cosine similarities between the messages differ from the model's"
    )
