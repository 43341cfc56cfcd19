"""Load: one run with many templates under a concurrency cap, on the demo graph.

Runs phase 1 and planning for real, then replaces the planned templates with N templates (the
planned ones repeated, each with its own id) as if `generate_templates` had produced them, and
lets the Send map run them all. Prints one JSON line: templates, cap, max concurrent analyses
seen, completed, failed, wall seconds, peak RSS in MiB.

    python bench/load.py [--templates 200] [--max-concurrency 16] [--job-latency 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langgraph.checkpoint.memory import InMemorySaver  # noqa: E402

from graph_agents.context import Context  # noqa: E402
from graph_agents.demo import DEMO_REQUIREMENTS, generate_demo  # noqa: E402
from graph_agents.engines import LocalEngine  # noqa: E402
from graph_agents.graph import builder  # noqa: E402
from graph_agents.stores import LocalGraphStore  # noqa: E402


class GaugedEngine(LocalEngine):
    """The local engine, plus a simulated job latency and a gauge of concurrent jobs."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency, self.active, self.peak = latency, 0, 0

    async def run(self, template, store, run_id):
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.latency)
            return await super().run(template, store, run_id)
        finally:
            self.active -= 1


async def main(n: int, cap: int, latency: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="ga-load-"))
    store = LocalGraphStore.from_directory(generate_demo(work / "demo") / "data", results_dir=work / "results")
    engine = GaugedEngine(latency)
    context = Context(store=store, engine=engine)
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "load"}, "max_concurrency": cap, "recursion_limit": 100}
    started = time.perf_counter()
    # plan for real, stop before the map
    app_until = builder.compile(checkpointer=app.checkpointer, interrupt_after=["generate_templates"])
    await app_until.ainvoke({"requirements": DEMO_REQUIREMENTS}, config, context=context)
    planned = (await app.aget_state(config)).values["templates"]
    templates = [{**planned[i % len(planned)], "id": f"T-{i + 1:03d}"} for i in range(n)]
    await app.aupdate_state(config, {"templates": templates}, as_node="generate_templates")
    await app.ainvoke(None, config, context=context)
    values = (await app.aget_state(config)).values
    results = values.get("execution_results") or {}
    return {
        "templates": n,
        "max_concurrency": cap,
        "max_concurrent_analyses": engine.peak,
        "cap_respected": engine.peak <= cap,
        "completed": sum(r["status"] == "completed" for r in results.values()),
        "failed": sum(r["status"] != "completed" for r in results.values()),
        "reports": len(values.get("reports") or {}),
        "wall_s": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--max-concurrency", type=int, default=16)
    parser.add_argument("--job-latency", type=float, default=0.05)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.templates, args.max_concurrency, args.job_latency))))
