"""The reader's fast path: polars parses a collection's files and maps ``_from``/``_to`` to vertex
indices; whatever it cannot vouch for goes to the strict line reader (:mod:`.columns`).

polars parses JSON Lines in parallel, in Rust, about 10x faster than an orjson loop here; it reads
only the columns a collection can hold and hashes ``_from``/``_to`` as it parses, and the hashes
are matched to vertex indices in numpy (:class:`_HashIndex`; at 1M edges parse + map take 0.27 s,
against 2.5 s for the orjson loop). But polars
is lenient where the strict reader is not: it turns a number or an object ``_key`` into a string,
takes the first of two equal field names, keeps no line numbers. So the fast path only *accepts*
a collection it has checked as a whole, with the same rules as the strict reader (keys present,
non-empty strings without ``/``, at most 254 bytes, unique across the collection's files; both ends
of every edge; no line over ``MAX_LINE``; no arangodump envelope), and on any error or doubt it
returns ``False`` having changed nothing: the strict reader then reads the collection and names the
first bad ``file:line``. Non-string keys are caught on the raw bytes (``"_key":`` followed by
anything but a string), since polars' coercion hides them.

Display names are read as strings: a name attribute that holds a number, a boolean or an object
shows as its JSON text (the strict reader shows a number and leaves the others out).
"""

from __future__ import annotations

import gzip
import mmap
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .columns import MAX_KEY_BYTES, MAX_LINE, NAME_ATTRIBUTES, SAMPLE_KEEP, Collection, VertexIndex, input_bytes

FAST_MIN_BYTES = 4 << 20  # a graph smaller than this is read as fast by the strict reader as polars imports (0.1-0.2 s)

_KEY_NOT_STRING = re.compile(rb'"_key"\s*:\s*[^"\s]')
_ESCAPED_NAME = re.compile(rb'"(?:\\u005[fF]|_[a-z]{0,3}\\u)')  # "_key" spelled with escapes
_SEED, _CHECK_SEED = 0x9E3779B9, 0x85EBCA6B  # two independent hashes of an id (see _map_ends)
_MAX_PROBES = 64  # a third-full table of random hashes has runs of a few slots; far longer ones are crafted
_QUERY_CHUNK = 1 << 18  # numpy's temporaries of a chunk fit a core's cache (measured: 1 << 16 to 1 << 18 alike, one chunk 1.5x slower)


class _Unsure(Exception):
    """The fast path cannot vouch for this input."""


