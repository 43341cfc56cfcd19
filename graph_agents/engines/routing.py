"""One engine per algorithm for a graph in ArangoDB: GAE where it documents an endpoint, AQL for
the paths it can search on the server, the local engine on the graph streamed out of ArangoDB
for the rest.

* ``shortest_path``, ``all_shortest_paths``, ``k_hop``: :class:`~.aql.AQLPathEngine` (with or
  without GAE). Should ArangoDB's path leave the analysed collections (:class:`~.aql.OutsideScope`),
  the local engine computes it on those collections, and the report says why.
* an algorithm with a GAE endpoint (``algorithms.Algorithm.gae_endpoint``), GAE configured:
  :class:`~.gae.GAEEngine`.
* everything else: :class:`~.local.LocalEngine`; with GAE configured the report says so plainly
  ("Computed by the local engine on the graph read from ArangoDB: GAE has no endpoint for
  Louvain.").

The outcome names the engine that computed it (``EngineOutcome.engine``), and a failure names the
engine that failed (``exc.engine``), so the run record says which engine ran each analysis.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .. import algorithms
from ..models import AnalysisTemplate
from ..stores.base import GraphData, GraphStore
from .aql import OutsideScope
from .base import Engine, EngineOutcome

LOCAL_ON_ARANGO = "Computed by the local engine on the graph read from ArangoDB"


class RoutingEngine:
    """The Engine protocol over a local engine, and optionally AQL and GAE, chosen per algorithm."""

    def __init__(self, local: Any, *, aql: Engine | None = None, gae: Engine | None = None) -> None:
        self.local, self.aql, self.gae = local, aql, gae
        self.name = "+".join(e.name for e in (gae, aql, local) if e is not None)

    def route(self, algorithm: str) -> tuple[Engine, str]:
        """The engine for ``algorithm``, and what the report says about it (empty: nothing)."""
        try:
            algo = algorithms.get(algorithm)
        except ValueError:
            return self.local, ""  # the local engine refuses it with its own message
        if self.aql is not None and algo.aql:
            return self.aql, ""
        if self.gae is not None and algo.gae_endpoint:
            return self.gae, ""
        if self.gae is None:
            return self.local, ""  # the local engine is the run's engine: nothing to explain
        no_aql = " and AQL has no search for it" if algo.family == "paths" else ""
        return self.local, f"{LOCAL_ON_ARANGO}: GAE has no endpoint for {algo.title}{no_aql}."

    async def run(self, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        engine, note = self.route(template.algorithm)
        if engine is self.aql and not template.edge_collections:  # no edges to search: the local engine's answer
            engine = self.local
        try:
            outcome = await self._on(engine, template, store, run_id)
        except OutsideScope as exc:  # ArangoDB's answer is not the one on these collections
            engine, note = self.local, f"{LOCAL_ON_ARANGO}: {exc}."
            outcome = await self._on(engine, template, store, run_id)
        outcome.engine = outcome.engine or engine.name
        outcome.note = outcome.note or note
        return outcome

    @staticmethod
    async def _on(engine: Engine, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        try:
            return await engine.run(template, store, run_id)
        except OutsideScope:
            raise
        except Exception as exc:
            exc.engine = engine.name  # type: ignore[attr-defined]  # which engine failed, for the run record
            raise

    async def graph_data(self, store: GraphStore, vertex_collections: list[str], edge_collections: list[str]) -> GraphData:
        """The local engine's copy of the graph, for the report's detectors (one load per run)."""
        return await self.local.graph_data(store, vertex_collections, edge_collections)

    async def aclose(self) -> None:
        engines = [e for e in (self.gae, self.aql, self.local) if e is not None]
        results = await asyncio.gather(*(e.aclose() for e in engines), return_exceptions=True)
        for result in results:  # every engine was closed; the first failure is the caller's
            if isinstance(result, BaseException):
                raise result
