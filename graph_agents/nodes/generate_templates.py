"""Turn each use case into a concrete analysis: algorithm, parameters and collections."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from .. import algorithms, coverage, entities
from ..context import Context, aget_context
from ..llm.agents import refine_templates
from ..models import AnalysisTemplate, Coverage, GraphSchema, UseCase
from ..selection import focus_collections
from ..state import State

EXACT_BETWEENNESS_MAX = 5_000  # vertices; above this, sample sources as GAE does for big graphs
# sampled sources: each costs one pass over the graph (its vertices and edges), so their number
# shrinks as the graph grows (about 24M vertex + edge visits in all, ~3 s here), between these bounds
BETWEENNESS_WORK = 24_000_000
BETWEENNESS_SAMPLES = (8, 256)


def betweenness_samples(vertex_count: int, edge_count: int = 0) -> int:
    low, high = BETWEENNESS_SAMPLES
    return max(low, min(high, BETWEENNESS_WORK // max(1, vertex_count + edge_count)))


def choose_parameters(
    algo: algorithms.Algorithm, vertex_count: int, edge_count: int = 0
) -> tuple[dict[str, Any], dict[str, str]]:
    params, reasons = algo.defaults(), {}
    if algo.name in ("betweenness", "closeness", "harmonic"):  # exact: a search from every vertex
        if vertex_count > EXACT_BETWEENNESS_MAX:
            params["k"] = betweenness_samples(vertex_count, edge_count)
            reasons["k"] = f"{vertex_count:,} vertices: sample {params['k']} sources instead of all pairs (an estimate)"
        else:
            reasons["k"] = f"{vertex_count:,} vertices: exact"
    if "maximum_supersteps" in params:
        params["maximum_supersteps"] = 100 if vertex_count <= 1_000_000 else 50
        reasons["maximum_supersteps"] = "caps iterations so the job always ends"
    if algo.name == "label_propagation":
        params["random_tiebreak"] = True
        reasons["random_tiebreak"] = (
            "with fixed smallest-label tie-breaks one label sweeps across neighbouring communities; "
            "seeded random tie-breaks keep them apart and stay reproducible"
        )
    if algo.name == "pagerank":
        reasons["damping_factor"] = "the standard 0.85"
    return algo.validate_params(params), reasons


def plan_templates(
    use_cases: list[UseCase], schema: GraphSchema, limit: int | None, policy: dict[str, list[str]] | None = None
) -> list[AnalysisTemplate]:
    """One template per use case, the first ``limit`` of them (0 or None: all); the collections
    follow the use case's subject (:func:`~graph_agents.selection.focus_collections`)."""
    templates = []
    counts = {c.name: c.count for c in schema.collections}
    policy = policy or {}
    for uc in use_cases[: limit if limit and limit > 0 else None]:
        algo = algorithms.get(uc.algorithm)
        vertices, edges, why = focus_collections(algo, schema, uc.focus, uc.subject)
        params, reasons = choose_parameters(algo, sum(counts.get(v, 0) for v in vertices), sum(counts.get(e, 0) for e in edges))
        named, named_reasons = entities.ask_parameters(algo.name, uc.description)
        try:  # the ask's own words (entities, hops), when they fit the parameter ranges
            params, reasons = algo.validate_params({**params, **named}), {**reasons, **named_reasons}
        except ValueError as exc:
            reasons["entities"] = f"ignored what the ask named: {exc}"
        templates.append(
            AnalysisTemplate(
                id=f"T-{len(templates) + 1:03d}",
                use_case_id=uc.id,
                title=uc.title,
                algorithm=algo.name,
                parameters=params,
                parameter_reasons=reasons,
                vertex_collections=vertices,
                edge_collections=edges,
                graph_name=schema.graph_name,
                subject=[s for s in uc.subject if s in vertices],
                collection_reason=why,
                masked_collections=[c for c in policy.get("masked", []) if c in vertices],
                private_collections=[c for c in policy.get("private", []) if c in vertices],
            )
        )
    return templates


async def generate_templates(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    use_cases = [UseCase.model_validate(u) for u in state.get("use_cases") or []]
    templates = plan_templates(use_cases, GraphSchema.model_validate(state["graph_schema"]), state.get("max_executions"),
                               state.get("policy"))
    templates, rejections = await refine_templates(ctx, config, use_cases, templates)
    dumped = [t.dump() for t in templates]
    settled = coverage.settled([Coverage.model_validate(c) for c in state.get("coverage") or []], use_cases, templates)
    if ctx.catalog is not None:  # the use cases as they stand after any human review, and their templates: one write
        await asyncio.gather(
            ctx.catalog.record_use_cases(state["run_id"], state.get("use_cases") or []),
            ctx.catalog.record_templates(state["run_id"], dumped),
        )
    return {"templates": dumped, "coverage": [c.dump() for c in settled], "llm_rejections": rejections}
