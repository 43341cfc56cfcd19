"""The LLM path of each agent: ask for a proposal, validate it, keep what passes.

Each function takes the deterministic result and returns ``(result, rejections)``: the result is
the deterministic one improved by whatever part of the proposal passed validation, and each
rejection is ``{"node", "item", "reason"}``. Without a model (``ctx.llm is None``) they return
the deterministic result unchanged and make no call.

What is validated: collections against the graph schema, algorithms and parameters against the
catalog and its ranges, requirement ids against the extracted requirements, requirement texts
against the documents they claim to come from, and every number an insight cites against the
computed facts (``reports.grounding``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from pydantic import ValidationError

from .. import algorithms
from ..models import (
    AnalysisTemplate, GraphSchema, Insight, Recommendation, Report, UseCase, Vertical,
)
from ..reports.facts import CHART_ONLY
from ..reports.grounding import FactIndex, grounded, ungrounded
from ..verticals import VerticalError, list_verticals, load_vertical, save_vertical, validate_vertical
from .schemas import ReportInsights, SchemaAnalysis, TemplatePlan, VerticalChoice
from .structured import propose, rejection

Rejections = list[dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])


def guarded(node: str, fallback: Callable[..., Any]) -> Callable[[F], F]:
    """An unexpected error while checking a proposal costs the proposal, never the run: the
    deterministic result (``fallback(*args)``) stands and the error is traced as a rejection."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        async def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                return fallback(*args), [rejection(node, "proposal", f"check failed: {type(exc).__name__}: {str(exc)[:200]}")]

        return inner  # type: ignore[return-value]

    return wrap


def _catalog_summary() -> list[dict[str, Any]]:
    return [
        {
            "name": a.name, "title": a.title, "kind": a.kind, "description": a.description,
            "parameters": {k: {"type": p.type.__name__, "default": p.default, "min": p.min, "max": p.max,
                               "description": p.description} for k, p in a.params.items()},
        }
        for a in algorithms.CATALOG.values()
    ]


def _schema_summary(schema: GraphSchema, private: Iterable[str] = ()) -> dict[str, Any]:
    """The schema as a model sees it: no attribute names of collections whose data stays inside."""
    hidden = set(private)
    return {
        "graph_name": schema.graph_name,
        "collections": [{"name": c.name, "type": c.type, "count": c.count, "role": c.role,
                         "attributes": [] if c.name in hidden else sorted(c.attributes)[:20]}
                        for c in schema.collections],
        "edge_definitions": [d.dump() for d in schema.edge_definitions],
        "vertex_count": schema.vertex_count, "edge_count": schema.edge_count,
    }


# ------------------------------------------------------------------------------ resolve_vertical


def saved_verticals(directory: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(directory.glob("*.json"))} if directory.is_dir() else {}


@guarded("resolve_vertical", lambda ctx, config, sources, collections, detected, scores: detected)
async def choose_vertical(
    ctx: Any, config: Any, sources: list[dict[str, str]], collections: list[str],
    detected: Vertical, scores: dict[str, float],
) -> tuple[Vertical, Rejections]:
    """``auto``: pick a built-in or saved vertical, or generate a new one and save it for reuse."""
    rejections: Rejections = []
    if ctx.llm is None:
        return detected, rejections
    directory = ctx.workspace / "verticals"
    saved = saved_verticals(directory)
    builtins = {v.name: v for v in list_verticals()}
    listed = [{"name": v.name, "display_name": v.display_name, "description": v.description,
               "keywords": v.keywords[:25]} for v in builtins.values()]
    for name, path in saved.items():
        if name in builtins:
            continue
        try:
            v = load_vertical(str(path))
        except VerticalError:
            continue
        listed.append({"name": name, "display_name": v.display_name, "description": v.description,
                       "keywords": v.keywords[:25], "saved": True})
    data = {"verticals": listed, "collections": collections, "keyword_scores": scores,
            "algorithms": sorted(algorithms.CATALOG)}
    answer = await propose(ctx, "resolve_vertical", VerticalChoice, data, config, documents=sources, rejections=rejections)
    if answer is None:
        return detected, rejections
    choice = answer.vertical.strip().lower()
    if choice in builtins:
        return builtins[choice], rejections
    if choice in saved:
        try:
            return load_vertical(str(saved[choice])), rejections
        except VerticalError as exc:
            rejections.append(rejection("resolve_vertical", choice, f"saved vertical unreadable: {exc}"))
            return detected, rejections
    if choice != "new" or answer.new_vertical is None:
        rejections.append(rejection("resolve_vertical", answer.vertical, "not a listed vertical and no new vertical given"))
        return detected, rejections
    try:
        new = validate_vertical(Vertical.model_validate(answer.new_vertical.model_dump()))
    except (ValidationError, VerticalError) as exc:
        rejections.append(rejection("resolve_vertical", answer.new_vertical.name, f"invalid vertical: {str(exc)[:200]}"))
        return detected, rejections
    existing = saved.get(re.sub(r"[^a-z0-9_-]+", "_", new.name.strip().lower()).strip("_-"))
    if existing is not None:  # reuse what an earlier run generated rather than overwrite it
        return load_vertical(str(existing)), rejections
    if new.name.strip().lower() in builtins:
        return builtins[new.name.strip().lower()], rejections
    path = save_vertical(new, directory)
    return load_vertical(str(path)), rejections


