"""/metrics in Prometheus' text format, read back by prometheus_client's own parser."""

from __future__ import annotations

import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from nlpjourney.serve.metrics import Counter, Histogram, Registry, TokenRate
from tests.serve.conftest import TINY_ID, Running


def scrape(server: Running) -> dict[str, object]:
    response = httpx.get(f"{server.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def sample(families: dict, family: str, suffix: str = "", **labels: str) -> float:
    for s in families[family].samples:
        if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return 0.0


def test_metrics_count_requests_latency_and_tokens(tiny_server: Running) -> None:
    before = scrape(tiny_server)
    api = openai.OpenAI(base_url=tiny_server.v1, api_key="x", max_retries=0)
    for _ in range(3):
        api.completions.create(model=TINY_ID, prompt="The sea", max_tokens=7, temperature=0)
    with pytest.raises(openai.NotFoundError):
        api.completions.create(model="nope", prompt="x")
    stream = api.completions.create(model=TINY_ID, prompt="The sea", max_tokens=5, stream=True)
    assert len([chunk for chunk in stream]) >= 2
    after = scrape(tiny_server)
    # prometheus_client names a counter family without its _total suffix
    requests = "journey_requests"
    done = {"endpoint": "/v1/completions", "status": "200"}
    assert (
        sample(after, requests, "_total", **done) - sample(before, requests, "_total", **done) == 4
    )
    missing = {"endpoint": "/v1/completions", "status": "404"}
    assert (
        sample(after, requests, "_total", **missing) - sample(before, requests, "_total", **missing)
        == 1
    )
    made = sample(after, "journey_generated_tokens", "_total") - sample(
        before, "journey_generated_tokens", "_total"
    )
    assert made == 3 * 7 + 5
    latency = "journey_request_duration_seconds"
    where = {"endpoint": "/v1/completions"}
    count = sample(after, latency, "_count", **where)
    assert sample(after, latency, "_bucket", le="+Inf", **where) == count
    buckets = [
        s
        for s in after[latency].samples
        if s.name.endswith("_bucket") and s.labels["endpoint"] == "/v1/completions"
    ]
    values = [s.value for s in buckets]
    assert values == sorted(values)  # cumulative
    assert sample(after, "journey_time_to_first_token_seconds", "_count") >= 1
    assert sample(after, "journey_tokens_per_second") > 0
    assert after["journey_queue_depth"].type == "gauge"
    assert after["journey_generated_tokens"].type == "counter"


def test_metrics_histogram_and_counter_text() -> None:
    registry = Registry()
    latency = registry.add(Histogram("t_seconds", "A time.", buckets=(0.1, 1.0)))
    hits = registry.add(Counter("hits_total", 'Hits, with a "quote".'))
    for value in (0.05, 0.1, 0.5, 3.0):
        latency.observe(value, path="/a")
    hits.inc(2, path='/b"\\')
    families = {f.name: f for f in text_string_to_metric_families(registry.render())}
    buckets = {
        s.labels["le"]: s.value
        for s in families["t_seconds"].samples
        if s.name == "t_seconds_bucket"
    }
    assert buckets == {"0.1": 2.0, "1.0": 3.0, "+Inf": 4.0}  # le is "at most": 0.1 counts in 0.1
    total = [s for s in families["t_seconds"].samples if s.name == "t_seconds_sum"][0]
    assert total.value == pytest.approx(3.65)
    (hit,) = families["hits"].samples
    assert hit.labels == {"path": '/b"\\'} and hit.value == 2
    with pytest.raises(ValueError, match="only goes up"):
        hits.inc(-1)


def test_metrics_token_rate_window() -> None:
    now = [0.0]
    rate = TokenRate(window=10, clock=lambda: now[0])
    rate.add(50)
    now[0] = 5.0
    rate.add(50)
    assert rate.per_second() == 10.0
    now[0] = 12.0  # the first 50 left the window
    assert rate.per_second() == 5.0
