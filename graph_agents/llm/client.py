"""The chat model from settings, and how every call is made: gated, rate-limited, retried.

- ``build_chat_model(settings)``: a ``ChatOpenAI`` for any OpenAI-compatible endpoint (OpenAI,
  OpenRouter, vLLM, Ollama, LM Studio via ``OPENAI_BASE_URL``), with an in-memory rate limiter
  and the SQLite cache. The openai client's own retries are off (``max_retries=0``) so that a
  retry is made, and counted, in one place: ``call``.
- ``call(model, messages, config, settings)``: ``ainvoke`` under a per-event-loop semaphore of
  ``llm_max_concurrency``, retried with exponential backoff and jitter on 429, 5xx, timeouts and
  connection errors (``llm_max_retries`` retries). Any other error is raised at once.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from ..secrets import scrub_text
from ..settings import Settings


def describe_error(exc: BaseException, limit: int) -> str:
    """An LLM error as recorded: a server may echo the API key back in its error body, in any
    shape, so the process's known secrets are scrubbed before the text goes anywhere."""
    return scrub_text(f"{type(exc).__name__}: {exc}")[: len(type(exc).__name__) + 2 + limit]

_gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]]" = weakref.WeakKeyDictionary()


def build_chat_model(settings: Settings) -> Any:
    """A ``ChatOpenAI`` from ``settings`` (call only when ``settings.llm_configured``)."""
    from langchain_core.rate_limiters import InMemoryRateLimiter
    from langchain_openai import ChatOpenAI

    from .cache import SQLiteCache

    rps = settings.llm_requests_per_second
    limiter = InMemoryRateLimiter(
        requests_per_second=rps, check_every_n_seconds=min(0.1, 0.5 / rps), max_bucket_size=max(1, int(rps))
    ) if rps > 0 else None
    key = settings.openai_api_key
    return ChatOpenAI(
        model=settings.llm_model,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        base_url=settings.openai_base_url,
        # local servers (vLLM, Ollama) take any key; the client insists on one
        api_key=key if key is not None else "not-needed",
        rate_limiter=limiter,
        cache=SQLiteCache(settings.home / "llm_cache.sqlite") if settings.llm_cache else False,
        # proposals are parsed whole; streaming would only complicate retries and usage capture
        disable_streaming=True,
    )


def gate(limit: int) -> asyncio.Semaphore:
    """The semaphore bounding concurrent LLM requests on the running event loop."""
    per_loop = _gates.setdefault(asyncio.get_running_loop(), {})
    limit = max(1, limit)
    if limit not in per_loop:
        per_loop[limit] = asyncio.Semaphore(limit)
    return per_loop[limit]


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections are worth another try; the rest is not."""
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, ConnectionError)):
        return True
    try:
        import httpx
        import openai
    except ImportError:  # pragma: no cover - both ship with langchain-openai
        return False
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError,
                        openai.InternalServerError, httpx.TimeoutException, httpx.NetworkError)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


class CallStats:
    def __init__(self) -> None:
        self.attempts = 0
        self.errors: list[str] = []


async def call(runnable: Any, messages: list[Any], config: Any, settings: Settings, stats: CallStats) -> Any:
    """``await runnable.ainvoke(messages, config)`` gated by concurrency and retried on transient errors."""
    retrying = AsyncRetrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(1 + max(0, settings.llm_max_retries)),
        wait=wait_exponential_jitter(
            multiplier=settings.llm_backoff_s, max=max(settings.llm_backoff_s, 20.0), jitter=settings.llm_backoff_s
        ),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            stats.attempts += 1
            try:
                async with gate(settings.llm_max_concurrency):
                    return await runnable.ainvoke(messages, config)
            except Exception as exc:
                stats.errors.append(describe_error(exc, 200))
                raise
    raise RuntimeError("unreachable")  # pragma: no cover
