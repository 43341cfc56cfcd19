"""The analytics catalog on every backend: storage protocol, recording, lineage, epochs, and whole runs."""

import asyncio
import json
import os
import secrets

import pytest
from typer.testing import CliRunner

from graph_agents import AgenticWorkflowRunner
from graph_agents.catalog import KINDS, AnalyticsCatalog, CatalogBackend, SQLiteCatalogBackend, node_id
from graph_agents.cli import app
from graph_agents.settings import Settings
from graph_agents.catalog.arango import ArangoCatalogBackend
from graph_agents.stores import LocalGraphStore
from graph_agents.stores.arango import connect
from tests.doubles.arango_server import ArangoDouble
from tests.doubles.fixtures import PASSWORD, arango_settings

# ArangoDB: against the same protocol double as the store, and against a real one when ARANGO_URL is set
BACKENDS = [
    "sqlite", "arango",
    pytest.param("arango-cluster", marks=pytest.mark.skipif(not os.environ.get("ARANGO_URL"), reason="ARANGO_URL is not set")),
]


@pytest.fixture(params=BACKENDS)
async def backend(request, tmp_path):
    if request.param == "sqlite":
        b = SQLiteCatalogBackend(tmp_path / "catalog.sqlite")
        yield b
        await b.aclose()
        return
    if request.param == "arango-cluster":  # a fresh database, dropped afterwards: the user's data is never touched
        base = Settings()
        system = connect(base.model_copy(update={"arango_database": "_system"}))
        name = f"graph_agents_catalog_it_{secrets.token_hex(4)}"
        system.create_database(name)
        try:
            b = ArangoCatalogBackend(connect(base.model_copy(update={"arango_database": name})))
            yield b
            await b.aclose()
        finally:
            system.delete_database(name, ignore_missing=True)
        return
    server = ArangoDouble(password=PASSWORD)
    await server.start()
    b = ArangoCatalogBackend(connect(arango_settings(server)))
    yield b
    await b.aclose()
    await server.stop()


async def _all(backend):
    """Every document per kind, and every edge."""
    docs = {k: await backend.find(k) for k in KINDS}
    edges = []
    for kind, found in docs.items():
        for d in found:
            edges += [(node_id(kind, d["key"]), t) for t in await backend.neighbors(node_id(kind, d["key"]), "out")]
    return docs, edges


# -- the storage protocol ------------------------------------------------------------------------


async def test_backend_protocol(backend):
    assert isinstance(backend, CatalogBackend)
    await backend.write([("runs", "r1", {"key": "r1", "epoch": "e1", "n": 1, "ok": True, "tags": ["a", "b"]})])
    await backend.write([("runs", "r2", {"key": "r2", "epoch": "e2", "n": 2, "ok": False, "tags": ["b"]})])
    await backend.write([("runs", "r1", {"key": "r1", "epoch": "e1", "n": 3, "ok": True, "tags": ["a", "b"]})])  # upsert
    stored = await backend.get("runs", "r1")  # a backend may add its own system fields (_key, _rev)
    assert {k: v for k, v in stored.items() if not k.startswith("_")} == {
        "key": "r1", "epoch": "e1", "n": 3, "ok": True, "tags": ["a", "b"]}
    assert await backend.get("runs", "nope") is None
    assert [d["key"] for d in await backend.find("runs")] == ["r1", "r2"]  # insertion order survives the upsert
    assert [d["key"] for d in await backend.find("runs", epoch="e2")] == ["r2"]
    assert [d["key"] for d in await backend.find("runs", n=3, ok=True)] == ["r1"]
    assert [d["key"] for d in await backend.find("runs", tags=["b"])] == ["r2"]
    assert await backend.find("runs", epoch="e3") == [] and await backend.find("reports") == []
    assert sorted(await backend.distinct("runs", "epoch")) == ["e1", "e2"]
    assert await backend.distinct("runs", "epoch", ok=True) == ["e1"] and await backend.distinct("reports", "epoch") == []
    assert sorted(await backend.distinct("runs", "n")) == [2, 3]  # a field that is not indexed
    with pytest.raises(ValueError):
        await backend.write([("nonsense", "k", {})])
    for _ in range(2):
        await backend.write([], [("requirements/a", "use_cases/x")])
        await backend.write([], [("requirements/b", "use_cases/x")])
    assert sorted(await backend.neighbors("use_cases/x", "in")) == ["requirements/a", "requirements/b"]
    assert await backend.neighbors("requirements/a", "out") == ["use_cases/x"]
    assert await backend.neighbors("use_cases/x", "out") == []


