"""Where algorithms run: the Engine protocol and the local (igraph/numpy) engine."""

from typing import Any

from .base import Engine, EngineError, EngineOutcome

__all__ = ["Engine", "EngineError", "EngineOutcome", "LocalEngine", "compute"]


def __getattr__(name: str) -> Any:
    if name in ("LocalEngine", "compute"):  # igraph and scipy load on first use, not with the package
        from . import local

        return getattr(local, name)
    raise AttributeError(f"module 'graph_agents.engines' has no attribute {name!r}")
