"""End to end at scale: a seeded customer/product graph of 100k, 1M or 10M edges, five asks.

    python bench/scale.py [--edges 100000 1000000 10000000] [--data /tmp/graph_agents_scale] [--seed 0] [--nice N]

For each size: writes ``customers``, ``products``, ``purchased`` and ``referred`` as JSON Lines
(power-law degrees, seeded) under ``--data`` (reused when already there), then runs the workflow
with no LLM on the local engine with five asks (influence, communities, rings, cycles, brokers) in
a fresh child process, and prints one JSON row per size: ``wall_s``, ``peak_rss_mb``, per-phase
times (``parse``, ``build``, one per algorithm, ``write``, ``facts``, ``report``), per algorithm
its ``waiting_share`` once running (of it ``core_wait_share``, waiting for a core) and
``lane_wait_s``, ``others_cpu_share`` (how busy other programs kept the machine), the workflow's
own analysis timings, and ``polars_parse_s`` (polars reading the same files) with the ratio.
Never commit the generated data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ASKS = """\
Influence: find the most influential customers and products, the ones everything flows to.
Communities: group customers into communities of people who buy and refer together.
Rings: find rings of accounts that are connected to each other, isolated from the rest.
Cycles: find referral cycles, where customers refer each other around a closed loop.
Brokers: find the brokers and bottlenecks that connect otherwise separate parts of the network.
"""
SEGMENTS = ("gold", "silver", "bronze", "new")
CATEGORIES = ("books", "music", "garden", "tools", "toys", "food", "sports", "health")


def _skewed(rng: np.random.Generator, n: int, size: int, exponent: float = 0.7) -> np.ndarray:
    """Indices in [0, n) drawn with weight (rank + 1) ** -exponent, ranks shuffled: power-law degrees."""
    weights = (np.arange(n) + 1.0) ** -exponent
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    ranks = np.minimum(np.searchsorted(cdf, rng.random(size)), n - 1)
    return rng.permutation(n)[ranks]


def _write(path: Path, lines: Any) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(lines)
    tmp.replace(path)


def generate(root: Path, edges: int, seed: int = 0) -> Path:
    """The graph with ``edges`` edges under ``root/<edges>`` (kept: generated once per size and seed)."""
    out = root / f"e{edges}-s{seed}"
    if (out / "referred.jsonl").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    customers, products = max(10, edges // 10), max(5, edges // 50)
    purchased = edges * 4 // 5
    referred = edges - purchased
    seg = rng.integers(0, len(SEGMENTS), customers)
    age = rng.integers(18, 90, customers)
    _write(out / "customers.jsonl", (
        f'{{"_key":"c{i}","name":"Customer {i}","segment":"{SEGMENTS[s]}","age":{a}}}\n'
        for i, s, a in zip(range(customers), seg.tolist(), age.tolist())))
    cat = rng.integers(0, len(CATEGORIES), products)
    price = np.round(rng.gamma(2.0, 15.0, products), 2)
    _write(out / "products.jsonl", (
        f'{{"_key":"p{i}","title":"Product {i}","category":"{CATEGORIES[c]}","price":{p}}}\n'
        for i, c, p in zip(range(products), cat.tolist(), price.tolist())))
    src, dst = _skewed(rng, customers, purchased), _skewed(rng, products, purchased, 0.9)
    qty = rng.integers(1, 5, purchased)
    _write(out / "purchased.jsonl", (
        f'{{"_from":"customers/c{s}","_to":"products/p{t}","quantity":{q}}}\n'
        for s, t, q in zip(src.tolist(), dst.tolist(), qty.tolist())))
    src, dst = _skewed(rng, customers, referred), _skewed(rng, customers, referred)
    keep = src != dst
    _write(out / "referred.jsonl", (
        f'{{"_from":"customers/c{s}","_to":"customers/c{t}"}}\n'
        for s, t in zip(src[keep].tolist(), dst[keep].tolist())))
    return out


CHILD = r"""
import asyncio, json, os, resource, sys, time
from collections import defaultdict
sys.path.insert(0, sys.argv[1])
phases = defaultdict(float)
started = time.perf_counter()

cpu = defaultdict(float)  # CPU time of the calling thread: wall minus this is time spent waiting

def timed(owner, name, phase):
    real = getattr(owner, name)
    def wrapper(*a, **k):
        t, c = time.perf_counter(), time.thread_time()
        try:
            return real(*a, **k)
        finally:
            key = phase(*a) if callable(phase) else phase
            phases[key] += time.perf_counter() - t
            cpu[key] += time.thread_time() - c
    setattr(owner, name, wrapper)

def timed_async(owner, name, phase):
    real = getattr(owner, name)
    async def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return await real(*a, **k)
        finally:
            phases[phase] += time.perf_counter() - t
    setattr(owner, name, wrapper)

from graph_agents.engines import local as engine, processes
from graph_agents.nodes import analyze
from graph_agents.reports import build
from graph_agents.stores.local import LocalGraphStore
timed(engine, "_Graph", "build")
timed(engine, "_compute", lambda algorithm, *a: algorithm)  # from the call: lane wait + running
running, running_cpu, running_queue = defaultdict(float), defaultdict(float), defaultdict(float)

def schedstat(path):  # (CPU, runnable but waiting for a core) seconds of a thread, from Linux
    with open(path) as fh:
        cpu_ns, queue_ns = fh.read().split()[:2]
    return int(cpu_ns) / 1e9, int(queue_ns) / 1e9

