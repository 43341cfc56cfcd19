"""Cohesion on the local engine against networkx and brute force: k-core, triangles,
clustering, articulation points and bridges (with how much each would cut off)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_agents.engines import compute
from graph_agents.stores.base import GraphData

from tests.test_local_engine import random_graph


def simple(data: GraphData) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(len(data.ids)))
    G.add_edges_from((u, v) for u, v in data.edges if u != v)
    return G


def values(algorithm: str, data: GraphData) -> list:
    result = compute(algorithm, {}, data)
    return [result[v] for v in data.ids]


def graphs() -> list[GraphData]:
    """Random multigraphs (loops, parallel edges, isolated vertices), sparse enough for many cut
    vertices and bridges, and the karate club."""
    G = nx.karate_club_graph()
    return [random_graph(s, n=80, m=m) for s, m in ((0, 90), (1, 120), (2, 200))] + [
        GraphData(ids=[f"k/{i}" for i in G], edges=list(G.edges()))
    ]


@pytest.mark.parametrize("data", graphs())
def test_core_triangles_clustering_match_networkx(data: GraphData) -> None:
    G = simple(data)
    n = len(data.ids)
    assert values("k_core", data) == [float(nx.core_number(G)[i]) for i in range(n)]
    assert values("triangle_count", data) == [float(nx.triangles(G)[i]) for i in range(n)]
    assert np.allclose(values("clustering_coefficient", data), [nx.clustering(G)[i] for i in range(n)], atol=1e-12)


def cut_off_when_removed(G: nx.Graph, part: set[int], removed: nx.Graph) -> int:
    """Vertices of ``part`` (less any removed vertex) not in the largest piece left."""
    pieces = [len(c) for c in nx.connected_components(removed.subgraph(part & set(removed)))]
    return len(part & set(removed)) - max(pieces, default=0)


@pytest.mark.parametrize("data", graphs())
def test_articulation_points_and_what_they_cut_off(data: GraphData) -> None:
    G = simple(data)
    component = {v: c for c in map(set, nx.connected_components(G)) for v in c}
    points = set(nx.articulation_points(G))
    assert points, "the test graphs have cut vertices"
    expected = []
    for v in range(len(data.ids)):
        if v not in points:
            expected.append(0.0)
            continue
        H = G.copy()
        H.remove_node(v)
        expected.append(float(cut_off_when_removed(G, component[v], H)))
    assert values("articulation_points", data) == expected


@pytest.mark.parametrize("data", graphs())
def test_bridges_and_what_they_cut_off(data: GraphData) -> None:
    G = simple(data)
    component = {v: c for c in map(set, nx.connected_components(G)) for v in c}
    expected: dict[int, list[dict]] = {v: [] for v in G}
    found = list(nx.bridges(G))
    assert found, "the test graphs have bridges"
    for u, v in found:
        H = G.copy()
        H.remove_edge(u, v)
        cut = cut_off_when_removed(G, component[u], H)
        expected[u].append({"to": data.ids[v], "cut_off": cut})
        expected[v].append({"to": data.ids[u], "cut_off": cut})
    for entries in expected.values():
        entries.sort(key=lambda e: (-e["cut_off"], e["to"]))
    assert values("bridges", data) == [expected[i] for i in range(len(data.ids))]


def test_textbook_path_and_star() -> None:
    """A path a-b-c-d: b and c are cut vertices, every edge a bridge; a star's centre cuts off all
    leaves but one."""
    path = GraphData(ids=["a", "b", "c", "d"], edges=[(0, 1), (1, 2), (2, 3)])
    assert values("articulation_points", path) == [0.0, 1.0, 1.0, 0.0]
    assert values("bridges", path)[1] == [{"to": "c", "cut_off": 2}, {"to": "a", "cut_off": 1}]
    star = GraphData(ids=["hub", "x", "y", "z"], edges=[(0, 1), (0, 2), (0, 3)])
    assert values("articulation_points", star) == [2.0, 0.0, 0.0, 0.0]
    triangle = GraphData(ids=["p", "q", "r"], edges=[(0, 1), (1, 2), (2, 0)])
    assert values("articulation_points", triangle) == [0.0, 0.0, 0.0]
    assert values("bridges", triangle) == [[], [], []]
    assert values("triangle_count", triangle) == [1.0, 1.0, 1.0]
    assert values("k_core", triangle) == [2.0, 2.0, 2.0]
