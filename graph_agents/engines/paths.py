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
* ``simple_cycles``: cycles of the directed graph (every edge a payment, say; parallel edges and
  self loops add none) of ``min_length``..``max_length`` vertices, the first ``max_cycles`` in
  order of (length, members). Each member's value is the list of its cycles, each labelled by its
  members ``a → b → c → a``. The search (:class:`CycleGraph`) keeps only the strongly connected
  components of two or more vertices, goes length by length and, within a length, by ascending
  smallest member, and stops once ``max_cycles`` are found: both bounds bound the work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import igraph as ig
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

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


_CYCLE_ROWS = 1 << 21  # paths held at once by the cycle search (rows of a few int64): bounds its memory


class CycleGraph:
    """The vertices that can lie on a cycle and the edges between them, renumbered in id order.

    Only a strongly connected component of two or more vertices holds cycles, and only through its
    own edges, so the rest is dropped. Numbering by id rank makes a cycle's canonical form (start
    at its smallest id) and the answer's order (length, member ids) plain integer comparisons."""

    def __init__(self, g: "_Graph") -> None:
        e = g.edges[g.edges[:, 0] != g.edges[:, 1]]  # a self loop is no cycle of 2 or more
        simple = sp.csr_array((np.ones(len(e), dtype=np.float32), (e[:, 0], e[:, 1])), shape=(g.n, g.n))
        simple.sum_duplicates()  # parallel edges give the same cycles
        _, scc = connected_components(simple, directed=True, connection="strong")
        coo = simple.tocoo()
        src, dst = coo.row.astype(np.int64), coo.col.astype(np.int64)
        inside = scc[src] == scc[dst]
        src, dst = src[inside], dst[inside]
        order, _ = g.id_order
        on = np.zeros(g.n, dtype=bool)
        on[src] = True
        self.vertices = order[on[order]]  # compact number -> vertex, ascending id
        compact = np.full(g.n, -1, dtype=np.int64)
        compact[self.vertices] = np.arange(len(self.vertices))
        self.k = len(self.vertices)
        self.out = self._csr(compact[src], compact[dst])
        self.into = self._csr(compact[dst], compact[src])

    def _csr(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((col, row))
        indptr = np.zeros(self.k + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=self.k), out=indptr[1:])
        return indptr, col[order]

    def walks(self, adjacency: tuple[np.ndarray, np.ndarray], steps: int) -> list[np.ndarray]:
        """Walks of 0..``steps`` edges from each vertex: upper bounds on the paths a search forms."""
        indptr, nbr = adjacency
        w = [np.ones(self.k)]
        for _ in range(steps):  # every vertex here has an out- and an in-edge, so walks only grow
            w.append(np.add.reduceat(w[-1][nbr], indptr[:-1]) if len(nbr) else w[-1])
        return w

    def paths(self, adjacency: tuple[np.ndarray, np.ndarray], rows: np.ndarray, steps: int) -> np.ndarray:
        """The simple paths extending each row (a path from its first vertex) by ``steps`` edges
        through vertices numbered above the first, in order: sorted rows give sorted paths."""
        indptr, nbr = adjacency
        for _ in range(steps):
            last = rows[:, -1]
            count = indptr[last + 1] - indptr[last]
            parent = np.repeat(np.arange(len(rows)), count)
            first = np.repeat(indptr[last] - np.cumsum(count) + count, count)
            step = nbr[first + np.arange(len(parent))]
            # filter before copying the rows: most steps fall below the start
            ok = step > rows[parent, 0]
            parent, step = parent[ok], step[ok]
            if rows.shape[1] > 2:
                ok = np.ones(len(step), dtype=bool)
                for j in range(1, rows.shape[1] - 1):  # the last vertex has no self loop
                    ok &= step != rows[parent, j]
                parent, step = parent[ok], step[ok]
            rows = np.concatenate([rows[parent], step[:, None]], axis=1)
        return rows

    def chunks(self, adjacency: tuple[np.ndarray, np.ndarray], walks: list[np.ndarray], rows: np.ndarray,
               steps: int) -> Iterator[np.ndarray]:
        """:meth:`paths` of sorted ``rows`` in sorted pieces of at most about ``_CYCLE_ROWS`` rows:
        consecutive rows whose walks fit, or one row's paths split by their next vertex."""
        # whole numbers, capped: the sums stay exact however many walks long searches count
        bound = np.minimum(walks[steps][rows[:, -1]], _CYCLE_ROWS + 1).astype(np.int64)
        reach = np.cumsum(bound)
        lo = 0
        while lo < len(rows):
            below = reach[lo - 1] if lo else 0
            hi = max(lo + 1, int(np.searchsorted(reach, below + _CYCLE_ROWS, side="right")))
            if hi == lo + 1 and bound[lo] > _CYCLE_ROWS and steps > 1:
                yield from self.chunks(adjacency, walks, self.paths(adjacency, rows[lo:hi], 1), steps - 1)
            else:
                yield self.paths(adjacency, rows[lo:hi], steps)
            lo = hi

    def cycles(self, length: int, need: int) -> np.ndarray:
        """The first ``need`` cycles of ``length`` vertices in (member) order, each a row starting at
        its smallest vertex.

        Meet in the middle: paths of ``length // 2`` edges out of each start, paths of the other
        half into it, joined on their shared far end. The out-paths come in sorted pieces and a
        cycle begins with its out-path, so the search stops after the piece that completes
        ``need``: every cycle of a later piece sorts after."""
        ahead, back = length // 2, length - length // 2
        w_out, w_in = self.walks(self.out, ahead), self.walks(self.into, back)
        found = np.empty((0, length), dtype=np.int64)
        for out in self.chunks(self.out, w_out, np.arange(self.k, dtype=np.int64)[:, None], ahead):
            if not len(out):
                continue
            key_out = out[:, 0] * self.k + out[:, -1]
            starts = out[np.flatnonzero(np.diff(out[:, 0], prepend=-1)), 0]  # sorted: no np.unique
            for into in self.chunks(self.into, w_in, starts[:, None], back):  # s x_{l-1} .. x_ahead
                if not len(into):
                    continue
                key_in = into[:, 0] * self.k + into[:, -1]
                by = np.argsort(key_in, kind="stable")
                into, key_in = into[by], key_in[by]
                # one search of the distinct far ends, rather than two of all the in-paths
                head = np.flatnonzero(np.diff(key_in, prepend=-1))
                at = np.minimum(np.searchsorted(key_in[head], key_out), len(head) - 1)
                hit = key_in[head[at]] == key_out
                left = head[at]
                count = np.where(hit, np.diff(head, append=len(key_in))[at], 0)
                ends = np.cumsum(count)
                done = 0
                while done < len(out):  # the joined pairs, in slices of out-paths that fit the budget
                    upto = max(done + 1, int(np.searchsorted(ends, (ends[done - 1] if done else 0) + _CYCLE_ROWS, side="right")))
                    c = count[done:upto]
                    one = np.repeat(np.arange(done, upto), c)
                    other = np.repeat(left[done:upto] - np.cumsum(c) + c, c) + np.arange(len(one))
                    rows = np.concatenate([out[one], into[other][:, back - 1:0:-1]], axis=1)
                    ok = np.ones(len(rows), dtype=bool)
                    for i in range(1, ahead):  # the halves meet only at the start and the far end
                        for j in range(ahead + 1, length):
                            ok &= rows[:, i] != rows[:, j]
                    found = np.concatenate([found, rows[ok]])
                    if len(found) > need:  # keep the memory to the answer: only the first need can stay
                        found = found[np.lexsort(found.T[::-1])][:need]
                    done = upto
            if len(found) >= need:
                break
        return found[np.lexsort(found.T[::-1])]


def simple_cycles(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    if p["min_length"] > p["max_length"]:
        raise ValueError(f"min_length {p['min_length']} is above max_length {p['max_length']}")
    cg = g.cycle_graph
    ids = g.ids
    at: list[list[str]] = [[] for _ in range(g.n)]
    left = p["max_cycles"]
    for length in range(max(p["min_length"], 2), p["max_length"] + 1):
        if left <= 0:
            break
        found = cg.vertices[cg.cycles(length, left)]
        left -= len(found)
        for c in found.tolist():
            label = PATH_ARROW.join(ids[v] for v in c + c[:1])
            for v in c:
                at[v].append(label)
    return VertexValues(ids, objects=at)


ALGORITHMS = {"shortest_path": shortest_path, "all_shortest_paths": all_shortest_paths, "k_hop": k_hop, "simple_cycles": simple_cycles}