class _Buffer:
    """A file's bytes: memory-mapped, or decompressed for gzip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None
        self.escaped = True  # until check() has looked
        if path.name.endswith(".gz"):
            try:
                with gzip.open(path, "rb") as fh:
                    self.data: Any = fh.read()
            except (OSError, EOFError, zlib.error):
                raise _Unsure from None
        else:
            self._fh = open(path, "rb")
            self.data = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else b""

    def source(self) -> Any:
        return self.data if self._fh is None else str(self.path)

    def close(self) -> None:
        if self._fh is not None:
            if isinstance(self.data, mmap.mmap):
                self.data.close()
            self._fh.close()

    def check(self) -> None:
        data = self.data
        if not len(data) or data[:3] == b"\xef\xbb\xbf":
            raise _Unsure
        # no line longer than MAX_LINE: every window of that length holds a line end
        pos, size = 0, len(data)
        while size - pos > MAX_LINE:
            end = data.rfind(b"\n", pos, pos + MAX_LINE + 1)
            if end < 0:
                raise _Unsure
            pos = end + 1
        # one byte looked for with memchr (several GB/s); the regex only runs when there is one
        self.escaped = data.find(b"\\") >= 0
        if self.escaped and _ESCAPED_NAME.search(data):
            raise _Unsure

    def lacks(self, field: str) -> bool:
        """True when no line can hold ``field`` as a name: one of its bytes is nowhere in the file (a
        memchr each; a byte that is there is found at once, so this costs little when it proves
        nothing). Never with a backslash in the file: an escape can spell any byte."""
        return not self.escaped and any(self.data.find(bytes((b,))) < 0 for b in set(field.encode()))

    def check_keys(self) -> None:
        """No ``_key`` that is not a string (polars would read ``7`` as ``"7"``): run only when a key
        of the frame could be the text of another JSON value (polars reads an absent or null
        ``_key`` as null, a number, ``true``, ``false``, an object or an array as its text)."""
        if _KEY_NOT_STRING.search(self.data):
            raise _Unsure

    def sample(self, keep: int) -> list[dict[str, Any]]:
        """About ``keep`` whole documents spread over the file (by bytes), parsed strictly."""
        import orjson

        data, size, out = self.data, len(self.data), []
        last = -1
        for i in range(keep):
            start = 0 if i == 0 else data.find(b"\n", i * size // keep) + 1
            if start <= last or start <= 0 and i:
                continue
            end = data.find(b"\n", start)
            line = data[start : end if end >= 0 else size]
            last = start
            if line.strip():
                doc = orjson.loads(line)
                if type(doc) is not dict:
                    raise _Unsure
                out.append(doc)
        return out


class _Files:
    """A collection's files, open for one read: each checked, sampled, and parsed by polars with only
    the columns asked for (each column in a schema costs polars about 5 % of the parse, present in
    the file or not)."""

    def __init__(self, files: list[Path]) -> None:
        self.buffers: list[_Buffer] = []
        try:
            for path in files:
                self.buffers.append(_Buffer(path))
                self.buffers[-1].check()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "_Files":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        for buf in self.buffers:
            buf.close()

    def absent(self, field: str) -> bool:
        """True when no line of any file can hold ``field``; False proves nothing."""
        return all(buf.lacks(field) for buf in self.buffers)

    def sample(self) -> list[dict[str, Any]]:
        """A spread sample of whole documents (orjson): about ``2 * SAMPLE_KEEP`` over the files."""
        per_file = max(1, SAMPLE_KEEP * 2 // max(1, len(self.buffers)))
        try:
            return [doc for buf in self.buffers for doc in buf.sample(per_file)]
        except ValueError:  # orjson on a sampled line
            raise _Unsure from None

    def parse(self, columns: list[str], derived: tuple[Any, ...] = ()) -> Any:
        """The frame of all files, in order, with ``columns`` as strings and the ``derived``
        expressions (computed batch by batch as polars parses: at 10M edges hashing the ends
        afterwards takes ten times as long, the strings no longer in the caches)."""
        import polars as pl

        schema = {c: pl.String for c in columns}
        frames = []
        for buf in self.buffers:
            try:
                frames.append(pl.scan_ndjson(buf.source(), schema=schema).with_columns(*derived).collect())
            except Exception:  # polars' errors have no common base: any of them means "not sure"
                raise _Unsure from None
        frame = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
        # a key polars read as text: a number, true, false, an object or an array might have been one
        # in the file; only then are the raw bytes looked at
        if "_key" in schema and frame["_key"].str.contains(r"^(?:[-0-9\[{]|true$|false$)").any():
            for buf in self.buffers:
                buf.check_keys()
        return frame

    def optional(self, *fields: str) -> list[str]:
        """``fields`` less those no file can hold."""
        return [f for f in fields if not self.absent(f)]

    def check_envelopes(self, frame: Any) -> None:
        """No arangodump envelope (``{"type": ..., "data": {...}}``, read by the strict reader as its
        ``data``): ``data`` is read in every frame that can hold it, ``type`` only when a ``data``
        is an object (polars reads it as its JSON text)."""
        import polars as pl

        data = frame["data"] if "data" in frame.columns else None
        if data is None or data.null_count() == len(data) or not data.str.starts_with("{").any():
            return
        both = self.parse(["type", "data"])
        if both.select((pl.col("type").is_not_null() & pl.col("data").is_not_null()).any()).item():
            raise _Unsure


def _check_keys(keys: Any) -> None:
    import polars as pl

    size = keys.str.len_bytes()
    bad = keys.is_null() | (size == 0) | (size > MAX_KEY_BYTES) | keys.str.contains("/", literal=True)
    # unique by hash: a collision can only call unique keys duplicates (then the strict reader decides)
    if pl.select(bad.any()).item() or keys.hash(_SEED).n_unique() != len(keys):
        raise _Unsure


def _known(vertices: VertexIndex) -> Any:
    """The vertex ids as a polars Series: the one the fast reader kept, unless ids came since."""
    import polars as pl

    kept = vertices.series
    return kept if kept is not None and len(kept) == len(vertices.ids) else pl.Series(vertices.ids, dtype=pl.String)


def _name_columns(files: _Files, samples: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The name attributes to read first and the ones left: the first ones, in order, up to one
    that every sampled document holds (the rest is read only for documents left without a name).
    An attribute no file can hold is neither."""
    candidates = files.optional(*NAME_ATTRIBUTES)
    for i, attr in enumerate(candidates):
        if samples and _all_named(samples, attr):
            return candidates[: i + 1], candidates[i + 1 :]
    return candidates, []


