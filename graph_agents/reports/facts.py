"""Facts computed from the full result of one analysis: scores or partitions."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from typing import Any, Mapping

import numpy as np

from ..stores.base import VertexValues

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


def score_facts(values: Mapping[str, float], fractions: tuple[float, ...] = ()) -> dict[str, Any]:
    vv = VertexValues.of(values)
    ids = vv.ids
    arr = vv.scores if vv.scores is not None else np.array([float(x) for x in vv.column()], dtype=np.float64)
    if arr.size == 0:
        return {"kind": "score", "count": 0}
    order = np.argsort(-arr, kind="stable")
    desc = arr[order]
    quantiles = _quantiles(arr)
    q1, q3 = quantiles["p25"], quantiles["p75"]
    fence = q3 + 3 * (q3 - q1)
    outliers = int((arr > fence).sum()) if q3 > q1 else 0
    total = float(arr.sum())
    second = float(desc[1]) if desc.size > 1 else 0.0
    floor = _floor(arr, quantiles)
    facts = {
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
        "outlier_count": outliers,
        # the leader against the rest: what "N times the next" and "holds X% of all" cite
        "leader_share": round(float(desc[0]) / total, 4) if total > 0 else 0.0,
        "lead_ratio": round(float(desc[0]) / second, 4) if second > 0 else None,
        # a block tied at the minimum is described (``floor``), not charted: the chart shows the rest
        "distribution": score_histogram(arr[arr > floor["value"]] if floor else arr),
        "zero_count": int((arr == 0).sum()),
        "top": [{"id": ids[i], "score": float(arr[i])} for i in order[:TOP_K].tolist()],
        **_value_counts(arr),
    }
    if floor:
        facts["floor"] = floor
    return facts


FLOOR_SHARE = 0.1  # share of the vertices tied at the minimum that makes the tie a finding of its own


def _floor(arr: np.ndarray, quantiles: dict[str, float]) -> dict[str, Any] | None:
    """The vertices tied at the lowest score, when they are many (betweenness 0 of the vertices no
    shortest path crosses; PageRank's floor of the vertices nothing points at): {"value", "count",
    "share"}. None when the scores are all equal (no ranking at all) or the tie is small."""
    lo = quantiles["min"]
    if arr.size < 2 or lo == quantiles["max"]:
        return None
    count = int((arr == lo).sum())
    if count < max(2, FLOOR_SHARE * arr.size):
        return None
    return {"value": float(lo), "count": count, "share": round(count / arr.size, 4)}


MAX_DISTINCT = 60


def _value_counts(arr: np.ndarray) -> dict[str, Any]:
    """Whole-number scores with few distinct values (core numbers, degrees, triangle counts):
    how many vertices have each value, for a per-value chart and exact sentences."""
    if not np.all(arr == np.round(arr)):
        return {}
    distinct, counts = np.unique(arr.astype(np.int64), return_counts=True)
    if len(distinct) > MAX_DISTINCT:
        return {}
    return {"value_counts": {str(k): int(c) for k, c in zip(distinct.tolist(), counts.tolist())}}


def _quantiles(values: np.ndarray) -> dict[str, float]:
    # one call for all of them: numpy's per-call overhead dwarfs the work on small results
    return dict(zip(QUANTILES, (float(q) for q in np.quantile(values, list(QUANTILES.values())))))


def _label(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def _coded_groups(vv: VertexValues) -> tuple[list[tuple[str, int, list[str]]], np.ndarray]:
    """The listed groups (label, size, members) of a one-label-per-vertex partition, and all sizes,
    largest first (ties by label), from the code array."""
    codes = vv.codes
    counts = np.bincount(codes[codes >= 0], minlength=len(vv.labels))
    present = np.flatnonzero(counts)
    labels = [str(vv.labels[c]) for c in present.tolist()]
    by_label = np.argsort(np.asarray(labels, dtype=object), kind="stable") if labels else np.zeros(0, dtype=np.int64)
    order = by_label[np.argsort(-counts[present][by_label], kind="stable")]  # size desc, then label
    sizes = counts[present][order]
    top = present[order[:MAX_GROUPS]]
    members_of = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(codes + 1, minlength=len(vv.labels) + 1))])[1:]
    ids = vv.ids
    listed = []
    for c in top.tolist():
        rows = members_of[starts[c] : starts[c] + counts[c]].tolist()
        listed.append((str(vv.labels[c]), int(counts[c]), [ids[r] for r in rows]))
    return listed, sizes


def partition_facts(values: Mapping[str, Any]) -> dict[str, Any]:
    vv = VertexValues.partition(values)
    n = len(vv)
    if vv.codes is not None:
        listed, sizes = _coded_groups(vv)
    else:
        members: dict[str, list[str]] = defaultdict(list)
        for vid, value in vv.items():
            for label in _label(value):
                members[label].append(vid)
        groups = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        sizes = np.array([len(m) for _, m in groups], dtype=np.int64)
        listed = [(label, len(m), m) for label, m in groups[:MAX_GROUPS]]
    if not listed:
        return {"kind": "partition", "count": 0, "vertices": n}
    distinct, repeats = np.unique(sizes, return_counts=True)
    return {
        "kind": "partition",
        "vertices": n,
        "count": int(len(sizes)),
        "largest_size": int(sizes[0]),
        "largest_share": round(float(sizes[0] / n), 4) if n else 0.0,
        "second_size": int(sizes[1]) if len(sizes) > 1 else 0,
        "largest_to_second": round(float(sizes[0] / sizes[1]), 4) if len(sizes) > 1 else None,
        "singletons": int((sizes == 1).sum()),
        "non_trivial": int((sizes > 1).sum()),
        "size_quantiles": _quantiles(sizes),
        "size_histogram": _histogram(sizes),
        # every group size and how many groups have it: compact even for millions of singletons
        "size_counts": {str(k): c for k, c in zip(distinct[::-1].tolist(), repeats[::-1].tolist())},
        "groups": [
            {
                "label": label,
                "size": size,
                "collections": dict(Counter(v.split("/", 1)[0] for v in m)),
                "members": heapq.nsmallest(MAX_MEMBERS, m),
            }
            for label, size, m in listed
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
    """Counts of the score distribution: log-spaced bins when the values span decades.

    The first edge is the minimum and the last the maximum, exactly (``np.logspace`` lands a
    rounding error inside them, which left the extremes out of every bin). Zeros are counted apart
    so a log scale stays possible.
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
    edges[0] = lo
    if hi > lo:
        edges[-1] = hi
    counts, edges = np.histogram(positive, bins=edges)
    return {"scale": scale, "edges": [float(e) for e in edges], "counts": [int(c) for c in counts], "zeros": zeros}