# -- recording and queries on a hand-made history ------------------------------------------------

REQS = [{"id": "REQ-001", "text": "Find influential products"}, {"id": "REQ-002", "text": "Find rings"},
        {"id": "REQ-003", "text": "Also rank products"}]
USE_CASES = [{"id": "UC-001", "algorithm": "pagerank", "requirement_ids": ["REQ-001", "REQ-003"]},
             {"id": "UC-002", "algorithm": "wcc", "requirement_ids": ["REQ-002"]}]
TEMPLATES = [
    {"id": "T-001", "use_case_id": "UC-001", "algorithm": "pagerank", "parameters": {"damping_factor": 0.85},
     "vertex_collections": ["products", "customers"], "edge_collections": ["purchased"]},
    {"id": "T-002", "use_case_id": "UC-002", "algorithm": "wcc", "parameters": {},
     "vertex_collections": ["customers", "devices"], "edge_collections": ["uses_device"]},
]


def _execution(tid, algo, status="completed", started=100.0, count=10):
    return {"template_id": tid, "algorithm": algo, "status": status, "engine": "local", "result_location": f"/r/{tid}",
            "result_count": count, "error": None if status == "completed" else "boom", "started_at": started,
            "finished_at": started + 2.0}


def _report(rid, tid, algo, facts, top=()):
    return {"id": rid, "template_id": tid, "use_case_id": "UC", "algorithm": algo, "title": f"{algo} report",
            "summary": "s", "facts": facts, "top_results": [{"id": i, "score": 1.0} for i in top], "insights": [{}]}


async def _record_run(catalog, run_id, *, top, share, started, wcc_status="completed"):
    await catalog.start_run(run_id, mode="deterministic")
    await catalog.record_requirements(run_id, REQS)
    await catalog.record_use_cases(run_id, USE_CASES)
    await catalog.record_templates(run_id, TEMPLATES)
    await catalog.record_execution(run_id, TEMPLATES[0], _execution("T-001", "pagerank", started=started))
    await catalog.record_execution(run_id, TEMPLATES[1], _execution("T-002", "wcc", wcc_status, started=started + 1))
    await catalog.record_report(run_id, _report("R-001", "T-001", "pagerank", {"kind": "score", "gini": 0.5}, top))
    if wcc_status == "completed":
        await catalog.record_report(run_id, _report("R-002", "T-002", "wcc", {"largest_share": share, "count": 4}))
    await catalog.finish_run(run_id, status="completed")


@pytest.fixture
async def history(backend):
    """Two epochs: e1 (run r1) and e2 following it (run r2, where wcc failed; then run r3)."""
    await _record_run(AnalyticsCatalog(backend, epoch="e1"), "r1", top=list("abcdefghij"), share=0.5, started=100.0)
    e2 = AnalyticsCatalog(backend, epoch="e2", parent_epoch="e1")
    await _record_run(e2, "r2", top=list("abcdexyzuv"), share=0.9, started=200.0, wcc_status="failed")
    await _record_run(e2, "r3", top=list("abcdefghxy"), share=0.25, started=300.0)
    return AnalyticsCatalog(backend)


async def test_runs_and_epochs(history):
    assert [(r["run_id"], r["epoch"], r["status"]) for r in await history.runs()] == [
        ("r1", "e1", "completed"), ("r2", "e2", "completed"), ("r3", "e2", "completed")]
    assert [r["run_id"] for r in await history.runs(epoch="e2")] == ["r2", "r3"]
    epochs = await history.epochs()
    assert [(e["name"], e["parent"], e["runs"]) for e in epochs] == [("e1", None, ["r1"]), ("e2", "e1", ["r2", "r3"])]


async def test_default_epoch_is_one_per_run(backend):
    catalog = AnalyticsCatalog(backend)
    await catalog.start_run("solo")
    await catalog.record_requirements("solo", REQS[:1])
    assert [e["name"] for e in await catalog.epochs()] == ["solo"]
    assert (await backend.find("requirements"))[0]["epoch"] == "solo"


