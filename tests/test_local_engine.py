"""The local engine: algorithms against networkx, determinism, caps, and the Engine protocol."""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

import networkx as nx
import numpy as np
import pytest

from graph_agents.engines import Engine, EngineError, EngineOutcome, LocalEngine, compute
from graph_agents.engines import local
from graph_agents.models import AnalysisTemplate
from graph_agents.stores.base import GraphData

ALGORITHMS = ["pagerank", "wcc", "scc", "label_propagation", "betweenness", "attribute_propagation"]


# ------------------------------------------------------------------------------------ helpers


def random_graph(seed: int, n: int = 60, m: int = 140) -> GraphData:
    """Directed multigraph with self loops, parallel edges, dangling and isolated vertices."""
    rng = np.random.default_rng(seed)
    active = n - 5  # the last 5 vertices are isolated
    edges = [tuple(map(int, e)) for e in rng.integers(0, active, size=(m, 2))]
    edges += edges[:6]  # parallel edges
    edges += [(int(v), int(v)) for v in rng.integers(0, active, size=4)]  # self loops
    ids = [f"c/{k}" for k in rng.permutation(10 * n)[:n]]  # ids unrelated to index order
    return GraphData(ids=ids, edges=edges)


def graph_with_cycles(seed: int) -> GraphData:
    """Random graph plus a few planted directed cycles, so SCCs are non-trivial."""
    data = random_graph(seed, m=70)
    data.edges += [(0, 1), (1, 2), (2, 0), (10, 11), (11, 10), (20, 21), (21, 22), (22, 23), (23, 20)]
    return data


GRAPHS = [random_graph(s) for s in range(3)] + [graph_with_cycles(s) for s in range(3)]


def to_nx(data: GraphData) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(data.ids)
    g.add_edges_from((data.ids[u], data.ids[v]) for u, v in data.edges)
    return g


