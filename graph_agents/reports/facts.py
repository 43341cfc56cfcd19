"""Facts computed from the full result of one analysis: scores or partitions."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

TOP_K = 25
MAX_GROUPS = 50
MAX_MEMBERS = 50
# facts drawn as charts, not cited: no report sentence (nor an LLM's) may rest on a histogram bin
CHART_ONLY = ("distribution",)
QUANTILES = {"min": 0.0, "p25": 0.25, "median": 0.5, "p75": 0.75, "p90": 0.9, "p99": 0.99, "max": 1.0}


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds everything)."""
    v = np.sort(np.clip(values.astype(float), 0, None))
    n, total = v.size, v.sum()
    if n == 0 or total == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ v / (n * total))


def _share(sorted_desc: np.ndarray, fraction: float) -> float:
    total = sorted_desc.sum()
    k = max(1, int(round(len(sorted_desc) * fraction)))
    return float(sorted_desc[:k].sum() / total) if total else 0.0


SHARE_FRACTIONS = (0.01, 0.05, 0.1, 0.2)


def score_facts(values: dict[str, float], fractions: tuple[float, ...] = ()) -> dict[str, Any]:
    ids = list(values)
    arr = np.array([float(values[i]) for i in ids]) if ids else np.zeros(0)
    if arr.size == 0:
        return {"kind": "score", "count": 0}
    order = np.argsort(-arr, kind="stable")
    desc = arr[order]
    quantiles = _quantiles(arr)
    q1, q3 = quantiles["p25"], quantiles["p75"]
    fence = q3 + 3 * (q3 - q1)
    outliers = [ids[i] for i in order if arr[i] > fence] if q3 > q1 else []
    total = float(arr.sum())
    second = float(desc[1]) if desc.size > 1 else 0.0
    return {
        "kind": "score",
        "count": int(arr.size),
        "total": total,
        "mean": float(arr.mean()),
        "quantiles": quantiles,
        "gini": round(gini(arr), 4),
        "top1pct_share": round(_share(desc, 0.01), 4),
        "top10pct_share": round(_share(desc, 0.10), 4),
        # share of the total held by the top fraction of vertices, for the detectors that ask
        "top_shares": {str(f): round(_share(desc, f), 4) for f in sorted({*SHARE_FRACTIONS, *fractions})},
        "outlier_fence": float(fence),
        "outlier_count": len(outliers),
        # the leader against the rest: what "N times the next" and "holds X% of all" cite
        "leader_share": round(float(desc[0]) / total, 4) if total > 0 else 0.0,
        "lead_ratio": round(float(desc[0]) / second, 4) if second > 0 else None,
        "distribution": score_histogram(arr),
        "top": [{"id": ids[i], "score": float(arr[i])} for i in order[:TOP_K]],
    }


def _quantiles(values: np.ndarray) -> dict[str, float]:
    # one call for all of them: numpy's per-call overhead dwarfs the work on small results
    return dict(zip(QUANTILES, (float(q) for q in np.quantile(values, list(QUANTILES.values())))))


