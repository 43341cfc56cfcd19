"""Benchmark the local engine on every catalog algorithm against networkx, on a power-law directed graph.

    python bench/engine.py [--nodes 200000] [--edges 2000000] [--seed 0] [--no-networkx]
                           [--only name,name] [--nx-timeout 120] [--markdown table.md]

Prints one JSON object per line and algorithm:
``{"algorithm", "shape", "nodes", "edges", "engine_s", "engine_warm_s", "networkx_s", "agree", ...}``.

- ``engine_s`` is one ``compute`` on a fresh graph: turning the edge list into arrays and building
  the structures the algorithm needs (igraph graph, sparse matrices, the name index). A run builds
  those once per graph, so ``engine_warm_s`` is the same call again on the same graph: what each
  further analysis of a run costs.
- networkx runs in a child process per algorithm (forked, so it shares the networkx graphs built
  beforehand; their build time is the first line's ``networkx_build_s``), killed after
  ``--nx-timeout`` seconds: then ``networkx`` says "did not finish in N s" and ``agree`` is null.
- ``agree`` and its metric, per result shape:

  * scores: ``max_abs_diff`` (``max_rel_diff`` for eigenvector scales) under a tolerance, and
    ``top100_rank_corr``, the Spearman correlation of both scores over our top 100 vertices;
  * partitions: components identical (``exact``) plus ``nmi``; Louvain and Leiden a modularity
    within ``MODULARITY_SLACK`` of networkx's Louvain; label propagation (random by design) a
    modularity within ``LPA_SLACK`` of networkx's ``asyn_lpa_communities``, with ``nmi``;
  * flags (articulation points, bridges): the same set;
  * paths: the same length (shortest path), the same paths (all shortest), the same reached set
    (k-hop), the same number of cycles (simple cycles);
  * pairs: our top pairs have networkx's Jaccard (``node_similarity``); ``similar_to`` is a score;
  * sampled estimates (betweenness, closeness, harmonic with ``k``): betweenness against
    networkx's Brandes accumulation from the same sampled sources, scaled the same way;
    closeness and harmonic against networkx's exact value at 20 vertices.

The first line (to stderr too) gives the graph, the generator's and networkx's build times and the
load average, and so does the last (the machine is shared: the load says how much of it we had).
``RUNS`` is the table: algorithm -> function of a :class:`Bench`, returning its line's fields.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph_agents import algorithms  # noqa: E402
from graph_agents.engines.local import _compute, _Graph  # noqa: E402
from graph_agents.stores.base import GraphData, VertexValues  # noqa: E402

NETWORKX_TOL = 1e-10  # networkx stops when the L1 change < n * tol; ours stops at L1 < 1e-10
MODULARITY_SLACK = 0.02  # Louvain / Leiden: modularity at least networkx Louvain's less 2% of it
LPA_SLACK = 0.10  # label propagation is random by design: a partition about as good, not the same one
TOP = 100  # vertices whose ranks are compared


def power_law_graph(nodes: int, edges: int, seed: int, exponent: float = 0.6) -> GraphData:
    """Chung-Lu style directed graph: endpoints drawn with weights (rank + 1) ** -exponent.

    Out- and in-weights are given to independently shuffled vertices, so hubs differ; degrees
    follow a power law with tail exponent 1 + 1 / exponent. Self loops and duplicates are dropped.
    Each vertex has a display name, ``name`` ("Vertex 17"), so named entities resolve as in a run.
    """
    rng = np.random.default_rng(seed)
    weights = (np.arange(nodes) + 1.0) ** -exponent
    weights /= weights.sum()
    out_w, in_w = weights[rng.permutation(nodes)], weights[rng.permutation(nodes)]
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < edges:
        need = int((edges - len(keys)) * 1.2) + 16
        src = rng.choice(nodes, size=need, p=out_w)
        dst = rng.choice(nodes, size=need, p=in_w)
        fresh = (src * nodes + dst)[src != dst]
        keys = np.unique(np.concatenate([keys, fresh]))
        if len(fresh) == 0:
            break
    keys = rng.permutation(keys)[:edges]
    src, dst = keys // nodes, keys % nodes
    return GraphData(
        ids=[f"v/{i}" for i in range(nodes)],
        edges=np.stack([src, dst], axis=1),
        attributes={"name": [f"Vertex {i}" for i in range(nodes)]},
    )


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, round(time.perf_counter() - start, 3)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Bench:
    """The graph, its networkx twins (None with --no-networkx) and the run settings."""

    def __init__(self, data: GraphData, G: Any, U: Any, seed: int, nx_timeout: float) -> None:
        self.data, self.G, self.U, self.seed, self.nx_timeout = data, G, U, seed, nx_timeout
        self.ids = data.ids

    def ours(self, algorithm: str, params: dict[str, Any] | None = None) -> tuple[VertexValues, dict[str, float]]:
        """Our result, timed on a fresh graph and again on the same graph (see the module docstring)."""
        params = params or {}
        graph, build_s = timed(_Graph, self.data)
        values, run_s = timed(_compute, algorithm, params, graph, self.seed)
        _, warm_s = timed(_compute, algorithm, params, graph, self.seed)
        return values, {"engine_s": round(build_s + run_s, 3), "engine_warm_s": warm_s}

    def networkx(self, check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``check()`` (networkx's answer and its comparison with ours; it times networkx itself as
        ``networkx_s``) in a forked child, given ``nx_timeout`` seconds."""
        if self.G is None:
            return {}
        return in_child(check, self.nx_timeout)


