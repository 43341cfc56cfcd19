"""Paths on ArangoDB's own query engine: ``shortest_path``, ``all_shortest_paths`` and ``k_hop``
as AQL path searches, so no edge leaves the database.

The statements (ArangoDB docs, docs-hugo ``site/content/arangodb/3.12/aql/graphs/shortest-path.md``,
``all-shortest-paths.md``, ``k-shortest-paths.md`` and ``aql/graph-queries/traversals.md``):

* ``shortest_path``: ``FOR v IN OUTBOUND|ANY SHORTEST_PATH @start TO @target @@edges0, ...`` — one
  path with the fewest edges, its vertices in order;
* ``all_shortest_paths``: ``FOR p IN OUTBOUND|ANY ALL_SHORTEST_PATHS ...`` (ArangoDB 3.9 or later;
  ``K_SHORTEST_PATHS``, older, would go on with longer paths) — every path of that length;
* ``k_hop``: a breadth-first traversal from each seed, ``FOR v, e, p IN 1..@depth OUTBOUND|ANY s
  @@edges0, ... OPTIONS {uniqueVertices: "global", order: "bfs", vertexCollections: [...]}``: with
  global uniqueness each vertex is reached once, at its distance from that seed; the nearest
  seed wins.

Every statement starts with ``WITH`` and the analysed vertex collections (a cluster requires it
for collection sets; ``aql/high-level-operations/with.md``, and arangodb ``arangod/Aql/grammar.y``
accepts ``@@`` bind parameters there). Collection names only reach AQL as ``@@`` bind parameters, checked by the
store. Direction is the local engine's (:mod:`graph_agents.engines.paths`): ``directed`` follows
edges from the source (``OUTBOUND``), otherwise either way (``ANY``). Unweighted; parallel edges
and self loops change no distance.

Names resolve exactly as on the local engine (:class:`graph_agents.entities.Resolver` over the ids,
keys and the ``name_attribute`` of every vertex in scope, read with the store's vertex stream: no
edges); an unresolved or ambiguous name raises the same :class:`~graph_agents.entities.EntityError`.
The result has the local engine's shape (a partition over every vertex in scope: the path's
label ``a → b → c``, a list of paths per vertex, or ``seed`` / ``1 hop`` / ``2 hops``...) and is
written back the same way, so the path reports read it unchanged.

A shortest-path search on edge collections may pass through vertices outside the analysed
collections (``SHORTEST_PATH`` has no ``vertexCollections`` option); such an answer is not the
local engine's, and :class:`OutsideScope` says so (the routing engine then runs the local engine).
``simple_cycles`` has no AQL form and stays on the local engine.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from ..algorithms import PATH_ARROW
from ..concurrency import Once
from ..entities import Resolver
from ..models import AnalysisTemplate
from ..stores.base import GraphData, GraphStore, StoreError, VertexValues
from .base import EngineError, EngineOutcome, checked

# the vertex's own identity: never an attribute to read
OWN_IDENTITY = ("_key", "_id")


class OutsideScope(EngineError):
    """The server's path leaves the analysed vertex collections: not the answer on this scope."""


def _with(n_vertex: int) -> str:
    return "WITH " + ", ".join(f"@@vertices{i}" for i in range(n_vertex)) + "\n"


def _edges(n_edge: int) -> str:
    return ", ".join(f"@@edges{i}" for i in range(n_edge))


def shortest_path_query(direction: str, n_vertex: int, n_edge: int) -> str:
    return (_with(n_vertex) + f"FOR v IN {direction} SHORTEST_PATH @start TO @target {_edges(n_edge)}\n"
            "  RETURN v._id")


def all_shortest_paths_query(direction: str, n_vertex: int, n_edge: int) -> str:
    return (_with(n_vertex) + f"FOR p IN {direction} ALL_SHORTEST_PATHS @start TO @target {_edges(n_edge)}\n"
            "  RETURN p.vertices[*]._id")


