"""Entry node: load the requirement documents and resolve the industry vertical."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from ..context import Context, aget_context
from ..documents import load_sources
from ..llm.agents import choose_vertical
from ..state import State
from ..verticals import detect_vertical, load_vertical


async def resolve_vertical(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    # documents and vertical files are read in a thread: the event loop stays free (and `langgraph
    # dev` rejects blocking calls in it)
    sources = await asyncio.to_thread(load_sources, state.get("documents"), state.get("requirements"))
    spec = (state.get("industry") or "auto").strip()
    rejections: list[dict[str, Any]] = []
    if spec.lower() == "auto":
        names = [c.name for c in await ctx.store.list_collections()]
        vertical, scores = await asyncio.to_thread(detect_vertical, [s["text"] for s in sources], names)
        if ctx.llm is not None:
            vertical, rejections = await choose_vertical(ctx, config, sources, names, vertical, scores)
    else:
        vertical, scores = await asyncio.to_thread(load_vertical, spec), {}
    run_id = (config.get("configurable") or {}).get("thread_id") or uuid.uuid4().hex[:12]
    if ctx.catalog is not None:
        await ctx.catalog.start_run(str(run_id), mode="llm" if ctx.llm is not None else "deterministic", vertical=vertical.name,
                                    documents=[s["name"] for s in sources], store=ctx.store.describe(), engine=ctx.engine.name)
    return {
        "run_id": str(run_id),
        "mode": "llm" if ctx.llm is not None else "deterministic",
        "sources": sources,
        "vertical": vertical.dump(),
        "vertical_scores": scores,
        "llm_rejections": rejections,
    }
