"""Reports: facts and detectors on graphs with known answers, baselines, grounding, HTML escaping."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
from langgraph.graph import END, START, StateGraph

from graph_agents.context import Context
from graph_agents.engines import LocalEngine
from graph_agents.graph import route_templates
from graph_agents.models import AnalysisTemplate, Insight, Report, UseCase, Vertical
from graph_agents.nodes.analyze import analyze
from graph_agents.catalog import open_catalog
from graph_agents.reports.baseline import baseline_key, find_baseline
from graph_agents.reports.facts import compute_facts, gini
from graph_agents.reports.grounding import ground_report
from graph_agents.reports.html import render_index, render_report
from graph_agents.settings import Settings
from graph_agents.state import State
from graph_agents.stores import LocalGraphStore
from graph_agents.verticals import load_vertical

XSS = "<script>alert(1)</script>"


# ------------------------------------------------------------------------------------- facts


def test_score_facts_known_answers():
    values = {f"v/{i}": float(i) for i in range(1, 101)}  # 1..100, total 5050
    f = compute_facts("score", values, (0.2,))
    assert f["count"] == 100 and f["total"] == 5050
    assert f["top"][0] == {"id": "v/100", "score": 100.0}
    assert f["top1pct_share"] == round(100 / 5050, 4)
    assert f["top10pct_share"] == round(sum(range(91, 101)) / 5050, 4)
    assert f["top_shares"]["0.2"] == round(sum(range(81, 101)) / 5050, 4)
    assert f["leader_share"] == round(100 / 5050, 4) and f["lead_ratio"] == round(100 / 99, 4)
    assert f["quantiles"]["median"] == 50.5 and f["outlier_count"] == 0
    assert sum(f["distribution"]["counts"]) == 100 and f["distribution"]["zeros"] == 0
    assert gini(np.array([0, 0, 0, 1.0])) == pytest.approx(0.75)
    assert gini(np.ones(10)) == pytest.approx(0.0)
    # one huge value among equals is an outlier
    skewed = compute_facts("score", {**{f"v/{i}": 1.0 + i % 3 for i in range(50)}, "v/x": 500.0})
    assert skewed["outlier_count"] == 1 and skewed["top"][0]["id"] == "v/x"


def test_partition_facts_known_answers():
    values = {**{f"a/{i}": "big" for i in range(6)}, **{f"a/m{i}": "mid" for i in range(3)}, "a/s1": "s1", "a/s2": "s2"}
    f = compute_facts("partition", values)
    assert (f["count"], f["vertices"], f["largest_size"], f["second_size"]) == (4, 11, 6, 3)
    assert f["largest_share"] == round(6 / 11, 4) and f["largest_to_second"] == 2.0
    assert (f["singletons"], f["non_trivial"]) == (2, 2)
    assert f["size_counts"] == {"6": 1, "3": 1, "1": 2}
    assert f["size_histogram"]["1"] == 2 and f["size_histogram"]["2-4"] == 1 and f["size_histogram"]["5-9"] == 1
    assert f["groups"][0]["label"] == "big" and f["groups"][0]["collections"] == {"a": 6}


# ---------------------------------------------------------------------------- detectors (graphs)


def fraud_graph(ring_size: int = 6) -> nx.DiGraph:
    """A ring of accounts sharing two devices, ten ordinary account/device pairs, a 3-cycle and a
    2-cycle of transfers, and a broker account joining two cliques of referrals."""
    G = nx.DiGraph()
    ring = [f"accounts/r{i}" for i in range(ring_size)]
    for a in ring:
        G.add_node(a, name="Route 66 Holdings" if a == "accounts/r0" else f"Ring member {a[-2:]}")
        G.add_edge(a, "devices/shared1", kind="uses")
        G.add_edge(a, "devices/shared2", kind="uses")
    for i in range(10):
        G.add_node(f"accounts/n{i}", name=f"Normal {i}")
        G.add_edge(f"accounts/n{i}", f"devices/own{i}")
    return G


def transfers_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_edges_from([("sellers/s1", "sellers/s2"), ("sellers/s2", "sellers/s3"), ("sellers/s3", "sellers/s1"),
                      ("sellers/s4", "sellers/s5"), ("sellers/s5", "sellers/s4"), ("sellers/s6", "sellers/s1")])
    return G


def barbell_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    left, right = [f"accounts/L{i}" for i in range(5)], [f"accounts/R{i}" for i in range(5)]
    for clique in (left, right):
        G.add_edges_from((u, v) for u in clique for v in clique if u != v)
    G.add_node("accounts/broker", name="Bridge & <Co>")
    G.add_edges_from([("accounts/L0", "accounts/broker"), ("accounts/broker", "accounts/L0"),
                      ("accounts/R0", "accounts/broker"), ("accounts/broker", "accounts/R0")])
    return G


def _template(tid: str, algorithm: str, vertex: list[str], edge: list[str], **params) -> AnalysisTemplate:
    return AnalysisTemplate(id=tid, use_case_id="UC-001", title=f"{algorithm} test", algorithm=algorithm,
                            parameters=params, vertex_collections=vertex, edge_collections=edge)


def _one_analysis():
    """The analyze node alone, as the workflow's Send target runs it: sent its template, the rest
    read from the workflow's state."""
    g = StateGraph(State, context_schema=Context)
    g.add_node("analyze", analyze)
    g.add_conditional_edges(START, route_templates, ["analyze", END])
    g.add_edge("analyze", END)
    return g.compile()


