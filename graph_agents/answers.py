"""The answer to each requirement, first: one or two grounded sentences, and what became of the ask.

``answers(state)`` reads the run's coverage, reports and execution results and returns, per
requirement, ``{"requirement_id", "requirement", "status", "answer", "reports"}``:

- ``status`` is ``"answered"`` (a report answers it), ``"not_analysed"`` (no analysis was run:
  the coverage says why, e.g. a name in the ask that names no vertex, or several, with the closest
  matches) or ``"failed"`` (its analyses ran and none produced a report);
- ``answer`` is the reports' titles (what was found) and the key entities of the first one, or
  the reason it was not answered; every number in it is checked against the report's facts
  (:class:`graph_agents.reports.grounding.Grounder`), names and ids aside;
- ``reports`` lists the ids of the reports that answer it (or, for an unresolved name, the report
  that says so).

This is the shape the run's ``answers`` carries everywhere: the graph's output state, ``run.json``,
the top of ``index.html`` and :class:`graph_agents.runner.WorkflowResult`.
"""

from __future__ import annotations

from typing import Any

from .coverage import REASONS
from .reports.grounding import Grounder

KEY_ENTITIES = 3


def _names(report: dict[str, Any]) -> dict[str, str]:
    names = {r["id"]: r["name"] for r in report.get("top_results") or [] if r.get("name")}
    for g in report.get("groups") or []:
        names.update(g.get("names") or {})
    return names


def _key_entities(report: dict[str, Any], names: dict[str, str]) -> str:
    """"Key products: Northwind Gift Card, Fjord USB-C Charger, …" from the report's lead finding:
    a pattern a detector found first, else the first insight that names entities."""
    insights = report.get("insights") or []
    lead = next((i for i in insights if i["id"].startswith("D") and i.get("entities")), None) or next(
        (i for i in insights if i.get("entities")), None)
    if lead is None:
        return ""
    shown = [names.get(e, e) for e in lead["entities"][:KEY_ENTITIES]]
    more = ", …" if len(lead["entities"]) > KEY_ENTITIES else "."
    what = lead["title"].split(":", 1)[0]
    if what.rstrip(".") == report["title"].rstrip("."):  # a path's lead finding is its title: not said twice
        what = "Key entities"
    return f"{what}: {', '.join(shown)}{more}"


def _grounded(text: str, report: dict[str, Any], names: dict[str, str]) -> str:
    facts = {**(report.get("facts") or {}), "top": report.get("top_results") or [],
             "groups": [{"size": g.get("size")} for g in report.get("groups") or []]}
    return Grounder(facts, [*names.values(), *names]).check(text, "answer")


def answer_for(coverage: dict[str, Any], reports: list[dict[str, Any]], failures: list[str],
               unresolved: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """The answer to one requirement (``coverage``: one ``models.Coverage`` as a dict); ``unresolved``:
    the reports of its analyses that stopped at a name in the ask (they say which, and the candidates)."""
    base = {"requirement_id": coverage["requirement_id"], "requirement": coverage.get("text", "")}
    said = [r["id"] for r in unresolved]
    if coverage.get("outcome") != "answered":
        reason = coverage.get("reason") or REASONS.get(coverage.get("outcome", ""), "")
        return {**base, "status": "not_analysed", "answer": f"Not analysed: {reason}.", "reports": said}
    if not reports:
        why = "; ".join(failures + [r["title"].rstrip(".") for r in unresolved]) or "no report was written"
        return {**base, "status": "failed", "answer": f"The analysis did not produce a report: {why}.", "reports": said}
    parts = []
    for r in reports:
        names = _names(r)
        title = _grounded(f"{r['title'].rstrip('.')}.", r, names)
        extra = _grounded(_key_entities(r, names), r, names) if len(reports) == 1 else ""
        parts += [p for p in (title, extra) if p]
    parts += [r["title"] for r in unresolved]  # the analyses that could not run, said as plainly
    return {**base, "status": "answered", "answer": " ".join(parts), "reports": [r["id"] for r in reports] + said}


def answers(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Every requirement's answer, in the order of the coverage (the requirements' order)."""
    reports = list((state.get("reports") or {}).values())
    results = state.get("execution_results") or {}
    out = []
    for c in state.get("coverage") or []:
        ids = c.get("template_ids") or []
        ordered = sorted((r for r in reports if r.get("template_id") in ids), key=lambda r: ids.index(r["template_id"]))
        mine = [r for r in ordered if r.get("status", "completed") == "completed"]
        unresolved = [r for r in ordered if r.get("status") == "unresolved"]
        failures = [f"{t}: {results[t].get('error')}" for t in ids if results.get(t, {}).get("status") == "failed"]
        out.append(answer_for(c, mine, failures, unresolved))
    return out


__all__ = ["answer_for", "answers"]
