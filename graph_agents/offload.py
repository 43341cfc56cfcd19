"""CPU work on results, off the event loop when it is big enough to be worth a thread.

A worker thread keeps a long computation (facts over millions of vertices) from stalling every
other analysis. For a small one it only adds latency: with many analyses on one interpreter, the
worker waits for the GIL (up to the 5 ms switch interval) and then the loop waits for the answer,
several times per report (see the parallel benchmark in the README).
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, TypeVar

from .concurrency import CPU_LANE

T = TypeVar("T")

# values below which the work runs inline: about a millisecond of Python
INLINE_LIMIT = 5_000


async def run_sized(size: int, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, inline when ``size`` (how many values it walks) is under :data:`INLINE_LIMIT`,
    else in a worker thread, in the CPU lane (:class:`~graph_agents.concurrency.CpuLane`)."""
    if size < INLINE_LIMIT:
        return fn(*args)
    return await asyncio.to_thread(CPU_LANE.run, fn, *args)
