"""Whole language models, one readable file each, built from :mod:`nlpjourney.nn` pieces.

Like :mod:`nlpjourney.nn`, this is the torch engine: PyTorch modules on a CPU or a GPU,
whose weights load from Hugging Face checkpoints key by key. The NumPy engine
(:mod:`nlpjourney.autograd`) builds no model of this size; it is where backprop is
written out by hand. Every config is a frozen dataclass with named presets
(:class:`~nlpjourney.configs.ModelConfig`).

- :mod:`~nlpjourney.models.gpt`: GPT-2 (:class:`GPTConfig`, :class:`GPT`), trained from
  scratch on Tiny Shakespeare or loaded from Hugging Face GPT-2 weights.
- :mod:`~nlpjourney.models.llama`: Llama (:class:`LlamaConfig`, :class:`Llama`): RMSNorm,
  RoPE, SwiGLU and grouped-query attention, trained from scratch or loaded from a
  Hugging Face Llama checkpoint (SmolLM2, Llama 2/3) or a llama.cpp GGUF file
  (:mod:`~nlpjourney.models.llama_weights` maps the names);
- :mod:`~nlpjourney.models.pretrained`: :func:`load` a pretrained model by name
  (``"smollm2-135m-instruct"``) or folder, as a :class:`Pretrained` (model, tokenizer,
  config);
- :mod:`~nlpjourney.models.bert`: BERT (:class:`BertConfig`, :class:`Bert`) and its heads
  for masked LM, sequence and token classification, loaded from Hugging Face weights;
- :mod:`~nlpjourney.models.sentence_encoder`: :class:`SentenceEncoder`, sentence
  embeddings from a BERT (all-MiniLM-L6-v2 from its installed package), and its two
  steps after the encoder, :func:`mean_pool` and :func:`l2_normalize`;
- :mod:`~nlpjourney.models.char_rnn`: a character-level language model over our RNN,
  LSTM or GRU (:class:`CharRNNConfig`, :class:`CharRNN`), its state passed in and out,
  sampling that carries the state (:mod:`nlpjourney.apps.char_rnn` trains it);
- :mod:`~nlpjourney.models.transformer`: the original encoder-decoder transformer
  (:class:`TransformerConfig`, :class:`Transformer`) with greedy and beam search
  (:mod:`nlpjourney.apps.translator` trains it as a Multi30k translator).
"""

from nlpjourney.configs import ModelConfig
from nlpjourney.models.bert import (
    Bert,
    BertConfig,
    BertForMaskedLM,
    BertForSequenceClassification,
    BertForTokenClassification,
)
from nlpjourney.models.char_rnn import CharRNN, CharRNNConfig
from nlpjourney.models.gpt import GPT, GPTConfig
from nlpjourney.models.llama import Llama, LlamaConfig
from nlpjourney.models.llama_weights import WeightsError
from nlpjourney.models.pretrained import Pretrained, load
from nlpjourney.models.sentence_encoder import SentenceEncoder, l2_normalize, mean_pool
from nlpjourney.models.transformer import Transformer, TransformerConfig

__all__ = [
    "GPT",
    "Bert",
    "BertConfig",
    "BertForMaskedLM",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "CharRNN",
    "CharRNNConfig",
    "GPTConfig",
    "Llama",
    "LlamaConfig",
    "ModelConfig",
    "Pretrained",
    "SentenceEncoder",
    "Transformer",
    "TransformerConfig",
    "WeightsError",
    "l2_normalize",
    "load",
    "mean_pool",
]