def _child(check: Callable[[], dict[str, Any]], conn: Any) -> None:
    try:
        conn.send(check())
    except Exception:  # the reference failed: say how, the benchmark goes on
        conn.send({"networkx": "failed", "networkx_error": traceback.format_exc(limit=3)})
    finally:
        conn.close()


def in_child(check: Callable[[], dict[str, Any]], timeout: float) -> dict[str, Any]:
    """``check()`` in a forked child process; {"networkx": "did not finish in N s"} after ``timeout``."""
    ctx = multiprocessing.get_context("fork")  # the child shares the graphs; nothing is pickled but the answer
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(check, send), daemon=True)
    child.start()
    send.close()
    try:
        if receive.poll(timeout):
            return receive.recv()
        return {"networkx": f"did not finish in {timeout:g} s"}
    except EOFError:
        return {"networkx": f"the child process died (exit code {child.exitcode})"}
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()


def _nx(name: str) -> Any:
    import networkx as nx

    return getattr(nx, name)


# ------------------------------------------------------------------------------- agreement metrics


def rank_correlation(ours: np.ndarray, theirs: np.ndarray, top: int = TOP) -> float:
    """Spearman correlation of the two scores over our ``top`` vertices."""
    from scipy.stats import spearmanr

    idx = np.argsort(-ours, kind="stable")[:top]
    if np.ptp(ours[idx]) == 0 or np.ptp(theirs[idx]) == 0:
        return 1.0 if np.array_equal(np.argsort(ours[idx]), np.argsort(theirs[idx])) else 0.0
    return round(float(spearmanr(ours[idx], theirs[idx]).statistic), 4)


def scores_agree(ours: VertexValues, theirs: dict[str, float], ids: list[str], relative: bool = False) -> dict[str, Any]:
    a = np.array([ours[v] for v in ids], dtype=np.float64)
    b = np.array([float(theirs.get(v, 0.0)) for v in ids])
    corr = rank_correlation(a, b)
    if relative:
        diff = float(np.abs(a - b).max() / (np.abs(b).max() or 1.0))
        return {"agree": diff < 1e-4, "max_rel_diff": diff, "top100_rank_corr": corr}
    diff = float(np.abs(a - b).max())
    return {"agree": diff < 1e-6, "max_abs_diff": diff, "top100_rank_corr": corr}


