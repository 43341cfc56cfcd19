"""Facts computed from the full result of one analysis: scores or partitions."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

TOP_K = 25
MAX_GROUPS = 50
MAX_MEMBERS = 50
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


def score_facts(values: dict[str, float]) -> dict[str, Any]:
    ids = list(values)
    arr = np.array([float(values[i]) for i in ids]) if ids else np.zeros(0)
    if arr.size == 0:
        return {"kind": "score", "count": 0}
    order = np.argsort(-arr, kind="stable")
    desc = arr[order]
    q1, q3 = np.quantile(arr, [0.25, 0.75])
    fence = q3 + 3 * (q3 - q1)
    outliers = [ids[i] for i in order if arr[i] > fence] if q3 > q1 else []
    return {
        "kind": "score",
        "count": int(arr.size),
        "total": float(arr.sum()),
        "mean": float(arr.mean()),
        "quantiles": {k: float(np.quantile(arr, q)) for k, q in QUANTILES.items()},
        "gini": round(gini(arr), 4),
        "top1pct_share": round(_share(desc, 0.01), 4),
        "top10pct_share": round(_share(desc, 0.10), 4),
        "outlier_fence": float(fence),
        "outlier_count": len(outliers),
        "top": [{"id": ids[i], "score": float(arr[i])} for i in order[:TOP_K]],
    }


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
        "singletons": int((sizes == 1).sum()),
        "non_trivial": int((sizes > 1).sum()),
        "size_quantiles": {k: float(np.quantile(sizes, q)) for k, q in QUANTILES.items()},
        "size_histogram": _histogram(sizes),
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


def compute_facts(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    return score_facts(values) if kind == "score" else partition_facts(values)