def _all_named(samples: list[dict[str, Any]], attr: str) -> bool:
    return all(type(doc.get(attr)) is str and doc[attr].strip() for doc in samples)


def _coalesced(frame: Any, attrs: list[str]) -> Any:
    """The first non-blank of ``attrs`` per row (null: none)."""
    import polars as pl

    if not attrs:
        return pl.Series([None] * len(frame), dtype=pl.String)
    return frame.select(pl.coalesce([pl.when(pl.col(a).str.strip_chars() != "").then(pl.col(a)) for a in attrs])).to_series()


class Prepared:
    """A collection parsed and checked, before it joins the vertex index: what :func:`prepare` can do
    without the vertices (so it runs while the previous collection is being placed)."""

    def __init__(self, files: list[Path], samples: list[dict[str, Any]], frame: Any) -> None:
        self.files, self.samples, self.frame = files, samples, frame
        self.ids: Any = None  # documents: the ids as a Series, as a list, and the display names
        self.id_list: list[str] = []
        self.names: Any = None  # a polars Series
        self.rows: dict[str, int] = {}  # documents: sampled key -> row
        self.hashes: tuple[np.ndarray, ...] = ()  # edges: both hashes of _from, then of _to


def prepare(coll_name: str, ctype: str, files: list[Path]) -> Prepared | None:
    """Parse and check the collection's files (polars); None when unsure. Touches no shared state:
    safe in another thread while the vertex index grows."""
    try:
        return _prepare_documents(coll_name, files) if ctype == "document" else _prepare_edges(files)
    except _Unsure:
        return None


def _prepare_documents(coll_name: str, files: list[Path]) -> Prepared:
    import polars as pl

    with _Files(files) as opened:
        samples = opened.sample()
        first, rest = _name_columns(opened, samples)
        frame = opened.parse(["_key", *first, *opened.optional("data")])
        opened.check_envelopes(frame)
        _check_keys(frame["_key"])
        names = _coalesced(frame, first)
        if rest and names.null_count():  # documents without the first names: the others, in order
            names = pl.DataFrame({"first": names, "rest": _coalesced(opened.parse(rest), rest)}).select(
                pl.coalesce("first", "rest")).to_series()
    out = Prepared(files, samples, frame)
    out.ids = frame.select(pl.concat_str([pl.lit(coll_name + "/"), pl.col("_key")])).to_series()
    out.id_list, out.names = out.ids.to_list(), names
    wanted = [doc["_key"] for doc in samples if type(doc.get("_key")) is str]
    out.rows = dict(frame.with_row_index("row").filter(pl.col("_key").is_in(wanted)).select("_key", "row").iter_rows())
    return out


def _prepare_edges(files: list[Path]) -> Prepared:
    import polars as pl

    with _Files(files) as opened:
        samples = opened.sample()
        hashes = [pl.col(end).hash(seed).alias(f"{end}{seed}") for end in ("_from", "_to") for seed in (_SEED, _CHECK_SEED)]
        frame = opened.parse(["_from", "_to", *opened.optional("_key", "_id", "data")], tuple(hashes))
        opened.check_envelopes(frame)
    if "_key" in frame.columns and frame["_key"].null_count() < len(frame):
        _check_keys(frame["_key"])  # keyed: all of them, each once (mixed: the strict reader decides)
    elif "_id" in frame.columns and frame["_id"].null_count() < len(frame):
        raise _Unsure  # keyed by _id: the strict reader's rules
    if frame["_from"].null_count() or frame["_to"].null_count():
        raise _Unsure
    out = Prepared(files, samples, frame.select("_from", "_to"))
    out.hashes = tuple(frame[h.meta.output_name()].to_numpy() for h in hashes)
    return out