def compute_facts(kind: str, values: dict[str, Any], fractions: tuple[float, ...] = ()) -> dict[str, Any]:
    """``fractions``: extra top fractions whose share of the total to measure (scores only)."""
    if kind == "flags":
        from .cohesion import flag_facts  # the cohesion report module builds on these facts

        return flag_facts(values)
    return score_facts(values, tuple(fractions)) if kind == "score" else partition_facts(values)


def group_isolation(facts: dict[str, Any], values: Mapping[str, Any], ids: list[str], edges: Any) -> None:
    """Add ``internal_edges``, ``boundary_edges`` and ``isolation`` (internal share) to the listed groups.

    ``ids``/``edges`` (pairs or an ``(m, 2)`` array) are the graph the partition ran on; one pass
    over the edges, vectorised when each vertex has one label.
    """
    groups = facts.get("groups") or []
    if not groups:
        return
    wanted = {g["label"]: i for i, g in enumerate(groups)}
    k = len(groups)
    internal = [0] * k
    boundary = [0] * k
    vv = VertexValues.partition(values)
    e = edges if isinstance(edges, np.ndarray) else np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if vv.codes is not None:
        by_code = np.array([wanted.get(str(x), -1) for x in vv.labels] + [-1], dtype=np.int64)  # code -1: none
        gi = by_code[vv.codes]
        if vv.ids is not ids and vv.ids != ids:  # the result's vertex order is not the graph's
            where = {v: i for i, v in enumerate(vv.ids)}
            gi = np.array([gi[where[v]] if v in where else -1 for v in ids], dtype=np.int64)
    else:
        labels = [values.get(v) for v in ids]
        if any(isinstance(x, (list, tuple)) for x in labels):
            gi = None
        else:
            gi = np.array([wanted.get(str(x), -1) if x is not None else -1 for x in labels], dtype=np.int64)
    if gi is not None and len(e):
        a, b = gi[e[:, 0]], gi[e[:, 1]]
        same = a == b
        internal = np.bincount(a[same & (a >= 0)], minlength=k).tolist()
        boundary = (np.bincount(a[~same & (a >= 0)], minlength=k) + np.bincount(b[~same & (b >= 0)], minlength=k)).tolist()
    elif gi is None:
        label_of = [set(_label(x)) for x in labels]
        for s, t in e.tolist():
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
