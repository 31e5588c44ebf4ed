"""An event loop in a thread of its own, for the service's briefs (see :class:`Worker`)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from ._pipeline import Summarizer

T = TypeVar("T")


class Worker:
    """An event loop in a thread of its own, where a model's briefs are made.

    Parsing and grounding a reply are CPU-bound and would stall every request on the serving
    loop. Unlike a thread running the blocking ``summarize``, a brief here is cancelled with the
    request that asked for it, so shutdown does not wait on it.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """The result of ``work``, run on the worker loop; cancelling the caller cancels it."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            threading.Thread(target=_run_forever, args=(self._loop,), name="summarizer-serve",
                             daemon=True).start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def close(self, summarizer: Summarizer) -> None:
        """Close the engine where its connections were opened, then end the thread."""
        loop = self._loop
        if loop is None:
            await summarizer.aclose()
            return

        async def finish() -> None:
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await summarizer.aclose()

        try:
            await self.run(finish())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            self._loop = None


def _run_forever(loop: asyncio.AbstractEventLoop) -> None:
    try:
        loop.run_forever()
    finally:
        loop.close()
