"""Centrality on the local engine against networkx: degree, personalized PageRank, eigenvector,
HITS, closeness and harmonic."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_agents.engines import compute
from graph_agents.entities import EntityError
from graph_agents.stores.base import GraphData

from tests.test_local_engine import random_graph


def karate() -> tuple[GraphData, nx.Graph]:
    G = nx.karate_club_graph()
    return GraphData(ids=[f"p/{i}" for i in G], edges=list(G.edges())), G


def two_parts() -> tuple[GraphData, nx.Graph]:
    """Karate plus a separate path of four and an isolated vertex: closeness across components."""
    data, G = karate()
    ids = data.ids + ["p/a", "p/b", "p/c", "p/d", "p/lone"]
    edges = list(data.edges) + [(34, 35), (35, 36), (36, 37)]
    H = nx.Graph()
    H.add_nodes_from(range(len(ids)))
    H.add_edges_from(edges)
    return GraphData(ids=ids, edges=edges), H


def multi(data: GraphData) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(len(data.ids)))
    G.add_edges_from(data.edges)
    return G


def simple(data: GraphData) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(len(data.ids)))
    G.add_edges_from((u, v) for u, v in data.edges if u != v)
    return G


def by_index(values, data: GraphData) -> np.ndarray:
    return np.array([values[v] for v in data.ids])


def expected(result: dict, n: int) -> np.ndarray:
    return np.array([result[i] for i in range(n)], dtype=float)


@pytest.mark.parametrize("mode", ["all", "in", "out"])
@pytest.mark.parametrize("seed", [0, 1])
def test_degree_matches_networkx_on_a_multigraph(mode: str, seed: int) -> None:
    data = random_graph(seed)  # parallel edges and self loops count, as networkx counts them
    G = multi(data)
    theirs = {"all": G.degree, "in": G.in_degree, "out": G.out_degree}[mode]
    assert np.array_equal(by_index(compute("degree", {"mode": mode}, data), data), expected(dict(theirs()), len(data.ids)))


def test_degree_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="degree.mode"):
        compute("degree", {"mode": "sideways"}, random_graph(0))


@pytest.mark.parametrize("seed", [0, 3])
def test_personalized_pagerank_matches_networkx(seed: int) -> None:
    data = random_graph(seed)
    seeds = [data.ids[2], data.ids[7]]
    ours = by_index(compute("personalized_pagerank", {"seeds": ",".join(seeds)}, data), data)
    theirs = nx.pagerank(multi(data), alpha=0.85, personalization={2: 1, 7: 1}, tol=1e-12, max_iter=1000)
    assert np.abs(ours - expected(theirs, len(data.ids))).max() < 1e-8
    assert ours.sum() == pytest.approx(1.0)


def test_personalized_pagerank_takes_seeds_from_an_attribute() -> None:
    data = random_graph(4)
    flags = [None] * len(data.ids)
    flags[3], flags[9], flags[11] = True, "yes", 0  # truthy values seed; 0 does not
    data.attributes["flagged"] = flags
    ours = by_index(compute("personalized_pagerank", {"seed_attribute": "flagged"}, data), data)
    theirs = nx.pagerank(multi(data), personalization={3: 1, 9: 1}, tol=1e-12, max_iter=1000)
    assert np.abs(ours - expected(theirs, len(data.ids))).max() < 1e-8


def test_personalized_pagerank_says_what_is_wrong_with_its_seeds() -> None:
    data = random_graph(0)
    with pytest.raises(ValueError, match="needs seeds"):
        compute("personalized_pagerank", {}, data)
    with pytest.raises(EntityError, match="'c/nobody' names no vertex") as failed:
        compute("personalized_pagerank", {"seeds": f"{data.ids[0]}, c/nobody"}, data)
    assert [r.name for r in failed.value.resolutions] == ["c/nobody"]  # the seed that resolved is not reported
    with pytest.raises(ValueError, match="was not loaded"):
        compute("personalized_pagerank", {"seed_attribute": "missing"}, data)


def test_personalized_pagerank_seeds_by_display_name_or_key() -> None:
    """Seeds named as people name them resolve like the paths family's entities (ids, keys, names,
    case and accents aside); an ambiguous name lists its candidates and is never picked."""
    data = random_graph(0)
    names = [f"Person {i}" for i in range(len(data.ids))]
    names[3], names[7], names[8] = "Zoë Adams", "Bob Brown", "Bob Brown"
    data.attributes["name"] = names
    by_id = compute("personalized_pagerank", {"seeds": f"{data.ids[3]},{data.ids[5]}"}, data)
    key = data.ids[5].split("/", 1)[1]
    by_name = compute("personalized_pagerank", {"seeds": f"zoe adams, {key}"}, data)
    assert np.allclose(by_index(by_name, data), by_index(by_id, data))
    theirs = nx.pagerank(multi(data), personalization={3: 1, 5: 1}, tol=1e-12, max_iter=1000)
    assert np.abs(by_index(by_name, data) - expected(theirs, len(data.ids))).max() < 1e-8
    with pytest.raises(EntityError, match=f"'Bob Brown' is ambiguous: it names {'.*'.join(sorted([data.ids[7], data.ids[8]]))}"):
        compute("personalized_pagerank", {"seeds": "Bob Brown"}, data)
    with pytest.raises(EntityError, match=f"'Zoe Adam' names no vertex; the closest is {data.ids[3]}:"):
        compute("personalized_pagerank", {"seeds": "Zoe Adam"}, data)


def test_eigenvector_matches_networkx() -> None:
    data, G = karate()
    ours = by_index(compute("eigenvector", {}, data), data)
    theirs = expected(nx.eigenvector_centrality_numpy(G), len(data.ids))
    assert np.abs(ours - theirs).max() < 1e-6
    assert np.linalg.norm(ours) == pytest.approx(1.0)


def test_eigenvector_collapses_parallel_edges_and_loops() -> None:
    data = random_graph(2)
    ours = by_index(compute("eigenvector", {}, data), data)
    G = simple(data)
    giant = max(nx.connected_components(G), key=len)  # the leading eigenvector lives there
    theirs = expected(nx.eigenvector_centrality_numpy(G.subgraph(giant)) | {v: 0.0 for v in G if v not in giant}, len(data.ids))
    assert np.abs(ours - theirs).max() < 1e-6


@pytest.mark.parametrize("hubs", [False, True])
def test_hits_matches_networkx(hubs: bool) -> None:
    rng = np.random.default_rng(5)
    # a dense random digraph: a unique leading singular vector, so both answers are the same one
    edges = sorted({(int(u), int(v)) for u, v in rng.integers(0, 40, size=(400, 2)) if u != v})
    data = GraphData(ids=[f"w/{i}" for i in range(40)], edges=edges)
    G = nx.DiGraph(edges)
    h, a = nx.hits(G, max_iter=10_000, tol=1e-12)
    ours = by_index(compute("hits", {"hubs": hubs}, data), data)
    assert np.abs(ours - expected(h if hubs else a, 40)).max() < 1e-6


def test_hits_textbook_star() -> None:
    """One page links to three: it is the only hub, they are the authorities, equally."""
    data = GraphData(ids=["h", "a1", "a2", "a3"], edges=[(0, 1), (0, 2), (0, 3)])
    assert by_index(compute("hits", {}, data), data) == pytest.approx([0, 1 / 3, 1 / 3, 1 / 3], abs=1e-9)
    assert by_index(compute("hits", {"hubs": True}, data), data) == pytest.approx([1, 0, 0, 0], abs=1e-9)


@pytest.mark.parametrize("normalized", [True, False])
def test_closeness_matches_networkx_across_components(normalized: bool) -> None:
    data, G = two_parts()
    ours = by_index(compute("closeness", {"normalized": normalized}, data), data)
    theirs = expected(nx.closeness_centrality(G, wf_improved=normalized), len(data.ids))
    assert np.abs(ours - theirs).max() < 1e-12


def test_harmonic_matches_networkx() -> None:
    data, G = two_parts()
    n = len(data.ids)
    theirs = expected(nx.harmonic_centrality(G), n)
    assert np.abs(by_index(compute("harmonic", {"normalized": False}, data), data) - theirs).max() < 1e-9
    assert np.abs(by_index(compute("harmonic", {}, data), data) - theirs / (n - 1)).max() < 1e-12


@pytest.mark.parametrize("algorithm", ["closeness", "harmonic"])
def test_sampled_estimate_is_close_and_reproducible(algorithm: str) -> None:
    G = nx.barabasi_albert_graph(300, 2, seed=1)  # hubs and a long tail: scores that differ
    data = GraphData(ids=[f"s/{i}" for i in G], edges=list(G.edges()))
    exact = by_index(compute(algorithm, {}, data), data)
    estimate = by_index(compute(algorithm, {"k": 100}, data, seed=3), data)
    assert np.abs(estimate - exact).max() / exact.max() < 0.1
    assert np.corrcoef(estimate, exact)[0, 1] > 0.95
    assert np.array_equal(estimate, by_index(compute(algorithm, {"k": 100}, data, seed=3), data))
