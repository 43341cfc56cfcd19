"""Paths as AQL on ArangoDB (graph_agents.engines.aql) against the ArangoDB double, which parses the
documented graph-query grammar: the same answers as the local engine on the demo graph, names
resolved the same way, the double as strict as the server, the routing engine's choices, and a
GAE-configured workflow whose reports say which engine computed them."""

from __future__ import annotations

import json
import shutil

import pytest

from graph_agents import AgenticWorkflowRunner
from graph_agents.backends import make_engine
from graph_agents.engines import EngineError, LocalEngine
from graph_agents.engines.aql import AQLPathEngine, k_hop_query, shortest_path_query
from graph_agents.engines.gae import GAEEngine
from graph_agents.engines.routing import RoutingEngine
from graph_agents.entities import EntityError
from graph_agents.models import AnalysisTemplate
from graph_agents.stores import LocalGraphStore, StoreError
from graph_agents.stores.arango import Q_VERTICES, ArangoGraphStore
from tests.doubles.arango_server import EDGE
from tests.doubles.fixtures import arango, arango_settings, demo_arango, gae, iam  # noqa: F401  (fixtures)

VERTICES = ["customers", "devices", "products", "sellers"]
EDGES = ["purchased", "referred", "sold_by", "transfers", "uses_device"]


def _template(algorithm, vertex=VERTICES, edge=EDGES, tid="T-001", **params):
    return AnalysisTemplate(id=tid, use_case_id="u", title=tid, algorithm=algorithm, parameters=params,
                            vertex_collections=list(vertex), edge_collections=list(edge))


def _store(server) -> ArangoGraphStore:
    return ArangoGraphStore.from_settings(arango_settings(server))


@pytest.fixture
def on_local(demo_dir):
    """The local engine on the demo files, one per test (it loads each graph once)."""
    engine, store = LocalEngine(), LocalGraphStore.from_directory(demo_dir / "data")
    return lambda template: engine.run(template, store, "run-l")


async def _both(on_local, server, template):
    local = await on_local(template)
    aql = await AQLPathEngine().run(template, _store(server), "run-a")
    return local, aql


def _edges(demo_dir, directed):
    pairs = set()
    for name in EDGES:
        for line in open(demo_dir / "data" / f"{name}.jsonl"):
            e = json.loads(line)
            pairs.add((e["_from"], e["_to"]))
            if not directed:
                pairs.add((e["_to"], e["_from"]))
    return pairs


# (the demo is generated from a fixed seed: c00526 bought p0042, which s016 sells, so a directed path exists)
PAIRS = [("sellers/s000", "sellers/s005"), ("customers/c00526", "sellers/s016"), ("customers/c00000", "sellers/s010"),
         ("Stonegate Supply", "c00042")]


@pytest.mark.parametrize("directed", [False, True])
async def test_shortest_path_agrees_with_the_local_engine(demo_arango, demo_dir, on_local, directed):
    edges = _edges(demo_dir, directed)
    compared = 0
    for source, target in PAIRS:
        template = _template("shortest_path", source=source, target=target, directed=directed)
        try:
            local, aql = await _both(on_local, demo_arango, template)
        except EngineError as exc:  # no directed path: both engines must say so
            assert "no path" in str(exc)
            with pytest.raises(EngineError, match="no path"):
                await AQLPathEngine().run(template, _store(demo_arango), "run-a")
            continue
        (label,) = {v for v in aql.values.values() if v is not None}
        path = label.split(" → ")
        want = next(v for v in local.values.values() if v is not None).split(" → ")
        # any shortest path will do (the docs: "a random one"), but it is one, and as short
        assert len(path) == len(want) and path[0] == want[0] and path[-1] == want[-1]
        assert all((a, b) in edges for a, b in zip(path, path[1:]))
        assert set(aql.values) == set(local.values) and aql.result_count == local.result_count
        assert sum(v is not None for v in aql.values.values()) == len(path) > 2
        compared += 1
    assert compared >= (1 if directed else 3) and any("SHORTEST_PATH" in q for q, _ in demo_arango.queries)


@pytest.mark.parametrize("directed", [False, True])
async def test_all_shortest_paths_and_k_hop_agree_with_the_local_engine(demo_arango, on_local, directed):
    compared = 0
    for source, target in PAIRS:
        template = _template("all_shortest_paths", source=source, target=target, directed=directed, max_paths=50)
        try:
            local, aql = await _both(on_local, demo_arango, template)
        except EngineError as exc:
            assert "no path" in str(exc)
            continue
        assert dict(aql.values) == dict(local.values)
        compared += 1
    assert compared >= (1 if directed else 3)
    seeds = "sellers/s001,Stonegate Supply,c00042"
    for k in (1, 2, 3):
        local, aql = await _both(on_local, demo_arango, _template("k_hop", seeds=seeds, k=k, directed=directed))
        assert dict(aql.values) == dict(local.values)
        assert sum(v is not None for v in aql.values.values()) > 2
    flagged = _template("k_hop", vertex=["customers"], edge=["referred"], seed_attribute="segment", k=1)
    local, aql = await _both(on_local, demo_arango, flagged)
    assert dict(aql.values) == dict(local.values)


