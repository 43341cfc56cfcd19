"""GAEEngine against the GAE and ArangoDB protocol doubles: the job lifecycle, both deployment
kinds, faults, the concurrency cap, and engine ownership."""

import asyncio
import json

import pytest

from graph_agents import AgenticWorkflowRunner
from graph_agents.backends import make_engine
from graph_agents.engines import EngineError
from graph_agents.engines.gae import GAEEngine
from graph_agents.engines.gae_deploy import ExistingEngine, choose_size
from graph_agents.models import AnalysisTemplate
from graph_agents.stores import LocalGraphStore
from graph_agents.stores.arango import ArangoGraphStore
from tests.doubles.fixtures import arango, arango_settings, demo_arango, gae  # noqa: F401  (fixtures)

FAST = {"GAE_POLL_INITIAL": 0.01, "GAE_POLL_MAX": 0.05}


def _settings(server, gae_server, **extra):
    values = {"GAE_DEPLOYMENT": "platform", "GAE_PLATFORM_URL": gae_server.url, **FAST, **extra}
    return arango_settings(server, **values)


def _template(tid, algorithm, vertex=("customers", "devices"), edge=("uses_device",), **params):
    return AnalysisTemplate(id=tid, use_case_id="u", title=tid, algorithm=algorithm, parameters=params,
                            vertex_collections=list(vertex), edge_collections=list(edge))


async def _engine_and_store(server, gae_server, **extra):
    settings = _settings(server, gae_server, **extra)
    return GAEEngine(settings), ArangoGraphStore.from_settings(settings)


async def test_workflow_on_gae_finds_the_planted_structure(demo_arango, gae, demo_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ARANGO_URL", demo_arango.url)
    monkeypatch.setenv("ARANGO_PASSWORD", "pw")
    monkeypatch.setenv("GAE_DEPLOYMENT", "platform")
    monkeypatch.setenv("GAE_PLATFORM_URL", gae.url)
    monkeypatch.setenv("GAE_POLL_INITIAL", "0.01")
    monkeypatch.setenv("GAE_POLL_MAX", "0.05")
    truth = json.loads((demo_dir / "ground_truth.json").read_text())
    runner = AgenticWorkflowRunner(workspace=tmp_path / "ws")
    result = await runner.run_async([demo_dir / "requirements.md"])
    assert result.status == "completed" and result.errors == []
    assert {r.engine for r in result.execution_results} == {"gae"}
    by_algo = {r.algorithm: r for r in result.reports}
    assert set(by_algo) == {"pagerank", "label_propagation", "wcc", "scc", "betweenness"}
    assert set(t["id"] for t in by_algo["pagerank"].top_results[:5]) == set(truth["influential_products"])
    ring = by_algo["wcc"].groups[0]
    assert set(ring["members"]) == set(truth["device_ring"]) | set(truth["shared_devices"])
    cycle = [g for g in by_algo["scc"].groups if g["size"] > 1]
    assert len(cycle) == 1 and set(cycle[0]["members"]) == set(truth["seller_cycle"])
    assert by_algo["betweenness"].top_results[0]["id"] == truth["broker"]
    # the same reports as the local engine on the same files
    local = await AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "local").run_async(
        [demo_dir / "requirements.md"])
    assert [r.top_results for r in result.reports] == [r.top_results for r in local.reports]
    # one engine, started on demand and stopped at the end; graphs and jobs deleted
    assert len(gae.started) == 1 and gae.stopped == gae.started
    engine = gae.engines[gae.started[0]]
    assert engine["jobs"] == {} and engine["graphs"] == {}
    assert {op for op, _ in gae.algorithm_bodies} == {"pagerank", "labelpropagation", "wcc", "scc",
                                                     "betweennesscentrality"}
    pagerank_body = next(b for op, b in gae.algorithm_bodies if op == "pagerank")
    assert set(pagerank_body) == {"damping_factor", "maximum_supersteps"}
    targets = {b["target_collection"] for b in gae.store_bodies}
    assert len(targets) == 5 and all(t.startswith("ga_results_") and result.thread_id in t for t in targets)
    assert runner.engine is None


async def test_startup_404s_are_retried_within_the_grace_period(demo_arango, gae):
    gae.startup_404s = 3
    engine, store = await _engine_and_store(demo_arango, gae)
    try:
        out = await engine.run(_template("t1", "wcc"), store, "r1")
        assert out.result_count == len(out.values) > 0
    finally:
        await engine.aclose()
    assert gae.engines[gae.started[0]]["startup_404"] == 0

    gae.startup_404s = 1000  # never comes up: the grace period ends and the analysis fails
    engine, store = await _engine_and_store(demo_arango, gae, GAE_STARTUP_GRACE=0.2)
    with pytest.raises(EngineError, match="404"):
        await engine.run(_template("t1", "wcc"), store, "r2")
    await engine.aclose()
    assert gae.stopped == gae.started  # stopped although it never answered


