"""`journey export` as a learner meets it: a real process writing a tiny run's export, and
one clear line for each mistake (unknown model, bad format, output in the way, corrupt
checkpoint)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from support.cli import assert_one_clear_line, journey

from nlpjourney.models import Llama, LlamaConfig
from nlpjourney.tokenizers import CharTokenizer
from nlpjourney.train.checkpoint import save_checkpoint


def tiny_run(folder: Path) -> Path:
    tokenizer = CharTokenizer.from_text("to be or not to be\n")
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size)
    torch.manual_seed(0)
    meta = {"kind": "nlpjourney.models.llama", "preset": "tiny",
            "model_config": config.to_dict(), "tokenizer": tokenizer.to_dict()}  # fmt: skip
    save_checkpoint(folder / "ckpt.pt", {"model": Llama(config).state_dict(), "optimizer": {},
                                         "config": {}, "step": 1, "rng": {}, "meta": meta})  # fmt: skip
    return folder


@pytest.mark.slow
def test_cli_export_writes_a_gguf_file_then_refuses_to_overwrite_it(tmp_path: Path) -> None:
    tiny_run(tmp_path / "runs" / "llama-tiny")
    result = journey("export", "runs/llama-tiny", "--format", "gguf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "exports" / "llama-tiny.gguf"
    assert written.read_bytes()[:4] == b"GGUF"
    assert result.stdout.startswith("wrote exports/llama-tiny.gguf (")
    assert "llama-server -m exports/llama-tiny.gguf" in result.stdout
    again = journey("export", "runs/llama-tiny", "--format", "gguf", cwd=tmp_path)
    assert_one_clear_line(again, "exports/llama-tiny.gguf exists", "--force")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "ckpt.pt").write_bytes(b"not a checkpoint")
    corrupt = journey("export", "broken", "--format", "safetensors", cwd=tmp_path)
    assert_one_clear_line(corrupt, "broken/ckpt.pt", "corrupt")
    assert not (tmp_path / "exports" / "broken").exists()


def test_cli_export_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    def refused(*args: str) -> object:
        return journey("export", *args, cwd=tmp_path)

    assert_one_clear_line(refused("smollm3", "--format", "gguf"),
                          "'smollm3' is not a known model", "smollm2-135m-instruct")  # fmt: skip
    assert_one_clear_line(refused("smollm2-135m-instruct", "--format", "onnx"),
                          "--format must be one of safetensors, gguf")  # fmt: skip
    assert not (tmp_path / "exports").exists()
