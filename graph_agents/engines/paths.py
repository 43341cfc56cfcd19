"""Paths on the local engine: shortest path between two named entities, k-hop neighbourhoods,
bounded simple cycles with their members.

Named vertices (``source``, ``target``, ``seeds``) are resolved with :mod:`graph_agents.entities`
against the ids, keys and the ``name_attribute`` display names (the graph's name index, built once:
``_Graph.resolver``); names that resolve to no vertex or to several raise
:class:`~graph_agents.entities.EntityError` listing the candidates of each. The graphs a search
runs on are built once per graph too (``_Graph.simple_undirected``, ``simple_directed``, the
adjacency matrices), not per call.

Results are partitions, so they flow through result writing and partition reports unchanged:

* ``shortest_path``: one unweighted shortest path (igraph ``get_shortest_path``; undirected unless
  ``directed``). The vertices on it share one label, the path itself ``a → b → c``; the others
  have none. No path raises ValueError.
* ``all_shortest_paths``: every shortest path (igraph ``get_all_shortest_paths``), the first
  ``max_paths`` in id order; each vertex's value is the list of the paths it lies on.
* ``k_hop``: breadth-first from the seeds (the named ``seeds`` and the vertices whose
  ``seed_attribute`` is truthy) up to ``k`` hops; each reached vertex is labelled ``seed``,
  ``1 hop``, ``2 hops``...; the rest have none.
* ``simple_cycles``: igraph ``simple_cycles`` on the directed graph (every edge a payment, say),
  cycles of ``min_length``..``max_length`` vertices, the first ``max_cycles`` in order of
  (length, members). Each member's value is the list of its cycles, each labelled by its
  members ``a → b → c → a``. The length bound is what bounds the work: the count bound only cuts
  the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import igraph as ig
import numpy as np

from ..algorithms import PATH_ARROW
from ..entities import Resolver
from ..stores.base import VertexValues

if TYPE_CHECKING:
    from .local import _Graph


def resolver(g: "_Graph", p: dict[str, Any]) -> Resolver:
    return g.resolver(p.get("name_attribute") or "")


def _ends(g: "_Graph", p: dict[str, Any], name: str) -> tuple[int, int]:
    if not p["source"] or not p["target"]:
        raise ValueError(f"{name} needs a source and a target")
    s, t = resolver(g, p).require([p["source"], p["target"]])  # both named wrong: both said at once
    return s, t


def _path_label(g: "_Graph", path: list[int]) -> str:
    return PATH_ARROW.join(g.ids[v] for v in path)


def _reaches(graph: ig.Graph, s: int, t: int) -> bool:
    return t in graph.subcomponent(s, mode="out")


def shortest_path(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    s, t = _ends(g, p, "shortest_path")
    graph = g.igraph if p["directed"] else g.simple_undirected
    # an unreachable target would make igraph warn and return []: ask for reachability first
    path = graph.get_shortest_path(s, t, mode="out") if _reaches(graph, s, t) else []
    if not path:
        raise ValueError(f"no path from {g.ids[s]} to {g.ids[t]}")
    codes = np.full(g.n, -1, dtype=np.int64)
    codes[path] = 0
    return VertexValues(g.ids, codes=codes, labels=[_path_label(g, path)])


def all_shortest_paths(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    s, t = _ends(g, p, "all_shortest_paths")
    graph = g.igraph if p["directed"] else g.simple_undirected
    found = graph.get_all_shortest_paths(s, to=t, mode="out") if _reaches(graph, s, t) else []
    found.sort(key=lambda q: [g.ids[v] for v in q])
    if not found:
        raise ValueError(f"no path from {g.ids[s]} to {g.ids[t]}")
    at: list[list[str]] = [[] for _ in range(g.n)]
    for path in found[: p["max_paths"]]:
        label = _path_label(g, path)
        for v in path:
            at[v].append(label)
    return VertexValues(g.ids, objects=at)


def _seeds(g: "_Graph", p: dict[str, Any]) -> np.ndarray:
    chosen = resolver(g, p).indices(p["seeds"]) if p["seeds"] else []
    flags = g.attributes.get(p["seed_attribute"]) if p["seed_attribute"] else None
    if flags is not None:
        chosen += [i for i, v in enumerate(flags) if v not in (None, "", 0, False) and v == v]
    if not chosen:
        raise ValueError("k_hop needs seeds: name them in 'seeds' or mark them with 'seed_attribute'")
    return np.unique(np.asarray(chosen, dtype=np.int64))


def k_hop(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    A = g.adjacency if p["directed"] else g.symmetric_adjacency  # out-neighbours; neighbours
    hops = np.full(g.n, -1, dtype=np.int64)
    frontier = _seeds(g, p)
    hops[frontier] = 0
    for d in range(1, p["k"] + 1):
        reached = np.unique(A[frontier].indices) if len(frontier) else frontier
        frontier = reached[hops[reached] < 0]
        hops[frontier] = d
    labels = ["seed"] + [f"{d} hop" if d == 1 else f"{d} hops" for d in range(1, p["k"] + 1)]
    return VertexValues(g.ids, codes=hops, labels=labels)


def simple_cycles(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    if p["min_length"] > p["max_length"]:
        raise ValueError(f"min_length {p['min_length']} is above max_length {p['max_length']}")
    cycles = g.simple_directed.simple_cycles(mode=ig.OUT, min=p["min_length"], max=p["max_length"])
    # igraph reports each cycle once, from some vertex: start each at its smallest id, to compare
    ids = g.ids

    def canonical(c: tuple[int, ...]) -> list[int]:
        i = min(range(len(c)), key=lambda j: ids[c[j]])
        return list(c[i:] + c[:i])

    ordered = sorted((canonical(c) for c in cycles), key=lambda c: (len(c), [ids[v] for v in c]))
    at: list[list[str]] = [[] for _ in range(g.n)]
    for c in ordered[: p["max_cycles"]]:
        label = PATH_ARROW.join(ids[v] for v in c + c[:1])
        for v in c:
            at[v].append(label)
    return VertexValues(ids, objects=at)


ALGORITHMS = {"shortest_path": shortest_path, "all_shortest_paths": all_shortest_paths, "k_hop": k_hop, "simple_cycles": simple_cycles}