def nmi(a: list[Any], b: list[Any]) -> float:
    """Normalized mutual information of two partitions of the same vertices (arithmetic mean)."""
    import scipy.sparse as sp

    _, x = np.unique(np.asarray(a, dtype=object).astype(str), return_inverse=True)
    _, y = np.unique(np.asarray(b, dtype=object).astype(str), return_inverse=True)
    n = len(x)
    joint = sp.coo_array((np.ones(n), (x, y))).tocsr()
    joint.sum_duplicates()
    p = joint.data / n
    px, py = np.bincount(x) / n, np.bincount(y) / n
    rows = np.repeat(np.arange(joint.shape[0]), np.diff(joint.indptr))
    mi = float((p * np.log(p / (px[rows] * py[joint.indices]))).sum())
    hx, hy = float(-(px * np.log(px)).sum()), float(-(py * np.log(py)).sum())
    return 1.0 if hx + hy == 0 else round(2 * mi / (hx + hy), 4)


def labels_by_smallest_id(components: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for component in components:
        rep = min(component)
        out.update((v, rep) for v in component)
    return out


def groups_of(values: VertexValues) -> list[set[str]]:
    groups: dict[Any, set[str]] = {}
    for v, label in values.items():
        groups.setdefault(label, set()).add(v)
    return list(groups.values())


# ---------------------------------------------------------------------------------- runs per shape


def score_run(algorithm: str, params: Any, reference: Any, relative: bool = False) -> Any:
    """A score compared with ``reference(bench)`` -> {vertex id: value} (networkx); ``params`` a
    dict or a function of the bench (parameters that name vertices)."""

    def run(b: Bench) -> dict[str, Any]:
        ours, times = b.ours(algorithm, params(b) if callable(params) else params)

        def check() -> dict[str, Any]:
            theirs, nx_s = timed(reference, b)
            return {"networkx_s": nx_s, **scores_agree(ours, theirs, b.ids, relative)}

        return {**times, **b.networkx(check)}

    return run


def partition_run(algorithm: str, reference: Any) -> Any:
    def run(b: Bench) -> dict[str, Any]:
        ours, times = b.ours(algorithm)
        out = {**times, "components": len(set(ours.values()))}

        def check() -> dict[str, Any]:
            theirs, nx_s = timed(lambda: labels_by_smallest_id(reference(b)))
            exact = dict(ours.items()) == theirs
            return {"networkx_s": nx_s, "agree": exact, "exact": exact,
                    "nmi": nmi([ours[v] for v in b.ids], [theirs[v] for v in b.ids])}

        return {**out, **b.networkx(check)}

    return run


def modularity_run(algorithm: str, params: dict[str, Any] | None = None) -> Any:
    """Louvain, Leiden (against networkx's Louvain) and label propagation (against networkx's
    asynchronous label propagation): modularity on the undirected simple graph, and the NMI."""

    def run(b: Bench) -> dict[str, Any]:
        ours, times = b.ours(algorithm, params)
        mine = groups_of(ours)
        out: dict[str, Any] = {**times, "communities": len(mine)}

        def check() -> dict[str, Any]:
            from networkx.algorithms import community as nxc

            if algorithm == "label_propagation":
                theirs, nx_s = timed(lambda: list(nxc.asyn_lpa_communities(b.U, seed=b.seed)))
                slack = LPA_SLACK
            else:
                theirs, nx_s = timed(nxc.louvain_communities, b.U, seed=b.seed)
                slack = MODULARITY_SLACK
            q, q_ref = nxc.modularity(b.U, mine), nxc.modularity(b.U, theirs)
            where = {v: i for i, group in enumerate(theirs) for v in group}
            return {"networkx_s": nx_s, "modularity": round(q, 4), "networkx_modularity": round(q_ref, 4),
                    "networkx_communities": len(theirs), "agree": q >= q_ref - slack * abs(q_ref),
                    "nmi": nmi([ours[v] for v in b.ids], [where[v] for v in b.ids])}

        return {**out, **b.networkx(check)}

    return run


def sampled_run(algorithm: str, k: int, exact: Any) -> Any:
    """A sampled estimate against networkx's exact value at 20 vertices (one BFS each)."""

    def run(b: Bench) -> dict[str, Any]:
        ours, times = b.ours(algorithm, {"k": k})

        def check() -> dict[str, Any]:
            rng = np.random.default_rng(b.seed)
            probe = [b.ids[i] for i in rng.choice(len(b.ids), size=20, replace=False)]
            theirs, nx_s = timed(lambda: {v: exact(b, v) for v in probe})
            diff = max(abs(ours[v] - theirs[v]) / (max(theirs.values()) or 1.0) for v in probe)
            return {"networkx_s_20_vertices": nx_s, "agree": diff < 0.1, "max_rel_diff": round(diff, 4)}

        return {**times, "k": k, **b.networkx(check)}

    return run


def _sampled_betweenness(b: Bench, k: int) -> dict[str, float]:
    """networkx's Brandes accumulation from the sources our engine samples (the same draw from the
    same seed), scaled as the engine scales a sampled estimate (see engines/local.py)."""
    from networkx.algorithms.centrality.betweenness import _accumulate_basic, _single_source_shortest_path_basic

    n = len(b.ids)
    sources = np.sort(np.random.default_rng(b.seed).choice(n, size=k, replace=False))
    acc = dict.fromkeys(b.U, 0.0)
    for s in sources.tolist():
        S, P, sigma, _ = _single_source_shortest_path_basic(b.U, b.ids[s])
        acc, _ = _accumulate_basic(acc, S, P, sigma, b.ids[s])
    chosen = {b.ids[s] for s in sources.tolist()}
    # networkx counts each undirected pair twice: halve; then the engine's unbiased scaling
    scale = {True: (n - 1) / (k - 1) if k > 1 else 0.0, False: (n - 1) / k}
    norm = (n - 1) * (n - 2) / 2
    return {v: x / 2 * scale[v in chosen] / norm for v, x in acc.items()}


def _flags_run(algorithm: str) -> Any:
    def run(b: Bench) -> dict[str, Any]:
        ours, times = b.ours(algorithm)
        if algorithm == "bridges":
            found = {tuple(sorted((v, e["to"]))) for v, row in ours.items() for e in row}
        else:
            found = {v for v, x in ours.items() if x > 0}

        def check() -> dict[str, Any]:
            if algorithm == "bridges":
                theirs, nx_s = timed(lambda: {tuple(sorted(e)) for e in _nx("bridges")(b.U)})
            else:
                theirs, nx_s = timed(lambda: set(_nx("articulation_points")(b.U)))
            return {"networkx_s": nx_s, "agree": found == theirs}

        return {**times, "flagged": len(found), **b.networkx(check)}

    return run


SEEDS = 10  # personalized PageRank and k-hop start at the first SEEDS vertices


def _ends(b: Bench) -> tuple[str, str]:
    return b.ids[0], b.ids[-1]


def _path_run(b: Bench) -> dict[str, Any]:
    source, target = _ends(b)
    # the target by its display name, as an ask names it: the name index is part of the work
    ours, times = b.ours("shortest_path", {"source": source, "target": f"Vertex {len(b.ids) - 1}"})
    (label,) = {x for x in ours.values() if x is not None}
    hops = len(label.split(" → ")) - 1

    def check() -> dict[str, Any]:
        theirs, nx_s = timed(_nx("shortest_path_length"), b.U, source, target)
        return {"networkx_s": nx_s, "agree": hops == theirs, "networkx_hops": theirs}

    return {**times, "hops": hops, **b.networkx(check)}


def _all_paths_run(b: Bench) -> dict[str, Any]:
    source, target = _ends(b)
    ours, times = b.ours("all_shortest_paths", {"source": source, "target": target, "max_paths": 100_000})
    found = {x for row in ours.values() for x in row}

    def check() -> dict[str, Any]:
        theirs, nx_s = timed(lambda: {" → ".join(p) for p in _nx("all_shortest_paths")(b.U, source, target)})
        return {"networkx_s": nx_s, "agree": found == theirs}

    return {**times, "paths": len(found), **b.networkx(check)}


def _k_hop_run(b: Bench) -> dict[str, Any]:
    seeds = b.ids[:SEEDS]
    ours, times = b.ours("k_hop", {"seeds": ",".join(seeds), "k": 2})
    reached = {v for v, x in ours.items() if x is not None}

    def check() -> dict[str, Any]:
        theirs, nx_s = timed(_nx("multi_source_dijkstra_path_length"), b.U, seeds, cutoff=2)
        return {"networkx_s": nx_s, "agree": reached == set(theirs)}

    return {**times, "reached": len(reached), **b.networkx(check)}


CYCLE_LENGTH = 3  # the length bound on the big graph: longer cycles grow combinatorially


def _cycles_run(b: Bench) -> dict[str, Any]:
    ours, times = b.ours("simple_cycles", {"max_length": CYCLE_LENGTH, "max_cycles": 1_000_000})
    found = {x for row in ours.values() for x in row}

    def check() -> dict[str, Any]:
        theirs, nx_s = timed(lambda: sum(1 for _ in _nx("simple_cycles")(b.G, length_bound=CYCLE_LENGTH)))
        return {"networkx_s": nx_s, "agree": len(found) == theirs, "networkx_cycles": theirs}

    # what a user asking for circular flows gets: the catalog defaults (length 2..6, the first 1000)
    first, first_times = b.ours("simple_cycles", {})
    defaults = {"defaults_engine_s": first_times["engine_s"], "defaults_warm_s": first_times["engine_warm_s"],
                "defaults_cycles": len({x for row in first.values() for x in row})}
    return {**times, "max_length": CYCLE_LENGTH, "cycles": len(found), **defaults, **b.networkx(check)}


def _jaccard(b: Bench, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    return {(u, v): j for u, v, j in _nx("jaccard_coefficient")(b.U, pairs)}


def _node_similarity_run(b: Bench) -> dict[str, Any]:
    """networkx has no top-k over all pairs at this size: our 20 best pairs must have its Jaccard."""
    ours, times = b.ours("node_similarity", {"top_n": 20})
    pairs = {x for row in ours.values() for x in row}
    parsed = [(lab.rsplit(" (", 1)[0].split(" ~ "), float(lab.rsplit(" (", 1)[1].rstrip(")"))) for lab in pairs]

    def check() -> dict[str, Any]:
        theirs, nx_s = timed(_jaccard, b, [tuple(ab) for ab, _ in parsed])
        return {"networkx_s": nx_s, "agree": all(abs(theirs[tuple(ab)] - j) <= 1e-3 * j for ab, j in parsed)}

    return {**times, "pairs": len(parsed), "best": max((j for _, j in parsed), default=0.0), **b.networkx(check)}


def _similar_to_reference(b: Bench) -> dict[str, float]:
    target = b.ids[0]
    two_hop = {w for u in b.U[target] for w in b.U[u]} - {target}
    found = _jaccard(b, [(target, v) for v in two_hop])
    return {v: found.get((target, v), 0.0) for v in b.ids}


def _giant_eigenvector(b: Bench) -> dict[str, float]:
    """networkx refuses a disconnected graph; the leading eigenvector lives on the component with
    the largest eigenvalue (the giant one here) and is 0 elsewhere."""
    giant = max(_nx("connected_components")(b.U), key=len)
    inside = _nx("eigenvector_centrality_numpy")(b.U.subgraph(giant))
    return {v: inside.get(v, 0.0) for v in b.ids}


def _personalization(b: Bench) -> dict[str, float]:
    return {v: 1.0 for v in b.ids[:SEEDS]}


def _attribute_propagation_run(b: Bench) -> dict[str, Any]:
    """Labels on the first SEEDS vertices spread along edge direction until nothing changes: each
    vertex ends with the labels of the seeds that reach it (networkx: descendants of each seed)."""
    labels: list[Any] = [None] * len(b.ids)
    for i in range(SEEDS):
        labels[i] = f"L{i}"
    data = GraphData(ids=b.data.ids, edges=b.data.edges, attributes={**b.data.attributes, "label": labels})
    graph, build_s = timed(_Graph, data)
    params = {"start_label_attribute": "label", "synchronous": True, "maximum_supersteps": 10_000}
    ours, run_s = timed(_compute, "attribute_propagation", params, graph, b.seed)
    _, warm_s = timed(_compute, "attribute_propagation", params, graph, b.seed)
    reached = sum(1 for v in ours.values() if v)

    def check() -> dict[str, Any]:
        def reference() -> dict[str, set[str]]:
            got: dict[str, set[str]] = {}
            for i in range(SEEDS):
                for v in _nx("descendants")(b.G, b.ids[i]) | {b.ids[i]}:
                    got.setdefault(v, set()).add(f"L{i}")
            return got

        theirs, nx_s = timed(reference)
        return {"networkx_s": nx_s, "agree": all(set(ours[v] or []) == theirs.get(v, set()) for v in b.ids)}

    return {"engine_s": round(build_s + run_s, 3), "engine_warm_s": warm_s, "reached": reached, **b.networkx(check)}


RUNS: dict[str, Any] = {
    # centrality
    "pagerank": score_run("pagerank", {}, lambda b: _nx("pagerank")(b.G, alpha=0.85, tol=NETWORKX_TOL, max_iter=1000)),
    "personalized_pagerank": score_run(
        "personalized_pagerank", lambda b: {"seeds": ",".join(f"Vertex {i}" for i in range(SEEDS))},  # by display name
        lambda b: _nx("pagerank")(b.G, alpha=0.85, personalization=_personalization(b), tol=NETWORKX_TOL, max_iter=1000)),
    "degree": score_run("degree", {}, lambda b: dict(b.G.degree())),
    "eigenvector": score_run("eigenvector", {}, _giant_eigenvector, relative=True),
    "hits": score_run("hits", {}, lambda b: _nx("hits")(b.G, max_iter=1000, tol=1e-10)[1], relative=True),
    "closeness": sampled_run("closeness", 32, lambda b, v: _nx("closeness_centrality")(b.U, u=v)),
    "harmonic": sampled_run("harmonic", 32, lambda b, v: _nx("harmonic_centrality")(b.U, nbunch=[v])[v] / (b.U.number_of_nodes() - 1)),
    "betweenness": score_run("betweenness", {"k": 32}, lambda b: _sampled_betweenness(b, 32)),
    # community
    "wcc": partition_run("wcc", lambda b: _nx("weakly_connected_components")(b.G)),
    "scc": partition_run("scc", lambda b: _nx("strongly_connected_components")(b.G)),
    "label_propagation": modularity_run("label_propagation", {"maximum_supersteps": 20, "random_tiebreak": True}),
    "louvain": modularity_run("louvain"),
    "leiden": modularity_run("leiden"),
    # cohesion and structure
    "k_core": score_run("k_core", {}, lambda b: _nx("core_number")(b.U)),
    "triangle_count": score_run("triangle_count", {}, lambda b: _nx("triangles")(b.U)),
    "clustering_coefficient": score_run("clustering_coefficient", {}, lambda b: _nx("clustering")(b.U)),
    "articulation_points": _flags_run("articulation_points"),
    "bridges": _flags_run("bridges"),
    # paths (between the first and the last vertex; k-hop from the first SEEDS vertices)
    "shortest_path": _path_run,
    "all_shortest_paths": _all_paths_run,
    "k_hop": _k_hop_run,
    "simple_cycles": _cycles_run,
    # similarity
    "node_similarity": _node_similarity_run,
    "similar_to": score_run("similar_to", lambda b: {"target": "Vertex 0"}, _similar_to_reference),
    # propagation
    "attribute_propagation": _attribute_propagation_run,
}


# the shapes whose results travel as partitions but read as something else
SHAPES = {"paths": "paths", "similarity": "pairs"}


def _cell(x: Any) -> str:
    return "" if x is None else f"{x:.3g}" if isinstance(x, float) else str(x)


def markdown(lines: list[dict[str, Any]]) -> str:
    """The results as a table: time cold and warm, networkx's time (or why none), the agreement."""
    metrics = ("max_abs_diff", "max_rel_diff", "top100_rank_corr", "nmi", "modularity", "networkx_modularity")
    rows = ["| algorithm | shape | local engine s | warm s | networkx s | same answer | metric |", "|---|---|---|---|---|---|---|"]
    for line in lines:
        nx_s = line["networkx_s"] if line.get("networkx_s") is not None else line.get("networkx_s_20_vertices")
        nx_cell = line.get("networkx") or (_cell(nx_s) + (" (20 vertices)" if "networkx_s_20_vertices" in line else ""))
        agree = {True: "yes", False: "**no**", None: ""}[line.get("agree")]
        shown = ", ".join(f"{k} {_cell(line[k])}" for k in metrics if k in line)
        rows.append(f"| `{line['algorithm']}` | {line['shape']} | {_cell(line['engine_s'])} | {_cell(line.get('engine_warm_s'))} "
                    f"| {nx_cell} | {agree} | {shown} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-networkx", action="store_true", help="skip the networkx runs")
    parser.add_argument("--only", default="", help="comma-separated algorithms (default: all of RUNS)")
    parser.add_argument("--nx-timeout", type=float, default=120.0, help="seconds networkx is given per algorithm")
    parser.add_argument("--markdown", default="", help="also write the results as a markdown table to this file")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        parser.error(f"unknown algorithm(s) {unknown}; known: {list(RUNS)}")

    data, gen_s = timed(power_law_graph, args.nodes, args.edges, args.seed)
    base = {"nodes": len(data.ids), "edges": len(data.edges)}
    G = U = None
    nx_build_s = None
    if not args.no_networkx:
        import networkx as nx

        def build() -> tuple[Any, Any]:
            g = nx.DiGraph()
            g.add_nodes_from(data.ids)
            ids = data.ids
            g.add_edges_from((ids[u], ids[v]) for u, v in data.edges.tolist())
            u = nx.Graph(g.to_undirected(as_view=True))
            u.remove_edges_from(list(nx.selfloop_edges(u)))
            return g, u

        (G, U), nx_build_s = timed(build)
    head = {"generator_s": gen_s, "networkx_build_s": nx_build_s, "nx_timeout_s": args.nx_timeout, "load_average": load(), **base}
    print(json.dumps(head), flush=True)
    bench = Bench(data, G, U, args.seed, args.nx_timeout)
    lines = []
    for name in names:
        algo = algorithms.get(name)
        shape = SHAPES.get(algo.family, algo.kind) if algo.kind == "partition" else algo.kind
        line = {"algorithm": name, "shape": shape, **base, "engine_s": None, "networkx_s": None, "agree": None, **RUNS[name](bench),
                "load_average": load()}
        lines.append(line)
        print(json.dumps(line), flush=True)
    print(json.dumps({"done": True, "load_average": load()}), flush=True)
    if args.markdown:
        Path(args.markdown).write_text(markdown(lines))


if __name__ == "__main__":
    main()
