"""Advice per algorithm family, per algorithm and per vertical: what a reader can do about each finding.

Every insight a report builds fills one *slot* (named by the insight's first evidence key, see
:data:`SLOT_OF_EVIDENCE`): ``leaders``, ``concentration``, ``outliers``, ``no_ranking`` (scores)
and ``groups``, ``largest``, ``multi``, ``singletons`` (partitions). The advice for a slot is
looked up, most specific first, in

1. the vertical's ``advice[<algorithm name>][slot]``, then ``advice[<family>][slot]``;
2. :data:`ALGORITHM_ADVICE` ``[<algorithm name>][slot]``;
3. :data:`FAMILY_ADVICE` ``[<family>][slot]``;
4. :data:`COMMON_ADVICE` ``[slot]`` (what every family says alike: ``unresolved``, a name in the ask
   that names no vertex or several),

field by field (a vertical may change only the title). A slot whose advice is ``None`` gives no
recommendation (a strongly connected singleton is normal, not a finding). The ``always`` slot adds
a recommendation to every report of the family or algorithm, whatever its insights.

Advice is written for one family and never borrowed: a community report never speaks of
influence, a centrality report never of segments. The words it may use are the format fields
``{nodes}``, ``{node}`` (the report's entity, plural and singular), ``{them}`` (its pronoun),
``{group}``, ``{groups}`` (what the family calls its groups), ``{measure}`` (what the score
measures) and the vertical's terms ``{influence}``, ``{broker}``.
"""

from __future__ import annotations

from typing import Any

from ..algorithms import FAMILIES, Algorithm
from ..models import Insight, Recommendation, Vertical
from .wording import Nouns, cap

FIELDS = ("title", "text", "priority", "effort", "impact")
# every family fills these; the cohesion family also the slots of its own insights (COHESION_SLOTS)
SLOTS = ("leaders", "concentration", "outliers", "no_ranking", "groups", "largest", "multi", "singletons", "always")
COHESION_SLOTS = ("dangling", "periphery")
# the slots of the path and pair insights (graph_agents.reports.paths, .pairs), advised per algorithm
SHAPE_SLOTS = ("route", "intermediaries", "neighbourhood", "cycles", "pairs", "identical")
# the slot of an analysis that did not run because a name in its ask did not resolve (any family)
OUTCOME_SLOTS = ("unresolved",)
# the insight's first evidence key -> the slot it fills
SLOT_OF_EVIDENCE = {
    "top": "leaders", "top1pct_share": "concentration", "outlier_count": "outliers", "quantiles": "no_ranking",
    "count": "groups", "largest_size": "largest", "non_trivial": "multi", "singletons": "singletons",
    # cohesion (graph_agents.reports.cohesion): bridges, cut points hanging on one vertex, the periphery
    "bridges": "leaders", "cut_off_one": "dangling", "value_counts": "periphery", "zero_count": "periphery",
    # paths and pairs
    "path": "route", "paths_found": "route", "on_every_path": "intermediaries", "reached": "neighbourhood",
    "cycles": "cycles", "pairs": "pairs", "identical_pairs": "identical",
    # an entity outcome (graph_agents.reports.build.entity_report)
    "entities": "unresolved",
}
LEVELS = ("high", "medium", "low")


def _a(title: str, text: str, priority: str, effort: str, impact: str) -> dict[str, str]:
    return {"title": title, "text": text, "priority": priority, "effort": effort, "impact": impact}


