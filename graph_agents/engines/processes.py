"""Betweenness in a worker process, over shared memory, so it never holds this interpreter's lock.

igraph holds the GIL for the whole of each call (measured: a thread's betweenness call leaves the
event loop about 1/500 of its speed), and chunked calls only bound each stall. A worker process
runs the call in parallel with the rest of the run: the simple undirected edge list goes to it
once per graph as a memory-mapped ``.npy`` file (the page cache shares it; no pickling of millions
of pairs, and unlike ``multiprocessing.shared_memory`` on Python 3.11 no resource-tracker warnings
when a worker attaches), the worker builds its own igraph graph and caches it, and each call
returns one float array.

The pool uses the ``spawn`` start method (forking a process with running threads is unsafe) and
imports only numpy and igraph in the worker.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ..concurrency import CPU_LANE

# graphs with at least this many vertices + edges run betweenness in the worker process: below it,
# starting the worker (about a second) costs more than a stall of the event loop
PROCESS_MIN_SIZE = 500_000

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_shared: dict[int, tuple[np.ndarray, str]] = {}  # id of the edge array -> (the array, its file)
_dir: str | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            workers = max(1, min(2, (os.cpu_count() or 2) - 1))
            _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def share(edges: np.ndarray) -> str:
    """``edges`` (an ``(m, 2)`` int64 array) in a file the workers map: its path (written once)."""
    global _dir
    with _lock:
        entry = _shared.get(id(edges))
        if entry is None or entry[0] is not edges:
            _dir = _dir or tempfile.mkdtemp(prefix="graph_agents-")
            path = str(Path(_dir) / f"edges-{len(os.listdir(_dir))}.npy")
            np.save(path, np.ascontiguousarray(edges, dtype=np.int64))
            entry = _shared[id(edges)] = (edges, path)  # the array is kept: its id is not reused
    return entry[1]


def worker_pids() -> list[int]:
    """The worker processes running now (bench/scale.py counts their CPU as betweenness's own)."""
    with _lock:
        return list(getattr(_pool, "_processes", None) or {})


def betweenness(edges: np.ndarray, n: int, batches: list[list[int]]) -> np.ndarray:
    """Sum over ``batches`` of igraph's subset betweenness from each batch of sources, computed in
    the worker process on the undirected simple graph ``edges``.

    The hand-over (the edge file, starting the pool, pickling the calls) is CPU work in this
    interpreter, so it stays in the caller's turn in the CPU lane; only the wait for the worker
    steps out of it (run outside the lane, the hand-over stalled the short job that had taken it)."""
    path = share(edges)
    pool = _executor()
    futures = [pool.submit(_worker_betweenness, path, n, batch) for batch in batches]
    with CPU_LANE.outside():  # the worker computes; this interpreter is free meanwhile
        parts = [future.result() for future in futures]
    total = np.zeros(n)
    for part in parts:
        total += part
    return total


def release(edges: np.ndarray) -> None:
    """Forget ``edges``' file (the graph is no longer in use)."""
    with _lock:
        entry = _shared.pop(id(edges), None)
    if entry is not None:
        Path(entry[1]).unlink(missing_ok=True)


@atexit.register
def _shutdown() -> None:
    global _pool, _dir
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
    _shared.clear()
    if _dir is not None:
        shutil.rmtree(_dir, ignore_errors=True)
        _dir = None


# ------------------------------------------------------------------------------- in the worker

_graphs: dict[str, Any] = {}


def _worker_betweenness(path: str, n: int, sources: list[int]) -> np.ndarray:
    import igraph as ig

    graph = _graphs.get(path)
    if graph is None:
        edges = np.load(path, mmap_mode="r")
        graph = ig.Graph(n=n, directed=False)
        graph.add_edges(edges)
        _graphs.clear()  # one graph at a time: a run's graphs come one after another
        _graphs[path] = graph
    values = np.asarray(graph.betweenness(directed=False, sources=sources), dtype=np.float64)
    return values
