"""Gather the results, answer each requirement, decide the run's status and record the run."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from ..answers import answers
from ..context import Context, aget_context
from ..coverage import concluded
from ..recording import output_dir, record_run
from ..state import State
from ..tracing import graph_recorder


def run_status(templates: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> str:
    if not templates:
        return "completed"
    # an analysis that stopped at an unresolved name ended with a report saying so: not a failure
    failed = sum(1 for t in templates if results.get(t["id"], {}).get("status") not in ("completed", "unresolved"))
    if failed == 0:
        return "completed"
    return "failed" if failed == len(templates) else "completed_with_failures"


async def finalize(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    status = run_status(state.get("templates") or [], state.get("execution_results") or {})
    if ctx.catalog is not None:
        await ctx.catalog.finish_run(state["run_id"], status=status, errors=len(state.get("errors") or []))
    coverage = concluded(state.get("coverage") or [], state.get("execution_results") or {})
    update: dict[str, Any] = {"status": status, "coverage": coverage, "answers": answers({**state, "coverage": coverage})}
    # every door records the run on disk (graph_agents.recording), from the state as this node leaves it
    thread_id = str((config.get("configurable") or {}).get("thread_id") or state["run_id"])
    out = output_dir(ctx.workspace, state["run_id"], ctx.output)
    recorded = await record_run({**state, **update}, thread_id, out, ctx.output_formats, ctx.llm_calls)
    recorder = graph_recorder(config)
    if recorder is not None:  # a server run: no runner writes the trace after the graph ends
        trace = recorder.finish(thread_id=thread_id, status=status, mode=state.get("mode"))
        recorded["trace_paths"] = await asyncio.to_thread(trace.export, out / "trace")
    return {**update, **recorded}