async def test_token_expiry_refreshes_once_and_continues(demo_arango, gae):
    engine, store = await _engine_and_store(demo_arango, gae)
    try:
        await engine.run(_template("t1", "wcc"), store, "r1")
        before = engine.token.refreshes
        demo_arango.expire_tokens()  # every JWT issued so far is now rejected
        out = await engine.run(_template("t2", "pagerank", maximum_supersteps=20), store, "r1")
        assert out.result_count > 0 and engine.token.refreshes == before + 1 and gae.unauthorized >= 1
    finally:
        await engine.aclose()
    assert gae.stopped == gae.started


async def test_failed_hung_and_unanswered_jobs_fail_alone(demo_arango, gae):
    gae.fail["wcc"] = "Out of memory: graph too large for engine"
    gae.hang.add("scc")
    gae.stall["betweennesscentrality"] = 3.0
    engine, store = await _engine_and_store(demo_arango, gae, GAE_JOB_TIMEOUT=0.5, GAE_TIMEOUT=0.5)
    templates = [_template("a", "wcc"), _template("b", "scc"), _template("c", "betweenness", k=10),
                 _template("d", "pagerank", maximum_supersteps=20)]
    try:
        outcomes = await asyncio.gather(*(engine.run(t, store, "r") for t in templates), return_exceptions=True)
    finally:
        await engine.aclose()
    wcc, scc, btw, pr = outcomes
    assert isinstance(wcc, EngineError) and "Out of memory: graph too large for engine" in str(wcc)
    assert isinstance(scc, EngineError) and "did not finish within 0.5 s" in str(scc)
    assert isinstance(btw, EngineError) and "no answer within 0.5 s" in str(btw)
    assert not isinstance(pr, BaseException) and pr.result_count > 0
    assert gae.engines[gae.started[0]]["jobs"] == {}  # failed and hung jobs were deleted too
    assert gae.stopped == gae.started


async def test_concurrent_analyses_respect_the_cap(demo_arango, gae):
    gae.job_delay = 0.1
    settings = _settings(demo_arango, gae)
    engine, store = GAEEngine(settings, max_concurrency=2), ArangoGraphStore.from_settings(settings)
    templates = [_template(f"t{i}", "pagerank", maximum_supersteps=10 + i) for i in range(5)]
    try:
        outcomes = await asyncio.gather(*(engine.run(t, store, "r") for t in templates))
    finally:
        await engine.aclose()
    assert gae.max_running == 2 and len(gae.started) == 1
    assert len({o.result_location for o in outcomes}) == 5
    loads = [b for b in gae.store_bodies]
    assert len(loads) == 5
    # one graph loaded for the five analyses, deleted at the end
    assert len(gae.deleted_graphs) == 1


async def test_never_deletes_engines_the_run_did_not_start(demo_arango, gae):
    other = gae.add_engine("someone")  # running before us, e.g. a colleague's
    engine, store = await _engine_and_store(demo_arango, gae)
    await engine.run(_template("t1", "wcc"), store, "r")
    await engine.aclose()
    assert gae.engines[other]["alive"] and other not in gae.stopped

    settings = arango_settings(demo_arango, GAE_ENGINE_URL=gae.engine_url(other), **FAST)
    assert isinstance(make_engine(settings, ArangoGraphStore.from_settings(settings)), GAEEngine)
    shared = GAEEngine(settings)
    assert isinstance(shared.deployment, ExistingEngine)
    out = await shared.run(_template("t1", "wcc"), ArangoGraphStore.from_settings(settings), "r2")
    await shared.aclose()
    assert out.result_count > 0 and gae.engines[other]["alive"] and other not in gae.stopped
    assert gae.engines[other]["graphs"] == {}  # our graph on their engine is gone, their engine is not


