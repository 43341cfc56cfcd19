"""Graph Analytics Engine, ArangoDB platform and ArangoGraph (AMP) protocol doubles: aiohttp on 127.0.0.1.

Written from the published protocol, not from our client:

* The engine API — ArangoDB docs, arangodb/docs-hugo
  ``site/content/agentic-ai-suite/graph-analytics/api.md``; the engine's protobuf messages
  (``graphanalyticsengine.proto``, rendered in the engine's protocol documentation) and its request
  handling (``gral/src/api.rs``, ``gral/src/arangodb.rs`` and the label propagation module of the
  engine, mirrored at pavankalyan9233/gral). Request bodies are parsed against the message types:
  ``graph_id``/``job_id``/``job_ids`` are ``uint64`` and a string is the engine's 400 "Cannot parse
  JSON body of request: graph_id: invalid type: string, expected u64"; unknown fields are
  rejected. Ids are numbers, graphs and jobs counted separately. ``/v1/jobs/{u64}`` and
  ``/v1/graphs/{u64}`` only match numeric ids (anything else is the router's 404 "NOT_FOUND").
  Label and attribute propagation seed from ``"@id"`` or from a column ``loaddata`` loaded; any
  other attribute fails the job with "Need '<attr>' as a column name in column store!".
  Betweenness honours ``undirected`` (default ``false``: directed). ``storeresults`` appends one
  ``{"id": <vertex _id>, <attribute>: value}`` document per vertex *without* ``_key`` into an
  existing target collection, as the engine's ``POST /_api/document?overwriteMode=update`` does.
  ``GET /v1/version`` answers ``{version, apiMinVersion, apiMaxVersion}``.
* Start-up: a new engine's route answers 503 (the proxy's "upstream connect error …") and then
  404 (ArangoDB's "unknown path '/gral/…'") before the engine answers, as reported by a client
  used against real engines (ArthurKeen/agentic-graph-analytics ``graph_analytics_ai/gae_connection.py``).
* The platform's ACP service (docs-hugo api.md): ``POST <service path>/graphanalytics``,
  ``DELETE <service path>/service/<id>``; deleting a service that is already gone answers 500 with a
  NOT_FOUND payload (gae_connection.py's ``stop_engine``).
* AMP: the IAM API is its own server (``IAMDouble``; arangodb-managed/apis ``iam/v1/iam.proto``:
  ``POST /api/iam/v1/apikeys/{id}/authenticate`` with no body mapping, so the secret is a query
  parameter; a body is refused). The management API (docs-hugo api.md, "Management API"):
  ``enginesizes``, ``enginetypes``, ``engines`` (deploy body exactly ``{type_id, size_id}``; an
  unknown field is grpc-gateway's 400), ``engines/{id}`` whose ``status`` becomes
  ``is_started && succeeded`` with the engine at ``status.endpoint``
  (``<host>/graph-analytics/engines/<id>``).

Algorithms run on the collections of an ``ArangoDouble`` (undirected ones with
``graph_agents.engines.local.compute``, directed betweenness with igraph) and results are written
back into it, so what the client reads is real. Faults: start-up 503s/404s, token expiry (through
the ArangoDB double), failed jobs, jobs that never finish, requests that are never answered,
errors in a 200 answer's body, camelCase answers; ``barrier`` holds jobs until that many run at
once, so concurrency is observed without racing the clock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from typing import Any, Callable

import igraph as ig
from aiohttp import web

from graph_agents import algorithms
from graph_agents.engines.local import compute
from graph_agents.stores.base import GraphData

from .arango_server import ArangoDouble
from .loopback import LoopbackServer

ENDPOINTS = {a.gae_endpoint: a.name for a in algorithms.CATALOG.values() if a.gae_endpoint}
SIZES = [  # AMP sizes: "starting at 1 CPU and 4 GiB of memory (e4)"
    {"id": "e4", "memory": 4, "cpu": 1},
    {"id": "e16", "memory": 16, "cpu": 4},
    {"id": "e64", "memory": 64, "cpu": 16},
]
MANAGEMENT = "/graph-analytics/api/graphanalytics/v1"

# -- typed request parsing (graphanalyticsengine.proto) -----------------------------------------

U64, U32, F64, BOOL, STR = "u64", "u32", "f64", "a boolean", "a string"
STRS, U64S, MAP = ("seq", STR), ("seq", U64), "a map"
MESSAGES: dict[str, dict[str, Any]] = {
    "loaddata": {"database": STR, "graph_name": STR, "vertex_collections": STRS, "vertex_attributes": STRS,
                 "vertex_attribute_types": STRS, "edge_collections": STRS, "parallelism": U32, "batch_size": U64,
                 "custom_fields": MAP},
    "pagerank": {"graph_id": U64, "damping_factor": F64, "maximum_supersteps": U32, "seeding_attribute": STR},
    "wcc": {"graph_id": U64, "custom_fields": MAP},
    "scc": {"graph_id": U64, "custom_fields": MAP},
    "labelpropagation": {"graph_id": U64, "start_label_attribute": STR, "synchronous": BOOL,
                         "random_tiebreak": BOOL, "maximum_supersteps": U32},
    "attributepropagation": {"graph_id": U64, "start_label_attribute": STR, "synchronous": BOOL, "backwards": BOOL,
                             "maximum_supersteps": U32},
    "betweennesscentrality": {"graph_id": U64, "k": U64, "undirected": BOOL, "normalized": BOOL, "parallelism": U32},
    "storeresults": {"job_ids": U64S, "attribute_names": STRS, "database": STR, "vertex_collections": MAP,
                     "parallelism": U32, "batch_size": U64, "target_collection": STR, "custom_fields": MAP},
}
# the engine's parse-error prefix differs between handlers (api.rs)
PARSE_PREFIX = {"loaddata": "Could not parse JSON body", "storeresults": "Could not parse JSON body"}


class ParseError(Exception):
    pass


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "floating point"
    return "sequence" if isinstance(value, list) else "map"


def _check(name: str, value: Any, want: Any) -> None:
    if isinstance(want, tuple):
        if not isinstance(value, list):
            raise ParseError(f"{name}: invalid type: {_kind(value)}, expected a sequence")
        for item in value:
            _check(name, item, want[1])
        return
    ok = {
        U64: isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64,
        U32: isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**32,
        F64: isinstance(value, (int, float)) and not isinstance(value, bool),
        BOOL: isinstance(value, bool),
        STR: isinstance(value, str),
        MAP: isinstance(value, dict),
    }[want]
    if not ok:
        raise ParseError(f"{name}: invalid type: {_kind(value)}, expected {want}")


def parse(raw: bytes, message: str) -> dict[str, Any]:
    """The request body as the engine's typed deserialisation sees it, or ParseError."""
    try:
        body = json.loads(raw or b"null")
    except ValueError as exc:
        raise ParseError(f"expected value at line 1 column 1 ({exc})") from None
    if not isinstance(body, dict):
        raise ParseError(f"invalid type: {_kind(body)}, expected struct {message}")
    fields = MESSAGES[message]
    for name, value in body.items():
        if name not in fields:
            raise ParseError(f"unknown field `{name}`, expected one of {', '.join(f'`{f}`' for f in fields)}")
        _check(name, value, fields[name])
    return body


