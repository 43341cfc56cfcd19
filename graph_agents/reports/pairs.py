"""Reports of the similarity family: node-similarity pairs and "similar to X".

Node similarity comes as a partition of pairs (see :mod:`graph_agents.engines.similarity`): each
vertex lists the pairs it is in, ``a ~ b (J)``. ``shape_facts`` reads them back, best first:
``pairs`` (how many), ``top_pairs`` (the best ``MAX_PAIRS``: ``{"a", "b", "similarity"}``),
``identical_pairs`` (J = 1: the same neighbours exactly), ``best_similarity``. "Similar to X" is a
score; its facts add ``target``, and ``alike`` (vertices sharing at least one neighbour with it).
"""

from __future__ import annotations

from typing import Any, Mapping

from ..algorithms import Algorithm
from ..models import Insight, Vertical
from ..stores.base import VertexValues
from .wording import name_of

MAX_PAIRS = 25


def _parse(label: str) -> dict[str, Any]:
    pair, j = label.rsplit(" (", 1)
    a, b = pair.split(" ~ ", 1)
    return {"a": a, "b": b, "similarity": float(j.rstrip(")"))}


def shape_facts(algo: Algorithm, values: Mapping[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    vv = VertexValues.of(values)
    if algo.name == "similar_to":
        return {"target": params.get("target", ""), "alike": int((vv.scores > 0).sum()) if vv.scores is not None else 0}
    if algo.name != "node_similarity":
        return {}
    pairs = sorted({label for row in vv.column() for label in row or []})
    parsed = sorted((_parse(p) for p in pairs), key=lambda p: (-p["similarity"], p["a"], p["b"]))
    return {"pairs": len(parsed), "top_pairs": parsed[:MAX_PAIRS],
            "identical_pairs": sum(1 for p in parsed if p["similarity"] >= 1.0),
            "best_similarity": parsed[0]["similarity"] if parsed else 0.0}


def insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    nodes = v.term("nodes")
    if algo.name == "similar_to":  # a score: the score insights rank the look-alikes
        from .insights import score_insights

        return score_insights(algo, facts, names, v)
    if not facts.get("pairs"):
        return [Insight(id="I1", title="No similar pairs found",
                        description=f"No two {nodes} share enough neighbours to pass the similarity cutoff.",
                        confidence=0.9, evidence=["pairs"])]
    best = facts["top_pairs"][0]
    out = [Insight(
        id="I1",
        title=f"{facts['pairs']} similar pairs; the closest at {best['similarity']:g}",
        description=f"{facts['pairs']} pairs of {nodes} share much of their neighbourhood; the closest: "
        f"{name_of(best['a'], names)} and {name_of(best['b'], names)} (Jaccard {best['similarity']:g}).",
        confidence=0.9, evidence=["pairs", "top_pairs", "best_similarity"], entities=[best["a"], best["b"]],
    )]
    if facts["identical_pairs"]:
        out.append(Insight(
            id="I2",
            title=f"{facts['identical_pairs']} pairs with exactly the same neighbours",
            description=f"{facts['identical_pairs']} pairs of {nodes} link to exactly the same others: likely duplicates "
            "or one actor behind two records.",
            confidence=0.85, evidence=["identical_pairs"],
        ))
    return out
