"""Map each requirement to the graph algorithm that answers it; discovery use cases without any."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from .. import algorithms
from ..context import Context, aget_context
from ..llm.agents import refine_use_cases
from ..models import GraphSchema, Requirements, UseCase, Vertical
from ..selection import mentioned_collections
from ..state import State

DEFAULT_DISCOVERY = ["pagerank", "wcc", "label_propagation", "betweenness"]
_RANK = {"high": 0, "medium": 1, "low": 2}


_PRIORITY_NOTE = re.compile(r"\((?:[^)]*priority[^)]*|high|medium|low)\)\s*", re.I)


def _shorten(text: str, limit: int = 90) -> str:
    text = _PRIORITY_NOTE.sub("", text).strip().rstrip(" ?.!")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def plan_use_cases(reqs: Requirements, schema: GraphSchema, vertical: Vertical) -> list[UseCase]:
    merged: dict[tuple[str, tuple[str, ...]], UseCase] = {}
    for req in reqs.requirements:
        matches = algorithms.match(req.text)
        if not matches:
            continue
        algo = algorithms.get(matches[0][0])
        focus = mentioned_collections(req.text, schema)
        key = (algo.name, tuple(sorted(focus)))
        if key in merged:
            uc = merged[key]
            uc.requirement_ids.append(req.id)
            if _RANK[req.priority] < _RANK[uc.priority]:
                uc.priority = req.priority
            continue
        words = [w for w in algo.intents if w in req.text.lower()]
        purpose = vertical.algorithm_purposes.get(algo.name, algo.description)
        merged[key] = UseCase(
            id="",
            title=f"{algo.title}: {_shorten(req.text)}",
            description=req.text,
            algorithm=algo.name,
            rationale=f"The requirement speaks of {', '.join(repr(w) for w in words)}; {algo.title} answers that. {purpose}",
            priority=req.priority,
            requirement_ids=[req.id],
            focus=focus,
        )
    use_cases = list(merged.values())
    if not use_cases:
        why = "No requirement asks for" if reqs.requirements else "No requirements were given for"
        for name in vertical.discovery or DEFAULT_DISCOVERY:
            algo = algorithms.get(name)
            use_cases.append(
                UseCase(
                    id="",
                    title=f"Discovery: {algo.title}",
                    description=vertical.algorithm_purposes.get(name, algo.description),
                    algorithm=name,
                    rationale=f"{why} a graph analysis; {algo.title} is a first look suited to a {vertical.display_name} graph.",
                    priority="medium",
                )
            )
    use_cases.sort(key=lambda u: _RANK[u.priority])  # stable: document order within a priority
    for i, uc in enumerate(use_cases, 1):
        uc.id = f"UC-{i:03d}"
    return use_cases


async def generate_use_cases(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    reqs = Requirements.model_validate(state.get("extracted") or {})
    schema = GraphSchema.model_validate(state["graph_schema"])
    vertical = Vertical.model_validate(state["vertical"])
    use_cases = plan_use_cases(reqs, schema, vertical)
    use_cases, rejections = await refine_use_cases(await aget_context(runtime), config, reqs, schema, vertical, use_cases)
    return {"use_cases": [u.dump() for u in use_cases], "llm_rejections": rejections}