class IAMDouble(LoopbackServer):
    """ArangoGraph's IAM API: API key id + secret (a query parameter) → bearer token."""

    shutdown_timeout = 0.1

    def __init__(self, api_key: tuple[str, str] = ("key-id", "key-secret")) -> None:
        super().__init__()
        self.api_key = api_key
        self.tokens: set[str] = set()
        self.logins = 0

    async def _authenticate(self, request: web.Request) -> web.Response:
        if await request.read():  # the rule has no body mapping
            return web.json_response({"code": 3, "message": "the request body must be empty"}, status=400)
        if (request.match_info["id"], request.query.get("secret")) != self.api_key:
            return web.json_response({"code": 16, "message": "unauthenticated"}, status=401)
        token = secrets.token_hex(16)
        self.tokens.add(token)
        self.logins += 1
        return web.json_response({"token": token, "time_to_live": "3600s"})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/iam/v1/apikeys/{id}/authenticate", self._authenticate)
        return app


class GAEDouble(LoopbackServer):
    shutdown_timeout = 0.1

    def __init__(
        self,
        arango: ArangoDouble,
        *,
        service_path: str = "/_platform/acp/v1",
        iam: IAMDouble | None = None,
    ) -> None:
        super().__init__()
        self.arango = arango
        self.iam = iam
        self.service_path = "/" + service_path.strip("/")
        self.engines: dict[str, dict[str, Any]] = {}  # engine id -> state
        self.started: list[str] = []
        self.stopped: list[str] = []
        self.deleted_jobs: list[int] = []
        self.deleted_graphs: list[int] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every engine API request
        self.algorithm_bodies: list[tuple[str, dict[str, Any]]] = []
        self.load_bodies: list[dict[str, Any]] = []
        self.store_bodies: list[dict[str, Any]] = []
        self.amp_bodies: list[dict[str, Any]] = []
        self.unauthorized = 0
        self.running = 0
        self.max_running = 0
        # fault injection
        self.startup_503s = 0  # per new engine: requests answered 503 by the proxy, then
        self.startup_404s = 0  # requests answered 404 by the router, before the engine answers
        self.fail: dict[str, str] = {}  # algorithm endpoint -> error message of its jobs
        self.hang: set[str] = set()  # endpoints whose jobs never finish
        self.job_delay = 0.0
        self.barrier = 0  # jobs wait until this many run at once
        self.stall: set[str] = set()  # endpoints that never answer
        self.amp_ready_after = 1  # engine status polls before an AMP engine is started
        self.reject: dict[str, str] = {}  # endpoint -> error reported in a 200 answer's body
        self.camel = False  # answer with camelCase keys (jobId, graphId, errorMessage)
        self._graph_ids = itertools.count(1)
        self._job_ids = itertools.count(1)
        self._tasks: set[asyncio.Task] = set()
        self._running_changed: asyncio.Condition | None = None

    # -- engines ------------------------------------------------------------------------------

    def add_engine(self, engine_id: str | None = None) -> str:
        engine_id = engine_id or secrets.token_hex(3)
        self.engines[engine_id] = {"graphs": {}, "columns": {}, "jobs": {}, "results": {}, "polls": 0,
                                   "startup": ["503"] * self.startup_503s + ["404"] * self.startup_404s,
                                   "alive": True}
        return engine_id

    def engine_url(self, engine_id: str, amp: bool = False) -> str:
        return f"{self.url}/graph-analytics/engines/{engine_id}" if amp else f"{self.url}/gral/{engine_id}"

    # -- helpers ------------------------------------------------------------------------------

    def _reply(self, data: dict[str, Any], status: int = 200) -> web.Response:
        if self.camel:
            data = {k.split("_")[0] + "".join(p.title() for p in k.split("_")[1:]): v for k, v in data.items()}
        return web.json_response(data, status=status)

    def _engine_error(self, status: int, message: str, **extra: Any) -> web.Response:
        return self._reply({**extra, "error_code": status, "error_message": message}, status)

    def _bearer(self, request: web.Request) -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" else ""

    def _job(self, engine: dict[str, Any], graph_id: int, kind: str, total: int) -> dict[str, Any]:
        job = {"job_id": next(self._job_ids), "graph_id": graph_id, "total": total, "progress": 0, "error": False,
               "error_code": 0, "error_message": "", "source_job": "", "comp_type": kind, "memory_usage": 0,
               "runtime_in_microseconds": 0}
        engine["jobs"][job["job_id"]] = job
        return job

    @staticmethod
    def _failed(job: dict[str, Any], message: str) -> None:
        job.update(error=True, error_code=1, error_message=message, progress=job["total"])

    def _spawn(self, coro: Any) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _load(self, body: dict[str, Any]) -> tuple[GraphData, list[str]]:
        if body.get("graph_name"):
            edge_defs = self.arango.graphs[body["graph_name"]]["edgeDefinitions"]
            edge_names = [d["collection"] for d in edge_defs]
            vertex_names = body.get("vertex_collections") or sorted({v for d in edge_defs for v in [*d["from"], *d["to"]]})
        else:
            vertex_names, edge_names = body.get("vertex_collections") or [], body.get("edge_collections") or []
        missing = [c for c in [*vertex_names, *edge_names] if c not in self.arango.collections]
        if missing:
            raise ValueError(f"Could not fetch graph from ArangoDB: collection or view not found: {missing[0]}")
        columns = list(body.get("vertex_attributes") or [])
        ids: list[str] = []
        values: dict[str, list[Any]] = {a: [] for a in columns}
        for name in vertex_names:
            for doc in self.arango.collections[name]["docs"].values():
                ids.append(doc["_id"])
                for a in columns:
                    values[a].append(doc.get(a))
        index = {v: i for i, v in enumerate(ids)}
        edges = [(index[e["_from"]], index[e["_to"]]) for name in edge_names
                 for e in self.arango.collections[name]["docs"].values() if e["_from"] in index and e["_to"] in index]
        return GraphData(ids=ids, edges=edges, attributes=values), columns

    # -- engine API ---------------------------------------------------------------------------

    async def _engine_api(self, request: web.Request) -> web.StreamResponse:
        engine = self.engines.get(request.match_info["engine"])
        if engine is None or not engine["alive"]:
            return web.Response(status=503, text="no healthy upstream")
        if engine["startup"]:  # the route exists before the engine answers on it
            if engine["startup"].pop(0) == "503":
                return web.Response(status=503, text="upstream connect error or disconnect/reset before headers. "
                                                     "reset reason: connection failure")
            return web.json_response({"error": True, "errorNum": 404, "code": 404,
                                      "errorMessage": f"unknown path '{request.path}'"}, status=404)
        token = self._bearer(request)
        # AMP with "auto login": the platform turns a valid AMP token into a JWT for the engine
        amp_login = engine.get("size") is not None and self.iam is not None and token in self.iam.tokens
        if token not in self.arango.tokens and not amp_login:
            self.unauthorized += 1
            return self._engine_error(401, "Unauthorized")
        op, method = request.match_info["op"], request.method
        self.requests.append((method, op))
        if op in self.stall:
            await asyncio.Event().wait()  # never answers
        raw = await request.read()
        if method == "GET" and op == "version":
            return web.json_response({"version": "0.9.0", "apiMinVersion": 1, "apiMaxVersion": 1})
        if method == "POST" and op in MESSAGES:
            try:
                body = parse(raw, op)
            except ParseError as exc:
                prefix = PARSE_PREFIX.get(op, "Cannot parse JSON body of request")
                return self._engine_error(400, f"{prefix}: {exc}", job_id=0)
            if op == "loaddata":
                return self._loaddata(engine, body)
            if op == "storeresults":
                return self._storeresults(engine, body)
            return await self._algorithm(engine, op, body)
        kind, _, ident = op.partition("/")
        if kind in ("jobs", "graphs") and ident:
            if not ident.isdigit():  # the route is /v1/jobs/{u64}: nothing else matches
                return self._engine_error(404, "NOT_FOUND")
            return self._by_id(engine, method, kind, int(ident))
        return self._engine_error(404, "NOT_FOUND")

    def _by_id(self, engine: dict[str, Any], method: str, kind: str, ident: int) -> web.Response:
        if kind == "jobs":
            if ident not in engine["jobs"]:
                return self._engine_error(404, f"Could not find jobId {ident}", job_id=0, error=True)
            if method == "DELETE":
                engine["jobs"].pop(ident)
                engine["results"].pop(ident, None)
                self.deleted_jobs.append(ident)
                return self._reply({"job_id": ident, "error": False, "error_code": 0, "error_message": ""})
            if method == "GET":
                return self._reply(engine["jobs"][ident])
        if kind == "graphs" and method in ("GET", "DELETE"):
            if ident not in engine["graphs"]:
                return self._engine_error(404, f"Graph {ident} not found!")
            if method == "DELETE":
                engine["graphs"].pop(ident)
                engine["columns"].pop(ident)
                self.deleted_graphs.append(ident)
                return self._reply({"graph_id": ident, "error_code": 0, "error_message": ""})
            data = engine["graphs"][ident]
            return self._reply({"error_code": 0, "error_message": "", "graph": {
                "graph_id": ident, "number_of_vertices": len(data.ids), "number_of_edges": len(data.edges)}})
        return self._engine_error(405, "METHOD_NOT_ALLOWED")

    def _loaddata(self, engine: dict[str, Any], body: dict[str, Any]) -> web.Response:
        self.load_bodies.append(body)
        graph_id = next(self._graph_ids)
        job = self._job(engine, graph_id, "loaddata", 2)
        # the engine registers the graph before loading it (api.rs): a failed load leaves it in memory
        engine["graphs"][graph_id], engine["columns"][graph_id] = GraphData(ids=[], edges=[]), []
        if body.get("database") != self.arango.database:
            self._failed(job, f"Could not fetch graph from ArangoDB: database not found: {body.get('database')}")
        else:
            try:
                engine["graphs"][graph_id], engine["columns"][graph_id] = self._load(body)
                job["progress"] = job["total"]
            except ValueError as exc:
                self._failed(job, str(exc))
        return self._reply({"job_id": job["job_id"], "graph_id": graph_id, "error_code": 0, "error_message": ""})

    async def _algorithm(self, engine: dict[str, Any], op: str, body: dict[str, Any]) -> web.Response:
        self.algorithm_bodies.append((op, dict(body)))
        graph_id = body.get("graph_id", 0)
        if graph_id not in engine["graphs"]:
            return self._engine_error(404, f"Graph with id {graph_id} not found.", job_id=0)
        if op in self.reject:
            return self._reply({"job_id": 0, "error_code": 400, "error_message": self.reject[op]})
        job = self._job(engine, graph_id, op, 100)
        task = self._spawn(self._run(engine, job, op, body))
        if not (op in self.hang or self.job_delay or self.barrier):
            await asyncio.shield(task)  # done before the first poll: no race with the client's clock
        return self._reply({"job_id": job["job_id"], "error_code": 0, "error_message": ""})

    async def _run(self, engine: dict[str, Any], job: dict[str, Any], op: str, body: dict[str, Any]) -> None:
        assert self._running_changed is not None
        async with self._running_changed:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            self._running_changed.notify_all()
        try:
            if op in self.hang:
                job["progress"] = 37
                await asyncio.Event().wait()
            if self.barrier:
                async with self._running_changed:
                    await self._running_changed.wait_for(lambda: self.max_running >= self.barrier)
            await asyncio.sleep(self.job_delay)
            if op in self.fail:
                self._failed(job, self.fail[op])
                return
            fn = self._computation(engine, job["graph_id"], op, body)
            engine["results"][job["job_id"]] = await asyncio.to_thread(fn)
            job["progress"] = job["total"]
        except ValueError as exc:  # the engine reports what went wrong in the job
            self._failed(job, str(exc))
        finally:
            async with self._running_changed:
                self.running -= 1

    def _computation(self, engine: dict[str, Any], graph_id: int, op: str, body: dict[str, Any]) -> Callable[[], dict]:
        data, columns = engine["graphs"][graph_id], engine["columns"][graph_id]
        algo = algorithms.get(ENDPOINTS[op])
        params = {k: v for k, v in body.items() if k in algo.params}
        seed = body.get("start_label_attribute")
        if seed is not None:
            if seed == "@id":
                params["start_label_attribute"] = "_id"  # the local engine's name for the vertex id
            elif seed not in columns:
                raise ValueError(f"Need '{seed}' as a column name in column store!")
        if op == "betweennesscentrality" and not body.get("undirected", False):
            return lambda: _directed_betweenness(data, bool(body.get("normalized", False)))
        return lambda: compute(algo.name, params, data)

    def _storeresults(self, engine: dict[str, Any], body: dict[str, Any]) -> web.Response:
        self.store_bodies.append(body)
        job_ids, names = body.get("job_ids") or [], body.get("attribute_names") or []
        for ident in job_ids:
            if ident not in engine["jobs"]:
                return self._engine_error(400, f"Job {ident} not found.", job_id=0)
        if len(job_ids) != len(names):
            return self._engine_error(400, f"Number of computations ({len(job_ids)}) must be the same as the number "
                                           f"of attribute names ({len(names)})", job_id=0)
        job = self._job(engine, 0, "storeresults", 1)
        database, target = body.get("database") or "_system", body.get("target_collection") or "targetCollection"
        results = [engine["results"].get(i) for i in job_ids]
        if database != self.arango.database or target not in self.arango.collections:
            self._failed(job, f"collection or view not found: {target}")
        elif any(r is None for r in results) or not results:
            self._failed(job, "no result computations given")
        else:
            for vid in results[0]:  # one document per result, appended (no _key)
                self.arango.insert(target, {"id": vid, **{n: r.get(vid) for n, r in zip(names, results)}})
            job["progress"] = job["total"]
        return self._reply({"job_id": job["job_id"], "error_code": 0, "error_message": ""})

    # -- ArangoDB platform service (ACP) --------------------------------------------------------

    async def _platform_start(self, request: web.Request) -> web.Response:
        if self._bearer(request) not in self.arango.tokens:
            self.unauthorized += 1
            return web.json_response({"error": True, "code": 401, "errorMessage": "unauthorized"}, status=401)
        engine_id = self.add_engine()
        self.started.append(engine_id)
        return web.json_response({"serviceInfo": {"serviceId": f"arangodb-gral-{engine_id}", "description":
                                  "Install complete", "status": "DEPLOYED", "namespace": "arango",
                                  "managingEntity": "ACP"}})

    async def _platform_stop(self, request: web.Request) -> web.Response:
        if self._bearer(request) not in self.arango.tokens:
            self.unauthorized += 1
            return web.json_response({"error": True, "code": 401, "errorMessage": "unauthorized"}, status=401)
        engine_id = request.match_info["service"].rsplit("-", 1)[-1]
        if engine_id not in self.engines or not self.engines[engine_id]["alive"]:
            return web.json_response({"error": True, "code": 500, "errorNum": 500,
                                      "errorMessage": "NOT_FOUND: release: not found"}, status=500)
        self.engines[engine_id]["alive"] = False
        self.stopped.append(engine_id)
        return web.json_response({"serviceInfo": {"serviceId": request.match_info["service"], "status": "DELETED"}})

    # -- ArangoGraph management API -----------------------------------------------------------

    def _amp_denied(self, request: web.Request) -> web.Response | None:
        if self.iam is not None and self._bearer(request) in self.iam.tokens:
            return None
        self.unauthorized += 1
        return web.json_response({"code": 16, "message": "unauthenticated"}, status=401)

    def _amp_engine(self, engine_id: str) -> dict[str, Any]:
        engine = self.engines[engine_id]
        ready = engine["polls"] >= self.amp_ready_after
        status = {"is_started": ready, "succeeded": ready, "endpoint": self.engine_url(engine_id, amp=True) if ready else ""}
        return {"id": engine_id, "type_id": "gral", "size_id": engine.get("size"), "status": status}

    async def _amp(self, request: web.Request) -> web.Response:
        denied = self._amp_denied(request)
        if denied is not None:
            return denied
        route, method = request.match_info["route"], request.method
        if method == "GET" and route == "api-version":
            return web.json_response({"major": 1, "minor": 0, "patch": 0})
        if method == "GET" and route == "enginesizes":
            return web.json_response({"items": SIZES})
        if method == "GET" and route == "enginetypes":
            return web.json_response({"items": [{"id": "gral", "name": "gral"}]})
        if route == "engines" and method == "POST":
            body = json.loads(await request.read() or b"{}")
            self.amp_bodies.append(body)
            unknown = sorted(set(body) - {"type_id", "size_id"})
            if unknown:
                return web.json_response({"code": 3, "message": f'proto: unknown field "{unknown[0]}"'}, status=400)
            if body.get("type_id") != "gral" or body.get("size_id") not in {s["id"] for s in SIZES}:
                return web.json_response({"code": 3, "message": "invalid type_id or size_id"}, status=400)
            engine_id = self.add_engine()
            self.engines[engine_id]["size"] = body["size_id"]
            self.started.append(engine_id)
            return web.json_response(self._amp_engine(engine_id))
        if route == "engines" and method == "GET":
            return web.json_response({"items": [self._amp_engine(e) for e, s in self.engines.items() if s["alive"]]})
        if route.startswith("engines/"):
            engine_id = route.split("/", 1)[1]
            if engine_id not in self.engines or not self.engines[engine_id]["alive"]:
                return web.json_response({"code": 5, "message": f"engine {engine_id} not found"}, status=404)
            if method == "GET":
                self.engines[engine_id]["polls"] += 1
                return web.json_response(self._amp_engine(engine_id))
            if method == "DELETE":
                self.engines[engine_id]["alive"] = False
                self.stopped.append(engine_id)
                return web.json_response({})
        return web.json_response({"code": 5, "message": "Not Found"}, status=404)

    # -- server -------------------------------------------------------------------------------

    def app(self) -> web.Application:
        self._running_changed = asyncio.Condition()
        app = web.Application()
        r = app.router
        for prefix in ("/gral/{engine}/v1/", "/graph-analytics/engines/{engine}/v1/"):
            r.add_route("*", prefix + "{op:.+}", self._engine_api)
        r.add_post(f"{self.service_path}/graphanalytics", self._platform_start)
        r.add_delete(f"{self.service_path}/service/{{service}}", self._platform_stop)
        r.add_route("*", MANAGEMENT + "/{route:.+}", self._amp)
        return app

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await super().stop()


def _directed_betweenness(data: GraphData, normalized: bool) -> dict[str, float]:
    """Exact betweenness along edge direction (GAE's ``undirected: false``), normalised, when asked,
    by ``1/((N-1)(N-2))`` as the engine's message describes."""
    n = len(data.ids)
    g = ig.Graph(n=n, edges=data.edges, directed=True)
    g.simplify()
    values = g.betweenness(directed=True) if n else []
    scale = (n - 1) * (n - 2) if normalized and n > 2 else 1
    return {vid: float(v) / scale for vid, v in zip(data.ids, values)}

