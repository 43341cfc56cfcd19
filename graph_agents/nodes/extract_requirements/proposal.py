"""The LLM path of extract_requirements: what the model may propose, and how it is checked.

The deterministic extraction is the floor: an ask the core found and the model dropped is kept,
and every requirement's words must come from the documents it claims (a proposal whose words are
not there is rejected).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...llm.agents import Rejections, guarded
from ...llm.structured import propose, rejection
from ...models import Requirement, Requirements
from .classify import strip_label

Priority = Literal["high", "medium", "low"]
MIN_SOURCE_OVERLAP = 0.6  # share of a requirement's words that must appear in its documents
SAME_ASK_OVERLAP = 0.8  # a proposed requirement sharing this much of a core one's words is that ask
_WORD = re.compile(r"[a-z0-9]{4,}")


class ProposedRequirement(BaseModel):
    id: str = Field(default="", description="REQ-001, REQ-002, ... in document order")
    text: str = Field(description="the ask in the document's own words")
    objective: str = ""
    priority: Priority = "medium"
    kind: Literal["must", "should", "could", "info"] = "should"
    source: str = Field(default="", description="name of the document it comes from")


class RequirementsExtraction(BaseModel):
    """Objectives, asks, stakeholders, constraints and non-goals stated in the documents."""

    objectives: list[str] = Field(default_factory=list)
    requirements: list[ProposedRequirement] = Field(default_factory=list, description="only sentences that ask for an analysis")
    stakeholders: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list, description="deadlines, formats, privacy and other rules")
    non_goals: list[str] = Field(default_factory=list, description="what the documents put out of scope")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _same_ask(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= SAME_ASK_OVERLAP


def _from_documents(items: list[str], vocabulary: set[str]) -> list[str]:
    out = []
    for item in items:
        text = " ".join(item.split())
        words = _words(text)
        if text and (not words or len(words & vocabulary) / len(words) >= MIN_SOURCE_OVERLAP):
            out.append(text)
    return out


def merge(deterministic: Requirements, proposed: list[Requirement]) -> Requirements:
    """The proposal's requirements, plus every core requirement no proposed one stands for, in
    document order (core positions first); ids renumbered."""
    kept = list(proposed)
    for req in deterministic.requirements:
        words = _words(strip_label(req.text))
        if not any(_same_ask(words, _words(strip_label(p.text))) for p in proposed):
            kept.append(req.model_copy())
    order = {r.text: i for i, r in enumerate(deterministic.requirements)}
    kept.sort(key=lambda r: order.get(r.text, len(order)))
    for i, req in enumerate(kept, 1):
        req.id = f"REQ-{i:03d}"
    return deterministic.model_copy(update={"requirements": kept})


@guarded("extract_requirements", lambda ctx, config, sources, deterministic: deterministic)
async def refine_requirements(
    ctx: Any, config: Any, sources: list[dict[str, str]], deterministic: Requirements
) -> tuple[Requirements, Rejections]:
    rejections: Rejections = []
    if ctx.llm is None or not sources:
        return deterministic, rejections
    data = {"document_names": [s["name"] for s in sources]}
    answer = await propose(ctx, "extract_requirements", RequirementsExtraction, data, config,
                           documents=sources, rejections=rejections)
    if answer is None:
        return deterministic, rejections
    vocabulary = set().union(*(_words(s["text"]) for s in sources))
    names = {s["name"] for s in sources}
    proposed: list[Requirement] = []
    seen: set[str] = set()
    for req in answer.requirements:
        text = " ".join(req.text.split())
        words = _words(text)
        if len(text) < 8 or not words:
            rejections.append(rejection("extract_requirements", text or req.id, "empty requirement"))
            continue
        overlap = len(words & vocabulary) / len(words)
        if overlap < MIN_SOURCE_OVERLAP:
            rejections.append(rejection("extract_requirements", text, f"not found in the documents ({overlap:.0%} of its words are)"))
            continue
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        core = next((r for r in deterministic.requirements if _same_ask(_words(strip_label(r.text)), words)), None)
        proposed.append(Requirement(
            id="", text=core.text if core else text, objective=req.objective.strip()[:200] or (core.objective if core else ""),
            priority=req.priority, kind=req.kind,
            source=req.source if req.source in names else (core.source if core else sources[0]["name"] if len(sources) == 1 else ""),
            location=core.location if core else "", owner=core.owner if core else "",
        ))
    out = merge(deterministic, proposed)
    for key in ("objectives", "stakeholders", "constraints", "non_goals"):
        extra = [t for t in _from_documents(getattr(answer, key), vocabulary) if t not in getattr(out, key)]
        setattr(out, key, [*getattr(deterministic, key), *extra])
    out.warnings = [] if out.requirements else list(deterministic.warnings)
    return out, rejections
