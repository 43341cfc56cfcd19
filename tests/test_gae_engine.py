"""GAEEngine against the GAE, AMP and ArangoDB protocol doubles: the job lifecycle as the engine
parses it (numeric ids, loaded label attributes, ``undirected``), start-up readiness, both
deployment kinds, faults, the concurrency cap, result collections after reruns, and ownership.

Waiting goes through a fake clock where a deadline matters, so no test races machine speed."""

import asyncio
import json

import aiohttp
import pytest

from graph_agents import AgenticWorkflowRunner
from graph_agents.backends import make_engine
from graph_agents.engines import EngineError
from graph_agents.engines.gae import GAEEngine
from graph_agents.engines.gae_deploy import Clock, ExistingEngine, GAEHTTPError, choose_size
from graph_agents.models import AnalysisTemplate
from graph_agents.stores import LocalGraphStore
from graph_agents.stores.arango import ArangoGraphStore, result_collection_name
from tests.doubles.fixtures import arango, arango_settings, demo_arango, gae, iam  # noqa: F401  (fixtures)

FAST = {"GAE_POLL_INITIAL": 0.01, "GAE_POLL_MAX": 0.05}


class FakeClock(Clock):
    """Time that passes only when the client sleeps: deadlines are reached in a known number of steps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps = 0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        self.sleeps += 1
        await asyncio.sleep(0)


def _settings(server, gae_server, **extra):
    values = {"GAE_DEPLOYMENT": "platform", "GAE_PLATFORM_URL": gae_server.url, **FAST, **extra}
    return arango_settings(server, **values)


def _template(tid, algorithm, vertex=("customers", "devices"), edge=("uses_device",), **params):
    return AnalysisTemplate(id=tid, use_case_id="u", title=tid, algorithm=algorithm, parameters=params,
                            vertex_collections=list(vertex), edge_collections=list(edge))


async def _engine_and_store(server, gae_server, clock=None, **extra):
    settings = _settings(server, gae_server, **extra)
    return GAEEngine(settings, clock=clock), ArangoGraphStore.from_settings(settings)


def _env(monkeypatch, arango_server, gae_server, **extra):
    for key, value in {"ARANGO_URL": arango_server.url, "ARANGO_PASSWORD": "pw", "GAE_DEPLOYMENT": "platform",
                       "GAE_PLATFORM_URL": gae_server.url, "GAE_POLL_INITIAL": "0.01", "GAE_POLL_MAX": "0.05",
                       **extra}.items():
        monkeypatch.setenv(key, value)


async def test_workflow_on_gae_finds_the_planted_structure_and_agrees_with_local(demo_arango, gae, demo_dir,
                                                                                tmp_path, monkeypatch):
    _env(monkeypatch, demo_arango, gae)
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
    # the same reports as the local engine on the same files (betweenness: same top 5 too)
    local = await AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "local").run_async(
        [demo_dir / "requirements.md"])
    assert [r.top_results for r in result.reports] == [r.top_results for r in local.reports]
    # the protocol as the engine parses it: numbers for ids, "@id" seeds, undirected betweenness
    bodies = dict(gae.algorithm_bodies)
    assert all(isinstance(b["graph_id"], int) for _, b in gae.algorithm_bodies)
    assert bodies["labelpropagation"]["start_label_attribute"] == "@id"
    assert bodies["betweennesscentrality"]["undirected"] is True
    assert set(bodies["pagerank"]) == {"graph_id", "damping_factor", "maximum_supersteps"}
    assert all(isinstance(j, int) for b in gae.store_bodies for j in b["job_ids"])
    assert all(isinstance(j, int) for j in gae.deleted_jobs)
    # one engine, probed before use, stopped at the end; graphs and jobs deleted
    assert gae.requests[0] == ("GET", "version")
    assert len(gae.started) == 1 and gae.stopped == gae.started
    engine = gae.engines[gae.started[0]]
    assert engine["jobs"] == {} and engine["graphs"] == {}
    targets = {b["target_collection"] for b in gae.store_bodies}
    assert len(targets) == 5 and all(t.startswith("ga_results_") and result.thread_id in t for t in targets)
    assert runner.engine is None


async def test_string_ids_get_the_engines_400_naming_the_endpoint(demo_arango, gae):
    engine, store = await _engine_and_store(demo_arango, gae)
    try:
        await engine.run(_template("t1", "wcc"), store, "r")
        graph_id = next(iter(engine.graphs.values()))
        with pytest.raises(GAEHTTPError) as err:
            await engine._call("POST", "wcc", {"graph_id": str(graph_id)})
        message = str(err.value)
        assert err.value.status == 400 and "/v1/wcc" in message and message.startswith("POST ")
        assert "Cannot parse JSON body of request: graph_id: invalid type: string, expected u64" in message
        with pytest.raises(GAEHTTPError, match="unknown field `graph`"):
            await engine._call("POST", "wcc", {"graph": graph_id})
        with pytest.raises(GAEHTTPError, match="job_ids: invalid type: string, expected u64"):
            await engine._call("POST", "storeresults", {"job_ids": ["1"], "attribute_names": ["x"]})
        with pytest.raises(GAEHTTPError, match="404.*NOT_FOUND"):
            await engine._call("GET", "jobs/abc")
    finally:
        await engine.aclose()


async def test_label_seeds_are_loaded_attributes_or_the_vertex_id(demo_arango, gae):
    engine, store = await _engine_and_store(demo_arango, gae)
    try:
        own = await engine.run(_template("own", "label_propagation", start_label_attribute="_key"), store, "r")
        by_segment = await engine.run(_template("seg", "label_propagation", start_label_attribute="segment"), store, "r")
        spread = await engine.run(_template("ap", "attribute_propagation", start_label_attribute="type"), store, "r")
    finally:
        await engine.aclose()
    bodies = [b for op, b in gae.algorithm_bodies]
    assert [b["start_label_attribute"] for b in bodies] == ["@id", "segment", "type"]
    loaded = [b["vertex_attributes"] for b in gae.load_bodies]
    assert loaded == [[], ["segment"], ["type"]]  # each seed attribute in the column store of its graph
    segments = {d["segment"] for d in demo_arango.collections["customers"]["docs"].values()}
    assert set(by_segment.values.values()) & segments and own.result_count == by_segment.result_count
    device_types = {d["type"] for d in demo_arango.collections["devices"]["docs"].values()}
    assert any(set(v) & device_types for v in spread.values.values())


async def test_the_double_fails_a_seed_that_was_not_loaded_as_the_engine_does(demo_arango, gae):
    engine_id = gae.add_engine()
    base = gae.engine_url(engine_id) + "/v1"
    headers = {"Authorization": f"bearer {demo_arango.issue_token()}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(f"{base}/loaddata", json={"database": "_system", "vertex_collections": ["customers"],
                                                       "edge_collections": ["referred"]}) as resp:
            loaded = await resp.json()
        assert isinstance(loaded["graph_id"], int) and isinstance(loaded["job_id"], int)
        async with http.post(f"{base}/labelpropagation", json={"graph_id": loaded["graph_id"],
                                                               "start_label_attribute": "_key"}) as resp:
            job_id = (await resp.json())["job_id"]
        async with http.get(f"{base}/jobs/{job_id}") as resp:
            job = await resp.json()
        assert job["error"] is True and job["error_message"] == "Need '_key' as a column name in column store!"
        async with http.post(f"{base}/betweennesscentrality", json={"graph_id": loaded["graph_id"]}) as resp:
            directed = (await resp.json())["job_id"]
        async with http.post(f"{base}/betweennesscentrality", json={"graph_id": loaded["graph_id"],
                                                                    "undirected": True}) as resp:
            undirected = (await resp.json())["job_id"]
    results = gae.engines[engine_id]["results"]
    assert results[directed] != results[undirected]  # direction matters unless the flag says otherwise


async def test_reruns_leave_one_row_per_vertex_and_reads_tolerate_duplicates(demo_arango, gae):
    engine, store = await _engine_and_store(demo_arango, gae)
    template = _template("t1", "wcc")
    try:
        first = await engine.run(template, store, "run-1")
        again = await engine.run(template, store, "run-1")  # a resume or rerun of the same execution
    finally:
        await engine.aclose()
    name = result_collection_name("run-1", "t1")
    docs = list(demo_arango.collections[name]["docs"].values())
    assert all("_key" not in b for b in gae.store_bodies)  # the engine keys nothing: it appends
    assert len(docs) == len({d["id"] for d in docs}) == first.result_count == again.result_count
    # rows appended twice by any writer still read as one value per vertex
    for doc in docs[:10]:
        demo_arango.insert(name, {"id": doc["id"], "component": doc["component"]})
    assert len(await store.read_results(first.result_location)) == first.result_count


async def test_startup_503s_then_404s_are_probed_through_version(demo_arango, gae):
    gae.startup_503s, gae.startup_404s = 3, 4
    clock = FakeClock()
    engine, store = await _engine_and_store(demo_arango, gae, clock=clock)
    try:
        out = await engine.run(_template("t1", "wcc"), store, "r1")
    finally:
        await engine.aclose()
    assert out.result_count == len(out.values) > 0
    assert gae.engines[gae.started[0]]["startup"] == [] and clock.sleeps >= 7
    assert gae.requests[0] == ("GET", "version") and gae.requests[1][1] == "loaddata"


async def test_an_engine_that_never_becomes_ready_fails_its_analyses_clearly(demo_arango, gae):
    gae.startup_503s = 10**6
    clock = FakeClock()
    engine, store = await _engine_and_store(demo_arango, gae, clock=clock, GAE_STARTUP_GRACE=30)
    outcomes = await asyncio.gather(*(engine.run(_template(f"t{i}", "wcc"), store, "r") for i in range(3)),
                                    return_exceptions=True)
    await engine.aclose()
    url = gae.engine_url(gae.started[0]) + "/v1"
    for out in outcomes:
        assert isinstance(out, EngineError) and url in str(out) and "within 30 s" in str(out)
        assert "503" in str(out) and "upstream connect error" in str(out)
    assert 29 <= clock.t <= 30 and len(gae.started) == 1 and gae.stopped == gae.started
    assert gae.requests == []  # nothing but the probe ever reached the (never started) engine


async def test_the_run_goes_on_when_the_engine_never_becomes_ready(demo_arango, gae, demo_dir, tmp_path,
                                                                   monkeypatch):
    gae.startup_404s = 10**6
    _env(monkeypatch, demo_arango, gae, GAE_STARTUP_GRACE="0")  # the first 404 ends the grace period
    result = await AgenticWorkflowRunner(workspace=tmp_path / "ws").run_async([demo_dir / "requirements.md"])
    failed = [r for r in result.execution_results if r.status == "failed"]
    # every analysis ran to its end and failed on its own, with the reason; the run finished
    assert len(failed) == len(result.execution_results) == 5 and result.status == "failed"
    assert all(gae.engine_url(gae.started[0]) in r.error and "404" in r.error and "GAE_STARTUP_GRACE" in r.error
               for r in failed)
    assert len(gae.started) == 1 and gae.stopped == gae.started


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
    gae.stall.add("betweennesscentrality")  # never answered: the request timeout ends it
    clock = FakeClock()  # job deadlines in fake time; only the request timeout is real
    engine, store = await _engine_and_store(demo_arango, gae, clock=clock, GAE_JOB_TIMEOUT=5, GAE_TIMEOUT=3)
    templates = [_template("a", "wcc"), _template("b", "scc"), _template("c", "betweenness", k=10),
                 _template("d", "pagerank", maximum_supersteps=20)]
    try:
        outcomes = await asyncio.gather(*(engine.run(t, store, "r") for t in templates), return_exceptions=True)
    finally:
        await engine.aclose()
    wcc, scc, btw, pr = outcomes
    assert isinstance(wcc, EngineError) and "Out of memory: graph too large for engine" in str(wcc)
    assert isinstance(scc, EngineError) and "did not finish within 5 s (progress 37/100)" in str(scc)
    assert isinstance(btw, EngineError) and "no answer within 3 s" in str(btw) and "/v1/betweennesscentrality" in str(btw)
    assert not isinstance(pr, BaseException) and pr.result_count > 0
    assert gae.engines[gae.started[0]]["jobs"] == {}  # failed and hung jobs were deleted too
    assert gae.stopped == gae.started


async def test_concurrent_analyses_respect_the_cap(demo_arango, gae):
    gae.barrier = 2  # jobs hold until two run at once: the cap is reached, never passed
    settings = _settings(demo_arango, gae)
    engine, store = GAEEngine(settings, max_concurrency=2), ArangoGraphStore.from_settings(settings)
    templates = [_template(f"t{i}", "pagerank", maximum_supersteps=10 + i) for i in range(5)]
    try:
        outcomes = await asyncio.gather(*(engine.run(t, store, "r") for t in templates))
    finally:
        await engine.aclose()
    assert gae.max_running == 2 and len(gae.started) == 1
    assert len({o.result_location for o in outcomes}) == 5 and len(gae.store_bodies) == 5
    assert len(gae.load_bodies) == 1 and len(gae.deleted_graphs) == 1  # one graph for the five, deleted


async def test_never_deletes_engines_the_run_did_not_start(demo_arango, gae):
    other = gae.add_engine("someone")  # running before us, e.g. a colleague's
    engine, store = await _engine_and_store(demo_arango, gae)
    await engine.run(_template("t1", "wcc"), store, "r")
    await engine.aclose()
    assert gae.engines[other]["alive"] and other not in gae.stopped

    settings = arango_settings(demo_arango, GAE_ENGINE_URL=gae.engine_url(other), **FAST)
    assert isinstance(make_engine(settings, ArangoGraphStore.from_settings(settings)).gae, GAEEngine)
    shared = GAEEngine(settings)
    assert isinstance(shared.deployment, ExistingEngine)
    out = await shared.run(_template("t1", "wcc"), ArangoGraphStore.from_settings(settings), "r2")
    await shared.aclose()
    assert out.result_count > 0 and gae.engines[other]["alive"] and other not in gae.stopped
    assert gae.engines[other]["graphs"] == {}  # our graph on their engine is gone, their engine is not


async def test_stopping_a_platform_service_that_is_already_gone_is_a_success(demo_arango, gae):
    engine, store = await _engine_and_store(demo_arango, gae)
    await engine.run(_template("t1", "wcc"), store, "r")
    gae.engines[gae.started[0]]["alive"] = False  # the release was removed behind our back
    await engine.aclose()  # the platform answers 500 "NOT_FOUND": nothing left to stop
    assert gae.stopped == [] and engine.handle is None


def _amp(gae_server, iam_server, **extra):
    return {"GAE_DEPLOYMENT": "amp", "GAE_AMP_IAM_URL": iam_server.url, "GAE_AMP_MANAGEMENT_URL": gae_server.url,
            "GAE_AMP_KEY_ID": "key-id", "GAE_AMP_KEY_SECRET": "key-secret", **FAST, **extra}


async def test_arangograph_engine_lifecycle(demo_arango, gae, iam):
    gae.amp_ready_after = 3  # three status polls before is_started && succeeded
    clock = FakeClock()
    settings = arango_settings(demo_arango, **_amp(gae, iam))
    engine, store = GAEEngine(settings, clock=clock), ArangoGraphStore.from_settings(settings)
    try:
        out = await engine.run(_template("t1", "wcc"), store, "r")
        assert out.result_count > 0 and engine.deployment.chosen_size == "e4"
        assert engine.handle.url == f"{gae.url}/graph-analytics/engines/{gae.started[0]}/v1"
    finally:
        await engine.aclose()
    assert gae.amp_bodies == [{"type_id": "gral", "size_id": "e4"}] and iam.logins == 1
    assert len(gae.started) == 1 and gae.stopped == gae.started and gae.engines[gae.started[0]]["polls"] == 3

    override = GAEEngine(arango_settings(demo_arango, **_amp(gae, iam, GAE_ENGINE_SIZE="e64")), clock=FakeClock())
    await override.run(_template("t1", "wcc"), store, "r2")
    await override.aclose()
    assert gae.engines[gae.started[-1]]["size"] == "e64" and gae.stopped == gae.started

    gae.amp_ready_after = 10**6  # never started: the grace period ends, the engine is deleted
    slow = GAEEngine(arango_settings(demo_arango, **_amp(gae, iam, GAE_STARTUP_GRACE=10)), clock=FakeClock())
    with pytest.raises(EngineError, match=r"not started within 10 s .*is_started"):
        await slow.run(_template("t1", "wcc"), store, "r3")
    await slow.aclose()
    assert gae.stopped == gae.started

    # "auto login to database UI": one AMP token for both APIs, no database credentials needed
    gae.amp_ready_after = 1
    auto = arango_settings(demo_arango, **_amp(gae, iam, GAE_AMP_ENGINE_AUTH="amp"))
    one_token = GAEEngine(auto.model_copy(update={"arango_password": None}), clock=FakeClock())
    assert one_token.token is one_token.deployment.mgmt_token
    assert (await one_token.run(_template("t1", "wcc"), store, "r5")).result_count > 0
    await one_token.aclose()
    assert gae.stopped == gae.started

    bad = GAEEngine(arango_settings(demo_arango, **_amp(gae, iam, GAE_AMP_KEY_SECRET="wrong-secret")))
    with pytest.raises(EngineError, match="401") as err:
        await bad.run(_template("t1", "wcc"), store, "r4")
    await bad.aclose()
    assert "wrong-secret" not in str(err.value) and iam.url in str(err.value)


def test_the_management_url_defaults_to_the_deployment_on_port_8829(arango):
    from graph_agents.engines.gae_deploy import management_url

    settings = arango_settings(arango, ARANGO_URL="https://abc123.arangodb.cloud:8529")
    assert management_url(settings) == "https://abc123.arangodb.cloud:8829/graph-analytics/api/graphanalytics/v1"
    given = arango_settings(arango, GAE_AMP_MANAGEMENT_URL="https://x:8829/graph-analytics/api/graphanalytics/v1/")
    assert management_url(given) == "https://x:8829/graph-analytics/api/graphanalytics/v1"


def test_choose_size_from_the_graph():
    sizes = [{"id": "e64"}, {"id": "e4"}, {"id": "e16"}]  # memory from the documented id scheme
    assert choose_size(sizes, 10**8) == "e4"
    assert choose_size(sizes, 3 * 10**9) == "e16"
    assert choose_size(sizes, 10**12) == "e64"
    assert choose_size([{"id": "big", "memory": 64}, {"id": "small", "memory": 4}], 10**8) == "small"


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
    _env(monkeypatch, demo_arango, gae)
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


async def test_a_load_that_fails_leaves_no_graph_behind(demo_arango, gae):
    engine, store = await _engine_and_store(demo_arango, gae)
    demo_arango.collections.pop("devices")  # gone between the schema and the load
    try:
        with pytest.raises(EngineError, match="loaddata job .* failed: .*collection or view not found: devices"):
            await engine.run(_template("t1", "wcc"), store, "r")
    finally:
        await engine.aclose()
    assert gae.deleted_graphs and gae.engines[gae.started[0]]["graphs"] == {}
