"""Insights from facts, phrased in the vertical's terms and in the words of the algorithm's family.

Each insight's first evidence key names the finding it states (its advice *slot*, see
:mod:`graph_agents.reports.advice`): ``top`` the leaders, ``top1pct_share`` the concentration,
``outlier_count`` the outliers, ``count`` the groups, ``largest_size`` the largest group,
``non_trivial`` the groups of several, ``singletons`` the groups of one.
"""

from __future__ import annotations

from typing import Any

from ..algorithms import Algorithm
from ..models import Insight, Vertical
from .advice import group_words, measure, recommendations
from .wording import Nouns, cap, named, pct, plural, readable, verb


def _nouns(v: Vertical, nodes: Nouns | None) -> Nouns:
    return nodes or Nouns(v.term("node"), v.term("nodes"))


def score_insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical,
                   nodes: Nouns | None = None) -> list[Insight]:
    if not facts.get("count"):
        return []
    n = _nouns(v, nodes)
    top = facts["top"][:5]
    out = []
    if algo.name == "betweenness":
        lead = top[0]
        second = top[1]["score"] if len(top) > 1 else 0.0
        # the ratio is a fact (lead_ratio) so the grounding check can verify it
        ratio = f", {readable(facts['lead_ratio'])} times the next" if facts.get("lead_ratio") else ""
        out.append(Insight(
            id="I1",
            title=f"Strongest {v.term('broker')}: {names.get(lead['id'], lead['id'])}",
            description=f"{named([lead['id']], names)} has the highest betweenness ({readable(lead['score'])}{ratio}): "
            f"more of the shortest links between other {n.plural} run through {n.them} than through any other {n.singular}.",
            confidence=0.85 if second and lead["score"] >= 2 * second else 0.7,
            evidence=["top"],
            entities=[lead["id"]],
        ))
    elif algo.name == "similar_to" and top[0]["score"] > 0:
        # the answer to "which customers look most like c42": the closest first, next to what they resemble
        lead, target = top[0], facts.get("target") or "the target"
        out.append(Insight(
            id="I1",
            title=f"Most like {target}: {names.get(lead['id'], lead['id'])}",
            description=f"{facts['alike']:,} {n.plural} share at least one neighbour with {target}; the closest are "
            + "; ".join(f"{named([t['id']], names)} (Jaccard {readable(t['score'])})" for t in top if t["score"] > 0) + ".",
            confidence=0.9,
            evidence=["top", "alike"],
            entities=[t["id"] for t in top if t["score"] > 0],
        ))
    else:
        out.append(Insight(
            id="I1",
            title=f"{cap(n.plural)} with the most {measure(algo, v, n)}",
            description=f"The highest-ranked {n.plural} are "
            + "; ".join(f"{named([t['id']], names)} at {readable(t['score'])}" for t in top) + ".",
            confidence=0.9,
            evidence=["top"],
            entities=[t["id"] for t in top],
        ))
    share = facts["top1pct_share"]
    out.append(Insight(
        id="I2",
        title="Concentration" + (" is high" if share >= 0.1 else " is moderate" if share >= 0.03 else " is low"),
        description=f"The top 1% of {n.plural} hold {pct(share)} of the total and the top 10% hold "
        f"{pct(facts['top10pct_share'])} (Gini {readable(facts['gini'])}).",
        confidence=0.9,
        evidence=["top1pct_share", "top10pct_share", "gini"],
    ))
    if facts["outlier_count"]:
        outliers = [t["id"] for t in facts["top"] if t["score"] > facts["outlier_fence"]][:5]
        k = facts["outlier_count"]
        out.append(Insight(
            id="I3",
            title=f"{plural(k, 'outlying ' + n.singular, 'outlying ' + n.plural)}",
            description=f"{n.count(k)} {verb(k, 'scores', 'score')} above {readable(facts['outlier_fence'])}, far beyond the "
            f"median of {readable(facts['quantiles']['median'])}; the first {verb(len(outliers), 'is', 'are')} {named(outliers, names)}.",
            confidence=0.75,
            evidence=["outlier_count", "outlier_fence", "quantiles"],
            entities=outliers,
        ))
    floor = facts.get("floor")
    if floor:
        out.append(Insight(
            id=f"I{len(out) + 1}",
            title=f"{pct(floor['share'])} of {n.plural} share the lowest score",
            description=f"{n.count(floor['count'])} ({pct(floor['share'])}) {verb(floor['count'], 'has', 'have')} the same, lowest "
            f"score, {readable(floor['value'])}: {algo.title} does not tell them apart, so the chart leaves them out.",
            confidence=0.9,
            evidence=["floor"],
        ))
    return out


