"""What recording a run costs: the demo workflow with and without the catalog and tracing.

    python bench/catalog_tracing_overhead.py [repeats]

Prints JSON: median wall seconds per configuration and the overhead of recording.
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
from graph_agents.demo import generate_demo

CONFIGS = {
    "bare": {"catalog": False, "enable_tracing": False},
    "tracing": {"catalog": False, "enable_tracing": True},
    "catalog": {"catalog": None, "enable_tracing": False},
    "catalog+tracing": {"catalog": None, "enable_tracing": True},
    "catalog+tracing+debug": {"catalog": None, "enable_tracing": True, "enable_debug_mode": True},
}


async def main(repeats: int) -> dict:
    root = Path(tempfile.mkdtemp())
    demo = generate_demo(root / "demo")
    times: dict[str, list[float]] = {name: [] for name in CONFIGS}
    for i in range(repeats):
        for name, kw in CONFIGS.items():  # interleaved so drift hits every configuration alike
            runner = AgenticWorkflowRunner(data_dir=demo / "data", workspace=root / f"ws-{name}", **kw)
            t = time.perf_counter()
            await runner.run_async([demo / "requirements.md"], thread_id=f"{name}-{i}")
            times[name].append(time.perf_counter() - t)
    med = {name: statistics.median(v) for name, v in times.items()}
    return {
        "repeats": repeats,
        "analyses_per_run": 5,
        "median_s": {k: round(v, 4) for k, v in med.items()},
        "overhead_s": {k: round(v - med["bare"], 4) for k, v in med.items() if k != "bare"},
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)), indent=2))
