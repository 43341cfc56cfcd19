"""Parallel speed-up of the real workflow, with simulated LLM and engine latency.

    python bench/parallel.py [--sizes 5 25 100] [--unit 0.025] [--max-concurrency K] [--seed 0]

The workflow runs as shipped (runner, checkpoints in SQLite, every node and its validation) on the
bundled demo graph; only the slow parts are simulated: a chat model that answers each agent from
the prompt's data after a set latency, and an engine whose jobs sleep a set time and write a
synthetic result. Latencies, in units of ``--unit`` seconds, follow the seed's workload:
resolve_vertical, analyze_schema and extract_requirements 20 each, generate_use_cases and
generate_templates 10 each, each execution 15 +- 40% (seeded), each report 7.

For every N (templates) it runs parallel mode (max_concurrency N + 2, or K with
``--max-concurrency``), one run at a time, then sequential mode (max_concurrency 1: the same
graph), the sequential runs side by side (they are sleep-bound), and prints one
JSON object per line: ``n``, ``mode``, ``max_concurrency``, ``wall_s``, ``critical_path_s`` (the
longest chain of simulated latencies through the graph: resolve + max(phase 1) + use cases +
templates + max over analyses of execution + report), ``efficiency`` (critical_path_s / wall_s),
``speedup`` (sequential wall / parallel wall, on the parallel line), ``llm_calls`` and
``max_concurrent_analyses`` (most analyses between the start of their execution and the end of
their report at any moment). With ``--max-concurrency K`` below N, ``capped_critical_path_s``
is the shortest wall a cap of K allows (analyses dispatched in order to the first free slot).
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_agents import AgenticWorkflowRunner, algorithms  # noqa: E402
from graph_agents.demo import generate_demo  # noqa: E402
from graph_agents.engines.base import EngineOutcome  # noqa: E402
from graph_agents.settings import Settings  # noqa: E402
from graph_agents.stores import LocalGraphStore  # noqa: E402
from tests.doubles.fake_llm import SchemaFakeChatModel  # noqa: E402

AGENT_UNITS = {"resolve_vertical": 20, "analyze_schema": 20, "extract_requirements": 20,
               "generate_use_cases": 10, "generate_templates": 10, "analyze": 7}
EXEC_UNITS, EXEC_SPREAD = 15, 0.4
RESULT_SIZE = 60  # vertices in each simulated result

QUESTIONS = [
    "which products are the most influential in what customers purchased",
    "the co-purchase communities of customers who buy together",
    "rings of customers sharing devices",
    "circular cycles of money transfers between sellers",
    "customers who act as a broker between communities in the referral network",
]


def requirements_text(n: int) -> str:
    lines = ["# Benchmark requirements", "", "## Requirements", ""]
    lines += [f"{i}. (Medium priority) Question {i}: the team must know {QUESTIONS[(i - 1) % len(QUESTIONS)]}."
              for i in range(1, n + 1)]
    return "\n".join(lines) + "\n"


_TEMPLATE = re.compile(r'<analysis>\n\{"template_id": ?"([^"]+)"')


class Timeline:
    """When each analysis started executing and when its report ended."""

    def __init__(self) -> None:
        self.start: dict[str, float] = {}
        self.end: dict[str, float] = {}

    def max_concurrent(self) -> int:
        events = sorted([(t, 1) for t in self.start.values()] + [(t, -1) for t in self.end.values()])
        now = peak = 0
        for _, step in events:  # an end before a start at the same instant: not concurrent
            now += step
            peak = max(peak, now)
        return peak


class BenchModel(SchemaFakeChatModel):
    timeline: Any = None

    async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
        result = await super()._agenerate(messages, stop, run_manager, **kwargs)
        found = _TEMPLATE.search(str(messages[-1].content))
        if found:
            self.timeline.end[found.group(1)] = time.perf_counter()
        return result


class SimulatedEngine:
    """Jobs that take a set time and write a synthetic result for the report step to read."""

    name = "simulated"

    def __init__(self, unit: float, timeline: Timeline, seed: int, ids: list[str]) -> None:
        self.unit, self.timeline, self.ids = unit, timeline, ids
        self.rng = random.Random(seed)
        self.durations: dict[str, float] = {}

    def duration(self, template_id: str) -> float:
        if template_id not in self.durations:
            self.durations[template_id] = EXEC_UNITS * self.unit * (1 + self.rng.uniform(-EXEC_SPREAD, EXEC_SPREAD))
        return self.durations[template_id]

    async def run(self, template: Any, store: Any, run_id: str) -> EngineOutcome:
        self.timeline.start[template.id] = time.perf_counter()
        await asyncio.sleep(self.duration(template.id))
        algo = algorithms.get(template.algorithm)
        rng = random.Random(template.id)
        values = ({i: rng.random() for i in self.ids} if algo.kind == "score"
                  else {i: f"g{rng.randrange(12)}" for i in self.ids})
        location = await store.write_results(run_id, template.id, algo.result_field, values)
        return EngineOutcome(values=values, result_location=location, result_count=len(values))

    async def aclose(self) -> None:
        pass


async def one_run(n: int, parallel: bool, cap: int | None, unit: float, seed: int, demo: Path, work: Path,
                  store: LocalGraphStore, ids: list[str]) -> dict[str, Any]:
    timeline = Timeline()
    model = BenchModel(latency={a: u * unit for a, u in AGENT_UNITS.items()}, timeline=timeline)
    engine = SimulatedEngine(unit, timeline, seed, ids)
    concurrency = (cap or n + 2) if parallel else 1
    settings = Settings(GRAPH_AGENTS_HOME=str(work), GRAPH_AGENTS_LLM_MAX_CONCURRENCY=max(n, concurrency) + 2)
    runner = AgenticWorkflowRunner(store=store, engine=engine, llm=model, settings=settings, max_concurrency=concurrency)
    started = time.perf_counter()
    result = await runner.run_async(requirements=requirements_text(n), max_executions=n, enable_parallelism=parallel)
    wall = time.perf_counter() - started
    if result.status != "completed" or len(result.reports) != n:
        raise SystemExit(f"benchmark run failed: status {result.status}, {len(result.reports)} reports of {n}")
    phase = (AGENT_UNITS["resolve_vertical"] + max(AGENT_UNITS["analyze_schema"], AGENT_UNITS["extract_requirements"])
             + AGENT_UNITS["generate_use_cases"] + AGENT_UNITS["generate_templates"]) * unit
    analyses = [engine.durations[t.id] + AGENT_UNITS["analyze"] * unit for t in result.templates]
    critical = phase + max(analyses)
    out = {"n": n, "mode": "parallel" if parallel else "sequential", "max_concurrency": concurrency,
           "wall_s": round(wall, 3), "critical_path_s": round(critical, 3), "efficiency": round(critical / wall, 3),
           "llm_calls": len(model.calls), "max_concurrent_analyses": timeline.max_concurrent()}
    if parallel and concurrency < n:
        # the best a cap of K allows: analyses dispatched in order to the first free of K slots
        slots = [0.0] * concurrency
        for a in analyses:
            heapq.heappush(slots, heapq.heappop(slots) + a)
        out["capped_critical_path_s"] = round(phase + max(slots), 3)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 25, 100])
    parser.add_argument("--unit", type=float, default=0.025, help="seconds per latency unit")
    parser.add_argument("--max-concurrency", type=int, default=None, help="cap parallel mode at K tasks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sequential", action="store_true", help="parallel runs only (no speedup)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = generate_demo(Path(tmp) / "demo")
        store = LocalGraphStore.from_directory(demo / "data", results_dir=Path(tmp) / "results")
        # a small synthetic result per job: the report step stays cheap, as it is next to a real engine
        ids = [d["_id"] for d in await store.sample("customers", RESULT_SIZE)]

        def run(n: int, parallel: bool) -> Any:
            work = Path(tmp) / f"{'p' if parallel else 's'}{n}"
            return one_run(n, parallel, args.max_concurrency, args.unit, args.seed, demo, work, store, ids)

        parallel = [await run(n, True) for n in args.sizes]  # one at a time: they are the measurement
        sequential = []
        if not args.no_sequential:
            # sequential runs spend their time asleep (one latency after another), so they share
            # the event loop without slowing each other; side by side, the bench stays short
            sequential = await asyncio.gather(*(run(n, False) for n in args.sizes))
        for par, seq in itertools.zip_longest(parallel, sequential):
            if seq is not None:
                par["speedup"] = round(seq["wall_s"] / par["wall_s"], 2)
                seq["speedup"] = 1.0
            print(json.dumps(par), flush=True)
            if seq is not None:
                print(json.dumps(seq), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
