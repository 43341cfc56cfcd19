"""Graphs from local files (arangodump directories, JSON Lines) or networkx, held in columns.

The files are read once (see :mod:`.columns`): vertex ids become integers, edges index arrays;
graphs handed to engines are built from those arrays once per collection set and shared.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import orjson

from ..concurrency import CPU_LANE, Once
from ..offload import run_sized
from ..models import DegreeStats, EdgeDefinition
from ..progress import progress_payload, report_progress
from . import frames
from .base import CollectionMeta, GraphData, StoreError, VertexValues
from .columns import (
    NAME_ATTRIBUTES,
    Collection,
    VertexIndex,
    attribute_column,
    available_memory,
    check_regular,
    documents,
    estimate_bytes,
    input_bytes,
    looks_like_edge,
)

__all__ = ["LocalGraphStore", "NAME_ATTRIBUTES", "check_collection_name", "degree_summary", "degrees_of", "safe_part"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_DUMP_DATA = r"^{name}(_[0-9a-f]{{32}})?\.data\.json(\.gz)?$"
_COLLECTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,255}$")
OWN_PREFIXES = ("ga_results_", "ga_catalog")  # what graph_agents writes is never the user's graph
PROGRESS_BYTES = 64 * 2**20  # inputs at least this large show a progress bar on a terminal


def safe_part(text: str) -> str:
    """A string usable as one path component: no separators, no '..'."""
    cleaned = re.sub(r"\.{2,}", ".", _SAFE.sub("_", text)).strip(".") or "_"
    return cleaned[:120]


def degrees_of(ends: Iterable[tuple[str, str]]) -> DegreeStats:
    """Degree statistics (in + out) from the (from, to) ids of edges (a store that streams ids)."""
    counts: Counter[str] = Counter()
    for s, t in ends:
        counts[s] += 1
        counts[t] += 1
    return degree_summary(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))


def degree_summary(degrees: np.ndarray) -> DegreeStats:
    if degrees.size == 0:
        return DegreeStats()
    return DegreeStats(
        mean=round(float(degrees.mean()), 3),
        median=float(np.median(degrees)),
        max=int(degrees.max()),
        p99=round(float(np.quantile(degrees, 0.99)), 3),
    )


class LocalGraphStore:
    """An in-memory graph in ArangoDB's document conventions, in columns; results go to files of
    columns (one JSON object of arrays per run and template)."""

    kind = "local"

    def __init__(
        self,
        columns: dict[str, Collection],
        vertices: VertexIndex,
        *,
        results_dir: Path | str = Path(".graph_agents") / "results",
        graph_name: str | None = None,
        edge_definitions: list[EdgeDefinition] | None = None,
        source: str | None = None,
    ) -> None:
        self.columns = columns
        self.vertices = vertices
        self.results_dir = Path(results_dir)
        self.graph_name = graph_name
        self.edge_definitions = edge_definitions or []
        self.source = source
        self._attributes: dict[tuple[str, str], list[Any]] = {}
        self._graphs = Once()  # one graph per collection set, shared by every caller

    @property
    def types(self) -> dict[str, str]:
        return {name: c.type for name, c in self.columns.items()}

    @property
    def collections(self) -> dict[str, list[dict[str, Any]]]:
        """Every document as a dict, read again from the source: for small graphs only (copying a
        store into another one, tests)."""
        out = {}
        for name, coll in self.columns.items():
            docs = []
            for row, (_, _, doc) in enumerate(coll.source()):
                if coll.type == "document":
                    vid = self.vertices.ids[coll.start + row]
                    doc = {**doc, "_key": vid.split("/", 1)[1], "_id": vid}
                docs.append(doc)
            out[name] = docs
        return out

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_directory(
        cls, path: Path | str, *, results_dir: Path | str | None = None, graph_name: str | None = None,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> "LocalGraphStore":
        """Read an arangodump directory or a directory of ``<collection>.jsonl`` files;
        ``on_progress`` hears how a large input's read goes (see ``_progress``).

        Refuses, before reading, a graph whose estimated memory (from the file sizes) exceeds the
        budget (``GRAPH_AGENTS_MEMORY_MB``, default 80% of the available memory)."""
        root = Path(path)
        if not root.is_dir():
            raise StoreError(f"data directory not found: {root}")
        dump = any(root.glob("*.structure.json"))
        plan, graphs = _plan_dump(root) if dump else (_plan_jsonl(root), {})
        graph_file = root / "graph.json"
        if graph_file.exists():
            spec = _load_json(graph_file)
            if not isinstance(spec, dict) or not isinstance(spec.get("edge_definitions"), list):
                raise StoreError(f"{graph_file}: expected an object with 'name' and a list 'edge_definitions'")
            graphs[str(spec.get("name") or "graph")] = spec["edge_definitions"]
        if not plan:
            raise StoreError(f"no collections found in {root} (expected *.structure.json or *.jsonl)")
        _check_budget(root, [f for _, _, files in plan for f in files])
        name, defs = _pick_graph(graphs, graph_name, root)
        columns, vertices = _read(plan, on_progress)
        return cls(
            columns,
            vertices,
            results_dir=results_dir or Path(".graph_agents") / "results",
            graph_name=name,
            edge_definitions=[_edge_def(d, root) for d in defs],
            source=str(root.resolve()),
        )

    @classmethod
    def from_networkx(
        cls,
        G: Any,
        *,
        vertex_collection: str = "nodes",
        edge_collection: str = "edges",
        collection_attribute: str | None = None,
        results_dir: Path | str | None = None,
    ) -> "LocalGraphStore":
        """A store from a networkx graph. Node ids of the form ``collection/key`` keep their
        collection; otherwise ``collection_attribute`` (a node attribute) or ``vertex_collection``
        names it. Node and edge attributes become document attributes."""
        collections: dict[str, list[dict[str, Any]]] = {}
        ids: dict[Any, str] = {}
        for node, attrs in G.nodes(data=True):
            text = str(node)
            if "/" in text:
                coll, key = text.split("/", 1)
            else:
                coll = str(attrs.get(collection_attribute, vertex_collection)) if collection_attribute else vertex_collection
                key = text
            coll, key = safe_part(coll), safe_part(key)
            ids[node] = f"{coll}/{key}"
            collections.setdefault(coll, []).append({**_plain(attrs), "_key": key})
        edges = [{**_plain(attrs), "_key": str(i), "_from": ids[u], "_to": ids[v]} for i, (u, v, attrs) in enumerate(G.edges(data=True))]
        plan = [(c, "document", docs) for c, docs in collections.items()]
        if edges:
            plan.append((edge_collection, "edge", edges))
        if not plan:
            raise StoreError("the networkx graph is empty")
        vertices = VertexIndex()
        columns: dict[str, Collection] = {}
        for name, ctype, docs in plan:
            origin = f"networkx:{name}"
            coll = columns[name] = Collection(
                name, ctype, source=lambda docs=docs, origin=origin: ((origin, i, d) for i, d in enumerate(docs, 1))
            )
            (vertices.add_documents if ctype == "document" else vertices.add_edges)(coll, coll.source())
        return cls(
            columns,
            vertices,
            results_dir=results_dir or Path(".graph_agents") / "results",
            source=f"networkx:{type(G).__name__}",
        )

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "graph_name": self.graph_name}

    # -- GraphStore ---------------------------------------------------------------------------

    async def list_collections(self) -> list[CollectionMeta]:
        return [CollectionMeta(n, self.columns[n].type, self.columns[n].count) for n in sorted(self._scope())]

    async def named_graph(self) -> tuple[str | None, list[EdgeDefinition]]:
        return self.graph_name, list(self.edge_definitions)

    async def sample(self, collection: str, limit: int) -> list[dict[str, Any]]:
        coll = self._collection(collection)
        if coll.type != "document":
            return [doc for _, doc in coll.sample.take(limit)]
        ids = self.vertices.ids  # keys and ids as the store knows them, whatever the file said
        return [{**doc, "_key": ids[coll.start + row].split("/", 1)[1], "_id": ids[coll.start + row]}
                for row, doc in coll.sample.take(limit)]

    async def degree_stats(self, edge_collections: list[str]) -> DegreeStats:
        ends = [a for name in edge_collections for a in (self._collection(name).src, self._collection(name).dst)]
        if not ends:
            return DegreeStats()
        counts = np.bincount(np.concatenate(ends), minlength=len(self.vertices.ids))
        return degree_summary(counts[counts > 0])

    async def load_graph(
        self,
        vertex_collections: list[str],
        edge_collections: list[str],
        attributes: tuple[str, ...] = (),
    ) -> GraphData:
        key = (tuple(vertex_collections), tuple(edge_collections))
        base = await self._graphs.get(key, lambda: asyncio.to_thread(CPU_LANE.run, self._load_graph, *key))
        if not attributes:
            return base
        values = await asyncio.to_thread(CPU_LANE.run, lambda: {a: self._attribute(vertex_collections, a) for a in attributes})
        return GraphData(ids=base.ids, edges=base.edges, attributes=values)

    def _load_graph(self, vertex_collections: Iterable[str], edge_collections: Iterable[str]) -> GraphData:
        colls = [self._collection(n) for n in vertex_collections]
        edge_colls = [self._collection(n) for n in edge_collections]
        local = np.full(len(self.vertices.ids), -1, dtype=np.int64)  # global vertex index -> graph's
        ids: list[str] = []
        for c in colls:
            if c.type == "document":
                local[c.start : c.stop] = np.arange(len(ids), len(ids) + c.count)
                ids.extend(self.vertices.ids[c.start : c.stop])
        if edge_colls:
            s = local[np.concatenate([c.src for c in edge_colls])]
            t = local[np.concatenate([c.dst for c in edge_colls])]
            keep = (s >= 0) & (t >= 0)  # dangling edges and out-of-scope ends drop out
            edges = np.stack([s[keep], t[keep]], axis=1)
        else:
            edges = np.empty((0, 2), dtype=np.int64)
        return GraphData(ids=ids, edges=edges)

    def _attribute(self, vertex_collections: list[str], attribute: str) -> list[Any]:
        out: list[Any] = []
        for name in vertex_collections:
            coll = self._collection(name)
            if coll.type != "document":
                continue
            if (name, attribute) not in self._attributes:
                self._attributes[(name, attribute)] = attribute_column(coll, attribute)
            out.extend(self._attributes[(name, attribute)])
        return out

    async def write_results(
        self, run_id: str, template_id: str, result_field: str, values: Mapping[str, Any]
    ) -> str:
        target = self.results_dir / safe_part(run_id) / f"{safe_part(template_id)}.json"

        def write() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(VertexValues.of(values).to_json(result_field))
            tmp.replace(target)  # a crash mid-write never leaves a half file under the real name

        await asyncio.to_thread(CPU_LANE.run, write)  # serialising a million ids is CPU work too
        return str(target)

    async def read_results(self, location: str) -> VertexValues:
        def read() -> VertexValues:
            try:
                return VertexValues.from_json(Path(location).read_bytes())
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreError(f"{location}: not a readable result file ({exc})") from None

        return await asyncio.to_thread(CPU_LANE.run, read)

    async def display_names(self, ids: list[str]) -> dict[str, str]:
        # the id index is built on first use: at 10M edges 0.3 s of Python, off the event loop
        unindexed = len(self.vertices.ids) - self.vertices._indexed
        index = await run_sized(unindexed, lambda: self.vertices.index)
        documents = self.vertices.documents
        out = {}
        for vid in ids:
            i = index.get(vid)
            if i is not None and i < documents and (name := self.vertices.name(i)) is not None:
                out[vid] = name
        return out

    # -- helpers ------------------------------------------------------------------------------

    def _collection(self, name: str) -> Collection:
        try:
            return self.columns[name]
        except KeyError:
            raise StoreError(f"unknown collection {name!r}") from None

    def _scope(self) -> set[str]:
        if not self.edge_definitions:
            return set(self.columns)
        scoped = set()
        for d in self.edge_definitions:
            scoped.add(d.collection)
            scoped.update(d.from_collections)
            scoped.update(d.to_collections)
        return {c for c in scoped if c in self.columns}


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in attrs.items() if isinstance(v, (str, int, float, bool)) or v is None}


MAX_JSON_FILE = 64 * 2**20  # graph.json, *.structure.json: metadata, never this large


def _load_json(path: Path) -> Any:
    check_regular(path)
    try:
        if path.stat().st_size > MAX_JSON_FILE:
            raise StoreError(f"{path}: larger than {MAX_JSON_FILE // 2**20} MiB")
        return orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except (OSError, orjson.JSONDecodeError) as exc:
        raise StoreError(f"{path}: not readable as JSON ({exc})") from None


def check_collection_name(name: str, where: Path | str) -> str:
    """ArangoDB's traditional collection naming: nothing that could act as a path or a query."""
    if not isinstance(name, str) or not _COLLECTION_NAME.match(name):
        raise StoreError(
            f"{where}: invalid collection name {name!r} (letters, digits, '_' and '-', starting with a letter)"
        )
    return name


