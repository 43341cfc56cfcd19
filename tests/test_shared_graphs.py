"""One graph per collection set per run, shared by every analysis and detector; results as arrays."""

from graph_agents import AgenticWorkflowRunner
from graph_agents.engines import LocalEngine
from graph_agents.nodes.generate_templates import BETWEENNESS_SAMPLES, betweenness_samples
from graph_agents.stores import LocalGraphStore
from graph_agents.stores.base import VertexValues


class CountingStore(LocalGraphStore):
    """Counts the graphs actually built from the columns (not the cached hand-outs)."""

    builds: list[tuple] = []

    def _load_graph(self, vertex_collections, edge_collections):
        self.builds.append((tuple(vertex_collections), tuple(edge_collections)))
        return super()._load_graph(vertex_collections, edge_collections)


async def test_every_analysis_and_detector_shares_one_graph_per_collection_set(demo_dir, tmp_path, monkeypatch):
    from graph_agents.nodes import generate_templates

    monkeypatch.setattr(generate_templates, "EXACT_BETWEENNESS_MAX", 100)  # the demo's betweenness is sampled
    store = CountingStore.from_directory(demo_dir / "data", results_dir=tmp_path / "r")
    CountingStore.builds = []
    engine = LocalEngine()
    result = await AgenticWorkflowRunner(store=store, engine=engine, workspace=tmp_path / "ws", catalog=False).run_async(
        [demo_dir / "requirements.md"]
    )
    assert result.status == "completed"
    # each collection set built once, though five analyses ran and the isolation detector asked again
    assert len(CountingStore.builds) == len(set(CountingStore.builds)) == engine.loads
    lpa = next(r for r in result.reports if r.algorithm == "label_propagation")
    assert any("isolation" in g for g in lpa.groups)  # the detector measured groups on the shared graph
    brokers = next(r for r in result.reports if r.algorithm == "betweenness")
    assert brokers.facts["sampled_sources"] == 256 and "sampled sources" in brokers.summary


async def test_engine_results_are_arrays(demo_dir, tmp_path):
    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path / "r")
    result = await AgenticWorkflowRunner(store=store, engine=LocalEngine(), workspace=tmp_path / "ws", catalog=False).run_async(
        [demo_dir / "requirements.md"]
    )
    for ex in result.execution_results:
        back = await store.read_results(ex.result_location)
        assert isinstance(back, VertexValues) and len(back) == ex.result_count
        assert back.kind == ("scores" if ex.algorithm in ("pagerank", "betweenness") else "partition")


def test_betweenness_samples_shrink_as_the_graph_grows_and_the_report_says_so():
    low, high = BETWEENNESS_SAMPLES
    ks = [betweenness_samples(n, 10 * n) for n in (2_000, 20_000, 200_000, 2_000_000)]  # edges count too
    assert ks[0] == high and ks[-1] == low and ks == sorted(ks, reverse=True) and low < ks[1] < high
