"""Benchmark the local engine's ``compute`` against networkx on a power-law directed graph.

    python bench/engine.py [--nodes 200000] [--edges 2000000] [--seed 0] [--no-networkx]
                           [--only name,name] [--nx-heavy-max-edges 300000]

Prints one JSON object per line and algorithm:
``{"algorithm", "nodes", "edges", "engine_s", "networkx_s", "agree", ...}``. ``engine_s`` is the
wall time of one ``compute`` call on a GraphData (including turning its edge list into arrays and
an igraph graph); ``networkx_s`` is the networkx algorithm alone, on a DiGraph (or its undirected
view) built beforehand (the build time is ``networkx_build_s``). ``agree``: scores within a
tolerance (``max_abs_diff`` or ``max_rel_diff`` says how close), partitions identical, or for
Louvain/Leiden a modularity no lower than networkx's Louvain less 0.01; sampled estimates
(closeness, harmonic with ``k``) against networkx's exact value at 20 vertices. Algorithms
without a networkx counterpart here (label_propagation, sampled betweenness) report null; so do
the networkx Louvain runs on graphs above ``--nx-heavy-max-edges`` (minutes in pure Python).

``RUNS`` is the table: algorithm -> function of a :class:`Bench`, returning its line's fields.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph_agents.engines import compute  # noqa: E402
from graph_agents.stores.base import VertexValues  # noqa: E402
from graph_agents.stores.base import GraphData  # noqa: E402

NETWORKX_TOL = 1e-10  # networkx stops when the L1 change < n * tol; ours stops at L1 < 1e-10


def power_law_graph(nodes: int, edges: int, seed: int, exponent: float = 0.6) -> GraphData:
    """Chung-Lu style directed graph: endpoints drawn with weights (rank + 1) ** -exponent.

    Out- and in-weights are given to independently shuffled vertices, so hubs differ; degrees
    follow a power law with tail exponent 1 + 1 / exponent. Self loops and duplicates are dropped.
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
        edges=list(zip(src.tolist(), dst.tolist())),
    )


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, round(time.perf_counter() - start, 3)


