"""Which store and engine a run uses, from the settings.

* ``ARANGO_URL`` set (and no data directory given): the graph lives in ArangoDB (``ArangoGraphStore``).
* An ArangoDB store: a ``RoutingEngine`` (:mod:`graph_agents.engines.routing`) — the paths AQL
  can search (shortest path(s), k-hop) run as AQL on the server; with GAE configured
  (``GAE_DEPLOYMENT`` or ``GAE_ENGINE_URL``) the algorithms GAE has an endpoint for run on GAE;
  the rest on the local engine, which streams the graph out of ArangoDB and writes results back.
* Any other store: the local engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engines.base import Engine
from .settings import Settings
from .stores.base import GraphStore
from .stores.local import LocalGraphStore


def local_store(settings: Settings, data_dir: str | Path, *, graph_name: str | None = None) -> LocalGraphStore:
    """A graph from local files, its results in the workspace."""
    return LocalGraphStore.from_directory(data_dir, results_dir=settings.home / "results", graph_name=graph_name)


def demo_store(settings: Settings) -> LocalGraphStore:
    """The bundled demo graph, generated into the workspace on first use."""
    from .demo import ensure_demo

    return local_store(settings, ensure_demo(settings.home / "demo") / "data")


def make_llm(settings: Settings) -> Any:
    """A chat model when an endpoint is configured, else None (the deterministic default)."""
    if not settings.llm_configured:
        return None
    from .llm import build_chat_model

    return build_chat_model(settings)


def make_store(
    settings: Settings, *, graph_name: str | None = None, collections: list[str] | None = None
) -> GraphStore | None:
    """An ArangoDB store when ArangoDB is configured, else None (the caller picks a local one)."""
    if not settings.arango_configured:
        return None
    from .stores.arango import ArangoGraphStore

    return ArangoGraphStore.from_settings(settings, graph_name=graph_name, collections=collections)


def make_engine(settings: Settings, store: GraphStore, *, max_concurrency: int | None = None) -> Engine:
    from .engines.local import LocalEngine

    if getattr(store, "kind", None) != "arango":
        return LocalEngine()
    from .engines.aql import AQLPathEngine
    from .engines.routing import RoutingEngine

    gae = None
    if settings.gae_configured:
        from .engines.gae import GAEEngine

        gae = GAEEngine(settings, max_concurrency=max_concurrency)
    return RoutingEngine(LocalEngine(), aql=AQLPathEngine(), gae=gae)


def make_catalog_backend(settings: Settings):
    """The ArangoDB catalog backend when ArangoDB is configured, else None (the caller's default)."""
    if not settings.arango_configured:
        return None
    from .catalog.arango import ArangoCatalogBackend
    from .stores.arango import connect

    return ArangoCatalogBackend(connect(settings))
