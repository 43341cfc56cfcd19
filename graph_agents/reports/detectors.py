"""The vertical's pattern detectors, run on an analysis's facts.

A vertical lists detectors (``Vertical.detectors``: ``{"name", "algorithm", "kind",
"description", ...parameters}``, kinds in ``verticals.DETECTOR_KINDS``). Each detector whose
``algorithm`` is the report's runs on the facts; its measurements go into
``facts["detections"][name]`` (whether it fired or not, so the evidence is always there) and a
detector that fires becomes an insight that names the entities, carries a confidence and cites
the detection as evidence.
"""

from __future__ import annotations

from typing import Any, Callable

from ..models import Insight, Recommendation, Vertical
from .wording import cap, named, pct, readable

MIN_ISOLATION = 0.9  # internal share of a group's edges for it to count as isolated
MIN_RATIO = 2.0  # concentration: times the proportional share the top must hold


def _confidence(margin: float) -> float:
    """0.6 at the threshold, rising with the margin over it, capped at 0.95."""
    return round(min(0.95, 0.6 + 0.35 * max(0.0, min(1.0, margin - 1.0))), 2)


def _title(det: dict[str, Any]) -> str:
    return det["name"].replace("_", " ").strip().capitalize()


def _size_counts(facts: dict[str, Any]) -> list[tuple[int, int]]:
    return [(int(s), int(c)) for s, c in (facts.get("size_counts") or {}).items()]


def _groups_at_least(facts: dict[str, Any], min_size: int, skip_largest: bool = False) -> tuple[int, int]:
    """(number of groups, vertices in them) with size >= ``min_size``, over all groups."""
    groups = vertices = 0
    for size, count in _size_counts(facts):
        if size >= min_size:
            groups += count
            vertices += size * count
    if skip_largest and groups and facts.get("largest_size", 0) >= min_size:
        groups -= 1
        vertices -= facts["largest_size"]
    return groups, vertices


def _word(v: Vertical, singular: str, plural: str, n: int) -> str:
    return v.term(singular if n == 1 else plural)


def _partition_detection(
    det: dict[str, Any], facts: dict[str, Any], names: dict[str, str], v: Vertical,
    singular: str, plural: str, skip_largest: bool,
) -> tuple[dict[str, Any], Insight | None]:
    min_size = int(det.get("min_size", 2))
    n, vertices = _groups_at_least(facts, min_size, skip_largest)
    listed = [g for g in facts.get("groups", [])[1 if skip_largest else 0:] if g["size"] >= min_size]
    share = round(vertices / facts["vertices"], 4) if facts.get("vertices") else 0.0
    found = {"kind": det["kind"], "fired": n > 0, "min_size": min_size, "matches": n, "vertices": vertices,
             "share": share, "sizes": [g["size"] for g in listed[:10]]}
    if not n or not listed:
        return found, None
    first, nodes = listed[0], v.term("nodes")
    word = _word(v, singular, plural, n)
    members = first["members"][:8]
    text = (f"{readable(n)} {word} of at least {readable(min_size)} {nodes} {'holds' if n == 1 else 'hold'} {readable(vertices)} "
            f"{nodes} ({pct(share)} of all). The largest joins {readable(first['size'])}: {named(members, names)}.")
    if skip_largest:
        text += f" {'It is' if n == 1 else 'They are'} cut off from the main {v.term(singular)} of {readable(facts['largest_size'])}."
    return found, Insight(
        id="", title=f"{_title(det)}: {readable(n)} {word}", description=text + f" Pattern: {det.get('description', '')}.",
        confidence=_confidence(first["size"] / max(1, min_size)),
        evidence=[f"detections.{det['name']}", "size_counts", "groups"], entities=members,
    )


def _large_component(det, facts, names, v, algorithm):
    one, many = ("cycle", "cycles") if algorithm == "scc" else ("component", "components")
    return _partition_detection(det, facts, names, v, one, many, skip_largest=False)


def _cycle(det, facts, names, v, algorithm):
    # a strongly connected group of two or more is a closed loop; singletons never are
    det = {**det, "min_size": max(2, int(det.get("min_size", 2)))}
    return _partition_detection(det, facts, names, v, "cycle", "cycles", skip_largest=False)


