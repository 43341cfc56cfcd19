"""What changed since the previous run of the same template.

Template ids (T-001, ...) are per run, so "the same template" is a stable key: algorithm,
parameters, collections, named graph and the store it ran on. Each execution is recorded in the
analytics catalog with that key (:func:`baseline_key`); :func:`find_baseline` asks the catalog for
the latest completed execution of the key in another run and reads its values back through the
store. Without a catalog there is no baseline.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..models import AnalysisTemplate, Insight, Vertical
from .wording import named, pct, readable
from .wording import when

TOP_COMPARED = 10


@dataclass
class Baseline:
    run_id: str
    template_id: str
    location: str
    recorded_at: float
    values: dict[str, Any]
    epoch: str = ""  # the catalog epoch of the baseline run ("" or the run id when none was named)

    @property
    def label(self) -> str:
        """How a reader knows the baseline: its epoch when one was named, and the date it ran."""
        date = when(self.recorded_at)
        return f"epoch {self.epoch} ({date})" if self.epoch and self.epoch != self.run_id else f"the run of {date}"


def baseline_key(template: AnalysisTemplate, store: Any) -> str:
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


async def find_baseline(ctx: Any, template: AnalysisTemplate, run_id: str) -> Baseline | None:
    """The latest result of the same template from another run, or None (first run, no catalog,
    or the earlier results are gone)."""
    if ctx.catalog is None:
        return None
    for entry in await ctx.catalog.previous_executions(baseline_key(template, ctx.store), run_id):
        try:
            values = await ctx.store.read_results(entry["result_location"])
        except Exception:  # results cleaned up or unreadable: try the one before
            continue
        return Baseline(entry["run_id"], entry["template_id"], entry["result_location"], entry.get("finished_at") or 0,
                        values, entry.get("epoch") or "")
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
    out: dict[str, Any] = {"baseline_run": baseline.run_id, "baseline_template": baseline.template_id,
                           "baseline_epoch": baseline.epoch, "baseline_label": baseline.label, "metrics": metrics}
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
        return pct(x) if key in shares else readable(x)

    parts = [f"{labels[k]} {show(k, m['before'])} → {show(k, m['now'])}" for k, m in moved.items()]
    since = changes.get("baseline_label") or f"run {changes['baseline_run']}"
    text = f"Since {since}: " + ("; ".join(parts) if parts else "no headline figure changed") + "."
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


__all__ = ["Baseline", "baseline_key", "change_insight", "compare", "find_baseline"]
