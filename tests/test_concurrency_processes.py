"""Betweenness' hand-over to its worker process: CPU work in the caller's lane turn, only the wait
outside it (no process spawned: a fake pool)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from graph_agents.concurrency import CPU_LANE
from graph_agents.engines import processes


def in_lane() -> bool:
    return getattr(CPU_LANE._local, "depth", 0) > 0


class LaneFuture(Future):
    """A done future that records whether its result was waited for inside the CPU lane."""

    def __init__(self, value: Any, waits: list[bool]) -> None:
        super().__init__()
        self.set_result(value)
        self._waits = waits

    def result(self, timeout: float | None = None) -> Any:
        self._waits.append(in_lane())
        return super().result(timeout)


class FakePool:
    """Runs each call in the caller's thread (as the worker would compute it) and records where
    the calls were handed over."""

    def __init__(self) -> None:
        self.submits: list[tuple[str, bool]] = []
        self.waits: list[bool] = []

    def submit(self, fn: Any, *args: Any) -> Future:
        self.submits.append((fn.__name__, in_lane()))
        return LaneFuture(fn(*args), self.waits)


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> FakePool:
    fake = FakePool()
    monkeypatch.setattr(processes, "_executor", lambda: fake)
    monkeypatch.setattr(processes, "_graphs", {})
    monkeypatch.setattr(processes, "_dir", str(tmp_path))
    monkeypatch.setattr(processes, "_shared", {})
    return fake


def ring(n: int) -> np.ndarray:
    return np.array([(i, (i + 1) % n) for i in range(n)], dtype=np.int64)


def test_the_hand_over_holds_the_lane_and_the_wait_leaves_it(pool: FakePool) -> None:
    with CPU_LANE.held(0):
        total = processes.betweenness(ring(12), 12, [[0, 1, 2], [3, 4]])
        assert in_lane()  # back in the lane for the sum and what follows
    assert [s for s in pool.submits] == [("_worker_betweenness", True)] * 2
    assert pool.waits == [False, False]
    import igraph as ig

    expected = np.asarray(ig.Graph(n=12, edges=ring(12).tolist()).betweenness(directed=False, sources=[0, 1, 2, 3, 4]))
    assert np.allclose(total, expected)