ONE_ANALYSIS = _one_analysis()


async def _report(store, template, vertical, workspace, run_id="run1") -> Report:
    settings = Settings().model_copy(update={"home": workspace})
    ctx = Context(store=store, engine=LocalEngine(), settings=settings, catalog=open_catalog(workspace))
    use_case = UseCase(id="UC-001", title="test", algorithm=template.algorithm)
    try:
        out = await ONE_ANALYSIS.ainvoke(
            {"run_id": run_id, "templates": [template.dump()], "use_cases": [use_case.dump()], "vertical": vertical.dump()},
            context=ctx,
        )
    finally:
        await ctx.catalog.aclose()
    assert out["execution_results"][template.id]["status"] == "completed", out.get("errors")
    return Report.model_validate(out["reports"][f"R-{template.id.removeprefix('T-')}"])


def _store(G, tmp_path, edge="edges"):
    return LocalGraphStore.from_networkx(G, edge_collection=edge, results_dir=tmp_path / "ws" / "results")


async def test_large_component_detector_names_the_ring(tmp_path):
    store = _store(fraud_graph(), tmp_path, "uses")
    rep = await _report(store, _template("T-001", "wcc", ["accounts", "devices"], ["uses"]), load_vertical("fraud"), tmp_path / "ws")
    det = rep.facts["detections"]["shared_device_ring"]
    assert det["fired"] and det["matches"] == 1 and det["vertices"] == 8 and det["sizes"] == [8]
    ins = next(i for i in rep.insights if i.id.startswith("D"))
    ring = {f"accounts/r{i}" for i in range(6)} | {"devices/shared1", "devices/shared2"}
    assert set(ins.entities) == ring
    assert "linked-account ring" in ins.title and "Route 66 Holdings (accounts/r0)" in ins.description
    assert "detections.shared_device_ring" in ins.evidence and 0.6 <= ins.confidence <= 0.95
    assert any(r.insight_ids == [ins.id] for r in rep.recommendations)
    # the name's "66" is a name, not a claim: nothing was removed
    assert rep.grounding["removed"] == 0 and rep.grounding["checked"] > 5


async def test_cycle_detector_and_no_false_fire(tmp_path):
    store = _store(transfers_graph(), tmp_path, "transfers")
    rep = await _report(store, _template("T-002", "scc", ["sellers"], ["transfers"]), load_vertical("fraud"), tmp_path / "ws")
    det = rep.facts["detections"]["round_trip_flows"]
    assert det["fired"] and det["matches"] == 1 and det["sizes"] == [3]  # the 2-cycle is below min_size 3
    ins = next(i for i in rep.insights if i.id.startswith("D"))
    assert set(ins.entities) == {"sellers/s1", "sellers/s2", "sellers/s3"}
    assert "round-trip money flow" in ins.title
    # same graph, a detector whose threshold is not met stays silent but keeps its measurement
    strict = load_vertical("fraud").model_copy(update={"detectors": [
        {"name": "big_loops", "algorithm": "scc", "kind": "cycle", "min_size": 4, "description": "loops"}]})
    rep2 = await _report(store, _template("T-003", "scc", ["sellers"], ["transfers"]), strict, tmp_path / "ws2")
    assert rep2.facts["detections"]["big_loops"] == {**rep2.facts["detections"]["big_loops"], "fired": False, "matches": 0}
    assert not any(i.id.startswith("D") for i in rep2.insights)


