"""Graphs in ArangoDB, read with python-arango; results written back into per-run collections.

python-arango is synchronous, so every call runs in a worker thread; independent collection
queries run concurrently (bounded by ``arango_max_parallel``). Collection names only reach AQL as
``@@collection`` bind parameters, after being checked against the database's own list.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import hashlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

import requests
from arango import ArangoClient
from arango.database import StandardDatabase
from arango.exceptions import ArangoError, CollectionCreateError
from arango.http import DefaultHTTPClient

from ..models import DegreeStats, EdgeDefinition
from ..settings import Settings
from .base import CollectionMeta, GraphData, StoreError
from .local import NAME_ATTRIBUTES, degrees_of

RESULT_PREFIX = "ga_results_"
CATALOG_PREFIX = "ga_catalog"
OWN_PREFIXES = (RESULT_PREFIX, CATALOG_PREFIX)
# edges read to estimate the degree distribution, over all edge collections together: bounded
# so a billion-edge database is described in seconds
DEGREE_SAMPLE_EDGES = 200_000
WRITE_BATCH = 10_000
MAX_NAME = 64  # ArangoDB's traditional collection-name limit

# Every AQL statement this store issues (the test double recognises them by this exact text).
Q_COUNT = "RETURN LENGTH(@@collection)"
Q_SAMPLE = "FOR d IN @@collection LIMIT @n RETURN d"
Q_EDGE_ENDS_SAMPLE = "FOR e IN @@collection LIMIT @n RETURN [e._from, e._to]"
Q_EDGE_ENDS = "FOR e IN @@collection RETURN [e._from, e._to]"
Q_VERTICES = "FOR d IN @@collection RETURN APPEND([d._id], (FOR a IN @attributes RETURN d[a]))"
Q_WRITE = "FOR d IN @docs INSERT d INTO @@collection OPTIONS { overwriteMode: \"replace\" }"
Q_RESULTS = "FOR d IN @@collection RETURN [d.id, d[@field]]"
Q_NAMES = "FOR d IN @@collection FILTER d._key IN @keys RETURN [d._id, KEEP(d, @attributes)]"

T = TypeVar("T")
_NAME_OK = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_KEY_BAD = re.compile(r"[^A-Za-z0-9_\-:.@()+,=;$!*'%]")


def result_collection_name(run_id: str, template_id: str) -> str:
    """``ga_results_<run>_<template>``: one collection per run and template, a valid name."""
    raw = f"{RESULT_PREFIX}{run_id}_{template_id}"
    name = re.sub(r"[^A-Za-z0-9_-]", "_", raw)
    if len(name) > MAX_NAME:  # keep it unique when it has to be cut
        digest = hashlib.sha1(raw.encode()).hexdigest()[:10]
        name = f"{name[: MAX_NAME - 11]}_{digest}"
    return name


def result_key(vertex_id: str) -> str:
    """A document key for a vertex's result row (``_id``'s ``/`` is not allowed in keys)."""
    key = vertex_id.replace("/", ":", 1)
    if _KEY_BAD.search(key) or len(key) > 254:
        key = hashlib.sha1(vertex_id.encode()).hexdigest()
    return key


def connect(settings: Settings) -> StandardDatabase:
    """A python-arango database handle from the settings (JWT wins over user/password)."""
    if not settings.arango_url:
        raise StoreError("ARANGO_URL is not set")
    # One attempt per host, each bounded by ARANGO_TIMEOUT: python-arango's defaults (3 urllib3
    # retries with backoff, times 3 tries per host) took 22-64 s to give up on a dead port even
    # with ARANGO_TIMEOUT=3, logging a WARNING per retry; the StoreError says it once.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    client = ArangoClient(
        hosts=settings.arango_url,
        verify_override=settings.arango_verify_tls,
        request_timeout=settings.arango_timeout_s,
        http_client=DefaultHTTPClient(request_timeout=settings.arango_timeout_s, retry_attempts=0),
        resolver_max_tries=len(settings.arango_url.split(",")),
    )
    if settings.arango_jwt is not None:
        return client.db(settings.arango_database, user_token=settings.arango_jwt.get_secret_value())
    password = settings.arango_password.get_secret_value() if settings.arango_password else ""
    return client.db(settings.arango_database, username=settings.arango_username, password=password)


class ArangoGraphStore:
    """The GraphStore protocol over one ArangoDB database, scoped to a named graph or a list of
    collections (never system collections, never our own ``ga_`` result and catalog collections)."""

    kind = "arango"

    def __init__(
        self,
        db: StandardDatabase,
        *,
        graph_name: str | None = None,
        collections: list[str] | None = None,
        batch_size: int = 10_000,
        max_parallel: int = 8,
        url: str | None = None,
    ) -> None:
        self.db = db
        self.graph_name = graph_name or None
        self.requested = [c for c in (collections or []) if c]
        self.batch_size = batch_size
        self.url = url
        self._sem = asyncio.Semaphore(max_parallel)
        self._max_parallel = max_parallel
        self._loop: asyncio.AbstractEventLoop | None = None
        self._types: dict[str, str] | None = None
        self._graph: tuple[str | None, list[EdgeDefinition]] | None = None
        self._created: set[str] = set()
        self._orphans: list[str] = []
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, graph_name: str | None = None, collections: list[str] | None = None
    ) -> "ArangoGraphStore":
        listed = collections or [c.strip() for c in settings.arango_collections.split(",") if c.strip()]
        return cls(
            connect(settings),
            graph_name=graph_name or settings.arango_graph,
            collections=listed,
            batch_size=settings.arango_batch_size,
            max_parallel=settings.arango_max_parallel,
            url=settings.arango_url,
        )

    @property
    def database(self) -> str:
        return self.db.name

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.url, "database": self.database, "graph_name": self.graph_name}

    # -- plumbing -----------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # asyncio primitives belong to one event loop
            self._sem = asyncio.Semaphore(self._max_parallel)
            self._loop = loop
        if self._executor is None:  # our own threads: the default pool may be smaller than the cap
            self._executor = ThreadPoolExecutor(self._max_parallel, thread_name_prefix="arango")
        async with self._sem:
            try:
                return await loop.run_in_executor(self._executor, functools.partial(fn, *args))
            except ArangoError as exc:
                raise StoreError(f"ArangoDB ({self.database}): {exc}") from exc
            except (requests.RequestException, ConnectionError) as exc:  # python-arango lets transport errors through
                raise StoreError(f"ArangoDB at {self.url}: {type(exc).__name__}: {exc}") from exc

    def _query(self, query: str, bind_vars: dict[str, Any], batch_size: int | None = None) -> list[Any]:
        cursor = self.db.aql.execute(query, bind_vars=bind_vars, batch_size=batch_size or self.batch_size)
        try:
            return list(cursor)  # iterating pages through PUT/POST /_api/cursor/<id>
        finally:
            cursor.close(ignore_missing=True)

    async def _all_types(self) -> dict[str, str]:
        if self._types is None:
            cols = await self._call(self.db.collections)
            self._types = {c["name"]: c["type"] for c in cols if not c["system"] and not c["name"].startswith("_")}
        return self._types

    async def _checked(self, name: str) -> str:
        """``name`` if it is a user collection of this database, else StoreError (it never reaches AQL)."""
        types = await self._all_types()
        if name not in types:
            self._types = None  # it may have been created since we listed
            types = await self._all_types()
        if name not in types:
            raise StoreError(f"unknown collection {name!r} in database {self.database!r}")
        return name

    async def _scope(self) -> list[str]:
        types = await self._all_types()
        graph_name, defs = await self.named_graph()
        if graph_name:
            wanted = set(self._orphans)
            for d in defs:
                wanted.add(d.collection)
                wanted.update(d.from_collections)
                wanted.update(d.to_collections)
        elif self.requested:
            wanted = set(self.requested)
        else:
            wanted = set(types)
        missing = sorted(w for w in wanted if w not in types)
        if missing and (self.requested and not graph_name):
            raise StoreError(f"collections not found in database {self.database!r}: {missing}")
        return sorted(w for w in wanted if w in types and not w.startswith(OWN_PREFIXES))

    # -- GraphStore ---------------------------------------------------------------------------

    async def list_collections(self) -> list[CollectionMeta]:
        types = await self._all_types()
        names = await self._scope()
        counts = await asyncio.gather(*(self._call(self._query, Q_COUNT, {"@collection": n}) for n in names))
        return [CollectionMeta(n, types[n], int(c[0])) for n, c in zip(names, counts)]

    async def named_graph(self) -> tuple[str | None, list[EdgeDefinition]]:
        if self._graph is None:
            if not self.graph_name:
                self._graph = (None, [])
            else:
                graph = self.db.graph(self.graph_name)
                if not await self._call(self.db.has_graph, self.graph_name):
                    raise StoreError(f"named graph {self.graph_name!r} not found in database {self.database!r}")
                props = await self._call(graph.properties)
                self._orphans = list(props.get("orphan_collections") or [])
                defs = [
                    EdgeDefinition(
                        collection=d["edge_collection"],
                        from_collections=list(d["from_vertex_collections"]),
                        to_collections=list(d["to_vertex_collections"]),
                    )
                    for d in props["edge_definitions"]
                ]
                self._graph = (self.graph_name, defs)
        return self._graph[0], list(self._graph[1])

    async def sample(self, collection: str, limit: int) -> list[dict[str, Any]]:
        name = await self._checked(collection)
        return await self._call(self._query, Q_SAMPLE, {"@collection": name, "n": int(limit)}, max(1, int(limit)))

    async def degree_stats(self, edge_collections: list[str]) -> DegreeStats:
        names = [await self._checked(c) for c in edge_collections]
        if not names:
            return DegreeStats()
        per = max(1, DEGREE_SAMPLE_EDGES // len(names))
        chunks = await asyncio.gather(
            *(self._call(self._query, Q_EDGE_ENDS_SAMPLE, {"@collection": n, "n": per}) for n in names)
        )
        return degrees_of((s, t) for rows in chunks for s, t in rows)

    async def load_graph(
        self,
        vertex_collections: list[str],
        edge_collections: list[str],
        attributes: tuple[str, ...] = (),
    ) -> GraphData:
        """Stream the vertices and edges out through AQL cursors (``batch_size`` rows per page)."""
        enames = [await self._checked(c) for c in edge_collections]
        vertices, erows = await asyncio.gather(
            self.load_vertices(vertex_collections, attributes),
            asyncio.gather(*(self._call(self._query, Q_EDGE_ENDS, {"@collection": n}) for n in enames)),
        )
        index = vertices.index
        edges = []
        for rows in erows:
            for s, t in rows:
                i, j = index.get(s), index.get(t)
                if i is not None and j is not None:  # out-of-scope ends drop out, as in the local store
                    edges.append((i, j))
        vertices.edges = edges
        return vertices

    async def load_vertices(self, vertex_collections: list[str], attributes: tuple[str, ...] = ()) -> GraphData:
        """The vertices alone (ids and ``attributes``, no edges): what a search run on the server
        needs to resolve names and to report on every vertex in scope."""
        vnames = [await self._checked(c) for c in vertex_collections]
        attrs = list(attributes)
        vrows = await asyncio.gather(
            *(self._call(self._query, Q_VERTICES, {"@collection": n, "attributes": attrs}) for n in vnames))
        ids: list[str] = []
        values: dict[str, list[Any]] = {a: [] for a in attrs}
        for rows in vrows:
            for row in rows:
                ids.append(row[0])
                for a, v in zip(attrs, row[1:]):
                    values[a].append(v)
        return GraphData(ids=ids, edges=[], attributes=values)

    async def query(self, query: str, bind_vars: dict[str, Any]) -> list[Any]:
        """Run one of another module's fixed AQL statements (the AQL path searches of
        :mod:`graph_agents.engines.aql`); every ``@@`` collection in ``bind_vars`` is checked first."""
        for name, value in bind_vars.items():
            if name.startswith("@"):
                await self._checked(value)
        return await self._call(self._query, query, bind_vars)

    async def prepare_results(self, run_id: str, template_id: str, *, empty: bool = False) -> str:
        """Create (if missing) the result collection of one run and template; return its name.

        ``empty``: remove what an earlier attempt wrote (GAE's ``storeresults`` appends documents
        without ``_key``, so a resumed or rerun analysis would otherwise duplicate every row)."""
        name = result_collection_name(run_id, template_id)
        if name not in self._created:

            def create() -> None:
                if self.db.has_collection(name):
                    return
                try:
                    self.db.create_collection(name)
                except CollectionCreateError as exc:
                    if exc.http_code != 409:  # a concurrent create of the same name is fine
                        raise

            await self._call(create)
            self._created.add(name)
            if self._types is not None:
                self._types[name] = "document"
        if empty:
            await self._call(self.db.collection(name).truncate)
        return name

    def location(self, collection: str, result_field: str) -> str:
        return f"arango://{self.database}/{collection}#{result_field}"

    async def write_results(
        self, run_id: str, template_id: str, result_field: str, values: dict[str, Any]
    ) -> str:
        name = await self.prepare_results(run_id, template_id, empty=True)  # exactly this execution's rows
        rows = iter(values.items())  # streamed from the result's arrays, one batch of documents at a time
        while batch := list(itertools.islice(rows, WRITE_BATCH)):
            docs = [{"_key": result_key(vid), "id": vid, result_field: value} for vid, value in batch]
            await self._call(self._query, Q_WRITE, {"@collection": name, "docs": docs})
        return self.location(name, result_field)

    async def read_results(self, location: str) -> dict[str, Any]:
        """``{vertex id: value}``; should a collection hold a vertex twice (rows appended by hand,
        or by a writer that does not key its documents), the last row read wins: one per vertex."""
        match = re.fullmatch(r"arango://([^/]+)/([^#]+)#(.+)", location)
        if not match or match.group(1) != self.database:
            raise StoreError(f"not a result location of database {self.database!r}: {location!r}")
        name = await self._checked(match.group(2))
        rows = await self._call(self._query, Q_RESULTS, {"@collection": name, "field": match.group(3)})
        return {vid: value for vid, value in rows if vid is not None}

    async def display_names(self, ids: list[str]) -> dict[str, str]:
        types = await self._all_types()
        keys: dict[str, list[str]] = {}
        for vid in ids:
            coll, _, key = vid.partition("/")
            if key and types.get(coll) == "document":  # unknown collections have no names to give
                keys.setdefault(coll, []).append(key)
        attrs = list(NAME_ATTRIBUTES)
        chunks = await asyncio.gather(
            *(self._call(self._query, Q_NAMES, {"@collection": c, "keys": k, "attributes": attrs}) for c, k in keys.items())
        )
        out = {}
        for rows in chunks:
            for vid, doc in rows:
                for attr in NAME_ATTRIBUTES:
                    value = doc.get(attr)
                    if isinstance(value, (str, int)) and str(value).strip():
                        out[vid] = str(value)
                        break
        return out
