"""Names in an ask that name no vertex, or several, on the demo graph through the whole workflow:
the analysis ends with a report that says so plainly (with the closest matches or the candidates),
the requirement is not analysed for that reason, and the run has not failed because of it. And
personalized PageRank seeded by the names an ask gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from graph_agents.runner import AgenticWorkflowRunner
from graph_agents.reports.charts import report_charts
from graph_agents.models import Report


def _sellers(demo_dir):
    return [json.loads(line) for line in open(demo_dir / "data" / "sellers.jsonl")]


def _run(demo_dir, workspace, ask):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=workspace)
    return runner.run(requirements=ask, industry="ecommerce")


def _one(res):
    (template,) = res.values["templates"]
    (report,) = res.values["reports"].values()
    (answer,) = res.values["answers"]
    (coverage,) = res.values["coverage"]
    return template, report, answer, coverage


def test_an_unresolved_name_ends_in_a_report_with_the_closest_matches(demo_dir, workspace):
    a = _sellers(demo_dir)[0]
    misspelt = a["name"][:-1] + "x"  # one letter off: it names no seller, and that seller is the closest
    res = _run(demo_dir, workspace, f'How is "{misspelt}" connected to "Nobody Whatsoever Ltd"?')
    template, report, answer, coverage = _one(res)
    assert template["algorithm"] == "shortest_path" and template["parameters"]["source"] == misspelt
    (execution,) = res.values["execution_results"].values()
    assert execution["status"] == "unresolved" and execution["error"] is None
    assert [e["name"] for e in execution["entities"]] == [misspelt, "Nobody Whatsoever Ltd"]  # both said at once
    assert res.status == "completed" and res.errors == []  # not a failed run

    said = f"{misspelt!r} names no vertex; the closest"
    assert report["status"] == "unresolved" and said in report["summary"]
    assert f"{a['name']} ({a['_id']})" in report["insights"][0]["description"]  # the candidate by its name
    assert "'Nobody Whatsoever Ltd' names no vertex" in report["summary"]
    assert report["grounding"]["removed"] == 0
    (advice,) = report["recommendations"]  # one for both names
    assert advice["title"] == "Name the entity again" and advice["insight_ids"] == ["I1", "I2"]
    assert report_charts(Report.model_validate(report)) == []  # nothing ran: nothing to draw

    assert coverage["outcome"] == "unresolved_entity" and said in coverage["reason"] and a["_id"] in coverage["reason"]
    assert answer["status"] == "not_analysed" and answer["answer"].startswith(f"Not analysed: {said}")
    assert answer["reports"] == [report["id"]]

    out = Path(res.values["output_dir"])
    run = json.loads((out / "run.json").read_text())  # the record shows it as any other outcome
    assert run["status"] == "completed" and run["answers"] == res.values["answers"]
    assert run["coverage"]["summary"] == {"unresolved_entity": 1}
    index = (out / "reports" / "index.html").read_text()
    assert "not analysed" in index and "unresolved entity" in index and "None: every analysis completed." in index


def test_an_ambiguous_name_lists_the_candidates_and_picks_none(demo_dir, workspace, tmp_path):
    # a copy of the demo where two sellers share a display name (the demo's are unique)
    data = tmp_path / "demo"
    shutil.copytree(demo_dir, data)
    sellers = _sellers(data)
    twin = dict(sellers[1], name=sellers[0]["name"])
    (data / "data" / "sellers.jsonl").write_text("".join(json.dumps(twin if s is sellers[1] else s) + "\n" for s in sellers))
    res = _run(data, workspace, f'How is "{sellers[0]["name"]}" connected to "{sellers[5]["name"]}"?')
    template, report, answer, coverage = _one(res)
    (execution,) = res.values["execution_results"].values()
    (entity,) = execution["entities"]  # the other name resolved
    assert entity["status"] == "ambiguous" and entity["candidates"] == sorted([sellers[0]["_id"], sellers[1]["_id"]])
    assert res.status == "completed"
    said = f"{sellers[0]['name']!r} is ambiguous: it names {sellers[0]['name']} ({entity['candidates'][0]})"
    assert report["title"].startswith(said) and report["title"].endswith("name one of them.")
    assert report["insights"][0]["entities"] == entity["candidates"] and report["grounding"]["removed"] == 0
    assert coverage["outcome"] == "unresolved_entity"
    assert answer["status"] == "not_analysed" and f"{sellers[0]['name']!r} is ambiguous" in answer["answer"]


def test_personalized_pagerank_seeded_by_names_in_the_ask(demo_dir, workspace):
    sellers = _sellers(demo_dir)
    a, b = sellers[2], sellers[3]
    res = _run(demo_dir, workspace, f"Which sellers matter most as seen from {a['name']} and {b['_key']}? Use personalized PageRank.")
    ppr = [t for t in res.values["templates"] if t["algorithm"] == "personalized_pagerank"]
    assert ppr and ppr[0]["parameters"]["seeds"] == f"{a['name']},{b['_key']}"
    (execution,) = [e for e in res.values["execution_results"].values() if e["template_id"] == ppr[0]["id"]]
    assert execution["status"] == "completed"
    assert res.status == "completed"


def test_a_path_between_a_customer_and_a_seller_runs_through_the_whole_graph(demo_dir, workspace):
    # the demo relates customers to sellers only through what they buy: the path needs every relation
    res = _run(demo_dir, workspace, "How is customer c00042 connected to seller s001?")
    template, report, answer, coverage = _one(res)
    assert template["algorithm"] == "shortest_path"
    assert (template["parameters"]["source"], template["parameters"]["target"]) == ("c00042", "s001")
    assert {"purchased", "referred", "transfers"} <= set(template["edge_collections"])
    (execution,) = res.values["execution_results"].values()
    assert execution["status"] == "completed", execution["error"]
    assert "customers/c00042" in report["title"] and "sellers/s001" in report["title"]
    assert answer["status"] == "answered" and coverage["outcome"] == "answered"


def test_look_alikes_of_a_named_customer_are_reported_closest_first(demo_dir, workspace):
    res = _run(demo_dir, workspace, "Which customers look most like customer c00042?")
    template, report, answer, coverage = _one(res)
    assert template["algorithm"] == "similar_to" and template["parameters"]["target"] == "c00042"
    first = report["insights"][0]
    # the title answers the ask: who is most like the named customer, not "the most resemblance"
    assert report["title"] == first["title"] and first["title"].startswith("Most like c00042: ")
    assert "share at least one neighbour with c00042" in first["description"] and "Jaccard" in first["description"]
    assert first["entities"] and all(e.startswith("customers/") for e in first["entities"])
    assert "customers/c00042" not in first["entities"]
    assert answer["status"] == "answered" and coverage["outcome"] == "answered"
