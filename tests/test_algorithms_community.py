"""Louvain and Leiden on the local engine: textbook partitions and networkx's modularity."""

from __future__ import annotations

import networkx as nx
import pytest
from networkx.algorithms.community import louvain_communities, modularity

from graph_agents.engines import compute
from graph_agents.stores.base import GraphData

from tests.test_local_engine import random_graph


def as_graph(G: nx.Graph, prefix: str = "m") -> GraphData:
    return GraphData(ids=[f"{prefix}/{i}" for i in G], edges=list(G.edges()))


def communities(values, data: GraphData) -> list[set[int]]:
    index = data.index
    groups: dict[str, set[int]] = {}
    for vid, label in values.items():
        groups.setdefault(label, set()).add(index[vid])
    return list(groups.values())


@pytest.mark.parametrize("algorithm", ["louvain", "leiden"])
def test_two_cliques_joined_by_one_edge_are_two_communities(algorithm: str) -> None:
    G = nx.barbell_graph(6, 0)  # two 6-cliques and the edge between them
    data = as_graph(G)
    found = sorted(map(sorted, communities(compute(algorithm, {}, data), data)))
    assert found == [list(range(6)), list(range(6, 12))]
    # each community is labelled by its smallest vertex id (string order), as components are
    assert set(compute(algorithm, {}, data).values()) == {"m/0", "m/10"}


@pytest.mark.parametrize("algorithm", ["louvain", "leiden"])
def test_karate_modularity_matches_networkx_louvain(algorithm: str) -> None:
    G = nx.karate_club_graph()
    G = nx.Graph(G.edges())  # unweighted: the catalog's algorithms ignore edge weights
    data = as_graph(G)
    ours = modularity(G, communities(compute(algorithm, {}, data), data))
    theirs = max(modularity(G, louvain_communities(G, seed=s)) for s in range(5))
    assert ours >= theirs - 0.01
    assert ours > 0.41  # the optimum for the karate club is 0.4198


def test_leiden_communities_are_connected() -> None:
    data = random_graph(7, n=200, m=500)
    G = nx.Graph()
    G.add_nodes_from(range(len(data.ids)))
    G.add_edges_from((u, v) for u, v in data.edges if u != v)
    for group in communities(compute("leiden", {}, data), data):
        assert nx.is_connected(G.subgraph(group))


@pytest.mark.parametrize("algorithm", ["louvain", "leiden"])
def test_resolution_controls_the_size_and_a_seed_reproduces(algorithm: str) -> None:
    data = random_graph(3, n=200, m=600)
    coarse = len(set(compute(algorithm, {"resolution": 0.2}, data).values()))
    fine = len(set(compute(algorithm, {"resolution": 5.0}, data).values()))
    assert fine > coarse
    assert list(compute(algorithm, {}, data, seed=4).values()) == list(compute(algorithm, {}, data, seed=4).values())


def test_resolution_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="louvain.resolution"):
        compute("louvain", {"resolution": 0}, random_graph(0))
