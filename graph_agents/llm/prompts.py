"""Prompt files, one per agent: ``graph_agents/prompts`` in a wheel, ``<repo>/prompts`` in a checkout."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

AGENTS = (
    "resolve_vertical", "analyze_schema", "extract_requirements",
    "generate_use_cases", "generate_templates", "analyze",
)


def prompts_dir() -> Traversable:
    packaged = resources.files("graph_agents") / "prompts"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "prompts"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("prompt files not found: neither graph_agents/prompts nor <repo>/prompts exists")


@lru_cache(maxsize=None)
def load_prompt(agent: str) -> str:
    """The system prompt of ``agent`` (the file ``prompts/<agent>.md``)."""
    if agent not in AGENTS:
        raise ValueError(f"no prompt for agent {agent!r}; known: {', '.join(AGENTS)}")
    return (prompts_dir() / f"{agent}.md").read_text(encoding="utf-8").strip()