def place(coll: Collection, prepared: Prepared, vertices: VertexIndex,
          advance: Callable[[int], None] | None = None) -> bool:
    """A prepared collection into ``vertices`` and ``coll``: documents as vertices, edges as index
    arrays with ends unknown so far added in order of first appearance (as the strict reader does);
    False (nothing changed) when unsure."""
    import polars as pl

    if coll.type == "document":
        known = pl.concat([_known(vertices), prepared.ids])
        coll.start = len(vertices.ids)
        vertices.extend(prepared.id_list, prepared.names)
        vertices.series = known  # the edges' reader matches ends against it
        coll.stop = len(vertices.ids)
        coll.count = coll.stop - coll.start
        vertices.parts[coll.name] = (coll.start, coll.stop)
        rows = prepared.rows
        coll.sample.items = sorted(((rows[doc["_key"]], doc) for doc in prepared.samples if doc.get("_key") in rows),
                                   key=lambda item: item[0])
    else:
        try:
            src, dst, extra = _map_ends(prepared.frame["_from"], prepared.frame["_to"], prepared.hashes, vertices, prepared.samples)
        except _Unsure:
            return False
        vertices.extend(extra, None)
        coll.src, coll.dst = src, dst
        coll.count = len(src)
        coll.sample.items = [(-1, doc) for doc in prepared.samples]
    _advance(advance, prepared.files)
    return True


def _advance(advance: Callable[[int], None] | None, files: list[Path]) -> None:
    if advance is not None:  # the read is done: its bytes as the total counted them
        for path in files:
            advance(input_bytes(path))


def _table(vertices: VertexIndex, known: Any, part: tuple[int, int] | None = None) -> "_HashIndex":
    """The hash table of the known ids (``part``: of ``known[start:stop]``, one collection's), built
    once: the full one while no id is added, a collection's for good (its ids never change)."""
    if part is None:
        if vertices.table is None or vertices.table[0] != len(known):
            vertices.table = (len(known), _HashIndex(known.hash(_SEED).to_numpy(), known.hash(_CHECK_SEED).to_numpy()))
        return vertices.table[1]
    index = vertices.tables.get(part)
    if index is None:
        ids = known.slice(part[0], part[1] - part[0])
        index = vertices.tables[part] = _HashIndex(ids.hash(_SEED).to_numpy(), ids.hash(_CHECK_SEED).to_numpy())
    return index


def _target(samples: list[dict[str, Any]], end: str, vertices: VertexIndex, known: int) -> tuple[int, int] | None:
    """The range of the one document collection every sampled ``end`` names, when it holds at most
    half the known ids: its own table is smaller, so more of it stays in the caches (at 10M edges
    the ``_to`` of an edge into 150k of 1.2M ids is found in 0.22 s instead of 0.39 s)."""
    named = {doc[end].partition("/")[0] for doc in samples if type(doc.get(end)) is str}
    part = vertices.parts.get(named.pop()) if len(named) == 1 else None
    return part if part is not None and 2 * (part[1] - part[0]) <= known else None


def _find(vertices: VertexIndex, known: Any, target: tuple[int, int] | None, hashes: tuple[np.ndarray, ...]) -> np.ndarray:
    """Positions in ``known`` of the ids with these ``hashes`` (-1: not known): in the ``target``
    collection's table first, then the rest in the full one. A hit in the smaller table is the
    full table's answer too, since the full table holds no two ids with one hash."""
    full = _table(vertices, known)
    if target is None:
        return full.find(*hashes)
    out = _table(vertices, known, target).find(*hashes)
    missed = np.flatnonzero(out < 0)
    out[out >= 0] += target[0]
    if missed.size:
        out[missed] = full.find(hashes[0][missed], hashes[1][missed])
    return out


