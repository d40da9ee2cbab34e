"""Training models: one loop, token streams, checkpoints, losses and scaling laws.

- :mod:`~nlpjourney.train.config`: :class:`TrainConfig`, every training setting;
- :mod:`~nlpjourney.train.loop`: :class:`Trainer` (and :func:`train`, and
  :func:`train_step`, one optimizer step over micro-batches), the loop used by
  every model: gradient accumulation, clipping, AdamW with warm-up and cosine decay,
  evaluation, checkpoints that resume exactly, mixed precision (on a GPU, and on CPUs
  with bfloat16 instructions), ``torch.compile`` on a GPU, a progress bar with
  tokens/s, loss and ETA; a clean stop on Ctrl-C or SIGTERM (:class:`TrainingInterrupted`);
- :mod:`~nlpjourney.train.checkpoint`: writing and reading ``ckpt.pt`` atomically;
- :mod:`~nlpjourney.train.metrics`: ``metrics.csv`` and the ``loss.png`` curves;
- :mod:`~nlpjourney.train.data`: texts encoded once into ``uint16`` memory maps
  (:func:`prepare_char`, :func:`prepare_bpe`), random windows (:class:`TokenDataset`,
  :class:`BatchSampler`);
- :mod:`~nlpjourney.train.validation`: :func:`validation_loss`, a model scored on every
  window of a token stream;
- :mod:`~nlpjourney.train.tbptt`: truncated backprop through time for recurrent models,
  :class:`TBPTTStream` (contiguous streams with the state carried) and
  :func:`stream_loss` (a whole stream scored with the state carried);
- :mod:`~nlpjourney.train.scaling`: power laws fitted to losses (:func:`fit_power_law`)
  and their plots.

Nothing here knows a particular model: the loop trains any ``torch.nn.Module`` whose
batches and loss it is given. Workflows that pick a model and a dataset (a character
GPT by a recipe, the translator, the scaling sweep) live in :mod:`nlpjourney.apps`.
"""

from nlpjourney.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from nlpjourney.train.config import TrainConfig
from nlpjourney.train.data import (
    BatchSampler,
    TokenDataset,
    prepare_bpe,
    prepare_char,
    sample_windows,
)
from nlpjourney.train.loop import (
    Trainer,
    TrainingInterrupted,
    autocast_dtype,
    check_out_dir,
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
from nlpjourney.train.scaling import PowerLaw, fit_power_law
from nlpjourney.train.tbptt import TBPTTStream, stream_loss
from nlpjourney.train.validation import validation_loss

__all__ = [
    "BatchSampler",
    "CheckpointError",
    "MetricsLog",
    "PowerLaw",
    "TBPTTStream",
    "TokenDataset",
    "TrainConfig",
    "Trainer",
    "TrainingInterrupted",
    "autocast_dtype",
    "check_out_dir",
    "cpu_has_fast_bfloat16",
    "decay_groups",
    "fit_power_law",
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
    "stream_loss",
    "train",
    "train_step",
    "validation_loss",
]
