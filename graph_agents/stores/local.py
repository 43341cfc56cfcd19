"""Graphs from local files (arangodump directories, JSON Lines) or networkx, held in memory."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from ..concurrency import Once
from ..models import DegreeStats, EdgeDefinition
from .base import CollectionMeta, GraphData, StoreError

NAME_ATTRIBUTES = ("name", "title", "display_name", "full_name", "label", "username", "fingerprint")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_DUMP_DATA = r"^{name}(_[0-9a-f]{{32}})?\.data\.json(\.gz)?$"
_COLLECTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,255}$")


def safe_part(text: str) -> str:
    """A string usable as one path component: no separators, no '..'."""
    cleaned = re.sub(r"\.{2,}", ".", _SAFE.sub("_", text)).strip(".") or "_"
    return cleaned[:120]


def degrees_of(ends: Iterable[tuple[str, str]]) -> DegreeStats:
    """Degree statistics (in + out) from the (from, to) ends of edges."""
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
    """An in-memory graph in ArangoDB's document conventions; results go to JSON Lines files."""

    kind = "local"

    def __init__(
        self,
        collections: dict[str, list[dict[str, Any]]],
        types: dict[str, str],
        *,
        results_dir: Path | str = Path(".graph_agents") / "results",
        graph_name: str | None = None,
        edge_definitions: list[EdgeDefinition] | None = None,
        source: str | None = None,
    ) -> None:
        self.collections = collections
        self.types = types
        self.results_dir = Path(results_dir)
        self.graph_name = graph_name
        self.edge_definitions = edge_definitions or []
        self.source = source
        self._names: dict[str, str] | None = None
        self._degrees = Once()  # the collections are read once and never change: their degrees neither

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_directory(
        cls, path: Path | str, *, results_dir: Path | str | None = None, graph_name: str | None = None
    ) -> "LocalGraphStore":
        """Read an arangodump directory or a directory of ``<collection>.jsonl`` files."""
        root = Path(path)
        if not root.is_dir():
            raise StoreError(f"data directory not found: {root}")
        if any(root.glob("*.structure.json")):
            collections, types, graphs = _read_dump(root)
        else:
            collections, types = _read_jsonl_dir(root)
            graphs = {}
        graph_file = root / "graph.json"
        if graph_file.exists():
            spec = _load_json(graph_file)
            if not isinstance(spec, dict) or "edge_definitions" not in spec:
                raise StoreError(f"{graph_file}: expected an object with 'name' and 'edge_definitions'")
            graphs[str(spec.get("name") or "graph")] = spec["edge_definitions"]
        if not collections:
            raise StoreError(f"no collections found in {root} (expected *.structure.json or *.jsonl)")
        name, defs = _pick_graph(graphs, graph_name, root)
        return cls(
            collections,
            types,
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
            collections.setdefault(coll, []).append({**_plain(attrs), "_key": key, "_id": ids[node]})
        edges = []
        for i, (u, v, attrs) in enumerate(G.edges(data=True)):
            edges.append({**_plain(attrs), "_key": str(i), "_id": f"{edge_collection}/{i}", "_from": ids[u], "_to": ids[v]})
        types = {c: "document" for c in collections}
        if edges:
            collections[edge_collection] = edges
            types[edge_collection] = "edge"
        if not collections:
            raise StoreError("the networkx graph is empty")
        return cls(
            collections,
            types,
            results_dir=results_dir or Path(".graph_agents") / "results",
            source=f"networkx:{type(G).__name__}",
        )

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "graph_name": self.graph_name}

    # -- GraphStore ---------------------------------------------------------------------------

    async def list_collections(self) -> list[CollectionMeta]:
        scoped = self._scope()
        return [CollectionMeta(n, self.types[n], len(self.collections[n])) for n in sorted(scoped)]

    async def named_graph(self) -> tuple[str | None, list[EdgeDefinition]]:
        return self.graph_name, list(self.edge_definitions)

    async def sample(self, collection: str, limit: int) -> list[dict[str, Any]]:
        docs = self._docs(collection)
        if len(docs) <= limit:
            return list(docs)
        step = len(docs) / limit  # evenly spread: the head of a file is rarely representative
        return [docs[int(i * step)] for i in range(limit)]

    async def degree_stats(self, edge_collections: list[str]) -> DegreeStats:
        def count() -> DegreeStats:
            return degrees_of((e["_from"], e["_to"]) for name in edge_collections for e in self._docs(name))

        return await self._degrees.get(tuple(edge_collections), lambda: asyncio.to_thread(count))

    async def load_graph(
        self,
        vertex_collections: list[str],
        edge_collections: list[str],
        attributes: tuple[str, ...] = (),
    ) -> GraphData:
        return await asyncio.to_thread(self._load_graph, vertex_collections, edge_collections, attributes)

    def _load_graph(
        self, vertex_collections: list[str], edge_collections: list[str], attributes: tuple[str, ...]
    ) -> GraphData:
        ids: list[str] = []
        attrs: dict[str, list[Any]] = {a: [] for a in attributes}
        for name in vertex_collections:
            for doc in self._docs(name):
                ids.append(doc["_id"])
                for a in attributes:
                    attrs[a].append(doc.get(a))
        index = {v: i for i, v in enumerate(ids)}
        edges = []
        for name in edge_collections:
            for e in self._docs(name):
                s, t = index.get(e["_from"]), index.get(e["_to"])
                if s is not None and t is not None:  # dangling edges and out-of-scope ends drop out
                    edges.append((s, t))
        return GraphData(ids=ids, edges=edges, attributes=attrs)

    async def write_results(
        self, run_id: str, template_id: str, result_field: str, values: dict[str, Any]
    ) -> str:
        target = self.results_dir / safe_part(run_id) / f"{safe_part(template_id)}.jsonl"

        def write() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                for vid, value in values.items():
                    fh.write(json.dumps({"_id": vid, result_field: value}) + "\n")
            tmp.replace(target)  # a crash mid-write never leaves a half file under the real name

        await asyncio.to_thread(write)
        return str(target)

    async def read_results(self, location: str) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            out: dict[str, Any] = {}
            with open(location, encoding="utf-8") as fh:
                for line in fh:
                    doc = json.loads(line)
                    vid = doc.pop("_id")
                    out[vid] = next(iter(doc.values()), None)
            return out

        return await asyncio.to_thread(read)

    async def display_names(self, ids: list[str]) -> dict[str, str]:
        if self._names is None:
            names = {}
            for coll, docs in self.collections.items():
                if self.types.get(coll) != "document":
                    continue
                for doc in docs:
                    for attr in NAME_ATTRIBUTES:
                        if isinstance(doc.get(attr), (str, int)) and str(doc[attr]).strip():
                            names[doc["_id"]] = str(doc[attr])
                            break
            self._names = names
        return {i: self._names[i] for i in ids if i in self._names}

    # -- helpers ------------------------------------------------------------------------------

    def _docs(self, collection: str) -> list[dict[str, Any]]:
        try:
            return self.collections[collection]
        except KeyError:
            raise StoreError(f"unknown collection {collection!r}") from None

    def _scope(self) -> set[str]:
        if not self.edge_definitions:
            return set(self.collections)
        scoped = set()
        for d in self.edge_definitions:
            scoped.add(d.collection)
            scoped.update(d.from_collections)
            scoped.update(d.to_collections)
        return {c for c in scoped if c in self.collections}


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in attrs.items() if isinstance(v, (str, int, float, bool)) or v is None}


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: not readable as JSON ({exc})") from None


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            for number, line in enumerate(fh, 1):
                if line.strip():
                    yield number, line
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise StoreError(f"{path}: cannot read ({exc})") from None