async def test_dominant_broker_detector(tmp_path):
    store = _store(barbell_graph(), tmp_path, "referred")
    rep = await _report(store, _template("T-004", "betweenness", ["accounts"], ["referred"]), load_vertical("fraud"), tmp_path / "ws")
    det = rep.facts["detections"]["mule_intermediary"]
    assert det["fired"] and det["leader"] == "accounts/broker" and det["leader_share"] >= 0.05
    ins = next(i for i in rep.insights if i.id.startswith("D"))
    assert ins.entities == ["accounts/broker"] and "Bridge & <Co>" in ins.title
    assert "intermediary account" in ins.title.lower() or "mule" in ins.title.lower()
    # the "times the next" ratio is a fact, so the sentence survives grounding
    assert f"{readable(rep.facts['lead_ratio'])} times the next" in ins.description
    assert rep.grounding["removed"] == 0


async def test_concentration_and_isolated_groups_detectors(tmp_path):
    star = nx.DiGraph()
    star.add_edges_from((f"products/leaf{i}", "products/hub") for i in range(20))
    rep = await _report(_store(star, tmp_path, "purchased"), _template("T-005", "pagerank", ["products"], ["purchased"]),
                        load_vertical("ecommerce"), tmp_path / "ws")
    det = rep.facts["detections"]["bestseller_concentration"]
    assert det["fired"] and det["top_count"] == 4 and det["ratio"] >= 2
    assert next(i for i in rep.insights if i.id.startswith("D")).entities[0] == "products/hub"
    # the same concentration among customers is no "best-seller": that detector is about products
    people = nx.relabel_nodes(star, lambda v: v.replace("products/", "customers/"))
    rep = await _report(_store(people, tmp_path, "referred"), _template("T-007", "pagerank", ["customers"], ["referred"]),
                        load_vertical("ecommerce"), tmp_path / "ws")
    assert "bestseller_concentration" not in rep.facts.get("detections", {})
    assert not any(i.id.startswith("D") for i in rep.insights) and rep.facts["count"] == 21

    two = nx.DiGraph()
    for name in ("a", "b", "c", "d"):  # four tight communities: a and b closed, c and d linked to each other
        members = [f"customers/{name}{i}" for i in range(4)]
        two.add_edges_from((u, v) for u in members for v in members if u != v)
    two.add_edges_from((f"customers/c{i}", f"customers/d{i}") for i in range(4))  # 12 inside, 4 out: 75%
    rep = await _report(_store(two, tmp_path, "bought_with"), _template("T-006", "label_propagation", ["customers"], ["bought_with"]),
                        load_vertical("ecommerce"), tmp_path / "ws")
    det = rep.facts["detections"]["isolated_segments"]
    assert det["fired"] and det["matches"] == 2 and det["isolation"] == [1.0, 1.0]
    closed = [g for g in rep.groups if g.get("isolation") == 1.0 and g["size"] >= 3]
    assert {m[10] for g in closed for m in g["members"]} == {"a", "b"} and all(g["internal_edges"] == 12 for g in closed)
    linked = [g for g in rep.groups if g["members"][0][10] in "cd"]
    assert [(g["size"], g["isolation"]) for g in linked] == [(4, 0.75), (4, 0.75)]


# ----------------------------------------------------------------------------------- baseline


