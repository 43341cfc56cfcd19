"""Work shared between concurrent callers: a load done once, writes done together, one lane for
CPU-bound Python."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
from typing import Any, Awaitable, Callable, Generic, Hashable, Iterator, TypeVar

T = TypeVar("T")


class Once:
    """``await once.get(key, load)``: ``load()`` runs once per key, and every caller gets its
    result; a finished load serves later event loops too (one still running belongs to its loop, so
    another loop starts its own). A failed load is not kept: the next caller tries again. One caller
    cancelled does not cancel the load the others wait for."""

    def __init__(self) -> None:
        self._loads: dict[Hashable, asyncio.Future] = {}

    def results(self) -> list[Any]:
        """The results of the loads that finished well."""
        return [f.result() for f in self._loads.values() if f.done() and not f.cancelled() and f.exception() is None]

    def clear(self) -> None:
        self._loads.clear()

    def known(self, key: Hashable, value: Any) -> None:
        """``key``'s result, known without loading it (in the running event loop)."""
        done = asyncio.get_running_loop().create_future()
        done.set_result(value)
        self._loads[key] = done

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        loading = self._loads.get(key)
        if loading is not None and loading.done() and not loading.cancelled() and loading.exception() is None:
            return loading.result()
        if loading is None or loading.get_loop() is not asyncio.get_running_loop():
            loading = self._loads[key] = asyncio.ensure_future(load())
        try:
            return await asyncio.shield(loading)
        except Exception:
            if self._loads.get(key) is loading:
                del self._loads[key]
            raise


class GroupWrites(Generic[T]):
    """Group commit: ``await writes.add(items)`` returns once ``items`` are written, and items
    added while a write is in flight go out together in the next one (``flush(all_items)``).

    When many analyses finish together, a few round trips to the store replace one (or several)
    per analysis. A failed flush fails every caller whose items were in it, and only those.
    """

    def __init__(self, flush: Callable[[list[T]], Awaitable[None]]) -> None:
        self._flush = flush
        self._queue: list[tuple[list[T], asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def add(self, items: list[T]) -> None:
        loop = asyncio.get_running_loop()
        written = loop.create_future()
        self._queue.append((items, written))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._writer = loop.create_task(self._drain())
        await written

    async def idle(self) -> None:
        """Until everything added so far is written (or failed)."""
        if self._writer is not None and not self._writer.done():
            await asyncio.wait([self._writer])

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._flush([item for items, _ in batch for item in items])
            except Exception as exc:
                for _, written in batch:
                    if not written.done():
                        written.set_exception(exc)
            except BaseException:  # cancelled (the loop is closing): so are the writes that waited
                for _, written in batch:
                    written.cancel()
                raise
            else:
                for _, written in batch:
                    if not written.done():
                        written.set_result(None)


class CpuLane:
    """One CPU-bound job at a time in this interpreter (a thread holds it while it computes).

    Threads that compute in Python (or in a C library that keeps the GIL, like igraph) only take
    turns on the one interpreter lock: running five of them together makes each wait about 4/5 of
    its wall time and finishes none sooner. In one lane each job runs at full speed once it starts.
    Waiting jobs go by ``priority`` (lower first), then by arrival: a job that hands its work to
    another process goes first, so that process starts early, and short jobs go before long ones.
    A job that waits for another process steps out of the lane meanwhile (:meth:`outside`).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting: list[tuple[int, int]] = []  # heap of (priority, arrival)
        self._arrivals = itertools.count()
        self._local = threading.local()

    def _acquire(self, priority: int) -> None:
        with self._cond:
            ticket = (priority, next(self._arrivals))
            heapq.heappush(self._waiting, ticket)
            while self._busy or self._waiting[0] != ticket:
                self._cond.wait()
            heapq.heappop(self._waiting)
            self._busy = True

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()

    @contextlib.contextmanager
    def held(self, priority: int = 1) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        if not depth:
            self._acquire(priority)
        self._local.depth = depth + 1  # re-entrant in one thread (a job that calls a job)
        try:
            yield
        finally:
            self._local.depth = depth
            if not depth:
                self._release()

    @contextlib.contextmanager
    def outside(self) -> Iterator[None]:
        """Leave the lane while waiting on something that does not need this interpreter."""
        depth = getattr(self._local, "depth", 0)
        if not depth:
            yield
            return
        self._local.depth = 0
        self._release()
        try:
            yield
        finally:
            self._acquire(0)  # back first: its result is what others may be waiting for
            self._local.depth = depth

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self.held():
            return fn(*args)


CPU_LANE = CpuLane()