def _label(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def partition_facts(values: dict[str, Any]) -> dict[str, Any]:
    members: dict[str, list[str]] = defaultdict(list)
    for vid, value in values.items():
        for label in _label(value):
            members[label].append(vid)
    if not members:
        return {"kind": "partition", "count": 0, "vertices": len(values)}
    groups = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    sizes = np.array([len(m) for _, m in groups])
    n = len(values)
    return {
        "kind": "partition",
        "vertices": n,
        "count": len(groups),
        "largest_size": int(sizes[0]),
        "largest_share": round(float(sizes[0] / n), 4) if n else 0.0,
        "second_size": int(sizes[1]) if len(sizes) > 1 else 0,
        "largest_to_second": round(float(sizes[0] / sizes[1]), 4) if len(sizes) > 1 else None,
        "singletons": int((sizes == 1).sum()),
        "non_trivial": int((sizes > 1).sum()),
        "size_quantiles": _quantiles(sizes),
        "size_histogram": _histogram(sizes),
        # every group size and how many groups have it: compact even for millions of singletons
        "size_counts": {str(int(k)): int(c) for k, c in sorted(Counter(sizes.tolist()).items(), reverse=True)},
        "groups": [
            {
                "label": label,
                "size": len(m),
                "collections": dict(Counter(v.split("/", 1)[0] for v in m)),
                "members": sorted(m)[:MAX_MEMBERS],
            }
            for label, m in groups[:MAX_GROUPS]
        ],
    }


def _histogram(sizes: np.ndarray) -> dict[str, int]:
    """Group counts by size band: 1, 2-4, 5-9, 10-99, 100-999, 1000+."""
    bands = [(1, 1), (2, 4), (5, 9), (10, 99), (100, 999), (1000, None)]
    out = {}
    for lo, hi in bands:
        mask = (sizes >= lo) & (sizes <= hi) if hi else sizes >= lo
        out[f"{lo}" if lo == hi else f"{lo}+" if hi is None else f"{lo}-{hi}"] = int(mask.sum())
    return out


def score_histogram(arr: np.ndarray, bins: int = 20) -> dict[str, Any]:
    """Counts of the full score distribution: log-spaced bins when the values span decades.

    Zeros (common for betweenness) are counted apart so a log scale stays possible.
    """
    positive = arr[arr > 0]
    zeros = int((arr <= 0).sum())
    if positive.size == 0:
        return {"scale": "linear", "edges": [], "counts": [], "zeros": zeros}
    lo, hi = float(positive.min()), float(positive.max())
    if hi > lo and hi / lo >= 100:
        edges = np.logspace(np.log10(lo), np.log10(hi), bins + 1)
        scale = "log"
    else:
        edges = np.linspace(lo, hi if hi > lo else lo + 1e-12, bins + 1)
        scale = "linear"
    counts, edges = np.histogram(positive, bins=edges)
    return {"scale": scale, "edges": [float(e) for e in edges], "counts": [int(c) for c in counts], "zeros": zeros}


def compute_facts(kind: str, values: dict[str, Any], fractions: tuple[float, ...] = ()) -> dict[str, Any]:
    """``fractions``: extra top fractions whose share of the total to measure (scores only)."""
    return score_facts(values, tuple(fractions)) if kind == "score" else partition_facts(values)


def group_isolation(facts: dict[str, Any], values: dict[str, Any], ids: list[str], edges: list[tuple[int, int]]) -> None:
    """Add ``internal_edges``, ``boundary_edges`` and ``isolation`` (internal share) to the listed groups.

    ``ids``/``edges`` are the graph the partition ran on; one pass over the edges.
    """
    groups = facts.get("groups") or []
    if not groups:
        return
    wanted = {g["label"]: i for i, g in enumerate(groups)}
    k = len(groups)
    internal = [0] * k
    boundary = [0] * k
    labels = [values.get(v) for v in ids]
    if edges and not any(isinstance(x, (list, tuple)) for x in labels):
        # one label per vertex (communities): vectorised, a few hundred ms for millions of edges
        gi = np.array([wanted.get(str(x), -1) if x is not None else -1 for x in labels], dtype=np.int64)
        e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        a, b = gi[e[:, 0]], gi[e[:, 1]]
        same = a == b
        internal = np.bincount(a[same & (a >= 0)], minlength=k).tolist()
        boundary = (np.bincount(a[~same & (a >= 0)], minlength=k) + np.bincount(b[~same & (b >= 0)], minlength=k)).tolist()
        edges = []
    label_of = [set(_label(x)) for x in labels] if edges else []
    for s, t in edges:
        a, b = label_of[s], label_of[t]
        for label in a | b:
            i = wanted.get(label)
            if i is None:
                continue
            if label in a and label in b:
                internal[i] += 1
            else:
                boundary[i] += 1
    for i, g in enumerate(groups):
        total = internal[i] + boundary[i]
        g["internal_edges"] = internal[i]
        g["boundary_edges"] = boundary[i]
        g["isolation"] = round(internal[i] / total, 4) if total else 1.0
