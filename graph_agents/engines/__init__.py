"""Where algorithms run: the Engine protocol and the local (igraph/numpy) engine."""

from .base import Engine, EngineError, EngineOutcome
from .local import LocalEngine, compute

__all__ = ["Engine", "EngineError", "EngineOutcome", "LocalEngine", "compute"]
