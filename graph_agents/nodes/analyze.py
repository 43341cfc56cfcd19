"""The `Send` target: one analysis per template — execute it, then write its report.

A small subgraph (execute → report) so each report starts the moment its own execution ends, and
Studio, the progress display and the trace see both steps. It keeps no checkpoints of its own
(they cost about three times the rest of LangGraph's work per analysis): the catalog's records
are the durable ones, each written before the step returns, so a resumed run neither executes
again what executed nor writes again a report it wrote (see ``AnalyticsCatalog.recorded``).
Without a catalog, a resume redoes the analyses whose task writes LangGraph had not yet saved.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from .. import algorithms
from ..context import Context, aget_context
from ..llm.agents import extra_insights
from ..offload import run_sized
from ..models import AnalysisTemplate, ExecutionResult, UseCase, Vertical
from ..reports import build_report, compute_facts, entity_ids
from ..reports.build import ground
from ..reports.baseline import baseline_key, find_baseline
from ..reports.detectors import needs_isolation, share_fractions
from ..reports.facts import group_isolation
from ..state import AnalysisOutput, AnalysisState


def _executed(result: ExecutionResult) -> dict[str, Any]:
    errors = [{"node": "analyze", "template_id": result.template_id, "error": result.error}] if result.status == "failed" else []
    return {"outcome": result.dump(), "execution_results": {result.template_id: result.dump()}, "errors": errors}


async def execute(state: AnalysisState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    template = AnalysisTemplate.model_validate(state["template"])
    if ctx.catalog is not None:
        recorded = await ctx.catalog.recorded(state["run_id"], "executions", template.id)
        if recorded is not None:  # executed by a process of this run that stopped before the report
            return _executed(ExecutionResult.model_validate(recorded))
    started = time.time()
    try:
        outcome = await ctx.engine.run(template, ctx.store, state["run_id"])
        result = ExecutionResult(
            template_id=template.id, algorithm=template.algorithm, status="completed", engine=ctx.engine.name,
            result_location=outcome.result_location, result_count=outcome.result_count,
            started_at=started, finished_at=time.time(),
        )
    except Exception as exc:  # one failing analysis must not stop the others
        result = ExecutionResult(
            template_id=template.id, algorithm=template.algorithm, status="failed", engine=ctx.engine.name,
            error=f"{type(exc).__name__}: {exc}", started_at=started, finished_at=time.time(),
        )
    if ctx.catalog is not None:
        await ctx.catalog.record_execution(
            state["run_id"], state["template"], result.dump(), baseline_key(template, ctx.store)
        )
    if result.status == "completed":
        ctx.hand_over(state["run_id"], template.id, outcome.values)
    return _executed(result)


async def report(state: AnalysisState, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    outcome = ExecutionResult.model_validate(state["outcome"])
    if outcome.status != "completed":
        return {}
    ctx = await aget_context(runtime)
    if ctx.catalog is not None:
        recorded = await ctx.catalog.recorded(state["run_id"], "reports", outcome.template_id)
        if recorded is not None:  # written by a process of this run that stopped before the step ended
            return {"reports": {recorded["id"]: recorded["report"]}, "llm_rejections": recorded["llm_rejections"]}
    values = ctx.take_over(state["run_id"], outcome.template_id)
    if values is None:  # executed by an earlier process of the run
        values = await ctx.store.read_results(outcome.result_location)
    template = AnalysisTemplate.model_validate(state["template"])
    vertical = Vertical.model_validate(state["vertical"])
    baseline = await find_baseline(ctx, template, state["run_id"])
    # facts, the report and its grounding are CPU work on the full result (seconds on millions of
    # vertices): big ones go to worker threads, keeping the event loop, and so the other analyses, moving
    size = len(values)
    facts = await run_sized(
        size, compute_facts, algorithms.get(template.algorithm).kind, values, share_fractions(vertical, template.algorithm)
    )
    if needs_isolation(vertical, template.algorithm):
        graph = await ctx.load_graph(template.vertex_collections, template.edge_collections)
        await run_sized(size + len(graph.edges), group_isolation, facts, values, graph.ids, graph.edges)
    names = await ctx.store.display_names(entity_ids(facts))
    use_case = UseCase.model_validate(state["use_case"])
    result = await run_sized(size, build_report, template, use_case, facts, names, vertical, baseline, False)
    rejections: list[dict[str, Any]] = []
    if ctx.llm is not None:  # LLM insights join only where every number they cite is a fact
        result, rejections = await extra_insights(ctx, config, result, facts, names, vertical)
    result = await run_sized(size, ground, result, facts, names, baseline)  # one pass over all it says
    dumped = result.dump()
    if ctx.catalog is not None:
        await ctx.catalog.record_report(state["run_id"], dumped, rejections)
    return {"reports": {result.id: dumped}, "llm_rejections": rejections}


def build_analysis_graph():
    g = StateGraph(AnalysisState, context_schema=Context, output_schema=AnalysisOutput)
    g.add_node("execute", execute)
    g.add_node("report", report)
    g.add_edge(START, "execute")
    g.add_edge("execute", "report")
    g.add_edge("report", END)
    return g.compile(name="analyze", checkpointer=False)


analyze = build_analysis_graph()
