"""`journey serve` refuses bad options with one clear line, before it loads a model."""

from __future__ import annotations

import socket
from pathlib import Path

from support.cli import assert_one_clear_line, journey

from nlpjourney.serve.load import free_port


def test_serve_cli_bad_options_are_one_line(tmp_path: Path) -> None:
    assert_one_clear_line(journey("serve", "--port", "70000"), "--port must be in 1..65535")
    assert_one_clear_line(journey("serve", "--max-batch", "0"), "--max-batch must be at least 1")
    assert_one_clear_line(journey("serve", "--rate-limit", "-3"), "--rate-limit must be above 0")
    assert_one_clear_line(journey("serve", "--api-key", " k"), "--api-key")
    assert_one_clear_line(journey("serve", "--threads", "0"), "--threads must be at least 1")
    missing, port = tmp_path / "no-such-run", str(free_port())
    assert_one_clear_line(journey("serve", "--model", str(missing), "--port", port), "no model")


def test_serve_cli_a_taken_port_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = journey("serve", "--port", str(port), "--no-embeddings")
        assert_one_clear_line(result, f"cannot listen on 127.0.0.1:{port}")
