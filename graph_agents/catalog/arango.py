"""The analytics catalog in ArangoDB: a ``ga_catalog_<kind>`` collection per kind, lineage edges in
``ga_catalog_lineage``, and the named graph ``ga_catalog`` over them (for browsing in the web UI).

Writes are AQL UPSERTs, one query per kind of a batch, so recording the same entity or edge twice
leaves one. UPSERT looks up and then writes, so concurrent writers of the same key can fail with a
write-write conflict (1200) or a unique-constraint violation (1210); ArangoDB's UPSERT docs say the
client may run the query again, and ``write`` does (``UPSERT_ATTEMPTS`` times, backing off).
Collection names and values only reach AQL as bind parameters.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Literal, Sequence

from arango.database import StandardDatabase
from arango.exceptions import AQLQueryExecuteError, CollectionCreateError, GraphCreateError

from .base import KINDS, Doc, split_node

PREFIX = "ga_catalog_"
LINEAGE = "ga_catalog_lineage"
GRAPH = "ga_catalog"
_SYSTEM = ("_key", "_id", "_rev", "_seq")
_KEY = re.compile(r"^[A-Za-z0-9_\-:.@()+,=;$!*'%]{1,254}$")
# errors of a concurrent UPSERT that a repeat of the same query resolves: conflict, unique constraint
RETRYABLE = (1200, 1210)
UPSERT_ATTEMPTS = 6
UPSERT_BACKOFF_S = 0.02  # doubles per attempt

# Every AQL statement this backend issues (the test double recognises them by this exact text).
# ``_seq`` keeps insertion order across replacements.
Q_PUT = (
    "FOR d IN @docs UPSERT { _key: d.key } INSERT MERGE(d.doc, { _key: d.key, _seq: d.seq }) "
    "REPLACE MERGE(d.doc, { _key: d.key, _seq: OLD._seq }) IN @@collection"
)
Q_GET = "FOR d IN @@collection FILTER d._key == @key RETURN d"
Q_FIND = "FOR d IN @@collection FILTER MATCHES(d, @example) SORT d._seq RETURN d"
Q_ALL = "FOR d IN @@collection SORT d._seq RETURN d"
Q_DISTINCT = "FOR d IN @@collection FILTER MATCHES(d, @example) RETURN DISTINCT d[@field]"
Q_LINK = (
    "FOR l IN @links UPSERT { _from: l.from, _to: l.to } INSERT { _from: l.from, _to: l.to, _seq: l.seq } "
    "UPDATE {} IN @@collection"
)
Q_OUT = "FOR e IN @@collection FILTER e._from == @node SORT e._seq RETURN e._to"
Q_IN = "FOR e IN @@collection FILTER e._to == @node SORT e._seq RETURN e._from"


def collection_for(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown catalog kind {kind!r}")
    return PREFIX + kind


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"catalog key {key!r} is not a valid ArangoDB document key")
    return key


def _to_arango(node: str) -> str:
    kind, key = split_node(node)
    return f"{collection_for(kind)}/{_check_key(key)}"


def _from_arango(doc_id: str) -> str:
    coll, _, key = doc_id.partition("/")
    return f"{coll[len(PREFIX):]}/{key}"


def _plain(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if k not in _SYSTEM}


class ArangoCatalogBackend:
    """CatalogBackend over a python-arango database handle (calls run in worker threads)."""

    def __init__(self, db: StandardDatabase) -> None:
        self.db = db
        self.conflicts_retried = 0
        self._ready = False
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    def _query(self, query: str, bind_vars: dict[str, Any]) -> list[Any]:
        return list(self.db.aql.execute(query, bind_vars=bind_vars))

    def _upsert(self, query: str, bind_vars: dict[str, Any]) -> None:
        """An idempotent UPSERT query, repeated while it loses a race with another writer."""
        for attempt in range(UPSERT_ATTEMPTS):
            try:
                self._query(query, bind_vars)
                return
            except AQLQueryExecuteError as exc:
                if exc.error_code not in RETRYABLE or attempt == UPSERT_ATTEMPTS - 1:
                    raise
                self.conflicts_retried += 1
                time.sleep(UPSERT_BACKOFF_S * 2**attempt)  # in a worker thread, not the event loop

    def _setup(self) -> None:
        existing = {c["name"] for c in self.db.collections()}
        for kind in KINDS:
            self._create(collection_for(kind), existing, edge=False)
        self._create(LINEAGE, existing, edge=True)
        if not self.db.has_graph(GRAPH):
            vertices = [collection_for(k) for k in KINDS]
            try:
                self.db.create_graph(
                    GRAPH,
                    edge_definitions=[
                        {
                            "edge_collection": LINEAGE,
                            "from_vertex_collections": vertices,
                            "to_vertex_collections": vertices,
                        }
                    ],
                )
            except GraphCreateError as exc:
                if exc.http_code != 409:  # created concurrently by another process
                    raise

    def _create(self, name: str, existing: set[str], edge: bool) -> None:
        if name in existing:
            return
        try:
            self.db.create_collection(name, edge=edge)
        except CollectionCreateError as exc:
            if exc.http_code != 409:
                raise

    async def _ensure(self) -> None:
        if self._ready:
            return
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:
            if not self._ready:
                await self._run(self._setup)
                self._ready = True

    async def write(self, docs: Sequence[Doc], links: Sequence[tuple[str, str]] = ()) -> None:
        seq = time.time_ns()  # + position: a batch keeps its order
        per_collection: dict[str, list[dict[str, Any]]] = {}
        for i, (kind, key, doc) in enumerate(docs):
            body = {k: v for k, v in doc.items() if k not in _SYSTEM}
            per_collection.setdefault(collection_for(kind), []).append({"key": _check_key(key), "doc": body, "seq": seq + i})
        edges = [{"from": _to_arango(s), "to": _to_arango(t), "seq": seq + i} for i, (s, t) in enumerate(links)]
        await self._ensure()

        def write() -> None:  # one query per kind, documents before the edges that point at them
            for collection, items in per_collection.items():
                self._upsert(Q_PUT, {"@collection": collection, "docs": items})
            if edges:
                self._upsert(Q_LINK, {"@collection": LINEAGE, "links": edges})

        await self._run(write)

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        await self._ensure()
        rows = await self._run(self._query, Q_GET, {"@collection": collection_for(kind), "key": _check_key(key)})
        return _plain(rows[0] if rows else None)

    async def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        await self._ensure()
        coll = collection_for(kind)
        if equals:
            rows = await self._run(self._query, Q_FIND, {"@collection": coll, "example": equals})
        else:
            rows = await self._run(self._query, Q_ALL, {"@collection": coll})
        return [_plain(r) for r in rows]  # type: ignore[misc]

    async def distinct(self, kind: str, field: str, **equals: Any) -> list[Any]:
        await self._ensure()
        return await self._run(self._query, Q_DISTINCT, {"@collection": collection_for(kind), "example": equals, "field": field})

    async def neighbors(self, node: str, direction: Literal["out", "in"]) -> list[str]:
        if direction not in ("out", "in"):
            raise ValueError(f"direction must be 'out' or 'in', not {direction!r}")
        await self._ensure()
        query = Q_OUT if direction == "out" else Q_IN
        rows = await self._run(self._query, query, {"@collection": LINEAGE, "node": _to_arango(node)})
        return [_from_arango(r) for r in rows]

    async def aclose(self) -> None:
        self._ready = False  # python-arango keeps no open connection beyond its HTTP session

