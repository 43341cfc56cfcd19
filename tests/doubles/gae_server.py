"""A Graph Analytics Engine protocol double: aiohttp on 127.0.0.1.

It speaks the documented engine API the client uses (``loaddata``, the algorithm endpoints with
GAE's parameter names, ``jobs/<id>`` with ``progress``/``total``/``error``/``error_message``,
``storeresults``, deleting jobs and graphs), the ArangoDB platform's service start/stop, and
ArangoGraph's management API (API-key login, engine sizes, engines). Algorithms run with
``graph_agents.engines.local.compute`` on the collections of an ``ArangoDouble``, and results are
written back into that double, so what the client reads is real.

Faults: 404s while an engine starts, token expiry (through the ArangoDB double), failed jobs,
jobs that never finish, slow jobs, and requests that are never answered in time.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from typing import Any

from aiohttp import web

from graph_agents import algorithms
from graph_agents.engines.local import compute
from graph_agents.stores.arango import result_key
from graph_agents.stores.base import GraphData

from .arango_server import ArangoDouble
from .loopback import LoopbackServer

ENDPOINTS = {a.gae_endpoint: a.name for a in algorithms.CATALOG.values()}
SIZES = [
    {"id": "e4", "memory_in_gb": 4, "cpu": 1},
    {"id": "e16", "memory_in_gb": 16, "cpu": 4},
    {"id": "e64", "memory_in_gb": 64, "cpu": 16},
]


class GAEDouble(LoopbackServer):
    shutdown_timeout = 0.1

    def __init__(
        self,
        arango: ArangoDouble,
        *,
        service_path: str = "/_platform/acp/v1",
        api_key: tuple[str, str] = ("key-id", "key-secret"),
    ) -> None:
        super().__init__()
        self.arango = arango
        self.service_path = "/" + service_path.strip("/")
        self.api_key = api_key
        self.amp_tokens: set[str] = set()
        self.engines: dict[str, dict[str, Any]] = {}  # engine id -> state
        self.started: list[str] = []
        self.stopped: list[str] = []
        self.deleted_jobs: list[str] = []
        self.deleted_graphs: list[str] = []
        self.algorithm_bodies: list[tuple[str, dict[str, Any]]] = []
        self.store_bodies: list[dict[str, Any]] = []
        self.unauthorized = 0
        self.running = 0
        self.max_running = 0
        # fault injection
        self.startup_404s = 0
        self.fail: dict[str, str] = {}  # algorithm endpoint -> error message
        self.hang: set[str] = set()  # endpoints whose jobs never progress
        self.job_delay = 0.0
        self.stall: dict[str, float] = {}  # endpoint -> seconds before the answer
        self.amp_ready_after = 1  # engine status polls before an AMP engine reports ready
        self.reject: dict[str, str] = {}  # endpoint -> error reported in a 200 answer's body
        self.camel = False  # answer with camelCase keys (jobId, graphId, errorMessage), as some versions do
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task] = set()

    # -- engines ------------------------------------------------------------------------------

    def add_engine(self, engine_id: str | None = None) -> str:
        engine_id = engine_id or secrets.token_hex(3)
        self.engines[engine_id] = {"graphs": {}, "jobs": {}, "results": {}, "startup_404": self.startup_404s,
                                   "polls": 0, "alive": True}
        return engine_id

    def engine_url(self, engine_id: str, amp: bool = False) -> str:
        return f"{self.url}/amp-engines/{engine_id}" if amp else f"{self.url}/gral/{engine_id}"

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        return web.json_response({"error": True, "error_code": status, "error_message": message}, status=status)

    def _bearer(self, request: web.Request) -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" else ""

    def _json(self, data: dict[str, Any]) -> web.Response:
        if self.camel:
            data = {k.split("_")[0] + "".join(p.title() for p in k.split("_")[1:]): v for k, v in data.items()}
        return web.json_response(data)

    def _job(self, engine: dict[str, Any], graph_id: str, kind: str) -> dict[str, Any]:
        job = {"job_id": str(next(self._ids)), "graph_id": graph_id, "comp_type": kind, "total": 1, "progress": 0,
               "error": False, "error_code": 0, "error_message": ""}
        engine["jobs"][job["job_id"]] = job
        return job

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _graph_data(self, body: dict[str, Any]) -> GraphData:
        ids: list[str] = []
        attributes: dict[str, list[Any]] = {a: [] for a in body.get("vertex_attributes") or []}
        for name in body["vertex_collections"]:
            for doc in self.arango.collections[name]["docs"].values():
                ids.append(doc["_id"])
                for a in attributes:
                    attributes[a].append(doc.get(a))
        index = {v: i for i, v in enumerate(ids)}
        edges = []
        for name in body["edge_collections"]:
            for e in self.arango.collections[name]["docs"].values():
                if e["_from"] in index and e["_to"] in index:
                    edges.append((index[e["_from"]], index[e["_to"]]))
        return GraphData(ids=ids, edges=edges, attributes=attributes)

    # -- engine API ---------------------------------------------------------------------------

    async def _engine_api(self, request: web.Request) -> web.StreamResponse:
        engine = self.engines.get(request.match_info["engine"])
        if engine is None or not engine["alive"]:
            return self._error(404, "no such engine")
        if engine["startup_404"] > 0:  # the service is up before its API is
            engine["startup_404"] -= 1
            return web.Response(status=404, text="404 page not found")
        if self._bearer(request) not in self.arango.tokens:
            self.unauthorized += 1
            return self._error(401, "unauthorized")
        op = request.match_info["op"]
        if op in self.stall:
            await asyncio.sleep(self.stall[op])
        body = await request.json() if request.can_read_body else {}
        method = request.method
        if method == "POST" and op == "loaddata":
            missing = [c for c in [*body["vertex_collections"], *body["edge_collections"]]
                       if c not in self.arango.collections]
            if missing or body.get("database") != self.arango.database:
                return self._error(400, f"cannot load: unknown collections {missing} or database")
            graph_id = str(next(self._ids))
            engine["graphs"][graph_id] = self._graph_data(body)
            job = self._job(engine, graph_id, "loaddata")
            job["progress"] = job["total"]
            return self._json({"job_id": job["job_id"], "graph_id": graph_id})
        if method == "POST" and op in ENDPOINTS:
            graph_id = str(body.pop("graph_id", ""))
            if graph_id not in engine["graphs"]:
                return self._error(404, f"graph {graph_id} not found")
            self.algorithm_bodies.append((op, dict(body)))
            if op in self.reject:
                return self._json({"job_id": 0, "error": True, "error_code": 400, "error_message": self.reject[op]})
            job = self._job(engine, graph_id, op)
            job["total"] = 100
            self._spawn(self._run_algorithm(engine, job, ENDPOINTS[op], body))
            return self._json({"job_id": job["job_id"]})
        if method == "POST" and op == "storeresults":
            self.store_bodies.append(body)
            job = self._job(engine, "", "storeresults")
            self._store(engine, job, body)
            return self._json({"job_id": job["job_id"]})
        if op.startswith("jobs/"):
            job_id = op.split("/", 1)[1]
            if job_id not in engine["jobs"]:
                return self._error(404, f"job {job_id} not found")
            if method == "DELETE":
                engine["jobs"].pop(job_id)
                engine["results"].pop(job_id, None)
                self.deleted_jobs.append(job_id)
                return web.json_response({"job_id": job_id})
            return self._json(engine["jobs"][job_id])
        if op.startswith("graphs/") and method == "DELETE":
            graph_id = op.split("/", 1)[1]
            if engine["graphs"].pop(graph_id, None) is None:
                return self._error(404, f"graph {graph_id} not found")
            self.deleted_graphs.append(graph_id)
            return web.json_response({"graph_id": graph_id})
        return self._error(404, f"unknown operation {method} {op}")

    async def _run_algorithm(self, engine: dict[str, Any], job: dict[str, Any], name: str, params: dict[str, Any]) -> None:
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            if job["comp_type"] in self.hang:
                job["progress"] = 37
                await asyncio.Event().wait()  # never finishes
            await asyncio.sleep(self.job_delay)
            if job["comp_type"] in self.fail:
                job.update(error=True, error_code=13, error_message=self.fail[job["comp_type"]], progress=job["total"])
                return
            values = await asyncio.to_thread(compute, name, params, engine["graphs"][job["graph_id"]])
            engine["results"][job["job_id"]] = values
            job["progress"] = job["total"]
        except Exception as exc:  # the engine reports what went wrong in the job, as GAE does
            job.update(error=True, error_code=500, error_message=f"{type(exc).__name__}: {exc}", progress=job["total"])
        finally:
            self.running -= 1

    def _store(self, engine: dict[str, Any], job: dict[str, Any], body: dict[str, Any]) -> None:
        target = body.get("target_collection")
        if body.get("database") != self.arango.database or target not in self.arango.collections:
            job.update(error=True, error_code=1203, error_message=f"collection not found: {target}", progress=1)
            return
        for job_id, attribute in zip(body["job_ids"], body["attribute_names"]):
            values = engine["results"].get(job_id)
            if values is None:
                job.update(error=True, error_code=404, error_message=f"no results for job {job_id}", progress=1)
                return
            for vid, value in values.items():
                self.arango.insert(target, {"_key": result_key(vid), "id": vid, attribute: value})
        job["progress"] = job["total"]

    # -- ArangoDB platform service --------------------------------------------------------------

    async def _platform_start(self, request: web.Request) -> web.Response:
        if self._bearer(request) not in self.arango.tokens:
            self.unauthorized += 1
            return self._error(401, "unauthorized")
        engine_id = self.add_engine()
        self.started.append(engine_id)
        service_id = f"arangodb-gral-{engine_id}"
        return web.json_response({"serviceInfo": {"serviceId": service_id, "status": "DEPLOYED"}})

    async def _platform_stop(self, request: web.Request) -> web.Response:
        if self._bearer(request) not in self.arango.tokens:
            self.unauthorized += 1
            return self._error(401, "unauthorized")
        engine_id = request.match_info["service"].rsplit("-", 1)[-1]
        if engine_id not in self.engines or not self.engines[engine_id]["alive"]:
            return self._error(404, "service not found")
        self.engines[engine_id]["alive"] = False
        self.stopped.append(engine_id)
        return web.json_response({"serviceInfo": {"serviceId": request.match_info["service"], "status": "DELETED"}})

    # -- ArangoGraph management ---------------------------------------------------------------

    async def _amp_login(self, request: web.Request) -> web.Response:
        body = await request.json()
        if (request.match_info["key"], body.get("secret")) != self.api_key:
            return self._error(401, "invalid API key")
        token = secrets.token_hex(16)
        self.amp_tokens.add(token)
        return web.json_response({"token": token, "expires_at": "2099-01-01T00:00:00Z"})

    def _amp_ok(self, request: web.Request) -> bool:
        if self._bearer(request) in self.amp_tokens:
            return True
        self.unauthorized += 1
        return False

    def _amp_engine(self, engine_id: str) -> dict[str, Any]:
        engine = self.engines[engine_id]
        ready = engine["polls"] >= self.amp_ready_after
        status = {"succeeded": ready, "failed": False, "endpoint": self.engine_url(engine_id, amp=True) if ready else ""}
        return {"id": engine_id, "type_id": "gral", "size_id": engine.get("size"), "status": status}

    async def _amp_sizes(self, request: web.Request) -> web.Response:
        if not self._amp_ok(request):
            return self._error(401, "unauthorized")
        return web.json_response({"items": SIZES})

    async def _amp_create(self, request: web.Request) -> web.Response:
        if not self._amp_ok(request):
            return self._error(401, "unauthorized")
        body = await request.json()
        if body.get("size_id") not in {s["id"] for s in SIZES} or not body.get("deployment_id"):
            return self._error(400, "invalid size_id or deployment_id")
        engine_id = self.add_engine()
        self.engines[engine_id]["size"] = body["size_id"]
        self.started.append(engine_id)
        return web.json_response(self._amp_engine(engine_id))

    async def _amp_get(self, request: web.Request) -> web.Response:
        if not self._amp_ok(request):
            return self._error(401, "unauthorized")
        engine_id = request.match_info["id"]
        if engine_id not in self.engines:
            return self._error(404, "engine not found")
        self.engines[engine_id]["polls"] += 1
        return web.json_response(self._amp_engine(engine_id))

    async def _amp_delete(self, request: web.Request) -> web.Response:
        if not self._amp_ok(request):
            return self._error(401, "unauthorized")
        engine_id = request.match_info["id"]
        if engine_id not in self.engines or not self.engines[engine_id]["alive"]:
            return self._error(404, "engine not found")
        self.engines[engine_id]["alive"] = False
        self.stopped.append(engine_id)
        return web.json_response({})

    # -- server -------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        r = app.router
        for prefix in ("/gral/{engine}/v1/", "/amp-engines/{engine}/v1/"):
            r.add_route("*", prefix + "{op:.+}", self._engine_api)
        r.add_post(f"{self.service_path}/graphanalytics", self._platform_start)
        r.add_delete(f"{self.service_path}/service/{{service}}", self._platform_stop)
        r.add_post("/api/iam/v1/apikeys/{key}/authenticate", self._amp_login)
        mgmt = "/graph-analytics/api/graphanalytics/v1"
        r.add_get(f"{mgmt}/engine-sizes", self._amp_sizes)
        r.add_post(f"{mgmt}/engines", self._amp_create)
        r.add_get(f"{mgmt}/engines/{{id}}", self._amp_get)
        r.add_delete(f"{mgmt}/engines/{{id}}", self._amp_delete)
        return app

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await super().stop()
