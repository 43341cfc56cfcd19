"""ArangoGraphStore against the ArangoDB protocol double (python-arango's real HTTP calls)."""

import json
from collections import Counter

import pytest

from graph_agents import AgenticWorkflowRunner
from graph_agents.backends import make_engine, make_store
from graph_agents.catalog import arango as catalog_queries
from graph_agents.engines import LocalEngine
from graph_agents.stores import LocalGraphStore, StoreError
from graph_agents.stores import arango as store_queries
from graph_agents.stores.arango import ArangoGraphStore, result_collection_name
from tests.doubles.arango_server import DOCUMENT, EDGE
from tests.doubles.fixtures import arango, arango_settings, demo_arango  # noqa: F401  (fixtures)

KNOWN = {v for m in (store_queries, catalog_queries) for k, v in vars(m).items() if k.startswith("Q_")}


def _store(server, **kw) -> ArangoGraphStore:
    return ArangoGraphStore.from_settings(arango_settings(server), **kw)


async def test_scope_skips_system_and_own_collections(demo_arango):
    for name in ("_jobs", "ga_results_old_run_t1", "ga_catalog_runs"):
        demo_arango.add_collection(name)
        demo_arango.insert(name, {"x": 1})
    metas = await _store(demo_arango).list_collections()
    names = {m.name for m in metas}
    assert "customers" in names and "purchased" in names
    assert not {n for n in names if n.startswith(("_", "ga_"))}
    by_name = {m.name: m for m in metas}
    assert by_name["customers"].type == "document" and by_name["purchased"].type == "edge"
    assert by_name["customers"].count == len(demo_arango.collections["customers"]["docs"])


async def test_named_graph_and_listed_collections_scope(demo_arango):
    demo_arango.graphs["shop"] = {
        "edgeDefinitions": [{"collection": "purchased", "from": ["customers"], "to": ["products"]}],
        "orphanCollections": ["sellers"],
    }
    store = _store(demo_arango, graph_name="shop")
    assert [m.name for m in await store.list_collections()] == ["customers", "products", "purchased", "sellers"]
    name, defs = await store.named_graph()
    assert name == "shop" and defs[0].collection == "purchased" and defs[0].to_collections == ["products"]

    listed = _store(demo_arango, collections=["customers", "referred"])
    assert [m.name for m in await listed.list_collections()] == ["customers", "referred"]
    with pytest.raises(StoreError, match="nope"):
        await _store(demo_arango, collections=["customers", "nope"]).list_collections()
    with pytest.raises(StoreError, match="not found"):
        await _store(demo_arango, graph_name="missing").named_graph()


async def test_collection_names_only_reach_aql_as_bind_variables(demo_arango):
    store = _store(demo_arango)
    sneaky = "customers RETURN 1 //"
    with pytest.raises(StoreError, match="unknown collection"):
        await store.sample(sneaky, 5)
    await store.list_collections()
    await store.sample("customers", 5)
    await store.degree_stats(["purchased"])
    await store.load_graph(["customers", "products"], ["purchased"], ("name",))
    await store.display_names(["customers/c0001"])
    assert demo_arango.queries and all(q in KNOWN for q, _ in demo_arango.queries)
    collections = set(demo_arango.collections)
    assert not any(c in q for q, _ in demo_arango.queries for c in collections)


async def test_reads_match_the_local_store_and_page_through_cursors(demo_arango, demo_dir):
    local = LocalGraphStore.from_directory(demo_dir / "data")
    store = _store(demo_arango)
    vertices, edges = ["customers", "products", "devices"], ["purchased", "uses_device"]
    want = await local.load_graph(vertices, edges, ("name",))
    got = await store.load_graph(vertices, edges, ("name",))
    assert got == want  # ids, edges (pairs or an array) and attributes
    assert demo_arango.cursor_pages > len(demo_arango.queries)  # batches of 500 were paged
    assert demo_arango.cursors == {}  # every cursor was exhausted or closed
    assert len(await store.sample("customers", 7)) == 7
    assert await store.degree_stats(["purchased", "uses_device"]) == await local.degree_stats(["purchased", "uses_device"])
    names = await store.display_names(["products/p0001", "customers/c0002", "nowhere/1"])
    assert names == await local.display_names(["products/p0001", "customers/c0002", "nowhere/1"]) and names


async def test_independent_collection_queries_run_concurrently(demo_arango):
    demo_arango.query_delay = 0.05
    await _store(demo_arango).list_collections()
    assert demo_arango.max_inflight > 1


async def test_results_per_run_and_template_never_overwrite_another_run(demo_arango):
    store = _store(demo_arango)
    a = await store.write_results("run-a", "t1", "rank", {"customers/c0001": 0.5, "products/p0001": 0.25})
    b = await store.write_results("run-b", "t1", "rank", {"customers/c0001": 0.9})
    assert a != b
    assert await store.read_results(a) == {"customers/c0001": 0.5, "products/p0001": 0.25}
    assert await store.read_results(b) == {"customers/c0001": 0.9}
    # the same run and template again (a resumed run) replaces its own rows only
    await store.write_results("run-a", "t1", "rank", {"customers/c0001": 0.7, "products/p0001": 0.25})
    assert await store.read_results(a) == {"customers/c0001": 0.7, "products/p0001": 0.25}
    assert await store.read_results(b) == {"customers/c0001": 0.9}
    long_name = result_collection_name("r" * 40, "template-" + "x" * 80)
    assert len(long_name) <= 64 and long_name != result_collection_name("r" * 40, "template-" + "x" * 79)
    with pytest.raises(StoreError):
        await store.read_results("arango://otherdb/ga_results_x#rank")


