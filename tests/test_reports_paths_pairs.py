"""Reports of the paths and similarity families through the analyze node: a path drawn as steps,
k-hop bands, cycles with their members, a table of similar pairs; grounded; and an ask on the demo
graph naming two entities that ends in a path report."""

from __future__ import annotations

import json

import networkx as nx

from graph_agents.reports.charts import report_charts
from graph_agents.reports.render import to_markdown
from graph_agents.verticals import load_vertical

from tests.test_reports import _report, _store, _template, barbell_graph


async def test_shortest_path_report_draws_the_steps(tmp_path):
    store = _store(barbell_graph(), tmp_path, edge="links")
    rep = await _report(store, _template("T-001", "shortest_path", ["accounts"], ["links"], source="L1", target="R2"),
                        load_vertical("fraud"), tmp_path / "ws")
    path = ["accounts/L1", "accounts/L0", "accounts/broker", "accounts/R0", "accounts/R2"]
    assert rep.facts["path"] == path and rep.facts["hops"] == 4
    assert rep.insights[0].title == "accounts/L1 reaches accounts/R2 in 4 hops"
    assert "Bridge & <Co> (accounts/broker)" in rep.insights[0].description
    assert rep.recommendations[0].title == "Review the chain link by link"
    assert rep.grounding["removed"] == 0
    assert "| 2 | accounts/broker |" in to_markdown(rep)
    assert any("The path in 4 hops" in str(c) and "Bridge &amp; &lt;Co&gt;" not in str(c) for c in report_charts(rep))


async def test_a_path_answer_says_its_finding_once(tmp_path):
    """The lead insight of a path report is its title: the answer says it once, then the chain's entities."""
    from graph_agents.answers import answers

    store = _store(barbell_graph(), tmp_path, edge="links")
    rep = await _report(store, _template("T-001", "shortest_path", ["accounts"], ["links"], source="L1", target="R2"),
                        load_vertical("fraud"), tmp_path / "ws")
    coverage = [{"requirement_id": "REQ-1", "text": "How is L1 connected to R2?", "outcome": "answered", "template_ids": ["T-001"]}]
    (answer,) = answers({"reports": {rep.id: rep.dump()}, "coverage": coverage, "execution_results": {}})
    assert answer["answer"] == ("accounts/L1 reaches accounts/R2 in 4 hops. "
                                "Key entities: accounts/L1, accounts/L0, Bridge & <Co>, …")
    assert answer["answer"].count("reaches") == 1


async def test_an_unresolved_name_ends_in_a_report_with_the_closest_matches(tmp_path):
    from graph_agents.catalog import open_catalog
    from graph_agents.context import Context
    from graph_agents.engines import LocalEngine
    from graph_agents.models import UseCase
    from tests.test_reports import ONE_ANALYSIS

    store = _store(barbell_graph(), tmp_path, edge="links")
    template = _template("T-002", "shortest_path", ["accounts"], ["links"], source="L1", target="Bridge and Co")
    ctx = Context(store=store, engine=LocalEngine(), catalog=open_catalog(tmp_path / "ws"))
    try:
        out = await ONE_ANALYSIS.ainvoke({"run_id": "run1", "templates": [template.dump()], "vertical": load_vertical("fraud").dump(),
                                          "use_cases": [UseCase(id="UC-001", title="t", algorithm="shortest_path").dump()]}, context=ctx)
    finally:
        await ctx.catalog.aclose()
    assert out["execution_results"]["T-002"]["status"] == "unresolved" and out.get("errors") in (None, [])
    rep = out["reports"]["R-002"]
    assert rep["status"] == "unresolved"
    assert rep["title"] == "'Bridge and Co' names no vertex; the closest is Bridge & <Co> (accounts/broker): name it if it is the one meant."


async def test_k_hop_and_cycles_reports(tmp_path):
    store = _store(barbell_graph(), tmp_path, edge="links")
    rep = await _report(store, _template("T-003", "k_hop", ["accounts"], ["links"], seeds="broker", k=2),
                        load_vertical("fraud"), tmp_path / "ws")
    assert rep.facts["by_hop"] == {"1 hop": 2, "2 hops": 8} and rep.facts["reached"] == 10
    assert rep.insights[0].title == "10 accounts within 2 hops of 1 seeds"
    G = nx.DiGraph([("accounts/a", "accounts/b"), ("accounts/b", "accounts/c"), ("accounts/c", "accounts/a"),
                    ("accounts/c", "accounts/d")])
    rep = await _report(_store(G, tmp_path / "c", edge="pays"), _template("T-004", "simple_cycles", ["accounts"], ["pays"]),
                        load_vertical("fraud"), tmp_path / "ws")
    assert rep.facts["cycles"] == 1 and rep.facts["listed_cycles"] == [["accounts/a", "accounts/b", "accounts/c"]]
    assert "accounts/a → accounts/b → accounts/c → accounts/a" in rep.insights[0].description
    assert rep.grounding["removed"] == 0


async def test_node_similarity_report_tables_the_pairs(tmp_path):
    G = nx.Graph([("people/a", "items/1"), ("people/a", "items/2"), ("people/b", "items/1"), ("people/b", "items/2"),
                  ("people/c", "items/2"), ("people/c", "items/3")])
    store = _store(G.to_directed(), tmp_path, edge="likes")
    rep = await _report(store, _template("T-005", "node_similarity", ["people", "items"], ["likes"]),
                        load_vertical("ecommerce"), tmp_path / "ws")
    assert rep.facts["top_pairs"][0] == {"a": "people/a", "b": "people/b", "similarity": 1.0}
    assert rep.facts["identical_pairs"] == 1
    assert rep.insights[1].title == "1 pairs with exactly the same neighbours"
    assert "| people/a | people/b | 1 |" in to_markdown(rep)
    assert any("Most similar pairs" in str(c) for c in report_charts(rep))
    assert rep.grounding["removed"] == 0


def test_an_ask_naming_two_demo_entities_ends_in_a_path_report(demo_dir, tmp_path, workspace):
    from graph_agents.runner import AgenticWorkflowRunner

    sellers = [json.loads(line) for line in open(demo_dir / "data" / "sellers.jsonl")]
    a, b = sellers[0], sellers[5]
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=workspace, catalog=False)
    res = runner.run(requirements=f'How is "{a["name"].lower()}" connected to "{b["name"]}"?', industry="ecommerce")
    (template,) = res.values["templates"]
    assert template["algorithm"] == "shortest_path"
    assert template["parameters"]["source"] == a["name"].lower()
    (rep,) = res.values["reports"].values()
    assert rep["facts"]["path"][0] == a["_id"] and rep["facts"]["path"][-1] == b["_id"]
    assert f"{a['name']} ({a['_id']}) reaches {b['name']} ({b['_id']})" in rep["insights"][0]["title"]
    assert rep["grounding"]["removed"] == 0
