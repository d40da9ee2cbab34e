"""SmolLM2-135M-Instruct as ``transformers`` builds it from the GGUF file: the reference
that tests/models/test_llama.py and test_pretrained.py both compare against.

The tests import this (``pythonpath`` in pyproject puts ``tests/`` on the path).
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def transformers_smollm2() -> tuple[Any, frozenset[str]]:
    """``transformers``' ``LlamaForCausalLM`` with the GGUF file's weights, in eval mode,
    and the state-dict keys the file did not hold (the tied ``lm_head.weight``).

    Built once per test process: reading and de-quantizing the file costs seconds, and the
    tests only run the model (in ``torch.no_grad``), never change it. Its weights are not
    randomly initialized first (``no_init_weights``): the file's replace them all, and a
    parameter it lacks would show in the missing keys, which the tests assert.

    ``AutoModelForCausalLM(gguf_file=...)`` needs accelerate, so transformers' GGUF reader
    (its de-quantization and its undoing of llama.cpp's permutation) is called directly.
    """
    from transformers import AutoConfig, LlamaForCausalLM
    from transformers.initialization import no_init_weights
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    from nlpjourney import data

    path = data.path("smollm2_135m_instruct")
    with no_init_weights():
        model = LlamaForCausalLM(AutoConfig.from_pretrained(path.parent, gguf_file=path.name))
    tensors = load_gguf_checkpoint(path, return_tensors=True, model_to_load=model)["tensors"]
    missing = frozenset(model.load_state_dict(tensors, strict=False).missing_keys)
    model.tie_weights()
    return model.eval(), missing
