"""What recording a run costs: the demo workflow with and without the catalog and tracing.

    python bench/catalog_tracing_overhead.py [repeats]

Prints JSON: median wall seconds per configuration, the overhead of recording, and the time the
SQLite catalog takes to record one run's entities by itself (whole runs on a busy 2-core machine
are noisy; the direct figure is not).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graph_agents import AgenticWorkflowRunner
from graph_agents.catalog import open_catalog
from graph_agents.demo import generate_demo

CONFIGS = {
    "bare": {"catalog": False, "enable_tracing": False},
    "tracing": {"catalog": False, "enable_tracing": True},
    "catalog": {"catalog": None, "enable_tracing": False},
    "catalog+tracing": {"catalog": None, "enable_tracing": True},
    "catalog+tracing+debug": {"catalog": None, "enable_tracing": True, "enable_debug_mode": True},
}


async def record_direct(root: Path, runs: int = 50, n: int = 5) -> float:
    """Seconds to record one run of ``n`` requirements, use cases, templates, executions, reports."""
    catalog = open_catalog(root / "direct")
    t = time.perf_counter()
    for r in range(runs):
        run = f"r{r}"
        await catalog.start_run(run)
        await catalog.record_requirements(run, [{"id": f"REQ-{i}", "text": "x"} for i in range(n)])
        await catalog.record_use_cases(run, [{"id": f"UC-{i}", "requirement_ids": [f"REQ-{i}"]} for i in range(n)])
        templates = [{"id": f"T-{i}", "use_case_id": f"UC-{i}", "algorithm": "pagerank",
                      "vertex_collections": ["v"], "edge_collections": ["e"]} for i in range(n)]
        await catalog.record_templates(run, templates)
        for i, tpl in enumerate(templates):
            await catalog.record_execution(run, tpl, {"template_id": f"T-{i}", "algorithm": "pagerank",
                                                      "status": "completed", "started_at": 0, "finished_at": 1})
            await catalog.record_report(run, {"id": f"R-{i}", "template_id": f"T-{i}", "facts": {"gini": 0.5}})
        await catalog.finish_run(run, status="completed")
    elapsed = (time.perf_counter() - t) / runs
    await catalog.aclose()
    return elapsed


async def main(repeats: int) -> dict:
    root = Path(tempfile.mkdtemp())
    demo = generate_demo(root / "demo")
    times: dict[str, list[float]] = {name: [] for name in CONFIGS}
    for i in range(repeats):
        for name, kw in CONFIGS.items():  # interleaved so drift hits every configuration alike
            runner = AgenticWorkflowRunner(data_dir=demo / "data", workspace=root / f"ws-{name}", **kw)
            t = time.perf_counter()
            thread_id = f"{name.replace('+', '_')}-{i}"  # thread ids are file-name safe
            await runner.run_async([demo / "requirements.md"], thread_id=thread_id)
            times[name].append(time.perf_counter() - t)
    med = {name: statistics.median(v) for name, v in times.items()}
    return {
        "repeats": repeats,
        "analyses_per_run": 5,
        "median_s": {k: round(v, 4) for k, v in med.items()},
        "overhead_s": {k: round(v - med["bare"], 4) for k, v in med.items() if k != "bare"},
        "catalog_record_one_run_s": round(await record_direct(root), 4),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)), indent=2))
