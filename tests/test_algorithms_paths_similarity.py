"""Paths and similarity on the local engine against networkx: shortest path(s), k-hop
neighbourhoods, bounded simple cycles, Jaccard node similarity and similar-to; names resolved
through graph_agents.entities."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from graph_agents.engines import compute
from graph_agents.entities import EntityError
from graph_agents.stores.base import GraphData

from tests.test_local_engine import random_graph


def undirected(data: GraphData) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(data.ids)
    G.add_edges_from((data.ids[u], data.ids[v]) for u, v in data.edges if u != v)
    return G


def directed(data: GraphData) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(data.ids)
    G.add_edges_from((data.ids[u], data.ids[v]) for u, v in data.edges if u != v)
    return G


def reachable_pair(G: nx.Graph, seed: int) -> tuple[str, str]:
    comp = sorted(max(nx.connected_components(G), key=len))
    rng = np.random.default_rng(seed)
    a, b = rng.choice(len(comp), size=2, replace=False)
    return comp[a], comp[b]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shortest_path_is_a_shortest_path(seed: int) -> None:
    data = random_graph(seed)
    G = undirected(data)
    s, t = reachable_pair(G, seed)
    result = compute("shortest_path", {"source": s, "target": t}, data)
    (label,) = {result[v] for v in data.ids if result[v] is not None}
    path = label.split(" → ")
    assert path[0] == s and path[-1] == t
    assert len(path) - 1 == nx.shortest_path_length(G, s, t)
    assert all(G.has_edge(a, b) for a, b in itertools.pairwise(path))
    assert {v for v in data.ids if result[v] is not None} == set(path)


@pytest.mark.parametrize("seed", [0, 1])
def test_all_shortest_paths_match_networkx(seed: int) -> None:
    data = random_graph(seed)
    G = undirected(data)
    s, t = reachable_pair(G, seed + 10)
    result = compute("all_shortest_paths", {"source": s, "target": t}, data)
    found = {label for v in data.ids for label in result[v]}
    assert found == {" → ".join(p) for p in nx.all_shortest_paths(G, s, t)}


def test_directed_shortest_path_follows_direction_and_no_path_is_an_error() -> None:
    data = GraphData(ids=["a", "b", "c"], edges=[(0, 1), (2, 1)])
    assert compute("shortest_path", {"source": "a", "target": "c"}, data)["b"] == "a → b → c"
    with pytest.raises(ValueError, match="no path from a to c"):
        compute("shortest_path", {"source": "a", "target": "c", "directed": True}, data)


@pytest.mark.parametrize("seed,k,is_directed", [(0, 1, False), (1, 2, False), (2, 3, True)])
def test_k_hop_matches_networkx_distances(seed: int, k: int, is_directed: bool) -> None:
    data = random_graph(seed)
    G = directed(data) if is_directed else undirected(data)
    seeds = [data.ids[0], data.ids[7]]
    result = compute("k_hop", {"seeds": ",".join(seeds), "k": k, "directed": is_directed}, data)
    dist = nx.multi_source_dijkstra_path_length(G, seeds, cutoff=k)
    names = {0: "seed", 1: "1 hop"} | {d: f"{d} hops" for d in range(2, k + 1)}
    assert {v: result[v] for v in data.ids if result[v] is not None} == {v: names[d] for v, d in dist.items()}


def test_k_hop_seeds_from_a_flag_attribute() -> None:
    data = GraphData(ids=["a", "b", "c", "d"], edges=[(0, 1), (1, 2), (2, 3)], attributes={"flagged": [False, False, False, True]})
    result = compute("k_hop", {"seed_attribute": "flagged", "k": 1}, data)
    assert [result[v] for v in data.ids] == [None, None, "1 hop", "seed"]
    with pytest.raises(ValueError, match="k_hop needs seeds"):
        compute("k_hop", {}, data)


@pytest.mark.parametrize("seed", [0, 3])
def test_simple_cycles_match_networkx(seed: int) -> None:
    data = random_graph(seed, n=30, m=60)
    G = directed(data)
    result = compute("simple_cycles", {"max_length": 5, "max_cycles": 1_000_000}, data)
    found = {label for v in data.ids for label in result[v]}

    def canonical(c: list[str]) -> str:
        i = c.index(min(c))
        c = c[i:] + c[:i]
        return " → ".join(c + c[:1])

    assert found == {canonical(c) for c in nx.simple_cycles(G, length_bound=5)}
    for label in found:  # each member carries its cycles
        for v in label.split(" → "):
            assert label in result[v]


def test_simple_cycles_count_bound_keeps_the_shortest() -> None:
    # a 2-cycle a<->b and a 3-cycle c->d->e->c
    data = GraphData(ids=["a", "b", "c", "d", "e"], edges=[(0, 1), (1, 0), (2, 3), (3, 4), (4, 2)])
    result = compute("simple_cycles", {"max_cycles": 1}, data)
    assert result["a"] == ["a → b → a"] and result["c"] == []
    with pytest.raises(ValueError, match="min_length 4 is above max_length 3"):
        compute("simple_cycles", {"min_length": 4, "max_length": 3}, data)


def jaccard_all(G: nx.Graph) -> dict[tuple[str, str], float]:
    # every pair, linked or not (networkx's default pairs are the non-edges only)
    pairs = list(itertools.combinations(sorted(G), 2))
    return {(u, v): j for u, v, j in nx.jaccard_coefficient(G, pairs) if j > 0}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_node_similarity_pairs_match_networkx_jaccard(seed: int) -> None:
    data = random_graph(seed)
    G = undirected(data)
    result = compute("node_similarity", {"top_k": 100, "top_n": 0, "similarity_cutoff": 0.0}, data)
    pairs = {}
    for v in data.ids:
        for label in result[v]:
            ab, j = label.rsplit(" (", 1)
            a, b = ab.split(" ~ ")
            pairs[(a, b)] = float(j.rstrip(")"))
    expected = jaccard_all(G)
    assert set(pairs) == set(expected)
    assert all(pairs[k] == pytest.approx(expected[k], rel=1e-3) for k in pairs)


def test_node_similarity_top_k_keeps_each_vertex_best() -> None:
    data = random_graph(4)
    G = undirected(data)
    result = compute("node_similarity", {"top_k": 1, "top_n": 0, "similarity_cutoff": 0.0}, data)
    expected = jaccard_all(G)
    for v in data.ids:
        mine = [j for (a, b), j in expected.items() if v in (a, b)]
        if mine:  # v's best partner is among the pairs reported
            best = max(mine)
            got = [float(lab.rsplit(" (", 1)[1].rstrip(")")) for lab in result[v]]
            assert got and max(got) == pytest.approx(best, rel=1e-3)


def test_similar_to_matches_networkx_jaccard() -> None:
    data = random_graph(5)
    G = undirected(data)
    target = data.ids[3]
    result = compute("similar_to", {"target": target}, data)
    expected = {v: j for _, v, j in nx.jaccard_coefficient(G, [(target, v) for v in data.ids if v != target])}
    assert result[target] == 0.0
    assert all(result[v] == pytest.approx(j) for v, j in expected.items())


def test_names_resolve_through_display_names_and_unresolved_names_fail_clearly() -> None:
    data = GraphData(ids=["people/1", "people/2", "people/3"], edges=[(0, 1), (1, 2)],
                     attributes={"name": ["Zoë Adams", "Bob Brown", "Bob Brown"]})
    result = compute("shortest_path", {"source": "zoe adams", "target": "3"}, data)
    assert result["people/2"] == "people/1 → people/2 → people/3"
    with pytest.raises(EntityError, match="ambiguous: it names people/2, people/3"):
        compute("similar_to", {"target": "Bob Brown"}, data)
    with pytest.raises(EntityError, match="'Zoe Adam' names no vertex; the closest is people/1"):
        compute("k_hop", {"seeds": "Zoe Adam"}, data)
    with pytest.raises(EntityError) as both:  # every name that fails is said, not only the first
        compute("shortest_path", {"source": "Zoe Adam", "target": "Bob Brown"}, data)
    assert [(r.name, r.status) for r in both.value.resolutions] == [("Zoe Adam", "unresolved"), ("Bob Brown", "ambiguous")]


def test_the_bench_split_of_the_paths_and_similarity_asks_is_understood() -> None:
    from bench import understanding  # bench/ is a namespace package at the repository root

    out = understanding.run("algorithms-18c")
    assert out["asks"] >= 15
    assert out["top1_accuracy"] >= 0.9 and out["phantoms"] == 0, understanding.run("algorithms-18c", True)["misses"]
