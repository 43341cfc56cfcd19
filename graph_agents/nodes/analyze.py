"""The `Send` target: one analysis per template — execute it, then write its report.

A small subgraph (execute → report) so each report starts the moment its own execution ends,
and a resumed run picks up between the two steps without executing again.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from .. import algorithms
from ..context import Context, aget_context
from ..llm.agents import extra_insights
from ..models import AnalysisTemplate, ExecutionResult, UseCase, Vertical
from ..reports import build_report, compute_facts, entity_ids
from ..reports.build import ground
from ..reports.baseline import baseline_key, find_baseline
from ..reports.detectors import needs_isolation, share_fractions
from ..reports.facts import group_isolation
from ..state import AnalysisOutput, AnalysisState


async def execute(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    template = AnalysisTemplate.model_validate(state["template"])
    started = time.time()
    try:
        outcome = await ctx.engine.run(template, ctx.store, state["run_id"])
        result = ExecutionResult(
            template_id=template.id, algorithm=template.algorithm, status="completed", engine=ctx.engine.name,
            result_location=outcome.result_location, result_count=outcome.result_count,
            started_at=started, finished_at=time.time(),
        )
        errors = []
    except Exception as exc:  # one failing analysis must not stop the others
        message = f"{type(exc).__name__}: {exc}"
        result = ExecutionResult(
            template_id=template.id, algorithm=template.algorithm, status="failed", engine=ctx.engine.name,
            error=message, started_at=started, finished_at=time.time(),
        )
        errors = [{"node": "analyze", "template_id": template.id, "error": message}]
    if ctx.catalog is not None:
        await ctx.catalog.record_execution(
            state["run_id"], state["template"], result.dump(), baseline_key(template, ctx.store)
        )
    return {"outcome": result.dump(), "execution_results": {template.id: result.dump()}, "errors": errors}


async def report(state: AnalysisState, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    outcome = ExecutionResult.model_validate(state["outcome"])
    if outcome.status != "completed":
        return {}
    ctx = await aget_context(runtime)
    values = await ctx.store.read_results(outcome.result_location)
    template = AnalysisTemplate.model_validate(state["template"])
    vertical = Vertical.model_validate(state["vertical"])
    # facts, the report and its grounding are CPU work on the full result (seconds on millions of
    # vertices): worker threads keep the event loop, and so the other analyses, moving
    facts = await asyncio.to_thread(
        compute_facts, algorithms.get(template.algorithm).kind, values, share_fractions(vertical, template.algorithm)
    )
    if needs_isolation(vertical, template.algorithm):
        graph = await ctx.store.load_graph(template.vertex_collections, template.edge_collections)
        await asyncio.to_thread(group_isolation, facts, values, graph.ids, graph.edges)
    names = await ctx.store.display_names(entity_ids(facts))
    baseline = await find_baseline(ctx, template, state["run_id"])
    use_case = UseCase.model_validate(state["use_case"])
    result = await asyncio.to_thread(build_report, template, use_case, facts, names, vertical, baseline, False)
    rejections: list[dict[str, Any]] = []
    if ctx.llm is not None:  # LLM insights join only where every number they cite is a fact
        result, rejections = await extra_insights(ctx, config, result, facts, names, vertical)
    result = await asyncio.to_thread(ground, result, facts, names, baseline)  # one pass over all it says
    if ctx.catalog is not None:
        await ctx.catalog.record_report(state["run_id"], result.dump())
    return {"reports": {result.id: result.dump()}, "llm_rejections": rejections}


def build_analysis_graph():
    g = StateGraph(AnalysisState, context_schema=Context, output_schema=AnalysisOutput)
    g.add_node("execute", execute)
    g.add_node("report", report)
    g.add_edge(START, "execute")
    g.add_edge("execute", "report")
    g.add_edge("report", END)
    return g.compile(name="analyze")


analyze = build_analysis_graph()
