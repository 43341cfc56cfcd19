"""AQL graph path searches for the ArangoDB double: parsed from the documented grammar, evaluated
over the double's collections.

Sources (arangodb/docs-hugo, ``site/content/arangodb/3.12/``):

* ``aql/graphs/shortest-path.md``: ``FOR vertex[, edge] IN OUTBOUND|INBOUND|ANY SHORTEST_PATH
  startNode TO endNode edgeCollection1, ..., edgeCollectionN [OPTIONS options]`` — the fewest edges;
  the first edge is null. Options ``weightAttribute``, ``defaultWeight``, ``useCache``.
* ``aql/graphs/all-shortest-paths.md``: ``FOR path IN ... ALL_SHORTEST_PATHS startNode TO endNode
  ...`` — every path of the shortest length, each ``{vertices, edges}``; no weights; option ``useCache``.
* ``aql/graph-queries/traversals.md``: ``FOR node[, edge[, path]] IN [min[..max]]
  OUTBOUND|INBOUND|ANY startNode edgeCollection1, ...  [OPTIONS options]``; ``min`` defaults to 1,
  ``max`` to ``min``; ``order: "bfs"`` gives all nodes at depth 1, then depth 2...;
  ``uniqueVertices: "global"`` visits each node once and "is required to set order bfs or weighted";
  ``uniqueEdges`` defaults to ``"path"``; ``vertexCollections`` restricts the nodes visited, "the
  starting node is always allowed"; a direction before an edge collection overrides the general one.
* All three: "startNode TO endNode (both string|object) ... an ID string or ... a document with
  the attribute ``_id``. All other values lead to a warning and an empty result. If one of the
  specified documents does not exist, the result is empty as well and there is no warning." —
  "If you specify unknown options, query warnings are raised."
* ``aql/high-level-operations/with.md``: ``WITH collection1, ...`` at the very start of a query;
  arangodb/arangodb ``arangod/Aql/grammar.y``: a ``with_collection`` is a name or a ``@@`` bind
  parameter, and the return-variable counts ("SHORTEST_PATH must have one or two return
  variables", "ALL_SHORTEST_PATHS only has one return variable", "Traversals only have one, two
  or three return variables") are parse errors.
* errors (``lib/Basics/errors.dat``, arangodb/arangodb): 1501 ERROR_QUERY_PARSE (the server's
  ``checkDepthValue`` raises it as "invalid traversal depth" for a depth that is not a
  non-negative number), 1203 collection or view not found, 1218 collection type invalid (a
  document collection given as edges, ``arangod/Aql/GraphNode.cpp``), 10 ERROR_BAD_PARAMETER (warnings and
  option errors), 1539 ERROR_QUERY_INVALID_OPTIONS_ATTRIBUTE ("unknown OPTIONS attribute used",
  a warning).

Only these forms are evaluated (plus ``FOR x IN @array`` around them, and ``RETURN`` of an
attribute path, ``[*]`` expansion, ``LENGTH()`` or an array of those); anything else is a 1501.
What the docs leave open is said where the double decides it: a search from a vertex to itself
answers the one-vertex path.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any, Callable, Iterator

DIRECTIONS = ("OUTBOUND", "INBOUND", "ANY")
PATH_SEARCHES = ("SHORTEST_PATH", "ALL_SHORTEST_PATHS", "K_SHORTEST_PATHS")
SHORTEST_PATH_OPTIONS = {"weightAttribute", "defaultWeight", "useCache"}
ALL_SHORTEST_PATHS_OPTIONS = {"useCache"}
TRAVERSAL_OPTIONS = {"order", "bfs", "uniqueVertices", "uniqueEdges", "edgeCollections", "vertexCollections",
                     "parallelism", "maxProjections", "indexHint", "weightAttribute", "defaultWeight", "useCache"}
_TOKEN = re.compile(r"""\s*(?:(?P<bind>@@?[A-Za-z0-9_]+)|(?P<num>\d+(?:\.\d+)?)|(?P<str>"[^"]*"|'[^']*')|"""
                    r"""(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>\.\.|\[\*\]|[.,()\[\]{}:]))""")
