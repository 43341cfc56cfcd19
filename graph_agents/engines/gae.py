"""The Graph Analytics Engine (GAE) client: ArangoDB's distributed engine, over aiohttp.

One engine per run: started on the first analysis (sized from the graph unless overridden),
stopped by ``aclose`` only when this run started it. Each analysis is a job lifecycle:

``loaddata`` (once per set of collections and attributes, shared by the analyses that need it) →
the algorithm (GAE's endpoint and parameter names, from the catalog) → poll ``jobs/<id>`` until
``progress == total`` → ``storeresults`` into the run's result collection → delete the jobs.
Loaded graphs are deleted at ``aclose``. Concurrent analyses share the engine, each job tracked by
its own id, at most ``max_concurrency`` at a time. A job that reports an error fails its analysis
with GAE's message; the others go on.

While an engine starts it answers 404 for a while: requests are retried until the start-up grace
period is over. Polls back off from ``gae_poll_initial_s`` to ``gae_poll_max_s``; every request has
a timeout, and every job a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

from .. import algorithms
from ..models import AnalysisTemplate
from ..settings import Settings
from ..stores.base import GraphStore
from .base import EngineError, EngineOutcome
from .gae_deploy import Authorized, Deployment, EngineHandle, GAEHTTPError, database_token, make_deployment
from .local import OWN_LABEL_ATTRIBUTES

# rough in-memory bytes per vertex and per edge, for sizing an engine
BYTES_PER_VERTEX = 200
BYTES_PER_EDGE = 50


def field(data: dict[str, Any], name: str) -> Any:
    """``data[name]``, accepting the camelCase spelling some engine versions answer with."""
    if name in data:
        return data[name]
    head, *rest = name.split("_")
    return data.get(head + "".join(p.title() for p in rest))


def _checked(data: Any, what: str) -> dict[str, Any]:
    """An engine answer, or EngineError when it reports an error in its body (with HTTP 200)."""
    if not isinstance(data, dict):
        raise EngineError(f"GAE {what}: unexpected answer {data!r}")
    if field(data, "error") is True:
        message = field(data, "error_message") or f"error code {field(data, 'error_code')}"
        raise EngineError(f"GAE {what} failed: {message}")
    return data


class GAEEngine:
    """The Engine protocol on a Graph Analytics Engine; the store must be an ArangoGraphStore."""

    name = "gae"

    def __init__(
        self,
        settings: Settings,
        *,
        deployment: Deployment | None = None,
        max_concurrency: int | None = None,
    ) -> None:
        self.settings = settings
        self.deployment = deployment or make_deployment(settings)
        self.max_concurrency = max(1, max_concurrency or settings.max_concurrency)
        self.token = database_token(settings)
        self.handle: EngineHandle | None = None
        self.graphs: dict[tuple[Any, ...], str] = {}  # (collections, attributes) -> graph_id
        self.jobs: set[str] = set()  # jobs created and not yet deleted
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem: asyncio.Semaphore | None = None
        self._start_lock: asyncio.Lock | None = None
        self._graph_locks: dict[tuple[Any, ...], asyncio.Lock] = {}
        self._start_error: str | None = None

    # -- plumbing -----------------------------------------------------------------------------

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # asyncio primitives belong to one event loop
            self._loop = loop
            self._sem = asyncio.Semaphore(self.max_concurrency)
            self._start_lock = asyncio.Lock()
            self._graph_locks = {}
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _engine(self, store: Any) -> EngineHandle:
        assert self._start_lock is not None
        async with self._start_lock:
            if self._start_error is not None:  # one failed start fails the run's analyses, no retry storm
                raise EngineError(f"the GAE engine could not be started: {self._start_error}")
            if self.handle is None:
                try:
                    metas = await store.list_collections()
                    size = sum(m.count * (BYTES_PER_EDGE if m.type == "edge" else BYTES_PER_VERTEX) for m in metas)
                    self.handle = await self.deployment.start(self.session, size)
                except Exception as exc:
                    self._start_error = str(exc)
                    raise
        return self.handle

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        """One engine API call; 404s during the start-up grace period are retried with backoff."""
        assert self.handle is not None
        http = Authorized(self.session, self.token, self.settings)
        delay = self.settings.gae_poll_initial_s
        while True:
            try:
                return await http.call(method, f"{self.handle.url}/{path}", body)
            except GAEHTTPError as exc:
                starting = time.monotonic() - self.handle.started_at < self.settings.gae_startup_grace_s
                if exc.status != 404 or not starting or not self.handle.started_by_us:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, self.settings.gae_poll_max_s)

    async def _wait(self, job_id: str, what: str) -> dict[str, Any]:
        """Poll a job until ``progress == total``; its error is ours."""
        deadline = time.monotonic() + self.settings.gae_job_timeout_s
        delay = self.settings.gae_poll_initial_s
        while True:
            job = await self._call("GET", f"jobs/{job_id}")
            if not isinstance(job, dict):
                raise EngineError(f"GAE {what} job {job_id}: unexpected answer {job!r}")
            if field(job, "error"):
                message = field(job, "error_message") or f"error code {field(job, 'error_code')}"
                raise EngineError(f"GAE {what} job {job_id} failed: {message}")
            total, progress = job.get("total"), job.get("progress")
            if total is not None and progress is not None and int(progress) >= int(total) and int(total) > 0:
                return job
            if time.monotonic() + delay > deadline:
                raise EngineError(
                    f"GAE {what} job {job_id} did not finish within {self.settings.gae_job_timeout_s:g} s "
                    f"(progress {progress}/{total})"
                )
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, self.settings.gae_poll_max_s)

    async def _job(self, path: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        data = _checked(await self._call("POST", path, body), what)
        job_id = str(field(data, "job_id"))
        self.jobs.add(job_id)
        await self._wait(job_id, what)
        return data

    async def _delete_job(self, job_id: str) -> None:
        with contextlib.suppress(EngineError):
            await self._call("DELETE", f"jobs/{job_id}")
        self.jobs.discard(job_id)

    async def _graph(self, store: Any, vertex: list[str], edge: list[str], attributes: tuple[str, ...]) -> str:
        key = (tuple(vertex), tuple(edge), attributes)
        lock = self._graph_locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self.graphs:
                body = {
                    "database": store.database,
                    "vertex_collections": list(vertex),
                    "edge_collections": list(edge),
                    "vertex_attributes": list(attributes),
                }
                data = await self._job("loaddata", body, "loaddata")
                self.graphs[key] = str(field(data, "graph_id"))
                await self._delete_job(str(field(data, "job_id")))
        return self.graphs[key]

    # -- Engine -------------------------------------------------------------------------------

    async def run(self, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        if getattr(store, "kind", None) != "arango":
            raise EngineError(f"the GAE engine runs on graphs in ArangoDB, not on a {store.kind} store")
        try:
            algo = algorithms.get(template.algorithm)
            params = algo.validate_params(template.parameters)
        except ValueError as exc:
            raise EngineError(f"template {template.id}: {exc}") from exc
        self._bind_loop()
        assert self._sem is not None
        async with self._sem:
            await self._engine(store)
            attribute = params.get("start_label_attribute")
            attributes = (attribute,) if attribute and attribute not in OWN_LABEL_ATTRIBUTES else ()
            graph_id = await self._graph(store, template.vertex_collections, template.edge_collections, attributes)
            target = await store.prepare_results(run_id, template.id)  # type: ignore[attr-defined]
            job_ids: list[str] = []
            try:
                data = _checked(await self._call("POST", algo.gae_endpoint, {"graph_id": graph_id, **params}), algo.name)
                job_ids.append(str(field(data, "job_id")))
                self.jobs.add(job_ids[-1])
                await self._wait(job_ids[-1], algo.name)
                stored = _checked(await self._call(
                    "POST",
                    "storeresults",
                    {
                        "database": store.database,  # type: ignore[attr-defined]
                        "target_collection": target,
                        "job_ids": [job_ids[0]],
                        "attribute_names": [algo.result_field],
                        "batch_size": self.settings.arango_batch_size,
                        "parallelism": self.settings.arango_max_parallel,
                    },
                ), "storeresults")
                job_ids.append(str(field(stored, "job_id")))
                self.jobs.add(job_ids[-1])
                await self._wait(job_ids[-1], "storeresults")
            finally:
                await asyncio.shield(asyncio.gather(*(self._delete_job(j) for j in job_ids)))
        location = store.location(target, algo.result_field)  # type: ignore[attr-defined]
        values = await store.read_results(location)
        return EngineOutcome(values=values, result_location=location, result_count=len(values))

    async def aclose(self) -> None:
        """Delete our graphs and jobs; stop the engine if this run started it."""
        try:
            if self.handle is not None and self._session is not None and not self._session.closed:
                for job_id in list(self.jobs):
                    await self._delete_job(job_id)
                for graph_id in list(self.graphs.values()):
                    with contextlib.suppress(EngineError):
                        await self._call("DELETE", f"graphs/{graph_id}")
                self.graphs.clear()
                if self.handle.started_by_us:
                    await self.deployment.stop(self.session, self.handle)
        finally:
            self.handle = None
            self._start_error = None
            if self._session is not None:
                await self._session.close()
                self._session = None