async def test_baseline_from_the_previous_run(tmp_path):
    fraud = load_vertical("fraud")
    ws = tmp_path / "ws"
    first = await _report(_store(fraud_graph(6), tmp_path, "uses"), _template("T-001", "wcc", ["accounts", "devices"], ["uses"]), fraud, ws, "run-a")
    assert "changes" not in first.facts and not any(i.id == "C1" for i in first.insights)
    # another run: a different template id, the same analysis, and the ring has grown by three
    store = _store(fraud_graph(9), tmp_path, "uses")
    template = _template("T-007", "wcc", ["accounts", "devices"], ["uses"])
    second = await _report(store, template, fraud, ws, "run-b")
    changes = second.facts["changes"]
    assert changes["baseline_run"] == "run-a" and changes["baseline_template"] == "T-001"
    assert changes["metrics"]["largest_size"] == {**changes["metrics"]["largest_size"], "before": 8, "now": 11, "delta": 3}
    change = next(i for i in second.insights if i.id == "C1")
    assert "largest group 8 → 11" in change.description and second.grounding["removed"] == 0
    # a different analysis has no baseline; without a catalog there is none either
    ctx = Context(store=store, engine=LocalEngine(), settings=Settings().model_copy(update={"home": ws}),
                  catalog=open_catalog(ws))
    assert await find_baseline(ctx, _template("T-008", "scc", ["accounts"], ["uses"]), "run-c") is None
    assert baseline_key(template, store) == baseline_key(_template("T-001", "wcc", ["devices", "accounts"], ["uses"]), store)
    assert (await find_baseline(ctx, template, "run-c")).run_id == "run-b"
    await ctx.catalog.aclose()
    ctx.catalog = None
    assert await find_baseline(ctx, template, "run-c") is None


# ---------------------------------------------------------------------------------- grounding


def test_grounding_removes_a_planted_wrong_number():
    facts = compute_facts("partition", {**{f"a/{i}": "x" for i in range(8)}, "a/y": "y", "a/z": "z"})
    report = Report(
        id="R-1", title="t", algorithm="wcc", use_case_id="UC", template_id="T",
        summary="3 groups among 10 accounts. The ring holds 97 accounts. The largest has 8 members (80.0%).",
        insights=[
            Insight(id="I1", title="Largest ring: 8 members", description="It has 8 members. It is 3.7 times the next."),
            Insight(id="I2", title="A ring of 42 accounts", description="Fully made up."),  # wrong number in the title
            Insight(id="L1", title="From the model", description="Unit 731 Traders (a/1) leads with 8 members."),
        ],
        recommendations=[],
    )
    out = ground_report(report, facts, mask=["Unit 731 Traders", "a/1"])
    assert out.summary == "3 groups among 10 accounts. The largest has 8 members (80.0%)."
    assert [i.id for i in out.insights] == ["I1", "L1"]
    assert out.insights[0].description == "It has 8 members."  # 3.7 is not the 8/1 ratio
    removed = {r["sentence"]: r["numbers"] for r in out.grounding["removed_sentences"]}
    assert removed["The ring holds 97 accounts."] == ["97"]
    assert removed["A ring of 42 accounts"] == ["42"] and removed["It is 3.7 times the next."] == ["3.7"]
    assert removed["Fully made up."] == []  # grounded, but its insight went with the wrong title
    assert out.grounding["removed"] == 4 and out.grounding["checked"] == 11  # the title, 3 summary sentences, 3 insight titles, 4 description sentences
    assert out.dump()["grounding"]["checked"] == out.grounding["checked"]
    # grounding again is a no-op; an appended (say, LLM) insight with a wrong number is removed and counted
    assert ground_report(out, facts, mask=["Unit 731 Traders", "a/1"]).grounding == out.grounding
    more = out.model_copy(update={"insights": [*out.insights, Insight(id="L2", title="Model", description="Top 1% hold 55.5%.")]})
    again = ground_report(more, facts, mask=["Unit 731 Traders"])
    assert [i.id for i in again.insights] == ["I1", "L1"] and again.grounding["checked"] == 13
    assert again.grounding["removed"] == 6  # its sentence with 55.5%, and its title that is left with nothing
    assert [r["numbers"] for r in again.grounding["removed_sentences"][-2:]] == [["55.5%"], []]


# ------------------------------------------------------------------------------------- HTML