def sched(name):  # this thread's, and for betweenness its worker processes' (their CPU is its own)
    try:
        cpu, queue = schedstat("/proc/thread-self/schedstat")
    except (OSError, ValueError):
        return time.thread_time(), 0.0
    for pid in processes.worker_pids() if name == "betweenness" else ():
        try:
            c, q = schedstat(f"/proc/{pid}/schedstat")  # igraph computes in the worker's main thread
        except (OSError, ValueError):
            continue
        cpu, queue = cpu + c, queue + q
    return cpu, queue

def in_lane(name, fn):  # the algorithm itself, once it holds the CPU lane
    def wrapper(*a):
        t, (c, q) = time.perf_counter(), sched(name)
        try:
            return fn(*a)
        finally:
            c1, q1 = sched(name)
            running[name] += time.perf_counter() - t
            running_cpu[name] += c1 - c
            running_queue[name] += q1 - q
    return wrapper

def machine_busy():  # CPU seconds every program on the machine has used (all cores), from /proc/stat
    try:
        with open("/proc/stat") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:]]
        return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # not idle, not iowait
    except (OSError, ValueError, IndexError):
        return None

for name, fn in list(engine._ALGORITHMS.items()):
    engine._ALGORITHMS[name] = in_lane(name, fn)
timed_async(LocalGraphStore, "write_results", "write")
timed(analyze, "compute_facts", "facts")
timed(analyze, "build_report", "report")
from graph_agents import AgenticWorkflowRunner
busy0 = machine_busy()
t = time.perf_counter()
store = LocalGraphStore.from_directory(sys.argv[2], results_dir=sys.argv[3] + "/results")
phases["parse"] = time.perf_counter() - t
runner = AgenticWorkflowRunner(store=store, workspace=sys.argv[3], catalog=False)
result = asyncio.run(runner.run_async(requirements=sys.argv[4], thread_id="scale"))
wall = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF)
busy1 = machine_busy()
workers_cpu = 0.0  # the worker processes are this run's too (still running: not in RUSAGE_CHILDREN)
for pid in processes.worker_pids():
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        workers_cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass

row = {
    "status": result.status,
    "wall_s": round(wall, 2),
    "peak_rss_mb": round(own.ru_maxrss / 1024),
    "phases_s": {k: round(v, 2) for k, v in phases.items()},
    # per algorithm, once it runs: the share of its wall time it was on no CPU (waiting behind
    # another's CPU: this interpreter's lock, or a core taken by other threads or programs);
    # betweenness counts its worker process's CPU as its own
    "waiting_share": {k: round(max(0.0, 1 - running_cpu[k] / running[k]), 3)
                      for k in running if running[k] > 0.05},
    # the part of that spent runnable, waiting for a core (others' CPU, this run's or other programs')
    "core_wait_share": {k: round(running_queue[k] / running[k], 3)
                        for k in running if running[k] > 0.05},
    # per algorithm: seconds it waited for the CPU lane before it ran (jobs take turns)
    "lane_wait_s": {k: round(phases[k] - running[k], 2) for k in running},
    # how busy other programs kept the machine meanwhile: their CPU over (wall x cores); 0 is quiet
    "others_cpu_share": None if busy0 is None or busy1 is None else round(max(0.0, (
        busy1 - busy0 - own.ru_utime - own.ru_stime - workers_cpu) / (wall * (os.cpu_count() or 1))), 3),
    "analyses": [{"algorithm": e.algorithm, "status": e.status, "seconds": round(e.duration_s, 2),
                  "error": e.error} for e in result.execution_results],
}
print(json.dumps(row))
"""

POLARS = r"""
import sys, time
import polars as pl
t = time.perf_counter()
for path in sys.argv[1:]:
    pl.read_ndjson(path)
print(time.perf_counter() - t)
"""


def run_size(edges: int, data_root: Path, seed: int, nice: int) -> dict[str, Any]:
    t = time.perf_counter()
    data = generate(data_root, edges, seed)
    generate_s = round(time.perf_counter() - t, 2)
    workspace = data_root / f"ws-{edges}-{os.getpid()}"
    prefix = ["nice", "-n", str(nice)] if nice else []
    try:
        proc = subprocess.run([*prefix, sys.executable, "-c", CHILD, str(ROOT), str(data), str(workspace), ASKS],
                              capture_output=True, text=True)
    finally:  # results and checkpoints of a run are hundreds of MB at 10M edges: the data is what is kept
        shutil.rmtree(workspace, ignore_errors=True)
    if proc.returncode != 0:
        return {"edges": edges, "error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]}
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    files = sorted(str(p) for p in data.glob("*.jsonl"))
    try:
        polars = subprocess.run([*prefix, sys.executable, "-c", POLARS, *files], capture_output=True, text=True, check=True)
        polars_s = round(float(polars.stdout.strip()), 2)
    except (subprocess.CalledProcessError, ValueError):
        polars_s = None  # polars not installed: the ratio is left out
    parse = row["phases_s"].get("parse")
    return {"edges": edges, "generate_s": generate_s, **row, "polars_parse_s": polars_s,
            "parse_vs_polars": round(parse / polars_s, 2) if parse and polars_s else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/graph_agents_scale"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nice", type=int, default=0, help="run the children with this niceness")
    args = parser.parse_args()
    for edges in args.edges:
        print(json.dumps(run_size(edges, args.data, args.seed, args.nice)), flush=True)


if __name__ == "__main__":
    main()
