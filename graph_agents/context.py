"""The runtime dependencies handed to every node (LangGraph `context_schema`)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from .concurrency import Once
from .engines.base import Engine
from .formats import DEFAULT_FORMATS
from .settings import Settings
from .stores.base import GraphData, GraphStore


@dataclass
class Context:
    # None: filled in from the embedded default by get_context (Studio builds Context() from a run
    # that brings no context of its own)
    store: GraphStore | None = None
    engine: Engine | None = None
    settings: Settings = field(default_factory=Settings)
    llm: Any = None  # a LangChain chat model, or None for the deterministic default
    catalog: Any = None  # an analytics catalog, when one is configured
    core_collections: list[str] = field(default_factory=list)
    satellite_collections: list[str] = field(default_factory=list)
    # where the run records run.json and its reports (graph_agents.recording); None: <workspace>/output/<run id>
    output: Path | None = None
    output_formats: tuple[str, ...] = DEFAULT_FORMATS
    # one record per LLM invocation: agent, model, tokens, latency, cached (see graph_agents.llm)
    llm_calls: list[dict[str, Any]] = field(default_factory=list)
    _graphs: Once = field(default_factory=Once, repr=False)
    _handed: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def workspace(self) -> Path:
        return self.settings.home

    def hand_over(self, run_id: str, template_id: str, values: dict[str, Any]) -> None:
        """An execution's values, for its report step (in this process) to take rather than read
        them back from the store."""
        self._handed[(run_id, template_id)] = values

    def take_over(self, run_id: str, template_id: str) -> dict[str, Any] | None:
        """What :meth:`hand_over` left for this analysis, or None (executed by an earlier process)."""
        return self._handed.pop((run_id, template_id), None)

    async def load_graph(self, vertex_collections: list[str], edge_collections: list[str]) -> GraphData:
        """The store's graph on these collections, loaded once however many reports of the run ask
        for it (the isolated-groups detector counts edges inside and across groups)."""
        key = (tuple(vertex_collections), tuple(edge_collections))
        shared = getattr(self.engine, "graph_data", None)  # the engine's own graph: never a second load
        if shared is not None:
            return await shared(self.store, list(key[0]), list(key[1]))
        return await self._graphs.get(key, lambda: self.store.load_graph(list(key[0]), list(key[1])))


_default: Context | None = None
_default_lock = threading.Lock()  # parallel first users must not generate the demo twice


def default_context(settings: Settings | None = None) -> Context:
    """The embedded default: the bundled demo graph and the local engine (used by Studio, whose
    runs bring no context)."""
    global _default
    with _default_lock:
        return _default if _default is not None and settings is None else _build_default(settings)


def _build_default(settings: Settings | None) -> Context:
    global _default
    from .backends import demo_store, make_llm
    from .engines.local import LocalEngine

    from .catalog import open_catalog

    settings = settings or Settings()
    # a server's runs (Studio, SDK, MCP) are recorded in the workspace's catalog like the runner's
    _default = Context(store=demo_store(settings), engine=LocalEngine(), settings=settings, llm=make_llm(settings),
                       catalog=open_catalog(settings.home, settings=settings))
    return _default


async def aget_context(runtime: Runtime[Context] | None) -> Context:
    """:func:`get_context` for async nodes: the first build of the default reads and writes files,
    so it runs in a worker thread (`langgraph dev` rejects blocking calls in the event loop)."""
    ctx = getattr(runtime, "context", None)
    complete = isinstance(ctx, Context) and ctx.store is not None and ctx.engine is not None
    if _default is None and not complete:
        await asyncio.to_thread(default_context)
    return get_context(runtime)


def get_context(runtime: Runtime[Context] | None) -> Context:
    ctx = getattr(runtime, "context", None)
    if not isinstance(ctx, Context) or (ctx.store is None and ctx.engine is None):
        return default_context()  # a run that brings no context (Studio) gets the whole default
    if ctx.store is None or ctx.engine is None:
        fallback = default_context()
        return replace(ctx, store=ctx.store or fallback.store, engine=ctx.engine or fallback.engine)
    return ctx
