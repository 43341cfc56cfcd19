"""What became of every requirement: answered by use cases, or not analysed and why.

Set when use cases are planned (answered, no algorithm, out of scope, needs entity: a path,
neighbourhood or similar-to ask that names no vertex), settled when templates
are planned, after any human review (dropped in review, over ``max_executions``), and concluded
when the analyses have run (``unresolved_entity``: every analysis of the requirement stopped at a
name in the ask that names no vertex, or several).
"""

from __future__ import annotations

from typing import Any

from .entities import Resolution
from .models import AnalysisTemplate, Coverage, Requirements, UseCase

REASONS = {
    "answered": "answered by the use case(s) listed",
    "no_algorithm": "no algorithm of the catalog answers it",
    "out_of_scope": "the documents put it out of scope",
    "over_max_executions": "its analyses were over the max_executions cap",
    "dropped_in_review": "its use cases were dropped in review",
    "unresolved_entity": "a name in the ask does not name exactly one vertex",
    "needs_entity": "the ask names no vertex to start from, and its algorithm needs one",
}


def planned(reqs: Requirements, use_cases: list[UseCase], why_not: dict[str, tuple[str, str]],
            candidates: dict[str, list[dict[str, Any]]]) -> list[Coverage]:
    """Coverage after use-case planning; ``why_not``: requirement id -> (outcome, reason) of the
    asks no use case answers (for a requirement answered in part, the reason says what was not)."""
    out = []
    for req in reqs.requirements:
        ids = [u.id for u in use_cases if req.id in u.requirement_ids]
        outcome, reason = ("answered", REASONS["answered"]) if ids else why_not.get(req.id, ("no_algorithm", REASONS["no_algorithm"]))
        if ids and req.id in why_not:  # one ask of two answered: the other is still accounted for
            reason += f"; not analysed ({why_not[req.id][0].replace('_', ' ')}): {why_not[req.id][1]}"
        out.append(Coverage(requirement_id=req.id, text=req.text, outcome=outcome, reason=reason,
                            use_case_ids=ids, candidates=candidates.get(req.id, [])))
    return out


def settled(coverage: list[Coverage], use_cases: list[UseCase], templates: list[AnalysisTemplate]) -> list[Coverage]:
    """Coverage once the use cases stand (after review) and the templates are cut to the cap."""
    by_req: dict[str, list[str]] = {}
    for u in use_cases:
        for r in u.requirement_ids:
            by_req.setdefault(r, []).append(u.id)
    run = {t.use_case_id: t.id for t in templates}
    out = []
    for c in coverage:
        ids = by_req.get(c.requirement_id, [])
        c = c.model_copy(update={"use_case_ids": ids, "template_ids": [run[u] for u in ids if u in run]})
        if c.template_ids:
            capped = [u for u in ids if u not in run]
            c.outcome = "answered"
            c.reason = REASONS["answered"] + (f"; {', '.join(capped)} over the max_executions cap" if capped else "")
        elif ids:
            c.outcome, c.reason = "over_max_executions", REASONS["over_max_executions"] + f" ({', '.join(ids)} not run)"
        elif c.outcome == "answered":  # it had use cases when planned, and has none now
            c.outcome, c.reason = "dropped_in_review", REASONS["dropped_in_review"]
        out.append(c)
    return out


def concluded(coverage: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Coverage once the analyses ran: a requirement whose every analysis stopped at an unresolved
    or ambiguous name is ``unresolved_entity``, the reason saying which names and their closest
    matches; the others are as they were."""
    out = []
    for c in coverage:
        ran = [results.get(t) or {} for t in c.get("template_ids") or []]
        if c.get("outcome") == "answered" and ran and all(r.get("status") == "unresolved" for r in ran):
            c = {**c, "outcome": "unresolved_entity", "reason": unresolved_reason(ran)}
        out.append(c)
    return out


def unresolved_reason(results: list[dict[str, Any]]) -> str:
    """What the unresolved names of these executions were, once each, as one text (no final stop)."""
    said: list[str] = []
    for r in results:
        for e in r.get("entities") or []:
            text = Resolution(**e).message
            if text not in said:
                said.append(text)
    return " ".join(said).rstrip(".")


def summary(coverage: list[dict[str, Any]]) -> dict[str, int]:
    """How many requirements ended in each outcome."""
    counts = {k: 0 for k in REASONS}
    for c in coverage:
        counts[c["outcome"]] = counts.get(c["outcome"], 0) + 1
    return {k: v for k, v in counts.items() if v}
