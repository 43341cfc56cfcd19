"""An ArangoDB protocol double: aiohttp on 127.0.0.1, collections in memory.

It answers the HTTP calls python-arango makes for what graph_agents uses — ``/_open/auth``,
collection list, create and truncate, ``/_api/gharial`` named graphs, and ``/_api/cursor`` with
``batchSize`` paging (``POST``/``PUT /_api/cursor/<id>``, ``DELETE`` to close) — and executes the
small set of AQL statements the store and the catalog backend issue, recognised by their exact
text and evaluated with the bind variables. Any other query is a 400, so a query the code sends
that nobody taught the double fails the test instead of passing on nothing.

As strict as the server (ArangoDB HTTP API docs, docs-hugo ``develop/http-api/queries/aql-queries``
and the error table ``lib/Basics/errors.dat`` of arangodb/arangodb): every bind parameter a query
declares (``@name``, ``@@collection``) must have a value (else 400, errorNum 1551 "no value
specified for declared bind parameter"), every value must be declared (1552 "bind parameter ... was
not declared in the query"), and a ``@@`` value must be a collection name (1553). Errors carry
``{error, code, errorNum, errorMessage}``. ``upsert_conflicts`` makes the next UPSERT queries fail
as concurrent UPSERTs can (409 with 1200 "write-write conflict" or 1210 "unique constraint
violated"; docs-hugo ``aql/high-level-operations/upsert.md``: the client may run the query again).

Graph path searches — ``SHORTEST_PATH``, ``ALL_SHORTEST_PATHS`` and breadth-first traversals, as
the engine's AQL paths send them — are not recognised by their text but parsed from the documented
grammar and evaluated over the collections (:mod:`tests.doubles.aql_graph`, which cites the docs
pages); their warnings come back in the cursor's ``extra.warnings``, as on the server.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
import secrets
import time
from collections import Counter
from typing import Any, Callable

import jwt
from aiohttp import web

from graph_agents.catalog import arango as cat
from graph_agents.stores import arango as st

from .aql_graph import AqlFailure, GraphSearch
from .loopback import LoopbackServer

DOCUMENT, EDGE = 2, 3
# a bind parameter in AQL: @name or @@name (the double's queries hold no string literals with @)
_BIND = re.compile(r"@(@?[A-Za-z0-9_]+)")
# a query with one of these words is a graph query, parsed rather than recognised
_GRAPH_WORDS = re.compile(r"\b(?:SHORTEST_PATH|ALL_SHORTEST_PATHS|K_SHORTEST_PATHS|OUTBOUND|INBOUND|ANY)\b")
CONFLICT_MESSAGES = {
    1200: "write-write conflict",
    1210: "unique constraint violated - in index primary of type primary over '_key'",
}


class AqlError(Exception):
    def __init__(self, status: int, num: int, message: str) -> None:
        super().__init__(message)
        self.status, self.num = status, num


class ArangoDouble(LoopbackServer):
    def __init__(self, *, database: str = "_system", username: str = "root", password: str = "pw") -> None:
        super().__init__()
        self.database = database
        self.users = {username: password}
        self.collections: dict[str, dict[str, Any]] = {}  # name -> {"type", "docs": {key: doc}}
        self.graphs: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.cursors: dict[str, list[Any]] = {}
        self.queries: list[tuple[str, dict[str, Any]]] = []
        self.warnings: list[dict[str, Any]] = []  # every query warning answered, for tests
        self.requests: Counter[str] = Counter()
        self.cursor_pages = 0
        self.query_delay = 0.0  # seconds each new query takes, to observe concurrency
        self.upsert_conflicts: list[int] = []  # errorNums the next UPSERT queries fail with
        self.inflight = 0
        self.max_inflight = 0
        self._ids = itertools.count(1)
        self._aql: dict[str, Callable[[dict[str, Any]], list[Any]]] = {
            st.Q_COUNT: lambda b: [len(self._coll(b)["docs"])],
            st.Q_SAMPLE: lambda b: list(self._coll(b)["docs"].values())[: b["n"]],
            st.Q_EDGE_ENDS_SAMPLE: lambda b: [[e["_from"], e["_to"]] for e in list(self._coll(b)["docs"].values())[: b["n"]]],
            st.Q_EDGE_ENDS: lambda b: [[e["_from"], e["_to"]] for e in self._coll(b)["docs"].values()],
            st.Q_VERTICES: lambda b: [[d["_id"], *(d.get(a) for a in b["attributes"])] for d in self._coll(b)["docs"].values()],
            st.Q_WRITE: self._write,
            st.Q_RESULTS: lambda b: [[d.get("id"), d.get(b["field"])] for d in self._coll(b)["docs"].values()],
            st.Q_NAMES: self._names,
            cat.Q_PUT: self._put,
            cat.Q_GET: lambda b: [d for d in [self._coll(b)["docs"].get(b["key"])] if d is not None],
            cat.Q_FIND: lambda b: self._sorted(self._matching(b)),
            cat.Q_ALL: lambda b: self._sorted(self._coll(b)["docs"].values()),
            cat.Q_DISTINCT: lambda b: list(dict.fromkeys(d.get(b["field"]) for d in self._matching(b))),
            cat.Q_LINK: self._link,
            cat.Q_OUT: lambda b: [e["_to"] for e in self._sorted(self._coll(b)["docs"].values()) if e["_from"] == b["node"]],
            cat.Q_IN: lambda b: [e["_from"] for e in self._sorted(self._coll(b)["docs"].values()) if e["_to"] == b["node"]],
        }

    # -- data, for tests ----------------------------------------------------------------------

    def add_collection(self, name: str, kind: int = DOCUMENT) -> None:
        self.collections.setdefault(name, {"type": kind, "docs": {}})

    def insert(self, name: str, doc: dict[str, Any]) -> dict[str, Any]:
        coll = self.collections[name]
        key = str(doc.get("_key") or next(self._ids))
        stored = {**doc, "_key": key, "_id": f"{name}/{key}", "_rev": secrets.token_hex(4)}
        coll["docs"][key] = stored
        return stored

    def load_store(self, store: Any, graph_name: str | None = None) -> None:
        """Copy a LocalGraphStore's collections (and named graph) into the double."""
        for name, docs in store.collections.items():
            self.add_collection(name, EDGE if store.types[name] == "edge" else DOCUMENT)
            for doc in docs:
                self.insert(name, doc)
        if graph_name and store.edge_definitions:
            self.graphs[graph_name] = {
                "edgeDefinitions": [
                    {"collection": d.collection, "from": d.from_collections, "to": d.to_collections}
                    for d in store.edge_definitions
                ],
                "orphanCollections": [],
            }

    def issue_token(self, username: str = "root") -> str:
        token = jwt.encode({"preferred_username": username, "iss": "arangodb", "exp": int(time.time()) + 3600,
                            "jti": secrets.token_hex(8)}, "graph-agents-arango-double-signing-key-0123456789", algorithm="HS256")
        self.tokens.add(token)
        return token

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def document(self, doc_id: str) -> dict[str, Any] | None:
        coll, _, key = doc_id.partition("/")
        return self.collections.get(coll, {"docs": {}})["docs"].get(key)

    # -- AQL ----------------------------------------------------------------------------------

    def _coll(self, bind: dict[str, Any]) -> dict[str, Any]:
        name = bind["@collection"]
        if name not in self.collections:
            raise AqlError(404, 1203, f"collection or view not found: {name}")
        return self.collections[name]

    def _matching(self, b: dict[str, Any]) -> list[dict[str, Any]]:
        """MATCHES(d, @example): the documents whose fields equal the example's."""
        return [d for d in self._coll(b)["docs"].values() if all(d.get(k) == v for k, v in b["example"].items())]

    @staticmethod
    def _sorted(docs: Any) -> list[dict[str, Any]]:
        return sorted(docs, key=lambda d: d.get("_seq", 0))

    def _write(self, b: dict[str, Any]) -> list[Any]:
        self._coll(b)
        for d in b["docs"]:
            self.insert(b["@collection"], d)
        return []

    def _names(self, b: dict[str, Any]) -> list[Any]:
        docs = self._coll(b)["docs"]
        return [[docs[k]["_id"], {a: docs[k][a] for a in b["attributes"] if a in docs[k]}] for k in b["keys"] if k in docs]

    def _put(self, b: dict[str, Any]) -> list[Any]:
        docs = self._coll(b)["docs"]
        for d in b["docs"]:
            old = docs.get(d["key"])
            seq = old["_seq"] if old else d["seq"]
            self.insert(b["@collection"], {**d["doc"], "_key": d["key"], "_seq": seq})
        return []

    def _link(self, b: dict[str, Any]) -> list[Any]:
        coll = self._coll(b)
        for link in b["links"]:
            if not any(e["_from"] == link["from"] and e["_to"] == link["to"] for e in coll["docs"].values()):
                self.insert(b["@collection"], {"_from": link["from"], "_to": link["to"], "_seq": link["seq"]})
        return []

    @staticmethod
    def check_bind_vars(query: str, bind: dict[str, Any]) -> None:
        declared = set(_BIND.findall(query))
        for name in sorted(declared - set(bind)):
            raise AqlError(400, 1551, f"no value specified for declared bind parameter '{name}' (while parsing)")
        for name in sorted(set(bind) - declared):
            raise AqlError(400, 1552, f"bind parameter '{name}' was not declared in the query (while parsing)")
        for name in sorted(n for n in declared if n.startswith("@")):
            if not isinstance(bind[name], str) or not bind[name]:
                raise AqlError(400, 1553, f"bind parameter '{name}' has an invalid value or type (while parsing)")

    def execute(self, query: str, bind: dict[str, Any], warnings: list[dict[str, Any]] | None = None) -> list[Any]:
        self.queries.append((query, bind))
        self.check_bind_vars(query, bind)
        if "UPSERT" in query and self.upsert_conflicts:
            num = self.upsert_conflicts.pop(0)
            raise AqlError(409, num, CONFLICT_MESSAGES[num])
        handler = self._aql.get(query)
        if handler is None and _GRAPH_WORDS.search(query):
            search = GraphSearch(self.collections, EDGE, lambda name: AqlFailure(404, 1203, f"collection or view not found: {name}"))
            try:
                return search.run(query, bind, warnings if warnings is not None else [])
            except AqlFailure as exc:
                raise AqlError(exc.status, exc.num, str(exc)) from exc
        if handler is None:
            raise AqlError(400, 1501, f"the double does not know this query: {query!r}")
        return handler(bind)

    # -- HTTP ---------------------------------------------------------------------------------

    @staticmethod
    def _error(status: int, num: int, message: str) -> web.Response:
        return web.json_response({"error": True, "code": status, "errorNum": num, "errorMessage": message}, status=status)

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            user, _, pw = base64.b64decode(value).decode().partition(":")
            return self.users.get(user) == pw
        if scheme.lower() == "bearer":
            return value in self.tokens
        return False

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests[f"{request.method} {request.path}"] += 1
        if request.path.endswith("/_open/auth"):
            return await handler(request)
        if request.match_info.get("db") not in (None, self.database):
            return self._error(404, 1228, "database not found")
        if not self._authorized(request):
            return self._error(401, 11, "not authorized to execute this request")
        try:
            return await handler(request)
        except AqlError as exc:
            return self._error(exc.status, exc.num, str(exc))

    async def _auth(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.users.get(body.get("username")) != body.get("password"):
            return self._error(401, 401, "Wrong credentials")
        return web.json_response({"jwt": self.issue_token(body["username"])})

    async def _collections(self, request: web.Request) -> web.Response:
        result = [
            {"id": str(i), "name": n, "isSystem": n.startswith("_"), "type": c["type"], "status": 3,
             "globallyUniqueId": f"h{i}"}
            for i, (n, c) in enumerate(self.collections.items(), 1)
        ]
        return web.json_response({"error": False, "code": 200, "result": result})

    async def _create_collection(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = body["name"]
        if name in self.collections:
            return self._error(409, 1207, "duplicate name")
        self.add_collection(name, body.get("type", DOCUMENT))
        return web.json_response({"error": False, "code": 200, "name": name, "type": self.collections[name]["type"],
                                  "id": name, "isSystem": False, "status": 3})

    async def _truncate(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.collections:
            return self._error(404, 1203, f"collection or view not found: {name}")
        self.collections[name]["docs"].clear()
        return web.json_response({"error": False, "code": 200, "name": name, "type": self.collections[name]["type"],
                                  "id": name, "isSystem": False, "status": 3})

    def _graph_body(self, name: str) -> dict[str, Any]:
        g = self.graphs[name]
        return {"_id": f"_graphs/{name}", "_key": name, "_rev": "1", "name": name, **g}

    async def _get_graph(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.graphs:
            return self._error(404, 1924, "graph not found")
        return web.json_response({"error": False, "code": 200, "graph": self._graph_body(name)})

    async def _create_graph(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = body["name"]
        if name in self.graphs:
            return self._error(409, 1925, "graph already exists")
        defs = body.get("edgeDefinitions", [])
        for d in defs:
            self.add_collection(d["collection"], EDGE)
            for v in [*d["from"], *d["to"]]:
                self.add_collection(v, DOCUMENT)
        self.graphs[name] = {"edgeDefinitions": defs, "orphanCollections": body.get("orphanCollections", [])}
        return web.json_response({"error": False, "code": 202, "graph": self._graph_body(name)}, status=202)

    def _page(self, cursor_id: str | None, rows: list[Any], size: int, status: int,
              warnings: list[dict[str, Any]] | None = None) -> web.Response:
        self.cursor_pages += 1
        batch, rest = rows[:size], rows[size:]
        body: dict[str, Any] = {"error": False, "code": status, "result": batch, "hasMore": bool(rest), "cached": False,
                                "extra": {"warnings": warnings or [], "stats": {}}}
        if rest:
            cursor_id = cursor_id or str(next(self._ids))
            self.cursors[cursor_id] = [size, rest]
            body["id"] = cursor_id
        elif cursor_id:
            self.cursors.pop(cursor_id, None)  # an exhausted cursor is gone, as on the server
            body["id"] = cursor_id
        return web.json_response(body, status=status)

    async def _cursor(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.inflight += 1
        self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            if self.query_delay:
                await asyncio.sleep(self.query_delay)
        finally:
            self.inflight -= 1
        warnings: list[dict[str, Any]] = []
        rows = self.execute(body["query"], body.get("bindVars") or {}, warnings)
        self.warnings.extend(warnings)
        return self._page(None, rows, int(body.get("batchSize") or 1000), 201, warnings)

    async def _next(self, request: web.Request) -> web.Response:
        cid = request.match_info["id"]
        if cid not in self.cursors:
            return self._error(404, 1600, "cursor not found")
        size, rows = self.cursors[cid]
        return self._page(cid, rows, size, 200)

    async def _close(self, request: web.Request) -> web.Response:
        if self.cursors.pop(request.match_info["id"], None) is None:
            return self._error(404, 1600, "cursor not found")
        return web.json_response({"error": False, "code": 202, "id": request.match_info["id"]}, status=202)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/_open/auth", self._auth)
        app.router.add_post("/_db/{db}/_open/auth", self._auth)
        app.router.add_get("/_db/{db}/_api/collection", self._collections)
        app.router.add_post("/_db/{db}/_api/collection", self._create_collection)
        app.router.add_put("/_db/{db}/_api/collection/{name}/truncate", self._truncate)
        app.router.add_get("/_db/{db}/_api/gharial/{name}", self._get_graph)
        app.router.add_post("/_db/{db}/_api/gharial", self._create_graph)
        app.router.add_post("/_db/{db}/_api/cursor", self._cursor)
        app.router.add_post("/_db/{db}/_api/cursor/{id}", self._next)
        app.router.add_put("/_db/{db}/_api/cursor/{id}", self._next)
        app.router.add_delete("/_db/{db}/_api/cursor/{id}", self._close)
        return app

