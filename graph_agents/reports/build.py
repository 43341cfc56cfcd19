"""One report from one execution: facts from the full result, insights, recommendations."""

from __future__ import annotations

from typing import Any

from .. import algorithms
from ..models import AnalysisTemplate, Insight, Report, UseCase, Vertical
from . import cohesion, pairs, paths
from .baseline import Baseline, change_insight, compare
from .detectors import detector_recommendations, run_detectors
from .facts import CHART_ONLY, compute_facts
from .grounding import ground_report
from .insights import pct, partition_insights, recommendations, score_insights

# facts that feed charts, not sentences: left out of the grounding check so that chart bins
# cannot lend a wrong number a match
# the families whose reports have their own module: insights and recommendations (and, for the
# shapes that are not plain scores or partitions, ``shape_facts``)
FAMILY_REPORTS = {"cohesion": cohesion, "paths": paths, "similarity": pairs}


def shape_facts(template: AnalysisTemplate, values: Any) -> dict[str, Any]:
    """The facts a path or pair result adds to its partition facts (the path in order, the best pairs)."""
    algo = algorithms.get(template.algorithm)
    module = FAMILY_REPORTS.get(algo.family)
    return module.shape_facts(algo, values, template.parameters) if hasattr(module, "shape_facts") else {}


def report_id(template_id: str) -> str:
    return "R-" + template_id.removeprefix("T-")


def entity_ids(facts: dict[str, Any]) -> list[str]:
    """The vertex ids a report will name (for display-name lookup)."""
    ids = [t["id"] for t in facts.get("top", [])]
    ids.extend(facts.get("path", []))  # paths and pairs name their vertices
    for p in facts.get("top_pairs", [])[:10]:
        ids.extend((p["a"], p["b"]))
    for g in facts.get("groups", [])[:10]:
        ids.extend(g["members"][:10])
    return ids


def build_report(
    template: AnalysisTemplate,
    use_case: UseCase,
    facts: dict[str, Any],
    names: dict[str, str],
    vertical: Vertical,
    baseline: Baseline | None = None,
    grounded: bool = True,
) -> Report:
    """``facts`` from :func:`compute_facts` on the full result; ``names`` for the ids it names.
    ``grounded=False`` leaves the grounding pass to the caller (who adds more text first).

    The vertical's detectors run on the facts; with a ``baseline`` (the previous run of the same
    template) the facts gain ``changes``. Every sentence is then grounded against the facts.
    """
    algo = algorithms.get(template.algorithm)
    facts = dict(facts)
    if baseline is not None and facts.get("count"):
        before = compute_facts(algo.kind, baseline.values)
        facts["changes"] = compare(algo.kind, facts, before, baseline)
    # "nodes" in this report are the collections it ran on, whatever the vertical calls nodes at large
    about = template.subject if algo.kind == "score" and template.subject else template.vertex_collections
    plural = " and ".join(about) or vertical.term("nodes")
    singular = plural[:-1] if plural.endswith("s") and len(about) == 1 else vertical.term("node")
    vertical = vertical.model_copy(update={"terms": {**vertical.terms, "nodes": plural, "node": singular}})
    detections, detected = run_detectors(vertical, algo.name, facts, names)
    if detections:
        facts["detections"] = detections
    family = FAMILY_REPORTS.get(algo.family)
    make = family.insights if family else score_insights if algo.kind == "score" else partition_insights
    flat = algo.kind == "score" and facts.get("count", 0) > 1 and facts["quantiles"]["min"] == facts["quantiles"]["max"]
    insights = ([no_ranking(algo, facts, template, vertical)] if flat else make(algo, facts, names, vertical)) + detected
    if "changes" in facts:
        insights.append(change_insight(algo.kind, facts["changes"], names, vertical))
    scope = ", ".join(template.vertex_collections) + " via " + (", ".join(template.edge_collections) or "no edges")
    if algo.kind in ("score", "flags"):  # flags rank their vertices by what each cuts off
        top_results = [{**t, **({"name": names[t["id"]]} if t["id"] in names else {})} for t in facts.get("top", [])]
        groups: list[dict[str, Any]] = []
        headline = (
            f"{facts.get('count', 0)} {'relationships' if algo.name == 'bridges' else vertical.term('nodes')} "
            f"whose removal disconnects the network" if algo.kind == "flags"
            else f"every one of the {vertical.term('nodes')} has the same score, so no ranking exists" if flat
            else f"the top 1% of {vertical.term('nodes')} hold {pct(facts['top1pct_share'])} of the total"
            if facts.get("count") else "no vertices were scored"
        )
    else:
        top_results = []
        groups = [{**g, "names": {m: names[m] for m in g["members"][:10] if m in names}} for g in facts.get("groups", [])]
        headline = (
            insights[0].title if algo.family in ("paths", "similarity") and insights
            else f"{facts['count']} groups, the largest with {facts['largest_size']} members"
            if facts.get("count") else "no groups were found"
        )
    size = facts.get("count", 0) if algo.kind == "score" else facts.get("vertices", 0)
    summary = f"{algo.title} on {scope} ({size} vertices): {headline}."
    if insights:
        summary += " " + insights[0].description
    if facts.get("sampled_sources"):
        summary += (f" Estimated from {facts['sampled_sources']} sampled sources of {facts['sampled_of']} vertices, "
                    "not computed exactly.")
    if detected:
        summary += " Patterns found: " + "; ".join(i.title for i in detected) + "."
    if template.collection_reason:
        summary += f" Collections: {template.collection_reason}."
    recs = (family.recommendations if family else recommendations)(algo, insights, vertical)
    recs += detector_recommendations(insights, detections, vertical, len(recs) + 1)
    report = Report(
        id=report_id(template.id),
        title=template.title,
        algorithm=algo.name,
        use_case_id=use_case.id,
        template_id=template.id,
        summary=summary,
        facts={k: v for k, v in facts.items() if k not in ("top", "groups")},
        top_results=top_results,
        groups=groups,
        insights=insights,
        recommendations=recs,
    )
    return ground(report, facts, names, baseline) if grounded else report


def no_ranking(algo: algorithms.Algorithm, facts: dict[str, Any], template: AnalysisTemplate, vertical: Vertical) -> Insight:
    """Said plainly when a score cannot tell the vertices apart (e.g. PageRank of vertices that
    nothing points at): a ranking by ties would be noise."""
    return Insight(
        id="I1",
        title=f"No ranking of {vertical.term('nodes')} exists on this subgraph",
        description=f"All {facts['count']} {vertical.term('nodes')} have the same {algo.title} score, so none ranks above "
        f"another. {template.collection_reason[:1].upper() + template.collection_reason[1:] if template.collection_reason else ''}".strip(),
        confidence=0.95,
        evidence=["quantiles", "count"],
    )


def ground(report: Report, facts: dict[str, Any], names: dict[str, str], baseline: Any = None) -> Report:
    """The grounding pass over everything the report says (run again after LLM insights are added)."""
    mask = [*names.values(), *names, *([baseline.run_id] if baseline else [])]
    # the report's own facts carry what building it added (detections, changes); ``facts`` the top and groups
    grounded_facts = {k: v for k, v in {**facts, **report.facts}.items() if k not in CHART_ONLY}
    return ground_report(report, grounded_facts, mask)


__all__ = ["build_report", "compute_facts", "entity_ids", "report_id", "shape_facts"]