# (collection, "document" | "edge", files): what to read, in order
Plan = list[tuple[str, str, list[Path]]]


def _first_document(files: list[Path]) -> dict[str, Any] | None:
    for path in files:
        for _, _, doc in documents(path):
            return doc
    return None


def _plan_dump(root: Path) -> tuple[Plan, dict[str, list]]:
    plan: Plan = []
    graphs: dict[str, list] = {}
    entries = sorted(root.iterdir())
    for structure in sorted(root.glob("*.structure.json")):
        spec = _load_json(structure)
        params = spec.get("parameters") if isinstance(spec, dict) else None
        name, ctype = (params.get("name"), params.get("type")) if isinstance(params, dict) else (None, None)
        if not isinstance(name, str) or ctype not in (2, 3) or type(ctype) is not int:
            raise StoreError(f"{structure}: expected parameters.name and parameters.type 2 or 3 (an object)")
        if name.startswith("_") and name != "_graphs":
            continue  # system collections are not the user's graph
        if name.startswith(OWN_PREFIXES):
            continue
        if name != "_graphs":
            check_collection_name(name, structure)
        pattern = re.compile(_DUMP_DATA.format(name=re.escape(name)))
        files = [p for p in entries if pattern.match(p.name)]
        if name == "_graphs":
            for path in files:
                for _, number, doc in documents(path):
                    key, defs = doc.get("_key"), doc.get("edgeDefinitions", [])
                    if not isinstance(key, str) or not isinstance(defs, list):
                        raise StoreError(f"{path}:{number}: a named graph needs a string _key and a list edgeDefinitions")
                    graphs[key] = defs
            continue
        first = _first_document(files)
        if ctype == 2 and first is not None and looks_like_edge(first):
            raise StoreError(
                f"{structure}: type 2 (document collection) but its documents carry _from and _to; "
                "an edge collection has type 3"
            )
        plan.append((name, "edge" if ctype == 3 else "document", files))
    return plan, graphs