def labels_by_smallest_id(components: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for component in components:
        rep = min(component)
        out.update((v, rep) for v in component)
    return out


class Bench:
    """The graph, its networkx twin (None with --no-networkx) and the run settings."""

    def __init__(self, data: GraphData, G: Any, seed: int, heavy_max_edges: int) -> None:
        self.data, self.G, self.seed, self.heavy_max_edges = data, G, seed, heavy_max_edges
        self._undirected: Any = None

    @property
    def U(self) -> Any:
        """The undirected simple networkx graph (what the undirected algorithms run on)."""
        if self._undirected is None and self.G is not None:
            import networkx as nx

            self._undirected = nx.Graph(self.G.to_undirected(as_view=True))
            self._undirected.remove_edges_from(list(nx.selfloop_edges(self._undirected)))
        return self._undirected

    def ours(self, algorithm: str, params: dict[str, Any] | None = None) -> tuple[VertexValues, float]:
        return timed(compute, algorithm, params or {}, self.data, self.seed)


def _scores_agree(ours: VertexValues, theirs: dict[str, float], ids: list[str], relative: bool = False) -> dict[str, Any]:
    a = np.array([ours[v] for v in ids])
    b = np.array([float(theirs[v]) for v in ids])
    if relative:
        diff = float(np.abs(a - b).max() / (np.abs(b).max() or 1.0))
        return {"agree": diff < 1e-4, "max_rel_diff": diff}
    diff = float(np.abs(a - b).max())
    return {"agree": diff < 1e-6, "max_abs_diff": diff}


def score_run(algorithm: str, params: Any, reference: Any, relative: bool = False) -> Any:
    """A score compared with ``reference(bench)`` -> {vertex id: value} (networkx); ``params`` a
    dict or a function of the bench (parameters that name vertices)."""

    def run(b: Bench) -> dict[str, Any]:
        ours, engine_s = b.ours(algorithm, params(b) if callable(params) else params)
        if b.G is None:
            return {"engine_s": engine_s}
        theirs, nx_s = timed(reference, b)
        return {"engine_s": engine_s, "networkx_s": nx_s, **_scores_agree(ours, theirs, b.data.ids, relative)}

    return run


def partition_run(algorithm: str, reference: Any) -> Any:
    def run(b: Bench) -> dict[str, Any]:
        ours, engine_s = b.ours(algorithm)
        count = len(set(ours.values()))
        if b.G is None:
            return {"engine_s": engine_s, "components": count}
        theirs, nx_s = timed(lambda: labels_by_smallest_id(reference(b)))
        return {"engine_s": engine_s, "networkx_s": nx_s, "agree": dict(ours.items()) == theirs, "components": count}

    return run


def modularity_run(algorithm: str) -> Any:
    def run(b: Bench) -> dict[str, Any]:
        import networkx as nx
        from networkx.algorithms.community import louvain_communities, modularity

        ours, engine_s = b.ours(algorithm)
        groups: dict[str, set[str]] = {}
        for v, label in ours.items():
            groups.setdefault(label, set()).add(v)
        out: dict[str, Any] = {"engine_s": engine_s, "communities": len(groups)}
        if b.G is None:
            return out
        out["modularity"] = round(modularity(b.U, list(groups.values())), 4)
        if b.U.number_of_edges() > b.heavy_max_edges:
            return {**out, "networkx_skipped": f"more than {b.heavy_max_edges} edges"}
        theirs, nx_s = timed(louvain_communities, b.U, seed=b.seed)
        reference = round(modularity(b.U, theirs), 4)
        return {**out, "networkx_s": nx_s, "networkx_modularity": reference, "agree": out["modularity"] >= reference - 0.01}

    return run


def sampled_run(algorithm: str, k: int, exact: Any) -> Any:
    """A sampled estimate against networkx's exact value at 20 vertices (one BFS each)."""

    def run(b: Bench) -> dict[str, Any]:
        ours, engine_s = b.ours(algorithm, {"k": k})
        out: dict[str, Any] = {"engine_s": engine_s, "k": k}
        if b.G is None:
            return out
        rng = np.random.default_rng(b.seed)
        probe = [b.data.ids[i] for i in rng.choice(len(b.data.ids), size=20, replace=False)]
        theirs, nx_s = timed(lambda: {v: exact(b, v) for v in probe})
        diff = max(abs(ours[v] - theirs[v]) / (max(theirs.values()) or 1.0) for v in probe)
        return {**out, "networkx_s_20_vertices": nx_s, "agree": diff < 0.1, "max_rel_diff": round(diff, 4)}

    return run


def _nx(name: str) -> Any:
    import networkx as nx

    return getattr(nx, name)


def _cut_off_points(b: Bench) -> dict[str, float]:
    """Only which vertices are articulation points (networkx has no cut-off sizes): 1 or 0."""
    points = set(_nx("articulation_points")(b.U))
    return {v: 1.0 if v in points else 0.0 for v in b.data.ids}


def _articulation_run(b: Bench) -> dict[str, Any]:
    ours, engine_s = b.ours("articulation_points")
    flagged = {v for v, x in ours.items() if x > 0}
    out: dict[str, Any] = {"engine_s": engine_s, "articulation_points": len(flagged)}
    if b.G is None:
        return out
    theirs, nx_s = timed(_cut_off_points, b)
    return {**out, "networkx_s": nx_s, "agree": flagged == {v for v, x in theirs.items() if x}}


def _bridges_run(b: Bench) -> dict[str, Any]:
    ours, engine_s = b.ours("bridges")
    found = {tuple(sorted((v, e["to"]))) for v, row in ours.items() for e in row}
    out: dict[str, Any] = {"engine_s": engine_s, "bridges": len(found)}
    if b.G is None:
        return out
    theirs, nx_s = timed(lambda: {tuple(sorted(e)) for e in _nx("bridges")(b.U)})
    return {**out, "networkx_s": nx_s, "agree": found == theirs}


def _engine_only(algorithm: str, params: dict[str, Any], summary: Any) -> Any:
    def run(b: Bench) -> dict[str, Any]:
        ours, engine_s = b.ours(algorithm, params)
        return {"engine_s": engine_s, **summary(ours)}

    return run


def _lpa_summary(ours: VertexValues) -> dict[str, Any]:
    sizes = np.bincount(np.unique(list(ours.values()), return_inverse=True)[1])
    return {"communities": len(sizes), "largest_community": int(sizes.max())}


def _top_summary(ours: VertexValues) -> dict[str, Any]:
    top = max(ours, key=ours.get)
    return {"k": 32, "top_vertex": top, "top_value": ours[top]}


def _giant_eigenvector(b: Bench) -> dict[str, float]:
    """networkx refuses a disconnected graph; the leading eigenvector lives on the component with
    the largest eigenvalue (the giant one here) and is 0 elsewhere."""
    giant = max(_nx("connected_components")(b.U), key=len)
    inside = _nx("eigenvector_centrality_numpy")(b.U.subgraph(giant))
    return {v: inside.get(v, 0.0) for v in b.data.ids}


SEEDS = 10  # personalized PageRank restarts at the first SEEDS vertices


def _personalization(b: Bench) -> dict[str, float]:
    return {v: 1.0 for v in b.data.ids[:SEEDS]}


def _path_run(b: Bench) -> dict[str, Any]:
    source, target = b.data.ids[0], b.data.ids[-1]
    ours, engine_s = b.ours("shortest_path", {"source": source, "target": target})
    (label,) = {x for x in ours.values() if x is not None}
    hops = len(label.split(" → ")) - 1
    out: dict[str, Any] = {"engine_s": engine_s, "hops": hops}
    if b.G is None:
        return out
    theirs, nx_s = timed(_nx("shortest_path_length"), b.U, source, target)
    return {**out, "networkx_s": nx_s, "agree": hops == theirs}


def _all_paths_run(b: Bench) -> dict[str, Any]:
    source, target = b.data.ids[0], b.data.ids[-1]
    ours, engine_s = b.ours("all_shortest_paths", {"source": source, "target": target, "max_paths": 100_000})
    found = {x for row in ours.values() for x in row}
    out: dict[str, Any] = {"engine_s": engine_s, "paths": len(found)}
    if b.G is None:
        return out
    theirs, nx_s = timed(lambda: {" → ".join(p) for p in _nx("all_shortest_paths")(b.U, source, target)})
    return {**out, "networkx_s": nx_s, "agree": found == theirs}


def _k_hop_run(b: Bench) -> dict[str, Any]:
    seeds = b.data.ids[:SEEDS]
    ours, engine_s = b.ours("k_hop", {"seeds": ",".join(seeds), "k": 2})
    reached = {v for v, x in ours.items() if x is not None}
    out: dict[str, Any] = {"engine_s": engine_s, "reached": len(reached)}
    if b.G is None:
        return out
    theirs, nx_s = timed(_nx("multi_source_dijkstra_path_length"), b.U, seeds, cutoff=2)
    return {**out, "networkx_s": nx_s, "agree": reached == set(theirs)}


CYCLE_LENGTH = 3  # the length bound on the big graph: longer cycles grow combinatorially
CYCLES_NX_MAX_EDGES = 20_000  # networkx's bounded simple_cycles took 55 s on 20k edges: above this, not run


def _cycles_run(b: Bench) -> dict[str, Any]:
    ours, engine_s = b.ours("simple_cycles", {"max_length": CYCLE_LENGTH, "max_cycles": 1_000_000})
    found = {x for row in ours.values() for x in row}
    out: dict[str, Any] = {"engine_s": engine_s, "max_length": CYCLE_LENGTH, "cycles": len(found)}
    if b.G is None or len(b.data.edges) > CYCLES_NX_MAX_EDGES:
        return out
    G = b.G.copy()
    G.remove_edges_from(list(_nx("selfloop_edges")(G)))
    theirs, nx_s = timed(lambda: sum(1 for _ in _nx("simple_cycles")(G, length_bound=CYCLE_LENGTH)))
    return {**out, "networkx_s": nx_s, "agree": len(found) == theirs}


def _jaccard(b: Bench, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    return {(u, v): j for u, v, j in _nx("jaccard_coefficient")(b.U, pairs)}


def _node_similarity_run(b: Bench) -> dict[str, Any]:
    """networkx has no top-k over all pairs at this size: the similarity of the 20 best pairs is checked."""
    ours, engine_s = b.ours("node_similarity", {"top_n": 20})
    pairs = {x for row in ours.values() for x in row}
    parsed = [(lab.rsplit(" (", 1)[0].split(" ~ "), float(lab.rsplit(" (", 1)[1].rstrip(")"))) for lab in pairs]
    out: dict[str, Any] = {"engine_s": engine_s, "pairs": len(parsed), "best": max((j for _, j in parsed), default=0.0)}
    if b.G is None:
        return out
    theirs, nx_s = timed(_jaccard, b, [tuple(ab) for ab, _ in parsed])
    return {**out, "networkx_s": nx_s, "agree": all(abs(theirs[tuple(ab)] - j) <= 1e-3 * j for ab, j in parsed)}


def _similar_to_reference(b: Bench) -> dict[str, float]:
    target = b.data.ids[0]
    two_hop = {w for u in b.U[target] for w in b.U[u]} - {target}
    found = _jaccard(b, [(target, v) for v in two_hop])
    return {v: found.get((target, v), 0.0) for v in b.data.ids}


RUNS: dict[str, Any] = {
    # centrality
    "pagerank": score_run("pagerank", {}, lambda b: _nx("pagerank")(b.G, alpha=0.85, tol=NETWORKX_TOL, max_iter=1000)),
    "personalized_pagerank": score_run(
        "personalized_pagerank", lambda b: {"seeds": ",".join(b.data.ids[:SEEDS])},
        lambda b: _nx("pagerank")(b.G, alpha=0.85, personalization=_personalization(b), tol=NETWORKX_TOL, max_iter=1000)),
    "degree": score_run("degree", {}, lambda b: dict(b.G.degree())),
    "eigenvector": score_run("eigenvector", {}, lambda b: _giant_eigenvector(b), relative=True),
    "hits": score_run("hits", {}, lambda b: _nx("hits")(b.G, max_iter=1000, tol=1e-10)[1], relative=True),
    "closeness": sampled_run("closeness", 32, lambda b, v: _nx("closeness_centrality")(b.U, u=v)),
    "harmonic": sampled_run("harmonic", 32, lambda b, v: _nx("harmonic_centrality")(b.U, nbunch=[v])[v] / (b.U.number_of_nodes() - 1)),
    "betweenness": _engine_only("betweenness", {"k": 32}, _top_summary),
    # community
    "wcc": partition_run("wcc", lambda b: _nx("weakly_connected_components")(b.G)),
    "scc": partition_run("scc", lambda b: _nx("strongly_connected_components")(b.G)),
    "label_propagation": _engine_only("label_propagation", {"maximum_supersteps": 20}, _lpa_summary),
    "louvain": modularity_run("louvain"),
    "leiden": modularity_run("leiden"),
    # cohesion and structure
    "k_core": score_run("k_core", {}, lambda b: _nx("core_number")(b.U)),
    "triangle_count": score_run("triangle_count", {}, lambda b: _nx("triangles")(b.U)),
    "clustering_coefficient": score_run("clustering_coefficient", {}, lambda b: _nx("clustering")(b.U)),
    "articulation_points": _articulation_run,
    "bridges": _bridges_run,
    # paths (between the first and the last vertex; k-hop from the first SEEDS vertices)
    "shortest_path": _path_run,
    "all_shortest_paths": _all_paths_run,
    "k_hop": _k_hop_run,
    "simple_cycles": _cycles_run,
    # similarity
    "node_similarity": _node_similarity_run,
    "similar_to": score_run("similar_to", lambda b: {"target": b.data.ids[0]}, _similar_to_reference),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-networkx", action="store_true", help="skip the networkx runs")
    parser.add_argument("--only", default="", help="comma-separated algorithms (default: all of RUNS)")
    parser.add_argument("--nx-heavy-max-edges", type=int, default=300_000,
                        help="largest graph on which networkx's Louvain runs as the reference")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        parser.error(f"unknown algorithm(s) {unknown}; known: {list(RUNS)}")

    data, gen_s = timed(power_law_graph, args.nodes, args.edges, args.seed)
    base = {"nodes": len(data.ids), "edges": len(data.edges)}
    print(json.dumps({"generator_s": gen_s, **base}), file=sys.stderr, flush=True)

    G = None
    nx_build_s = None
    if not args.no_networkx:
        import networkx as nx

        def build() -> Any:
            g = nx.DiGraph()
            g.add_nodes_from(data.ids)
            ids = data.ids
            g.add_edges_from((ids[u], ids[v]) for u, v in data.edges)
            return g

        G, nx_build_s = timed(build)
    bench = Bench(data, G, args.seed, args.nx_heavy_max_edges)
    for name in names:
        line = {"algorithm": name, **base, "engine_s": None, "networkx_s": None, "agree": None, **RUNS[name](bench)}
        if line.get("networkx_s") is not None:
            line["networkx_build_s"] = nx_build_s
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
