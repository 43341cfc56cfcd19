"""Similarity on the local engine: Jaccard similarity of neighbour sets (as Neo4j GDS
``nodeSimilarity``), on the simple undirected graph.

``J(u, v) = |N(u) ∩ N(v)| / |N(u) ∪ N(v)|``. Intersections come from sparse products ``A[rows] @
A``, a block of rows at a time so memory stays bounded (``_BLOCK_WORK`` bounds the product's
work per block); only pairs sharing a neighbour are ever formed. The adjacency matrix is the
graph's own, built once (``_Graph.symmetric_adjacency``).

* ``node_similarity``: for every vertex of degree >= ``degree_cutoff``, its ``top_k`` most
  similar others with J >= ``similarity_cutoff``; each pair once, labelled ``a ~ b (J)`` (J to 4 significant digits) with
  ``a < b``, the ``top_n`` best pairs overall (0: all). Each vertex's value is the list of the
  pairs it is in.
* ``similar_to``: J of every vertex with the named ``target`` (resolved as paths resolve names);
  the target itself scores 0 so it never ranks as its own look-alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from ..stores.base import VertexValues
from .paths import resolver

if TYPE_CHECKING:
    from .local import _Graph

# bound on the nonzeros a block's product may touch (sum over its rows of their neighbours' degrees)
_BLOCK_WORK = 20_000_000


def similar_to(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    if not p["target"]:
        raise ValueError("similar_to needs a target")
    t = resolver(g, p).index(p["target"])
    A = g.symmetric_adjacency
    deg = np.asarray(A.sum(axis=1)).ravel()
    inter = (A[[t]] @ A).toarray().ravel()
    union = deg + deg[t] - inter
    scores = np.divide(inter, union, out=np.zeros(g.n), where=union > 0)
    scores[t] = 0.0
    return VertexValues(g.ids, scores=scores)


def node_similarity(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    A = g.symmetric_adjacency
    deg = np.asarray(A.sum(axis=1)).ravel()
    k, cutoff = p["top_k"], p["similarity_cutoff"]
    eligible = deg >= max(p["degree_cutoff"], 1)
    # work of row u's product: the sum of its neighbours' degrees
    work = A @ deg
    rows_u, rows_v, rows_j = [], [], []
    start = 0
    while start < g.n:
        end, acc = start, 0.0
        while end < g.n and (end == start or acc + work[end] <= _BLOCK_WORK):
            acc += work[end]
            end += 1
        block = np.arange(start, end)
        block = block[eligible[block]]
        start = end
        if not len(block):
            continue
        S = sp.coo_array(A[block] @ A)
        u, v, inter = block[S.row], S.col, S.data
        keep = (u != v) & eligible[v]
        u, v, inter = u[keep], v[keep], inter[keep]
        j = inter / (deg[u] + deg[v] - inter)
        keep = j >= cutoff
        u, v, j = u[keep], v[keep], j[keep]
        # the top_k of each row: sort by row, then similarity descending, then neighbour id
        order = np.lexsort((v, -j, u))
        u, v, j = u[order], v[order], j[order]
        first = np.r_[0, np.flatnonzero(np.diff(u)) + 1] if len(u) else np.zeros(0, dtype=np.int64)
        rank = np.arange(len(u)) - np.repeat(first, np.diff(np.r_[first, len(u)]))
        keep = rank < k
        rows_u.append(u[keep])
        rows_v.append(v[keep])
        rows_j.append(j[keep])
    u = np.concatenate(rows_u) if rows_u else np.zeros(0, dtype=np.int64)
    v = np.concatenate(rows_v) if rows_v else np.zeros(0, dtype=np.int64)
    j = np.concatenate(rows_j) if rows_j else np.zeros(0)
    ids = g.ids
    pairs: dict[tuple[int, int], float] = {}
    for a, b, s in zip(u.tolist(), v.tolist(), j.tolist()):
        key = (a, b) if ids[a] < ids[b] else (b, a)
        pairs[key] = s
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], ids[kv[0][0]], ids[kv[0][1]]))
    if p["top_n"]:
        ranked = ranked[: p["top_n"]]
    at: list[list[str]] = [[] for _ in range(g.n)]
    for (a, b), s in ranked:
        label = f"{ids[a]} ~ {ids[b]} ({s:.4g})"
        at[a].append(label)
        at[b].append(label)
    return VertexValues(ids, objects=at)


ALGORITHMS = {"node_similarity": node_similarity, "similar_to": similar_to}
