"""The Graph Analytics Engine (GAE) client: ArangoDB's distributed engine, over aiohttp.

One engine per run: started on the first analysis (sized from the graph unless overridden),
stopped by ``aclose`` only when this run started it. Before its first job the engine must answer
``GET /v1/version``: a new engine's route answers 503 (the proxy's "upstream connect error"),
then 404, then the engine; those and connection errors are retried with back-off for
``GAE_STARTUP_GRACE`` seconds, after which the run's GAE analyses fail with a message naming the
URL and the last answer. Each analysis is a job lifecycle:

``loaddata`` (once per set of collections and loaded attributes, shared by the analyses that need
it) → the algorithm (GAE's endpoint and parameter names, from the catalog) → poll ``jobs/<id>``
until ``progress == total`` → empty the result collection, ``storeresults`` into it → delete the
jobs. Loaded graphs are deleted at ``aclose``. Ids (``graph_id``, ``job_id``, ``job_ids``) are
passed back as the numbers the engine returned: its request fields are ``uint64`` and a string is
a 400. Label and attribute propagation seed from ``"@id"`` (the vertex id) or from an attribute
that ``loaddata`` loaded into the column store. Betweenness is sent with ``undirected`` set to the
local engine's semantics. Concurrent analyses share the engine, at most ``max_concurrency`` at a
time; a job that reports an error fails its analysis with GAE's message; the others go on.

The protocol facts relied on, with their sources, are in ``docs/gae-protocol.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from .. import algorithms
from ..models import AnalysisTemplate
from ..progress import report_progress
from ..settings import Settings
from ..stores.base import GraphStore
from .base import EngineError, EngineOutcome, checked
from .gae_deploy import (
    Authorized,
    Clock,
    Deployment,
    EngineHandle,
    GAEHTTPError,
    database_token,
    make_deployment,
)

# rough in-memory bytes per vertex and per edge, for sizing an engine
BYTES_PER_VERTEX = 200
BYTES_PER_EDGE = 50
# the engine's own name for "seed every label with the vertex id" (LabelPropagationRequest)
VERTEX_ID_LABEL = "@id"
# our catalog's spellings of the vertex's own identity, which the engine's column store never holds
OWN_IDENTITY = ("_key", "_id", VERTEX_ID_LABEL)
# algorithms whose result depends on edge direction only through GAE's ``undirected`` flag
UNDIRECTED_FLAG = ("betweenness",)
# answers of an engine whose route exists before the engine does: retried during start-up
STARTING = (0, 404, 502, 503, 504)


def field(data: dict[str, Any], name: str) -> Any:
    """``data[name]``, accepting the camelCase spelling the engine's JSON mapping may answer with."""
    if name in data:
        return data[name]
    head, *rest = name.split("_")
    return data.get(head + "".join(p.title() for p in rest))


def engine_id(data: dict[str, Any], name: str, what: str) -> int:
    """An id the engine returned, kept as the number it is (a string goes back only if the engine
    sent one, through protobuf's JSON mapping of uint64)."""
    value = field(data, name)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (isinstance(value, str) and not value.isdigit()):
        raise EngineError(f"GAE {what}: no {name} in the answer {data!r}")
    return int(value)


def _checked(data: Any, what: str) -> dict[str, Any]:
    """An engine answer, or EngineError when it reports an error in its body (with HTTP 200)."""
    if not isinstance(data, dict):
        raise EngineError(f"GAE {what}: unexpected answer {data!r}")
    if field(data, "error") is True or (field(data, "error_code") or 0) != 0:
        message = field(data, "error_message") or f"error code {field(data, 'error_code')}"
        raise EngineError(f"GAE {what} failed: {message}")
    return data


def label_seed(attribute: str | None) -> tuple[str, tuple[str, ...]]:
    """(``start_label_attribute`` to send, vertex attributes ``loaddata`` must load for it)."""
    if not attribute or attribute in OWN_IDENTITY:
        return VERTEX_ID_LABEL, ()
    return attribute, (attribute,)


