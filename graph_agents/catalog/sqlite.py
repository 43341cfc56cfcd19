"""The SQLite catalog backend: one file in the workspace, documents as JSON, lineage edges as rows.

sqlite3 runs on one thread of the backend's own, so parallel analyses record safely, in order, and
never tie up the shared thread pool the stores and engines use; the backend works from any event
loop (each ``runner.run()`` brings its own).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Sequence

from ..errors import InputError
from ..workspace import check_database
from .base import Doc, node_id, split_node

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (kind, key)
);
CREATE TABLE IF NOT EXISTS edges (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (source, target)
);
CREATE INDEX IF NOT EXISTS edges_by_target ON edges (target);
"""
# fields the catalog looks documents up by: an expression index each, so a lookup does not parse
# every document of its kind (which grows with every run in the workspace)
_INDEXED = ("baseline_key", "run_id", "epoch", "algorithm")  # selective ones: not status
_INDEXES = "".join(
    f"CREATE INDEX IF NOT EXISTS documents_by_{f} ON documents (kind, json_extract(doc, '$.{f}'));\n" for f in _INDEXED
)


class SQLiteCatalogBackend:
    """:class:`~graph_agents.catalog.base.CatalogBackend` on one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-sqlite")

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            check_database(self.path, "catalog")  # corrupt, truncated or locked: said now, with the file
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # a writer waits this long for another one: runs in one workspace write in short bursts
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            try:
                conn.execute("PRAGMA journal_mode=WAL")  # the CLI can read while a run writes
                conn.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; one fsync per checkpoint, not per write
                conn.executescript(_SCHEMA + _INDEXES)
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise InputError(f"catalog {self.path} cannot be used ({exc}): move it away to start afresh") from None
            self._conn = conn
        return self._conn

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._connect().execute(sql, params).fetchall()

    async def _call(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, sql, params)

    def _write(self, docs: Sequence[Doc], links: Sequence[tuple[str, str]]) -> None:
        conn = self._connect()
        with conn:  # one transaction: all of it or none
            # an upsert keeps the row's seq, so insertion order survives re-recording
            conn.executemany(
                "INSERT INTO documents (kind, key, doc) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc",
                [(kind, key, json.dumps(doc, default=str)) for kind, key, doc in docs],
            )
            conn.executemany("INSERT OR IGNORE INTO edges (source, target) VALUES (?, ?)", links)

    async def write(self, docs: Sequence[Doc], links: Sequence[tuple[str, str]] = ()) -> None:
        for kind, key, _ in docs:
            node_id(kind, key)  # validates the kind
        for edge in links:
            for node in edge:
                split_node(node)
        await asyncio.get_running_loop().run_in_executor(self._thread, self._write, list(docs), list(links))

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        rows = await self._call("SELECT doc FROM documents WHERE kind = ? AND key = ?", (kind, key))
        return json.loads(rows[0][0]) if rows else None

    @staticmethod
    def _field(field: str) -> tuple[str, list[Any]]:
        """The SQL expression of a top-level field, and its parameters: an indexed field is named
        literally (the index's own expression, so the index is used); others are bound."""
        if field in _INDEXED:
            return f"json_extract(doc, '$.{field}')", []
        return "json_extract(doc, ?)", ['$."' + field.replace('"', '""') + '"']

    def _where(self, kind: str, equals: dict[str, Any]) -> tuple[str, list[Any]]:
        node_id(kind, "")
        sql, params = ["WHERE kind = ?"], [kind]
        for field, value in equals.items():
            expr, args = self._field(field)
            if value is None:
                sql.append(f"AND {expr} IS NULL")
                params += args
            elif isinstance(value, (list, dict)):  # json_extract returns containers as minified JSON
                sql.append(f"AND {expr} = ?")
                params += [*args, json.dumps(value, separators=(",", ":"))]
            else:
                sql.append(f"AND {expr} = ?")
                params += [*args, int(value) if isinstance(value, bool) else value]
        return " ".join(sql), params

    async def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        where, params = self._where(kind, equals)
        rows = await self._call(f"SELECT doc FROM documents {where} ORDER BY seq", tuple(params))
        return [json.loads(r[0]) for r in rows]

    async def distinct(self, kind: str, field: str, **equals: Any) -> list[Any]:
        expr, args = self._field(field)
        where, params = self._where(kind, equals)
        rows = await self._call(f"SELECT DISTINCT {expr} FROM documents {where}", tuple(args + params))
        return [r[0] for r in rows]

    async def neighbors(self, node: str, direction: Literal["out", "in"]) -> list[str]:
        if direction == "out":
            rows = await self._call("SELECT target FROM edges WHERE source = ? ORDER BY rowid", (node,))
        elif direction == "in":
            rows = await self._call("SELECT source FROM edges WHERE target = ? ORDER BY rowid", (node,))
        else:
            raise ValueError(f"direction must be 'out' or 'in', not {direction!r}")
        return [r[0] for r in rows]

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def aclose(self) -> None:
        # on the catalog's thread, after any write still queued there; the thread stays usable
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
