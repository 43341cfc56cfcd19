"""Schema analysis of a wide ArangoDB database through ArangoGraphStore, against the local
ArangoDB protocol double with a simulated per-query latency.

    python bench/arango_schema.py [--collections 500] [--docs 20] [--latency-ms 5]

Prints one JSON object per line and ``ARANGO_MAX_PARALLEL`` setting:
``{"collections", "latency_ms", "max_parallel", "schema_s", "queries", "max_inflight"}`` where
``schema_s`` is the wall time of ``analyze_schema``'s ``build_schema`` (listing, counting,
sampling every collection, degree statistics).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph_agents.nodes.analyze_schema import build_schema  # noqa: E402
from graph_agents.settings import Settings  # noqa: E402
from graph_agents.stores.arango import ArangoGraphStore  # noqa: E402
from graph_agents.verticals import load_vertical  # noqa: E402
from tests.doubles.arango_server import EDGE, ArangoDouble  # noqa: E402


async def measure(collections: int, docs: int, latency_ms: float, max_parallel: int) -> dict:
    server = ArangoDouble(password="pw")
    for c in range(collections):
        name = f"c{c:05d}"
        server.add_collection(name)
        for d in range(docs):
            server.insert(name, {"_key": str(d), "name": f"n{d}", "value": d})
    server.add_collection("links", EDGE)
    for d in range(docs):
        server.insert("links", {"_from": f"c00000/{d}", "_to": f"c00001/{(d + 1) % docs}"})
    server.query_delay = latency_ms / 1000
    await server.start()
    try:
        settings = Settings(_env_file=None, ARANGO_URL=server.url, ARANGO_PASSWORD="pw",
                            ARANGO_MAX_PARALLEL=max_parallel)
        store = ArangoGraphStore.from_settings(settings)
        started = time.perf_counter()
        schema = await build_schema(store, load_vertical("generic"))
        elapsed = time.perf_counter() - started
    finally:
        await server.stop()
    assert len(schema.collections) == collections + 1
    return {"collections": collections + 1, "latency_ms": latency_ms, "max_parallel": max_parallel,
            "schema_s": round(elapsed, 3), "queries": len(server.queries), "max_inflight": server.max_inflight}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collections", type=int, default=500)
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    args = parser.parse_args()
    for parallel in (1, 8):
        print(json.dumps(asyncio.run(measure(args.collections, args.docs, args.latency_ms, parallel))))


if __name__ == "__main__":
    main()