FAMILY_ADVICE: dict[str, dict[str, dict[str, str] | None]] = {
    "centrality": {
        "leaders": _a("Act first on the top {nodes}", "Start with the {nodes} ranked highest above: they hold the largest share of {measure}.",
                      "high", "low", "Effort goes where the {measure} is."),
        "concentration": _a("Watch how concentrated {measure} is", "Track the top-1% share at each run; a rising share means more depends on a few {nodes}.",
                            "medium", "low", "Early warning on dependence."),
        "outliers": _a("Check the outlying {nodes}", "Confirm by hand each {node} ranked far above the rest: a genuine hub or a data error.",
                       "medium", "medium", "Fewer surprises, cleaner data."),
        "no_ranking": _a("Rank on relations that lead to the {nodes}", "No {node} ranks above another here; rerun on edges that point at the {nodes} (see Collections).",
                         "medium", "low", "A ranking that means something."),
    },
    "community": {
        "groups": _a("Plan per {group}", "Treat each {group} as one unit, starting with the largest.",
                     "medium", "medium", "Actions that fit how the {nodes} are organised."),
        "largest": _a("Review the largest {group}", "Look at who is in the {group} named above and what joins them: one action there touches the most {nodes}.",
                      "high", "medium", "The biggest audience understood before acting."),
        "multi": _a("Review the {groups} of several {nodes}", "Check each {group} named above, largest first.",
                    "high", "medium", "Every {group} explained."),
        "singletons": _a("Decide about the {nodes} in a {group} of their own", "These {nodes} joined no other {node}: link them to a {group} or leave them out of {group} plans.",
                         "low", "low", "Plans that cover every {node}."),
    },
    "cohesion": {
        "leaders": _a("Start with the most tightly knit {nodes}", "The {nodes} named above sit deepest in dense, mutually linked neighbourhoods.",
                      "high", "low", "Attention on what holds the graph together."),
        "concentration": _a("Watch how much density sits with few {nodes}", "Track the top-1% share at each run: a rising share means the densest part shrinks to fewer {nodes}.",
                            "medium", "low", "Early warning on a thinning core."),
        "outliers": _a("Check the unusually dense {nodes}", "A {node} knit far more tightly than the rest is a genuine core member or duplicated links: check by hand.",
                       "medium", "medium", "Density that is real, not an artefact."),
        "no_ranking": _a("Look for density on other relations", "Every {node} is knit equally tightly here: no dense core stands out on these edges.",
                         "low", "low", "Effort not spent on a flat result."),
        "groups": _a("Work with the {groups}", "Treat each {group} of mutually linked {nodes} as one unit, densest first.",
                     "medium", "medium", "Actions that follow the dense structure."),
        "largest": _a("Review the largest {group}", "Check who is in the {group} named above and what knits them so tightly.",
                      "high", "medium", "The densest part understood."),
        "multi": _a("Review the {groups}", "Check each {group} named above: dense knots of {nodes}.",
                    "medium", "medium", "Every knot explained."),
        "singletons": _a("Note the loosely knit {nodes}", "These {nodes} belong to no dense core: they hang on few links.",
                         "low", "low", "A view of the periphery."),
        "dangling": _a("Tidy the dangling ends", "Review the {nodes} that hang on one link: a real end of the line, or a relationship missing from the data.",
                       "low", "low", "Cleaner data and fewer false alarms."),
        "periphery": _a("Strengthen the periphery", "{nodes} with few linked neighbours are loosely held: connect them into groups or check why they stay apart.",
                        "medium", "medium", "A more cohesive network."),
    },
    "paths": {
        "leaders": _a("Start with the best-placed {nodes}", "The {nodes} named above reach the others in the fewest hops: the quickest routes start there.",
                      "high", "low", "Faster routes, shorter distances."),
        "concentration": _a("Watch how reach concentrates", "Track the top-1% share at each run: a rising share means fewer {nodes} are within short distance of the rest.",
                            "medium", "low", "Early warning on longer routes."),
        "outliers": _a("Check the {nodes} at unusual distance", "A {node} far off the usual distance is a missing link or a data error: check the route by hand.",
                       "medium", "medium", "Routes that match reality."),
        "no_ranking": _a("No route stands out", "Every {node} is at the same distance from the rest on these edges: try the relations a route would follow.",
                         "low", "low", "Effort not spent on a flat result."),
        "groups": _a("Plan per {group}", "Treat each {group} of {nodes} that reach one another as one unit.",
                     "medium", "medium", "Routes planned where they exist."),
        "largest": _a("Review the largest {group}", "Check the routes inside the {group} named above: most distances run there.",
                      "high", "medium", "The main network of routes understood."),
        "multi": _a("Review the {groups}", "Check how each {group} named above is reached.",
                    "medium", "medium", "Every route explained."),
        "singletons": _a("Connect the unreachable {nodes}", "No route leads from these {nodes} to any other: add the missing link or clean them up.",
                         "low", "low", "No {node} left out of the routes."),
    },
    "similarity": {
        "leaders": _a("Start with the closest look-alikes", "The {nodes} named above resemble others the most: use them as templates for look-alike audiences.",
                      "high", "low", "Targeting built on real resemblance."),
        "concentration": _a("Watch how resemblance concentrates", "Track the top-1% share at each run: a rising share means a few {nodes} are similar to ever more of the rest.",
                            "medium", "low", "Early warning on duplicates."),
        "outliers": _a("Check the unusually similar {nodes}", "A {node} far more similar to others than the rest may be a duplicate or a copy: check by hand.",
                       "medium", "medium", "Duplicates found and merged."),
        "no_ranking": _a("Compare on other attributes", "Every {node} is equally similar to the rest here: these edges do not tell {nodes} apart.",
                         "low", "low", "Effort not spent on a flat result."),
        "groups": _a("Use each {group} as one audience", "Treat the {nodes} of each {group} as alike: one offer, one message.",
                     "medium", "medium", "Messages that fit."),
        "largest": _a("Review the largest {group}", "Check what the {nodes} of the {group} named above have in common.",
                      "high", "medium", "The largest look-alike audience understood."),
        "multi": _a("Review the {groups}", "Check each {group} named above for duplicates.",
                    "medium", "medium", "Cleaner records."),
        "singletons": _a("Note the {nodes} without a look-alike", "These {nodes} resemble no other: treat them one by one.",
                         "low", "low", "No {node} forced into the wrong audience."),
    },
    "propagation": {
        "leaders": _a("Check the most exposed {nodes} first", "The {nodes} named above took the most of the spread label: review them before the rest.",
                      "high", "medium", "Exposure handled where it is highest."),
        "concentration": _a("Watch how exposure concentrates", "Track the top-1% share at each run: a rising share means the label piles up on fewer {nodes}.",
                            "medium", "low", "Early warning on spread."),
        "outliers": _a("Check the unusually exposed {nodes}", "A {node} far more exposed than the rest sits next to many labelled ones: confirm by hand.",
                       "medium", "medium", "Exposure confirmed, not assumed."),
        "no_ranking": _a("Seed more labels", "The label spread evenly: add known labels so that exposure can tell {nodes} apart.",
                         "low", "low", "Exposure that means something."),
        "groups": _a("Act on each {group}", "Treat the {nodes} that took each label as one list, starting with the largest.",
                     "medium", "medium", "Every labelled {node} handled."),
        "largest": _a("Review the {nodes} that took the widest label", "Check who took the label named above and through which links it spread: exposure is not proof.",
                      "high", "medium", "Spread confirmed before acting."),
        "multi": _a("Review the {groups}", "Check each {group} named above.", "medium", "medium", "Every spread explained."),
        "singletons": _a("Check the {nodes} with a label of their own", "These {nodes} kept a label of their own: no labelled neighbour passed one on to them.",
                         "low", "low", "A view of what is not exposed."),
    },
}