async def test_results_are_written_back_like_the_local_engines(demo_arango):
    store, engine = _store(demo_arango), AQLPathEngine()
    out = await engine.run(_template("shortest_path", source="sellers/s000", target="sellers/s005"), store, "r")
    assert out.engine == "aql" and "SHORTEST_PATH" in out.note
    assert await store.read_results(out.result_location) == dict(out.values)
    assert out.result_location.startswith("arango://_system/ga_results_r_T-001#path")
    reads = sum(q == Q_VERTICES for q, _ in demo_arango.queries)
    await engine.run(_template("k_hop", tid="T-002", seeds="sellers/s000"), store, "r")
    assert sum(q == Q_VERTICES for q, _ in demo_arango.queries) == reads  # the scope is read once per run
    await engine.aclose()


async def test_names_resolve_as_on_the_local_engine(demo_arango, demo_dir, tmp_path):
    twin = {"_id": "sellers/s900", "_key": "s900", "name": "Stonegate Supply"}  # a second one of that name
    demo_arango.insert("sellers", twin)
    shutil.copytree(demo_dir / "data", tmp_path / "data")
    with open(tmp_path / "data" / "sellers.jsonl", "a") as f:
        f.write(json.dumps(twin) + "\n")
    local_store = LocalGraphStore.from_directory(tmp_path / "data")
    for source in ("Stonegate Supply", "Stongate Suply"):
        template = _template("shortest_path", source=source, target="c00042")
        with pytest.raises(EngineError) as on_local:
            await LocalEngine().run(template, local_store, "r")
        with pytest.raises(EngineError) as on_aql:
            await AQLPathEngine().run(template, _store(demo_arango), "r")
        assert isinstance(on_aql.value.__cause__, EntityError)
        assert on_aql.value.__cause__.resolutions == on_local.value.__cause__.resolutions
    assert "ambiguous" in str(on_local.value) or "names no vertex" in str(on_local.value)
    assert not any("SHORTEST_PATH" in q for q, _ in demo_arango.queries)  # an unresolved name asks nothing


async def test_a_path_outside_the_analysed_collections_goes_to_the_local_engine(arango):
    """SHORTEST_PATH has no vertexCollections option: a shorter way through another collection is
    not the answer on these collections; the local engine gives it, and the report says why."""
    arango.add_collection("a")
    arango.add_collection("b")
    arango.add_collection("e", EDGE)
    for key in "1234":
        arango.insert("a", {"_key": key})
    arango.insert("b", {"_key": "x"})
    for s, t in [("a/1", "b/x"), ("b/x", "a/2"), ("a/1", "a/3"), ("a/3", "a/4"), ("a/4", "a/2")]:
        arango.insert("e", {"_from": s, "_to": t})
    router = RoutingEngine(LocalEngine(), aql=AQLPathEngine())
    out = await router.run(_template("shortest_path", ["a"], ["e"], source="1", target="2"), _store(arango), "r")
    assert out.engine == "local" and "passes through b/x, outside the analysed collections" in out.note
    assert {v for v in out.values.values() if v} == {"a/1 → a/3 → a/4 → a/2"}
    # with the other collection in scope ArangoDB's answer is the answer
    out = await router.run(_template("shortest_path", ["a", "b"], ["e"], source="1", target="2"), _store(arango), "r")
    assert out.engine == "aql" and {v for v in out.values.values() if v} == {"a/1 → b/x → a/2"}
    # no edge collection: nothing for the server to search; the local engine answers (a vertex to itself)
    out = await router.run(_template("shortest_path", ["a"], [], source="1", target="1"), _store(arango), "r")
    assert out.engine == "local" and {v for v in out.values.values() if v} == {"a/1"}


