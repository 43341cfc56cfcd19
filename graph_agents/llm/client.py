"""The chat model from settings, and how every call is made: gated, rate-limited, retried.

- ``build_chat_model(settings)``: a ``ChatOpenAI`` for any OpenAI-compatible endpoint (OpenAI,
  OpenRouter, vLLM, Ollama, LM Studio via ``OPENAI_BASE_URL``), with an in-memory rate limiter
  and the SQLite cache. The openai client's own retries are off (``max_retries=0``) so that a
  retry is made, and counted, in one place: ``call``.
- ``call(model, messages, config, settings)``: ``ainvoke`` under a per-event-loop semaphore of
  ``llm_max_concurrency``, retried with exponential backoff and jitter on 429, 5xx and dropped
  connections (``llm_max_retries`` retries) and on timeouts (``llm_timeout_retries``, default 1).
  Any other error is raised at once.
"""

from __future__ import annotations

import asyncio
import time
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


def _clients() -> tuple[Any, Any]:
    """(openai, httpx), imported where an error is judged: both ship with langchain-openai."""
    import httpx
    import openai

    return openai, httpx


def is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return True
    openai, httpx = _clients()
    return isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException))


def is_transient(exc: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections are worth another try; the rest is not."""
    if is_timeout(exc) or isinstance(exc, ConnectionError):
        return True
    openai, httpx = _clients()
    if isinstance(exc, (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError, httpx.NetworkError)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


def is_refusal(exc: BaseException) -> bool:
    """A 4xx other than 401, 403 and 429: the server does not take this request's form (an
    unsupported ``response_format``, a ``tool_choice`` it rejects), so another method may work."""
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (401, 403, 429)


class CallStats:
    def __init__(self) -> None:
        self.attempts = 0
        self.timeouts = 0
        self.errors: list[str] = []
        self.model_s = 0.0  # time inside the concurrency gate: waiting on the model, not on our queue
        self.first_sent: float | None = None  # epoch seconds the first attempt went out
        self.last_done: float | None = None  # and the last one came back


async def call(runnable: Any, messages: list[Any], config: Any, settings: Settings, stats: CallStats,
               timeout_s: float | None = None) -> Any:
    """``await runnable.ainvoke(messages, config)`` gated by concurrency and retried: 429, 5xx and
    dropped connections up to ``llm_max_retries`` times, timeouts up to ``llm_timeout_retries``
    times (a timeout says more about the request than about the server, so the caller moves on to
    another method rather than wait again). ``timeout_s`` (what is left of the run's LLM budget)
    cuts a request short of the client timeout."""

    cut = timeout_s is not None and timeout_s < settings.llm_timeout_s  # the budget ends first

    def again(exc: BaseException) -> bool:
        if is_timeout(exc):
            return not cut and stats.timeouts <= settings.llm_timeout_retries
        return is_transient(exc) and len(stats.errors) - stats.timeouts <= settings.llm_max_retries

    retrying = AsyncRetrying(
        retry=retry_if_exception(again),
        stop=stop_after_attempt(1 + settings.llm_max_retries + settings.llm_timeout_retries),  # both are >= 0
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
                    sent = time.perf_counter()
                    if stats.first_sent is None:
                        stats.first_sent = time.time()
                    try:
                        if timeout_s is None:
                            return await runnable.ainvoke(messages, config)
                        # the budget's cut is not the client's own timeout: cache keys stay the same
                        return await asyncio.wait_for(runnable.ainvoke(messages, config), max(0.001, timeout_s))
                    finally:
                        stats.model_s += time.perf_counter() - sent
                        stats.last_done = time.time()
            except Exception as exc:
                stats.timeouts += is_timeout(exc)
                stats.errors.append(describe_error(exc, 200))
                raise
    raise RuntimeError("unreachable")  # pragma: no cover
