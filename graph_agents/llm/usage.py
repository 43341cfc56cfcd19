"""What the LLM cost a run: one record per invocation, the same totals everywhere, the budget.

A record (``ctx.llm_calls``, one per structured-output request, its retries inside it) holds
``agent``, ``method``, ``model``, ``attempts``, ``retried_errors``, ``input_tokens`` /
``output_tokens`` (an int, or ``"unknown"`` when the server said nothing, e.g. a timeout),
``latency_s``, ``started_at`` / ``ended_at`` (epoch seconds), ``cached``, ``ok`` (an answer
came back), ``parsed`` (it fit the schema), ``error``. A request the budget stopped is a record
with ``budget_hit`` and no attempts. :func:`totals` is what run.json, the trace, its summary
and the CLI all show.
"""

from __future__ import annotations

import time
from typing import Any, Iterable

UNKNOWN = "unknown"
LLM_CALL_EVENT = "graph_agents.llm_call"  # the custom event that hands a finished record to the run's callbacks


def _known(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def wait_wall_s(records: Iterable[dict[str, Any]]) -> float:
    """Wall time during which at least one request was waiting on the model (overlaps merged)."""
    spans = sorted((r["started_at"], r["ended_at"]) for r in records
                   if r.get("attempts") and r.get("started_at") is not None and r.get("ended_at") is not None)
    total, end = 0.0, None
    for start, stop in spans:
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return round(total, 4)


def _tokens(records: list[dict[str, Any]], key: str) -> int | str:
    known = [r[key] for r in records if _known(r.get(key))]
    return sum(known) if known or not records else UNKNOWN


def totals(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The run's LLM totals from its invocation records."""
    records = list(records)
    calls = [r for r in records if not r.get("budget_hit")]
    unknown = [r for r in calls if not r.get("cached") and not (_known(r.get("input_tokens")) and _known(r.get("output_tokens")))]
    unknown_ids = {id(r) for r in unknown}
    by_method: dict[str, dict[str, int]] = {}
    by_agent: dict[str, dict[str, Any]] = {}
    for r in calls:
        m = by_method.setdefault(str(r.get("method")), {"calls": 0, "parsed": 0})
        m["calls"] += 1
        m["parsed"] += bool(r.get("parsed"))
    for r in records:
        a = by_agent.setdefault(str(r.get("agent")), {"calls": 0, "parsed": 0, "methods": [], "input_tokens": 0,
                                                     "output_tokens": 0, "unknown_usage_calls": 0, "budget_hits": 0})
        if r.get("budget_hit"):
            a["budget_hits"] += 1
            continue
        a["calls"] += 1
        a["parsed"] += bool(r.get("parsed"))
        a["methods"].append(r.get("method"))
        a["unknown_usage_calls"] += id(r) in unknown_ids
        for key in ("input_tokens", "output_tokens"):
            a[key] += r[key] if _known(r.get(key)) else 0
    return {
        "calls": len(calls),
        "attempts": sum(int(r.get("attempts") or 0) for r in calls),
        "cached_calls": sum(1 for r in calls if r.get("cached")),
        "parsed_calls": sum(1 for r in calls if r.get("parsed")),
        "failed_calls": sum(1 for r in calls if not r.get("ok")),
        "input_tokens": _tokens(calls, "input_tokens"),
        "output_tokens": _tokens(calls, "output_tokens"),
        "unknown_usage_calls": len(unknown),
        # the sum counts parallel requests once each; the wall time counts overlapping waits once
        "time_summed_s": round(sum(float(r.get("latency_s") or 0.0) for r in calls), 4),
        "wait_wall_s": wait_wall_s(calls),
        "by_method": by_method,
        "by_agent": by_agent,
        "budget_hits": sum(1 for r in records if r.get("budget_hit")),
    }


def tokens_text(t: dict[str, Any]) -> str:
    """``1,234 in / 56 out`` (and how many calls reported no usage), from :func:`totals`."""
    def fmt(v: Any) -> str:
        return f"{v:,}" if _known(v) else str(v)

    extra = f" (+ {t['unknown_usage_calls']} call(s) with unknown usage)" if t["unknown_usage_calls"] else ""
    return f"{fmt(t['input_tokens'])} in / {fmt(t['output_tokens'])} out{extra}"


def time_text(t: dict[str, Any]) -> str:
    return f"{t['wait_wall_s']:.2f} s waiting on the model (wall), {t['time_summed_s']:.2f} s summed over calls"


def calls_text(t: dict[str, Any]) -> str:
    parts = [f"{t['attempts']} attempts", f"{t['parsed_calls']} parsed"]
    if t["cached_calls"]:
        parts.append(f"{t['cached_calls']} cached")
    if t["budget_hits"]:
        parts.append(f"{t['budget_hits']} skipped: budget")
    return f"{t['calls']} ({', '.join(parts)})"


class Budget:
    """The run-level LLM budget, read from the run's records: wall time waiting on the model and
    tokens used (known usage; cached answers cost nothing). ``exhausted()`` names what ran out."""

    def __init__(self, records: list[dict[str, Any]], seconds: float, tokens: int) -> None:
        self.records, self.seconds, self.tokens = records, seconds, tokens

    def used_tokens(self) -> int:
        return sum(int(r[k]) for r in self.records if not r.get("cached")
                   for k in ("input_tokens", "output_tokens") if _known(r.get(k)))

    def remaining_s(self) -> float | None:
        return None if not self.seconds else self.seconds - wait_wall_s(self.records)

    def exhausted(self) -> str | None:
        left = self.remaining_s()
        if left is not None and left <= 0:
            return f"time: {self.seconds:g} s of waiting on the model used"
        if self.tokens and self.used_tokens() >= self.tokens:
            return f"tokens: {self.tokens:,} used"
        return None

    def hit(self, agent: str, reason: str) -> dict[str, Any]:
        now = time.time()
        record = {"agent": agent, "method": None, "budget_hit": reason, "attempts": 0, "ok": False, "parsed": False,
                  "cached": False, "input_tokens": 0, "output_tokens": 0, "latency_s": 0.0,
                  "started_at": now, "ended_at": now, "error": f"LLM budget exhausted ({reason})"}
        self.records.append(record)
        return record
