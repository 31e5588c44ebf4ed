"""The public face of the pipeline: a Summarizer, configured once and used for many articles,
and the one-call ``summarize()`` / ``asummarize()``.

A brief is made by :mod:`summarizer._briefing` (ask, check, re-ask, retry) inside
:mod:`summarizer._plan` (fit the model's context, or brief in parts); the Summarizer adds the
article's check as input, the result cache and the limit on briefs in flight around that path.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import TracebackType
from typing import Any

from ._brief import SCHEMA_VERSION
from ._briefing import Job, Policy
from ._cache import Cache, cache_key
from ._engines import ChatModel, ChatRequest
from ._engines._factory import create_engine
from ._errors import InternalError, SummarizerError
from ._index import ArticleIndex
from ._loop import SyncRunner
from ._parse import build_messages, check_article
from ._plan import brief_fitted, context_of, whole_budget
from ._prompts import compact, load_prompts
from ._result import Result
from ._settings import Settings
from ._wire import wire_schema

log = logging.getLogger("summarizer")


class Summarizer:
    """A configured engine, reusable across many articles; a context manager (``with`` or
    ``async with``) that closes what it opened: the engine's connections, a local model no
    other Summarizer uses, its event loop.

    ``chat_model``: an engine object to use (a :class:`summarizer.testing.FakeChatModel`, say)
    instead of the one the settings name; ``http_client``: the async HTTP client the openai
    SDK takes (httpx's, or httpx2's for openai 3), for the openai engine: a ``MockTransport``
    in tests, a proxy. Both stay the caller's to close.
    """

    def __init__(self, settings: Settings | None = None, *, chat_model: ChatModel | None = None,
                 http_client: Any = None, **overrides: Any) -> None:
        # Settings given are used as given; else the keyword values, then the environment.
        self.settings = (replace(settings, **overrides) if settings is not None
                         else Settings.from_env(**overrides))
        self.engine_name, self.engine_reason = self.settings.resolve_engine(chat_model)
        self._model = chat_model
        self._owns_model = chat_model is None
        self._http_client = http_client
        prompts = load_prompts(self.settings.prompts)
        schema = wire_schema()  # what the model answers in: evidence by sentence number
        self._job = Job(self.settings, prompts, schema,
                        prompts.render("schema", schema=compact(schema)))
        # Briefs in flight, per event loop: blocking calls from several threads at once run on
        # two loops, and an asyncio semaphore serves one (the engine serialises what it must).
        self._limits: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}
        self._limits_lock = threading.Lock()
        self._cache: Cache | None = None
        self._runner = SyncRunner()

    # --- briefing -------------------------------------------------------------------------

    async def asummarize(self, text: str, *, strict: bool | None = None) -> Result:
        """Brief one article."""
        return await self._checked(check_article(text), strict)

    def summarize(self, text: str, *, strict: bool | None = None) -> Result:
        """Brief one article, blocking; safe to call from inside a running event loop."""
        article = check_article(text)  # bad input fails here, before any loop is involved
        return self._runner.run(self._checked(article, strict))

    async def _checked(self, article: str, strict: bool | None) -> Result:
        with _only_our_errors():
            return await self._cached(article, self._policy(strict))

    def _policy(self, strict: bool | None) -> Policy:
        """This call's policy: its own strict flag, else the settings'."""
        return "strict" if (self.settings.strict if strict is None else strict) else "lenient"

    async def _cached(self, article: str, policy: Policy) -> Result:
        model = self.engine()
        await model.prepare()  # its context window shapes the plan, so the cache key too
        key = None
        if self.settings.cache and model.cacheable:
            key = cache_key(article, context=self._cache_context(model, policy))
            hit = self.cache().get(key)
            if hit is not None:
                return hit
        result = await self._limited(model, article, policy)
        if key is not None and not result.fell_back:  # a fallback is not what was asked for
            self.cache().put(key, result)
        return result

    async def _limited(self, model: ChatModel, article: str, policy: Policy) -> Result:
        if not model.max_concurrency:
            return await brief_fitted(self._job, model, article, policy)
        loop = asyncio.get_running_loop()
        with self._limits_lock:
            limit = self._limits.get(loop)
            if limit is None:
                limit = self._limits[loop] = asyncio.Semaphore(model.max_concurrency)
        async with limit:
            return await brief_fitted(self._job, model, article, policy)

    async def acached(self, text: str, *, strict: bool | None = None) -> Result | None:
        """The cached result for this article, if there is one (no model is asked)."""
        model = self.engine()
        if not (self.settings.cache and model.cacheable):
            return None
        await model.prepare()
        key = cache_key(check_article(text), context=self._cache_context(model,
                                                                         self._policy(strict)))
        return self.cache().get(key)

    def first_request(self, text: str) -> ChatRequest | None:
        """The first request a brief of this article sends, for the Batch API, which asks it
        ahead of time; None for an article the model's window takes only in parts."""
        art = ArticleIndex(check_article(text))
        job = self._job
        max_tokens = whole_budget(job, self.engine(), art)
        if max_tokens is None:
            return None
        return ChatRequest(messages=build_messages(job.prompts, art), schema=job.schema,
                           max_tokens=max_tokens, schema_prompt=job.schema_prompt,
                           article=art.text)

    def _cache_context(self, model: ChatModel, policy: Policy) -> str:
        """Everything besides the article that shapes a result, as one string."""
        s, prompts = self.settings, self._job.prompts
        templates = "\x1e".join(prompts.templates[n] for n in sorted(prompts.templates))
        return "\x1f".join(str(x) for x in (
            model.engine, model.model_name, model.endpoint or "",
            hashlib.sha256(templates.encode()).hexdigest(), SCHEMA_VERSION, policy, s.reasks,
            s.max_tokens, context_of(self._job, model)))

    # --- parts ----------------------------------------------------------------------------

    def engine(self) -> ChatModel:
        """The engine, created on first use and shared afterwards."""
        if self._model is None:
            self._model = create_engine(self.settings, self.engine_name,
                                        http_client=self._http_client)
        return self._model

    def cache(self) -> Cache:
        """The result cache, opened on first use."""
        if self._cache is None:
            self._cache = Cache(self.settings.cache_dir)
        return self._cache

    # --- closing --------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Release the engine (its connections on this loop; a local model no one else uses)
        and the blocking API's event loop."""
        await self._close_engine()
        self._runner.close()

    def close(self) -> None:
        """Release the engine and the blocking API's event loop."""
        model = self._model
        self._runner.close(self._close_engine(),
                           other=model.release_loop if model is not None else None)

    async def _close_engine(self) -> None:
        self._limits.clear()
        model, self._model = self._model, (None if self._owns_model else self._model)
        if model is not None and self._owns_model:
            await model.aclose()

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


@contextmanager
def _only_our_errors() -> Iterator[None]:
    """Let only the package's own errors out: anything else that goes wrong while briefing (a
    bug, or a library's surprise) becomes InternalError, with the original as its cause."""
    try:
        yield
    except SummarizerError:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise is: one error tree
        raise InternalError(f"unexpected {type(exc).__name__} while briefing: "
                            f"{' '.join(str(exc).split())[:300]}") from exc


def summarize(text: str, *, engine: str | None = None, strict: bool = False,
              **options: Any) -> Result:
    """Brief one article; options are :class:`Settings` fields (model, base_url, ...), and
    what is not given comes from the environment (:meth:`Settings.from_env`)."""
    with Summarizer(engine=engine, strict=strict, **options) as summarizer:
        return summarizer.summarize(text)


async def asummarize(text: str, *, engine: str | None = None, strict: bool = False,
                     **options: Any) -> Result:
    """Brief one article without blocking the event loop; options as for :func:`summarize`."""
    async with Summarizer(engine=engine, strict=strict, **options) as summarizer:
        return await summarizer.asummarize(text)
