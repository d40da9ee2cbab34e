"""The web lab's endpoints over HTTP against a real server (a tiny random Llama).

The tokenizer view must show the tokenizer's own ids; the attention view the model's
own weights (each row a distribution over the earlier tokens only), taken while the
engine keeps generating with the same model; progress comes from the function the app
was given, and without one it is a 404 in OpenAI's error shape.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
import torch

from nlpjourney.serve.app import ServerSettings
from nlpjourney.serve.lab import MAX_ATTENTION_TOKENS, attention_maps
from tests.serve.conftest import Running, serve_tiny


@pytest.fixture(scope="module")
def progress_server(smollm2_tokenizer) -> Iterator[Running]:
    data = {"topics": [{"id": "6.3", "title": "the web lab", "done": True}], "done": 1}
    running = serve_tiny(smollm2_tokenizer, ServerSettings(progress=lambda: data),
                         max_batch=2, context=128)  # fmt: skip
    yield running
    running.stop()


def test_lab_page_and_files_are_served(tiny_server: Running) -> None:
    page = httpx.get(f"{tiny_server.url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/lab/static/lab.js" in page.text and "/lab/static/lab.css" in page.text
    script = httpx.get(f"{tiny_server.url}/lab/static/lab.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    style = httpx.get(f"{tiny_server.url}/lab/static/lab.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    missing = httpx.get(f"{tiny_server.url}/lab/static/..%2Fapp.py")
    assert missing.status_code == 404 and "error" in missing.json()


def test_lab_tokenize_equals_the_tokenizer(tiny_server: Running, smollm2_tokenizer) -> None:
    text = "Héllo wörld!\n<|im_start|>user  tabs\tand 日本語"
    answer = httpx.post(f"{tiny_server.url}/lab/api/tokenize", json={"text": text})
    assert answer.status_code == 200
    tokens = answer.json()["tokens"]
    assert [t["id"] for t in tokens] == smollm2_tokenizer.encode(text)
    assert answer.json()["count"] == len(tokens)
    special = [t for t in tokens if t["special"]]
    assert [t["text"] for t in special] == ["<|im_start|>"]
    assert [t["token"] for t in tokens] == [smollm2_tokenizer.id_to_token(t["id"]) for t in tokens]
    # pieces decoded alone join back to the text wherever no character is split
    assert "".join(t["text"] for t in tokens if "\ufffd" not in t["text"]).startswith("Héllo")


def test_lab_tokenize_refuses_bad_bodies(tiny_server: Running) -> None:
    for body in ({}, {"text": 3}, {"text": "x", "extra": 1}):
        answer = httpx.post(f"{tiny_server.url}/lab/api/tokenize", json=body)
        assert answer.status_code == 400, body
        assert set(answer.json()["error"]) == {"message", "type", "param", "code"}


def test_lab_attention_rows_are_causal_distributions(tiny_server: Running) -> None:
    text = "The cat sat on the mat because it was warm."
    answer = httpx.post(f"{tiny_server.url}/lab/api/attention", json={"text": text, "layer": 1})
    assert answer.status_code == 200
    body = answer.json()
    model = tiny_server.chat.model
    assert body["layers"] == model.config.n_layers and body["heads"] == model.config.n_heads
    assert [a["layer"] for a in body["attention"]] == [1]
    weights = torch.tensor(body["attention"][0]["weights"])  # (heads, T, T)
    n = len(body["tokens"])
    assert weights.shape == (model.config.n_heads, n, n) and not body["truncated"]
    assert torch.allclose(weights.sum(-1), torch.ones(weights.shape[:2]), atol=1e-3)
    assert (weights.triu(1) == 0).all()  # no token looks at a later one
    # the same numbers as the model's own keep_weights, set on the model itself
    ids = [t["id"] for t in body["tokens"]]
    attn = model.layers[1].attn
    attn.keep_weights = True
    try:
        with torch.inference_mode():
            model(torch.tensor([ids]))
        assert torch.allclose(weights, attn.weights[0], atol=1e-4)
    finally:
        attn.keep_weights, attn.weights = False, None


def test_lab_attention_every_layer_and_truncation(tiny_server: Running) -> None:
    text = " ".join(["word"] * (MAX_ATTENTION_TOKENS + 10))
    body = httpx.post(f"{tiny_server.url}/lab/api/attention", json={"text": text}).json()
    assert body["truncated"] and len(body["tokens"]) == MAX_ATTENTION_TOKENS
    assert [a["layer"] for a in body["attention"]] == list(range(body["layers"]))
    bad = httpx.post(f"{tiny_server.url}/lab/api/attention", json={"text": "hi", "layer": 99})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "layer"
    empty = httpx.post(f"{tiny_server.url}/lab/api/attention", json={"text": ""})
    assert empty.status_code == 400


def test_lab_attention_leaves_the_served_model_alone(tiny_server: Running) -> None:
    """A lab pass while the engine generates: the model's modules never keep weights."""
    model = tiny_server.chat.model
    answers: list[httpx.Response] = []
    chat = threading.Thread(target=lambda: answers.append(httpx.post(
        f"{tiny_server.v1}/chat/completions", timeout=60,
        json={"model": "tiny-llama", "max_tokens": 40, "temperature": 0,
              "messages": [{"role": "user", "content": "hi"}]})))  # fmt: skip
    chat.start()
    maps = attention_maps(model, list(range(5, 25)), None)
    chat.join(60)
    assert answers and answers[0].status_code == 200
    assert len(maps) == model.config.n_layers and maps[0].shape[-1] == 20
    for layer in model.layers:
        assert not layer.attn.keep_weights and layer.attn.weights is None


def test_lab_progress_404_without_a_provider(tiny_server: Running) -> None:
    answer = httpx.get(f"{tiny_server.url}/lab/api/progress")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "no_progress"


def test_lab_progress_is_the_providers(progress_server: Running) -> None:
    answer = httpx.get(f"{progress_server.url}/lab/api/progress")
    assert answer.status_code == 200
    assert answer.json()["topics"][0] == {"id": "6.3", "title": "the web lab", "done": True}


def test_lab_api_needs_the_key_but_the_page_does_not(smollm2_tokenizer) -> None:
    running = serve_tiny(smollm2_tokenizer, ServerSettings(api_keys=("sekret",)), max_batch=1,
                         context=64)  # fmt: skip
    try:
        assert httpx.get(f"{running.url}/").status_code == 200
        url = f"{running.url}/lab/api/tokenize"
        assert httpx.post(url, json={"text": "hi"}).status_code == 401
        keyed = httpx.post(url, json={"text": "hi"}, headers={"Authorization": "Bearer sekret"})
        assert keyed.status_code == 200
    finally:
        running.stop()


def test_lab_off_serves_no_page(smollm2_tokenizer) -> None:
    running = serve_tiny(smollm2_tokenizer, ServerSettings(lab=False), max_batch=1, context=64)
    try:
        assert httpx.get(f"{running.url}/").status_code == 404
        assert httpx.post(f"{running.url}/lab/api/tokenize", json={"text": "x"}).status_code == 404
    finally:
        running.stop()


def test_lab_attention_layer_must_be_an_int(tiny_server: Running) -> None:
    for layer in (True, -1, 1.5, "1"):
        answer = httpx.post(f"{tiny_server.url}/lab/api/attention",
                            json={"text": "hi", "layer": layer})  # fmt: skip
        assert answer.status_code == 400, layer
