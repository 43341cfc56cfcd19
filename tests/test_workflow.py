"""The graph's shape and whole runs on the embedded default (demo graph, local engine)."""

import asyncio
import json
import subprocess
import sys
from collections import Counter

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from graph_agents import AgenticWorkflowRunner
from graph_agents.catalog import open_catalog
from graph_agents.context import Context
from graph_agents.engines import EngineError, LocalEngine
from graph_agents.graph import builder, graph
from graph_agents.stores import LocalGraphStore


def test_topology():
    g = graph.get_graph()
    nodes = set(g.nodes) - {"__start__", "__end__"}
    assert nodes == {"resolve_vertical", "analyze_schema", "extract_requirements", "generate_use_cases",
                     "review_use_cases", "generate_templates", "analyze", "finalize"}
    edges = {(e.source, e.target) for e in g.edges}
    assert ("__start__", "resolve_vertical") in edges
    assert {("resolve_vertical", "analyze_schema"), ("resolve_vertical", "extract_requirements")} <= edges
    assert {("analyze_schema", "generate_use_cases"), ("extract_requirements", "generate_use_cases")} <= edges
    assert {("generate_use_cases", "review_use_cases"), ("review_use_cases", "generate_templates")} <= edges
    assert {("generate_templates", "analyze"), ("analyze", "finalize"), ("finalize", "__end__")} <= edges
    assert graph.checkpointer is None  # Studio refuses graphs that bring their own
    assert set(graph.get_input_jsonschema()["properties"]) == {
        "requirements", "documents", "industry", "max_executions", "review_use_cases"}


async def test_phase_one_runs_in_parallel(demo_dir, tmp_path):
    """analyze_schema and extract_requirements run in the same superstep."""
    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path)
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "p"}}
    await app.ainvoke({"requirements": "Which customers are most influential?"}, config,
                      context=Context(store=store, engine=LocalEngine()))
    history = [s async for s in app.aget_state_history(config)]
    assert any(set(s.next) == {"analyze_schema", "extract_requirements"} for s in history)


def _runner(workspace, demo_dir, **kw):
    return AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=workspace, **kw)


def _reports(result):
    return [json.dumps({k: v for k, v in r.dump().items()}, sort_keys=True) for r in result.reports]


async def test_demo_run_finds_planted_structure(demo_dir, workspace):
    truth = json.loads((demo_dir / "ground_truth.json").read_text())
    result = await _runner(workspace, demo_dir).run_async([demo_dir / "requirements.md"])
    assert result.status == "completed" and result.errors == [] and result.mode == "deterministic"
    assert result.vertical.name == "ecommerce"
    by_algo = {r.algorithm: r for r in result.reports}
    assert set(by_algo) == {"pagerank", "label_propagation", "wcc", "scc", "betweenness"}
    assert all(r.title for r in result.reports)
    top5 = [t["id"] for t in by_algo["pagerank"].top_results[:5]]
    assert set(top5) == set(truth["influential_products"]) and len(by_algo["pagerank"].top_results) >= 10
    ring = by_algo["wcc"].groups[0]
    assert set(ring["members"]) == set(truth["device_ring"]) | set(truth["shared_devices"])
    cycle = [g for g in by_algo["scc"].groups if g["size"] > 1]
    assert len(cycle) == 1 and set(cycle[0]["members"]) == set(truth["seller_cycle"])
    assert by_algo["betweenness"].top_results[0]["id"] == truth["broker"]
    lpa = next(r for r in result.execution_results if r.algorithm == "label_propagation")
    doc = json.loads(open(lpa.result_location).read())  # one object of columns: ids, codes into labels
    assert doc["field"] == "community"
    labels = {vid: doc["labels"][c] for vid, c in zip(doc["ids"], doc["codes"])}
    assert lpa.result_count == len(labels) == 2400  # the full result is stored, not a sample
    majority = []
    for planted in truth["copurchase_communities"]:  # each planted community is mostly one label
        label, n = Counter(labels[c] for c in planted).most_common(1)[0]
        assert n / len(planted) >= 0.7
        majority.append(label)
    assert len(set(majority)) == len(majority)  # and no two planted communities merged
    # the reports speak of what they found, by name
    assert truth["broker"] in by_algo["betweenness"].insights[0].description
    assert all(r.insights and r.recommendations for r in result.reports)
    # every use case links back to a requirement that exists
    req_ids = {r.id for r in result.requirements}
    assert all(set(u.requirement_ids) <= req_ids and u.requirement_ids for u in result.use_cases)


async def test_sequential_and_parallel_give_same_reports(demo_dir, tmp_path):
    seq = await _runner(tmp_path / "a", demo_dir).run_async([demo_dir / "requirements.md"], enable_parallelism=False)
    par = await _runner(tmp_path / "b", demo_dir).run_async([demo_dir / "requirements.md"], enable_parallelism=True)
    assert _reports(seq) == _reports(par) and len(seq.reports) == 5


def test_run_is_sequential_and_refuses_a_running_loop(demo_dir, workspace):
    runner = _runner(workspace, demo_dir)
    result = runner.run([{"content": "Which products are the most influential in purchased orders?"}], max_executions=1)
    assert [r.algorithm for r in result.reports] == ["pagerank"]

    async def inside():
        with pytest.raises(RuntimeError, match="await runner.run_async"):
            runner.run()

    asyncio.run(inside())


