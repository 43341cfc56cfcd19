"""The loader against polars: files to columns (``LocalGraphStore.from_directory``) and polars'
plain ``read_ndjson`` of the same files, back to back in one process, alternating.

    python bench/parse.py DIR [--repeats 5]

``DIR`` holds the JSON Lines of one graph (``bench/scale.py`` writes them). polars is imported and
warmed up on the first file before any timing, so neither side pays the import. Prints one JSON
row: the min and every time of each side, ``ratio`` (our min / polars' min), and the least CPU
time of each (all threads: less sensitive than wall time to other programs on the machine).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl  # noqa: E402

from graph_agents.stores import LocalGraphStore  # noqa: E402


def main(root: Path, repeats: int) -> dict:
    files = sorted(root.glob("*.jsonl"))
    pl.read_ndjson(files[0], n_rows=1000)  # warm up polars' thread pool
    ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(repeats):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        store = LocalGraphStore.from_directory(root, results_dir=root / "results")
        ours.append(time.perf_counter() - t)
        ours_cpu.append(time.process_time() - c)
        del store
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        for path in files:
            pl.read_ndjson(path)
        theirs.append(time.perf_counter() - t)
        theirs_cpu.append(time.process_time() - c)
    return {"dir": str(root), "ours_s": round(min(ours), 3), "polars_s": round(min(theirs), 3),
            "ratio": round(min(ours) / min(theirs), 2),
            "ours_cpu_s": round(min(ours_cpu), 3), "polars_cpu_s": round(min(theirs_cpu), 3),
            "ours_all": [round(x, 3) for x in ours], "polars_all": [round(x, 3) for x in theirs]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(main(args.dir, args.repeats)))
