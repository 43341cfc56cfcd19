"""The runtime dependencies handed to every node (LangGraph `context_schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from .engines.base import Engine
from .settings import Settings
from .stores.base import GraphStore


@dataclass
class Context:
    store: GraphStore
    engine: Engine
    settings: Settings = field(default_factory=Settings)
    llm: Any = None  # a LangChain chat model, or None for the deterministic default
    catalog: Any = None  # an analytics catalog, when one is configured
    core_collections: list[str] = field(default_factory=list)
    satellite_collections: list[str] = field(default_factory=list)
    # one record per LLM invocation: agent, model, tokens, latency, cached (see graph_agents.llm)
    llm_calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def workspace(self) -> Path:
        return self.settings.home


_default: Context | None = None


def default_context(settings: Settings | None = None) -> Context:
    """The embedded default: the bundled demo graph and the local engine (used by Studio, whose
    runs bring no context)."""
    global _default
    if _default is None or settings is not None:
        from .demo import ensure_demo
        from .engines.local import LocalEngine
        from .stores.local import LocalGraphStore

        settings = settings or Settings()
        demo = ensure_demo(settings.home / "demo")
        store = LocalGraphStore.from_directory(demo / "data", results_dir=settings.home / "results")
        llm = None
        if settings.llm_configured:
            from .llm import build_chat_model

            llm = build_chat_model(settings)
        _default = Context(store=store, engine=LocalEngine(), settings=settings, llm=llm)
    return _default


def get_context(runtime: Runtime[Context] | None) -> Context:
    ctx = getattr(runtime, "context", None)
    return ctx if isinstance(ctx, Context) else default_context()
