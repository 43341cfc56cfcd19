"""Centrality on the local engine: PageRank (plain and personalized), degree, eigenvector, HITS,
closeness and harmonic.

Every function has the local engine's signature ``(graph, params, rng) -> VertexValues``
(see :mod:`graph_agents.engines.local` for the graph and the dispatch). Semantics:

* ``pagerank``: directed power iteration ``x <- d (M x + dangling mass * r) + (1 - d) r`` from the
  uniform vector, ``M`` column-stochastic (parallel edges count once each, self loops count),
  ``r`` the restart distribution (uniform for PageRank). Dangling vertices spread their rank
  along ``r`` too, as networkx does. Stops when the L1 change drops below ``PAGERANK_TOL`` or
  after ``maximum_supersteps``; values sum to 1. Agrees with ``networkx.pagerank`` on a
  MultiDiGraph (with ``personalization`` for the personalized form).
* ``personalized_pagerank``: ``r`` is uniform over the seeds: the entities named in ``seeds``
  (comma-separated vertex ids, keys or ``name_attribute`` display names, resolved with
  :mod:`graph_agents.entities` as the paths family resolves them) and the vertices whose
  ``seed_attribute`` is truthy. A seed name that resolves to no vertex or to several raises
  :class:`~graph_agents.entities.EntityError` with the candidates; no seed at all is a ValueError.
* ``degree``: edges at each vertex on the multigraph as given (``mode`` all / in / out; a self loop
  counts twice for all, as in networkx).
* ``eigenvector``: the leading eigenvector of the simple undirected graph's adjacency (igraph,
  ARPACK), scaled to unit Euclidean norm as ``networkx.eigenvector_centrality``.
* ``hits``: authority (or with ``hubs``, hub) scores of the directed multigraph (igraph, ARPACK),
  scaled to sum 1 as ``networkx.hits``. Both come from the same eigenproblem; one run reports one.
* ``closeness`` / ``harmonic``: on the simple undirected graph. Closeness of v is
  ``(r - 1) / sum of distances`` over the r vertices v reaches (itself included), times
  ``(r - 1) / (n - 1)`` when ``normalized`` (Wasserman-Faust, networkx's ``wf_improved``);
  harmonic is ``sum 1 / distance`` (divided by n - 1 when ``normalized``). ``k`` > 0 estimates
  both from BFS out of ``k`` sampled sources (Eppstein-Wang pivots: the mean distance to the
  sampled sources in v's component stands for the mean distance to all of it); exact all-pairs
  BFS is O(n m) and does not finish on millions of edges. A vertex whose component holds no
  sampled source gets 0 in the estimate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import igraph as ig
import numpy as np
from scipy.sparse import csgraph

from ..entities import split_names
from ..stores.base import VertexValues

if TYPE_CHECKING:
    from .local import _Graph

# L1 change under which PageRank stops before its superstep cap
PAGERANK_TOL = 1e-10
DEGREE_MODES = ("all", "in", "out")
# sampled BFS sources per scipy call: a (batch x n) distance matrix at a time
_BFS_BATCH = 16


def _power_iteration(g: "_Graph", d: float, steps: int, restart: np.ndarray) -> np.ndarray:
    n = g.n
    M, dangling = g.transition  # built once per graph: PageRank and each personalized run share it
    x = np.full(n, 1.0 / n)
    for _ in range(steps):
        new = d * (M @ x + x[dangling].sum() * restart) + (1.0 - d) * restart
        err = np.abs(new - x).sum()
        x = new
        if err < PAGERANK_TOL:
            break
    return x / x.sum()


def pagerank(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    restart = np.full(g.n, 1.0 / g.n)
    return VertexValues(g.ids, scores=_power_iteration(g, p["damping_factor"], p["maximum_supersteps"], restart))


def seed_mask(g: "_Graph", seeds: str, attribute: str, name_attribute: str = "") -> np.ndarray:
    """The seed vertices of a personalized PageRank, as a boolean mask: the named ``seeds``
    (EntityError for names that do not resolve to one vertex) and the ``attribute``-marked ones
    (ValueError if none at all)."""
    mask = np.zeros(g.n, dtype=bool)
    wanted = split_names(seeds)
    if wanted:
        mask[g.resolver(name_attribute).require(wanted)] = True
    if attribute:
        values = g.attributes.get(attribute)
        if values is None:
            raise ValueError(f"seed attribute {attribute!r} was not loaded for the graph")
        mask |= np.fromiter((bool(v) and v == v for v in values), dtype=bool, count=g.n)  # v == v: not NaN
    if not mask.any():
        raise ValueError("personalized_pagerank needs seeds: vertex ids in 'seeds' or a 'seed_attribute' set on some vertices")
    return mask


def personalized_pagerank(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    mask = seed_mask(g, p["seeds"], p["seed_attribute"], p.get("name_attribute") or "")
    restart = mask / mask.sum()
    return VertexValues(g.ids, scores=_power_iteration(g, p["damping_factor"], p["maximum_supersteps"], restart))


def degree(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    mode = p["mode"]
    if mode not in DEGREE_MODES:
        raise ValueError(f"degree.mode must be one of {DEGREE_MODES}, got {mode!r}")
    src, dst = g.edges[:, 0], g.edges[:, 1]
    counts = np.zeros(g.n, dtype=np.int64)
    if mode in ("all", "out"):
        counts += np.bincount(src, minlength=g.n)
    if mode in ("all", "in"):
        counts += np.bincount(dst, minlength=g.n)
    return VertexValues(g.ids, scores=counts.astype(np.float64))


def _arpack(steps: int) -> ig.ARPACKOptions:
    options = ig.ARPACKOptions()
    options.maxiter = steps
    return options


def eigenvector(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    gu = g.simple_undirected
    if gu.ecount() == 0:  # no eigenvector to speak of: every vertex alike
        return VertexValues(g.ids, scores=np.full(g.n, 1.0 / np.sqrt(g.n)))
    x = np.abs(np.asarray(gu.eigenvector_centrality(arpack_options=_arpack(p["maximum_iterations"]))))
    return VertexValues(g.ids, scores=x / np.linalg.norm(x))


def hits(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    if g.m == 0:
        return VertexValues(g.ids, scores=np.full(g.n, 1.0 / g.n))
    score = g.igraph.hub_score if p["hubs"] else g.igraph.authority_score
    x = np.abs(np.asarray(score(arpack_options=_arpack(p["maximum_iterations"]))))
    total = x.sum()
    return VertexValues(g.ids, scores=x / total if total > 0 else np.full(g.n, 1.0 / g.n))


def _component_sizes(g: "_Graph") -> np.ndarray:
    """The size of each vertex's connected component (undirected)."""
    membership = np.asarray(g.simple_undirected.connected_components().membership, dtype=np.int64)
    return np.bincount(membership)[membership]


