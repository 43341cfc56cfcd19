"""Phase 1 agent: the asks in the documents, with their objectives, stakeholders, constraints and
non-goals.

- :mod:`.blocks` cuts a document into headings, list items, table rows and sentences;
- :mod:`.classify` tells an ask from a constraint, a non-goal or background;
- :mod:`.parse` is the deterministic core built on both;
- :mod:`.proposal` is the LLM path: what the model may propose and how it is checked.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from ...context import Context, aget_context
from ...state import State
from .parse import NO_ASK_WARNING, parse_requirements
from .proposal import RequirementsExtraction, refine_requirements

log = logging.getLogger("graph_agents")

__all__ = ["NO_ASK_WARNING", "RequirementsExtraction", "extract_requirements", "parse_requirements", "refine_requirements"]


async def extract_requirements(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    sources = state.get("sources") or []
    extracted, rejections = await refine_requirements(ctx, config, sources, parse_requirements(sources))
    for warning in extracted.warnings:  # on stderr now, before any discovery analysis starts
        log.warning("warning: %s%s", warning, "; discovery analyses follow" if warning == NO_ASK_WARNING else "")
    dumped = extracted.dump()
    if ctx.catalog is not None:
        await ctx.catalog.record_requirements(state["run_id"], dumped["requirements"])
    return {"extracted": dumped, "llm_rejections": rejections, "warnings": list(extracted.warnings)}