async def test_the_double_is_as_strict_as_the_server(demo_arango):
    store = _store(demo_arango)
    q = shortest_path_query("ANY", 1, 1)
    cols = {"@vertices0": "sellers", "@edges0": "transfers"}
    assert await store.query(q, {**cols, "start": "sellers/s000", "target": "sellers/s000"}) == ["sellers/s000"]
    # a missing document: empty, no warning; an id of the wrong form: empty with a warning
    assert await store.query(q, {**cols, "start": "sellers/nobody", "target": "sellers/s001"}) == []
    assert demo_arango.warnings == []
    assert await store.query(q, {**cols, "start": "s000", "target": "sellers/s001"}) == []
    assert demo_arango.warnings[-1]["code"] == 10 and "Only id strings" in demo_arango.warnings[-1]["message"]
    with pytest.raises(StoreError, match=r"\[ERR 1552\] bind parameter 'depth' was not declared"):
        await store.query(q, {**cols, "start": "sellers/s000", "target": "sellers/s001", "depth": 2})
    with pytest.raises(StoreError, match=r"\[ERR 1551\] no value specified for declared bind parameter 'target'"):
        await store.query(q, {**cols, "start": "sellers/s000"})
    with pytest.raises(StoreError, match="unknown collection 'nope'"):  # the store checks before AQL sees it
        await store.query(q, {"@vertices0": "sellers", "@edges0": "nope", "start": "sellers/s000", "target": "sellers/s1"})
    hop = k_hop_query("ANY", 1, 1)
    bind = {**cols, "starts": ["sellers/s000"], "vertexCollections": ["sellers"]}
    for depth in (-1, "2", 1.5):
        with pytest.raises(StoreError, match=r"\[ERR 1501\] invalid traversal depth"):
            await store.query(hop, {**bind, "depth": depth})
    rows = await store.query(hop, {**bind, "depth": 2})
    assert rows and all(d in (1, 2) for _, d in rows) and len({v for v, _ in rows}) == len(rows)
    dfs = hop.replace('order: "bfs"', 'order: "dfs"')
    with pytest.raises(StoreError, match=r"\[ERR 10\] uniqueVertices: 'global' is only supported"):
        await store.query(dfs, {**bind, "depth": 2})
    await store.query(hop.replace('order: "bfs"', 'order: "bfs", colour: "red"'), {**bind, "depth": 1})
    assert demo_arango.warnings[-1] == {"code": 1539, "message": "unknown OPTIONS attribute used: colour"}
    with pytest.raises(StoreError, match=r"\[ERR 1218\] collection type invalid for collection 'sellers'"):
        await store.query(q, {"@vertices0": "sellers", "@edges0": "sellers", "start": "sellers/s000", "target": "sellers/s1"})
    with pytest.raises(StoreError, match=r"\[ERR 1501\]"):  # no TO: not the grammar
        await store.query("FOR v IN ANY SHORTEST_PATH @start @@edges0 RETURN v", {"@edges0": "transfers", "start": "sellers/s0"})
    with pytest.raises(StoreError, match=r"\[ERR 1501\] SHORTEST_PATH must have one or two return variables"):
        await store.query(q.replace("FOR v IN", "FOR v, e, p IN"), {**cols, "start": "sellers/s000", "target": "sellers/s001"})


def test_backends_route_by_store(demo_arango, gae, demo_dir):
    settings = arango_settings(demo_arango)
    engine = make_engine(settings, ArangoGraphStore.from_settings(settings))
    assert isinstance(engine, RoutingEngine) and engine.gae is None and engine.name == "aql+local"
    assert engine.route("shortest_path")[0] is engine.aql and engine.route("louvain") == (engine.local, "")
    with_gae = arango_settings(demo_arango, GAE_DEPLOYMENT="platform", GAE_PLATFORM_URL=gae.url)
    engine = make_engine(with_gae, ArangoGraphStore.from_settings(with_gae))
    assert isinstance(engine.gae, GAEEngine) and engine.route("pagerank")[0] is engine.gae
    local, note = engine.route("louvain")
    assert local is engine.local and note == "Computed by the local engine on the graph read from ArangoDB: GAE has no endpoint for Louvain communities."
    assert "AQL has no search for it" in engine.route("simple_cycles")[1]
    assert isinstance(make_engine(settings, LocalGraphStore.from_directory(demo_dir / "data")), LocalEngine)


async def test_a_gae_run_says_which_engine_computed_each_report(demo_arango, gae, demo_dir, tmp_path, monkeypatch):
    for key, value in {"ARANGO_URL": demo_arango.url, "ARANGO_PASSWORD": "pw", "GAE_DEPLOYMENT": "platform",
                       "GAE_PLATFORM_URL": gae.url, "GAE_POLL_INITIAL": "0.01", "GAE_POLL_MAX": "0.05"}.items():
        monkeypatch.setenv(key, value)
    sellers = [json.loads(line) for line in open(demo_dir / "data" / "sellers.jsonl")]
    asks = ("1. Which products are the most influential in what customers purchased?\n"
            "2. Find stable, reproducible communities of customers with Louvain modularity.\n"
            f'3. How is "{sellers[0]["name"]}" connected to "{sellers[5]["name"]}"?\n')
    runner = AgenticWorkflowRunner(workspace=tmp_path / "ws")
    result = await runner.run_async(requirements=asks, industry="ecommerce")
    assert result.status == "completed" and result.errors == []
    engines = {r.algorithm: r.engine for r in result.execution_results}
    assert engines == {"pagerank": "gae", "louvain": "local", "shortest_path": "aql"}
    summaries = {r.algorithm: r.summary for r in result.reports}
    assert "Computed by the local engine on the graph read from ArangoDB: GAE has no endpoint for Louvain communities." in summaries["louvain"]
    assert "Computed in ArangoDB with AQL (SHORTEST_PATH)" in summaries["shortest_path"]
    assert "Computed" not in summaries["pagerank"]
    assert len(gae.started) == 1 and gae.stopped == gae.started and runner.engine is None
