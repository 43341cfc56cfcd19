"""The Engine protocol: where algorithms run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..models import AnalysisTemplate
from ..stores.base import GraphStore


class EngineError(Exception):
    """An algorithm job failed; the message is the engine's own. ``engine``: which engine failed,
    when the engine the run was given hands the analysis to another (see :mod:`.routing`)."""

    engine: str = ""


def checked(template: AnalysisTemplate, store: GraphStore, *, in_database: str = "") -> tuple[Any, dict[str, Any]]:
    """The template's catalog algorithm and its validated parameters, or an EngineError saying what
    is wrong; ``in_database`` (the engine's name in the message) requires a graph in ArangoDB."""
    from .. import algorithms

    if in_database and getattr(store, "kind", None) != "arango":
        raise EngineError(f"{in_database} run on graphs in ArangoDB, not on a {store.kind} store")
    try:
        algo = algorithms.get(template.algorithm)
        return algo, algo.validate_params(template.parameters)
    except ValueError as exc:
        raise EngineError(f"template {template.id}: {exc}") from exc


@dataclass
class EngineOutcome:
    values: dict[str, Any]  # vertex id -> score or label, the full result
    result_location: str
    result_count: int
    engine: str = ""  # the engine that computed it, when not the run's engine itself
    note: str = ""  # where and how it was computed, said plainly in the report (empty: nothing to say)


@runtime_checkable
class Engine(Protocol):
    name: str

    async def run(self, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        """Execute ``template`` on ``store``'s graph, write the results for ``run_id``, return them."""

    async def aclose(self) -> None:
        """Release what the engine started (GAE engines, sessions)."""