def partition_insights(algo: Algorithm, facts: dict[str, Any], names: dict[str, str], v: Vertical,
                       nodes: Nouns | None = None) -> list[Insight]:
    if not facts.get("count"):
        return []
    groups, n = facts["groups"], _nouns(v, nodes)
    word, one = group_words(algo, v)
    largest = groups[0]
    count = facts["count"]
    # every vertex is in some strongly connected group; only those of 2 or more are cycles
    overall = ("strongly connected group", "strongly connected groups") if algo.name == "scc" else (one, word)
    out = [Insight(
        id="I1",
        title=f"{plural(count, *overall)}; the largest holds {pct(facts['largest_share'])}",
        description=f"{plural(count, *overall)} among {n.count(facts['vertices'])}; the largest has {plural(largest['size'], 'member')} "
        f"({pct(facts['largest_share'])})" + (f", the next {readable(facts['second_size'])}." if count > 1 else "."),
        confidence=0.9,
        evidence=["count", "largest_size", "largest_share", "second_size"],
    )]
    if algo.name == "scc" and facts["non_trivial"]:
        cyc = [g for g in groups if g["size"] > 1]
        k = facts["non_trivial"]
        out.append(Insight(
            id="I2",
            title=f"{plural(k, one, word)} found",
            description=f"{plural(k, 'group')} of {n.plural} {verb(k, 'reaches', 'reach')} each other in a {one}; the largest links "
            f"{readable(cyc[0]['size'])}: {named(cyc[0]['members'][:10], names)}.",
            confidence=0.9,
            evidence=["non_trivial", "groups"],
            entities=cyc[0]["members"][:10],
        ))
    elif algo.name != "scc" and facts["non_trivial"] and largest["size"] > 1:
        ratio = facts.get("largest_to_second") or float(largest["size"])
        out.append(Insight(
            id="I2",
            title=f"Largest {one}: {plural(largest['size'], 'member')}",
            description=f"The largest {one} joins {n.count(largest['size'])} ("
            + ", ".join(f"{readable(c)} {col}" for col, c in sorted(largest["collections"].items()))
            + (f"), {readable(ratio)} times the next; members" if facts.get("largest_to_second") else "); members")
            + f" include {named(largest['members'][:8], names)}.",
            confidence=0.85 if ratio >= 2 else 0.7,
            evidence=["largest_size", "second_size", "groups"],
            entities=largest["members"][:8],
        ))
    k = facts["singletons"]
    if k:
        if algo.name == "scc":
            title, text = f"{n.count(k)} in no {one}", f"{n.count(k)} {verb(k, 'is', 'are')} part of no {one}."
        elif algo.name == "wcc":
            title = f"{n.count(k)} with no link to the others"
            text = f"{n.count(k)} {verb(k, 'has', 'have')} no link to any other {n.singular} on these relations."
        else:
            title = f"{n.count(k)} in a {one} of {verb(k, 'its', 'their')} own"
            text = f"{n.count(k)} {verb(k, 'shares', 'share')} a {one} with no other {n.singular}."
        out.append(Insight(id=f"I{len(out) + 1}", title=title, description=text, confidence=0.8, evidence=["singletons"]))
    return out


__all__ = ["named", "partition_insights", "pct", "recommendations", "score_insights"]
