"""Insights and recommendations from facts, phrased in the vertical's terms."""

from __future__ import annotations

from typing import Any

from ..algorithms import Algorithm
from ..models import Insight, Recommendation, Vertical


def num(x: float) -> str:
    return f"{x:.4g}"


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def named(ids: list[str], names: dict[str, str]) -> str:
    return ", ".join(f"{names[i]} ({i})" if i in names else i for i in ids)


_named = named


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def score_insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    if not facts.get("count"):
        return []
    nodes = v.term("nodes")
    top = facts["top"][:5]
    out = []
    if algo.name == "betweenness":
        lead = top[0]
        second = top[1]["score"] if len(top) > 1 else 0.0
        # the ratio is a fact (lead_ratio) so the grounding check can verify it
        ratio = f", {num(facts['lead_ratio'])} times the next" if facts.get("lead_ratio") else ""
        out.append(Insight(
            id="I1",
            title=f"Strongest {v.term('broker')}: {names.get(lead['id'], lead['id'])}",
            description=f"{_named([lead['id']], names)} has the highest betweenness ({num(lead['score'])}{ratio}): "
            f"much of what flows between other {nodes} passes through it.",
            confidence=0.85 if second and lead["score"] >= 2 * second else 0.7,
            evidence=["top"],
            entities=[lead["id"]],
        ))
    else:
        out.append(Insight(
            id="I1",
            title=f"Most {v.term('influence')}-bearing {nodes}",
            description=f"The highest-ranked {nodes} are "
            + "; ".join(f"{_named([t['id']], names)} at {num(t['score'])}" for t in top) + ".",
            confidence=0.9,
            evidence=["top"],
            entities=[t["id"] for t in top],
        ))
    share = facts["top1pct_share"]
    out.append(Insight(
        id="I2",
        title="Concentration" + (" is high" if share >= 0.1 else " is moderate" if share >= 0.03 else " is low"),
        description=f"The top 1% of {nodes} hold {pct(share)} of the total and the top 10% hold "
        f"{pct(facts['top10pct_share'])} (Gini {num(facts['gini'])}).",
        confidence=0.9,
        evidence=["top1pct_share", "top10pct_share", "gini"],
    ))
    if facts["outlier_count"]:
        outliers = [t["id"] for t in facts["top"] if t["score"] > facts["outlier_fence"]][:5]
        out.append(Insight(
            id="I3",
            title=f"{facts['outlier_count']} outlying {nodes}",
            description=f"{facts['outlier_count']} {nodes} score above {num(facts['outlier_fence'])}, far beyond the "
            f"typical {num(facts['quantiles']['median'])}; the first are {_named(outliers, names)}.",
            confidence=0.75,
            evidence=["outlier_count", "outlier_fence", "quantiles"],
            entities=outliers,
        ))
    return out


def group_words(algo: Algorithm, v: Vertical) -> tuple[str, str]:
    """What the vertical calls this algorithm's groups: (plural, singular)."""
    base = "cycle" if algo.name == "scc" else "community" if algo.name in ("label_propagation", "louvain", "leiden") else "component"
    return v.term("communities" if base == "community" else base + "s"), v.term(base)


def partition_insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical) -> list[Insight]:
    if not facts.get("count"):
        return []
    groups, nodes = facts["groups"], v.term("nodes")
    word, one = group_words(algo, v)
    largest = groups[0]
    # every vertex is in some strongly connected group; only those of 2 or more are cycles
    overall = "strongly connected groups" if algo.name == "scc" else word
    out = [Insight(
        id="I1",
        title=f"{facts['count']} {overall}; the largest holds {pct(facts['largest_share'])}",
        description=f"{facts['count']} {overall} among {facts['vertices']} {nodes}; the largest has {largest['size']} "
        f"members ({pct(facts['largest_share'])}), the next {facts['second_size']}.",
        confidence=0.9,
        evidence=["count", "largest_size", "largest_share", "second_size"],
    )]
    if algo.name == "scc" and facts["non_trivial"]:
        cyc = [g for g in groups if g["size"] > 1]
        out.append(Insight(
            id="I2",
            title=f"{facts['non_trivial']} {word if facts['non_trivial'] > 1 else one} found",
            description=f"{facts['non_trivial']} group(s) of {nodes} reach each other in a closed loop; the largest links "
            f"{cyc[0]['size']}: {_named(cyc[0]['members'][:10], names)}.",
            confidence=0.9,
            evidence=["non_trivial", "groups"],
            entities=cyc[0]["members"][:10],
        ))
    elif algo.name != "scc" and facts["non_trivial"] and largest["size"] > 1:
        ratio = facts.get("largest_to_second") or float(largest["size"])
        out.append(Insight(
            id="I2",
            title=f"Largest {one}: {largest['size']} members",
            description=f"The largest {one} joins {largest['size']} {nodes} ("
            + ", ".join(f"{n} {c}" for c, n in sorted(largest["collections"].items()))
            + (f"), {num(ratio)} times the next; members" if facts.get("largest_to_second") else "); members")
            + f" include {_named(largest['members'][:8], names)}.",
            confidence=0.85 if ratio >= 2 else 0.7,
            evidence=["largest_size", "second_size", "groups"],
            entities=largest["members"][:8],
        ))
    if facts["singletons"]:
        out.append(Insight(
            id=f"I{len(out) + 1}",
            title=f"{facts['singletons']} isolated {nodes}",
            description=f"{facts['singletons']} {nodes} belong to no larger {one}.",
            confidence=0.8,
            evidence=["singletons"],
        ))
    return out


_ADVICE = {
    ("score", "I1"): ("Focus on the top {nodes}", "Prioritise the {nodes} named above: they carry the most {influence}.", "high", "low", "Attention goes where it moves the most."),
    ("score", "I2"): ("Watch the concentration", "Track the top-1% share over time; a rising share means growing dependence on few {nodes}.", "medium", "low", "Early warning on dependence."),
    ("score", "I3"): ("Review the outliers", "Check each outlying {node} by hand: the reason is either a real hub or a data problem.", "medium", "medium", "Fewer surprises, cleaner data."),
    ("partition", "I1"): ("Act on the {groups} as units", "Plan actions per {group}, starting with the largest.", "medium", "medium", "Actions that fit how the graph is organised."),
    ("partition", "I2"): ("Investigate the largest {group}", "Review the members of the {group} named above: unusual size or closed loops deserve a look.", "high", "medium", "Risk found before it grows."),
    ("partition", "I3"): ("Reach the isolated {nodes}", "Isolated {nodes} are disconnected from the rest: re-engage or clean them up.", "low", "low", "A more connected graph."),
}


def recommendations(algo: Algorithm, insights: list[Insight], v: Vertical) -> list[Recommendation]:
    kind, out = algo.kind, []
    groups, group = group_words(algo, v)
    for ins in insights:
        if not ins.id.startswith("I"):  # detector (D*) and change (C*) insights have their own advice
            continue
        key = (kind, ins.id if ins.id in ("I1", "I2") else "I3")
        if key not in _ADVICE:
            continue
        title, text, priority, effort, impact = _ADVICE[key]
        fmt = {w: v.term(w) for w in ("nodes", "node", "influence")} | {"groups": groups, "group": group}
        out.append(Recommendation(
            id=f"R{len(out) + 1}",
            title=_cap(title.format(**fmt)),
            description=text.format(**fmt),
            priority=priority,
            effort=effort,
            impact=impact,
            insight_ids=[ins.id],
        ))
    return out