# -------------------------------------------------------------------------------- analyze_schema


@guarded("analyze_schema", lambda ctx, config, schema, *rest: schema)
async def refine_schema(
    ctx: Any, config: Any, schema: GraphSchema, vertical: Vertical, core: list[str], satellite: list[str],
    private: Iterable[str] = (),
) -> tuple[GraphSchema, Rejections]:
    rejections: Rejections = []
    if ctx.llm is None:
        return schema, rejections
    data = {"vertical": {"name": vertical.name, "display_name": vertical.display_name},
            "graph": _schema_summary(schema, private), "algorithms": sorted(algorithms.CATALOG)}
    answer = await propose(ctx, "analyze_schema", SchemaAnalysis, data, config, rejections=rejections)
    if answer is None:
        return schema, rejections
    out = schema.model_copy(deep=True)
    by = out.by_name()
    docs = set(out.vertex_collections)
    if answer.domain.strip():
        out.domain = answer.domain.strip()[:200]
    entities = []
    for name in answer.key_entities:
        if name in docs:
            entities.append(name)
        else:
            rejections.append(rejection("analyze_schema", name, "key entity is not a document collection of the graph"))
    if entities:
        out.key_entities = list(dict.fromkeys(entities))
    for rel in answer.relationships:
        if rel.edge_collection in by and by[rel.edge_collection].type == "edge":
            out.relationships[rel.edge_collection] = rel.meaning.strip()[:300]
        else:
            rejections.append(rejection("analyze_schema", rel.edge_collection, "relationship names no edge collection of the graph"))
    for role in answer.roles:
        if role.collection not in docs:
            rejections.append(rejection("analyze_schema", role.collection, "role given to a collection that is not a document collection"))
        elif role.collection in core or role.collection in satellite:
            continue  # the user's hints win
        else:
            by[role.collection].role = role.role
    if not out.core_collections:  # a graph without core collections has nothing to partition
        rejections.append(rejection("analyze_schema", "roles", "proposal left no core collection"))
        out.collections = schema.model_copy(deep=True).collections
    suggested = []
    for name in answer.suggested_analyses:
        if name in algorithms.CATALOG:
            suggested.append(name)
        else:
            rejections.append(rejection("analyze_schema", name, "suggested analysis is not in the algorithm catalog"))
    if suggested:
        out.suggested_analyses = list(dict.fromkeys(suggested))
    return out, rejections


# ---------------------------------------------------------------------------- generate_templates


@guarded("generate_templates", lambda *args: args[-1])
async def refine_templates(
    ctx: Any, config: Any, use_cases: list[UseCase], templates: list[AnalysisTemplate]
) -> tuple[list[AnalysisTemplate], Rejections]:
    rejections: Rejections = []
    if ctx.llm is None or not templates:
        return templates, rejections
    by_uc = {u.id: u for u in use_cases}
    catalog = {a["name"]: a["parameters"] for a in _catalog_summary()}
    data = {
        "templates": [{"template_id": t.id, "use_case": by_uc[t.use_case_id].title if t.use_case_id in by_uc else t.title,
                       "algorithm": t.algorithm, "parameters": t.parameters, "reasons": t.parameter_reasons,
                       "vertex_collections": t.vertex_collections, "edge_collections": t.edge_collections,
                       "catalog_parameters": catalog[t.algorithm]} for t in templates],
    }
    answer = await propose(ctx, "generate_templates", TemplatePlan, data, config, rejections=rejections)
    if answer is None:
        return templates, rejections
    out = {t.id: t.model_copy(deep=True) for t in templates}
    for choice in answer.templates:
        template = out.get(choice.template_id)
        if template is None:
            rejections.append(rejection("generate_templates", choice.template_id, "unknown template id"))
            continue
        algo = algorithms.get(template.algorithm)
        for p in choice.parameters:
            try:
                value = algo.validate_params({p.name: p.value})[p.name]
            except ValueError as exc:
                rejections.append(rejection("generate_templates", f"{template.id}.{p.name}={p.value!r}", str(exc)))
                continue
            template.parameters[p.name] = value
            if p.reason.strip():
                template.parameter_reasons[p.name] = p.reason.strip()[:300]
    return [out[t.id] for t in templates], rejections


