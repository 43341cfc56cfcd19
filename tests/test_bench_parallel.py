"""bench/parallel.py runs the real workflow with simulated latency; its counters are right."""

import importlib.util
import sys
from pathlib import Path

import pytest

from graph_agents.demo import generate_demo
from graph_agents.stores import LocalGraphStore

BENCH = Path(__file__).resolve().parent.parent / "bench" / "parallel.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_parallel", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_parallel"] = module
    spec.loader.exec_module(module)
    return module


async def _run(bench, tmp_path, demo_dir, n, parallel, cap=None):
    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path / "results")
    ids = [d["_id"] for d in await store.sample("customers", 20)]
    return await bench.one_run(n, parallel, cap, 0.001, 0, demo_dir, tmp_path / f"w{n}{parallel}{cap}", store, ids)


async def test_cap_holds_and_every_agent_calls_the_model(bench, tmp_path, demo_dir):
    capped = await _run(bench, tmp_path, demo_dir, 6, True, cap=2)
    assert capped["max_concurrent_analyses"] == 2 and capped["max_concurrency"] == 2
    assert capped["llm_calls"] == 5 + 6  # five planning agents, one report per template
    assert capped["capped_critical_path_s"] >= capped["critical_path_s"] > 0
    seq = await _run(bench, tmp_path, demo_dir, 3, False)
    assert seq["max_concurrent_analyses"] == 1 and seq["mode"] == "sequential"


def test_requirements_text_has_one_question_per_template(bench):
    text = bench.requirements_text(7)
    assert text.count("Question ") == 7 and "Question 7:" in text