def _map_ends(f: Any, t: Any, hashes: tuple[np.ndarray, ...], vertices: VertexIndex,
              samples: list[dict[str, Any]] = ()) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Both ends as vertex indices, ids not yet known appended after the known ones in order of
    first appearance (row by row, ``_from`` before ``_to``).

    Ids are matched by a 64-bit hash (:class:`_HashIndex`; ``hashes``: both hashes of ``f``, then of
    ``t``) and every match is confirmed by a second, independently seeded hash; known ids that
    share a hash, or a match the second hash contradicts, leave the collection to the strict reader."""
    import polars as pl

    known = _known(vertices)
    targets = [_target(list(samples), end, vertices, len(known)) for end in ("_from", "_to")]
    for part in (None, *targets):  # built before the threads, each once
        _table(vertices, known, part)
    with ThreadPoolExecutor(1) as pool:  # numpy's gathers let go of the interpreter lock: both ends at once
        later = pool.submit(_find, vertices, known, targets[1], hashes[2:])
        src, dst = _find(vertices, known, targets[0], hashes[:2]), later.result()
    s_missing, d_missing = np.flatnonzero(src < 0), np.flatnonzero(dst < 0)
    if not (s_missing.size or d_missing.size):
        return src, dst, []
    missing = pl.DataFrame({
        "at": np.concatenate([s_missing * 2, d_missing * 2 + 1]),
        "id": pl.concat([f.gather(s_missing), t.gather(d_missing)]),
    }).sort("at")
    new = missing["id"].unique(maintain_order=True)
    ok = new.str.contains("/", literal=True) & ~new.str.starts_with("{") & ~new.str.starts_with("[")
    if not ok.all():
        raise _Unsure  # not an id, perhaps a coerced object
    more = pl.Series(np.arange(len(known), len(known) + len(new), dtype=np.int64))
    src[s_missing] = f.gather(s_missing).replace_strict(new, more, return_dtype=pl.Int64).to_numpy()
    dst[d_missing] = t.gather(d_missing).replace_strict(new, more, return_dtype=pl.Int64).to_numpy()
    return src, dst, new.to_list()


class _HashIndex:
    """64-bit hashes -> their position, as an open-addressing table in numpy: a slot (chosen by a
    hash's top bits) holds position + 1 of a key (0: empty); linear probing, at most a third full, so
    a query costs about one gather in the table and one in the keys, and only the few that land on
    another key probe on, for at most ``_MAX_PROBES`` slots (longer: unsure), into room past the
    table's end (a probe never wraps). Each match is confirmed by a second, independent hash.
    Queries go in chunks, so numpy's temporaries stay in the caches instead of on fresh pages (at
    10M edges that takes a third off). Measured per column of ends: ~20 ms at 1M edges (800k ends,
    120k ids), ~0.35 s at 10M (8M ends, 1.2M ids)."""

    def __init__(self, keys: np.ndarray, confirm: np.ndarray) -> None:
        self.keys, self.confirm = keys, confirm
        bits = max(1, (3 * len(keys) - 1).bit_length())
        self.shift = np.uint64(64 - bits)
        self.table = np.zeros((1 << bits) + 2 * _MAX_PROBES + 1, dtype=np.int32 if len(keys) < 2**31 - 1 else np.int64)
        for start in range(0, len(keys), _QUERY_CHUNK):  # in chunks: see find
            self._insert(keys, np.arange(start, min(start + _QUERY_CHUNK, len(keys)), dtype=np.intp))

    def _insert(self, keys: np.ndarray, pending: np.ndarray) -> None:
        pos = (keys[pending] >> self.shift).astype(np.intp)
        for _ in range(2 * _MAX_PROBES):
            if not pending.size:
                return
            taken = self.table[pos] > 0
            if (keys[self.table[pos[taken]] - 1] == keys[pending[taken]]).any():
                raise _Unsure  # two known ids with one hash: the strict reader compares strings
            at, mine = pos[~taken], pending[~taken] + 1
            self.table[at] = mine  # several claims of one slot: the last write wins
            won = self.table[at] == mine
            rest = np.ones(len(pending), dtype=bool)
            rest[np.flatnonzero(~taken)[won]] = False
            # a taken slot: on to the next; a lost claim stays, to meet the winner (equal or not)
            pending, pos = pending[rest], pos[rest] + taken[rest]
        raise _Unsure  # a run this long means crafted hashes: the strict reader's dict has no such case

    def find(self, queries: np.ndarray, confirm: np.ndarray) -> np.ndarray:
        """The position of each query (``confirm``: its second hash), -1 where it is not in the table."""
        out = np.full(len(queries), -1, dtype=np.int64)
        if len(self.keys):
            for start in range(0, len(queries), _QUERY_CHUNK):
                part = slice(start, start + _QUERY_CHUNK)
                out[part] = self._find(queries[part], confirm[part])
        return out

    def _find(self, queries: np.ndarray, confirm: np.ndarray) -> np.ndarray:
        out = np.full(len(queries), -1, dtype=np.int64)
        todo = np.arange(len(queries), dtype=np.intp)
        pos = (queries >> self.shift).astype(np.intp)
        for _ in range(_MAX_PROBES + 1):
            at = self.table[pos].astype(np.intp) - 1  # -1: an empty slot, which ends the probe
            full = at >= 0
            hit = full & (self.keys[at] == queries[todo])  # keys[-1] where empty: masked
            out[todo[hit]] = at[hit]
            more = full & ~hit
            todo, pos = todo[more], pos[more] + 1
            if not todo.size:
                break
        else:
            raise _Unsure
        if not ((self.confirm[out] == confirm) | (out < 0)).all():  # confirm[-1] where not found: masked
            raise _Unsure  # a hash collision: the strict reader compares strings
        return out
