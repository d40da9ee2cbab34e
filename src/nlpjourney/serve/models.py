"""What a server serves: a chat model behind a batching engine, and an embedding model.

``load_chat_model`` takes what ``journey serve --model`` takes: a known model id
(``smollm2-135m-instruct``, through :func:`nlpjourney.models.load`), a Hugging Face
Llama folder or a Llama GGUF file (what ``journey export`` writes), or a run folder of
``journey train gpt`` (a GPT or a Llama trained here; its id is the folder's name). The
embedding model is ``all-minilm-l6-v2`` through our BERT
(:class:`~nlpjourney.models.sentence_encoder.SentenceEncoder`), loaded on first use.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nlpjourney.devices import resolve_device
from nlpjourney.errors import JourneyError
from nlpjourney.serve.engine import BatchEngine
from nlpjourney.tokenizers import Tokenizer

__all__ = [
    "EMBEDDING_MODEL",
    "ChatModel",
    "EmbeddingModel",
    "check_model_source",
    "load_chat_model",
]

EMBEDDING_MODEL = "all-minilm-l6-v2"


@dataclass
class ChatModel:
    """A decoder served to many clients: its id, weights, tokenizer and engine."""

    id: str
    model: nn.Module
    tokenizer: Tokenizer
    engine: BatchEngine
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def has_chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))


def check_model_source(name_or_path: str | Path) -> None:
    """Fail before loading when ``name_or_path`` is neither a known id nor a folder.

    Raises:
        JourneyError: naming what ``--model`` takes.
    """
    from nlpjourney.models.pretrained import KNOWN

    path = Path(name_or_path)
    if (
        str(name_or_path) not in KNOWN
        and not path.is_dir()
        and not (path.is_file() and path.suffix == ".gguf")
    ):
        raise JourneyError(
            f"no model {str(name_or_path)!r}: give a known id ({', '.join(KNOWN)}), a Hugging "
            "Face Llama folder or a .gguf file (journey export writes both) or a run folder of "
            "journey train gpt"
        )


def load_chat_model(
    name_or_path: str | Path,
    *,
    device: str = "auto",
    max_batch: int = 32,
    max_waiting: int = 256,
    context: int | None = None,
) -> ChatModel:
    """Load a model for serving and build its engine (not started).

    Raises:
        JourneyError: the name is not a known model nor a readable folder.
    """
    from nlpjourney.models.pretrained import KNOWN, load

    where = resolve_device(device)
    path = Path(name_or_path)
    if str(name_or_path) in KNOWN and not path.is_dir():
        pretrained = load(str(name_or_path))
        model, tokenizer, model_id = pretrained.model, pretrained.tokenizer, str(name_or_path)
    elif path.is_file() and path.suffix == ".gguf":
        from nlpjourney.models import Llama
        from nlpjourney.tokenizers.gguf import tokenizer_from_gguf

        model, tokenizer, model_id = Llama.from_gguf(path), tokenizer_from_gguf(path), path.stem
    elif path.is_dir() and (path / "config.json").is_file() and any(path.glob("*.safetensors")):
        pretrained = load(path)
        model, tokenizer, model_id = pretrained.model, pretrained.tokenizer, path.name
    elif path.is_dir():
        from nlpjourney.apps.gpt import load_run

        model, tokenizer = load_run(path, device=str(where))
        model_id = path.name
    else:
        check_model_source(name_or_path)
    model = model.to(where).eval()
    engine = BatchEngine(model, tokenizer, max_batch=max_batch, max_waiting=max_waiting,
                         context=context)  # fmt: skip
    return ChatModel(model_id, model, tokenizer, engine)


class EmbeddingModel:
    """``all-minilm-l6-v2`` through our BERT, loaded the first time it is asked for."""

    def __init__(self, name: str = EMBEDDING_MODEL, device: str = "cpu") -> None:
        self.id, self.device = name, device
        self.created = int(time.time())
        self._encoder = None
        self._lock = threading.Lock()  # one batch at a time: they share the cores anyway

    @property
    def encoder(self):  # noqa: ANN201 - a SentenceEncoder, imported lazily
        if self._encoder is None:
            from nlpjourney.models.sentence_encoder import SentenceEncoder

            encoder = SentenceEncoder.from_pretrained(self.id)
            encoder.model.to(resolve_device(self.device))
            self._encoder = encoder
        return self._encoder

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Unit vectors (len(texts), dim), float32, and how many tokens they read."""
        with self._lock:
            encoder = self.encoder
            ids = [encoder.encode(text) for text in texts]  # cut to the model's length
            with torch.inference_mode():
                vectors = encoder.embed_ids(ids)
        return np.asarray(vectors, dtype=np.float32), sum(map(len, ids))