def _isolated_groups(det, facts, names, v, algorithm):
    if algorithm in ("wcc", "scc"):
        # components share no edge by construction: every one but the largest is cut off from it
        one, many = ("cycle", "cycles") if algorithm == "scc" else ("component", "components")
        return _partition_detection(det, facts, names, v, one, many, skip_largest=True)
    min_size = int(det.get("min_size", 2))
    threshold = float(det.get("min_isolation", MIN_ISOLATION))
    measured = [g for g in facts.get("groups", []) if "isolation" in g]
    listed = [g for g in measured if g["size"] >= min_size and g["isolation"] >= threshold]
    found = {"kind": det["kind"], "fired": bool(listed), "min_size": min_size, "min_isolation": threshold,
             "measured_groups": len(measured), "matches": len(listed),
             "vertices": sum(g["size"] for g in listed), "sizes": [g["size"] for g in listed[:10]],
             "isolation": [g["isolation"] for g in listed[:10]]}
    if not listed:
        return found, None
    word = _word(v, "community", "communities", len(listed))
    first = listed[0]
    members = first["members"][:8]
    text = (f"{readable(len(listed))} {word} of at least {readable(min_size)} {v.term('nodes')} {'keeps' if len(listed) == 1 else 'keep'} {pct(threshold)} or more of "
            f"{'its' if len(listed) == 1 else 'their'} links inside. The largest has {first['size']} members with {pct(first['isolation'])} of its "
            f"{first['internal_edges'] + first['boundary_edges']} links internal: {named(members, names)}.")
    return found, Insight(
        id="", title=f"{_title(det)}: {len(listed)} {word}", description=text + f" Pattern: {det.get('description', '')}.",
        confidence=_confidence(1 + (first["isolation"] - threshold) / max(1e-9, 1 - threshold)),
        evidence=[f"detections.{det['name']}", "groups"], entities=members,
    )


def _concentration(det, facts, names, v, algorithm):
    fraction = float(det.get("top_share", 0.1))
    min_ratio = float(det.get("min_ratio", MIN_RATIO))
    holding = (facts.get("top_shares") or {}).get(str(fraction))
    if holding is None:
        return {"kind": det["kind"], "fired": False, "top_share": fraction, "error": "share not measured"}, None
    k = max(1, int(round(facts["count"] * fraction)))
    ratio = round(holding / fraction, 4)
    found = {"kind": det["kind"], "fired": ratio >= min_ratio, "top_share": fraction, "top_count": k,
             "holding": holding, "ratio": ratio, "min_ratio": min_ratio}
    if ratio < min_ratio:
        return found, None
    leaders = [t["id"] for t in facts.get("top", [])[:5]]
    nodes = v.term("nodes")
    text = (f"The top {pct(fraction)} of {nodes} ({readable(k)} of {readable(facts['count'])}) hold {pct(holding)} of the total, "
            f"{readable(ratio)} times their proportional share. The leaders are {named(leaders, names)}.")
    return found, Insight(
        id="", title=f"{_title(det)}: top {pct(fraction)} hold {pct(holding)}",
        description=text + f" Pattern: {det.get('description', '')}.",
        confidence=_confidence(ratio / min_ratio),
        evidence=[f"detections.{det['name']}", "top_shares", "top"], entities=leaders,
    )


def _dominant_broker(det, facts, names, v, algorithm):
    min_share = float(det.get("min_share", 0.05))
    share = float(facts.get("leader_share", 0.0))
    top = facts.get("top") or []
    found = {"kind": det["kind"], "fired": bool(top) and share >= min_share, "min_share": min_share,
             "leader": top[0]["id"] if top else None, "leader_share": share, "lead_ratio": facts.get("lead_ratio")}
    if not found["fired"]:
        return found, None
    lead = top[0]["id"]
    text = f"{named([lead], names)} alone carries {pct(share)} of all {algorithm} across {readable(facts['count'])} {v.term('nodes')}"
    text += f", {readable(facts['lead_ratio'])} times the next." if facts.get("lead_ratio") else "."
    return found, Insight(
        id="", title=f"{_title(det)}: {names.get(lead, lead)}",
        description=text + f" Threshold: {pct(min_share)}. Pattern: {det.get('description', '')}.",
        confidence=_confidence(share / min_share),
        evidence=[f"detections.{det['name']}", "leader_share", "lead_ratio", "top"], entities=[lead],
    )