COMMON_ADVICE: dict[str, dict[str, str] | None] = {
    "unresolved": _a("Name the entity again", "Ask again with one of the candidates listed above, by its id, key or display name.",
                     "high", "low", "The analysis runs on the entity that was meant."),
}

ALGORITHM_ADVICE: dict[str, dict[str, dict[str, str] | None]] = {
    "shortest_path": {
        "route": _a("Review the chain link by link", "Check each relationship on the path named above, from one end to the other: each step is a claim to verify.",
                    "medium", "low", "A documented, explainable connection."),
    },
    "all_shortest_paths": {
        "route": _a("Compare the alternative routes", "Each shortest path is an equally short way between the two {nodes}: check which carry real traffic.",
                    "medium", "low", "Know which routes matter."),
        "intermediaries": _a("Watch the intermediaries every route needs", "The {nodes} every shortest path passes through control the connection: monitor or back them up.",
                             "high", "medium", "No hidden single point between the two."),
    },
    "k_hop": {
        "neighbourhood": _a("Review the neighbourhood nearest first", "Start with the {nodes} one hop from the named ones, then widen: the fewer the hops, the closer the tie.",
                            "high", "medium", "The closest ties checked first."),
    },
    "simple_cycles": {
        "cycles": _a("Investigate the cycles, shortest first", "Each cycle named above returns to where it started: check whether value really moved round it.",
                     "high", "medium", "Circular flows caught with their members."),
    },
    "node_similarity": {
        "pairs": _a("Review the closest pairs first", "Check the pairs named above, closest first: a merge, a shared owner or a look-alike to target together.",
                    "high", "medium", "Duplicates merged and look-alikes found."),
        "identical": _a("Merge or investigate the identical pairs", "{nodes} with exactly the same neighbours are the likeliest duplicates: confirm and merge them.",
                        "high", "low", "Cleaner records, fewer hidden duplicates."),
    },
    "similar_to": {
        "pairs": _a("Treat the closest look-alikes like the entity itself", "The {nodes} most alike to the named one share its neighbours: contact, review or recommend them alike.",
                    "medium", "low", "Actions that extend to look-alikes."),
    },
    "articulation_points": {
        "leaders": _a("Add redundancy where one failure splits the network", "Give each {node} named above a backup (a second supplier, a deputy, a second link), starting with the one that cuts off the most {nodes}.",
                      "high", "medium", "No single failure cuts part of the network off."),
    },
    "bridges": {
        "leaders": _a("Add a second link beside each cut link", "Give each relationship named above a parallel link, starting with the one that cuts off the most {nodes}.",
                      "high", "medium", "No single broken link cuts part of the network off."),
    },
    "betweenness": {
        "leaders": _a("Look after the {nodes} that bridge the rest", "The {nodes} named above sit between the most pairs of other {nodes}: keep them engaged and plan a second bridge beside each.",
                      "high", "medium", "Nothing hinges on one {node}."),
        "outliers": _a("Check the outlying {nodes}", "Confirm by hand each {node} far above the rest: a genuine bridge or a data error.",
                       "medium", "medium", "Fewer surprises, cleaner data."),
    },
    "wcc": {
        "largest": _a("Review the largest {group}", "Check what links the members of the {group} named above: links shared far beyond the usual are the signal.",
                      "high", "medium", "Risk found before it grows."),
        "singletons": _a("Re-engage or clean up the unconnected {nodes}", "These {nodes} have no link to any other {node} here: re-engage them or clean them up.",
                         "low", "low", "A more connected graph."),
    },
    "scc": {
        "groups": None,  # the loops are the finding (``multi``); most strongly connected groups are singletons
        "largest": None,
        "multi": _a("Trace the {groups}", "Follow each {group} named above around and confirm whether it has a legitimate reason.",
                    "high", "medium", "Circular flows stopped or explained."),
        "singletons": None,  # a vertex in no loop is the normal case, not a finding
    },
}