def _hostile_report() -> Report:
    return Report(
        id="R-9", title=f"Title {XSS}", algorithm="pagerank", use_case_id="UC-1", template_id="T-9",
        summary=f"Summary {XSS}",
        facts={"kind": "score", "count": 2, "distribution": {"scale": "linear", "edges": [0.1, 0.5, 0.9], "counts": [1, 1], "zeros": 0}},
        top_results=[{"id": "p/1", "score": 0.9, "name": '<img src=x onerror="alert(2)">'}, {"id": "p/2", "score": 0.1}],
        insights=[Insight(id="I1", title=XSS, description=XSS, evidence=[XSS])],
        grounding={"checked": 1, "removed": 1, "removed_sentences": [{"where": "summary", "sentence": XSS, "numbers": ["1"]}]},
    )


def test_html_escapes_every_text():
    page = render_report(_hostile_report())
    assert "<script>" not in page and "<img" not in page and "onerror=\"" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page
    assert page.count("<svg") == 2  # top-k bars and the distribution, drawn inline
    index = render_index({"thread_id": XSS, "status": "completed", "documents": [XSS], "objectives": [XSS],
                          "requirements": [{"id": "REQ-1", "priority": "high", "text": XSS}],
                          "use_cases": [{"id": "UC-1", "title": XSS, "algorithm": "pagerank", "priority": "high", "requirement_ids": []}],
                          "executions": [{"template_id": "T-2", "algorithm": "wcc", "status": "failed", "error": XSS}],
                          "errors": [{"node": "analyze", "template_id": "T-2", "error": XSS}], "reports": []},
                         [_hostile_report()], {"R-9": "R-9.html"})
    assert "<script>" not in index and index.count("&lt;script&gt;") >= 6 and 'href="R-9.html"' in index


def test_report_json_carries_grounding(tmp_path):
    from graph_agents.reports import write_report_files

    paths = write_report_files(_hostile_report(), tmp_path, ["json", "html", "markdown"])
    data = json.loads(open(paths["json"]).read())
    assert data["grounding"]["checked"] == 1 and data["grounding"]["removed"] == 1
    assert open(paths["html"]).read().startswith("<!doctype html>")
    assert "Grounding: 1 sentences checked" in open(paths["markdown"]).read()


