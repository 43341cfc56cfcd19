"""The full workflow on a real ArangoDB (and GAE, when configured). Skipped unless ARANGO_URL is set.

The demo graph is loaded into a fresh database (``graph_agents_it_<random>``, dropped afterwards),
so the user's data is never touched; the user needs the right to create databases. With
``GAE_DEPLOYMENT`` or ``GAE_ENGINE_URL`` set the analyses run on GAE, else on the local engine
(for ArangoGraph also ``GAE_AMP_KEY_ID``/``GAE_AMP_KEY_SECRET``, and ``GAE_AMP_MANAGEMENT_URL`` when
the management API is not on ``ARANGO_URL``'s host at port 8829).
"""

import json
import os
import secrets

import pytest

from graph_agents import AgenticWorkflowRunner
from graph_agents.settings import Settings
from graph_agents.stores import LocalGraphStore
from graph_agents.stores.arango import connect

pytestmark = pytest.mark.skipif(not os.environ.get("ARANGO_URL"), reason="ARANGO_URL is not set")


@pytest.fixture
def cluster_db(demo_dir, monkeypatch):
    base = Settings()
    sys_db = connect(base.model_copy(update={"arango_database": "_system"}))
    name = f"graph_agents_it_{secrets.token_hex(4)}"
    sys_db.create_database(name)
    try:
        db = connect(base.model_copy(update={"arango_database": name}))
        local = LocalGraphStore.from_directory(demo_dir / "data")
        for coll, docs in local.collections.items():
            target = db.create_collection(coll, edge=local.types[coll] == "edge")
            clean = [{k: v for k, v in d.items() if k not in ("_id", "_rev")} for d in docs]
            target.import_bulk(clean, batch_size=5000)
        monkeypatch.setenv("ARANGO_DATABASE", name)
        yield db
    finally:
        sys_db.delete_database(name, ignore_missing=True)


async def test_full_workflow_on_the_cluster(cluster_db, demo_dir, tmp_path):
    truth = json.loads((demo_dir / "ground_truth.json").read_text())
    result = await AgenticWorkflowRunner(workspace=tmp_path / "ws").run_async([demo_dir / "requirements.md"])
    assert result.status == "completed" and result.errors == [], result.errors
    expected_engine = "gae" if Settings().gae_configured else "local"
    assert {r.engine for r in result.execution_results} == {expected_engine}
    by_algo = {r.algorithm: r for r in result.reports}
    assert set(t["id"] for t in by_algo["pagerank"].top_results[:5]) == set(truth["influential_products"])
    cycle = [g for g in by_algo["scc"].groups if g["size"] > 1]
    assert len(cycle) == 1 and set(cycle[0]["members"]) == set(truth["seller_cycle"])
    names = {c["name"] for c in cluster_db.collections()}
    assert sum(n.startswith("ga_results_") for n in names) == len(result.execution_results)
    for execution in result.execution_results:  # exactly one row per vertex, on either engine
        name = execution.result_location.split("/")[3].split("#")[0]
        rows = cluster_db.collection(name).count()
        distinct = next(cluster_db.aql.execute("RETURN COUNT_DISTINCT(FOR d IN @@c RETURN d.id)", bind_vars={"@c": name}))
        assert rows == distinct == execution.result_count, name
