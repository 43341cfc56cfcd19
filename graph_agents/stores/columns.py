"""Collection files read into columns: vertex ids mapped to integers once, edges as index arrays.

A document is parsed (orjson), checked, and reduced to what the workflow needs: its key (the
vertex index), its display name, and, for an edge, the indices of its two ends. A spread sample
of whole documents is kept for the schema; any other attribute (a label) is read again by name
when an analysis asks for it. Nothing per document stays a Python dict.

Why orjson and not polars: polars' ``read_ndjson`` parses about 2.5x faster, but it turns a
``_key`` that is a number or an object into a string (``{"x": 1}`` becomes ``'{"x": 1}'``),
rejects a UTF-8 BOM, stops at the first bad line without its number, and has no hook for
arangodump's wrapped ``{"type": 2300, "data": ...}`` lines; each check would need a second pass.
A line-by-line orjson loop checks everything exactly where it happens (``file:line``).

Only regular files are read (a FIFO or a link to ``/dev/zero`` is refused before opening), in
chunks, with a cap on the length of one line, so no input can hang the reader or grow it without
bound; orjson refuses NaN/Infinity and nesting deeper than 1024 levels.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import orjson

from .base import StoreError

NAME_ATTRIBUTES = ("name", "title", "display_name", "full_name", "label", "username", "fingerprint")
SAMPLE_KEEP = 256  # whole documents kept per collection, spread over it, for the schema
MAX_LINE = 64 * 2**20  # one document line longer than this is refused, not buffered
MAX_KEY_BYTES = 254  # ArangoDB's limit for a document key
_CHUNK = 4 * 2**20
_FIRST_CHUNK = 64 * 2**10
_BOM = b"\xef\xbb\xbf"

# (file, line number, document): errors name "<file>:<number>"
Documents = Iterator[tuple[Any, int, dict[str, Any]]]


def check_regular(path: Path) -> None:
    """Refuse what is not a regular file (FIFO, device, directory), following links, before opening."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path}: not a regular file (a FIFO, device or directory is never read)")


