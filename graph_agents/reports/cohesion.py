"""Reports of the cohesion family: k-core, triangles, clustering (scores), articulation points and
bridges (flags) — their facts, insights and advice.

A flags result names the vertices (articulation points) or edges (bridges) whose removal
disconnects the graph, each with how many vertices it cuts off (see
:mod:`graph_agents.engines.cohesion`). Its facts: ``count`` flagged (bridges: edges), ``vertices``,
``flagged_vertices``, ``largest_cut_off``, ``cut_off_one`` (those that cut off a single vertex: a
dangling end, not a split network), ``top`` (vertices by what they cut off, as a score report's
top) and for bridges ``bridges`` (``{"from", "to", "cut_off"}``, largest first).

Their advice is in :mod:`graph_agents.reports.advice` (the cohesion family, articulation points and
bridges), by the slot each insight's first evidence fills.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..algorithms import Algorithm
from ..models import Insight, Vertical
from ..stores.base import VertexValues
from .wording import named

TOP_K = 25
MAX_BRIDGES = 50


def flag_facts(values: Mapping[str, Any]) -> dict[str, Any]:
    vv = VertexValues.of(values)
    n, ids = len(vv), vv.ids
    if vv.scores is not None:  # articulation points: what each vertex cuts off, 0 when none
        cut = vv.scores
        edges: list[dict[str, Any]] | None = None
    else:  # bridges: per vertex, its bridges
        entries = vv.column()
        cut = np.array([max((e["cut_off"] for e in row), default=0) for row in entries], dtype=np.float64)
        edges = sorted(
            ({"from": ids[i], "to": e["to"], "cut_off": int(e["cut_off"])} for i, row in enumerate(entries)
             for e in row if ids[i] < e["to"]),
            key=lambda b: (-b["cut_off"], b["from"], b["to"]),
        )
    flagged = np.flatnonzero(cut > 0)
    order = flagged[np.argsort(-cut[flagged], kind="stable")]
    sizes = [int(b["cut_off"]) for b in edges] if edges is not None else cut[flagged].astype(int).tolist()
    facts: dict[str, Any] = {
        "kind": "flags",
        "vertices": n,
        "count": len(sizes),
        "flagged_vertices": int(len(flagged)),
        "flagged_share": round(len(flagged) / n, 4) if n else 0.0,
        "largest_cut_off": max(sizes, default=0),
        "cut_off_one": sum(1 for s in sizes if s == 1),
        "top": [{"id": ids[i], "score": float(cut[i])} for i in order[:TOP_K].tolist()],
    }
    if edges is not None:
        facts["bridges"] = edges[:MAX_BRIDGES]
    return facts


def flag_insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    nodes = v.term("nodes")
    what = "relationships" if algo.name == "bridges" else nodes
    if not facts.get("count"):
        return [Insight(
            id="I1",
            title=f"No single {'relationship' if algo.name == 'bridges' else v.term('node')} disconnects the network",
            description=f"Removing any one of them leaves every connected part of the {facts.get('vertices', 0)} {nodes} in one piece.",
            confidence=0.9,
            evidence=["vertices", "count"],  # no advice slot: nothing to act on
        )]
    out = []
    if algo.name == "bridges":
        b = facts["bridges"][0]
        out.append(Insight(
            id="I1",
            title=f"{facts['count']} relationships whose removal disconnects the network",
            description=f"{facts['count']} relationships are the only link between two parts; the one between "
            f"{named([b['from']], names)} and {named([b['to']], names)} cuts off {b['cut_off']} {nodes}.",
            confidence=0.95,
            evidence=["bridges", "count"],
            entities=[b["from"], b["to"]],
        ))
    else:
        top = facts["top"][:5]
        out.append(Insight(
            id="I1",
            title=f"{facts['count']} single points of failure",
            description=f"{facts['count']} {nodes} each disconnect the network when removed; the most critical are "
            + "; ".join(f"{named([t['id']], names)}, cutting off {int(t['score'])}" for t in top) + ".",
            confidence=0.95,
            evidence=["top", "count"],
            entities=[t["id"] for t in top],
        ))
    if facts["cut_off_one"]:
        out.append(Insight(
            id="I2",
            title=f"{facts['cut_off_one']} of them only cut off a single {v.term('node')}",
            description=f"{facts['cut_off_one']} of the {facts['count']} {what} found cut off one {v.term('node')} each: "
            f"dangling ends rather than splits; the largest split cuts off {facts['largest_cut_off']}.",
            confidence=0.85,
            evidence=["cut_off_one", "count", "largest_cut_off"],
        ))
    return out


def core_insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    """k-core, triangles and clustering: who is most embedded, and how much of the graph is not."""
    if not facts.get("count"):
        return []
    nodes, top = v.term("nodes"), facts["top"][:5]
    measure = {"k_core": "core number", "triangle_count": "triangles", "clustering_coefficient": "clustering"}[algo.name]
    out = [Insight(
        id="I1",
        title=f"Most embedded {nodes} by {measure}",
        description=f"The {nodes} with the highest {measure} are "
        + "; ".join(f"{named([t['id']], names)} at {t['score']:.4g}" for t in top) + ".",
        confidence=0.9,
        evidence=["top"],
        entities=[t["id"] for t in top],
    )]
    counts = facts.get("value_counts") or {}
    if algo.name == "k_core" and counts:
        k, low = max(counts, key=float), min(counts, key=float)
        periphery = f"; {counts[low]} have core number {low}, on the periphery" if low != k else ""
        out.append(Insight(
            id="I2",
            title=f"The innermost core: {counts[k]} {nodes} with core number {k}",
            description=f"{counts[k]} {nodes} each have at least {k} neighbours inside the core{periphery}.",
            confidence=0.9,
            evidence=["value_counts"],
        ))
    elif facts.get("zero_count"):
        out.append(Insight(
            id="I2",
            title=f"{facts['zero_count']} {nodes} are in no triangle",
            description=f"{facts['zero_count']} of {facts['count']} {nodes} have no two neighbours linked to each other: "
            "their ties do not close into groups.",
            confidence=0.85,
            evidence=["zero_count", "count"],
        ))
    return out


def insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    return (flag_insights if algo.kind == "flags" else core_insights)(algo, facts, names, v)
