"""The LLM, ArangoDB and GAE doubles on their own event loop in a background thread.

For code under test that runs its own event loop or its own process (the CLI, benchmarks): it
reaches the doubles through the product's configuration only (``env()``).
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

from graph_agents.stores import LocalGraphStore

from .arango_server import ArangoDouble
from .gae_server import GAEDouble, IAMDouble
from .openai_server import OpenAIDouble, ServerConfig

# variables of the product (and of LangSmith) that must come from env() alone, not from the caller's shell
_OWNED = ("OPENAI_", "ARANGO_", "GAE_", "GRAPH_AGENTS_", "LANGSMITH_", "LANGCHAIN_")


class BackgroundDoubles:
    def __init__(self, demo: Path, *, password: str = "pw", llm: ServerConfig | None = None,
                 job_delay: float = 0.0, amp_key: tuple[str, str] = ("key-id", "key-secret")) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.password = password
        self.llm = OpenAIDouble(llm or ServerConfig())
        self.arango = ArangoDouble(password=password)
        self.iam = IAMDouble(amp_key)
        self.gae = GAEDouble(self.arango, iam=self.iam)
        self.gae.job_delay = job_delay
        try:
            for server in (self.llm, self.arango, self.iam, self.gae):
                self.call(server.start())
            self.arango.load_store(LocalGraphStore.from_directory(Path(demo) / "data"))
        except BaseException:
            self.stop()
            raise

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def stop(self) -> None:
        for server in (self.gae, self.iam, self.arango, self.llm):
            try:
                self.call(server.stop())
            except Exception:  # a server that never started has nothing to stop
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def __enter__(self) -> "BackgroundDoubles":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for a CLI process on the doubles: the LLM double as the model, the demo
        graph in the ArangoDB double, the GAE double's platform service as the engine."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(_OWNED)}
        return {
            **keep,
            "OPENAI_BASE_URL": self.llm.base_url, "OPENAI_API_KEY": "double-key",
            "GRAPH_AGENTS_LLM_RPS": "1000", "GRAPH_AGENTS_LLM_BACKOFF": "0.05",
            "ARANGO_URL": self.arango.url, "ARANGO_PASSWORD": self.password,
            "GAE_DEPLOYMENT": "platform", "GAE_PLATFORM_URL": self.gae.url,
            "GAE_POLL_INITIAL": "0.02", "GAE_POLL_MAX": "0.1",
            **extra,
        }

    def mark(self) -> tuple[int, int]:
        """Where the doubles' logs stand: LLM requests, GAE ``storeresults`` calls."""
        return len(self.llm.requests), len(self.gae.store_bodies)