def k_hop_query(direction: str, n_vertex: int, n_edge: int) -> str:
    return (_with(n_vertex) + "FOR s IN @starts\n"
            f"  FOR v, e, p IN 1..@depth {direction} s {_edges(n_edge)}\n"
            '    OPTIONS {uniqueVertices: "global", order: "bfs", vertexCollections: @vertexCollections}\n'
            "    RETURN [v._id, LENGTH(p.edges)]")


def _collections(vertex: list[str], edge: list[str]) -> dict[str, str]:
    return {**{f"@vertices{i}": c for i, c in enumerate(vertex)}, **{f"@edges{i}": c for i, c in enumerate(edge)}}


def _truthy(value: Any) -> bool:
    """A seed flag, read as the local engine reads it (NaN and empty values are no flag)."""
    return value not in (None, "", 0, False) and value == value


class _Scope:
    """The vertices in scope: ids, names for resolution, position of each id."""

    def __init__(self, data: GraphData, name_attribute: str) -> None:
        self.ids = data.ids
        self.n = len(self.ids)
        self.attributes = data.attributes
        names = data.attributes.get(name_attribute) if name_attribute else None
        self.resolver = Resolver(self.ids, names if names is not None and len(names) == self.n else None)
        self.position = {vid: i for i, vid in enumerate(self.ids)}

    def vertex(self, name: str) -> str:
        return self.ids[self.resolver.index(name)]

    def inside(self, path: list[str]) -> list[int]:
        """Positions of the vertices of ``path``; OutsideScope when one is not in scope."""
        out = [self.position.get(v) for v in path]
        if None in out:
            stray = next(v for v, i in zip(path, out) if i is None)
            raise OutsideScope(f"the path ArangoDB found passes through {stray}, outside the analysed collections")
        return out  # type: ignore[return-value]


