"""Work shared between concurrent callers: a load done once, writes done together."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Generic, Hashable, TypeVar

T = TypeVar("T")


class Once:
    """``await once.get(key, load)``: ``load()`` runs once per key (per event loop, since a future
    belongs to one), and every caller gets its result. A failed load is not kept: the next caller
    tries again. One caller cancelled does not cancel the load the others wait for."""

    def __init__(self) -> None:
        self._loads: dict[Hashable, asyncio.Future] = {}

    def known(self, key: Hashable, value: Any) -> None:
        """``key``'s result, known without loading it (in the running event loop)."""
        done = asyncio.get_running_loop().create_future()
        done.set_result(value)
        self._loads[key] = done

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        loading = self._loads.get(key)
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