async def test_executions_filtered(history):
    ex = await history.executions()
    assert len(ex) == 6 and [e["started_at"] for e in ex] == sorted(e["started_at"] for e in ex)
    one = ex[0]
    assert {"algorithm", "parameters", "vertex_collections", "edge_collections", "result_location", "result_count",
            "status", "error", "started_at", "finished_at", "duration_s", "engine"} <= set(one)
    assert one["parameters"] == {"damping_factor": 0.85} and one["duration_s"] == 2.0
    assert [(e["run_id"], e["template_id"]) for e in await history.executions(status="failed")] == [("r2", "T-002")]
    assert [e["run_id"] for e in await history.executions(algorithm="pagerank", epoch="e2")] == ["r2", "r3"]
    assert [e["run_id"] for e in await history.executions(algorithm="wcc", since=150, until=301)] == ["r2"]
    assert await history.executions(algorithm="scc") == []


async def test_lineage_and_impact(history):
    lin = await history.lineage("R-001")  # latest run with that report
    assert lin["run_id"] == "r3"
    assert sorted(lin["chains"]) == [
        [f"requirements/r3:{req}", "use_cases/r3:UC-001", "templates/r3:T-001", "executions/r3:T-001", "reports/r3:R-001"]
        for req in ("REQ-001", "REQ-003")]
    assert {r["text"] for r in lin["requirements"]} == {"Find influential products", "Also rank products"}
    assert (await history.lineage("R-002", run_id="r1"))["chains"] == [
        ["requirements/r1:REQ-002", "use_cases/r1:UC-002", "templates/r1:T-002", "executions/r1:T-002", "reports/r1:R-002"]]
    assert (await history.lineage("r1:R-002"))["run_id"] == "r1"  # a catalog key works as well
    imp = await history.impact("REQ-002", run_id="r2")  # wcc failed there: the chain stops at the execution
    assert imp["chains"] == [["requirements/r2:REQ-002", "use_cases/r2:UC-002", "templates/r2:T-002", "executions/r2:T-002"]]
    assert imp["reports"] == []
    assert [r["id"] for r in (await history.impact("REQ-003"))["reports"]] == ["R-001"]
    with pytest.raises(LookupError, match="no report 'R-404'"):
        await history.lineage("R-404")
    with pytest.raises(LookupError):
        await history.impact("REQ-001", run_id="nope")


async def test_compare_epochs_and_time_series(history):
    rows = {r["algorithm"]: r for r in await history.compare_epochs("e1", "e2")}
    pr, wcc = rows["pagerank"], rows["wcc"]
    assert pr["a"]["run_id"] == "r1" and pr["b"]["run_id"] == "r3"  # the latest execution in each epoch
    assert pr["top_k_overlap"] == pytest.approx(0.8)  # a..h shared out of 10
    assert wcc["a"]["metrics"]["largest_share"] == 0.5 and wcc["b"]["metrics"]["largest_share"] == 0.25
    assert wcc["deltas"]["largest_share"] == pytest.approx(-0.25) and wcc["top_k_overlap"] is None
    assert pr["analysis"] == "pagerank(customers,products via purchased)"
    with pytest.raises(LookupError, match="no epoch"):
        await history.compare_epochs("e1", "e9")
    series = await history.time_series("largest_share")
    assert [(p["epoch"], p["run_id"], p["value"]) for p in series] == [("e1", "r1", 0.5), ("e2", "r3", 0.25)]
    by_template = await history.time_series("T-001", metric="gini")
    assert [(p["epoch"], p["value"]) for p in by_template] == [("e1", 0.5), ("e2", 0.5)]
    assert [p["metrics"]["result_count"] for p in await history.time_series("pagerank")] == [10, 10]


async def test_recording_again_is_idempotent(history, backend):
    before = await _all(backend)
    await _record_run(AnalyticsCatalog(backend), "r1", top=list("abcdefghij"), share=0.5, started=100.0)
    after = await _all(backend)
    assert {k: len(v) for k, v in after[0].items()} == {k: len(v) for k, v in before[0].items()}
    assert sorted(after[1]) == sorted(before[1]) and len(set(after[1])) == len(after[1])
    assert (await backend.get("runs", "r1"))["epoch"] == "e1"  # a re-recorded run keeps its epoch


# -- whole runs ----------------------------------------------------------------------------------


def _runner(workspace, demo_dir, **kw):
    return AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=workspace, **kw)