def algorithm_body(algo: algorithms.Algorithm, params: dict[str, Any], graph_id: int) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The algorithm request and the attributes its graph must have loaded."""
    body: dict[str, Any] = {"graph_id": graph_id, **params}
    attributes: tuple[str, ...] = ()
    if "start_label_attribute" in params:
        body["start_label_attribute"], attributes = label_seed(params["start_label_attribute"])
    if algo.name in UNDIRECTED_FLAG:
        body["undirected"] = not algo.directed
    return body, attributes


class GAEEngine:
    """The Engine protocol on a Graph Analytics Engine; the store must be an ArangoGraphStore."""

    name = "gae"

    def __init__(
        self,
        settings: Settings,
        *,
        deployment: Deployment | None = None,
        max_concurrency: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.deployment = deployment or make_deployment(settings, self.clock)
        self.max_concurrency = max(1, max_concurrency or settings.max_concurrency)
        self.token = getattr(self.deployment, "engine_token", None) or database_token(settings)
        self.handle: EngineHandle | None = None
        self.graphs: dict[tuple[Any, ...], int] = {}  # (collections, attributes) -> graph_id
        self.jobs: set[int] = set()  # jobs created and not yet deleted
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
                    await self._ready(self.handle)
                except Exception as exc:
                    self._start_error = str(exc)
                    raise
        return self.handle

    async def _ready(self, handle: EngineHandle) -> None:
        """Probe ``GET /v1/version`` until the engine answers; retry what a starting engine answers."""
        http = Authorized(self.session, self.token, self.settings)
        url = f"{handle.url}/version"
        last = [""]

        async def answers() -> bool | None:
            try:
                await http.call("GET", url)
                return True
            except GAEHTTPError as exc:
                if exc.status not in STARTING:
                    raise
                last[0] = str(exc)
                return None

        await self.clock.poll(
            answers, timeout_s=self.settings.gae_startup_grace_s, initial_s=self.settings.gae_poll_initial_s,
            max_s=self.settings.gae_poll_max_s,
            timed_out=lambda: EngineError(
                f"the GAE engine at {handle.url} did not become ready within "
                f"{self.settings.gae_startup_grace_s:g} s (GAE_STARTUP_GRACE); last answer: {last[0]}"))

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        assert self.handle is not None
        return await Authorized(self.session, self.token, self.settings).call(method, f"{self.handle.url}/{path}", body)

    async def _wait(self, job_id: int, what: str) -> dict[str, Any]:
        """Poll a job until ``progress == total``; its error is ours."""
        seen: list[Any] = [None, None]  # progress, total of the last answer

        async def finished() -> dict[str, Any] | None:
            job = await self._call("GET", f"jobs/{job_id}")
            if not isinstance(job, dict):
                raise EngineError(f"GAE {what} job {job_id}: unexpected answer {job!r}")
            if field(job, "error") or (field(job, "error_code") or 0) != 0:
                message = field(job, "error_message") or f"error code {field(job, 'error_code')}"
                raise EngineError(f"GAE {what} job {job_id} failed: {message}")
            total, progress = job.get("total"), job.get("progress")
            if progress is not None:  # a bar in the CLI, an event on the custom stream for Studio
                report_progress(f"gae-job-{job_id}", progress, total, label=f"GAE {what} job {job_id}", unit="steps")
            seen[:] = [progress, total]
            if total is not None and progress is not None and int(progress) >= int(total) and int(total) > 0:
                return job
            return None

        return await self.clock.poll(
            finished, timeout_s=self.settings.gae_job_timeout_s, initial_s=self.settings.gae_poll_initial_s,
            max_s=self.settings.gae_poll_max_s,
            timed_out=lambda: EngineError(
                f"GAE {what} job {job_id} did not finish within {self.settings.gae_job_timeout_s:g} s "
                f"(progress {seen[0]}/{seen[1]})"))

    async def _start_job(self, path: str, body: dict[str, Any], what: str) -> tuple[int, dict[str, Any]]:
        data = _checked(await self._call("POST", path, body), what)
        job_id = engine_id(data, "job_id", what)
        self.jobs.add(job_id)
        return job_id, data

    async def _delete_job(self, job_id: int) -> None:
        with contextlib.suppress(EngineError):
            await self._call("DELETE", f"jobs/{job_id}")
        self.jobs.discard(job_id)

    async def _graph(self, store: Any, vertex: list[str], edge: list[str], attributes: tuple[str, ...]) -> int:
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
                job_id, data = await self._start_job("loaddata", body, "loaddata")
                graph_id = engine_id(data, "graph_id", "loaddata")
                try:
                    await self._wait(job_id, "loaddata")
                except BaseException:  # the engine registered the graph when the load began
                    with contextlib.suppress(EngineError):
                        await asyncio.shield(self._call("DELETE", f"graphs/{graph_id}"))
                    raise
                finally:
                    await self._delete_job(job_id)
                self.graphs[key] = graph_id
        return self.graphs[key]

    # -- Engine -------------------------------------------------------------------------------

    async def run(self, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        algo, params = checked(template, store, in_database="GAE analyses")
        if "gae" not in algo.engines:
            raise EngineError(f"GAE documents no endpoint for {algo.name}; run it with the local engine")
        self._bind_loop()
        assert self._sem is not None
        async with self._sem:
            await self._engine(store)
            _, attributes = algorithm_body(algo, params, 0)
            graph_id = await self._graph(store, template.vertex_collections, template.edge_collections, attributes)
            body, _ = algorithm_body(algo, params, graph_id)
            job_ids: list[int] = []
            try:
                job_id, _ = await self._start_job(algo.gae_endpoint, body, algo.name)
                job_ids.append(job_id)
                await self._wait(job_id, algo.name)
                # storeresults appends documents without _key: a rerun or resume starts from empty
                target = await store.prepare_results(run_id, template.id, empty=True)  # type: ignore[attr-defined]
                store_id, _ = await self._start_job(
                    "storeresults",
                    {
                        "database": store.database,  # type: ignore[attr-defined]
                        "target_collection": target,
                        "job_ids": [job_id],
                        "attribute_names": [algo.result_field],
                        "batch_size": self.settings.arango_batch_size,
                        "parallelism": self.settings.arango_max_parallel,
                    },
                    "storeresults",
                )
                job_ids.append(store_id)
                await self._wait(store_id, "storeresults")
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
            if self.handle is not None and self.handle.started_by_us:  # also one that never became ready
                await self.deployment.stop(self.session, self.handle)
        finally:
            self.handle = None
            self._start_error = None
            if self._session is not None:
                await self._session.close()
                self._session = None
