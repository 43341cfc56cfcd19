"""A SQLite cache for chat model answers (a LangChain ``BaseCache``, no langchain-community).

An identical call (same messages, same model settings and tools) in a later run is answered
from the cache at no cost. Generations are stored as plain message dicts, never as pickles or
serialized constructors, so a cache file cannot make us build arbitrary objects.

``track()`` lets a caller see which cache keys its own call looked up and whether they hit,
so it can mark the call as cached and ``forget`` an answer that failed validation (a transient
fault must not be replayed forever).
"""

from __future__ import annotations

import contextvars
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.messages import message_to_dict, messages_from_dict
from langchain_core.outputs import ChatGeneration, Generation

_SCHEMA = "CREATE TABLE IF NOT EXISTS llm_cache (prompt TEXT, llm TEXT, value TEXT, PRIMARY KEY (prompt, llm))"


class CacheLog:
    """What one tracked call did with the cache."""

    def __init__(self) -> None:
        self.keys: list[tuple[str, str]] = []
        self.hits = 0


_current: contextvars.ContextVar[CacheLog | None] = contextvars.ContextVar("graph_agents_llm_cache", default=None)


@contextmanager
def track() -> Iterator[CacheLog]:
    log = CacheLog()
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def _dump(generations: Sequence[Generation]) -> str:
    out = []
    for g in generations:
        item: dict[str, Any] = {"text": g.text, "info": g.generation_info}
        if isinstance(g, ChatGeneration):
            item["message"] = message_to_dict(g.message)
        out.append(item)
    return json.dumps(out)


def _load(text: str) -> list[Generation]:
    out: list[Generation] = []
    for item in json.loads(text):
        if "message" in item:
            message = messages_from_dict([item["message"]])[0]
            out.append(ChatGeneration(message=message, generation_info=item.get("info")))
        else:
            out.append(Generation(text=item["text"], generation_info=item.get("info")))
    return out


class SQLiteCache(BaseCache):
    """``BaseCache`` in one SQLite file (the default is ``<workspace>/llm_cache.sqlite``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # one short-lived connection per call: the async methods run in worker threads
        return sqlite3.connect(self.path, timeout=30)

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT value FROM llm_cache WHERE prompt = ? AND llm = ?", (prompt, llm_string)).fetchone()
        log = _current.get()
        if log is not None:
            log.keys.append((prompt, llm_string))
            log.hits += row is not None
        if row is None:
            return None
        try:
            return _load(row[0])
        except (ValueError, KeyError, TypeError):  # an unreadable entry is a miss, not a crash
            return None

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT OR REPLACE INTO llm_cache VALUES (?, ?, ?)", (prompt, llm_string, _dump(return_val)))

    def forget(self, keys: Sequence[tuple[str, str]]) -> None:
        with self._lock, self._connect() as db:
            db.executemany("DELETE FROM llm_cache WHERE prompt = ? AND llm = ?", list(keys))

    def clear(self, **kwargs: Any) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM llm_cache")

    def __len__(self) -> int:
        with self._lock, self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM llm_cache").fetchone()[0]