class CountingBackend:
    """A backend that counts its writes and can be told to fail the next one."""

    def __init__(self, inner):
        self.inner, self.writes, self.fail_next, self.failed = inner, [], False, 0

    async def write(self, docs, links=()):
        self.writes.append((len(docs), len(links)))
        if self.fail_next:
            self.fail_next, self.failed = False, len(docs)
            raise ConnectionError("catalog store unreachable")
        await self.inner.write(docs, links)

    def __getattr__(self, name):
        return getattr(self.inner, name)


async def test_records_made_together_share_a_write(backend):
    counting = CountingBackend(backend)
    catalog = AnalyticsCatalog(counting)
    await catalog.start_run("r1")
    templates = [{"id": f"T-{i:03d}", "use_case_id": "UC-001", "algorithm": "pagerank"} for i in range(50)]
    results = [{"template_id": t["id"], "algorithm": "pagerank", "status": "completed"} for t in templates]
    counting.writes.clear()
    await asyncio.gather(*(catalog.record_execution("r1", t, r) for t, r in zip(templates, results)))
    assert sum(n for n, _ in counting.writes) == 50 and sum(e for _, e in counting.writes) == 50
    assert len(counting.writes) <= 2  # recorded while one write is in flight: together in the next
    assert [e["id"] for e in await catalog.executions(run_id="r1")] == [t["id"] for t in templates]
    # a failed write fails every record in it (and only those), and the next write goes through
    counting.fail_next = True
    outcomes = await asyncio.gather(*(catalog.record_report("r1", {"id": f"R-{i}", "template_id": f"T-{i:03d}"})
                                      for i in range(3)), return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, ConnectionError)]
    assert counting.failed >= 1 and len(failed) == counting.failed and all(o is None for o in outcomes if o not in failed)
    await catalog.record_report("r1", {"id": "R-9", "template_id": "T-009"})
    assert [d["id"] for d in await backend.find("reports", run_id="r1")][-1] == "R-9"


