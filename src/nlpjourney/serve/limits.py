"""API keys and per-key rate limits.

Keys: with ``--api-key`` given, every ``/v1`` request must carry one of them as
``Authorization: Bearer KEY`` (what the ``openai`` client sends from ``api_key=``);
otherwise the server is open, which suits a learner's own machine on loopback.

Rate limits: a token bucket per key (per client address when the server has no keys).
A bucket holds up to ``burst`` requests and refills at ``per_minute / 60`` a second; a
request takes one, and finds it empty only when the client has been faster than its
rate for a while. The answer is then 429 with ``Retry-After``: the seconds until one
request's worth has refilled.

Keys are compared with :func:`hmac.compare_digest`, whose time does not depend on where
two strings first differ.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections.abc import Callable, Sequence

__all__ = ["KeyRing", "RateLimiter", "TokenBucket"]


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` a second; :meth:`take` spends one.

    Example:
        >>> now = [0.0]
        >>> bucket = TokenBucket(rate=1.0, capacity=2, clock=lambda: now[0])
        >>> bucket.take(), bucket.take(), bucket.take()
        (0.0, 0.0, 1.0)
        >>> now[0] = 1.0; bucket.take()
        0.0
    """

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not rate > 0 or not capacity >= 1:
            raise ValueError(f"rate must be > 0 and capacity >= 1, got {rate} and {capacity}")
        self.rate, self.capacity, self.clock = rate, capacity, clock
        self.tokens, self.updated = float(capacity), clock()

    def take(self) -> float:
        """Spend a token: 0.0 when there was one, else the seconds until there is."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """One :class:`TokenBucket` per client key, made on its first request.

    Args:
        per_minute: each key's sustained rate, in requests a minute.
        burst: the most requests a key may send at once (default: ten seconds' worth,
            at least 1).
    """

    def __init__(self, per_minute: float, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        if not per_minute > 0:
            raise ValueError(f"per_minute must be > 0, got {per_minute}")
        self.rate = per_minute / 60
        self.burst = burst if burst is not None else max(1, math.ceil(per_minute / 6))
        self.clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> int:
        """0 when ``key`` may go on; else whole seconds to wait (for ``Retry-After``)."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self.clock)
            wait = bucket.take()
        return 0 if wait == 0 else max(1, math.ceil(wait))


class KeyRing:
    """The accepted API keys (none: every request is accepted)."""

    def __init__(self, keys: Sequence[str] = ()) -> None:
        bad = [k for k in keys if not k or k.strip() != k]
        if bad:
            raise ValueError("an API key must be a non-empty string without surrounding spaces")
        self._keys = [k.encode() for k in keys]

    @property
    def required(self) -> bool:
        return bool(self._keys)

    def accepts(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header carries one of the keys as a bearer token."""
        if not self._keys:
            return True
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        given = token.strip().encode()
        return any(hmac.compare_digest(given, key) for key in self._keys)