def documents(path: Path, advance: Callable[[int], None] | None = None) -> Documents:
    """``(path, line number, document)`` for each document of a (gzipped) JSON Lines file: one JSON
    object per line, or arangodump's wrapped lines (``{"type": 2300, "data": {...}}``; other types
    are removals and are skipped). Blank lines and a leading BOM are skipped; ``advance(bytes)`` is
    told of each chunk read (progress). One flat loop: this is the reader's hot path."""
    check_regular(path)
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    number = 0
    try:
        with (gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")) as fh:
            rest = b""
            first = True
            while True:
                chunk = fh.read(min(_FIRST_CHUNK, _CHUNK) if first else _CHUNK)  # a small first read: planning reads one document
                if not chunk:
                    parts, rest = [rest], b""
                else:
                    if advance is not None:
                        advance(len(chunk))
                    if first:
                        chunk, first = chunk.removeprefix(_BOM), False
                    parts = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
                    rest = parts.pop()
                    if len(rest) > MAX_LINE:
                        raise StoreError(f"{path}:{number + len(parts) + 1}: a line longer than {MAX_LINE // 2**20} MiB")
                for part in parts:
                    number += 1
                    try:
                        doc = loads(part)
                    except decode_error as exc:
                        if not part.strip():
                            continue  # a blank line
                        raise StoreError(f"{path}:{number}: invalid JSON ({exc})") from None
                    if type(doc) is not dict:
                        raise StoreError(f"{path}:{number}: expected a JSON object per line")
                    if "type" in doc and type(doc.get("data")) is dict:
                        if doc["type"] != 2300:  # 2300 = insert, 2302 = removal
                            continue
                        doc = doc["data"]
                    yield path, number, doc
                if not chunk:
                    return
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; corrupt deflate is zlib.error
        raise StoreError(f"{path}: cannot read ({exc})") from None


def looks_like_edge(doc: dict[str, Any]) -> bool:
    return isinstance(doc.get("_from"), str) and isinstance(doc.get("_to"), str)


def _key_of(doc: dict[str, Any], row: int, origin: Any, number: int) -> str:
    key = doc.get("_key")
    if key is None:
        vid = doc.get("_id")
        key = vid.split("/", 1)[1] if isinstance(vid, str) and "/" in vid else str(row)
    if type(key) is not str or not key or "/" in key or len(key.encode()) > MAX_KEY_BYTES:
        raise StoreError(f"{origin}:{number}: invalid or duplicate _key {key!r}: a _key is a non-empty string without '/', "
                         f"at most {MAX_KEY_BYTES} bytes")
    return key


class _Sample:
    """An evenly spread sample of a stream of unknown length: keep every ``stride``-th item, and
    when full, drop every other one and double the stride."""

    def __init__(self, keep: int = SAMPLE_KEEP) -> None:
        self.keep, self.stride, self.items = keep, 1, []

    def offer(self, row: int, item: Any) -> None:
        if row % self.stride == 0:
            self.items.append(item)
            if len(self.items) >= 2 * self.keep:
                self.items, self.stride = self.items[::2], self.stride * 2

    def take(self, limit: int) -> list[Any]:
        items = self.items
        if len(items) <= limit:
            return list(items)
        step = len(items) / limit
        return [items[int(i * step)] for i in range(limit)]


@dataclass
class Collection:
    """One collection in columns. Vertices of a document collection hold the contiguous range
    ``[start, stop)`` of the graph's vertex index; an edge collection holds ``src``/``dst`` arrays
    of vertex indices."""

    name: str
    type: str  # "document" | "edge"
    source: Callable[[], Documents]  # the documents again, in the same order (for attributes by name)
    count: int = 0
    sample: _Sample = field(default_factory=_Sample)
    start: int = 0
    stop: int = 0
    src: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    dst: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


class VertexIndex:
    """Every vertex id seen, as an integer: document vertices first (by collection), then the ends
    of edges that name no known document (dangling), so degrees count them as before."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._index: dict[str, int] = {}  # id -> index of ids[:_indexed], completed when asked for
        self._indexed = 0
        # display names of the document vertices (None: none), as lists or polars Series (the fast
        # reader's, made Python strings only when all of them are asked for: reports ask for a few)
        self._name_parts: list[Any] = []
        self.series: Any = None  # the ids as a polars Series, when the fast reader read them (see frames)
        self.table: Any = None  # the fast reader's hash table of the first ids (see frames._table)
        self.tables: dict[tuple[int, int], Any] = {}  # its tables of one collection's ids[start:stop]
        self.parts: dict[str, tuple[int, int]] = {}  # collection -> its range of ids, for collections the fast reader placed

    @property
    def documents(self) -> int:
        return sum(len(part) for part in self._name_parts)

    @property
    def names(self) -> list[str | None]:
        """The display name of each document vertex (None: none), as one list."""
        if len(self._name_parts) != 1 or type(self._name_parts[0]) is not list:
            merged: list[str | None] = []
            for part in self._name_parts:
                merged.extend(part if type(part) is list else part.to_list())
            self._name_parts = [merged]
        return self._name_parts[0]

    def name(self, i: int) -> str | None:
        """The display name of document vertex ``i``, without making every name a Python string."""
        for part in self._name_parts:
            if i < len(part):
                return part[i]
            i -= len(part)
        raise IndexError(i)

    @property
    def index(self) -> dict[str, int]:
        """Vertex id -> index (built on first use: the fast reader maps ids without it)."""
        if self._indexed < len(self.ids):
            self._index.update(zip(self.ids[self._indexed :], range(self._indexed, len(self.ids))))
            self._indexed = len(self.ids)
        return self._index

    def extend(self, ids: list[str], names: Any) -> None:
        """Append vertices: document vertices with their names (a list or a polars Series; only
        before any dangling end), or dangling ends (``names`` None)."""
        if names is not None:
            if self.documents != len(self.ids):
                raise ValueError("document vertices come before dangling ends")
            self._name_parts.append(names)
        self.ids.extend(ids)

    def add_documents(self, coll: Collection, docs: Documents) -> None:
        ids, index, names = self.ids, self.index, self.names
        prefix = coll.name + "/"
        coll.start = len(ids)
        sample = coll.sample
        for row, (origin, number, doc) in enumerate(docs):
            key = doc.get("_key")
            if type(key) is not str or not key or "/" in key or len(key) > MAX_KEY_BYTES // 4:
                key = _key_of(doc, row, origin, number)  # the exact rules, and the error, off the hot path
            vid = prefix + key
            if vid in index:
                raise StoreError(f"{origin}:{number}: invalid or duplicate _key {key!r}: already in collection {coll.name!r}")
            index[vid] = len(ids)
            ids.append(vid)
            names.append(_name_of(doc))
            if row % sample.stride == 0:
                sample.offer(row, (row, doc))
        coll.stop = self._indexed = len(ids)
        coll.count = coll.stop - coll.start

    def add_edges(self, coll: Collection, docs: Documents) -> None:
        ids, index = self.ids, self.index
        get = index.get
        src, dst = array("q"), array("q")
        add_src, add_dst = src.append, dst.append
        keys: set[str] = set()
        unkeyed = 0  # edges without a key get their row number, which must not clash with a given key
        sample = coll.sample
        row = -1
        for row, (origin, number, doc) in enumerate(docs):
            f = doc.get("_from")
            t = doc.get("_to")
            if type(f) is not str or type(t) is not str or "/" not in f or "/" not in t:
                raise StoreError(f"{origin}:{number}: an edge needs _from and _to as 'collection/key' strings")
            if "_key" in doc or "_id" in doc:
                key = doc.get("_key")
                if type(key) is not str or not key or "/" in key or len(key) > MAX_KEY_BYTES // 4:
                    key = _key_of(doc, row, origin, number)  # as for documents: the exact rules off the hot path
                if key in keys:
                    raise StoreError(f"{origin}:{number}: invalid or duplicate _key {key!r}: already in collection {coll.name!r}")
                keys.add(key)
            else:
                unkeyed += 1
            s = get(f)
            if s is None:
                s = index[f] = len(ids)
                ids.append(f)
            d = get(t)
            if d is None:
                d = index[t] = len(ids)
                ids.append(t)
            add_src(s)
            add_dst(d)
            if row % sample.stride == 0:
                sample.offer(row, (row, doc))
        if unkeyed and keys and any(k.isdigit() and int(k) <= row for k in keys):
            raise StoreError(f"collection {coll.name!r}: edges without _key would take row numbers used as keys")
        self._indexed = len(ids)
        coll.src = np.frombuffer(src, dtype=np.int64) if src else np.empty(0, dtype=np.int64)
        coll.dst = np.frombuffer(dst, dtype=np.int64) if dst else np.empty(0, dtype=np.int64)
        coll.count = len(coll.src)


def _name_of(doc: dict[str, Any]) -> str | None:
    for attr in NAME_ATTRIBUTES:
        value = doc.get(attr)
        if value is not None and type(value) in (str, int) and str(value).strip():
            return str(value)
    return None


def attribute_column(coll: Collection, attribute: str) -> list[Any]:
    """``attribute`` of every document of ``coll``, in vertex order (read again from its source)."""
    values = [doc.get(attribute) for _, _, doc in coll.source()]
    if len(values) != coll.count:
        raise StoreError(f"collection {coll.name!r} changed while in use ({coll.count} then {len(values)} documents)")
    return values


def input_bytes(path: Path) -> int:
    """The uncompressed size of a file, estimated for gzip (JSON Lines compress about 6:1)."""
    return path.stat().st_size * (6 if path.name.endswith(".gz") else 1)


def estimate_bytes(files: Iterable[Path]) -> int:
    """Peak memory the reader and the engine need for these files, from their sizes: lines counted
    from the average length of the first 64 KiB, times a measured cost per line (see the README's
    memory budget)."""
    total = 0
    for path in files:
        size = input_bytes(path)
        try:
            with (gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")) as fh:
                head = fh.read(65536)
        except (OSError, EOFError, zlib.error):
            continue  # the read reports it
        line = max(16, len(head) / max(1, head.count(b"\n"))) if head else 16
        total += int(size / line * BYTES_PER_LINE)
    return total


# peak RSS per input line, measured with bench/scale.py (reader + graph + five analyses)
BYTES_PER_LINE = 400


def available_memory() -> int:
    """Bytes the process may use: ``GRAPH_AGENTS_MEMORY_MB`` when set, else 80% of the memory
    available now."""
    budget = os.environ.get("GRAPH_AGENTS_MEMORY_MB", "").strip()
    if budget:
        try:
            return int(float(budget) * 2**20)
        except ValueError:
            raise StoreError(f"GRAPH_AGENTS_MEMORY_MB={budget!r} is not a number of megabytes") from None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for row in fh:
                if row.startswith("MemAvailable:"):
                    return int(row.split()[1]) * 1024 * 4 // 5
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") * 0.8)