def test_cli_format_option(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from graph_agents.cli import app

    monkeypatch.chdir(tmp_path)
    cli = CliRunner()
    res = cli.invoke(app, ["run", "--demo", "--output", "out", "--workspace", "ws", "--format", "html"])
    assert res.exit_code == 0, res.output
    written = {p.suffix for p in (tmp_path / "out" / "reports").iterdir()}
    assert written == {".html"} and (tmp_path / "out" / "reports" / "index.html").is_file()
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert all(set(r["paths"]) == {"html"} for r in run["reports"])
    # a second run of the same templates compares against the first
    res = cli.invoke(app, ["run", "--demo", "--output", "out2", "--workspace", "ws", "--format", "json"])
    assert res.exit_code == 0, res.output
    for rep in run["reports"]:
        body = json.loads((tmp_path / "out2" / "reports" / f"{rep['id']}.json").read_text())
        assert body["facts"]["changes"]["baseline_run"] == run["thread_id"]
        assert body["grounding"]["checked"] > 0 and body["grounding"]["removed"] == 0
    bad = cli.invoke(app, ["run", "--demo", "--output", "o", "--workspace", "ws", "--format", "pdf"])
    assert bad.exit_code == 2 and bad.output.strip().startswith("error:")


def test_group_isolation_vectorised_matches_the_plain_loop():
    from graph_agents.reports.facts import group_isolation

    rng = np.random.default_rng(3)
    ids = [f"v/{i}" for i in range(300)]
    single = {v: int(rng.integers(0, 12)) for v in ids}
    edges = [tuple(map(int, e)) for e in rng.integers(0, 300, size=(900, 2))]
    fast, slow = compute_facts("partition", single), compute_facts("partition", {v: [x] for v, x in single.items()})
    group_isolation(fast, single, ids, edges)
    group_isolation(slow, {v: [x] for v, x in single.items()}, ids, edges)  # list labels take the loop
    key = [(g["label"], g["internal_edges"], g["boundary_edges"], g["isolation"]) for g in fast["groups"]]
    assert key == [(g["label"], g["internal_edges"], g["boundary_edges"], g["isolation"]) for g in slow["groups"]]
    assert sum(g["internal_edges"] for g in fast["groups"]) == sum(1 for s, t in edges if single[ids[s]] == single[ids[t]])


# ----------------------------------------------------------- issue 17: answers, charts, advice, inert md

import dataclasses
import re as _re

from markdown_it import MarkdownIt

from graph_agents import algorithms
from graph_agents.answers import answers
from graph_agents.reports.advice import (ALGORITHM_ADVICE, COHESION_SLOTS, FAMILY_ADVICE, SLOT_OF_EVIDENCE, SLOTS, advice_for,
                                          recommendations)
from graph_agents.reports.charts import report_charts, score_bins
from graph_agents.reports.facts import score_histogram
from graph_agents.reports.render import md_text, to_markdown
from graph_agents.reports.wording import Nouns, pct, readable


@pytest.mark.parametrize("seed", range(40))
def test_histogram_bins_hold_the_minimum_and_the_maximum(seed):
    rng = np.random.default_rng(seed)
    values = rng.pareto(1 + rng.random() * 3, size=int(rng.integers(2, 3000))) * 10 ** rng.uniform(-9, 4)
    values[0] = 0.0  # betweenness-like zeros
    h = score_histogram(values)
    positive = values[values > 0]
    assert h["edges"][0] == positive.min() and h["edges"][-1] == positive.max()
    assert sum(h["counts"]) + h["zeros"] == values.size  # nothing falls outside the bins
    assert h["counts"][-1] >= 1 and h["counts"][0] >= 1  # the extremes are in the end bins


def test_planted_broker_is_in_the_chart_and_ties_are_described():
    # 1,000 customers no shortest path crosses (0), 997 ordinary ones spanning decades, one broker at 0.2
    rng = np.random.default_rng(0)
    scores = {f"customers/c{i}": 0.0 for i in range(1000)}
    scores.update({f"customers/d{i}": float(x) for i, x in enumerate(10 ** rng.uniform(-5.2, -1, 997))})
    scores["customers/broker"] = 0.2
    f = compute_facts("score", scores)
    assert f["floor"] == {"value": 0.0, "count": 1000, "share": round(1000 / 1998, 4)}
    assert f["distribution"]["edges"][-1] == 0.2 and sum(f["distribution"]["counts"]) == 998
    report = Report(id="R-1", title="t", algorithm="betweenness", use_case_id="U", template_id="T",
                    summary="s", facts={k: v for k, v in f.items() if k != "top"}, top_results=f["top"])
    svg = "".join(str(c) for c in report_charts(report))
    assert "max 0.2" in svg and "e-0" not in svg  # the axis ends at the broker; no 2.865e-05
    assert "1,000 tied at the lowest score 0 are described, not drawn" in svg
    assert not any(label == "0" for label, _ in score_bins(f["distribution"]))  # the tied block is not a bar


def test_readable_numbers():
    assert readable(2.865161365567582e-05) == "0.0000287"
    assert readable(1961) == "1,961" and readable(2418.4) == "2,418" and readable(0.2000370) == "0.2"
    assert readable(1.0119) == "1.01" and readable(0.0) == "0" and readable(521.0) == "521"
    assert pct(0.1116) == "11.2%" and pct(0.00033) == "0.033%"


def test_plurals_and_pronouns_follow_the_vertical():
    ecommerce = load_vertical("ecommerce")
    customers, sellers = Nouns.of(ecommerce, ["customers"]), Nouns.of(ecommerce, ["sellers"])
    assert customers.count(1) == "1 customer" and customers.count(2000) == "2,000 customers"
    assert customers.them == "them" and sellers.them == "it"
    assert Nouns.of(ecommerce, ["customers", "products"]).count(1) == "1 customer or product"


# concept words each family owns: advice for one family must use none of another's. A cycle (or
# loop) is a closed path with its members: the paths family's (simple_cycles); the community
# family's strongly connected groups are "cycles" only through the vertical's terms, which are its call
CONCEPTS = {
    "centrality": ["influen", "broker", "bridg", "hub", "central", "rank"],
    "community": ["communit", "segment", "cluster", "component"],
    "cohesion": ["dense", "densit", "knit", "core", "triangle"],
    "paths": ["route", "hop", "distance", "reach", "path", "cycle", "loop"],
    "similarity": ["similar", "alike", "resembl"],
    "propagation": ["label", "spread", "expos", "seed", "contagi"],
}


def _family_algorithms():
    """One catalog algorithm per family as it stands, and for the families no algorithm has yet
    a stand-in of each kind (their advice must be ready for the algorithms being added)."""
    out = []
    for family in algorithms.FAMILIES:
        real = [a for a in algorithms.CATALOG.values() if a.family == family]
        out += real or [dataclasses.replace(algorithms.get(base), name=f"{family}_{kind}", family=family, kind=kind)
                        for base, kind in (("pagerank", "score"), ("label_propagation", "partition"))]
    return out


@pytest.mark.parametrize("vertical_name", ["generic", "ecommerce", "fraud"])
def test_advice_never_names_another_familys_concepts(vertical_name):
    """Every algorithm's advice for every slot an insight can fill: the family's and the
    algorithm's own (ALGORITHM_ADVICE: a route, a cycle, a pair...), as the reports look it up."""
    vertical = load_vertical(vertical_name)
    nodes = Nouns("item", "items")
    insights = [Insight(id=f"I{i}", title="x", description="x", evidence=[ev]) for i, ev in enumerate(SLOT_OF_EVIDENCE, 1)]
    assert set(ALGORITHM_ADVICE) <= {a.name for a in _family_algorithms()}  # every per-algorithm entry is checked
    for algo in _family_algorithms():
        recs = recommendations(algo, insights, vertical, nodes)
        assert recs or algo.name == "scc" or algo.family, algo.name
        text = " ".join(f"{r.title} {r.description} {r.impact}" for r in recs).lower()
        for term in vertical.terms.values():  # the vertical's own words ("exposure" for influence) are its call
            text = text.replace(term.lower(), " ")
        for family, words in CONCEPTS.items():
            if family == algo.family:
                continue
            for word in words:
                # the vertical's own terms may carry a word ("cross-segment connector"): only ours count
                assert not _re.search(rf"\b{word}", text), f"{algo.name} ({algo.family}) advice says {word!r}: {text}"


def test_every_family_has_advice_for_every_finding():
    for family in algorithms.FAMILIES:
        assert family in FAMILY_ADVICE
    for family in ("cohesion", "paths", "similarity", "propagation"):  # score or partition: both kinds
        own = set(COHESION_SLOTS) if family == "cohesion" else set()
        assert set(FAMILY_ADVICE[family]) == set(SLOTS) - {"always"} | own


def test_vertical_overrides_and_adds_advice(tmp_path):
    base = load_vertical("generic")
    v = base.model_copy(update={"advice": {
        "centrality": {"leaders": {"title": "Call the top {nodes}"}},
        "pagerank": {"always": {"title": "Share this with sales", "text": "Send it to the sales team.", "priority": "low"}},
    }})
    algo = algorithms.get("pagerank")
    recs = recommendations(algo, [Insight(id="I1", title="t", description="d", evidence=["top"])], v, Nouns("lead", "leads"))
    assert [r.title for r in recs] == ["Call the top leads", "Share this with sales"]
    assert recs[0].description == FAMILY_ADVICE["centrality"]["leaders"]["text"].format(measure=base.term("influence"), nodes="leads")
    assert advice_for(algorithms.get("betweenness"), v)["leaders"]["title"] == "Call the top {nodes}"
    from graph_agents.verticals import VerticalError, validate_vertical

    with pytest.raises(VerticalError, match="unknown slot"):
        validate_vertical(base.model_copy(update={"advice": {"centrality": {"winners": {"title": "x"}}}}))
    with pytest.raises(VerticalError, match="neither a family"):
        validate_vertical(base.model_copy(update={"advice": {"astrology": {"leaders": {"title": "x"}}}}))
    with pytest.raises(VerticalError, match="placeholder"):
        validate_vertical(base.model_copy(update={"advice": {"paths": {"leaders": {"title": "{shoe}"}}}}))


HOSTILE = ["![t](http://host/track.png)", "[x](javascript:alert(1))", "\r# heading", "a | b || c", "`code` ``x``",
           "<img src=x onerror=alert(1)>", "<b>bold</b>", "1. list\u2028- item", "www.evil.com and a@b.org",
           "http://host/x", "**bold** _em_ ~~strike~~ $x$", "line\nbreak\r\n===", "&lt;script&gt;"]


def test_markdown_from_hostile_names_renders_inert():
    md = MarkdownIt("gfm-like")  # tables, strikethrough, linkify: what GitHub renders
    for name in HOSTILE:
        html_out = md.render(md_text(name))
        assert _re.fullmatch(r"<p>.*</p>\s*", html_out, _re.S), (name, html_out)  # one paragraph, nothing else
        for tag in ("<img", "<a ", "<h1", "<h2", "<ul", "<ol", "<code", "<strong", "<em", "<s>", "<table", "<b>", "<br"):
            assert tag not in html_out, (name, tag, html_out)
    # in a report: every hostile name in the top results table, and the table keeps its 4 columns
    top = [{"id": f"v/{i}", "name": name, "score": 1.0 / (i + 1)} for i, name in enumerate(HOSTILE)]
    report = Report(id="R-1", title=HOSTILE[0], question=HOSTILE[2], algorithm="pagerank", use_case_id="U", template_id="T",
                    summary=" ".join(HOSTILE), top_results=top,
                    groups=[{"label": HOSTILE[1], "size": 2, "collections": {"v": 2}, "members": HOSTILE[3:5]}])
    tokens = md.parse(to_markdown(report))
    assert [t.tag for t in tokens if t.type == "heading_open"].count("h1") == 1  # the report's own title only
    inline = [t for t in tokens if t.type == "inline"]
    made = [c for t in inline for c in t.children or [] if c.type in ("image", "link_open", "html_inline", "code_inline")]
    assert [(c.type, c.content) for c in made] == [("code_inline", "pagerank")]  # the report's own `pagerank` only
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [sum(1 for t in tokens[i:] [: next(j for j, x in enumerate(tokens[i:]) if x.type == "tr_close")] if t.type in ("td_open", "th_open"))
             for i, t in enumerate(tokens) if t.type == "tr_open"]
    assert rows and all(c == 4 for c in cells), cells
    rendered = md.render(to_markdown(report))
    assert "track.png" in rendered and "<img" not in rendered and "javascript:" in rendered and "<a " not in rendered


def _state_with(reports, coverage, results=None):
    return {"reports": {r["id"]: r for r in reports}, "coverage": coverage, "execution_results": results or {}}


def test_answers_shape_and_statuses():
    report = Report(id="R-001", title="4 products carry 11.2% of purchasing influence", algorithm="pagerank",
                    use_case_id="UC-001", template_id="T-001", summary="s", facts={"top1pct_share": 0.1116, "top1pct_count": 4},
                    top_results=[{"id": "products/p1", "name": "Gift Card", "score": 0.0147}],
                    insights=[Insight(id="I1", title="Products with the most purchasing influence", description="d",
                                      evidence=["top"], entities=["products/p1"])]).dump()
    coverage = [
        {"requirement_id": "REQ-1", "text": "Which products matter most?", "outcome": "answered", "template_ids": ["T-001"]},
        {"requirement_id": "REQ-2", "text": "Forecast sales", "outcome": "no_algorithm", "reason": "no algorithm of the catalog answers it"},
        {"requirement_id": "REQ-3", "text": "Find rings", "outcome": "answered", "template_ids": ["T-002"]},
    ]
    out = answers(_state_with([report], coverage, {"T-002": {"status": "failed", "error": "RuntimeError: engine down"}}))
    assert [set(a) for a in out] == [{"requirement_id", "requirement", "status", "answer", "reports"}] * 3
    assert out[0] == {"requirement_id": "REQ-1", "requirement": "Which products matter most?", "status": "answered",
                      "answer": "4 products carry 11.2% of purchasing influence. Products with the most purchasing influence: Gift Card.",
                      "reports": ["R-001"]}
    assert out[1]["status"] == "not_analysed" and "no algorithm" in out[1]["answer"] and out[1]["reports"] == []
    assert out[2]["status"] == "failed" and "engine down" in out[2]["answer"]
    # a number that is not a fact never reaches an answer
    wrong = {**report, "title": "9 products carry 99.9% of purchasing influence"}
    assert "99.9" not in answers(_state_with([wrong], coverage[:1]))[0]["answer"]
