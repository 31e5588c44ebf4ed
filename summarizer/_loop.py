"""Running the async core for blocking callers: the one place event loops are made."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """An event loop on a daemon thread, for callers that cannot run one themselves (they are
    inside a running loop) or that feed it from several threads (a batch)."""

    def __init__(self, name: str = "summarizer") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """The coroutine's result, waited for in the calling thread."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            # Ctrl-C in the waiting thread: stop the coroutine too, and let it clean up first.
            future.cancel()
            concurrent.futures.wait([future])
            raise

    def stop(self) -> None:
        """Stop the loop and its thread, and close the loop once the thread has ended."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


class SyncRunner:
    """Runs coroutines to completion for a blocking API. In a thread with no loop running, on
    a loop of its own in that very thread: no hand-over between threads, so a blocking call
    costs what an async one does. Inside a running loop, or while another thread is using
    that loop, on a loop thread instead."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = threading.Lock()
        self._thread: LoopThread | None = None
        self._made = threading.Lock()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """The coroutine's result."""
        if not _loop_running() and self._busy.acquire(blocking=False):
            try:
                if self._loop is None:
                    self._loop = asyncio.new_event_loop()
                return _run_on(self._loop, coro)
            finally:
                self._busy.release()
        with self._made:
            if self._thread is None:
                self._thread = LoopThread()
        return self._thread.run(coro)

    def close(self, last: Coroutine[Any, Any, None] | None = None,
              other: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``last`` (the engine's clean-up) on the loop that did the work, and ``other()``
        (what the engine holds for a loop) on the loop thread if blocking calls from several
        threads used that one too; then close the loops and their threads."""
        with self._busy:
            loop, self._loop = self._loop, None
        with self._made:
            thread, self._thread = self._thread, None
        if other is not None and loop is not None and thread is not None:
            thread.run(other())
        if last is not None:
            if loop is not None and not _loop_running():
                _run_on(loop, last)
            elif thread is not None:
                thread.run(last)
            elif not _loop_running():  # nothing ran here, but an engine may still be loaded
                asyncio.run(last)
            else:
                thread = LoopThread()
                thread.run(last)
        if loop is not None:
            if not _loop_running():  # else closed from inside another loop: no waiting here
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
        if thread is not None:
            thread.stop()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _run_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    task = loop.create_task(coro)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        # Ctrl-C: cancel the work and let it clean up before the error goes on.
        task.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(task)
        raise
