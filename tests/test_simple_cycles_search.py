"""simple_cycles' bounded search (engines/paths.py CycleGraph) against networkx: the first
``max_cycles`` cycles in order of (length, member ids), on random multigraphs with self loops, ids
whose order differs from the vertex order, tiny row budgets (many blocks and join slices), cuts
inside a length and ``min_length`` above 2; and the search stops at the length that fills the answer."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from graph_agents.engines import compute, paths
from graph_agents.engines.local import _Graph
from graph_agents.stores.base import GraphData


def reference(data: GraphData, min_length: int, max_length: int, max_cycles: int) -> list[str]:
    G = nx.DiGraph()
    G.add_nodes_from(data.ids)
    G.add_edges_from((data.ids[u], data.ids[v]) for u, v in data.edges if u != v)
    cycles = []
    for c in nx.simple_cycles(G, length_bound=max_length):
        if len(c) >= min_length:
            i = c.index(min(c))
            cycles.append(c[i:] + c[:i])
    cycles.sort(key=lambda c: (len(c), c))
    return [" → ".join(c + c[:1]) for c in cycles[:max_cycles]]


def random_multigraph(seed: int) -> GraphData:
    r = random.Random(seed)
    n = r.randint(1, 16)
    # ids sort differently from the vertex numbers; some share a prefix so the order is by id text
    ids = [f"{r.choice('abz')}{r.randint(0, 99)}-{i}" for i in range(n)]
    edges = [(r.randrange(n), r.randrange(n)) for _ in range(r.randint(0, 3 * n + 5))]
    edges += edges[: r.randint(0, 4)]  # parallel edges
    edges += [(v, v) for v in range(0, n, 3)]  # self loops
    return GraphData(ids=ids, edges=edges)


def answer(data: GraphData, params: dict) -> tuple[list[str], dict[str, list[str]]]:
    result = compute("simple_cycles", params, data)
    lists = {v: result[v] for v in data.ids}
    found = {label for row in lists.values() for label in row}
    return sorted(found, key=lambda s: (s.count("→"), s.split(" → "))), lists


@pytest.mark.parametrize("budget", [1, 7, 1 << 21])
def test_first_cycles_match_networkx(budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_CYCLE_ROWS", budget)
    cut = 0
    for seed in range(120):
        data = random_multigraph(seed)
        r = random.Random(1000 + seed)
        lo = r.randint(2, 4)
        params = {"min_length": lo, "max_length": r.randint(lo, 7), "max_cycles": r.choice([1, 2, 5, 17, 1_000_000])}
        want = reference(data, **params)
        everything = reference(data, params["min_length"], params["max_length"], 1_000_000)
        cut += len(everything) > len(want) > 0 and len(everything[len(want) - 1].split()) == len(everything[len(want)].split())
        found, lists = answer(data, params)
        assert found == want, (seed, params)
        for v, row in lists.items():  # each member lists its cycles, in the answer's order
            assert row == [c for c in want if v in c.split(" → ")[:-1]]
    assert cut > 5  # the seeds do cut the answer inside a length


def test_parallel_edges_and_self_loops_add_no_cycle() -> None:
    data = GraphData(ids=["a", "b", "c"], edges=[(0, 1), (0, 1), (1, 0), (2, 2), (1, 1), (1, 2)])
    found, lists = answer(data, {"min_length": 2, "max_length": 3, "max_cycles": 10})
    assert found == ["a → b → a"] and lists["c"] == []


def test_only_the_strongly_connected_part_is_searched() -> None:
    # the 3-cycle b -> c -> d -> b, entered from a and left towards e: a and e lie on no cycle
    data = GraphData(ids=["a", "b", "c", "d", "e"], edges=[(0, 1), (1, 2), (2, 3), (3, 1), (3, 4), (4, 4)])
    cg = _Graph(data).cycle_graph
    assert [data.ids[v] for v in cg.vertices] == ["b", "c", "d"]
    assert len(cg.out[1]) == 3
    assert answer(data, {"min_length": 2, "max_length": 6, "max_cycles": 10})[0] == ["b → c → d → b"]


def test_search_stops_at_the_length_that_fills_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # two 2-cycles and a 3-cycle; asking for 2 cycles must not search length 3 or beyond
    data = GraphData(ids=["a", "b", "c", "d", "e"], edges=[(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 4), (4, 2)])
    searched = []
    original = paths.CycleGraph.cycles

    def spy(self: paths.CycleGraph, length: int, need: int):  # type: ignore[no-untyped-def]
        searched.append((length, need))
        return original(self, length, need)

    monkeypatch.setattr(paths.CycleGraph, "cycles", spy)
    assert answer(data, {"min_length": 2, "max_length": 6, "max_cycles": 2})[0] == ["a → b → a", "b → c → b"]
    assert searched == [(2, 2)]
    searched.clear()
    assert answer(data, {"min_length": 2, "max_length": 6, "max_cycles": 3})[0] == ["a → b → a", "b → c → b", "c → d → e → c"]
    assert searched == [(2, 3), (3, 1)]


def test_search_stops_at_the_piece_that_fills_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # a chain of 2-cycles v00 <-> v01 <-> ...: with a budget of one row per piece, asking for one
    # cycle searches out of and into the first start only
    n = 50
    ids = [f"v{i:02d}" for i in range(n)]
    edges = [(i, i + 1) for i in range(n - 1)] + [(i + 1, i) for i in range(n - 1)]
    monkeypatch.setattr(paths, "_CYCLE_ROWS", 1)
    blocks = []
    original = paths.CycleGraph.paths

    def spy(self: paths.CycleGraph, adjacency, rows, steps):  # type: ignore[no-untyped-def]
        blocks.append(rows.tolist())
        return original(self, adjacency, rows, steps)

    monkeypatch.setattr(paths.CycleGraph, "paths", spy)
    found, _ = answer(GraphData(ids=ids, edges=edges), {"min_length": 2, "max_length": 2, "max_cycles": 1})
    assert found == ["v00 → v01 → v00"]
    assert blocks == [[[0]], [[0]]]  # out of and into the first start only


@pytest.mark.parametrize("budget", [1, 4, 30])
def test_pieces_are_the_paths_in_order_and_fit_the_budget(budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_CYCLE_ROWS", budget)
    for seed in range(40):
        cg = _Graph(random_multigraph(seed)).cycle_graph
        if not cg.k:
            continue
        starts = np.arange(cg.k, dtype=np.int64)[:, None]
        widest = int(np.diff(cg.out[0]).max())  # one row's next steps are never split further
        for steps in (1, 2, 3):
            walks = cg.walks(cg.out, steps)
            pieces = list(cg.chunks(cg.out, walks, starts, steps))
            assert all(len(piece) <= max(budget, widest) for piece in pieces)
            whole = cg.paths(cg.out, starts, steps)
            joined = np.concatenate(pieces)
            assert joined.tolist() == whole.tolist() == sorted(whole.tolist())