async def test_arangograph_sizes_the_engine_and_deletes_it(demo_arango, gae):
    amp = {"GAE_DEPLOYMENT": "amp", "GAE_AMP_API_URL": gae.url, "GAE_AMP_DEPLOYMENT_ID": "dep1",
           "GAE_AMP_KEY_ID": "key-id", "GAE_AMP_KEY_SECRET": "key-secret", **FAST}
    settings = arango_settings(demo_arango, **amp)
    engine, store = GAEEngine(settings), ArangoGraphStore.from_settings(settings)
    try:
        out = await engine.run(_template("t1", "wcc"), store, "r")
        assert out.result_count > 0 and engine.deployment.chosen_size == "e4"
    finally:
        await engine.aclose()
    assert len(gae.started) == 1 and gae.stopped == gae.started

    override = GAEEngine(arango_settings(demo_arango, GAE_ENGINE_SIZE="e64", **amp))
    await override.run(_template("t1", "wcc"), store, "r2")
    await override.aclose()
    assert gae.engines[gae.started[-1]]["size"] == "e64" and gae.stopped == gae.started

    bad = GAEEngine(arango_settings(demo_arango, **{**amp, "GAE_AMP_KEY_SECRET": "wrong"}))
    with pytest.raises(EngineError, match="401"):
        await bad.run(_template("t1", "wcc"), store, "r3")
    await bad.aclose()


def test_choose_size_from_the_graph():
    sizes = [{"id": "big", "memory_in_gb": 64}, {"id": "small", "memory_in_gb": 4}, {"id": "mid", "memory_in_gb": 16}]
    assert choose_size(sizes, 10**8) == "small"
    assert choose_size(sizes, 3 * 10**9) == "mid"
    assert choose_size(sizes, 10**12) == "big"


async def test_gae_needs_an_arango_store(demo_arango, gae, demo_dir):
    engine = GAEEngine(_settings(demo_arango, gae))
    with pytest.raises(EngineError, match="ArangoDB"):
        await engine.run(_template("t", "wcc"), LocalGraphStore.from_directory(demo_dir / "data"), "r")
    await engine.aclose()
    assert gae.started == []


async def test_camel_case_answers_and_errors_in_the_body(demo_arango, gae):
    gae.camel = True
    gae.reject["wcc"] = "invalid parameter for wcc"
    gae.fail["scc"] = "graph has no edges"
    engine, store = await _engine_and_store(demo_arango, gae)
    try:
        out = await engine.run(_template("t1", "pagerank", maximum_supersteps=20), store, "r")
        assert out.result_count > 0
        with pytest.raises(EngineError, match="invalid parameter for wcc"):
            await engine.run(_template("t2", "wcc"), store, "r")
        with pytest.raises(EngineError, match="graph has no edges"):
            await engine.run(_template("t3", "scc"), store, "r")
    finally:
        await engine.aclose()
    assert gae.stopped == gae.started


class Crash(BaseException):
    """Stands for the run dying mid-analysis: not an Exception, so no node catches it."""


async def test_the_runner_stops_its_engine_when_the_run_dies(demo_arango, gae, demo_dir, tmp_path, monkeypatch):
    for key, value in {"ARANGO_URL": demo_arango.url, "ARANGO_PASSWORD": "pw", "GAE_DEPLOYMENT": "platform",
                       "GAE_PLATFORM_URL": gae.url, "GAE_POLL_INITIAL": "0.01", "GAE_POLL_MAX": "0.05"}.items():
        monkeypatch.setenv(key, value)
    real_run = GAEEngine.run

    async def dying_run(self, template, store, run_id):
        await real_run(self, template, store, run_id)
        raise Crash()

    monkeypatch.setattr(GAEEngine, "run", dying_run)
    runner = AgenticWorkflowRunner(workspace=tmp_path / "ws")
    with pytest.raises(Crash):
        await runner.run_async([demo_dir / "requirements.md"], max_executions=1)
    assert len(gae.started) == 1 and gae.stopped == gae.started and runner.engine is None


class NoCapacity:
    kind = "test"

    def __init__(self):
        self.starts = 0

    async def start(self, session, size_bytes):
        self.starts += 1
        raise EngineError("no capacity for a new engine")

    async def stop(self, session, handle):
        raise AssertionError("nothing was started")


async def test_a_failed_engine_start_fails_the_analyses_once(demo_arango, gae):
    deployment = NoCapacity()
    engine = GAEEngine(_settings(demo_arango, gae), deployment=deployment)
    store = ArangoGraphStore.from_settings(_settings(demo_arango, gae))
    outcomes = await asyncio.gather(*(engine.run(_template(f"t{i}", "wcc"), store, "r") for i in range(3)),
                                    return_exceptions=True)
    await engine.aclose()
    assert all(isinstance(o, EngineError) and "no capacity" in str(o) for o in outcomes)
    assert deployment.starts == 1