def _plan_jsonl(root: Path) -> Plan:
    plan: Plan = []
    for path in sorted([*root.glob("*.jsonl"), *root.glob("*.jsonl.gz")]):
        name = path.name.split(".jsonl")[0]
        if name.startswith("_") or name.startswith(OWN_PREFIXES):
            continue
        check_collection_name(name, path)
        first = _first_document([path])
        # an edge file's first document has both ends; every edge then must have them
        plan.append((name, "edge" if first is not None and looks_like_edge(first) else "document", [path]))
    return plan


def _check_budget(root: Path, files: list[Path]) -> None:
    for f in files:
        check_regular(f)
    need, budget = estimate_bytes(files), available_memory()
    if need > budget:
        raise StoreError(
            f"{root}: this graph needs about {need / 2**30:.1f} GiB of memory (estimated from its file sizes), "
            f"more than the {budget / 2**30:.1f} GiB budget; set GRAPH_AGENTS_MEMORY_MB to change the budget"
        )


def _read(plan: Plan, on_progress: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Collection], VertexIndex]:
    """Document collections first (their keys become vertex indices), then edges."""
    vertices = VertexIndex()
    columns: dict[str, Collection] = {}
    ordered = [p for p in plan if p[1] == "document"] + [p for p in plan if p[1] == "edge"]
    total = sum(input_bytes(f) for _, _, files in plan for f in files)
    fast = total >= frames.FAST_MIN_BYTES  # a whole graph: once polars is imported, every collection gains
    with _progress(total, on_progress) as advance, ThreadPoolExecutor(1) as ahead:
        # polars parses the next collection (without the lock) while this one joins the vertex index
        coming = [ahead.submit(frames.prepare, name, ctype, files) for name, ctype, files in ordered[:1]] if fast else []
        for i, (name, ctype, files) in enumerate(ordered):
            advance.phase = name
            def source(files: list[Path] = files, advance: Any = None) -> Any:
                for path in files:
                    yield from documents(path, advance)

            coll = columns[name] = Collection(name, ctype, source=source)
            prepared = coming.pop(0).result() if fast else None
            if fast and i + 1 < len(ordered):
                coming.append(ahead.submit(frames.prepare, *ordered[i + 1]))
            if not (prepared is not None and frames.place(coll, prepared, vertices, advance)):
                # unsure: the strict reader names file:line
                (vertices.add_documents if ctype == "document" else vertices.add_edges)(coll, source(advance=advance))
    return columns, vertices


