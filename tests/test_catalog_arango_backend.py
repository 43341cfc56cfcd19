"""The ArangoDB catalog backend's five primitives, against the ArangoDB protocol double."""

import pytest

from graph_agents.catalog.arango import GRAPH, LINEAGE, ArangoCatalogBackend
from graph_agents.catalog.base import KINDS, CatalogBackend
from graph_agents.stores.arango import connect
from tests.doubles.arango_server import EDGE
from tests.doubles.fixtures import arango, arango_settings  # noqa: F401  (fixtures)


@pytest.fixture
async def backend(arango):
    b = ArangoCatalogBackend(connect(arango_settings(arango)))
    yield b
    await b.aclose()


async def test_is_a_catalog_backend_and_creates_its_collections_and_graph(backend, arango):
    assert isinstance(backend, CatalogBackend)
    assert await backend.get("runs", "nothing") is None
    assert {f"ga_catalog_{k}" for k in KINDS} <= set(arango.collections)
    assert arango.collections[LINEAGE]["type"] == EDGE
    definition = arango.graphs[GRAPH]["edgeDefinitions"][0]
    assert definition["collection"] == LINEAGE and set(definition["from"]) == {f"ga_catalog_{k}" for k in KINDS}
    # a second backend on the same database finds everything in place
    again = ArangoCatalogBackend(backend.db)
    assert await again.find("runs") == []


async def test_put_get_and_idempotent_replace(backend, arango):
    await backend.write([("runs", "r1", {"status": "running", "n": 1, "nested": {"a": [1, 2]}})])
    assert await backend.get("runs", "r1") == {"status": "running", "n": 1, "nested": {"a": [1, 2]}}
    await backend.write([("runs", "r1", {"status": "completed", "n": 1})])
    await backend.write([("runs", "r1", {"status": "completed", "n": 1})])
    assert await backend.get("runs", "r1") == {"status": "completed", "n": 1}
    assert len(arango.collections["ga_catalog_runs"]["docs"]) == 1
    assert await backend.get("epochs", "r1") is None  # kinds are separate


async def test_find_by_fields_in_insertion_order(backend):
    for key, vertical in [("b", "fraud"), ("a", "ecommerce"), ("c", "fraud")]:
        await backend.write([("runs", key, {"vertical": vertical, "status": "completed"})])
    await backend.write([("runs", "b", {"vertical": "fraud", "status": "failed"})])  # replacing keeps its place
    assert [d["vertical"] for d in await backend.find("runs")] == ["fraud", "ecommerce", "fraud"]
    fraud = await backend.find("runs", vertical="fraud")
    assert [d["status"] for d in fraud] == ["failed", "completed"]
    assert await backend.find("runs", vertical="fraud", status="completed") == [
        {"vertical": "fraud", "status": "completed"}]
    assert await backend.find("runs", vertical="telecom") == []


async def test_link_and_neighbors_idempotently(backend, arango):
    await backend.write([("runs", "r1", {"x": 1})])
    await backend.write([("templates", "t1", {"x": 2})])
    await backend.write([("templates", "t2", {"x": 3})])
    await backend.write([], [("runs/r1", "templates/t1")])
    await backend.write([], [("runs/r1", "templates/t2")])
    await backend.write([], [("runs/r1", "templates/t1")])  # again: still one edge
    assert len(arango.collections[LINEAGE]["docs"]) == 2
    assert await backend.neighbors("runs/r1", "out") == ["templates/t1", "templates/t2"]
    assert await backend.neighbors("templates/t1", "in") == ["runs/r1"]
    assert await backend.neighbors("templates/t1", "out") == []
    edge = next(iter(arango.collections[LINEAGE]["docs"].values()))
    assert edge["_from"] == "ga_catalog_runs/r1" and edge["_to"].startswith("ga_catalog_templates/")


async def test_rejects_unknown_kinds_and_bad_keys(backend):
    with pytest.raises(ValueError, match="kind"):
        await backend.write([("nope", "k", {})])
    with pytest.raises(ValueError, match="key"):
        await backend.write([("runs", "a/b", {})])
    with pytest.raises(ValueError, match="kind"):
        await backend.write([], [("runs/r1", "nope/x")])
    with pytest.raises(ValueError, match="direction"):
        await backend.neighbors("runs/r1", "sideways")


def test_backends_factory_gives_the_arango_catalog_when_configured(arango):
    from graph_agents.backends import make_catalog_backend

    assert isinstance(make_catalog_backend(arango_settings(arango)), ArangoCatalogBackend)
    assert make_catalog_backend(arango_settings(arango, ARANGO_URL=None)) is None


async def test_concurrent_upsert_conflicts_are_retried(backend, arango):
    await backend.write([("runs", "r0", {"x": 0})])  # collections and graph in place
    arango.upsert_conflicts = [1200, 1210, 1200]  # write-write conflict, unique constraint, conflict
    await backend.write([("runs", "r1", {"status": "running"})], [("runs/r0", "runs/r1")])
    assert await backend.get("runs", "r1") == {"status": "running"} and backend.conflicts_retried == 3
    assert await backend.neighbors("runs/r0", "out") == ["runs/r1"]
    assert arango.upsert_conflicts == []


async def test_a_conflict_that_never_resolves_is_an_error(backend, arango):
    from arango.exceptions import AQLQueryExecuteError

    from graph_agents.catalog.arango import UPSERT_ATTEMPTS

    await backend.write([("runs", "r0", {"x": 0})])
    arango.upsert_conflicts = [1210] * UPSERT_ATTEMPTS
    with pytest.raises(AQLQueryExecuteError, match="unique constraint violated"):
        await backend.write([("runs", "r1", {"x": 1})])
    assert arango.upsert_conflicts == []