# what each group is called, per family (the vertical translates the word through its terms)
GROUP_WORDS = {
    "cohesion": ("dense core", "dense cores"),
    "paths": ("reachable set", "reachable sets"),
    "similarity": ("look-alike group", "look-alike groups"),
    "propagation": ("label", "labels"),
}
# what a score measures, per algorithm, then per family ("{influence}" is the vertical's term)
MEASURES = {"pagerank": "{influence}", "betweenness": "the bridging between {nodes}"}
FAMILY_MEASURES = {"centrality": "{influence}", "cohesion": "density", "paths": "reach",
                   "similarity": "resemblance", "propagation": "exposure"}


def group_words(algo: Algorithm, v: Vertical) -> tuple[str, str]:
    """What the vertical calls this algorithm's groups: (plural, singular)."""
    if algo.family == "community" or algo.family not in GROUP_WORDS:
        base = "cycle" if algo.name == "scc" else "component" if algo.name == "wcc" else "community"
        return v.term("communities" if base == "community" else base + "s"), v.term(base)
    one, many = GROUP_WORDS[algo.family]
    return v.term(many), v.term(one)


def measure(algo: Algorithm, v: Vertical, nodes: Nouns) -> str:
    text = MEASURES.get(algo.name) or FAMILY_MEASURES.get(algo.family) or f"the total {algo.title}"
    return text.format(influence=v.term("influence"), nodes=nodes.plural)


