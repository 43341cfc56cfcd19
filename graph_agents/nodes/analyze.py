"""The `Send` target: one analysis per template — execute it, then write its report.

One node runs both steps, so each report starts the moment its own execution ends. Each step is
a child run of the node (the trace shows ``execute[T-001]`` and ``report[T-001]``) and streams a
start and an end event (``stream_mode="custom"``: the CLI's progress, Studio). Not a subgraph: a
per-analysis subgraph costs LangGraph a Pregel loop per analysis, which with checkpoints was three
times, and without them still twice, the rest of LangGraph's work per analysis.

What makes a resume pick up between the steps is the catalog: the execution is recorded before
the report starts and the report before the analysis ends, and a resumed run neither executes again
what was recorded as executed nor writes again a report it recorded (``AnalyticsCatalog.recorded``);
LangGraph itself saves a finished task's writes only when a concurrency slot is free. Without a
catalog, a resume redoes the analyses whose writes LangGraph had not saved.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import (
    get_async_callback_manager_for_config,
    patch_config,
    var_child_runnable_config,
)
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from .. import algorithms, entities
from ..context import Context, aget_context
from ..llm.agents import extra_insights
from ..offload import run_sized
from ..models import AnalysisTemplate, ExecutionResult, UseCase, Vertical
from ..policy import visible_names
from ..reports import build_report, compute_facts, entity_ids
from ..reports.build import entity_report, ground, shape_facts
from ..reports.baseline import baseline_key, find_baseline
from ..reports.detectors import needs_isolation, share_fractions
from ..reports.facts import group_isolation
from ..state import AnalysisState, read_shared
from ..stores.base import VertexValues


def _executed(result: ExecutionResult) -> dict[str, Any]:
    failed = result.status == "failed"
    errors = [{"node": "analyze", "template_id": result.template_id, "error": result.error}] if failed else []
    dumped = result.dump()
    return {"outcome": dumped, "execution_results": {result.template_id: dumped}, "errors": errors}


async def analyze(state: AnalysisState, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    executed = await _step("execute", execute, state, config, ctx)
    outcome = executed.pop("outcome")
    return {**executed, **await _step("report", report, {**state, "outcome": outcome}, config, ctx)}


async def _step(name: str, fn: Any, state: AnalysisState, config: RunnableConfig, ctx: Context) -> dict[str, Any]:
    """``fn`` as the step ``name``: a child run of the node (callbacks see a chain ``name`` marked
    ``graph_agents_step``, and the LLM calls inside it as its children), between a start and an
    end event on the custom stream."""
    write = get_stream_writer()
    template = state["template"]
    event = {"analysis_step": name, "id": f"{template['id']}:{name}", "template_id": template["id"],
             "algorithm": template.get("algorithm")}
    write({**event, "event": "start"})
    callbacks = get_async_callback_manager_for_config(
        {**config, "metadata": {**config.get("metadata", {}), "graph_agents_step": name}}
    )
    run = await callbacks.on_chain_start(None, state, name=name)
    child = patch_config(config, callbacks=run.get_child())
    current = var_child_runnable_config.set(child)  # what a call made without a config (an engine's) inherits
    try:
        out = await fn(state, child, ctx)
    except Exception as exc:
        await run.on_chain_error(exc)
        write({**event, "event": "end", "status": "failed", "error": f"{type(exc).__name__}: {exc}"})
        raise
    finally:
        var_child_runnable_config.reset(current)
    await run.on_chain_end(out)
    failed = [r for r in (out.get("execution_results") or {}).values() if r.get("status") == "failed"]
    write({**event, "event": "end", "status": "failed" if failed else "completed",
           "error": failed[0].get("error") if failed else None})
    return out


async def execute(state: AnalysisState, config: RunnableConfig, ctx: Context) -> dict[str, Any]:
    template = AnalysisTemplate.model_validate(state["template"])
    if ctx.catalog is not None:
        recorded = await ctx.catalog.recorded(state["run_id"], "executions", template.id)
        if recorded is not None:  # executed by a process of this run that stopped before the report
            return _executed(ExecutionResult.model_validate(recorded))
    started = time.time()
    try:
        outcome = await ctx.engine.run(template, ctx.store, state["run_id"])
        result = ExecutionResult(
            template_id=template.id, algorithm=template.algorithm, status="completed",
            engine=outcome.engine or ctx.engine.name, note=outcome.note,  # the engine that actually ran it
            result_location=outcome.result_location, result_count=outcome.result_count,
            started_at=started, finished_at=time.time(),
        )
    except Exception as exc:  # one failing analysis must not stop the others
        # a name in the ask that names no vertex, or several, is an outcome to report, not a failure
        unresolved = entities.unresolved_in(exc)
        result = ExecutionResult(
            template_id=template.id, algorithm=template.algorithm, status="unresolved" if unresolved else "failed",
            engine=getattr(exc, "engine", "") or ctx.engine.name, error=None if unresolved else f"{type(exc).__name__}: {exc}",
            entities=[r.as_dict() for r in unresolved], started_at=started, finished_at=time.time(),
        )
    if ctx.catalog is not None:  # recorded before the report starts: a resume from here executes nothing
        await ctx.catalog.record_execution(
            state["run_id"], state["template"], result.dump(), baseline_key(template, ctx.store)
        )
    if result.status == "completed":
        ctx.hand_over(state["run_id"], template.id, outcome.values)
    return _executed(result)


async def report(state: AnalysisState, config: RunnableConfig, ctx: Context) -> dict[str, Any]:
    outcome = ExecutionResult.model_validate(state["outcome"])
    if outcome.status == "unresolved":
        return await _entity_outcome(state, config, ctx, outcome)
    if outcome.status != "completed":
        return {}
    values = ctx.take_over(state["run_id"], outcome.template_id)
    if values is None:  # executed by an earlier process of this run
        if ctx.catalog is not None:
            recorded = await ctx.catalog.recorded(state["run_id"], "reports", outcome.template_id)
            if recorded is not None:  # and reported, but the step's end was not saved
                return {"reports": {recorded["id"]: recorded["report"]}, "llm_rejections": recorded["llm_rejections"]}
        values = await ctx.store.read_results(outcome.result_location)
    template = AnalysisTemplate.model_validate(state["template"])
    shared = read_shared(config, ["vertical", "use_cases"])
    vertical = Vertical.model_validate(shared["vertical"])
    baseline = await find_baseline(ctx, template, state["run_id"])
    # facts, the report and its grounding are CPU work on the full result (seconds on millions of
    # vertices): big ones go to worker threads, keeping the event loop, and so the other analyses, moving
    kind = algorithms.get(template.algorithm).kind
    about = template.about(kind)
    if kind == "score" and template.subject:  # the answer is about the subject's vertices ("influential customers")
        # a pass over every vertex (0.4 s at 10M edges): on the event loop it stalled the analysis in the lane
        values = await run_sized(len(values), _of_collections, values, set(template.subject))
    size = len(values)
    facts = await run_sized(
        size, compute_facts, kind, values, share_fractions(vertical, template.algorithm, about)
    )
    facts.update(await run_sized(size, shape_facts, template, values))  # paths in order, pairs best first
    if outcome.note:  # where it was computed, when that is not the run's engine (GAE has no endpoint...)
        facts["engine_note"] = outcome.note
    k = template.parameters.get("k") if template.algorithm in ("betweenness", "closeness", "harmonic") else None
    if isinstance(k, int) and 0 < k < size:  # an estimate from sampled sources: the report says so
        facts["sampled_sources"], facts["sampled_of"] = k, size
    if needs_isolation(vertical, template.algorithm, about):
        graph = await ctx.load_graph(template.vertex_collections, template.edge_collections)
        await run_sized(size + len(graph.edges), group_isolation, facts, values, graph.ids, graph.edges)
    # the one place display names enter a report: "refer by id" constraints keep them out
    names = visible_names(await ctx.store.display_names(entity_ids(facts)), template.masked_collections)
    use_case = UseCase.model_validate({u["id"]: u for u in shared["use_cases"]}[template.use_case_id])
    result = await run_sized(size, build_report, template, use_case, facts, names, vertical, baseline, False)
    rejections: list[dict[str, Any]] = []
    if ctx.llm is not None:  # LLM insights join only where every number they cite is a fact
        result, rejections = await extra_insights(
            ctx, config, result, facts, visible_names(names, template.private_collections), vertical
        )
    result = await run_sized(size, ground, result, facts, names, baseline)  # one pass over all it says
    dumped = result.dump()
    if ctx.catalog is not None:
        await ctx.catalog.record_report(state["run_id"], dumped, rejections)
    return {"reports": {result.id: dumped}, "llm_rejections": rejections}


def _of_collections(values: Any, collections: set[str]) -> Any:
    """The values of the vertices in ``collections``, in order; scores stay arrays (no dict per vertex)."""
    vv = VertexValues.of(values)
    keep = np.fromiter((vid.split("/", 1)[0] in collections for vid in vv.ids), dtype=bool, count=len(vv.ids))
    if vv.scores is None:
        return {k: v for k, v, kept in zip(vv.ids, vv.column(), keep.tolist()) if kept}
    return VertexValues([vid for vid, kept in zip(vv.ids, keep.tolist()) if kept], scores=vv.scores[keep])


async def _entity_outcome(state: AnalysisState, config: RunnableConfig, ctx: Context, outcome: ExecutionResult) -> dict[str, Any]:
    """The report of an analysis whose named entities did not resolve: which names, their candidates."""
    template = AnalysisTemplate.model_validate(state["template"])
    shared = read_shared(config, ["vertical", "use_cases"])
    unresolved = [entities.Resolution(**e) for e in outcome.entities]
    candidates = [c for r in unresolved for c in r.candidates]
    names = visible_names(await ctx.store.display_names(candidates), template.masked_collections)
    use_case = UseCase.model_validate({u["id"]: u for u in shared["use_cases"]}[template.use_case_id])
    dumped = entity_report(template, use_case, unresolved, names, Vertical.model_validate(shared["vertical"])).dump()
    if ctx.catalog is not None:
        await ctx.catalog.record_report(state["run_id"], dumped)
    return {"reports": {dumped["id"]: dumped}}
