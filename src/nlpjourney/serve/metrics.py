"""``/metrics``: counters, gauges and histograms in Prometheus' text format.

The text format (version 0.0.4) is lines of ``name{label="value"} number``, each family
introduced by ``# HELP`` and ``# TYPE`` lines. A histogram is exposed as cumulative
buckets ``name_bucket{le="0.1"}`` (how many observations were at most 0.1), with
``le="+Inf"`` equal to ``name_count``, and ``name_sum``; a scraper computes rates and
quantiles from successive scrapes (``histogram_quantile(0.95, rate(...[5m]))``).

What the server exposes:

- ``journey_requests_total{endpoint, status}``: requests answered;
- ``journey_request_duration_seconds{endpoint}``: time to the last byte;
- ``journey_time_to_first_token_seconds``: for streamed generations;
- ``journey_prompt_tokens_total``, ``journey_generated_tokens_total``: from the engine;
- ``journey_tokens_per_second``: generated tokens a second over the last 10 seconds;
- ``journey_queue_depth``, ``journey_active_requests``: requests waiting, generating;
- ``journey_engine_steps_total``: decoding passes (tokens / steps is the mean batch).

Reference: ``prometheus_client``'s parser reads this output back
(``tests/serve/test_metrics.py``).
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

__all__ = ["ENGINE_METRICS", "Counter", "Gauge", "Histogram", "Metrics", "Registry", "TokenRate"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

Labels = tuple[tuple[str, str], ...]


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _labels(labels: Labels, extra: Labels = ()) -> str:
    pairs = labels + extra
    if not pairs:
        return ""
    escaped = (
        (k, v.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")) for k, v in pairs
    )
    return "{" + ",".join(f'{k}="{v}"' for k, v in escaped) + "}"


class _Family:
    kind = ""

    def __init__(self, name: str, help_text: str) -> None:
        self.name, self.help = name, help_text
        self._lock = threading.Lock()

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def lines(self) -> list[str]:
        raise NotImplementedError


class Counter(_Family):
    """A count that only goes up, per label set."""

    kind = "counter"

    def __init__(self, name: str, help_text: str) -> None:
        super().__init__(name, help_text)
        self._values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = tuple(sorted(labels.items()))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(tuple(sorted(labels.items())), 0.0)

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(k)} {_number(v)}" for k, v in items]


class Gauge(_Family):
    """A value read when scraped, from a function (``counter=True``: one that only grows,
    such as a total the engine keeps)."""

    kind = "gauge"

    def __init__(
        self, name: str, help_text: str, read: Callable[[], float], counter: bool = False
    ) -> None:
        super().__init__(name, help_text)
        self.read = read
        if counter:
            self.kind = "counter"

    def lines(self) -> list[str]:
        return [f"{self.name} {_number(self.read())}"]


class Histogram(_Family):
    """Observations counted into buckets by upper bound, per label set."""

    kind = "histogram"

    def __init__(
        self, name: str, help_text: str, buckets: Sequence[float] = LATENCY_BUCKETS
    ) -> None:
        super().__init__(name, help_text)
        if list(buckets) != sorted(set(buckets)) or not buckets:
            raise ValueError("buckets must be increasing upper bounds")
        self.bounds = tuple(buckets)
        self._series: dict[Labels, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            counts, total = self._series.setdefault(key, ([0] * (len(self.bounds) + 1), [0.0]))
            counts[bisect.bisect_left(self.bounds, value)] += 1  # the first bound >= value
            total[0] += value

    def lines(self) -> list[str]:
        out = []
        with self._lock:
            series = sorted((k, (list(c), t[0])) for k, (c, t) in self._series.items())
        for key, (counts, total) in series:
            running = 0
            for bound, count in zip((*self.bounds, math.inf), counts, strict=True):
                running += count
                le = "+Inf" if math.isinf(bound) else repr(float(bound))  # "1.0", as Prometheus
                out.append(f"{self.name}_bucket{_labels(key, (('le', le),))} {running}")
            out.append(f"{self.name}_sum{_labels(key)} {_number(total)}")
            out.append(f"{self.name}_count{_labels(key)} {running}")
        return out


class Registry:
    """Metric families in the order they were added; :meth:`render` writes them all."""

    def __init__(self) -> None:
        self.families: list[_Family] = []

    def add(self, family: _Family) -> _Family:
        if any(f.name == family.name for f in self.families):
            raise ValueError(f"a metric named {family.name} exists already")
        self.families.append(family)
        return family

    def render(self) -> str:
        lines: list[str] = []
        for family in self.families:
            lines += family.header() + family.lines()
        return "\n".join(lines) + "\n"


class TokenRate:
    """Events a second over a sliding window: ``add(n)`` then ``per_second()``."""

    def __init__(self, window: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.clock = window, clock
        self._events: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def add(self, count: int = 1) -> None:
        with self._lock:
            self._events.append((self.clock(), count))

    def per_second(self) -> float:
        now = self.clock()
        with self._lock:
            while self._events and self._events[0][0] < now - self.window:
                self._events.popleft()
            return sum(n for _, n in self._events) / self.window


#: What the engine reports, read at each scrape: (name, help, grows only).
ENGINE_METRICS = (
    ("journey_prompt_tokens_total", "Prompt tokens read by the engine.", True),
    ("journey_generated_tokens_total", "Tokens generated by the engine.", True),
    ("journey_engine_steps_total", "Decoding passes (each serves every active request).", True),
    ("journey_queue_depth", "Requests waiting for a slot.", False),
    ("journey_active_requests", "Requests generating now.", False),
    ("journey_tokens_per_second", "Generated tokens a second over the last 10 s.", False),
)


class Metrics:
    """The server's metrics; ``engine_stats`` reads the engine's numbers when scraped
    (a dict by the names of :data:`ENGINE_METRICS`)."""

    def __init__(self, engine_stats: Callable[[], dict[str, float]] | None = None) -> None:
        stats = engine_stats or dict
        self.registry = Registry()
        self.requests = Counter(
            "journey_requests_total", "Requests answered, by endpoint and status."
        )
        self.latency = Histogram(
            "journey_request_duration_seconds", "Time from a request to its last byte, by endpoint."
        )
        self.first_token = Histogram(
            "journey_time_to_first_token_seconds", "Time from a streamed request to its first text."
        )
        for family in (self.requests, self.latency, self.first_token):
            self.registry.add(family)
        for name, help_text, grows in ENGINE_METRICS:
            read = lambda name=name: float(stats().get(name, 0.0))  # noqa: E731
            self.registry.add(Gauge(name, help_text, read, counter=grows))

    def render(self) -> str:
        return self.registry.render()