class CountingEngine(LocalEngine):
    def __init__(self, fail=None):
        super().__init__()
        self.calls, self.fail = [], fail

    async def run(self, template, store, run_id):
        self.calls.append(template.id)
        if template.algorithm == self.fail:
            raise EngineError("simulated engine failure")
        return await super().run(template, store, run_id)


CRASHING_RUN = """
import asyncio, os, sys
from graph_agents import AgenticWorkflowRunner
from graph_agents.engines import LocalEngine

class DyingEngine(LocalEngine):
    calls = 0
    async def run(self, template, store, run_id):
        DyingEngine.calls += 1
        if DyingEngine.calls == 3:
            os._exit(137)  # the process dies as under SIGKILL: no cleanup, no exception handling
        return await super().run(template, store, run_id)

data, workspace, doc = sys.argv[1:4]
runner = AgenticWorkflowRunner(data_dir=data, workspace=workspace, engine=DyingEngine())
asyncio.run(runner.run_async([doc], thread_id="t1", enable_parallelism=False))
"""


def _killed(script: str, demo_dir, tmp_path) -> None:
    """Run ``script``, a sequential run on thread t1 in ``tmp_path/ws`` that kills its own process."""
    path = tmp_path / "dies.py"
    path.write_text(script)
    proc = subprocess.run([sys.executable, str(path), str(demo_dir / "data"), str(tmp_path / "ws"),
                           str(demo_dir / "requirements.md")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 137, proc.stderr


async def _resumed(demo_dir, tmp_path):
    """The killed run resumed on a healthy engine that counts what it executes."""
    healthy = CountingEngine()
    resumed = await _runner(tmp_path / "ws", demo_dir, engine=healthy).run_async(
        [demo_dir / "requirements.md"], thread_id="t1", enable_parallelism=False)
    return healthy, resumed


async def test_resume_after_crash_does_not_rerun_completed(demo_dir, tmp_path):
    clean = await _runner(tmp_path / "clean", demo_dir).run_async([demo_dir / "requirements.md"], enable_parallelism=False)
    _killed(CRASHING_RUN, demo_dir, tmp_path)
    healthy, resumed = await _resumed(demo_dir, tmp_path)
    assert healthy.calls == ["T-003", "T-004", "T-005"]  # T-001 and T-002 had completed before the crash
    assert resumed.status == "completed" and _reports(resumed) == _reports(clean)


DIES_IN_A_REPORT = """
import asyncio, importlib, os, sys
from graph_agents import AgenticWorkflowRunner

analyze = importlib.import_module("graph_agents.nodes.analyze")  # the module, not the node function it exports

real_find_baseline = analyze.find_baseline

async def find_baseline(ctx, template, run_id):
    if template.id == "T-002":
        os._exit(137)  # T-002 executed (and was recorded); the process dies writing its report
    return await real_find_baseline(ctx, template, run_id)

analyze.find_baseline = find_baseline
data, workspace, doc = sys.argv[1:4]
runner = AgenticWorkflowRunner(data_dir=data, workspace=workspace)
asyncio.run(runner.run_async([doc], thread_id="t1", enable_parallelism=False))
"""


async def test_resume_between_execution_and_report_does_not_execute_again(demo_dir, tmp_path):
    clean = await _runner(tmp_path / "clean", demo_dir).run_async([demo_dir / "requirements.md"], enable_parallelism=False)
    _killed(DIES_IN_A_REPORT, demo_dir, tmp_path)
    catalog = open_catalog(tmp_path / "ws")
    written = {d["template_id"]: d["recorded_at"] for d in await catalog.backend.find("reports", run_id="t1")}
    assert list(written) == ["T-001"]
    healthy, resumed = await _resumed(demo_dir, tmp_path)
    assert healthy.calls == ["T-003", "T-004", "T-005"]  # T-002's recorded execution is reported, not rerun
    assert resumed.status == "completed" and _reports(resumed) == _reports(clean)
    t2 = next(r for r in resumed.execution_results if r.template_id == "T-002")
    assert t2.status == "completed" and t2.result_location
    again = {d["template_id"]: d["recorded_at"] for d in await catalog.backend.find("reports", run_id="t1")}
    assert again["T-001"] == written["T-001"] and len(again) == 5  # T-001's report was taken, not written again
    await catalog.aclose()


async def test_the_heap_is_collected_as_usual_after_a_run(demo_dir, workspace):
    import gc

    await _runner(workspace, demo_dir).run_async([demo_dir / "requirements.md"], max_executions=1)
    assert gc.get_freeze_count() == 0  # frozen only while the run lasted


async def test_failing_template_does_not_stop_the_others(demo_dir, workspace):
    result = await _runner(workspace, demo_dir, engine=CountingEngine(fail="scc")).run_async([demo_dir / "requirements.md"])
    assert result.status == "completed_with_failures"
    failed = [r for r in result.execution_results if r.status == "failed"]
    assert [f.algorithm for f in failed] == ["scc"] and "simulated engine failure" in failed[0].error
    assert len(result.reports) == 4 and result.errors[0]["template_id"] == failed[0].template_id


async def test_no_documents_gives_discovery_run(demo_dir, workspace):
    result = await _runner(workspace, demo_dir).run_async(max_executions=2)
    assert result.status == "completed" and len(result.reports) == 2
    assert all(u.title.startswith("Discovery") for u in result.use_cases)
