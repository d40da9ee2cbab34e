"""A :class:`~nlpjourney.apps.translation.Translator` for the recurrent encoder-decoder.

:class:`Seq2SeqTranslator` is the transformer's translator with a
:class:`~nlpjourney.seq2seq.Seq2Seq` inside: the same ``translate`` and ``bleu`` (the
model has the transformer's ``greedy_decode`` and ``beam_search``), its own checkpoint
``meta``, and :meth:`Seq2SeqTranslator.attention`, where the decoder looked while it
wrote each token, and :meth:`Seq2SeqTranslator.draw_attention`, its picture. :func:`bleu_by_length` scores a test set in
buckets of source length: the fixed-vector bottleneck shows as BLEU falling with length
without attention.

Reference: sacreBLEU's ``corpus_bleu`` (through
:func:`~nlpjourney.apps.translation.corpus_bleu`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from torch import Tensor

from nlpjourney.apps.translation import Translator, corpus_bleu
from nlpjourney.errors import JourneyError
from nlpjourney.seq2seq import Seq2Seq, Seq2SeqConfig

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["LENGTH_BUCKETS", "META_KIND", "Seq2SeqTranslator", "bleu_by_length"]

#: Marks a checkpoint's ``meta`` as a recurrent translator's.
META_KIND = "nlpjourney.seq2seq"
#: Source lengths (words) where a bucket of :func:`bleu_by_length` starts.
LENGTH_BUCKETS = (1, 10, 13, 16, 20)


class Seq2SeqTranslator(Translator):
    """A trained :class:`~nlpjourney.seq2seq.Seq2Seq` and its tokenizer.

    Args:
        model: the encoder-decoder; its config's special ids must be the tokenizer's.
        tokenizer: the joint vocabulary it was trained with.
        pair: ``"en-fr"``-style source and target languages (for messages only).
    """

    meta_kind = META_KIND
    model_class = Seq2Seq
    config_class = Seq2SeqConfig
    what = "seq2seq translator"
    train_command = "journey train seq2seq"

    def attention(
        self, sentence: str, beam_size: int = 1
    ) -> tuple[list[str], list[str], Tensor | None]:
        """Translate one sentence and say where the decoder looked for each output token.

        Returns:
            ``(source pieces, output pieces, weights)``: each token as its text (EOS as
            ``</s>``; the output's when it was reached) and the attention weights
            (T_out, S), rows summing to 1; None for a model without attention.
        """
        c = self.model.config
        src = self.encode_sources([sentence])
        result = self.model.search(src, beam_size)
        out = [i for i in result.tokens[0].tolist() if i != c.pad_id]

        def pieces(ids: list[int]) -> list[str]:
            return ["</s>" if i == c.eos_id else self.tokenizer.decode([i]) for i in ids]

        weights = None if result.extras is None else result.extras[0, : len(out)]
        return pieces(src[0].tolist()), pieces(out), weights

    def draw_attention(self, sentence: str, beam_size: int = 1, title: str | None = None) -> Figure:
        """The attention of :meth:`attention` as a heat map: output tokens down, source across.

        Drawn by :func:`nlpjourney.mt.draw.draw_alignment`, the picture IBM Model 1's
        alignments use, so the two can be compared side by side.

        Raises:
            JourneyError: the model has no attention (``attention="none"``).
        """
        from nlpjourney.mt.draw import draw_alignment

        source, output, weights = self.attention(sentence, beam_size)
        if weights is None:
            raise JourneyError(
                "this model has no attention to draw (attention='none'); train one with "
                "--attention bahdanau, luong-dot or luong-general"
            )
        return draw_alignment(weights.float().cpu().numpy(), source, output, title=title)


def bleu_by_length(
    sources: Sequence[str],
    hypotheses: Sequence[str],
    references: Sequence[str],
    starts: Sequence[int] = LENGTH_BUCKETS,
) -> list[dict[str, Any]]:
    """Corpus BLEU of the sentences in each bucket of source length (words).

    Bucket ``i`` holds the sources of ``starts[i]`` to ``starts[i + 1] - 1`` words (the
    last: ``starts[-1]`` and more). Empty buckets are left out.

    Returns:
        One ``{"bucket": "10-12", "start": 10, "sentences": n, "bleu": ...}`` per bucket.

    Example:
        >>> rows = bleu_by_length(["a b", "a b c d"], ["x y z w", "p q r s"],
        ...                       ["x y z w", "p q r t"], starts=(1, 3))
        >>> [(r["bucket"], r["sentences"], round(r["bleu"])) for r in rows]
        [('1-2', 1, 100), ('3+', 1, 59)]
    """
    if not len(sources) == len(hypotheses) == len(references):
        raise ValueError(
            f"{len(sources)} sources, {len(hypotheses)} hypotheses and {len(references)} "
            "references; give one of each per sentence"
        )
    if not starts or list(starts) != sorted(set(starts)) or starts[0] < 0:
        raise ValueError(f"starts must be increasing lengths >= 0, got {list(starts)}")
    rows = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else None
        chosen = [j for j, s in enumerate(sources)
                  if len(s.split()) >= start and (end is None or len(s.split()) < end)]  # fmt: skip
        if not chosen:
            continue
        label = f"{start}+" if end is None else f"{start}-{end - 1}"
        bleu = corpus_bleu([hypotheses[j] for j in chosen], [references[j] for j in chosen])
        rows.append({"bucket": label, "start": start, "sentences": len(chosen), "bleu": bleu})
    return rows
