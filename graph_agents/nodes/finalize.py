"""Gather the results, answer each requirement, decide the run's status and record the run."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..answers import answers
from ..context import Context, aget_context
from ..state import State


def run_status(templates: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> str:
    if not templates:
        return "completed"
    failed = sum(1 for t in templates if results.get(t["id"], {}).get("status") != "completed")
    if failed == 0:
        return "completed"
    return "failed" if failed == len(templates) else "completed_with_failures"


async def finalize(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    status = run_status(state.get("templates") or [], state.get("execution_results") or {})
    if ctx.catalog is not None:
        await ctx.catalog.finish_run(state["run_id"], status=status, errors=len(state.get("errors") or []))
    return {"status": status, "answers": answers(state)}
