"""The local engine: catalog algorithms on an in-memory graph, with igraph, numpy and scipy.

``compute`` is a pure function from (algorithm, parameters, GraphData, seed) to
``{vertex id: value}``; ``LocalEngine`` wraps it in the Engine protocol (load the graph once per
collections/attributes, run off the event loop, write the results to the store).

Semantics, with GAE's parameter names (see ``graph_agents.algorithms``):

* ``pagerank`` and the other centralities: :mod:`graph_agents.engines.centrality`; Louvain and
  Leiden: :mod:`~graph_agents.engines.community`; k-core, triangles, clustering, articulation
  points and bridges: :mod:`~graph_agents.engines.cohesion`; shortest path, k-hop and simple
  cycles: :mod:`~graph_agents.engines.paths`; node similarity and similar-to:
  :mod:`~graph_agents.engines.similarity`.
* ``wcc`` / ``scc``: weakly / strongly connected components (scipy.sparse.csgraph). Each vertex's value is the
  smallest vertex id (string order) of its component.
* ``label_propagation``: communities on the undirected graph (parallel edges weigh once each, self
  loops ignored). Every vertex starts with the value of ``start_label_attribute``; when that is
  ``_key``/``_id``, missing, or empty for a vertex, with its own vertex id. In a superstep a vertex
  takes the label most frequent among its neighbours; it keeps its current label when that is
  among the most frequent (as networkx does, so the process settles), otherwise ties go to the
  smallest label, or with ``random_tiebreak`` to a random one: asynchronously, an independent
  choice per vertex (as networkx's asyn_lpa); synchronously, the first label in a random order
  of all labels drawn afresh each superstep and shared by all vertices (independent coin flips
  make synchronous LPA split even a clique into halves that swap labels forever; a shared order
  coordinates the vertices as the smallest-label rule does). ``synchronous``: every vertex
  updates from the labels of the previous superstep (can oscillate on bipartite parts until the
  cap). Asynchronous: each superstep visits the vertices in a fresh random order, in
  ``ASYNC_BATCHES`` batches (one vertex per batch on graphs of at most that many vertices, i.e.
  truly sequential), each batch seeing the labels written by the batches before it. Stops when
  no label changes or after ``maximum_supersteps``. Value: the label (a string).
* ``betweenness``: undirected, on the simple graph (parallel edges collapsed, self loops dropped),
  igraph's subset betweenness. ``k`` = 0 or >= n is exact; otherwise ``k`` sources are sampled
  without replacement from ``seed`` and the estimate is scaled like networkx >= 3.5 does
  (unbiased for k >= 2): by ``(n-1)/k`` for vertices not sampled, ``(n-1)/(k-1)`` for sampled ones (a
  source never lies inside its own paths). ``normalized`` divides by ``(n-1)(n-2)/2``.
* ``attribute_propagation``: the labels of a vertex are the non-empty values of
  ``start_label_attribute`` (a list gives several labels; values are turned into strings). In a
  superstep every vertex adds to its set the labels of its in-neighbours (out-neighbours with
  ``backwards``): forwards, labels travel along edge direction. ``synchronous``: labels move one
  hop per superstep; asynchronous: vertices are visited in random batches as in label
  propagation, so a label can move several hops in one superstep. Stops when nothing changes or
  after ``maximum_supersteps``. Value: the sorted list of labels that reached the vertex,
  including its own; an empty list if none.

Threads: every algorithm runs in the CPU lane (:class:`graph_agents.concurrency.CpuLane`), one
at a time, betweenness first (it hands big graphs to a worker process, :mod:`.processes`, and
leaves the lane while the worker computes), long iterative jobs last. Threads sharing the
interpreter lock finish no sooner together than in turn, and each waits for the others' CPU; in
the lane a job runs at full speed once it starts. On small graphs betweenness runs here in
batches of bounded work.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import igraph as ig
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .. import algorithms
from ..concurrency import CPU_LANE, Once
from ..entities import Resolver
from ..models import AnalysisTemplate
from ..stores.base import GraphData, GraphStore, VertexValues
from . import centrality, cohesion, community, paths, processes, similarity
from .base import EngineError, EngineOutcome, checked

# attributes that mean "each vertex starts with its own label"
OWN_LABEL_ATTRIBUTES = ("_key", "_id")
# asynchronous supersteps update the vertices in this many random batches
ASYNC_BATCHES = 64
# bound on (sources x (n + m)) per igraph betweenness call: igraph holds the GIL during a call,
# and each call also pays an O(n + m) setup (~0.17 s at 200k vertices / 2M edges), so batches of
# about 8 sources on such a graph keep the overhead near 15% and the GIL holds near 1 s
_BETWEENNESS_WORK_PER_CALL = 20_000_000


class _Graph:
    """A GraphData with the derived structures the algorithms need, built lazily and kept.

    The GraphData must not be mutated while a _Graph built from it is in use.
    """

    def __init__(self, data: GraphData) -> None:
        self.data = data
        self.ids: list[str] = data.ids
        self.n = len(self.ids)
        self.edges = _edge_array(data.edges, self.n)
        self.attributes: dict[str, list[Any]] = dict(data.attributes)  # grows as analyses ask for more
        self.m = len(self.edges)
        self._lock = threading.RLock()  # builders use one another
        self._memo: dict[str, Any] = {}

    def _get(self, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._memo:
                self._memo[key] = build()
            return self._memo[key]

    @property
    def igraph(self) -> ig.Graph:
        """The directed multigraph, as given."""

        def build() -> ig.Graph:
            g = ig.Graph(n=self.n, directed=True)
            g.add_edges(self.edges)  # as fast as from a list of tuples, without building one
            return g

        return self._get("igraph", build)

    @property
    def adjacency(self) -> sp.csr_array:
        """The directed adjacency matrix, ``A[u, v]`` = number of edges u -> v (scipy; builds in a
        twentieth of igraph's time at 1M edges)."""

        def build() -> sp.csr_array:
            src, dst = self.edges[:, 0], self.edges[:, 1]
            return sp.csr_array((np.ones(self.m), (src, dst)), shape=(self.n, self.n))

        return self._get("adjacency", build)

    @property
    def simple_undirected(self) -> ig.Graph:
        def build() -> ig.Graph:
            g = self.igraph.as_undirected(mode="collapse")
            g.simplify(multiple=True, loops=True)
            return g

        return self._get("simple_undirected", build)

    @property
    def simple_edges(self) -> np.ndarray:
        """The undirected simple graph's edges, (low, high) pairs once each, no self loops (numpy)."""

        def build() -> np.ndarray:
            e = self.edges[self.edges[:, 0] != self.edges[:, 1]]
            # a sparse matrix merges the duplicates: 0.06 s at 1M edges, np.unique took 1.7 s
            upper = sp.csr_array((np.ones(len(e), dtype=np.float32), (np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1]))),
                                 shape=(self.n, self.n))
            upper.sum_duplicates()
            pairs = upper.tocoo()
            return np.stack([pairs.row.astype(np.int64), pairs.col.astype(np.int64)], axis=1)

        return self._get("simple_edges", build)

    @property
    def neighbours(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Undirected adjacency without self loops, parallel edges kept: (indptr, nbr, row)."""

        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            e = self.edges[self.edges[:, 0] != self.edges[:, 1]]
            row = np.concatenate([e[:, 0], e[:, 1]])
            nbr = np.concatenate([e[:, 1], e[:, 0]])
            order = np.argsort(row, kind="stable")
            row, nbr = row[order], nbr[order]
            indptr = np.zeros(self.n + 1, dtype=np.int64)
            np.cumsum(np.bincount(row, minlength=self.n), out=indptr[1:])
            return indptr, nbr, row

        return self._get("neighbours", build)

    @property
    def simple_directed(self) -> ig.Graph:
        """The directed graph without parallel edges or self loops (igraph)."""

        def build() -> ig.Graph:
            g = self.igraph.copy()
            g.simplify(multiple=True, loops=True)
            return g

        return self._get("simple_directed", build)

    @property
    def cycle_graph(self) -> "paths.CycleGraph":
        """The vertices and edges that can lie on a cycle, numbered in id order (simple cycles)."""
        return self._get("cycle_graph", lambda: paths.CycleGraph(self))

    @property
    def symmetric_adjacency(self) -> sp.csr_array:
        """The simple undirected graph's adjacency, both directions, ones (scipy): neighbour sets."""

        def build() -> sp.csr_array:
            e = self.simple_edges
            e = np.concatenate([e, e[:, ::-1]])
            return sp.csr_array((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(self.n, self.n))

        return self._get("symmetric_adjacency", build)

    @property
    def transition(self) -> tuple[sp.csr_array, np.ndarray]:
        """PageRank's column-stochastic matrix ``M[j, i]`` = (edges i -> j) / outdeg(i), and the
        dangling vertices (no out-edge) as a mask."""

        def build() -> tuple[sp.csr_array, np.ndarray]:
            src, dst = self.edges[:, 0], self.edges[:, 1]
            outdeg = np.bincount(src, minlength=self.n).astype(np.float64)
            return sp.csr_array((1.0 / outdeg[src], (dst, src)), shape=(self.n, self.n)), outdeg == 0

        return self._get("transition", build)

    def resolver(self, name_attribute: str) -> Resolver:
        """The name index of the vertices (ids, keys and the ``name_attribute`` display names):
        built once per attribute. Until the attribute is loaded the index has ids and keys only,
        and is kept under another key, so the index with names is built when they arrive."""
        names = self.attributes.get(name_attribute or "")
        if names is None or len(names) != self.n:
            return self._get("resolver", lambda: Resolver(self.ids))
        return self._get(f"resolver:{name_attribute}", lambda: Resolver(self.ids, names))

    @property
    def id_order(self) -> tuple[np.ndarray, np.ndarray]:
        """(order, rank): vertex indices sorted by id, and each vertex's position in that order."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            import polars as pl  # sorts a million strings in parallel, 10x faster than sorted()

            order = pl.Series(self.ids, dtype=pl.String).arg_sort().to_numpy().astype(np.int64)
            rank = np.empty(self.n, dtype=np.int64)
            rank[order] = np.arange(self.n)
            return order, rank

        return self._get("id_order", build)


def _edge_array(edges: Any, n: int) -> np.ndarray:
    if isinstance(edges, np.ndarray):
        arr = edges.astype(np.int64, copy=False).reshape(-1, 2)
    elif len(edges) == 0:
        arr = np.empty((0, 2), dtype=np.int64)
    else:
        flat = itertools.chain.from_iterable(edges)
        arr = np.fromiter(flat, dtype=np.int64, count=2 * len(edges)).reshape(-1, 2)
    arr = np.ascontiguousarray(arr)
    if len(arr) and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"edge endpoint out of range: the graph has {n} vertices")
    return arr


# ---------------------------------------------------------------------------------- algorithms


def compute(algorithm: str, params: dict[str, Any], data: GraphData, seed: int = 0) -> VertexValues:
    """Run the catalog algorithm ``algorithm`` on ``data``; return ``{vertex id: value}`` as arrays.

    ``params`` are overlaid on the catalog defaults (unknown names or bad values raise
    ValueError, as does an unknown algorithm). ``seed`` drives every random choice.
    """
    return _compute(algorithm, params, _Graph(data), seed)


def _compute(algorithm: str, params: dict[str, Any], graph: _Graph, seed: int) -> VertexValues:
    algo = algorithms.get(algorithm)
    params = algo.validate_params(params)
    if algo.name not in _ALGORITHMS:
        raise ValueError(f"the local engine does not implement {algo.name!r}")
    if graph.n == 0:
        return VertexValues([], scores=np.zeros(0))
    rng = np.random.default_rng(seed)
    priority = _LANE_PRIORITY.get(algo.name, 1)
    if algo.name == "betweenness" and graph.n + graph.m >= processes.PROCESS_MIN_SIZE:
        priority = 0  # it hands the work to a worker process: start that first
    with CPU_LANE.held(priority):
        return _ALGORITHMS[algo.name](graph, params, rng)


def _components(mode: str) -> Callable[..., VertexValues]:
    def run(g: _Graph, p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
        _, membership = connected_components(g.adjacency, directed=True, connection=mode)
        membership = membership.astype(np.int64)
        return _label_by_smallest_id(g, membership)

    return run


def _label_by_smallest_id(g: _Graph, membership: np.ndarray) -> VertexValues:
    order, rank = g.id_order
    smallest = np.full(membership.max() + 1, g.n, dtype=np.int64)
    np.minimum.at(smallest, membership, rank)
    reps = order[smallest]  # the representative vertex of each component
    ids = g.ids
    return VertexValues(ids, codes=membership, labels=[ids[r] for r in reps.tolist()])


def _betweenness(g: _Graph, p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    n, k = g.n, p["k"]
    sampled = 0 < k < n
    sources = np.sort(rng.choice(n, size=k, replace=False)) if sampled else np.arange(n)
    return VertexValues(g.ids, scores=_subset_betweenness(g, sources, sampled, p["normalized"]))


def _subset_betweenness(g: _Graph, sources: np.ndarray, sampled: bool, normalized: bool) -> np.ndarray:
    """Betweenness from shortest paths starting at ``sources``; scaled up when ``sampled``."""
    n, k = g.n, len(sources)
    if n + g.m >= processes.PROCESS_MIN_SIZE:  # a big graph: in a worker process, off this GIL
        edges = g.simple_edges
        per_call = max(1, _BETWEENNESS_WORK_PER_CALL // (n + len(edges)))
        batches = [sources[i : i + per_call].tolist() for i in range(0, k, per_call)]
        acc = processes.betweenness(edges, n, batches)  # steps out of the CPU lane while the worker computes
    else:
        gu = g.simple_undirected
        per_call = max(1, _BETWEENNESS_WORK_PER_CALL // (n + gu.ecount()))
        acc = np.zeros(n)
        for start in range(0, k, per_call):
            batch = sources[start : start + per_call].tolist()
            acc += np.asarray(gu.betweenness(directed=False, sources=batch), dtype=np.float64)
    if sampled:
        is_source = np.zeros(n, dtype=bool)
        is_source[sources] = True
        acc[~is_source] *= (n - 1) / k
        # a sampled source has k - 1 samples about itself; with k == 1 it has none (value 0)
        acc[is_source] *= (n - 1) / (k - 1) if k > 1 else 0.0
    if normalized and n > 2:
        acc /= (n - 1) * (n - 2) / 2
    return acc


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, (str, list, tuple, set, frozenset, dict)) and len(value) == 0:
        return True
    return False


def _attribute(g: _Graph, name: str) -> list[Any] | None:
    values = g.attributes.get(name)
    if values is not None and len(values) != g.n:
        raise ValueError(f"attribute {name!r} has {len(values)} values for {g.n} vertices")
    return values


def _initial_labels(g: _Graph, attribute: str) -> list[str]:
    values = None if attribute in OWN_LABEL_ATTRIBUTES else _attribute(g, attribute)
    if values is None:
        return g.ids
    return [vid if _is_empty(v) else str(v) for vid, v in zip(g.ids, values)]


def _best_labels(
    rows: np.ndarray,
    neighbour_labels: np.ndarray,
    labels: np.ndarray,
    n_labels: int,
    tiebreak: np.ndarray | np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each row with neighbours: the winning label (see the module docstring)."""
    key = rows * n_labels + neighbour_labels
    ukey, counts = np.unique(key, return_counts=True)  # sorted by row, then label
    urow = ukey // n_labels
    ulab = ukey - urow * n_labels
    # integer counts; +0.5 keeps the current label when tied for the maximum; +[0, 0.25) for the
    # random priority of the label
    score = counts.astype(np.float64) + 0.5 * (ulab == labels[urow])
    if isinstance(tiebreak, np.ndarray):  # a random order of the labels, values in [0, 1)
        score += 0.25 * tiebreak[ulab]
    elif tiebreak is not None:  # an independent random choice for each vertex
        score += 0.25 * tiebreak.random(len(score))
    new_group = np.empty(len(urow), dtype=bool)
    new_group[0] = True
    np.not_equal(urow[1:], urow[:-1], out=new_group[1:])
    group = np.cumsum(new_group) - 1
    rowmax = np.maximum.reduceat(score, np.flatnonzero(new_group))
    pos = np.flatnonzero(score == rowmax[group])
    first = np.empty(len(pos), dtype=bool)
    first[0] = True
    np.not_equal(group[pos[1:]], group[pos[:-1]], out=first[1:])
    pos = pos[first]  # the first maximum of each row: the smallest label among ties
    return urow[pos], ulab[pos]


def _gather_rows(indptr: np.ndarray, vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in the CSR arrays of the entries of ``vertices``, and their row for each."""
    starts = indptr[vertices]
    lens = indptr[vertices + 1] - starts
    total = int(lens.sum())
    offsets = np.cumsum(lens) - lens
    pos = np.repeat(starts - offsets, lens) + np.arange(total)
    return pos, np.repeat(vertices, lens)


def _async_batches(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    return np.array_split(rng.permutation(n), min(n, ASYNC_BATCHES))


def _label_propagation(g: _Graph, p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    n = g.n
    vocab, labels = np.unique(np.asarray(_initial_labels(g, p["start_label_attribute"])), return_inverse=True)
    labels = labels.astype(np.int64).reshape(-1)
    n_labels = len(vocab)
    indptr, nbr, row = g.neighbours
    if len(nbr):
        for _ in range(p["maximum_supersteps"]):
            changed = False
            tiebreak: np.ndarray | np.random.Generator | None = None
            if p["random_tiebreak"]:
                tiebreak = rng.permutation(n_labels) / n_labels if p["synchronous"] else rng
            if p["synchronous"]:
                vr, vl = _best_labels(row, labels[nbr], labels, n_labels, tiebreak)
                changed = bool((labels[vr] != vl).any())
                labels = labels.copy()
                labels[vr] = vl
            else:
                for batch in _async_batches(n, rng):
                    pos, rows = _gather_rows(indptr, batch)
                    if len(pos) == 0:
                        continue
                    vr, vl = _best_labels(rows, labels[nbr[pos]], labels, n_labels, tiebreak)
                    changed = changed or bool((labels[vr] != vl).any())
                    labels[vr] = vl
            if not changed:
                break
    used, codes = np.unique(labels, return_inverse=True)  # only the labels that survived
    return VertexValues(g.ids, codes=codes.reshape(-1), labels=vocab[used].tolist())


def _seed_labels(values: list[Any] | None) -> list[list[str]]:
    out: list[list[str]] = []
    for v in values or []:
        if _is_empty(v):
            out.append([])
        elif isinstance(v, (list, tuple, set, frozenset)):
            out.append([str(x) for x in v if not _is_empty(x)])
        else:
            out.append([str(v)])
    return out


def _attribute_propagation(g: _Graph, p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    n = g.n
    seeds = _seed_labels(_attribute(g, p["start_label_attribute"])) or [[] for _ in range(n)]
    vocab = sorted({label for labels in seeds for label in labels})
    if not vocab:
        return VertexValues(g.ids, objects=[[] for _ in g.ids])
    column = {label: j for j, label in enumerate(vocab)}
    rows = [i for i, labels in enumerate(seeds) for _ in labels]
    cols = [column[label] for labels in seeds for label in labels]
    X = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    X.sum_duplicates()
    X.data[:] = 1.0
    src, dst = g.edges[:, 0], g.edges[:, 1]
    receiver, sender = (src, dst) if p["backwards"] else (dst, src)
    P = sp.csr_array((np.ones(g.m), (receiver, sender)), shape=(n, n))

    def binary(A: sp.csr_array) -> sp.csr_array:
        A = sp.csr_array(A)
        A.sum_duplicates()
        A.data[:] = 1.0
        return A

    for _ in range(p["maximum_supersteps"]):
        before = X.nnz
        if p["synchronous"]:
            X = binary(X + P @ X)
        else:
            for batch in _async_batches(n, rng):
                received = P[batch] @ X  # len(batch) x labels
                place = sp.csr_array(
                    (np.ones(len(batch)), (batch, np.arange(len(batch)))), shape=(n, len(batch))
                )
                X = binary(X + place @ received)
        if X.nnz == before:  # label sets only grow: same size means nothing changed
            break
    X.sort_indices()
    indptr, indices = X.indptr, X.indices
    return VertexValues(g.ids, objects=[[vocab[j] for j in indices[indptr[i] : indptr[i + 1]].tolist()] for i in range(n)])


# the order in which waiting algorithms take the CPU lane (lower first, default 1): long jobs go
# last; betweenness on a big graph goes first (see _compute)
_LANE_PRIORITY = {name: 2 for name in ("betweenness", "label_propagation", "attribute_propagation", "louvain",
                                       "leiden", "closeness", "harmonic")}

_ALGORITHMS: dict[str, Callable[[_Graph, dict[str, Any], np.random.Generator], VertexValues]] = {
    **centrality.ALGORITHMS,
    **community.ALGORITHMS,
    **cohesion.ALGORITHMS,
    **paths.ALGORITHMS,
    **similarity.ALGORITHMS,
    "wcc": _components("weak"),
    "scc": _components("strong"),
    "label_propagation": _label_propagation,
    "betweenness": _betweenness,
    "attribute_propagation": _attribute_propagation,
}


# -------------------------------------------------------------------------------------- engine


def _attributes_for(algorithm: str, params: dict[str, Any]) -> tuple[str, ...]:
    attribute = params.get("start_label_attribute")
    if algorithm in ("label_propagation", "attribute_propagation") and attribute:
        if attribute not in OWN_LABEL_ATTRIBUTES:
            return (attribute,)
    wanted = [params.get(k) for k in ("seed_attribute", "name_attribute") if k in params]
    return tuple(a for a in wanted if a and a not in OWN_LABEL_ATTRIBUTES)


class LocalEngine:
    """The Engine protocol in process: loads each graph once, computes in worker threads."""

    name = "local"

    def __init__(self, max_workers: int | None = None, seed: int = 0) -> None:
        self.max_workers = max_workers
        self.seed = seed
        self.loads = 0  # graphs loaded from stores, for diagnostics and tests
        self._executor: ThreadPoolExecutor | None = None
        # (id(store), vertex collections, edge collections) -> (store, graph); the store is kept so
        # its id cannot be reused by another store while the entry lives
        self._graphs = Once()
        self._attributes = Once()  # (graph key, attribute) -> None once the graph holds it

    async def run(self, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        algorithm, params = checked(template, store)
        graph = await self._graph(
            store,
            template.vertex_collections,
            template.edge_collections,
            _attributes_for(algorithm.name, params),
        )
        try:
            values = await self._offload(_compute, algorithm.name, params, graph, self.seed)
        except Exception as exc:
            raise EngineError(
                f"{algorithm.name} failed on template {template.id} "
                f"({graph.n} vertices, {graph.m} edges): {type(exc).__name__}: {exc}"
            ) from exc
        location = await store.write_results(run_id, template.id, algorithm.result_field, values)
        return EngineOutcome(values=values, result_location=location, result_count=len(values))

    async def _graph(
        self,
        store: GraphStore,
        vertex_collections: list[str],
        edge_collections: list[str],
        attributes: tuple[str, ...] = (),
    ) -> _Graph:
        """The graph on these collections: loaded and built once per store and collection set,
        whatever attributes the analyses ask for (those are added to it as they are asked for)."""
        key = (id(store), tuple(vertex_collections), tuple(edge_collections))

        async def load() -> tuple[GraphStore, _Graph]:
            data = await store.load_graph(list(vertex_collections), list(edge_collections), attributes=attributes)
            self.loads += 1
            try:
                graph = await self._offload(CPU_LANE.run, _Graph, data)
            except ValueError as exc:
                raise EngineError(f"bad graph from {store.kind} store: {exc}") from exc
            for name in graph.attributes:
                self._attributes.known((key, name), None)
            return store, graph

        _, graph = await self._graphs.get(key, load)
        for name in attributes:
            if name not in graph.attributes:
                await self._attributes.get((key, name), lambda name=name: self._add_attribute(store, graph, key, name))
        return graph

    async def _add_attribute(self, store: GraphStore, graph: _Graph, key: tuple[Any, ...], name: str) -> None:
        """Only ``name`` loaded, once, and placed by vertex id: a store need not list the vertices
        in the same order twice (an ArangoDB query without SORT does not)."""
        data = await store.load_graph(list(key[1]), list(key[2]), attributes=(name,))
        values = data.attributes.get(name)
        if values is not None and data.ids != graph.ids:
            where = {vid: i for i, vid in enumerate(data.ids)}
            values = [values[where[vid]] if vid in where else None for vid in graph.ids]
        graph.attributes[name] = values

    async def graph_data(self, store: GraphStore, vertex_collections: list[str], edge_collections: list[str]) -> GraphData:
        """The graph an analysis ran on (ids and an edge array), for the report's detectors: the
        engine's own copy, not another load."""
        graph = await self._graph(store, vertex_collections, edge_collections)
        return GraphData(ids=graph.ids, edges=graph.edges)

    async def _offload(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.max_workers is None:
            return await asyncio.to_thread(fn, *args)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.max_workers, thread_name_prefix="local-engine")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def aclose(self) -> None:
        for _, graph in self._graphs.results():  # the worker's edge files go with their graphs
            if "simple_edges" in graph._memo:
                processes.release(graph._memo["simple_edges"])
        self._graphs.clear()
        self._attributes.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