def advice_for(algo: Algorithm, vertical: Vertical) -> dict[str, dict[str, str] | None]:
    """The advice per slot for ``algo`` in ``vertical``: family, then algorithm, then the vertical's
    family and algorithm entries, each overriding the one before field by field."""
    out: dict[str, dict[str, str] | None] = {**COMMON_ADVICE, **FAMILY_ADVICE.get(algo.family, {})}
    layers = [ALGORITHM_ADVICE.get(algo.name, {}), vertical.advice.get(algo.family, {}), vertical.advice.get(algo.name, {})]
    for layer in layers:
        for slot, entry in layer.items():
            if entry is None:
                out[slot] = None
            else:
                out[slot] = {**(out.get(slot) or {}), **entry}
    return out


def _fill(text: str, words: dict[str, str]) -> str:
    return text.format(**words)


def recommendations(algo: Algorithm, insights: list[Insight], vertical: Vertical, nodes: Nouns | None = None) -> list[Recommendation]:
    """One recommendation per insight whose slot has advice, plus the ``always`` advice.

    ``algo`` decides the family (``algo.family``) and the per-algorithm entries; ``nodes`` names
    the report's entity (default: the vertical's ``nodes`` term). Detector (``D*``) and change
    (``C*``) insights get their advice elsewhere (``detectors.detector_recommendations``).
    """
    nodes = nodes or Nouns(vertical.term("node"), vertical.term("nodes"))
    groups, group = group_words(algo, vertical)
    words = {"nodes": nodes.plural, "node": nodes.singular, "them": nodes.them, "groups": groups, "group": group,
             "influence": vertical.term("influence"), "broker": vertical.term("broker")}
    words["measure"] = measure(algo, vertical, nodes)
    table = advice_for(algo, vertical)
    out: list[Recommendation] = []

    def add(entry: dict[str, Any], insight_ids: list[str]) -> None:
        out.append(Recommendation(
            id=f"R{len(out) + 1}", title=cap(_fill(entry["title"], words)), description=_fill(entry["text"], words),
            priority=entry.get("priority", "medium"), effort=entry.get("effort", "medium"),
            impact=_fill(entry.get("impact", ""), words), insight_ids=insight_ids,
        ))

    for ins in insights:
        if not ins.id.startswith("I") or not ins.evidence:
            continue
        entry = table.get(SLOT_OF_EVIDENCE.get(ins.evidence[0], ""))
        if entry:
            add(entry, [ins.id])
    if table.get("always"):
        add(table["always"], [])
    return out


def check_advice(advice: Any, where: str, algorithms: set[str]) -> str | None:
    """Why a vertical's ``advice`` field is wrong, or None (used by ``verticals.validate_vertical``)."""
    for key, slots in advice.items():
        if key not in FAMILIES and key not in algorithms:
            return f"{where}advice: {key!r} is neither a family ({', '.join(FAMILIES)}) nor a known algorithm"
        for slot, entry in slots.items():
            known = SLOTS + COHESION_SLOTS + SHAPE_SLOTS + OUTCOME_SLOTS
            if slot not in known:
                return f"{where}advice.{key}: unknown slot {slot!r}; known: {', '.join(known)}"
            unknown = set(entry) - set(FIELDS)
            if unknown:
                return f"{where}advice.{key}.{slot}: unknown field(s) {sorted(unknown)}; known: {', '.join(FIELDS)}"
            for level in ("priority", "effort"):
                if level in entry and entry[level] not in LEVELS:
                    return f"{where}advice.{key}.{slot}.{level}: {entry[level]!r} is not one of {', '.join(LEVELS)}"
            for name, text in entry.items():
                try:
                    text.format(nodes="", node="", them="", groups="", group="", measure="", influence="", broker="")
                except (KeyError, IndexError, ValueError) as exc:
                    return f"{where}advice.{key}.{slot}.{name}: unknown placeholder or bad braces ({exc})"
    return None


__all__ = ["ALGORITHM_ADVICE", "COHESION_SLOTS", "COMMON_ADVICE", "OUTCOME_SLOTS", "FAMILY_ADVICE", "SHAPE_SLOTS", "SLOTS", "advice_for", "check_advice", "group_words", "measure", "recommendations"]