def _sampled_distances(g: "_Graph", k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Over ``k`` sampled sources: (sum of distances, sum of inverse distances, reached sources,
    sources other than the vertex itself) per vertex."""
    n = g.n
    A = g.symmetric_adjacency
    sources = np.sort(rng.choice(n, size=k, replace=False))
    dist_sum, inv_sum, reached = np.zeros(n), np.zeros(n), np.zeros(n)
    for start in range(0, k, _BFS_BATCH):
        batch = sources[start : start + _BFS_BATCH]
        D = csgraph.shortest_path(A, method="D", directed=False, unweighted=True, indices=batch)
        ok = np.isfinite(D) & (D > 0)
        dist_sum += np.where(ok, D, 0).sum(axis=0)
        inv_sum += np.where(ok, 1.0 / np.where(ok, D, 1.0), 0).sum(axis=0)
        reached += ok.sum(axis=0)
    others = np.full(n, float(k))
    others[sources] -= 1  # a source is no sample of its own distances
    return dist_sum, inv_sum, reached, others


def _sampled(g: "_Graph", p: dict[str, Any]) -> bool:
    return 0 < p["k"] < g.n


def closeness(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    n = g.n
    size = _component_sizes(g).astype(np.float64)
    if _sampled(g, p):
        dist_sum, _, reached, _ = _sampled_distances(g, p["k"], rng)
        x = np.divide(reached, dist_sum, out=np.zeros(n), where=dist_sum > 0)  # 1 / mean distance
    else:
        # igraph: (r - 1) / sum of distances over the reachable part; isolated vertices: NaN
        x = np.nan_to_num(np.asarray(g.simple_undirected.closeness(normalized=True), dtype=np.float64))
    if p["normalized"] and n > 1:
        x *= (size - 1) / (n - 1)
    return VertexValues(g.ids, scores=x)


def harmonic(g: "_Graph", p: dict[str, Any], rng: np.random.Generator) -> VertexValues:
    n = g.n
    if _sampled(g, p):
        _, inv_sum, _, others = _sampled_distances(g, p["k"], rng)
        x = inv_sum * (n - 1) / np.maximum(others, 1)  # each sample stands for (n - 1) / samples vertices
    else:
        x = np.asarray(g.simple_undirected.harmonic_centrality(normalized=False), dtype=np.float64)
    if p["normalized"] and n > 1:
        x /= n - 1
    return VertexValues(g.ids, scores=x)


ALGORITHMS = {
    "pagerank": pagerank,
    "personalized_pagerank": personalized_pagerank,
    "degree": degree,
    "eigenvector": eigenvector,
    "hits": hits,
    "closeness": closeness,
    "harmonic": harmonic,
}
