"""Phase 1 agent: objectives, requirements, stakeholders and constraints from the documents."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from ..context import Context, aget_context
from ..llm.agents import refine_requirements
from ..models import Requirement, Requirements
from ..state import State

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-zA-Z][.)])\s+(.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_MARKUP = re.compile(r"(\*\*|__|`|\[(?=[^\]]*\]\()|\]\([^)]*\))")
_MODAL = re.compile(r"\b(must|shall|should|needs? to|required?|want to|wants to|would like|could)\b", re.I)
_HIGH = re.compile(r"\b(must|shall|critical|high[- ]priority|priority:\s*high|\(high\)|urgent|essential|required)\b", re.I)
_LOW = re.compile(r"\b(could|nice[- ]to[- ]have|low[- ]priority|priority:\s*low|\(low\)|optional)\b", re.I)
_SECTIONS = {
    "objectives": re.compile(r"objective|goal|aim|purpose|vision|mission", re.I),
    "stakeholders": re.compile(r"stakeholder|audience|owner|sponsor|team", re.I),
    "constraints": re.compile(r"constraint|limitation|non[- ]functional|assumption|out of scope", re.I),
    "requirements": re.compile(r"requirement|question|need|use case|scope|deliverable|analys", re.I),
}


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip()


def _section(heading: str) -> str:
    for name, pattern in _SECTIONS.items():
        if pattern.search(heading):
            return name
    return "other"


def _classify(text: str) -> tuple[str, str]:
    modal = _MODAL.search(text)
    word = modal.group(1).lower() if modal else ""
    kind = "must" if word in ("must", "shall", "required", "require") else "could" if word == "could" else "should" if modal else "info"
    priority = "high" if _HIGH.search(text) else "low" if _LOW.search(text) else "medium"
    return kind, priority


def _blocks(text: str) -> list[tuple[str, str, str]]:
    """(section heading, block kind "item"|"para", text) in document order."""
    heading, blocks, current = "", [], None
    for raw in text.splitlines():
        line = raw.rstrip()
        if m := _HEADING.match(line):
            heading, current = _clean(m.group(2)), None
        elif m := _ITEM.match(line):
            current = [heading, "item", m.group(1)]
            blocks.append(current)
        elif not line.strip():
            current = None
        elif current is not None:  # a wrapped line continues the item or paragraph above
            current[2] += " " + line.strip()
        else:
            current = [heading, "para", line.strip()]
            blocks.append(current)
    return [(h, k, _clean(t)) for h, k, t in blocks if _clean(t)]


def parse_requirements(sources: list[dict[str, str]]) -> Requirements:
    out = Requirements()
    seen: set[str] = set()
    for source in sources:
        for heading, kind, text in _blocks(source["text"]):
            section = _section(heading)
            if section == "stakeholders" and kind == "item":
                out.stakeholders.append(text)
                continue
            if section == "constraints":
                out.constraints.extend([text] if kind == "item" else _SENTENCE.split(text))
                continue
            if section == "objectives" and kind == "item":
                out.objectives.append(text)
                continue
            candidates = [text] if kind == "item" else _SENTENCE.split(text)
            for sentence in candidates:
                is_req = (
                    (kind == "item" and section == "requirements")
                    or bool(_MODAL.search(sentence))
                    or sentence.endswith("?")
                )
                if not is_req or sentence.lower() in seen or len(sentence) < 8:
                    continue
                seen.add(sentence.lower())
                req_kind, priority = _classify(sentence)
                out.requirements.append(
                    Requirement(
                        id=f"REQ-{len(out.requirements) + 1:03d}",
                        text=sentence,
                        objective=heading,
                        priority=priority,
                        kind=req_kind,
                        source=source["name"],
                    )
                )
    return out


async def extract_requirements(state: State, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = await aget_context(runtime)
    sources = state.get("sources") or []
    extracted, rejections = await refine_requirements(ctx, config, sources, parse_requirements(sources))
    dumped = extracted.dump()
    if ctx.catalog is not None:
        await ctx.catalog.record_requirements(state["run_id"], dumped["requirements"])
    return {"extracted": dumped, "llm_rejections": rejections}