KINDS: dict[str, Callable[..., tuple[dict[str, Any], Insight | None]]] = {
    "large_component": _large_component,
    "concentration": _concentration,
    "isolated_groups": _isolated_groups,
    "dominant_broker": _dominant_broker,
    "cycle": _cycle,
}


def _about(det: dict[str, Any], collections: Sequence[str]) -> bool:
    """Whether the report's collections are what the detector describes: a detector with ``about``
    (collection-name fragments, e.g. ``["product"]``) fires only on a report about those, so "best-selling
    products" is never said of customers."""
    fragments = [f.lower() for f in det.get("about") or ()]
    return not fragments or any(f in c.lower() for f in fragments for c in collections)


def applicable(vertical: Vertical, algorithm: str, collections: Sequence[str]) -> list[dict[str, Any]]:
    """The vertical's detectors for ``algorithm`` on a report about ``collections``."""
    return [d for d in vertical.detectors
            if d.get("algorithm") == algorithm and d.get("kind") in KINDS and _about(d, collections)]


def share_fractions(vertical: Vertical, algorithm: str, collections: Sequence[str]) -> tuple[float, ...]:
    """The top fractions the concentration detectors for ``algorithm`` will ask the facts for."""
    return tuple(float(d.get("top_share", 0.1)) for d in applicable(vertical, algorithm, collections)
                 if d["kind"] == "concentration")


def needs_isolation(vertical: Vertical, algorithm: str, collections: Sequence[str]) -> bool:
    """Whether the report must measure group isolation on the graph (communities, not components)."""
    return algorithm not in ("wcc", "scc") and any(
        d["kind"] == "isolated_groups" for d in applicable(vertical, algorithm, collections))


def run_detectors(
    vertical: Vertical, algorithm: str, facts: dict[str, Any], names: dict[str, str], collections: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], list[Insight]]:
    """Measurements of every detector applicable to a report on ``collections``, and an insight (id
    ``D<n>``) per one that fired."""
    detections: dict[str, dict[str, Any]] = {}
    insights: list[Insight] = []
    if not facts.get("count"):
        return detections, insights
    for det in applicable(vertical, algorithm, collections):
        found, insight = KINDS[det["kind"]](det, facts, names, vertical, algorithm)
        detections[det["name"]] = found
        if insight is not None:
            insights.append(insight.model_copy(update={"id": f"D{len(insights) + 1}"}))
    return detections, insights


_ADVICE = {
    "large_component": ("Investigate the flagged {components}", "Review the members of each {component} named above, largest first: size beyond the usual is the signal.", "medium", "Risk found before it grows."),
    "cycle": ("Trace the {cycles}", "Follow each {cycle} named above around its loop and confirm whether it has a legitimate reason.", "medium", "Circular flows stopped or explained."),
    "isolated_groups": ("Reconnect or review the isolated {communities}", "Decide for each isolated group named above whether to reach it (offers, links) or to clean it up.", "medium", "A better-connected, cleaner graph."),
    "concentration": ("Reduce dependence on the top {nodes}", "Spread what the leading {nodes} carry over more of them, and monitor their share of the total at each run.", "high", "Lower concentration risk."),
    "dominant_broker": ("Review the {broker} named above", "Check the {broker} by hand and plan an alternative path around it: too much passes through one point.", "low", "No single point of failure."),
}


def detector_recommendations(
    insights: list[Insight], detections: dict[str, dict[str, Any]], vertical: Vertical, first_id: int
) -> list[Recommendation]:
    """One recommendation per fired detector insight; priority follows the insight's confidence."""
    terms = {w: vertical.term(w) for w in ("nodes", "node", "broker", "communities", "component", "components", "cycle", "cycles")}
    out = []
    for ins in insights:
        # a detector insight's first evidence is its detection: "detections.<name>"
        name = ins.evidence[0].removeprefix("detections.") if ins.evidence else ""
        if not ins.id.startswith("D") or name not in detections:
            continue
        title, text, effort, impact = _ADVICE[detections[name]["kind"]]
        out.append(Recommendation(
            id=f"R{first_id + len(out)}", title=cap(title.format(**terms)), description=text.format(**terms),
            priority="high" if ins.confidence >= 0.8 else "medium", effort=effort, impact=impact,
            insight_ids=[ins.id],
        ))
    return out