def check_collection_name(name: str, where: Path | str) -> str:
    """ArangoDB's traditional collection naming: nothing that could act as a path or a query."""
    if not _COLLECTION_NAME.match(name):
        raise StoreError(
            f"{where}: invalid collection name {name!r} (letters, digits, '_' and '-', starting with a letter)"
        )
    return name


def _read_documents(path: Path, collection: str, edge: bool | None = None) -> list[dict[str, Any]]:
    """Documents of one collection file; ``edge`` True/False checks ``_from``/``_to``."""
    docs: list[dict[str, Any]] = []
    keys: set[str] = set()
    for number, line in _lines(path):
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise StoreError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
        if isinstance(doc, dict) and "type" in doc and isinstance(doc.get("data"), dict):
            if doc["type"] != 2300:  # older dump format: 2300 = insert, 2302 = removal
                continue
            doc = doc["data"]
        if not isinstance(doc, dict):
            raise StoreError(f"{path}:{number}: expected a JSON object per line")
        key = doc.get("_key")
        if key is None and isinstance(doc.get("_id"), str) and "/" in doc["_id"]:
            key = doc["_id"].split("/", 1)[1]
        key = str(len(docs) if key is None else key)
        if "/" in key or not key or key in keys:
            raise StoreError(f"{path}:{number}: invalid or duplicate _key {key!r}")
        keys.add(key)
        doc["_key"], doc["_id"] = key, f"{collection}/{key}"
        if edge and not all(isinstance(doc.get(e), str) and "/" in doc[e] for e in ("_from", "_to")):
            raise StoreError(f"{path}:{number}: an edge needs _from and _to as 'collection/key' strings")
        docs.append(doc)
    return docs


