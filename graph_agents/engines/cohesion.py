"""Cohesion and structure on the local engine: k-core, triangles, clustering, articulation points
and bridges, all on the simple undirected graph (parallel edges collapsed, self loops dropped).

* ``k_core``: the core number of each vertex (igraph ``coreness``), as ``networkx.core_number``.
* ``clustering_coefficient``: the share of a vertex's neighbour pairs that are linked (igraph
  ``transitivity_local_undirected``, 0 below degree 2), as ``networkx.clustering``.
* ``triangle_count``: triangles at each vertex, ``clustering * d (d - 1) / 2`` rounded (exact:
  igraph counts triangles to compute the coefficient; the product stays far inside a double's
  integers), as ``networkx.triangles``.
* ``articulation_points``: a vertex whose removal splits its connected component. Its value is
  how many vertices it cuts off: the vertices no longer joined to the largest remaining piece;
  0 for vertices that are not articulation points.
* ``bridges``: an edge whose removal splits its component. Each endpoint's value is the list of
  its bridges, ``{"to": other endpoint, "cut_off": vertices on the smaller side}``, largest
  first; an empty list for vertices without a bridge.

Both cut measures come from one block-cut tree (igraph ``biconnected_components``): blocks and
cut vertices as tree nodes, rooted at a virtual root; a subtree's weight is the number of vertices
in it, so removing a cut vertex leaves one piece per child block plus the rest of its component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from ..stores.base import VertexValues

if TYPE_CHECKING:
    from .local import _Graph


def k_core(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    return VertexValues(g.ids, scores=np.asarray(g.simple_undirected.coreness(), dtype=np.float64))


def _clustering(g: "_Graph") -> np.ndarray:
    return np.asarray(g.simple_undirected.transitivity_local_undirected(mode="zero"), dtype=np.float64)


def clustering_coefficient(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    return VertexValues(g.ids, scores=_clustering(g))


def triangle_count(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    d = np.asarray(g.simple_undirected.degree(), dtype=np.float64)
    return VertexValues(g.ids, scores=np.rint(_clustering(g) * d * (d - 1) / 2))


class _BlockCutTree:
    """The block-cut forest of the simple undirected graph, rooted at one virtual root."""

    def __init__(self, g: "_Graph") -> None:
        gu = g.simple_undirected
        cover, cuts = gu.biconnected_components(return_articulation_points=True)
        self.blocks = [list(b) for b in cover]
        self.cuts = np.asarray(sorted(cuts), dtype=np.int64)
        B, C = len(self.blocks), len(self.cuts)
        self.cut_node = np.full(g.n, -1, dtype=np.int64)  # vertex -> its tree node, for cut vertices
        self.cut_node[self.cuts] = B + np.arange(C)
        sizes = np.fromiter((len(b) for b in self.blocks), dtype=np.int64, count=B)
        members = np.fromiter((v for b in self.blocks for v in b), dtype=np.int64, count=int(sizes.sum()))
        owner = np.repeat(np.arange(B), sizes)
        is_cut = self.cut_node[members] >= 0
        weight = np.zeros(B + C + 1, dtype=np.int64)
        weight[:B] = np.bincount(owner[~is_cut], minlength=B)
        weight[B : B + C] = 1
        rows, cols = owner[is_cut], self.cut_node[members[is_cut]]
        root = B + C
        forest = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(root, root))
        _, tree_of = csgraph.connected_components(forest, directed=False)
        firsts = np.unique(tree_of[:B], return_index=True)[1]  # one block per tree hangs off the root
        T = sp.csr_array(
            (np.ones(len(rows) + len(firsts)), (np.concatenate([rows, firsts]), np.concatenate([cols, np.full(len(firsts), root)]))),
            shape=(root + 1, root + 1),
        )
        order, pred = csgraph.breadth_first_order(T, root, directed=False, return_predecessors=True)
        W = weight.copy()
        for node in order[::-1].tolist():  # children before parents
            if node != root:
                W[pred[node]] += W[node]
        comp = np.zeros(root + 1, dtype=np.int64)  # the size of each tree node's component
        for node in order.tolist():
            if node != root:
                comp[node] = W[node] if pred[node] == root else comp[pred[node]]
        self.B, self.root, self.W, self.pred, self.comp = B, root, W, pred, comp

    def cut_off_by_vertex(self, n: int) -> np.ndarray:
        """For each cut vertex, the vertices its removal separates from the largest remaining piece."""
        out = np.zeros(n)
        if not len(self.cuts):
            return out
        children = np.flatnonzero((self.pred >= 0) & (np.arange(len(self.pred)) != self.root))
        child_sum = np.zeros(len(self.W), dtype=np.int64)
        child_max = np.zeros(len(self.W), dtype=np.int64)
        np.add.at(child_sum, self.pred[children], self.W[children])
        np.maximum.at(child_max, self.pred[children], self.W[children])
        t = self.cut_node[self.cuts]
        rest = self.comp[t] - 1 - child_sum[t]  # the piece through the parent block
        out[self.cuts] = self.comp[t] - 1 - np.maximum(child_max[t], rest)
        return out

    def bridges(self) -> list[tuple[int, int, int]]:
        """(u, v, vertices on the smaller side) for every bridge: the blocks of two vertices."""
        out = []
        for b, members in enumerate(self.blocks):
            if len(members) != 2:
                continue
            u, v = members
            comp = int(self.comp[b])
            if self.pred[b] != self.root:  # below its parent cut vertex: the subtree is one side
                side = int(self.W[b])
            else:  # the top block: u's side is u alone, or u's subtree when u is a cut vertex
                side = 1 if self.cut_node[u] < 0 else int(self.W[self.cut_node[u]])
            out.append((u, v, min(side, comp - side)))
        return out


def articulation_points(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    return VertexValues(g.ids, scores=_BlockCutTree(g).cut_off_by_vertex(g.n))


def bridges(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    at: list[list[dict[str, Any]]] = [[] for _ in range(g.n)]
    ids = g.ids
    for u, v, cut in _BlockCutTree(g).bridges():
        at[u].append({"to": ids[v], "cut_off": cut})
        at[v].append({"to": ids[u], "cut_off": cut})
    for entries in at:
        entries.sort(key=lambda e: (-e["cut_off"], e["to"]))
    return VertexValues(ids, objects=at)


ALGORITHMS = {
    "k_core": k_core,
    "triangle_count": triangle_count,
    "clustering_coefficient": clustering_coefficient,
    "articulation_points": articulation_points,
    "bridges": bridges,
}
