"""Reports of the paths family: shortest path(s) between named entities, k-hop neighbourhoods,
simple cycles — their facts, insights and the drawn path (their advice: graph_agents.reports.advice).

The engine returns paths as partitions (see :mod:`graph_agents.engines.paths`): the vertices of a
path or cycle share its label, ``a → b → c``. ``shape_facts`` reads them back in order:

* shortest path: ``path`` (the vertex ids, source first), ``hops``;
* all shortest paths: ``paths_found``, ``hops``, ``paths`` (the first ``MAX_PATHS``), ``on_every_path``
  (the intermediate vertices every shortest path goes through);
* k-hop: ``seeds``, ``reached`` (vertices within k hops, seeds excluded), ``by_hop``
  (``{"1 hop": n, ...}``), ``max_hops``;
* cycles: ``cycles``, ``in_cycles`` (vertices on at least one), ``shortest_cycle``, ``longest_cycle``,
  ``listed_cycles`` (the shortest ``MAX_PATHS``, each a list of ids).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from markupsafe import Markup, escape

from ..algorithms import PATH_ARROW, Algorithm
from ..models import Insight, Vertical
from ..stores.base import VertexValues
from .wording import name_of

MAX_PATHS = 20
_HOP = re.compile(r"^(\d+) hops?$")


def _labels(values: Mapping[str, Any]) -> list[str]:
    vv = VertexValues.partition(values)
    if vv.codes is not None:
        return sorted({vv.labels[c] for c in set(vv.codes.tolist()) if c >= 0})
    return sorted({label for row in vv.column() for label in row or []})


def shape_facts(algo: Algorithm, values: Mapping[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    if algo.name == "shortest_path":
        labels = _labels(values)
        path = labels[0].split(PATH_ARROW) if labels else []
        return {"path": path, "hops": max(0, len(path) - 1)}
    if algo.name == "all_shortest_paths":
        paths = [label.split(PATH_ARROW) for label in _labels(values)]
        inner = [set(p[1:-1]) for p in paths]
        every = sorted(set.intersection(*inner)) if inner else []
        return {"paths_found": len(paths), "hops": len(paths[0]) - 1 if paths else 0,
                "paths": paths[:MAX_PATHS], "on_every_path": every}
    if algo.name == "k_hop":
        vv = VertexValues.partition(values)
        counts = {label: 0 for label in vv.labels}
        for c in vv.codes.tolist():
            if c >= 0:
                counts[vv.labels[c]] += 1
        by_hop = {k: v for k, v in counts.items() if k != "seed"}
        reached_hops = [int(_HOP.match(k).group(1)) for k, v in by_hop.items() if v]
        return {"seeds": counts.get("seed", 0), "reached": sum(by_hop.values()), "by_hop": by_hop,
                "max_hops": max(reached_hops, default=0)}
    if algo.name == "simple_cycles":
        cycles = sorted((label.split(PATH_ARROW)[:-1] for label in _labels(values)), key=lambda c: (len(c), c))
        members = {v for c in cycles for v in c}
        return {"cycles": len(cycles), "in_cycles": len(members),
                "shortest_cycle": len(cycles[0]) if cycles else 0, "longest_cycle": max(map(len, cycles), default=0),
                "listed_cycles": cycles[:MAX_PATHS]}
    return {}


def _chain(path: list[str], names: dict[str, str]) -> str:
    return PATH_ARROW.join(name_of(v, names) for v in path)


def insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    nodes = v.term("nodes")
    if algo.name == "shortest_path" and facts.get("path"):
        path = facts["path"]
        return [Insight(
            id="I1",
            title=f"{name_of(path[0], names)} reaches {name_of(path[-1], names)} in {facts['hops']} hops",
            description=f"The shortest chain: {_chain(path, names)}.",
            confidence=0.95, evidence=["path", "hops"], entities=path,
        )]
    if algo.name == "all_shortest_paths" and facts.get("paths_found"):
        first = facts["paths"][0]
        out = [Insight(
            id="I1",
            title=f"{facts['paths_found']} shortest paths of {facts['hops']} hops",
            description=f"{name_of(first[0], names)} and {name_of(first[-1], names)} are joined by {facts['paths_found']} "
            f"shortest paths of {facts['hops']} hops; one is {_chain(first, names)}.",
            confidence=0.95, evidence=["paths_found", "hops", "paths"], entities=[first[0], first[-1]],
        )]
        if facts["on_every_path"]:
            out.append(Insight(
                id="I2",
                title="Every shortest path goes through the same intermediaries",
                description="Every shortest path passes through " + ", ".join(name_of(x, names) for x in facts["on_every_path"][:10]) + ".",
                confidence=0.9, evidence=["on_every_path"], entities=facts["on_every_path"][:10],
            ))
        return out
    if algo.name == "k_hop" and facts.get("seeds"):
        bands = ", ".join(f"{n} at {k}" for k, n in facts["by_hop"].items() if n)
        return [Insight(
            id="I1",
            title=f"{facts['reached']} {nodes} within {facts['max_hops']} hops of {facts['seeds']} seeds",
            description=f"{facts['reached']} {nodes} lie within reach of the {facts['seeds']} seeds"
            + (f": {bands}." if bands else "; none beyond the seeds themselves."),
            confidence=0.95, evidence=["reached", "seeds", "by_hop", "max_hops"],
        )]
    if algo.name == "simple_cycles":
        if not facts.get("cycles"):
            return [Insight(id="I1", title="No cycles found",
                            description="No closed chain follows the relationships' direction back to where it started.",
                            confidence=0.9, evidence=["cycles"])]
        first = facts["listed_cycles"][0]
        return [Insight(
            id="I1",
            title=f"{facts['cycles']} cycles through {facts['in_cycles']} {nodes}",
            description=f"{facts['cycles']} closed chains of {facts['shortest_cycle']} to {facts['longest_cycle']} {nodes} "
            f"lead back to where they start; the shortest: {_chain(first + first[:1], names)}.",
            confidence=0.9, evidence=["cycles", "in_cycles", "shortest_cycle", "longest_cycle", "listed_cycles"],
            entities=first,
        )]
    return []


def path_chart(path: list[str], names: dict[str, str], title: str) -> Markup | None:
    """The path drawn as a column of steps joined by arrows (inline SVG, labels escaped)."""
    if not path:
        return None
    row, width = 34, 640
    body = []
    for i, vid in enumerate(path):
        y = 24 + i * row
        label = escape(name_of(vid, names))
        body.append(f'<rect x="20" y="{y}" width="420" height="22" rx="4" fill="#eef3f8" stroke="#3b6ea5"/>'
                    f'<text x="30" y="{y + 15}" class="chart-label">{i}. {label}</text>')
        if i < len(path) - 1:
            body.append(f'<line x1="230" y1="{y + 22}" x2="230" y2="{y + row}" stroke="#3b6ea5" marker-end="url(#arrow)"/>')
    height = 30 + len(path) * row
    t = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{t}"><title>{t}</title><defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="4" refY="7"'
        f' orient="auto"><path d="M0,0 L8,0 L4,8 z" fill="#3b6ea5"/></marker></defs>'
        f'<text x="0" y="14" class="chart-title">{t}</text>' + "".join(body) + "</svg>"
    )
