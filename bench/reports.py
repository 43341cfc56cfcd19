"""Benchmark report building on large results: facts, detectors, grounding, HTML.

    python bench/reports.py [--vertices 1000000] [--edges 2000000] [--seed 0]

Prints one JSON object per line and result kind: ``{"kind", "vertices", "facts_s", "isolation_s"
(partitions), "build_s" (detectors, insights, grounding), "html_s", "html_bytes", "checked",
"removed"}``. Scores are Pareto-distributed; partition labels follow power-law group sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph_agents.models import AnalysisTemplate, UseCase  # noqa: E402
from graph_agents.reports import build_report, compute_facts  # noqa: E402
from graph_agents.reports.detectors import share_fractions  # noqa: E402
from graph_agents.reports.facts import group_isolation  # noqa: E402
from graph_agents.reports.html import render_report  # noqa: E402
from graph_agents.verticals import load_vertical  # noqa: E402


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, round(time.perf_counter() - start, 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vertices", type=int, default=1_000_000)
    ap.add_argument("--edges", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.vertices
    ids = [f"accounts/a{i}" for i in range(n)]
    use_case = UseCase(id="UC-001", title="bench", algorithm="pagerank")

    for algorithm, vertical in (("pagerank", "ecommerce"), ("betweenness", "fraud")):
        v = load_vertical(vertical)
        scores = dict(zip(ids, (rng.pareto(1.5, n) + 1).tolist()))
        facts, facts_s = timed(compute_facts, "score", scores, share_fractions(v, algorithm, ["accounts"]))
        t = AnalysisTemplate(id="T-001", use_case_id="UC-001", title="bench", algorithm=algorithm,
                             vertex_collections=["accounts"], edge_collections=["transfers"])
        report, build_s = timed(build_report, t, use_case, facts, {}, v)
        html, html_s = timed(render_report, report)
        print(json.dumps({"kind": "score", "algorithm": algorithm, "vertices": n, "facts_s": facts_s, "build_s": build_s,
                          "html_s": html_s, "html_bytes": len(html.encode()), **{k: report.grounding[k] for k in ("checked", "removed")}}))

    for algorithm, vertical in (("wcc", "fraud"), ("label_propagation", "ecommerce")):
        v = load_vertical(vertical)
        sizes = np.minimum((rng.pareto(1.2, n) + 1).astype(int), n)
        labels = np.repeat(np.arange(len(sizes)), sizes)[:n]
        values = dict(zip(ids, [f"g{x}" for x in labels.tolist()]))
        facts, facts_s = timed(compute_facts, "partition", values)
        edges = list(zip(rng.integers(0, n, args.edges).tolist(), rng.integers(0, n, args.edges).tolist()))
        _, isolation_s = timed(group_isolation, facts, values, ids, edges)
        t = AnalysisTemplate(id="T-002", use_case_id="UC-001", title="bench", algorithm=algorithm,
                             vertex_collections=["accounts"], edge_collections=["transfers"])
        report, build_s = timed(build_report, t, use_case, facts, {}, v)
        html, html_s = timed(render_report, report)
        print(json.dumps({"kind": "partition", "algorithm": algorithm, "vertices": n, "groups": facts["count"],
                          "edges": args.edges, "facts_s": facts_s, "isolation_s": isolation_s, "build_s": build_s,
                          "html_s": html_s, "html_bytes": len(html.encode()), **{k: report.grounding[k] for k in ("checked", "removed")}}))


if __name__ == "__main__":
    main()