class _progress:
    """Progress of a large input (at least ``PROGRESS_BYTES``), by bytes read: a rich bar on stderr
    when it is a terminal (the CLI reads its graph before the run starts), and the progress events
    of :func:`graph_agents.progress.report_progress` (task ``load-graph``, in bytes) to
    ``on_progress`` and, when the read runs inside a LangGraph node, to the run's custom stream."""

    def __init__(self, total: int, on_progress: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.total, self.done, self.phase = total, 0, ""
        self.bar: Any = None
        self.on_progress = on_progress if total >= PROGRESS_BYTES else None

    def __enter__(self) -> "_progress":
        if self.total >= PROGRESS_BYTES and sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

            self.bar = Progress("loading graph", BarColumn(), DownloadColumn(), TimeRemainingColumn(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("load", total=self.total)
        return self

    def __call__(self, size: int) -> None:
        self.done += size
        if self.bar is not None:
            self.bar.advance(self.task, size)
        if self.total < PROGRESS_BYTES:
            return
        done, label = min(self.done, self.total), f"loading {self.phase}"
        if self.on_progress is not None:
            self.on_progress(progress_payload("load-graph", done, self.total, label=label, unit="bytes"))
        report_progress("load-graph", done, self.total, label=label, unit="bytes")

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()


def _pick_graph(graphs: dict[str, list], wanted: str | None, root: Path) -> tuple[str | None, list]:
    if wanted:
        if wanted not in graphs:
            raise StoreError(f"named graph {wanted!r} not found in {root}; found: {sorted(graphs) or 'none'}")
        return wanted, graphs[wanted]
    if len(graphs) == 1:
        return next(iter(graphs.items()))
    return None, []  # several graphs and none chosen: analyse every collection


def _names(value: Any) -> list[str]:
    """A list of collection names; one name given as a string is a list of one."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise TypeError(value)


def _edge_def(raw: Any, root: Path) -> EdgeDefinition:
    try:
        if not isinstance(raw, dict) or not isinstance(raw["collection"], str):
            raise TypeError(raw)
        return EdgeDefinition(collection=raw["collection"], from_collections=_names(raw["from"]), to_collections=_names(raw["to"]))
    except (KeyError, TypeError, ValueError):
        raise StoreError(f"{root}: bad edge definition {raw!r} (need collection, from, to: names or lists of names)") from None
