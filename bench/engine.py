"""Benchmark the local engine's ``compute`` against networkx on a power-law directed graph.

    python bench/engine.py [--nodes 200000] [--edges 2000000] [--seed 0] [--no-networkx]

Prints one JSON object per line and algorithm:
``{"algorithm", "nodes", "edges", "engine_s", "networkx_s", "agree", ...}``. ``engine_s`` is the
wall time of one ``compute`` call on a GraphData (including turning its edge list into arrays and
an igraph graph); ``networkx_s`` is the networkx algorithm alone, on a DiGraph built beforehand
(the build time is ``networkx_build_s``). ``agree``: PageRank max abs difference below 1e-6;
components: identical partitions. Algorithms without a networkx counterpart here
(label_propagation, sampled betweenness) report null.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-networkx", action="store_true", help="skip the networkx runs")
    args = parser.parse_args()

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

    def report(algorithm: str, engine_s: float, networkx_s: float | None, agree: bool | None, **extra: Any) -> None:
        line = {"algorithm": algorithm, **base, "engine_s": engine_s, "networkx_s": networkx_s, "agree": agree}
        if networkx_s is not None:
            line["networkx_build_s"] = nx_build_s
        print(json.dumps({**line, **extra}), flush=True)

    # pagerank
    ours, engine_s = timed(compute, "pagerank", {}, data, args.seed)
    if G is not None:
        import networkx as nx

        theirs, nx_s = timed(nx.pagerank, G, alpha=0.85, tol=NETWORKX_TOL, max_iter=1000)
        diff = max(abs(ours[v] - theirs[v]) for v in data.ids)
        report("pagerank", engine_s, nx_s, diff < 1e-6, max_abs_diff=diff)
    else:
        report("pagerank", engine_s, None, None)

    # components
    for name in ("wcc", "scc"):
        ours, engine_s = timed(compute, name, {}, data, args.seed)
        count = len(set(ours.values()))
        if G is not None:
            import networkx as nx

            fn = nx.weakly_connected_components if name == "wcc" else nx.strongly_connected_components
            theirs, nx_s = timed(lambda: labels_by_smallest_id(fn(G)))
            report(name, engine_s, nx_s, ours == theirs, components=count)
        else:
            report(name, engine_s, None, None, components=count)

    # label propagation and sampled betweenness: the engine alone
    ours, engine_s = timed(compute, "label_propagation", {"maximum_supersteps": 20}, data, args.seed)
    sizes = np.bincount(np.unique(list(ours.values()), return_inverse=True)[1])
    report(
        "label_propagation", engine_s, None, None,
        communities=len(sizes), largest_community=int(sizes.max()),
    )
    ours, engine_s = timed(compute, "betweenness", {"k": 32}, data, args.seed)
    top = max(ours, key=ours.get)
    report("betweenness", engine_s, None, None, k=32, top_vertex=top, top_value=ours[top])


if __name__ == "__main__":
    main()
