"""Betweenness' hand-over to its worker process: CPU work in the caller's lane turn, only the wait
outside it; the worker starts while a big graph loads (no processes spawned: a fake pool)."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from graph_agents.concurrency import CPU_LANE
from graph_agents.engines import local, processes
from graph_agents.engines.local import LocalEngine
from graph_agents.models import AnalysisTemplate
from graph_agents.stores.base import GraphData


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


def test_warm_up_starts_the_worker_without_waiting(pool: FakePool) -> None:
    processes.warm_up()
    assert [name for name, _ in pool.submits] == ["_worker_ready"]
    assert pool.waits == []


class Store:
    kind = "memory"

    def __init__(self, data: GraphData) -> None:
        self.data = data

    async def load_graph(self, vertex_collections: list[str], edge_collections: list[str], attributes: tuple[str, ...] = ()) -> GraphData:
        return self.data

    async def write_results(self, run_id: str, template_id: str, result_field: str, values: Any) -> str:
        return f"memory://{template_id}"


def template(algorithm: str) -> AnalysisTemplate:
    return AnalysisTemplate(id="t", use_case_id="uc", title="t", algorithm=algorithm, parameters={},
                            vertex_collections=["v"], edge_collections=["e"])


@pytest.mark.parametrize("algorithm, limit, starts", [
    ("betweenness", 10, True),     # a big graph: the worker starts while the graph loads
    ("betweenness", 10**9, False),  # a small one computes in this process
    ("pagerank", 10, False),       # no betweenness: no worker
])
def test_the_worker_starts_with_a_big_graphs_load(monkeypatch: pytest.MonkeyPatch, algorithm: str, limit: int, starts: bool) -> None:
    started: list[bool] = []
    monkeypatch.setattr(processes, "PROCESS_MIN_SIZE", limit)
    monkeypatch.setattr(processes, "warm_up", lambda: started.append(True))
    monkeypatch.setattr(local, "_subset_betweenness", lambda g, sources, sampled, normalized: np.zeros(g.n))
    data = GraphData(ids=[f"v/{i}" for i in range(8)], edges=ring(8).tolist())
    outcome = asyncio.run(LocalEngine().run(template(algorithm), Store(data), "r"))
    assert outcome.result_count == 8
    assert started == ([True] if starts else [])