def partition(labels: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for vid, label in labels.items():
        groups.setdefault(label, set()).add(vid)
    return {frozenset(g) for g in groups.values()}


def from_nx(g: nx.Graph | nx.DiGraph) -> GraphData:
    ids = [str(v) for v in g.nodes]
    index = {v: i for i, v in enumerate(g.nodes)}
    return GraphData(ids=ids, edges=[(index[u], index[v]) for u, v in g.edges])


def two_cliques(size: int = 6) -> GraphData:
    """Two cliques a0..a{size-1} and b0..b{size-1}, joined by the single edge a0 - b0."""
    g = nx.Graph()
    g.add_edges_from(nx.complete_graph([f"a{i}" for i in range(size)]).edges)
    g.add_edges_from(nx.complete_graph([f"b{i}" for i in range(size)]).edges)
    g.add_edge("a0", "b0")
    return from_nx(g)


def path(n: int) -> GraphData:
    return GraphData(ids=[f"v{i:02d}" for i in range(n)], edges=[(i, i + 1) for i in range(n - 1)])


# ----------------------------------------------------------------------------------- pagerank


@pytest.mark.parametrize("data", GRAPHS)
@pytest.mark.parametrize("damping", [0.85, 0.6])
def test_pagerank_matches_networkx(data: GraphData, damping: float) -> None:
    ours = compute("pagerank", {"damping_factor": damping, "maximum_supersteps": 1000}, data)
    theirs = nx.pagerank(to_nx(data), alpha=damping, tol=1e-13, max_iter=10_000)
    assert set(ours) == set(data.ids)
    assert abs(sum(ours.values()) - 1) < 1e-12
    assert max(abs(ours[v] - theirs[v]) for v in data.ids) < 1e-6


def test_pagerank_superstep_cap_is_real() -> None:
    data = GRAPHS[0]
    n, d = len(data.ids), 0.85
    one = compute("pagerank", {"maximum_supersteps": 1}, data)
    # one power iteration from the uniform vector, by hand
    out = np.zeros(n)
    for u, _ in data.edges:
        out[u] += 1
    x = np.full(n, (1 - d) / n + d * (out == 0).sum() / n / n)
    for u, v in data.edges:
        x[v] += d / n / out[u]
    x /= x.sum()
    assert max(abs(one[vid] - x[i]) for i, vid in enumerate(data.ids)) < 1e-12
    converged = compute("pagerank", {"maximum_supersteps": 1000}, data)
    assert max(abs(one[v] - converged[v]) for v in data.ids) > 1e-4


# --------------------------------------------------------------------------------- components


@pytest.mark.parametrize("data", GRAPHS)
def test_wcc_and_scc_match_networkx(data: GraphData) -> None:
    g = to_nx(data)
    for name, expected in [
        ("wcc", nx.weakly_connected_components(g)),
        ("scc", nx.strongly_connected_components(g)),
    ]:
        ours = compute(name, {}, data)
        assert partition(ours) == {frozenset(c) for c in expected}, name
        # the label is the smallest vertex id of the component
        for component in partition(ours):
            assert {ours[v] for v in component} == {min(component)}


def test_scc_follows_direction() -> None:
    data = GraphData(ids=["x", "y", "z"], edges=[(0, 1), (1, 2), (2, 1)])
    assert compute("scc", {}, data) == {"x": "x", "y": "y", "z": "y"}
    assert compute("wcc", {}, data) == {"x": "x", "y": "x", "z": "x"}


# -------------------------------------------------------------------------------- betweenness


@pytest.mark.parametrize("data", GRAPHS[:4])
@pytest.mark.parametrize("normalized", [True, False])
def test_exact_betweenness_matches_networkx(data: GraphData, normalized: bool) -> None:
    g = nx.Graph(to_nx(data).to_undirected())
    g.remove_edges_from(nx.selfloop_edges(g))
    theirs = nx.betweenness_centrality(g, normalized=normalized)
    for k in (0, len(data.ids), 10_000):  # 0 or k >= n: exact
        ours = compute("betweenness", {"k": k, "normalized": normalized}, data)
        assert max(abs(ours[v] - theirs[v]) for v in data.ids) < 1e-9


def bridge_graph(size: int = 10) -> GraphData:
    """Two cliques whose only connection is the vertex 'bridge' (linked to two of each)."""
    g = nx.Graph()
    g.add_edges_from(nx.complete_graph([f"a{i}" for i in range(size)]).edges)
    g.add_edges_from(nx.complete_graph([f"b{i}" for i in range(size)]).edges)
    g.add_edges_from([("bridge", "a0"), ("bridge", "a1"), ("bridge", "b0"), ("bridge", "b1")])
    return from_nx(g)


def test_sampled_betweenness_is_deterministic_and_finds_the_bridge() -> None:
    data = bridge_graph()
    params = {"k": 5, "normalized": True}
    for seed in range(10):
        ours = compute("betweenness", params, data, seed=seed)
        assert ours == compute("betweenness", params, data, seed=seed)
        assert max(ours, key=ours.get) == "bridge"
    assert compute("betweenness", params, data, seed=0) != compute("betweenness", params, data, seed=1)


def test_sampled_betweenness_is_unbiased() -> None:
    # the mean of the estimate over every possible sample of k sources is the exact value
    data = from_nx(nx.gnm_random_graph(9, 14, seed=1))
    graph = local._Graph(data)
    for normalized in (False, True):
        exact = compute("betweenness", {"k": 0, "normalized": normalized}, data)
        for k in (2, 3, 5):  # (k = 1 has no information about the sampled vertex itself)
            samples = list(itertools.combinations(range(9), k))
            mean = sum(local._subset_betweenness(graph, np.array(s), True, normalized) for s in samples)
            mean /= len(samples)
            assert max(abs(mean[i] - exact[v]) for i, v in enumerate(data.ids)) < 1e-9, (normalized, k)


# -------------------------------------------------------------------------- label propagation


@pytest.mark.parametrize("synchronous", [False, True])
@pytest.mark.parametrize("random_tiebreak", [False, True])
def test_label_propagation_finds_two_cliques(synchronous: bool, random_tiebreak: bool) -> None:
    data = two_cliques()
    expected = {frozenset(v for v in data.ids if v.startswith(p)) for p in "ab"}
    params = {"synchronous": synchronous, "random_tiebreak": random_tiebreak}
    found = 0
    for seed in range(20):
        ours = compute("label_propagation", params, data, seed=seed)
        assert all(label in data.ids for label in ours.values())  # labels are vertex ids
        found += partition(ours) == expected
    if synchronous or random_tiebreak:
        assert found == 20
    else:
        # sequential updates with smallest-label ties: when b0 goes first it takes "a0" (the
        # smallest of five tied labels) and the tie cascades through clique b, one order in six
        assert found >= 14


def test_label_propagation_with_random_tiebreak_recovers_planted_blocks() -> None:
    g = nx.planted_partition_graph(6, 60, 0.3, 0.004, seed=2)
    data = from_nx(g)
    truth = {frozenset(str(v) for v in block) for block in g.graph["partition"]}
    for synchronous in (False, True):
        params = {"random_tiebreak": True, "synchronous": synchronous}
        found = sum(partition(compute("label_propagation", params, data, seed=s)) == truth for s in range(20))
        assert found >= 18  # networkx's asyn_lpa_communities: 19 of these 20 seeds


def test_label_propagation_respects_the_superstep_cap() -> None:
    data = path(10)
    one = compute("label_propagation", {"synchronous": True, "maximum_supersteps": 1}, data)
    # one synchronous superstep: each vertex takes the smallest of its neighbours' labels
    assert one == {f"v{i:02d}": f"v{max(i - 1, 0) if i else 1:02d}" for i in range(10)}
    assert one != compute("label_propagation", {"synchronous": True}, data)
    data = random_graph(0, n=100, m=200)
    for seed in range(3):
        for params in ({}, {"synchronous": True}):
            capped = compute("label_propagation", {**params, "maximum_supersteps": 1}, data, seed=seed)
            assert capped != compute("label_propagation", params, data, seed=seed)


def test_label_propagation_is_deterministic_for_a_seed() -> None:
    data = random_graph(7, n=200, m=400)
    for params in ({}, {"random_tiebreak": True}, {"synchronous": True, "random_tiebreak": True}):
        a = compute("label_propagation", params, data, seed=3)
        assert a == compute("label_propagation", params, data, seed=3)
    assert compute("label_propagation", {}, data, seed=3) != compute("label_propagation", {}, data, seed=4)


def test_label_propagation_seeds_from_an_attribute() -> None:
    data = two_cliques()
    # every vertex but one per clique carries its clique's colour
    data.attributes["colour"] = [
        None if v in ("a3", "b3") else ("red" if v.startswith("a") else "blue") for v in data.ids
    ]
    ours = compute("label_propagation", {"start_label_attribute": "colour"}, data)
    assert ours == {v: "red" if v.startswith("a") else "blue" for v in data.ids}
    # _key / _id / a missing attribute: own labels
    for attribute in ("_key", "_id", "nope"):
        own = compute("label_propagation", {"start_label_attribute": attribute, "maximum_supersteps": 1,
                                            "synchronous": True}, data)
        assert set(own.values()) <= set(data.ids)


def test_label_propagation_isolated_vertices_keep_their_label() -> None:
    data = GraphData(ids=["p", "q", "r"], edges=[(0, 1)])
    ours = compute("label_propagation", {}, data)
    assert ours["r"] == "r" and ours["p"] == ours["q"]


# ----------------------------------------------------------------------- attribute propagation


def chain() -> GraphData:
    # a -> b -> c -> d, label x on a, y on d, two labels on e (isolated)
    return GraphData(
        ids=["a", "b", "c", "d", "e"],
        edges=[(0, 1), (1, 2), (2, 3)],
        attributes={"label": ["x", "", None, "y", ["p", "q"]]},
    )


def test_attribute_propagation_on_a_chain() -> None:
    data = chain()
    one = compute("attribute_propagation", {"synchronous": True, "maximum_supersteps": 1}, data)
    assert one == {"a": ["x"], "b": ["x"], "c": [], "d": ["y"], "e": ["p", "q"]}
    full = {"a": ["x"], "b": ["x"], "c": ["x"], "d": ["x", "y"], "e": ["p", "q"]}
    assert compute("attribute_propagation", {"synchronous": True}, data) == full
    for seed in range(3):
        assert compute("attribute_propagation", {}, data, seed=seed) == full
    back = compute("attribute_propagation", {"backwards": True, "synchronous": True}, data)
    assert back == {"a": ["x", "y"], "b": ["y"], "c": ["y"], "d": ["y"], "e": ["p", "q"]}


def test_attribute_propagation_without_seeds_gives_empty_lists() -> None:
    data = path(4)
    assert compute("attribute_propagation", {}, data) == {v: [] for v in data.ids}


# ------------------------------------------------------------------------------------- errors


def test_empty_graph_gives_empty_results() -> None:
    for name in ALGORITHMS:
        assert compute(name, {}, GraphData(ids=[], edges=[])) == {}


def test_unknown_algorithm_or_parameter_raises() -> None:
    with pytest.raises(ValueError, match="unknown algorithm"):
        compute("nope", {}, path(3))
    with pytest.raises(ValueError):
        compute("pagerank", {"damping_factor": 2.0}, path(3))
    with pytest.raises(ValueError, match="out of range"):
        compute("wcc", {}, GraphData(ids=["a"], edges=[(0, 1)]))


# ------------------------------------------------------------------------------------- engine


class FakeStore:
    """The two GraphStore methods the engine uses, in memory."""

    kind = "memory"

    def __init__(self, data: GraphData) -> None:
        self.data = data
        self.loads: list[tuple[list[str], list[str], tuple[str, ...]]] = []
        self.results: dict[str, dict[str, Any]] = {}

    async def load_graph(
        self, vertex_collections: list[str], edge_collections: list[str], attributes: tuple[str, ...] = ()
    ) -> GraphData:
        self.loads.append((vertex_collections, edge_collections, attributes))
        await asyncio.sleep(0.02)  # let concurrent runs pile up on the lock
        return self.data

    async def write_results(self, run_id: str, template_id: str, result_field: str, values: dict[str, Any]) -> str:
        location = f"memory://{run_id}/{template_id}/{result_field}"
        self.results[location] = dict(values)
        return location


def template(tid: str, algorithm: str, **parameters: Any) -> AnalysisTemplate:
    return AnalysisTemplate(
        id=tid, use_case_id="uc", title=tid, algorithm=algorithm, parameters=parameters,
        vertex_collections=["customers"], edge_collections=["bought"],
    )


@pytest.mark.parametrize("max_workers", [None, 2])
def test_engine_loads_once_for_concurrent_runs(max_workers: int | None) -> None:
    store = FakeStore(two_cliques())
    engine = LocalEngine(max_workers=max_workers)
    assert isinstance(engine, Engine) and engine.name == "local"
    templates = [
        template("t1", "pagerank"),
        template("t2", "wcc"),
        template("t3", "scc"),
        template("t4", "betweenness", k=3),
        template("t5", "label_propagation"),
    ]

    async def main() -> list[EngineOutcome]:
        outcomes = await asyncio.gather(*(engine.run(t, store, "run1") for t in templates))
        await engine.aclose()
        return outcomes

    outcomes = asyncio.run(main())
    assert len(store.loads) == 1 and engine.loads == 1
    assert store.loads[0] == (["customers"], ["bought"], ())
    for t, outcome in zip(templates, outcomes):
        assert outcome.result_count == len(store.data.ids) == len(outcome.values)
        assert store.results[outcome.result_location] == outcome.values
        assert outcome.values == compute(t.algorithm, t.parameters, store.data)
    assert partition(outcomes[4].values) == {
        frozenset(v for v in store.data.ids if v.startswith(p)) for p in "ab"
    }


def test_engine_loads_each_collection_set_once() -> None:
    store = FakeStore(chain())
    engine = LocalEngine()

    async def main() -> None:
        await engine.run(template("t1", "attribute_propagation"), store, "r")
        await engine.run(template("t2", "attribute_propagation", synchronous=True), store, "r")
        await engine.run(template("t3", "pagerank"), store, "r")

    asyncio.run(main())
    # the engine can be reused on another event loop
    asyncio.run(engine.run(template("t4", "wcc"), store, "r"))
    # one graph for the collection set, whatever the attributes: pagerank and wcc reuse it
    assert [load[2] for load in store.loads] == [("label",)]
    assert engine.loads == 1


def test_engine_computes_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    original = local._compute

    def spy(*args: Any) -> dict[str, Any]:
        threads.append(threading.get_ident())
        return original(*args)

    monkeypatch.setattr(local, "_compute", spy)
    asyncio.run(LocalEngine().run(template("t", "pagerank"), FakeStore(path(5)), "r"))
    assert threads and threads[0] != threading.get_ident()


def test_engine_failures_raise_engine_error() -> None:
    bad_attribute = GraphData(ids=["a", "b"], edges=[(0, 1)], attributes={"label": ["x"]})
    with pytest.raises(EngineError, match="attribute_propagation failed on template t1"):
        asyncio.run(LocalEngine().run(template("t1", "attribute_propagation"), FakeStore(bad_attribute), "r"))
    with pytest.raises(EngineError, match="damping_factor"):
        asyncio.run(LocalEngine().run(template("t2", "pagerank", damping_factor=5), FakeStore(path(3)), "r"))
    with pytest.raises(EngineError, match="unknown algorithm"):
        asyncio.run(LocalEngine().run(template("t3", "nope"), FakeStore(path(3)), "r"))
    bad_edges = GraphData(ids=["a"], edges=[(0, 3)])
    with pytest.raises(EngineError, match="out of range"):
        asyncio.run(LocalEngine().run(template("t4", "wcc"), FakeStore(bad_edges), "r"))


def test_betweenness_in_a_worker_process_matches_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph_agents.engines import processes

    data = GraphData(  # a ring with chords, parallel edges and self loops
        ids=[f"v{i:03d}" for i in range(300)],
        edges=[(i, (i * 7 + 3) % 300) for i in range(300)] + [(i, (i + 1) % 300) for i in range(300)] + [(5, 5), (1, 2)],
    )
    for params in ({"k": 0}, {"k": 40, "normalized": False}):
        here = compute("betweenness", params, data, seed=2)
        monkeypatch.setattr(processes, "PROCESS_MIN_SIZE", 1)
        there = compute("betweenness", params, data, seed=2)
        monkeypatch.setattr(processes, "PROCESS_MIN_SIZE", 10**12)
        assert there.ids == here.ids and np.allclose(there.scores, here.scores, rtol=1e-9, atol=1e-12)


def test_the_pool_names_its_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/scale.py counts the workers' CPU (read by pid) as betweenness' own."""
    import os

    from graph_agents.engines import processes

    monkeypatch.setattr(processes, "PROCESS_MIN_SIZE", 1)
    compute("betweenness", {"k": 0}, path(30))
    pids = processes.worker_pids()
    assert pids and os.getpid() not in pids
    for pid in pids:
        os.kill(pid, 0)  # alive: raises if not


class ShuffledStore(FakeStore):
    """A store that lists the vertices in another order on each load (an AQL query without SORT
    gives no order: https://docs.arangodb.com/stable/aql/high-level-operations/sort/)."""

    async def load_graph(self, vertex_collections, edge_collections, attributes=()):
        self.loads.append((vertex_collections, edge_collections, attributes))
        await asyncio.sleep(0)
        order = list(range(len(self.data.ids)))[:: 1 if len(self.loads) == 1 else -1]
        ids = [self.data.ids[i] for i in order]
        where = {v: i for i, v in enumerate(ids)}
        edges = [(where[self.data.ids[u]], where[self.data.ids[v]]) for u, v in self.data.edges]
        return GraphData(ids=ids, edges=edges,
                         attributes={a: [self.data.attributes[a][i] for i in order] for a in attributes})


def test_an_attribute_added_to_a_cached_graph_is_loaded_once_and_placed_by_vertex_id() -> None:
    ids = [f"customers/c{i}" for i in range(6)]
    data = GraphData(ids=ids, edges=[(0, 1), (1, 2), (3, 4), (4, 5)],
                     attributes={"team": ["a", "a", "a", "b", "b", "b"], "tier": ["x", "y", "z", "u", "v", "w"]})
    store = ShuffledStore(data)
    engine = LocalEngine()

    async def main() -> list[EngineOutcome]:
        await engine.run(template("t0", "pagerank"), store, "r")  # the graph, without attributes
        runs = [engine.run(template(f"t{i}", "attribute_propagation", start_label_attribute="tier"), store, "r")
                for i in range(1, 4)]
        return await asyncio.gather(*runs)

    outcomes = asyncio.run(main())
    assert [load[2] for load in store.loads] == [(), ("tier",)]  # only the missing attribute, once
    # each vertex keeps its own value, though the second load listed the vertices backwards
    assert dict(outcomes[0].values.items())["customers/c0"] == ["x"]
    assert dict(outcomes[0].values.items())["customers/c2"] == ["x", "y", "z"]
