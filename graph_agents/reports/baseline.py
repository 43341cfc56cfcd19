"""What changed since the previous run of the same template.

Template ids (T-001, ...) are per run, so "the same template" is a stable signature: algorithm,
parameters, collections, named graph and the store it ran on. Until the analytics catalog provides
baselines, each finished result is recorded in a small index file next to the results
(``<workspace>/results/index.jsonl``: signature, run, template, location) and
:func:`find_baseline` reads the latest earlier run's values back through the store. The catalog
can replace :func:`find_baseline` / :func:`record_result` without touching the report code.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models import AnalysisTemplate, Insight, Vertical
from .insights import named, num, pct

INDEX_FILE = "index.jsonl"
TOP_COMPARED = 10


@dataclass
class Baseline:
    run_id: str
    template_id: str
    location: str
    recorded_at: float
    values: dict[str, Any]


def signature(template: AnalysisTemplate, store: Any) -> str:
    """Identical for the same analysis of the same graph, whatever run or template id it has."""
    describe = store.describe() if hasattr(store, "describe") else {"kind": getattr(store, "kind", "")}
    key = {
        "algorithm": template.algorithm,
        "parameters": template.parameters,
        "vertex_collections": sorted(template.vertex_collections),
        "edge_collections": sorted(template.edge_collections),
        "graph_name": template.graph_name,
        "store": describe,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:24]


def index_path(ctx: Any) -> Path:
    return Path(ctx.workspace) / "results" / INDEX_FILE


def _entries(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:  # a torn last line from a crash: skip it
            continue
    return out


async def record_result(ctx: Any, template: AnalysisTemplate, run_id: str, location: str) -> None:
    """Remember where this run's result of ``template`` is, for later runs' comparisons."""
    path = index_path(ctx)
    line = json.dumps({"signature": signature(template, ctx.store), "run_id": run_id, "template_id": template.id,
                       "location": location, "recorded_at": time.time()}) + "\n"

    def append() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:  # one short line per write: appends do not interleave
            fh.write(line)

    await asyncio.to_thread(append)


async def find_baseline(ctx: Any, template: AnalysisTemplate, run_id: str) -> Baseline | None:
    """The latest result of the same template from another run, or None (first run, or it is gone)."""
    sig = signature(template, ctx.store)
    entries = await asyncio.to_thread(_entries, index_path(ctx))
    earlier = [e for e in entries if e.get("signature") == sig and e.get("run_id") != run_id]
    for entry in sorted(earlier, key=lambda e: e.get("recorded_at", 0), reverse=True):
        try:
            values = await ctx.store.read_results(entry["location"])
        except Exception:  # results cleaned up or unreadable: try the one before
            continue
        return Baseline(entry["run_id"], entry["template_id"], entry["location"], entry.get("recorded_at", 0), values)
    return None


def _delta(before: Any, now: Any) -> dict[str, Any] | None:
    if not isinstance(before, (int, float)) or not isinstance(now, (int, float)):
        return None
    out: dict[str, Any] = {"before": before, "now": now, "delta": round(now - before, 6)}
    if before:
        out["relative"] = round((now - before) / abs(before), 4)
    return out


SCORE_METRICS = ("count", "mean", "gini", "top1pct_share", "top10pct_share", "outlier_count")
PARTITION_METRICS = ("vertices", "count", "largest_size", "largest_share", "singletons", "non_trivial")


def compare(kind: str, now: dict[str, Any], before: dict[str, Any], baseline: Baseline) -> dict[str, Any]:
    """``facts["changes"]``: metric deltas, and who entered or left the top (scores)."""
    metrics = {}
    for key in SCORE_METRICS if kind == "score" else PARTITION_METRICS:
        d = _delta(before.get(key), now.get(key))
        if d is not None:
            metrics[key] = d
    out: dict[str, Any] = {"baseline_run": baseline.run_id, "baseline_template": baseline.template_id, "metrics": metrics}
    if kind == "score":
        top_now = [t["id"] for t in now.get("top", [])[:TOP_COMPARED]]
        top_before = [t["id"] for t in before.get("top", [])[:TOP_COMPARED]]
        out["entered_top"] = [i for i in top_now if i not in top_before]
        out["left_top"] = [i for i in top_before if i not in top_now]
        # the current top's scores then and now, for the change chart
        out["top_scores"] = [
            {"id": i, "now": float(s), "before": float(baseline.values[i]) if isinstance(baseline.values.get(i), (int, float)) else None}
            for i, s in ((t["id"], t["score"]) for t in now.get("top", [])[:TOP_COMPARED])
        ]
    else:
        out["size_histogram"] = {"before": before.get("size_histogram", {}), "now": now.get("size_histogram", {})}
    return out


def change_insight(kind: str, changes: dict[str, Any], names: dict[str, str], v: Vertical) -> Insight:
    """One insight that says what moved since the baseline run (or that nothing did)."""
    nodes = v.term("nodes")
    labels = {"count": f"{nodes} scored" if kind == "score" else "groups", "mean": "mean score", "gini": "Gini",
              "top1pct_share": "top-1% share", "top10pct_share": "top-10% share", "outlier_count": "outliers",
              "vertices": nodes, "largest_size": "largest group", "largest_share": "largest group's share",
              "singletons": "singletons", "non_trivial": "groups of two or more"}
    moved = {k: m for k, m in changes["metrics"].items() if m["delta"]}
    shares = {"top1pct_share", "top10pct_share", "largest_share"}

    def show(key: str, x: float) -> str:
        return pct(x) if key in shares else num(x)

    parts = [f"{labels[k]} {show(k, m['before'])} → {show(k, m['now'])}" for k, m in moved.items()]
    text = f"Since run {changes['baseline_run']}: " + ("; ".join(parts) if parts else "no headline figure changed") + "."
    entities: list[str] = []
    if kind == "score":
        if changes.get("entered_top"):
            entities = changes["entered_top"][:5]
            text += f" New in the top {TOP_COMPARED}: {named(entities, names)}."
        if changes.get("left_top"):
            text += f" Left the top {TOP_COMPARED}: {named(changes['left_top'][:5], names)}."
    return Insight(
        id="C1",
        title="Changed since the previous run" if moved or entities else "Stable since the previous run",
        description=text,
        confidence=0.9,
        evidence=["changes"] + [f"changes.metrics.{k}" for k in moved],
        entities=entities,
    )


__all__ = ["Baseline", "change_insight", "compare", "find_baseline", "record_result", "signature"]
