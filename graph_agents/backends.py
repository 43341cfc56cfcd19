"""Which store and engine a run uses, from the settings.

* ``ARANGO_URL`` set (and no data directory given): the graph lives in ArangoDB (``ArangoGraphStore``).
* GAE configured (``GAE_DEPLOYMENT`` or ``GAE_ENGINE_URL``) with an ArangoDB store: ``GAEEngine``;
  otherwise the local engine, which streams the graph out of ArangoDB and writes results back.
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
    if settings.gae_configured and getattr(store, "kind", None) == "arango":
        from .engines.gae import GAEEngine

        return GAEEngine(settings, max_concurrency=max_concurrency)
    from .engines.local import LocalEngine

    return LocalEngine()


def make_catalog_backend(settings: Settings):
    """The ArangoDB catalog backend when ArangoDB is configured, else None (the caller's default)."""
    if not settings.arango_configured:
        return None
    from .catalog.arango import ArangoCatalogBackend
    from .stores.arango import connect

    return ArangoCatalogBackend(connect(settings))