class AQLPathEngine:
    """The Engine protocol for the paths family on an ArangoGraphStore, as AQL on the server."""

    name = "aql"

    def __init__(self) -> None:
        # (id(store), vertex collections, attributes, name attribute) -> (store, scope): read and
        # indexed once per run; the store is kept so its id cannot be reused while the entry lives
        self._scopes = Once()

    async def _scope(self, store: Any, vertex: list[str], attributes: tuple[str, ...], name_attribute: str) -> _Scope:
        async def load() -> tuple[Any, _Scope]:
            data = await store.load_vertices(vertex, attributes)
            # the name index is CPU work on every vertex: off the event loop
            return store, await asyncio.to_thread(_Scope, data, name_attribute)

        _, scope = await self._scopes.get((id(store), tuple(vertex), attributes, name_attribute), load)
        return scope

    async def run(self, template: AnalysisTemplate, store: GraphStore, run_id: str) -> EngineOutcome:
        algo, params = checked(template, store, in_database="AQL path searches")
        if not algo.aql:
            raise EngineError(f"{algo.name} has no AQL form; run it with the local engine")
        vertex, edge = list(template.vertex_collections), list(template.edge_collections)
        wanted = [params.get("name_attribute"), params.get("seed_attribute")]
        attributes = tuple(dict.fromkeys(a for a in wanted if a and a not in OWN_IDENTITY))
        scope: _Scope | None = None
        try:
            if not edge or not vertex:
                raise ValueError("a path search needs vertex and edge collections")
            scope = await self._scope(store, vertex, attributes, params.get("name_attribute") or "")
            run = {"shortest_path": self._shortest_path, "all_shortest_paths": self._all_shortest_paths,
                   "k_hop": self._k_hop}[algo.name]
            values = await run(store, scope, params, vertex, edge)
        except EngineError:
            raise
        except (ValueError, StoreError) as exc:  # EntityError is a ValueError: the local engine's outcome, chained
            n = scope.n if scope is not None else 0
            raise EngineError(f"{algo.name} failed on template {template.id} ({n} vertices, AQL on ArangoDB): "
                              f"{type(exc).__name__}: {exc}") from exc
        location = await store.write_results(run_id, template.id, algo.result_field, values)
        return EngineOutcome(values=values, result_location=location, result_count=len(values), engine=self.name,
                             note=f"Computed in ArangoDB with AQL ({algo.aql}): no edge left the database.")

    @staticmethod
    def _direction(params: dict[str, Any]) -> str:
        return "OUTBOUND" if params["directed"] else "ANY"

    @staticmethod
    def _ends(scope: _Scope, params: dict[str, Any], name: str) -> tuple[str, str]:
        if not params["source"] or not params["target"]:
            raise ValueError(f"{name} needs a source and a target")
        return scope.vertex(params["source"]), scope.vertex(params["target"])

    async def _paths(self, store: Any, scope: _Scope, params: dict[str, Any], vertex: list[str], edge: list[str],
                     all_of_them: bool) -> list[list[str]]:
        """The shortest path(s) from source to target, each a list of ids; ValueError if none."""
        s, t = self._ends(scope, params, "all_shortest_paths" if all_of_them else "shortest_path")
        if s == t:  # the docs do not say what a search from a vertex to itself answers: the path is the vertex
            return [[s]]
        build = all_shortest_paths_query if all_of_them else shortest_path_query
        rows = await store.query(build(self._direction(params), len(vertex), len(edge)),
                                 {**_collections(vertex, edge), "start": s, "target": t})
        found = [list(r) for r in rows] if all_of_them else ([list(rows)] if rows else [])
        if not found:
            raise ValueError(f"no path from {s} to {t}")
        for path in found:
            scope.inside(path)
        return found

    async def _shortest_path(self, store: Any, scope: _Scope, params: dict[str, Any], vertex: list[str],
                             edge: list[str]) -> VertexValues:
        path = (await self._paths(store, scope, params, vertex, edge, all_of_them=False))[0]
        codes = np.full(scope.n, -1, dtype=np.int64)
        codes[scope.inside(path)] = 0
        return VertexValues(scope.ids, codes=codes, labels=[PATH_ARROW.join(path)])

    async def _all_shortest_paths(self, store: Any, scope: _Scope, params: dict[str, Any], vertex: list[str],
                                  edge: list[str]) -> VertexValues:
        found = await self._paths(store, scope, params, vertex, edge, all_of_them=True)
        # parallel edges make the same vertex path twice; the local engine's order: by the ids on it
        unique = sorted({tuple(p) for p in found})
        at: list[list[str]] = [[] for _ in range(scope.n)]
        for path in unique[: params["max_paths"]]:
            label = PATH_ARROW.join(path)
            for i in scope.inside(list(path)):
                at[i].append(label)
        return VertexValues(scope.ids, objects=at)

    async def _k_hop(self, store: Any, scope: _Scope, params: dict[str, Any], vertex: list[str],
                     edge: list[str]) -> VertexValues:
        seeds = [scope.vertex(n) for n in params["seeds"].split(",") if n.strip()] if params["seeds"] else []
        flags = scope.attributes.get(params["seed_attribute"]) if params["seed_attribute"] else None
        if flags is not None:
            seeds += [scope.ids[i] for i, v in enumerate(flags) if _truthy(v)]
        if not seeds:
            raise ValueError("k_hop needs seeds: name them in 'seeds' or mark them with 'seed_attribute'")
        seeds = sorted(set(seeds))
        hops = np.full(scope.n, -1, dtype=np.int64)
        rows = await store.query(k_hop_query(self._direction(params), len(vertex), len(edge)),
                                 {**_collections(vertex, edge), "starts": seeds, "depth": params["k"],
                                  "vertexCollections": vertex})
        for vid, depth in rows:
            i = scope.position.get(vid)  # a dangling edge's end (no document) is no vertex
            if i is not None and (hops[i] < 0 or depth < hops[i]):
                hops[i] = depth
        hops[[scope.position[s] for s in seeds]] = 0
        labels = ["seed"] + [f"{d} hop" if d == 1 else f"{d} hops" for d in range(1, params["k"] + 1)]
        return VertexValues(scope.ids, codes=hops, labels=labels)

    async def aclose(self) -> None:
        self._scopes.clear()

