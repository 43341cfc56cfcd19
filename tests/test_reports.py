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
    assert f"{rep.facts['lead_ratio']:.4g} times the next" in ins.description
    assert rep.grounding["removed"] == 0


async def test_concentration_and_isolated_groups_detectors(tmp_path):
    star = nx.DiGraph()
    star.add_edges_from((f"products/leaf{i}", "products/hub") for i in range(20))
    rep = await _report(_store(star, tmp_path, "purchased"), _template("T-005", "pagerank", ["products"], ["purchased"]),
                        load_vertical("ecommerce"), tmp_path / "ws")
    det = rep.facts["detections"]["bestseller_concentration"]
    assert det["fired"] and det["top_count"] == 4 and det["ratio"] >= 2
    assert next(i for i in rep.insights if i.id.startswith("D")).entities[0] == "products/hub"

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
    assert out.grounding["removed"] == 4 and out.grounding["checked"] == 10  # 3 summary sentences, 3 titles, 4 description sentences
    assert out.dump()["grounding"]["checked"] == out.grounding["checked"]
    # grounding again is a no-op; an appended (say, LLM) insight with a wrong number is removed and counted
    assert ground_report(out, facts, mask=["Unit 731 Traders", "a/1"]).grounding == out.grounding
    more = out.model_copy(update={"insights": [*out.insights, Insight(id="L2", title="Model", description="Top 1% hold 55.5%.")]})
    again = ground_report(more, facts, mask=["Unit 731 Traders"])
    assert [i.id for i in again.insights] == ["I1", "L1"] and again.grounding["checked"] == 12
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