def _first_is_edge(path: Path) -> bool:
    for _, line in _lines(path):
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            return False  # the full read reports the bad line
        return isinstance(doc, dict) and "_from" in doc and "_to" in doc
    return False


def _read_dump(root: Path) -> tuple[dict[str, list[dict]], dict[str, str], dict[str, list]]:
    collections: dict[str, list[dict]] = {}
    types: dict[str, str] = {}
    graphs: dict[str, list] = {}
    for structure in sorted(root.glob("*.structure.json")):
        params = (_load_json(structure) or {}).get("parameters") or {}
        name, ctype = params.get("name"), params.get("type")
        if not isinstance(name, str) or ctype not in (2, 3):
            raise StoreError(f"{structure}: expected parameters.name and parameters.type 2 or 3")
        if name.startswith("_") and name != "_graphs":
            continue  # system collections are not the user's graph
        if name != "_graphs":
            check_collection_name(name, structure)
        pattern = re.compile(_DUMP_DATA.format(name=re.escape(name)))
        files = [p for p in sorted(root.iterdir()) if pattern.match(p.name)]
        docs = [d for f in files for d in _read_documents(f, name, edge=ctype == 3 and name != "_graphs")]
        if name == "_graphs":
            graphs.update({d["_key"]: d.get("edgeDefinitions", []) for d in docs})
            continue
        collections[name] = docs
        types[name] = "edge" if ctype == 3 else "document"
    return collections, types, graphs


def _read_jsonl_dir(root: Path) -> tuple[dict[str, list[dict]], dict[str, str]]:
    collections: dict[str, list[dict]] = {}
    types: dict[str, str] = {}
    for path in sorted([*root.glob("*.jsonl"), *root.glob("*.jsonl.gz")]):
        name = path.name.split(".jsonl")[0]
        if name.startswith("_"):
            continue
        check_collection_name(name, path)
        is_edge = _first_is_edge(path)
        collections[name] = _read_documents(path, name, edge=is_edge)  # every edge then must have both ends
        types[name] = "edge" if is_edge else "document"
    return collections, types


def _pick_graph(graphs: dict[str, list], wanted: str | None, root: Path) -> tuple[str | None, list]:
    if wanted:
        if wanted not in graphs:
            raise StoreError(f"named graph {wanted!r} not found in {root}; found: {sorted(graphs) or 'none'}")
        return wanted, graphs[wanted]
    if len(graphs) == 1:
        return next(iter(graphs.items()))
    return None, []  # several graphs and none chosen: analyse every collection


def _edge_def(raw: Any, root: Path) -> EdgeDefinition:
    try:
        return EdgeDefinition(
            collection=raw["collection"], from_collections=list(raw["from"]), to_collections=list(raw["to"])
        )
    except (KeyError, TypeError):
        raise StoreError(f"{root}: bad edge definition {raw!r} (need collection, from, to)") from None