# -------------------------------------------------------------------------------------- analyze


# what the report step shows the model: enough to write from, small enough for a 4k-context model
SHOWN_TOP, SHOWN_GROUPS, SHOWN_MEMBERS = 10, 8, 5


def _for_prompt(value: Any) -> Any:
    """Floats to 4 significant digits (grounding accepts a rounded citation): full precision
    costs tokens and tells a reader nothing."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {k: _for_prompt(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_prompt(v) for v in value]
    return value


def _ids_in(facts: dict[str, Any]) -> set[str]:
    ids = {t["id"] for t in facts.get("top", [])}
    for g in facts.get("groups", []):
        ids.update(g.get("members", []))
    return ids


@guarded("analyze", lambda ctx, config, report, *rest: report)
async def extra_insights(
    ctx: Any, config: Any, report: Report, facts: dict[str, Any], names: dict[str, str], vertical: Vertical,
) -> tuple[Report, Rejections]:
    """Insights and recommendations the LLM writes from the facts; those citing numbers the facts
    don't hold are dropped."""
    rejections: Rejections = []
    if ctx.llm is None:
        return report, rejections
    # what grounding checks against, too. The change since a baseline run is left out: it is said
    # deterministically, and it names another run, so an identical rerun would never hit the cache.
    facts = {k: v for k, v in facts.items() if k not in (*CHART_ONLY, "changes")}
    shown = _for_prompt({**facts, "top": facts.get("top", [])[:SHOWN_TOP],
                         "groups": [{**g, "members": g["members"][:SHOWN_MEMBERS]}
                                    for g in facts.get("groups", [])[:SHOWN_GROUPS]]})
    changes = [i for i in report.insights if "changes" in i.evidence]
    summary = report.summary
    for i in changes:
        summary = summary.replace(" " + i.description, "")
    data = {
        "analysis": {"template_id": report.template_id, "title": report.title, "algorithm": report.algorithm,
                     "summary": summary},
        "facts": shown, "names": {k: v for k, v in names.items() if k in _ids_in(shown)},
        "vertical_terms": vertical.terms,
        "existing_insights": [i.title for i in report.insights if i not in changes],
    }
    answer = await propose(ctx, "analyze", ReportInsights, data, config, rejections=rejections)
    if answer is None:
        return report, rejections
    node = f"analyze:{report.template_id}"
    numbers = FactIndex(facts)  # once per report, not once per sentence checked
    out = report.model_copy(update={"insights": list(report.insights), "recommendations": list(report.recommendations)})
    known_ids = _ids_in(facts)
    accepted: dict[int, str] = {}
    for i, ins in enumerate(answer.insights, 1):
        text = f"{ins.title} {ins.description}"
        bad = ungrounded(text, numbers)
        if bad:
            rejections.append(rejection(node, ins.title, f"cites numbers not in the facts: {bad[:5]}"))
            continue
        insight_id = f"I{len(out.insights) + 1}"
        out.insights.append(Insight(
            id=insight_id, title=ins.title.strip()[:200], description=ins.description.strip()[:1000],
            confidence=ins.confidence, evidence=[e for e in ins.evidence if e in facts],
            entities=[e for e in sorted(known_ids) if e in text][:20],
        ))
        accepted[i] = insight_id
    for rec in answer.recommendations:
        if not grounded(f"{rec.title} {rec.description} {rec.impact}", numbers):
            rejections.append(rejection(node, rec.title, "recommendation cites numbers not in the facts"))
            continue
        if rec.insight and rec.insight not in accepted:
            rejections.append(rejection(node, rec.title, "follows from an insight that was dropped or does not exist"))
            continue
        out.recommendations.append(Recommendation(
            id=f"R{len(out.recommendations) + 1}", title=rec.title.strip()[:200], description=rec.description.strip()[:1000],
            priority=rec.priority, effort=rec.effort, impact=rec.impact.strip()[:300],
            insight_ids=[accepted[rec.insight]] if rec.insight else [],
        ))
    return out, rejections