_ID = re.compile(r"^[A-Za-z0-9_-]+/[^/]+$")


class AqlFailure(Exception):
    def __init__(self, status: int, num: int, message: str) -> None:
        super().__init__(message)
        self.status, self.num = status, num


def _parse_error(message: str) -> AqlFailure:
    return AqlFailure(400, 1501, f"{message} (while parsing)")


def tokenize(query: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise _parse_error(f"syntax error, unexpected input near '{query[pos:pos + 20].strip()}'")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def keyword(self, *words: str) -> str | None:
        kind, value = self.peek()
        if kind == "word" and value.upper() in words:
            self.i += 1
            return value.upper()
        return None

    def expect(self, text: str) -> None:
        kind, value = self.take()
        if value.upper() != text.upper():
            raise _parse_error(f"syntax error, unexpected '{value}', expecting {text}")

    # -- statements ---------------------------------------------------------------------------

    def query(self) -> dict[str, Any]:
        with_: list[Any] = []
        if self.keyword("WITH"):
            with_.append(self.collection())
            while self.peek()[1] == ",":
                self.take()
                with_.append(self.collection())
        loops = []
        while self.keyword("FOR"):
            loops.append(self.for_loop())
        if not loops or not self.keyword("RETURN"):
            raise _parse_error("syntax error: expecting FOR ... RETURN")
        ret = self.expression()
        if self.peek()[0] != "end":
            raise _parse_error(f"syntax error, unexpected '{self.peek()[1]}'")
        return {"with": with_, "loops": loops, "return": ret}

    def collection(self) -> tuple[str, str]:
        kind, value = self.take()
        if kind == "bind" and value.startswith("@@"):
            return ("bind", value[1:])  # the bind variable's name: "@collection"
        if kind == "word":
            return ("name", value)
        raise _parse_error(f"syntax error, unexpected '{value}', expecting a collection")

    def variables(self) -> list[str]:
        names = [self.take()[1]]
        while self.peek()[1] == ",":
            self.take()
            names.append(self.take()[1])
        return names

    def for_loop(self) -> dict[str, Any]:
        names = self.variables()
        self.expect("IN")
        depth = None
        if self.peek()[0] in ("num", "bind") and (self.peek(1)[1] == ".." or self.peek(1)[1].upper() in DIRECTIONS):
            low = self.value()
            high = self.value() if self.peek()[1] == ".." and self.take() else low
            depth = (low, high)
        direction = self.keyword(*DIRECTIONS)
        if direction is None:
            if depth is not None or len(names) != 1:
                raise _parse_error("syntax error: expecting OUTBOUND, INBOUND or ANY")
            return {"kind": "array", "var": names[0], "source": self.value()}
        search = self.keyword(*PATH_SEARCHES)
        loop: dict[str, Any] = {"vars": names, "direction": direction}
        if search:
            if depth is not None:
                raise _parse_error(f"syntax error: no depth before {search}")
            loop.update(kind=search, start=self.value())
            self.expect("TO")
            loop["target"] = self.value()
        else:
            loop.update(kind="traversal", start=self.value(), depth=depth or (("num", "1"), ("num", "1")))
        loop["edges"] = self.edge_collections()
        loop["options"] = self.object() if self.keyword("OPTIONS") else {}
        return loop

    def edge_collections(self) -> list[tuple[str | None, tuple[str, str]]]:
        edges = []
        while True:
            own = self.keyword(*DIRECTIONS)
            edges.append((own, self.collection()))
            if self.peek()[1] != ",":
                return edges
            self.take()

    # -- values and expressions ---------------------------------------------------------------

    def value(self) -> tuple[str, Any]:
        kind, value = self.take()
        if kind == "bind" and not value.startswith("@@"):
            return ("bind", value[1:])
        if kind == "num":
            return ("num", value)
        if kind == "str":
            return ("str", value[1:-1])
        if kind == "word" and value.upper() in ("TRUE", "FALSE", "NULL"):
            return ("const", {"TRUE": True, "FALSE": False, "NULL": None}[value.upper()])
        if kind == "word":
            return ("var", value)
        raise _parse_error(f"syntax error, unexpected '{value}'")

    def object(self) -> dict[str, tuple[str, Any]]:
        self.expect("{")
        out: dict[str, Any] = {}
        while self.peek()[1] != "}":
            kind, key = self.take()
            self.expect(":")
            out[key.strip("\"'")] = self.value()
            if self.peek()[1] == ",":
                self.take()
        self.take()
        return out

    def expression(self) -> tuple[str, Any]:
        kind, value = self.peek()
        if value == "[":
            self.take()
            items = []
            while self.peek()[1] != "]":
                items.append(self.expression())
                if self.peek()[1] == ",":
                    self.take()
            self.take()
            return ("array", items)
        if kind == "word" and value.upper() == "LENGTH" and self.peek(1)[1] == "(":
            self.i += 2
            inner = self.expression()
            self.expect(")")
            return ("length", inner)
        base = self.value()
        steps: list[str] = []
        while self.peek()[1] in (".", "[*]"):
            if self.take()[1] == "[*]":
                steps.append("*")
            else:
                steps.append(self.take()[1])
        return ("path", (base, steps))


class GraphSearch:
    """Evaluates a parsed graph query over ``collections`` (name -> {"type", "docs"})."""

    def __init__(self, collections: dict[str, dict[str, Any]], edge_type: int,
                 missing: Callable[[str], AqlFailure]) -> None:
        self.collections, self.edge_type, self.missing = collections, edge_type, missing
        self._adjacent: dict[int, Callable[[str], Iterator[tuple[str, dict]]]] = {}  # per loop, for this query

    def run(self, query: str, bind: dict[str, Any], warnings: list[dict[str, Any]]) -> list[Any]:
        tree = Parser(tokenize(query)).query()
        for coll in tree["with"]:
            self._collection(coll, bind)
        rows: list[dict[str, Any]] = [{}]
        for loop in tree["loops"]:
            rows = [{**row, **found} for row in rows for found in self._loop(loop, row, bind, warnings)]
        return [self._eval(tree["return"], row, bind) for row in rows]

    # -- pieces ---------------------------------------------------------------------------------

    def _collection(self, ref: tuple[str, str], bind: dict[str, Any]) -> str:
        name = bind[ref[1]] if ref[0] == "bind" else ref[1]
        if name not in self.collections:
            raise self.missing(name)
        return name

    def _value(self, ref: tuple[str, Any], row: dict[str, Any], bind: dict[str, Any]) -> Any:
        kind, v = ref
        if kind == "bind":
            return bind[v]
        if kind == "num":
            return float(v) if "." in v else int(v)
        if kind == "var":
            if v not in row:
                raise AqlFailure(400, 1512, f"unknown variable '{v}' (while parsing)")
            return row[v]
        return v

    def _eval(self, expr: tuple[str, Any], row: dict[str, Any], bind: dict[str, Any]) -> Any:
        kind, v = expr
        if kind == "array":
            return [self._eval(e, row, bind) for e in v]
        if kind == "length":
            inner = self._eval(v, row, bind)
            return len(inner) if isinstance(inner, (list, dict, str)) else 0
        base, steps = v
        return _walk(self._value(base, row, bind), steps)

    def _document(self, vid: str) -> dict[str, Any] | None:
        coll, _, key = vid.partition("/")
        return self.collections.get(coll, {"docs": {}})["docs"].get(key)

    def _start(self, value: Any, warnings: list[dict[str, Any]]) -> str | None:
        """An id string or a document's ``_id``; anything else a warning and no result (docs)."""
        if isinstance(value, dict):
            value = value.get("_id")
        if not isinstance(value, str) or not _ID.match(value):
            warnings.append({"code": 10, "message": "Invalid input for traversal: Only id strings or objects with _id are allowed"})
            return None
        return value if self._document(value) is not None else None  # missing: empty, no warning

    def _adjacency(self, loop: dict[str, Any], bind: dict[str, Any]) -> Callable[[str], Iterator[tuple[str, dict]]]:
        """Neighbours of a vertex id along the loop's edge collections, each with the edge (built
        once per loop: a loop inside ``FOR s IN @starts`` runs once per start)."""
        if id(loop) not in self._adjacent:
            self._adjacent[id(loop)] = self._build_adjacency(loop, bind)
        return self._adjacent[id(loop)]

    def _build_adjacency(self, loop: dict[str, Any], bind: dict[str, Any]) -> Callable[[str], Iterator[tuple[str, dict]]]:
        lists = []
        for own, ref in loop["edges"]:
            name = self._collection(ref, bind)
            if self.collections[name]["type"] != self.edge_type:
                # arangod/Aql/GraphNode.cpp: TRI_ERROR_ARANGO_COLLECTION_TYPE_INVALID
                raise AqlFailure(400, 1218, f"collection type invalid for collection '{name}': "
                                            "expecting collection type 'edge'")
            lists.append((own or loop["direction"], list(self.collections[name]["docs"].values())))
        out_edges: dict[str, list[tuple[str, dict]]] = {}
        for direction, docs in lists:
            for e in docs:
                if direction in ("OUTBOUND", "ANY"):
                    out_edges.setdefault(e["_from"], []).append((e["_to"], e))
                if direction in ("INBOUND", "ANY") and not (direction == "ANY" and e["_from"] == e["_to"]):
                    out_edges.setdefault(e["_to"], []).append((e["_from"], e))
        return lambda vid: iter(out_edges.get(vid, []))

    def _options(self, loop: dict[str, Any], known: set[str], row: dict[str, Any], bind: dict[str, Any],
                 warnings: list[dict[str, Any]]) -> dict[str, Any]:
        options = {k: self._value(v, row, bind) for k, v in loop["options"].items()}
        for name in options:
            if name not in known:
                warnings.append({"code": 1539, "message": f"unknown OPTIONS attribute used: {name}"})
        return options

    def _loop(self, loop: dict[str, Any], row: dict[str, Any], bind: dict[str, Any],
              warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if loop["kind"] == "array":
            items = self._value(loop["source"], row, bind)
            if not isinstance(items, list):
                raise AqlFailure(400, 1563, "array expected")
            return [{loop["var"]: item} for item in items]
        if loop["kind"] == "traversal":
            return self._traverse(loop, row, bind, warnings)
        if loop["kind"] == "K_SHORTEST_PATHS":
            raise _parse_error("the double does not evaluate K_SHORTEST_PATHS")
        return self._shortest(loop, row, bind, warnings)

    def _shortest(self, loop: dict[str, Any], row: dict[str, Any], bind: dict[str, Any],
                  warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        every = loop["kind"] == "ALL_SHORTEST_PATHS"
        if len(loop["vars"]) > (1 if every else 2):
            raise _parse_error("ALL_SHORTEST_PATHS only has one return variable" if every
                               else "SHORTEST_PATH must have one or two return variables")
        options = self._options(loop, ALL_SHORTEST_PATHS_OPTIONS if every else SHORTEST_PATH_OPTIONS, row, bind, warnings)
        if options.get("weightAttribute") or options.get("defaultWeight", 1) != 1:
            raise _parse_error("the double searches unweighted paths only")
        neighbours = self._adjacency(loop, bind)
        start = self._start(self._value(loop["start"], row, bind), warnings)
        target = self._start(self._value(loop["target"], row, bind), warnings)
        if start is None or target is None:
            return []
        # breadth-first distances and, per vertex, the edges that reach it on a shortest path
        dist, preds, queue = {start: 0}, {start: []}, deque([start])
        while queue:
            u = queue.popleft()
            if u == target:
                continue
            for w, e in neighbours(u):
                if w not in dist:
                    dist[w], preds[w] = dist[u] + 1, []
                    queue.append(w)
                if dist[w] == dist[u] + 1:
                    preds[w].append((u, e))
        if target not in dist:
            return []

        def paths(v: str) -> Iterator[tuple[list[str], list[dict]]]:
            if v == start:
                yield [start], []
                return
            for u, e in preds[v]:
                for vs, es in paths(u):
                    yield vs + [v], es + [e]

        found = paths(target)
        if every:
            return [{loop["vars"][0]: {"vertices": [self._document(v) for v in vs], "edges": es}} for vs, es in found]
        vs, es = next(found)
        names = loop["vars"]
        return [{names[0]: self._document(v), **({names[1]: e} if len(names) > 1 else {})}
                for v, e in zip(vs, [None, *es])]

    def _traverse(self, loop: dict[str, Any], row: dict[str, Any], bind: dict[str, Any],
                  warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        low, high = (self._value(d, row, bind) for d in loop["depth"])
        for d in (low, high):
            if isinstance(d, bool) or not isinstance(d, (int, float)) or d < 0 or d != int(d):
                raise AqlFailure(400, 1501, "invalid traversal depth (while instantiating plan)")
        low, high = int(low), int(high)
        if len(loop["vars"]) > 3:
            raise _parse_error("Traversals only have one, two or three return variables")
        options = self._options(loop, TRAVERSAL_OPTIONS, row, bind, warnings)
        order = options.get("order") or ("bfs" if options.get("bfs") else "dfs")
        unique = options.get("uniqueVertices", "none")
        if unique == "global" and order not in ("bfs", "weighted"):
            raise AqlFailure(400, 10, "uniqueVertices: 'global' is only supported, with order: 'bfs' or 'weighted' "
                                      "due to otherwise unpredictable results.")
        if order != "bfs" or unique not in ("global", "path", "none"):
            raise _parse_error("the double evaluates breadth-first traversals only")
        allowed = options.get("vertexCollections") or []
        allowed = {allowed} if isinstance(allowed, str) else set(allowed)
        neighbours = self._adjacency(loop, bind)
        start = self._start(self._value(loop["start"], row, bind), warnings)
        if start is None:
            return []
        out: list[dict[str, Any]] = []
        seen = {start}
        # one queue entry per path: (vertices, edges)
        queue: deque[tuple[list[str], list[dict]]] = deque([([start], [])])
        while queue:
            vs, es = queue.popleft()
            depth = len(es)
            if depth >= low:
                names = loop["vars"]
                found = {names[0]: self._document(vs[-1])}
                if len(names) > 1:
                    found[names[1]] = es[-1] if es else None
                if len(names) > 2:
                    found[names[2]] = {"vertices": [self._document(v) for v in vs], "edges": list(es)}
                out.append(found)
            if depth == high:
                continue
            for w, e in neighbours(vs[-1]):
                if allowed and w.partition("/")[0] not in allowed:
                    continue
                if any(e is x for x in es):  # uniqueEdges "path", the default
                    continue
                if unique == "global":
                    if w in seen:
                        continue
                    seen.add(w)
                elif unique == "path" and w in vs:
                    continue
                queue.append((vs + [w], es + [e]))
        return out


def _walk(value: Any, steps: list[str]) -> Any:
    """An attribute path with ``[*]`` expansion; a missing attribute (or null) is null."""
    for i, step in enumerate(steps):
        if step == "*":
            return [_walk(v, steps[i + 1:]) for v in value] if isinstance(value, list) else []
        value = value.get(step) if isinstance(value, dict) else None
    return value
