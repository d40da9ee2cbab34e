"""Training language models (topics 4.1 and 4.2): one loop, token streams, checkpoints.

- :mod:`~nlpjourney.train.config`: :class:`TrainConfig`, every training setting;
- :mod:`~nlpjourney.train.loop`: :class:`Trainer` (and :func:`train`, and
  :func:`train_step`, one optimizer step over micro-batches), the loop used by
  every model: gradient accumulation, clipping, AdamW with warm-up and cosine decay,
  evaluation, checkpoints that resume exactly, mixed precision and ``torch.compile`` on
  a GPU, a progress bar with tokens/s, loss and ETA;
- :mod:`~nlpjourney.train.checkpoint`: writing and reading ``ckpt.pt`` atomically;
- :mod:`~nlpjourney.train.metrics`: ``metrics.csv`` and the ``loss.png`` curves;
- :mod:`~nlpjourney.train.data`: :class:`CharTokenizer`, texts encoded once into
  ``uint16`` memory maps (:func:`prepare_char`, :func:`prepare_bpe`), random windows
  (:class:`TokenDataset`, :class:`BatchSampler`).
"""

from nlpjourney.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from nlpjourney.train.config import TrainConfig
from nlpjourney.train.data import (
    BatchSampler,
    CharTokenizer,
    TokenDataset,
    prepare_bpe,
    prepare_char,
    sample_windows,
)
from nlpjourney.train.loop import (
    Trainer,
    autocast_dtype,
    cpu_has_fast_bfloat16,
    decay_groups,
    learning_rate,
    next_token_loss,
    resolve_device,
    seed_everything,
    train,
    train_step,
)
from nlpjourney.train.metrics import MetricsLog, plot_losses

__all__ = [
    "BatchSampler",
    "CharTokenizer",
    "CheckpointError",
    "MetricsLog",
    "TokenDataset",
    "TrainConfig",
    "Trainer",
    "autocast_dtype",
    "cpu_has_fast_bfloat16",
    "decay_groups",
    "learning_rate",
    "load_checkpoint",
    "next_token_loss",
    "plot_losses",
    "prepare_bpe",
    "prepare_char",
    "resolve_device",
    "sample_windows",
    "save_checkpoint",
    "seed_everything",
    "train",
    "train_step",
]