async def test_jwt_and_bad_credentials(demo_arango):
    token = demo_arango.issue_token()
    store = ArangoGraphStore.from_settings(arango_settings(demo_arango, ARANGO_JWT=token, ARANGO_PASSWORD="wrong"))
    assert await store.list_collections()
    bad = ArangoGraphStore.from_settings(arango_settings(demo_arango, ARANGO_PASSWORD="wrong"))
    with pytest.raises(StoreError, match="not authorized|401"):
        await bad.list_collections()


def test_backends_pick_arango_and_the_local_engine_without_gae(arango):
    settings = arango_settings(arango)
    store = make_store(settings)
    assert isinstance(store, ArangoGraphStore)
    engine = make_engine(settings, store)  # paths as AQL on the server, the rest on the local engine
    assert isinstance(engine.local, LocalEngine) and engine.gae is None
    assert make_store(arango_settings(arango, ARANGO_URL=None)) is None


async def test_workflow_on_arango_with_the_local_engine(demo_arango, demo_dir, tmp_path, monkeypatch):
    """No GAE configured: the local engine runs on the graph streamed out of ArangoDB and writes
    the results back into per-run collections."""
    monkeypatch.setenv("ARANGO_URL", demo_arango.url)
    monkeypatch.setenv("ARANGO_PASSWORD", "pw")
    monkeypatch.delenv("GAE_DEPLOYMENT", raising=False)
    monkeypatch.delenv("GAE_ENGINE_URL", raising=False)
    truth = json.loads((demo_dir / "ground_truth.json").read_text())
    runner = AgenticWorkflowRunner(workspace=tmp_path / "ws")
    result = await runner.run_async([demo_dir / "requirements.md"])
    assert result.status == "completed" and result.errors == []
    assert {r.engine for r in result.execution_results} == {"local"}
    by_algo = {r.algorithm: r for r in result.reports}
    assert set(by_algo) == {"pagerank", "label_propagation", "wcc", "scc", "betweenness"}
    assert set(t["id"] for t in by_algo["pagerank"].top_results[:5]) == set(truth["influential_products"])
    cycle = [g for g in by_algo["scc"].groups if g["size"] > 1]
    assert len(cycle) == 1 and set(cycle[0]["members"]) == set(truth["seller_cycle"])
    assert by_algo["betweenness"].top_results[0]["id"] == truth["broker"]
    results = [n for n in demo_arango.collections if n.startswith("ga_results_")]
    assert len(results) == 5 and all(result.thread_id in n for n in results)
    lpa = next(r for r in result.execution_results if r.algorithm == "label_propagation")
    assert lpa.result_location.startswith("arango://_system/ga_results_")
    coll = lpa.result_location.split("/")[3].split("#")[0]
    assert len(demo_arango.collections[coll]["docs"]) == lpa.result_count == 2400
    assert Counter(d["id"].split("/")[0] for d in demo_arango.collections[coll]["docs"].values())
    assert runner.engine is None  # the engine the run made was closed with it


async def test_unreachable_server_is_a_store_error():
    from arango import ArangoClient
    from arango.http import DefaultHTTPClient

    # no transport retries with back-off: the test is about the error, not the patience
    client = ArangoClient(hosts="http://127.0.0.1:1", http_client=DefaultHTTPClient(retry_attempts=0, backoff_factor=0))
    store = ArangoGraphStore(client.db("_system", password="pw"), url="http://127.0.0.1:1")
    with pytest.raises(StoreError, match="127.0.0.1:1"):
        await store.list_collections()


async def test_the_double_checks_bind_variables_as_arangodb_does(demo_arango):
    store = _store(demo_arango)
    with pytest.raises(StoreError, match=r"\[HTTP 400\]\[ERR 1551\] no value specified for declared bind parameter 'n'"):
        await store._call(store._query, store_queries.Q_SAMPLE, {"@collection": "customers"})
    with pytest.raises(StoreError, match=r"\[ERR 1552\] bind parameter 'extra' was not declared in the query"):
        await store._call(store._query, store_queries.Q_COUNT, {"@collection": "customers", "extra": 1})
    with pytest.raises(StoreError, match=r"\[ERR 1553\] bind parameter '@collection' has an invalid value"):
        await store._call(store._query, store_queries.Q_COUNT, {"@collection": 7})
    # and every statement the store and the catalog issue declares exactly what they bind
    await store.list_collections()
    await store.load_graph(["customers"], ["referred"], ("name",))
    await store.write_results("r", "t", "rank", {"customers/c00001": 0.5})
    assert demo_arango.queries


async def test_rewriting_results_leaves_exactly_this_executions_rows(demo_arango):
    store = _store(demo_arango)
    location = await store.write_results("run-a", "t1", "rank", {"customers/c00001": 0.5, "customers/c00002": 0.25})
    await store.write_results("run-a", "t1", "rank", {"customers/c00002": 0.75})  # a resume on a smaller graph
    assert await store.read_results(location) == {"customers/c00002": 0.75}
    name = result_collection_name("run-a", "t1")
    assert len(demo_arango.collections[name]["docs"]) == 1
    assert await store.prepare_results("run-a", "t1", empty=True) == name
    assert demo_arango.collections[name]["docs"] == {}
