"""Reports of the cohesion family through the analyze node: articulation points, bridges (the
flags shape), k-core (a per-value chart), with grounded facts and cohesion advice."""

from __future__ import annotations

from graph_agents.reports.charts import report_charts
from graph_agents.reports.render import to_markdown
from graph_agents.verticals import load_vertical

from tests.test_reports import _report, _store, _template, barbell_graph


async def test_articulation_points_report_names_the_broker(tmp_path):
    store = _store(barbell_graph(), tmp_path, edge="links")
    rep = await _report(store, _template("T-001", "articulation_points", ["accounts"], ["links"]), load_vertical("fraud"), tmp_path / "ws")
    assert rep.facts["count"] == 3  # the broker and the clique member on each side of it
    assert rep.top_results[0]["id"] == "accounts/broker" and rep.top_results[0]["score"] == 5
    assert rep.top_results[0]["name"] == "Bridge & <Co>"
    assert rep.insights[0].title == "3 single points of failure"
    assert "cutting off 5" in rep.insights[0].description
    assert rep.recommendations[0].title == "Add redundancy where one failure splits the network"
    assert rep.grounding["removed"] == 0
    assert rep.title == "3 accounts whose removal disconnects the network"  # the title says what was found


async def test_bridges_report_lists_the_edges(tmp_path):
    store = _store(barbell_graph(), tmp_path, edge="links")
    rep = await _report(store, _template("T-002", "bridges", ["accounts"], ["links"]), load_vertical("fraud"), tmp_path / "ws")
    assert rep.facts["count"] == 2
    assert rep.facts["bridges"] == [
        {"from": "accounts/L0", "to": "accounts/broker", "cut_off": 5},
        {"from": "accounts/R0", "to": "accounts/broker", "cut_off": 5},
    ]
    assert rep.insights[0].title == "2 relationships whose removal disconnects the network"
    assert rep.grounding["removed"] == 0
    assert any("Bridges by vertices cut off" in str(c) for c in report_charts(rep))
    assert "accounts/L0" in to_markdown(rep)


async def test_no_flags_is_said_plainly(tmp_path):
    import networkx as nx

    G = nx.DiGraph([("accounts/a", "accounts/b"), ("accounts/b", "accounts/c"), ("accounts/c", "accounts/a")])
    rep = await _report(_store(G, tmp_path, edge="links"), _template("T-003", "articulation_points", ["accounts"], ["links"]),
                        load_vertical("fraud"), tmp_path / "ws")
    assert rep.facts["count"] == 0
    assert rep.insights[0].title.startswith("No single")


async def test_k_core_report_charts_the_core_numbers(tmp_path):
    store = _store(barbell_graph(), tmp_path, edge="links")
    rep = await _report(store, _template("T-004", "k_core", ["accounts"], ["links"]), load_vertical("fraud"), tmp_path / "ws")
    assert rep.facts["value_counts"] == {"2": 1, "4": 10}  # the broker has two neighbours; each clique of 5 is a 4-core
    assert rep.insights[1].title == "The innermost core: 10 accounts with core number 4"
    assert rep.grounding["removed"] == 0
    assert any("Vertices per k_core value" in str(c) for c in report_charts(rep))
