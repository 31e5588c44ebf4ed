"""A client-side rate limit: requests and tokens per minute, shared by a batch's requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from ._engines import ChatRequest

#: Tokens a brief's reply and the fixed prompt add to an article's own, for the tpm estimate.
TOKEN_OVERHEAD = 600


class _Bucket:
    """A token bucket refilled at ``per_minute / 60`` a second. Bursts are capped at ten seconds'
    worth because providers may enforce a per-minute limit over shorter windows."""

    def __init__(self, per_minute: float, clock: Callable[[], float]) -> None:
        if per_minute <= 0:
            raise ValueError("a rate limit must be > 0")
        self.rate = per_minute / 60
        self.capacity = max(1.0, per_minute / 6)
        self.level = self.capacity
        self._clock = clock
        self._stamp = clock()

    def refill(self) -> None:
        now = self._clock()
        self.level = min(self.capacity, self.level + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` may be taken; an amount over capacity waits for a full bucket."""
        self.refill()
        need = min(amount, self.capacity)
        # The tolerance ends the wait when float rounding leaves the level a hair short.
        return 0.0 if self.level >= need - 1e-6 else (need - self.level) / self.rate


class RateLimiter:
    """Requests and tokens per minute, shared by every request of a batch (retries included).

    Tokens are taken by estimate before a request and corrected by its real usage afterwards."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.requests = _Bucket(rpm, clock) if rpm else None
        self.tokens = _Bucket(tpm, clock) if tpm else None
        self._sleep = sleep
        self._lock: asyncio.Lock | None = None
        self.waited = 0.0

    @staticmethod
    def estimate(request: ChatRequest) -> int:
        """Tokens a request will likely cost: about four characters a token, plus the reply."""
        chars = sum(len(m.get("content") or "") for m in request.messages)
        return chars // 4 + TOKEN_OVERHEAD

    async def acquire(self, tokens: int) -> None:
        """Wait until one request of about ``tokens`` tokens fits both limits, then take it."""
        if self.requests is None and self.tokens is None:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # first come, first served: a big request is not starved
            while True:
                delay = max(self.requests.wait_for(1) if self.requests else 0.0,
                            self.tokens.wait_for(tokens) if self.tokens else 0.0)
                if delay <= 0:
                    break
                self.waited += delay
                await self._sleep(delay)
            if self.requests:
                self.requests.level -= 1
            if self.tokens:
                self.tokens.level -= tokens  # may go below zero: later requests pay the debt

    def settle(self, estimated: int, actual: int) -> None:
        """Correct a request's estimate by what it really cost."""
        if self.tokens is not None:
            self.tokens.refill()
            self.tokens.level = min(self.tokens.capacity, self.tokens.level + estimated - actual)
