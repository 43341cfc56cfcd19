"""The algorithm catalog holds together: every algorithm has a family, intents, valid parameter
defaults and ranges, engines that run it, and the local engine runs it on the demo graph."""

from __future__ import annotations

import pytest

from graph_agents import algorithms
from graph_agents.engines import LocalEngine
from graph_agents.engines import local
from graph_agents.models import AnalysisTemplate
from graph_agents.stores import LocalGraphStore

NAMES = sorted(algorithms.CATALOG)


def test_the_catalog_covers_the_families() -> None:
    assert {a.family for a in algorithms.CATALOG.values()} <= set(algorithms.FAMILIES)
    assert set(algorithms.FAMILIES) == {a.family for a in algorithms.CATALOG.values()}
    assert len(NAMES) >= 25


@pytest.mark.parametrize("name", NAMES)
def test_each_entry_is_complete(name: str) -> None:
    algo = algorithms.get(name)
    assert algo.name == name and algo.title and algo.description and algo.result_field
    assert algo.kind in ("score", "partition", "flags")
    assert algo.intents and all(w in (1.0, 2.0, 3.0, algorithms.NAMED) for w in algo.intents.values())
    assert any(w == 3.0 for w in algo.intents.values()), "a strong phrase decides alone"
    assert algo.validate_params({}) == algo.defaults()  # the defaults are inside their own ranges
    for key, param in algo.params.items():
        if param.min is not None:
            with pytest.raises(ValueError):
                algo.validate_params({key: param.min - 1})
    assert "local" in algo.engines and name in local._ALGORITHMS
    assert ("gae" in algo.engines) == bool(algo.gae_endpoint)
    assert ("aql" in algo.engines) == (algo.family == "paths" and name != "simple_cycles")


@pytest.mark.parametrize("name", ["closeness", "articulation_points", "hits", "louvain"])
def test_a_strong_phrase_picks_the_algorithm(name: str) -> None:
    asks = {
        "closeness": "Who is closest to everyone in the network?",
        "articulation_points": "Find the single points of failure whose removal would disconnect the network.",
        "hits": "Score the pages as hubs and authorities.",
        "louvain": "Split the customers into stable communities by modularity.",
    }
    assert algorithms.match(asks[name])[0][0] == name


@pytest.fixture(scope="module")
def demo_store(demo_dir, tmp_path_factory) -> LocalGraphStore:
    return LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path_factory.mktemp("results"))


@pytest.mark.parametrize("name", NAMES)
async def test_local_engine_runs_it_on_the_demo_graph(name: str, demo_store: LocalGraphStore) -> None:
    collections = await demo_store.list_collections()
    vertices = sorted(c.name for c in collections if c.type == "document")
    edges = sorted(c.name for c in collections if c.type == "edge")
    params = {}
    if name == "personalized_pagerank":
        data = await demo_store.load_graph(vertices, edges)
        params = {"seeds": data.ids[0]}
    if name in ("shortest_path", "all_shortest_paths", "k_hop", "similar_to"):
        data = await demo_store.load_graph(vertices, edges)
        ends = data.edges[0]  # two linked vertices: a path surely exists
        params = {"shortest_path": {"source": data.ids[ends[0]], "target": data.ids[ends[1]]},
                  "all_shortest_paths": {"source": data.ids[ends[0]], "target": data.ids[ends[1]]},
                  "k_hop": {"seeds": data.ids[ends[0]]},
                  "similar_to": {"target": data.ids[ends[0]]}}[name]
    if name in ("closeness", "harmonic"):
        params = {"k": 64}  # the estimate; the exact form is checked against networkx
    engine = LocalEngine()
    template = AnalysisTemplate(id="T-001", use_case_id="UC-001", title=name, algorithm=name, parameters=params,
                                vertex_collections=vertices, edge_collections=edges)
    try:
        outcome = await engine.run(template, demo_store, "run-catalog")
    finally:
        await engine.aclose()
    assert outcome.result_count == len(outcome.values) > 0
    assert (await demo_store.read_results(outcome.result_location)).ids == outcome.values.ids


def test_the_bench_split_of_the_new_algorithms_is_understood() -> None:
    from bench import understanding  # bench/ is a namespace package at the repository root

    out = understanding.run("algorithms-18a")
    assert out["asks"] >= 15
    assert out["top1_accuracy"] >= 0.9 and out["phantoms"] == 0, understanding.run("algorithms-18a", True)["misses"]


async def test_gae_refuses_an_algorithm_it_documents_no_endpoint_for() -> None:
    from graph_agents.engines import EngineError
    from graph_agents.engines.gae import GAEEngine
    from graph_agents.settings import Settings

    class ArangoLike:  # the check comes before any request: no server needed
        kind = "arango"

    template = AnalysisTemplate(id="T-001", use_case_id="UC-001", title="k", algorithm="k_core", parameters={},
                                vertex_collections=["a"], edge_collections=["e"])
    with pytest.raises(EngineError, match="GAE documents no endpoint for k_core"):
        await GAEEngine(Settings().model_copy(update={"gae_deployment": "platform", "arango_url": "http://127.0.0.1:9"})).run(template, ArangoLike(), "run")
