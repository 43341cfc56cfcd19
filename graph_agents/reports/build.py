"""One report from one execution: facts from the full result, insights, recommendations."""

from __future__ import annotations

from typing import Any

from .. import algorithms
from ..entities import Resolution
from ..models import AnalysisTemplate, Insight, Report, UseCase, Vertical
from . import cohesion, pairs, paths
from .baseline import Baseline, change_insight, compare
from .detectors import detector_recommendations, run_detectors
from .facts import CHART_ONLY, compute_facts
from .grounding import ground_report
from .advice import group_words, measure, recommendations
from .insights import partition_insights, score_insights
from .wording import Nouns, group_caption, pct, plural, readable, verb

# the families whose reports have their own module: insights (and, for the shapes that are not
# plain scores or partitions, ``shape_facts``); their advice is in graph_agents.reports.advice
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
    vertical = vertical.on_relations(template.edge_collections)  # "referral influence" on referrals alone
    algo = algorithms.get(template.algorithm)
    facts = dict(facts)
    if baseline is not None and facts.get("count"):
        before = compute_facts(algo.kind, baseline.values)
        facts["changes"] = compare(algo.kind, facts, before, baseline)
    # "nodes" in this report are the collections it ran on, whatever the vertical calls nodes at large
    about = template.about(algo.kind)
    nodes = Nouns.of(vertical, about)
    vertical = vertical.model_copy(update={"terms": {**vertical.terms, "nodes": nodes.plural, "node": nodes.singular}})
    detections, detected = run_detectors(vertical, algo.name, facts, names, about)
    if detections:
        facts["detections"] = detections
    family = FAMILY_REPORTS.get(algo.family)
    flat = algo.kind == "score" and facts.get("count", 0) > 1 and facts["quantiles"]["min"] == facts["quantiles"]["max"]
    if flat:
        insights = [no_ranking(algo, facts, template, nodes)]
    elif family is not None:  # cohesion, paths, pairs: their own insights (the vertical's terms name this report's entity)
        insights = family.insights(algo, facts, names, vertical)
    else:
        make = score_insights if algo.kind == "score" else partition_insights
        insights = make(algo, facts, names, vertical, nodes)
    insights += detected
    if "changes" in facts:
        insights.append(change_insight(algo.kind, facts["changes"], names, vertical))
    scope = ", ".join(template.vertex_collections) + " via " + (", ".join(template.edge_collections) or "no edges")
    if algo.kind in ("score", "flags"):  # flags rank their vertices by what each cuts off
        if algo.kind == "score" and facts.get("count"):  # how many vertices "the top 1%" is: the headline cites it
            facts["top1pct_count"] = max(1, int(round(facts["count"] * 0.01)))
        top_results = [{**t, **({"name": names[t["id"]]} if t["id"] in names else {})} for t in facts.get("top", [])]
        groups: list[dict[str, Any]] = []
    else:
        top_results = []
        _, one = group_words(algo, vertical)
        listed = facts.get("groups", [])
        if algo.name == "scc":  # a strongly connected group of one is no loop: described (singletons), not listed
            listed = [g for g in listed if g["size"] > 1]
        groups = [{**g, "caption": group_caption(i, g, one, vertical),
                   "names": {m: names[m] for m in g["members"][:10] if m in names}}
                  for i, g in enumerate(listed, 1)]
    size = facts.get("count", 0) if algo.kind == "score" else facts.get("vertices", 0)
    # a path's or pair's first insight says what was found ("A reaches B in 3 hops")
    title = insights[0].title if algo.family in ("paths", "similarity") and insights else headline(algo, facts, vertical, nodes, flat)
    # the title says what was found; the summary says where, then the first finding in full
    summary = f"{algo.title} on {scope} ({nodes.count(size)})."
    if insights:
        summary += " " + insights[0].description
    if facts.get("engine_note"):  # which engine computed it, when the run's engine handed it on
        summary += " " + facts["engine_note"]
    if facts.get("sampled_sources"):
        summary += (f" Estimated from {readable(facts['sampled_sources'])} sampled sources of {readable(facts['sampled_of'])} vertices, "
                    "not computed exactly.")
    if detected:
        summary += " Patterns found: " + "; ".join(i.title for i in detected) + "."
    if template.collection_reason:
        summary += f" Collections: {template.collection_reason}."
    recs = recommendations(algo, insights, vertical, nodes)
    said = {r.title for r in recs}  # a detector's advice that the family's already gives is not said twice
    recs += [r for r in detector_recommendations(insights, detections, vertical, len(recs) + 1) if r.title not in said]
    recs = [r.model_copy(update={"id": f"R{i}"}) for i, r in enumerate(recs, 1)]
    report = Report(
        id=report_id(template.id),
        title=title,
        question=use_case.description or template.title,
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


def entity_report(template: AnalysisTemplate, use_case: UseCase, unresolved: list[Resolution], names: dict[str, str],
                  vertical: Vertical) -> Report:
    """The report of an analysis that did not run because names in its ask resolve to no vertex or
    to several: it says so plainly, one insight per name with its candidates (by display name
    where ``names`` has one), and asks for one of them. No chart: there is no result to draw."""
    algo = algorithms.get(template.algorithm)
    said = [r.said(names) for r in unresolved]
    insights = [Insight(
        id=f"I{i}",
        title=f"{r.name!r} is ambiguous" if r.status == "ambiguous" else f"{r.name!r} names no vertex",
        description=text, confidence=1.0, evidence=["entities"], entities=list(r.candidates),
    ) for i, (r, text) in enumerate(zip(unresolved, said), 1)]
    scope = ", ".join(template.vertex_collections)
    nodes = Nouns.of(vertical, template.vertex_collections)
    facts = {"entities": [r.as_dict() for r in unresolved], "unresolved": len(unresolved)}
    report = Report(
        id=report_id(template.id),
        title=said[0] if len(said) == 1 else f"{plural(len(said), 'name')} in the ask do not name one vertex each",
        question=use_case.description or template.title,
        algorithm=algo.name,
        use_case_id=use_case.id,
        template_id=template.id,
        summary=f"{algo.title} on {scope} was not run: " + " ".join(said)
        + (" Nothing was picked in its place." if len(said) == 1 else " Nothing was picked in their place."),
        facts=facts,
        insights=insights,
        # one piece of advice for all the names (each insight fills the same slot)
        recommendations=[r.model_copy(update={"insight_ids": [i.id for i in insights]})
                         for r in recommendations(algo, insights, vertical, nodes)[:1]],
        status="unresolved",
    )
    mask = [*names.values(), *names, *(r.name for r in unresolved), *(c for r in unresolved for c in r.candidates)]
    return ground_report(report, facts, mask)


def no_ranking(algo: algorithms.Algorithm, facts: dict[str, Any], template: AnalysisTemplate, nodes: Nouns) -> Insight:
    """Said plainly when a score cannot tell the vertices apart (e.g. PageRank of vertices that
    nothing points at): a ranking by ties would be noise."""
    reason = template.collection_reason
    return Insight(
        id="I1",
        title=f"No ranking of {nodes.plural} exists on this subgraph",
        description=f"All {nodes.count(facts['count'])} have the same {algo.title} score, {readable(facts['quantiles']['min'])}, so none "
        f"ranks above another. {reason[:1].upper() + reason[1:] + '.' if reason else ''}".strip(),
        confidence=0.95,
        evidence=["quantiles", "count"],
    )


def headline(algo: algorithms.Algorithm, facts: dict[str, Any], v: Vertical, nodes: Nouns, flat: bool) -> str:
    """The report's title: what was found, in a few words ("4 products carry 11.2% of purchasing
    influence"), every number a fact."""
    if algo.kind == "flags":
        one, many = ("relationship", "relationships") if algo.name == "bridges" else (nodes.singular, nodes.plural)
        if not facts.get("count"):
            return f"No single {one} disconnects the network"
        return f"{plural(facts['count'], one, many)} whose removal disconnects the network"
    if not facts.get("count"):
        return f"No {nodes.plural} were scored" if algo.kind == "score" else f"No groups among the {nodes.plural}"
    if algo.kind == "score":
        if flat:
            return f"No {nodes.singular} ranks above another"
        k = facts["top1pct_count"]
        return f"{nodes.count(k)} {verb(k, 'carries', 'carry')} {pct(facts['top1pct_share'])} of {measure(algo, v, nodes)}"
    word, one = group_words(algo, v)
    if algo.name == "scc":
        k = facts["non_trivial"]
        if not k:
            return f"No {one} among {nodes.count(facts['vertices'])}"
        return f"{plural(k, one, word)} found; the largest links {nodes.count(facts['largest_size'])}"
    return (f"{plural(facts['count'], one, word)}; the largest has {plural(facts['largest_size'], 'member')} "
            f"({pct(facts['largest_share'])})")


def ground(report: Report, facts: dict[str, Any], names: dict[str, str], baseline: Any = None) -> Report:
    """The grounding pass over everything the report says (run again after LLM insights are added)."""
    mask = [*names.values(), *names, *([baseline.run_id, baseline.label] if baseline else [])]
    # the report's own facts carry what building it added (detections, changes); ``facts`` the top and groups
    grounded_facts = {k: v for k, v in {**facts, **report.facts}.items() if k not in CHART_ONLY}
    return ground_report(report, grounded_facts, mask)


__all__ = ["build_report", "compute_facts", "entity_ids", "entity_report", "report_id", "shape_facts"]
