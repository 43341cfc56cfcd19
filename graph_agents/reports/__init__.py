"""Facts, insights and renderers for analysis reports."""

from importlib import import_module
from typing import Any

_HOME = {"build_report": "build", "compute_facts": "build", "entity_ids": "build", "report_id": "build",
         "ground_report": "grounding", "to_markdown": "render", "write_report_files": "render"}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    # resolved on first use: the vertical checks import reports.advice alone, and the package's
    # renderers and facts (numpy, jinja2) would double `graph-agents verticals`' start-up
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