async def test_finished_run_lineage(backend, demo_dir, tmp_path):
    result = await _runner(tmp_path / "ws", demo_dir, catalog=backend, epoch="q1").run_async(
        [demo_dir / "requirements.md"], thread_id="run1")
    catalog = AnalyticsCatalog(backend)
    assert [(r["run_id"], r["epoch"], r["status"]) for r in await catalog.runs()] == [("run1", "q1", "completed")]
    use_cases = {u.id: u for u in result.use_cases}
    templates = {t.id: t for t in result.templates}
    for rep in result.reports:
        lin = await catalog.lineage(rep.id)
        uc = use_cases[templates[rep.template_id].use_case_id]
        assert sorted(lin["chains"]) == sorted(
            [f"requirements/run1:{req}", f"use_cases/run1:{uc.id}", f"templates/run1:{rep.template_id}",
             f"executions/run1:{rep.template_id}", f"reports/run1:{rep.id}"] for req in uc.requirement_ids)
    for req in result.requirements:
        expected = {r.id for r in result.reports if req.id in use_cases[templates[r.template_id].use_case_id].requirement_ids}
        assert {r["id"] for r in (await catalog.impact(req.id))["reports"]} == expected
    ex = await catalog.executions(epoch="q1")
    assert sorted(e["template_id"] for e in ex) == sorted(templates) and all(e["engine"] == "local" for e in ex)
    assert {e["result_location"] for e in ex} == {r.result_location for r in result.execution_results}


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so no node catches it."""


async def test_resumed_run_leaves_no_duplicates(backend, demo_dir, tmp_path):
    docs, ws = [demo_dir / "requirements.md"], tmp_path / "ws"
    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=ws / "results")
    names, calls = store.display_names, []

    async def crash_on_last_report(ids):  # dies in T-005's report step, after its execution was recorded
        calls.append(1)  # (the last task: a crash with tasks still queued leaves them behind in this process)
        if len(calls) == 5:
            raise Crash()
        return await names(ids)

    store.display_names = crash_on_last_report
    with pytest.raises(Crash):
        await _runner(ws, demo_dir, store=store, catalog=backend).run_async(docs, thread_id="t1", enable_parallelism=False)
    partial, _ = await _all(backend)
    assert [e["id"] for e in partial["executions"]] == ["T-001", "T-002", "T-003", "T-004", "T-005"]
    assert [r["id"] for r in partial["reports"]] == ["R-001", "R-002", "R-003", "R-004"]
    assert partial["runs"][0]["status"] == "running"

    result = await _runner(ws, demo_dir, catalog=backend).run_async(docs, thread_id="t1", enable_parallelism=False)
    assert result.status == "completed"
    found, edges = await _all(backend)
    assert {k: len(v) for k, v in found.items()} == {
        "epochs": 1, "runs": 1, "requirements": len(result.requirements), "use_cases": len(result.use_cases),
        "templates": 5, "executions": 5, "reports": 5}
    assert len(edges) == len(set(edges))
    assert len(edges) == sum(len(u.requirement_ids) for u in result.use_cases) + 5 + 5 + 5
    assert found["runs"][0]["status"] == "completed"


async def test_runner_default_catalog_is_sqlite_in_workspace(demo_dir, tmp_path):
    ws = tmp_path / "ws"
    await _runner(ws, demo_dir).run_async(max_executions=1, thread_id="a")
    await _runner(ws, demo_dir, catalog=False).run_async(max_executions=1, thread_id="b")
    catalog = AnalyticsCatalog(SQLiteCatalogBackend(ws / "catalog.sqlite"))
    try:
        assert [r["run_id"] for r in await catalog.runs()] == ["a"]  # catalog=False records nothing
        assert [e["name"] for e in await catalog.epochs()] == ["a"]
    finally:
        await catalog.aclose()


def test_cli_catalog(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli = CliRunner()
    base = ["--workspace", "ws"]
    assert cli.invoke(app, ["run", "--demo", "--output", "o1", "--thread-id", "a", "--epoch", "e1", "--max-executions", "2", *base]).exit_code == 0
    res = cli.invoke(app, ["run", "--demo", "--output", "o2", "--thread-id", "b", "--epoch", "e2", "--parent-epoch", "e1",
                           "--max-executions", "2", *base])
    assert res.exit_code == 0 and (tmp_path / "o2" / "trace" / "trace.html").exists() and "Steps completed" in res.output
    runs = json.loads(cli.invoke(app, ["catalog", "runs", "--json", *base]).stdout)
    assert [(r["run_id"], r["epoch"]) for r in runs] == [("a", "e1"), ("b", "e2")]
    lin = json.loads(cli.invoke(app, ["catalog", "lineage", "R-001", "--run", "a", "--json", *base]).stdout)
    assert lin["chains"][0][0] == "requirements/a:REQ-001" and lin["chains"][0][-1] == "reports/a:R-001"
    imp = cli.invoke(app, ["catalog", "impact", "REQ-001", *base])
    assert imp.exit_code == 0 and "R-001" in imp.stdout and "(run b)" in imp.stdout
    cmp = json.loads(cli.invoke(app, ["catalog", "compare", "e1", "e2", "--json", *base]).stdout)
    assert len(cmp) == 2 and cmp[0]["top_k_overlap"] == 1.0  # same data, same top ten
    table = cli.invoke(app, ["catalog", "compare", "e1", "e2", *base])
    assert table.exit_code == 0 and "top-k overlap" in table.stdout
    for args in (["epochs"], ["executions", "--algorithm", "pagerank"], ["series", "largest_share"]):
        assert cli.invoke(app, ["catalog", *args, *base]).exit_code == 0, args
    missing = cli.invoke(app, ["catalog", "lineage", "R-404", *base])
    assert missing.exit_code == 2 and missing.output.strip().startswith("error:")
    assert cli.invoke(app, ["catalog", "runs", "--workspace", "empty"]).exit_code == 2


async def test_catalog_lives_in_arango_when_arango_is_configured(demo_dir, tmp_path):
    server = ArangoDouble(password=PASSWORD)
    await server.start()
    try:
        settings = arango_settings(server, GRAPH_AGENTS_HOME=str(tmp_path / "ws"))
        runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", settings=settings, epoch="e1")
        result = await runner.run_async(max_executions=2, thread_id="a1")
        assert result.status == "completed"
        assert not (tmp_path / "ws" / "catalog.sqlite").exists()
        runs = server.collections["ga_catalog_runs"]["docs"]
        assert [d["run_id"] for d in runs.values()] == ["a1"]
        assert len(server.collections["ga_catalog_reports"]["docs"]) == 2
    finally:
        await server.stop()
